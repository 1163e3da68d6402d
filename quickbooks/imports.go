package quickbooks

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The historical import's reads (app.InvoicePager, app/import.go): a
// company's invoices oldest first by MetaData.CreateTime, which QuickBooks
// never changes, so a cursor on it survives updates, deletes and inserts
// made while the import runs (reference section 2; offset paging over a
// changing set can skip rows):
//
//	SELECT COUNT(*) FROM Invoice
//	SELECT * FROM Invoice WHERE MetaData.CreateTime >= '2026-03-10T09:30:00-07:00'
//	  ORDERBY MetaData.CreateTime STARTPOSITION 1 MAXRESULTS 1000

var _ app.InvoicePager = (*Client)(nil)

// createTimeLayout writes a QBO datetime as QBO writes MetaData times: to
// the second, with the offset in digits.
const createTimeLayout = "2006-01-02T15:04:05-07:00"

// CountInvoices counts the company's invoices (SELECT COUNT(*) FROM
// Invoice; QBO answers {"QueryResponse":{"totalCount":n}}). Errors:
// NotConnected, Unavailable, Internal.
func (c *Client) CountInvoices(ctx context.Context, conn app.Connection) (int, error) {
	var resp struct {
		QueryResponse struct {
			TotalCount *int `json:"totalCount"`
		}
	}
	if err := c.do(ctx, conn, http.MethodGet, "query", url.Values{"query": {"SELECT COUNT(*) FROM Invoice"}}, nil, &resp); err != nil {
		return 0, err
	}
	if resp.QueryResponse.TotalCount == nil {
		return 0, nil // {} : no invoices
	}
	return *resp.QueryResponse.TotalCount, nil
}

// createdInvoice is an invoice row with its CreateTime: the outer MetaData
// shadows invoice's for decoding, and is copied back.
type createdInvoice struct {
	invoice
	MetaData struct {
		CreateTime      string
		LastUpdatedTime string
	}
}

// InvoicesCreatedSince reads up to limit (1..1000) invoices created at or
// after since (every invoice when since is zero), oldest first by
// CreateTime, from position start (1-based) of that order. since is sent
// to the second, in the company's time zone, through QuoteLiteral. Rows
// map as Invoices maps them, plus CreatedAt; an invoice without a
// CreateTime, or one that does not read, fails the page (Internal): the
// import must not skip it silently. Errors: Invalid (bad page), NotConnected,
// Unavailable, Internal.
func (c *Client) InvoicesCreatedSince(ctx context.Context, conn app.Connection, since time.Time, start, limit int) ([]app.CreatedInvoice, error) {
	if start < 1 || start > maxOffset || limit < 1 || limit > maxResults {
		return nil, app.Errorf(app.Invalid, "An invoice page starts at position 1 or later and holds 1 to %d invoices.", maxResults)
	}
	q := selectFrom("Invoice")
	if !since.IsZero() {
		lit, err := QuoteLiteral(since.In(companyZone(conn)).Truncate(time.Second).Format(createTimeLayout))
		q.cond("MetaData.CreateTime", ">=", lit, err)
	}
	q.OrderBy("MetaData.CreateTime", false).Page(start, limit)
	rows, err := queryPage[createdInvoice](ctx, c, conn, q, "Invoice")
	if err != nil {
		return nil, err
	}
	out := make([]app.CreatedInvoice, 0, len(rows))
	for _, row := range rows {
		row.invoice.MetaData.LastUpdatedTime = row.MetaData.LastUpdatedTime
		inv, err := row.toApp()
		if err != nil {
			return nil, undecodable(queryOp(conn), err)
		}
		created, err := time.Parse(time.RFC3339, row.MetaData.CreateTime)
		if err != nil {
			return nil, undecodable(queryOp(conn), err)
		}
		out = append(out, app.CreatedInvoice{Invoice: inv, CreatedAt: created})
	}
	return out, nil
}

// companyZone is the company's time zone, UTC when unknown.
func companyZone(conn app.Connection) *time.Location {
	if loc, err := time.LoadLocation(conn.TimeZone); err == nil && conn.TimeZone != "" {
		return loc
	}
	return time.UTC
}
