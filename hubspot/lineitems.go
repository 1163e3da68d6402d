package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/clarkmcc/go-hubspot/generated/v3/objects"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// lineItemProperties are the line item properties app.LineItem carries
// (reference/hubspot.md 4.1).
var lineItemProperties = []string{"name", "description", "hs_sku", "hs_product_id", "quantity", "price", "discount", "hs_discount_percentage"}

// LineItems reads line items with one POST
// /crm/v3/objects/line_items/batch/read (go-hubspot's BatchApi.BatchRead)
// per 100 distinct ids, and returns them in the order of ids (a repeated id
// is read once and returned at each place). No ids cost no request and give
// nil.
//
// quantity, price, discount and hs_discount_percentage are rounded half
// away from zero to two decimals when HubSpot holds more (see parseAmount);
// an unset one is zero.
//
// Errors: Invalid for a malformed id, before any request; NotFound naming
// the ids HubSpot does not have (it answers 207 for them; another portal's
// line item included); Internal when a number cannot be read;
// NotConnected, Forbidden, Unavailable as classified in errors.go.
func (c *Client) LineItems(ctx context.Context, portal app.Portal, ids []string) ([]app.LineItem, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var distinct []string
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if !isID(id) {
			return nil, app.Errorf(app.Invalid, "%q is not a HubSpot record id.", id)
		}
		if !seen[id] {
			seen[id] = true
			distinct = append(distinct, id)
		}
	}
	cl, err := c.newCall(ctx, portal, "line item", "POST /crm/v3/objects/line_items/batch/read")
	if err != nil {
		return nil, err
	}
	ctx = authorized(ctx, cl.token)
	byID := make(map[string]app.LineItem, len(distinct))
	for chunk := range slices.Chunk(distinct, maxBatch) {
		inputs := make([]objects.SimplePublicObjectId, len(chunk))
		for i, id := range chunk {
			inputs[i] = objects.SimplePublicObjectId{Id: id}
		}
		// propertiesWithHistory has no omitempty in go-hubspot: send [],
		// not null.
		body := objects.BatchReadInputSimplePublicObjectId{Inputs: inputs, Properties: lineItemProperties, PropertiesWithHistory: []string{}}
		var results []objects.SimplePublicObject
		err := c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
			results = nil
			out, resp, err := c.api.BatchApi.BatchRead(ctx, "line_items").BatchReadInputSimplePublicObjectId(body).Execute()
			if out != nil {
				results = out.Results
			}
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		for _, r := range results {
			li, err := toLineItem(r.Id, r.Properties)
			if err != nil {
				return nil, app.Wrapf(err, app.Internal, "HubSpot sent a line item we could not read.")
			}
			byID[li.ID] = li
		}
	}
	items := make([]app.LineItem, len(ids))
	var missing []string
	for i, id := range ids {
		li, ok := byID[id]
		if !ok {
			if !slices.Contains(missing, id) {
				missing = append(missing, id)
			}
			continue
		}
		items[i] = li
	}
	if len(missing) > 0 {
		return nil, lineItemsMissing(missing)
	}
	return items, nil
}

// lineItemsMissing is the NotFound error naming missing line items, the
// first five of them.
func lineItemsMissing(ids []string) error {
	if len(ids) == 1 {
		return app.Errorf(app.NotFound, "Line item %s no longer exists in HubSpot.", ids[0])
	}
	names := strings.Join(ids[:min(len(ids), 5)], ", ")
	if len(ids) > 5 {
		names += fmt.Sprintf(" and %d more", len(ids)-5)
	}
	return app.Errorf(app.NotFound, "Line items %s no longer exist in HubSpot.", names)
}

// toLineItem converts a line item's properties.
func toLineItem(id string, p map[string]string) (app.LineItem, error) {
	li := app.LineItem{
		ID:          id,
		Name:        p["name"],
		Description: p["description"],
		SKU:         p["hs_sku"],
		ProductID:   p["hs_product_id"],
	}
	var err error
	if li.Quantity, err = parseQuantity(p["quantity"]); err != nil {
		return app.LineItem{}, fmt.Errorf("line item %s: quantity: %w", id, err)
	}
	if li.UnitPrice, err = parseAmount(p["price"]); err != nil {
		return app.LineItem{}, fmt.Errorf("line item %s: price: %w", id, err)
	}
	if li.UnitDiscount, err = parseAmount(p["discount"]); err != nil {
		return app.LineItem{}, fmt.Errorf("line item %s: discount: %w", id, err)
	}
	if li.DiscountPercent, err = parsePercent(p["hs_discount_percentage"]); err != nil {
		return app.LineItem{}, fmt.Errorf("line item %s: hs_discount_percentage: %w", id, err)
	}
	return li, nil
}
