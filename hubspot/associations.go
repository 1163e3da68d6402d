package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// assocPageLimit is the page size asked of the v4 association list (its
// documented maximum).
const assocPageLimit = 500

// maxBody bounds a response body read outside go-hubspot.
const maxBody = 8 << 20

// assocTypes are the record types Associated lists, by v4 path name, with
// their names in a rep's words.
var assocTypes = map[string]string{
	"contacts":   "contact",
	"companies":  "company",
	"deals":      "deal",
	"line_items": "line item",
	"quotes":     "quote",
}

// primaryTypeIDs are the HUBSPOT_DEFINED association types that mark the
// primary record, by from and to type (reference/hubspot.md 4.2: deal to
// company 5; contact to company 1, HubSpot's public table). HubSpot labels
// them "Primary" too; the ids are a fallback should the label be missing.
var primaryTypeIDs = map[[2]string]int{
	{"deals", "companies"}:    5,
	{"contacts", "companies"}: 1,
}

// Associated lists the ids of the records of type to associated with from,
// with GET /crm/v4/objects/{from}/{id}/associations/{to}, paged by after.
// Both types must be one of contacts, companies, deals, line_items and
// quotes (v4 path names); anything else is Invalid before any request. Ids
// come in HubSpot's order, without duplicates, except that a record linked
// by a primary association (labelled "Primary", or type 5 deal to company,
// 1 contact to company) comes first: a deal's primary company. HubSpot
// defines no primary contact of a deal, so contacts keep HubSpot's order.
//
// Errors: Invalid for a type outside the list or a malformed id; NotFound
// when the portal has no such from record (another portal's included);
// NotConnected, Forbidden, Unavailable as classified in errors.go.
func (c *Client) Associated(ctx context.Context, portal app.Portal, from app.ObjectRef, to string) ([]string, error) {
	if _, ok := assocTypes[string(from.Type)]; !ok && from.Type != "" {
		return nil, app.Errorf(app.Invalid, "HubSpot associations of %q records are not supported.", string(from.Type))
	}
	if _, ok := assocTypes[to]; !ok {
		return nil, app.Errorf(app.Invalid, "HubSpot associations to %q records are not supported.", to)
	}
	if err := checkRef(from.Type, from.ID); err != nil {
		return nil, err
	}
	return c.associatedIDs(ctx, portal, from.Type, from.ID, to)
}

// v4AssocPage is the answer of GET /crm/v4/objects/{from}/{id}/associations/{to}.
type v4AssocPage struct {
	Results []struct {
		ToObjectID       json.Number `json:"toObjectId"` // a JSON number; ids pass 2^31
		AssociationTypes []struct {
			Category string `json:"category"`
			TypeID   int    `json:"typeId"`
			Label    string `json:"label"` // null when unlabeled
		} `json:"associationTypes"`
	} `json:"results"`
	Paging *struct {
		Next *struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

// associatedIDs lists the ids of the toType records linked from one record,
// in HubSpot's order with primary links first (see Associated), without
// duplicates, following paging.
//
// This goes around go-hubspot, with a plain GET through the same
// http.Client, retries and classification: the library's v4 package has no
// "read one" endpoint, its v4 batch read decodes toObjectId as int32 (real
// ids overflow it) and answers "no associations" and "no such record" alike
// (a 207 either way); its deals client never wires an AssociationsApi.
func (c *Client) associatedIDs(ctx context.Context, portal app.Portal, from app.ObjectType, id, toType string) ([]string, error) {
	path := "/crm/v4/objects/" + url.PathEscape(string(from)) + "/" + url.PathEscape(id) + "/associations/" + url.PathEscape(toType)
	cl, err := c.newCall(ctx, portal, noun(from), "GET "+path)
	if err != nil {
		return nil, err
	}
	var primary, others []string
	seen := map[string]bool{}
	err = c.walkAssociations(ctx, cl, path, string(from), toType, func(id string, isPrimary bool) bool {
		if id == "" || seen[id] {
			return false
		}
		seen[id] = true
		if isPrimary {
			primary = append(primary, id)
		} else {
			others = append(others, id)
		}
		return false
	})
	if err != nil {
		return nil, err
	}
	if len(primary) == 0 {
		return others, nil
	}
	return append(primary, others...), nil
}

// walkAssociations reads the v4 associations at path page by page and
// hands visit each linked id and whether the link is the primary one (the
// "Primary" label, or HubSpot's primary type id for the pair), until visit
// says stop or the pages end.
func (c *Client) walkAssociations(ctx context.Context, cl call, path, fromType, toType string, visit func(id string, primary bool) (stop bool)) error {
	primaryID, hasPrimaryID := primaryTypeIDs[[2]string{fromType, toType}]
	after := ""
	for {
		q := url.Values{"limit": {fmt.Sprint(assocPageLimit)}}
		if after != "" {
			q.Set("after", after)
		}
		var page v4AssocPage
		err := c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
			page = v4AssocPage{}
			return c.getJSON(ctx, bearer(ctx), path+"?"+q.Encode(), &page)
		})
		if err != nil {
			return err
		}
		for _, r := range page.Results {
			isPrimary := false
			for _, t := range r.AssociationTypes {
				if strings.EqualFold(t.Label, "Primary") ||
					hasPrimaryID && t.TypeID == primaryID && strings.EqualFold(t.Category, "HUBSPOT_DEFINED") {
					isPrimary = true
				}
			}
			if visit(r.ToObjectID.String(), isPrimary) {
				return nil
			}
		}
		if page.Paging == nil || page.Paging.Next == nil || page.Paging.Next.After == "" || page.Paging.Next.After == after {
			return nil
		}
		after = page.Paging.Next.After
	}
}

// getJSON is one GET outside go-hubspot, shaped like the library's calls
// for do: the body is read into memory and left readable on the response;
// a 2xx body is decoded into v, and one that does not decode is a
// *badBody.
func (c *Client) getJSON(ctx context.Context, token, pathQuery string, v any) (*http.Response, error) {
	return c.sendJSON(ctx, http.MethodGet, pathQuery, token, nil, v)
}
