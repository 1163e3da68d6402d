package hubspot

import (
	"context"
	"net/http"
	"strings"

	"github.com/clarkmcc/go-hubspot/generated/v3/objects"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Record reads the named properties of one record with
// GET /crm/v3/objects/{type}/{id}?properties=... (go-hubspot's
// BasicApi.GetByID). The map holds only the named properties that have a
// value: HubSpot answers null for an unset property and leaves out one that
// does not exist, and go-hubspot decodes null as "", so empty values are
// dropped too (HubSpot stores "" as "no value"). With no names, it holds
// every non-empty property HubSpot returns by default.
//
// Errors: Invalid for a malformed id; NotFound when the portal has no such
// record (another portal's record included); NotConnected, Forbidden,
// Unavailable as classified in errors.go.
func (c *Client) Record(ctx context.Context, portal app.Portal, obj app.ObjectRef, properties ...string) (map[string]string, error) {
	props, _, err := c.RecordWith(ctx, portal, obj, properties, nil)
	return props, err
}

// keepSet returns the non-empty values of props, restricted to names when
// any are given (HubSpot adds hs_object_id, createdate and the last-modified
// date to every read).
func keepSet(props map[string]string, names []string) map[string]string {
	out := make(map[string]string, len(props))
	if len(names) == 0 {
		for k, v := range props {
			if v != "" {
				out[k] = v
			}
		}
		return out
	}
	for _, n := range names {
		if v := props[n]; v != "" {
			out[n] = v
		}
	}
	return out
}

// checkRef rejects what cannot name a HubSpot record before any request.
func checkRef(t app.ObjectType, id string) error {
	if t == "" {
		return app.Errorf(app.Invalid, "The HubSpot record type is missing.")
	}
	if !isID(id) {
		return app.Errorf(app.Invalid, "%q is not a HubSpot record id.", id)
	}
	return nil
}

// isID reports whether s is a HubSpot record id: 1 to 20 decimal digits.
func isID(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// noun names a record type in a rep's words.
func noun(t app.ObjectType) string {
	switch t {
	case app.Deals:
		return "deal"
	case app.Contacts:
		return "contact"
	case app.Companies:
		return "company"
	case "quotes":
		return "quote"
	case "line_items":
		return "line item"
	}
	return "record"
}

// RecordWith reads the named properties of one record and, in the same
// request, the ids of its associated records of the types to (v4 path
// names, as Associated takes): GET /crm/v3/objects/{t}/{id}?properties=
// &associations= (go-hubspot's GetByID). Ids come as Associated gives them:
// HubSpot's order without duplicates, the primary link first. A v3 read
// names association types, not ids: a pair that has a Primary type lists
// the primary record under "<from>_to_<to>" beside "<from>_to_<to>_unlabeled"
// (a deal's primary company; sandbox/hubspotfake's doc). A type HubSpot
// pages here (more links than one answer holds) is read whole through
// Associated; HubSpot has keyed line items "line items", so keys are read
// with spaces as underscores.
//
// Errors: as Record, and Invalid for a type Associated does not take.
func (c *Client) RecordWith(ctx context.Context, portal app.Portal, obj app.ObjectRef, properties, to []string) (map[string]string, map[string][]string, error) {
	if err := checkRef(obj.Type, obj.ID); err != nil {
		return nil, nil, err
	}
	for _, t := range to {
		if _, ok := assocTypes[t]; !ok {
			return nil, nil, app.Errorf(app.Invalid, "HubSpot associations to %q records are not supported.", t)
		}
	}
	cl, err := c.newCall(ctx, portal, noun(obj.Type), "GET /crm/v3/objects/"+string(obj.Type)+"/"+obj.ID)
	if err != nil {
		return nil, nil, err
	}
	var rec *objects.SimplePublicObjectWithAssociations
	err = c.do(authorized(ctx, cl.token), cl, func(ctx context.Context) (*http.Response, error) {
		req := c.api.BasicApi.GetByID(ctx, string(obj.Type), obj.ID)
		if len(properties) > 0 {
			req = req.Properties(properties)
		}
		if len(to) > 0 {
			req = req.Associations(to)
		}
		out, resp, err := req.Execute()
		rec = out
		return resp, err
	})
	if err != nil {
		return nil, nil, err
	}
	var props map[string]string
	lists := map[string]objects.CollectionResponseAssociatedId{}
	if rec != nil {
		props = rec.Properties
		if rec.Associations != nil {
			for k, v := range *rec.Associations {
				lists[strings.ReplaceAll(k, " ", "_")] = v
			}
		}
	}
	linked := make(map[string][]string, len(to))
	for _, t := range to {
		list := lists[t]
		if list.Paging != nil && list.Paging.Next != nil && list.Paging.Next.After != "" {
			ids, err := c.associatedIDs(ctx, portal, obj.Type, obj.ID, t)
			if err != nil {
				return nil, nil, err
			}
			linked[t] = ids
			continue
		}
		linked[t] = v3AssociatedIDs(string(obj.Type), t, list.Results)
	}
	return keepSet(props, properties), linked, nil
}

// v3AssociatedIDs orders the ids of a v3 read's association results as
// Associated does: primary first (for a pair with a Primary type, the ids
// under the type without the "_unlabeled" suffix), then HubSpot's order,
// without duplicates.
func v3AssociatedIDs(fromType, toType string, results []objects.AssociatedId) []string {
	_, hasPrimary := primaryTypeIDs[[2]string{fromType, toType}]
	unlabeled := map[string]bool{}
	for _, r := range results {
		if base, ok := strings.CutSuffix(r.Type, "_unlabeled"); ok {
			unlabeled[base] = true
		}
	}
	var primary, others []string
	seen := map[string]bool{}
	for _, r := range results {
		if r.Id == "" || seen[r.Id] {
			continue
		}
		if hasPrimary && unlabeled[r.Type] {
			seen[r.Id] = true
			primary = append(primary, r.Id)
		}
	}
	for _, r := range results {
		if r.Id != "" && !seen[r.Id] {
			seen[r.Id] = true
			others = append(others, r.Id)
		}
	}
	return append(primary, others...)
}
