package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/clarkmcc/go-hubspot/generated/v3/objects"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// quoteProperties are the quote properties app.Quote carries.
var quoteProperties = []string{"hs_quote_number", "hs_title", "hs_status", "hs_currency", "hs_quote_amount", "hs_expiration_date"}

// maxBatch is HubSpot's batch size limit (reference/hubspot.md 4.5).
const maxBatch = 100

// DealQuotes lists a deal's quotes: the quote ids from
// GET /crm/v4/objects/deals/{id}/associations/quotes (associations.go),
// then one POST /crm/v3/objects/quotes/batch/read (go-hubspot's
// BatchApi.BatchRead) per 100 quotes, in association order. A deal without
// quotes costs no batch read and gives nil. A quote deleted between the two
// calls is left out (HubSpot answers 207 for it).
//
// Errors: Invalid for a malformed id; NotFound when the portal has no such
// deal; Internal when a quote's amount or expiry date cannot be read;
// NotConnected, Forbidden, Unavailable as classified in errors.go.
func (c *Client) DealQuotes(ctx context.Context, portal app.Portal, dealID string) ([]app.Quote, error) {
	if err := checkRef(app.Deals, dealID); err != nil {
		return nil, err
	}
	ids, err := c.associatedIDs(ctx, portal, app.Deals, dealID, "quotes")
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	return c.Quotes(ctx, portal, ids)
}

// Quotes reads quotes by id (a deal's, from RecordWith), in the order of
// ids; an id HubSpot does not have is left out.
func (c *Client) Quotes(ctx context.Context, portal app.Portal, ids []string) ([]app.Quote, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	for _, id := range ids {
		if err := checkRef("quotes", id); err != nil {
			return nil, err
		}
	}
	cl, err := c.newCall(ctx, portal, "quote", "POST /crm/v3/objects/quotes/batch/read")
	if err != nil {
		return nil, err
	}
	ctx = authorized(ctx, cl.token)
	loc := location(portal.TimeZone)
	byID := make(map[string]app.Quote, len(ids))
	for chunk := range slices.Chunk(ids, maxBatch) {
		inputs := make([]objects.SimplePublicObjectId, len(chunk))
		for i, id := range chunk {
			inputs[i] = objects.SimplePublicObjectId{Id: id}
		}
		// propertiesWithHistory has no omitempty in go-hubspot: send [],
		// not null.
		body := objects.BatchReadInputSimplePublicObjectId{Inputs: inputs, Properties: quoteProperties, PropertiesWithHistory: []string{}}
		var results []objects.SimplePublicObject
		err := c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
			out, resp, err := c.api.BatchApi.BatchRead(ctx, "quotes").BatchReadInputSimplePublicObjectId(body).Execute()
			if out != nil {
				results = out.Results
			}
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		for _, r := range results {
			q, err := toQuote(r.Id, r.Properties, loc)
			if err != nil {
				return nil, app.Wrapf(err, app.Internal, "HubSpot sent a quote we could not read.")
			}
			byID[q.ID] = q
		}
	}
	quotes := make([]app.Quote, 0, len(byID))
	for _, id := range ids {
		if q, ok := byID[id]; ok {
			quotes = append(quotes, q)
		}
	}
	return quotes, nil
}

// toQuote converts a quote's properties. Amounts with more than two
// decimals are rounded half away from zero to cents; see parseAmount.
func toQuote(id string, p map[string]string, loc *time.Location) (app.Quote, error) {
	amount, err := parseAmount(p["hs_quote_amount"])
	if err != nil {
		return app.Quote{}, fmt.Errorf("quote %s: hs_quote_amount: %w", id, err)
	}
	expires, err := parseInstant(p["hs_expiration_date"], loc)
	if err != nil {
		return app.Quote{}, fmt.Errorf("quote %s: hs_expiration_date: %w", id, err)
	}
	return app.Quote{
		ID:        id,
		Number:    p["hs_quote_number"],
		Title:     p["hs_title"],
		Status:    p["hs_status"],
		Currency:  p["hs_currency"],
		Amount:    amount,
		ExpiresAt: expires,
	}, nil
}

// location is the portal's time zone, UTC when unknown or empty.
func location(zone string) *time.Location {
	if zone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.UTC
	}
	return loc
}
