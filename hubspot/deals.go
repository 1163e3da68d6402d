package hubspot

import (
	"context"
	"maps"
	"net/http"

	"github.com/clarkmcc/go-hubspot/generated/v3/objects"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// UpdateDeal writes deal properties with PATCH /crm/v3/objects/deals/{id}
// {"properties":{...}} (go-hubspot's BasicApi.Update). An empty value is
// sent as "", which HubSpot stores as no value: it clears the property. No
// properties cost no request. The write is idempotent, so it is retried
// like a read.
//
// Errors: Invalid for a malformed id, or a property or value HubSpot
// rejects (a property that does not exist: call EnsureDealProperties
// first); NotFound when the portal has no such deal; NotConnected,
// Forbidden, Unavailable as classified in errors.go.
func (c *Client) UpdateDeal(ctx context.Context, portal app.Portal, dealID string, props map[string]string) error {
	if err := checkRef(app.Deals, dealID); err != nil {
		return err
	}
	if len(props) == 0 {
		return nil
	}
	cl, err := c.newCall(ctx, portal, "deal", "PATCH /crm/v3/objects/deals/"+dealID)
	if err != nil {
		return err
	}
	cl.verb = "change"
	body := objects.SimplePublicObjectInput{Properties: maps.Clone(props)}
	return c.do(authorized(ctx, cl.token), cl, func(ctx context.Context) (*http.Response, error) {
		_, resp, err := c.api.BasicApi.Update(ctx, "deals", dealID).SimplePublicObjectInput(body).Execute()
		return resp, err
	})
}
