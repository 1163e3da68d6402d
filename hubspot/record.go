package hubspot

import (
	"context"
	"net/http"

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
	if err := checkRef(obj.Type, obj.ID); err != nil {
		return nil, err
	}
	cl, err := c.newCall(ctx, portal, noun(obj.Type), "GET /crm/v3/objects/"+string(obj.Type)+"/"+obj.ID)
	if err != nil {
		return nil, err
	}
	var props map[string]string
	err = c.do(authorized(ctx, cl.token), cl, func(ctx context.Context) (*http.Response, error) {
		req := c.api.BasicApi.GetByID(ctx, string(obj.Type), obj.ID)
		if len(properties) > 0 {
			req = req.Properties(properties)
		}
		rec, resp, err := req.Execute()
		if rec != nil {
			props = rec.Properties
		}
		return resp, err
	})
	if err != nil {
		return nil, err
	}
	return keepSet(props, properties), nil
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
