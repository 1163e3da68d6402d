package quickbooks

import (
	"context"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The customer and item imports' reads (app.RecordPager; imports.go says
// how they page): every customer or item, inactive ones included, with
// what the single reads carry (customer.go).
//
//	SELECT COUNT(*) FROM Customer WHERE Active IN (true, false)
//	SELECT * FROM Customer WHERE Active IN (true, false) AND MetaData.CreateTime >= '…'
//	  ORDERBY MetaData.CreateTime STARTPOSITION 1 MAXRESULTS 1000

var _ app.RecordPager = (*Client)(nil)

// CountCustomers counts the company's customers, inactive ones included.
// Errors: NotConnected, Unavailable, Internal.
func (c *Client) CountCustomers(ctx context.Context, conn app.Connection) (int, error) {
	return c.count(ctx, conn, "SELECT COUNT(*) FROM Customer WHERE Active IN (true, false)")
}

// CustomersCreatedSince reads a page of customers as InvoicesCreatedSince
// reads invoices, inactive ones included.
func (c *Client) CustomersCreatedSince(ctx context.Context, conn app.Connection, since time.Time, start, limit int) ([]app.Created[app.Customer], error) {
	return createdSince(ctx, c, conn, "Customer", true, since, start, limit,
		func(r customer) (app.Customer, error) { return r.full(conn) })
}

// CountItems counts the company's items, inactive ones included. Errors
// as CountCustomers.
func (c *Client) CountItems(ctx context.Context, conn app.Connection) (int, error) {
	return c.count(ctx, conn, "SELECT COUNT(*) FROM Item WHERE Active IN (true, false)")
}

// ItemsCreatedSince reads a page of items as InvoicesCreatedSince reads
// invoices, inactive ones, Category and Group items included (product sync
// copies every item).
func (c *Client) ItemsCreatedSince(ctx context.Context, conn app.Connection, since time.Time, start, limit int) ([]app.Created[app.Item], error) {
	return createdSince(ctx, c, conn, "Item", true, since, start, limit, item.full)
}
