package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// assocPageLimit is the page size asked of the v4 association list (its
// documented maximum).
const assocPageLimit = 500

// maxBody bounds a response body read outside go-hubspot.
const maxBody = 8 << 20

// v4AssocPage is the answer of GET /crm/v4/objects/{from}/{id}/associations/{to}.
type v4AssocPage struct {
	Results []struct {
		ToObjectID json.Number `json:"toObjectId"` // a JSON number; ids pass 2^31
	} `json:"results"`
	Paging *struct {
		Next *struct {
			After string `json:"after"`
		} `json:"next"`
	} `json:"paging"`
}

// associatedIDs lists the ids of the toType records linked from one record,
// in HubSpot's order, without duplicates, following paging.
//
// This goes around go-hubspot, with a plain GET through the same
// http.Client, retries and classification: the library's v4 package has no
// "read one" endpoint, its v4 batch read decodes toObjectId as int32 (real
// ids overflow it) and answers "no associations" and "no such record" alike
// (a 207 either way); its deals client never wires an AssociationsApi.
func (c *Client) associatedIDs(ctx context.Context, portal app.Portal, from app.ObjectType, id, toType string) ([]string, error) {
	path := "/crm/v4/objects/" + url.PathEscape(string(from)) + "/" + url.PathEscape(id) + "/associations/" + url.PathEscape(toType)
	cl, err := c.newCall(portal, noun(from), "GET "+path)
	if err != nil {
		return nil, err
	}
	var ids []string
	seen := map[string]bool{}
	after := ""
	for {
		q := url.Values{"limit": {fmt.Sprint(assocPageLimit)}}
		if after != "" {
			q.Set("after", after)
		}
		var page v4AssocPage
		err := c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
			return c.getJSON(ctx, cl.token, path+"?"+q.Encode(), &page)
		})
		if err != nil {
			return nil, err
		}
		for _, r := range page.Results {
			if id := r.ToObjectID.String(); id != "" && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		if page.Paging == nil || page.Paging.Next == nil || page.Paging.Next.After == "" || page.Paging.Next.After == after {
			return ids, nil
		}
		after = page.Paging.Next.After
	}
}

// getJSON is one GET outside go-hubspot, shaped like the library's calls
// for do: the body is read into memory and left readable on the response;
// a 2xx body is decoded into v, and one that does not decode is a
// *badBody.
func (c *Client) getJSON(ctx context.Context, token, pathQuery string, v any) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+pathQuery, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil || resp.StatusCode >= 300 {
		return resp, err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return resp, &badBody{err}
	}
	return resp, nil
}
