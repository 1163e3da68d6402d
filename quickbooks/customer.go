package quickbooks

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Single reads of a customer and an item (GET customer/{id}, item/{id};
// reference 1.3, 1.4) for contact and product sync (app.RecordReader):
// inactive ones included, with Inactive and UpdatedAt set; a customer's
// phone and billing address too (the lists leave them out).

var _ app.RecordReader = (*Client)(nil)

// Customer reads one customer. NotFound when QuickBooks answers 610 (it
// never existed); Invalid for an id not digits, before any call.
func (c *Client) Customer(ctx context.Context, conn app.Connection, id string) (app.Customer, error) {
	if err := checkID("customer", id); err != nil {
		return app.Customer{}, err
	}
	var resp struct{ Customer *customer }
	if err := c.do(ctx, conn, http.MethodGet, "customer/"+id, nil, nil, &resp); err != nil {
		return app.Customer{}, reword(err, gone("Customer", id))
	}
	op := "GET /v3/company/" + conn.RealmID + "/customer/{id}"
	if resp.Customer == nil {
		return app.Customer{}, undecodable(op, fmt.Errorf("no Customer in the answer"))
	}
	out, err := resp.Customer.full(conn)
	if err != nil {
		return app.Customer{}, undecodable(op, err)
	}
	return out, nil
}

// full converts a customer with what only single reads and imports carry:
// Inactive, UpdatedAt, the phone and the billing address.
func (c customer) full(conn app.Connection) (app.Customer, error) {
	out := c.toApp(conn)
	out.Inactive = !active(c.Active)
	out.Phone = c.PrimaryPhone.FreeFormNumber
	out.BillAddr = app.Address{Line1: c.BillAddr.Line1, City: c.BillAddr.City, Region: c.BillAddr.CountrySubDivisionCode,
		PostalCode: c.BillAddr.PostalCode, Country: c.BillAddr.Country}
	var err error
	if out.UpdatedAt, err = updatedTime(c.MetaData.LastUpdatedTime); err != nil {
		return app.Customer{}, fmt.Errorf("customer %s LastUpdatedTime: %w", c.ID, err)
	}
	return out, nil
}

// Item reads one item, Category and Group items included. A unit price
// past the cent is rounded as Items does. Errors as Customer.
func (c *Client) Item(ctx context.Context, conn app.Connection, id string) (app.Item, error) {
	if err := checkID("item", id); err != nil {
		return app.Item{}, err
	}
	var resp struct{ Item *item }
	op := "GET /v3/company/" + conn.RealmID + "/item/{id}"
	if err := c.do(ctx, conn, http.MethodGet, "item/"+id, nil, nil, &resp); err != nil {
		return app.Item{}, reword(err, gone("Item", id))
	}
	if resp.Item == nil {
		return app.Item{}, undecodable(op, fmt.Errorf("no Item in the answer"))
	}
	out, err := resp.Item.full()
	if err != nil {
		return app.Item{}, undecodable(op, err)
	}
	return out, nil
}

// full converts an item with Inactive and UpdatedAt, Category and Group
// items included.
func (r item) full() (app.Item, error) {
	price, err := roundedMoney(r.UnitPrice)
	if err != nil {
		return app.Item{}, fmt.Errorf("item %s UnitPrice: %w", r.ID, err)
	}
	out := app.Item{ID: r.ID, Name: r.Name, SKU: r.Sku, Description: r.Description, Type: r.Type, UnitPrice: price,
		Taxable: r.Taxable, TaxCodeID: r.SalesTaxCodeRef.Value, Inactive: !active(r.Active)}
	if out.UpdatedAt, err = updatedTime(r.MetaData.LastUpdatedTime); err != nil {
		return app.Item{}, fmt.Errorf("item %s LastUpdatedTime: %w", r.ID, err)
	}
	return out, nil
}

// gone rewords QuickBooks' 610 (object not found) for a person.
func gone(kind, id string) func(*UpstreamError) string {
	return func(ue *UpstreamError) string {
		if ue.Code == "610" {
			return fmt.Sprintf("%s %s no longer exists in QuickBooks.", kind, id)
		}
		return ""
	}
}

func updatedTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, s)
}
