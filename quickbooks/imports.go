package quickbooks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The historical import's reads (app.InvoicePager and app.RecordPager,
// app/import.go): a company's invoices, customers or items oldest first by
// MetaData.CreateTime, which QuickBooks never changes, so a cursor on it
// survives updates, deletes and inserts made while the import runs
// (reference section 2; offset paging over a changing set can skip rows):
//
//	SELECT COUNT(*) FROM Invoice
//	SELECT * FROM Invoice WHERE MetaData.CreateTime >= '2026-03-10T09:30:00-07:00'
//	  ORDERBY MetaData.CreateTime STARTPOSITION 1 MAXRESULTS 1000
//
// Customers and items (recordimports.go) add Active IN (true, false) to
// both, since a list query otherwise leaves inactive rows out (reference
// section 2 "Inactive rows") and an import treats them as the sync treats
// a record made inactive.

var _ app.InvoicePager = (*Client)(nil)

// createTimeLayout writes a QBO datetime as QBO writes MetaData times: to
// the second, with the offset in digits.
const createTimeLayout = "2006-01-02T15:04:05-07:00"

// CountInvoices counts the company's invoices (SELECT COUNT(*) FROM
// Invoice). Errors: NotConnected, Unavailable, Internal.
func (c *Client) CountInvoices(ctx context.Context, conn app.Connection) (int, error) {
	return c.count(ctx, conn, "SELECT COUNT(*) FROM Invoice")
}

// count runs a SELECT COUNT(*) statement; QBO answers
// {"QueryResponse":{"totalCount":n}}, and {} for no rows.
func (c *Client) count(ctx context.Context, conn app.Connection, stmt string) (int, error) {
	var resp struct {
		QueryResponse struct {
			TotalCount *int `json:"totalCount"`
		}
	}
	if err := c.do(ctx, conn, http.MethodGet, "query", url.Values{"query": {stmt}}, nil, &resp); err != nil {
		return 0, err
	}
	if resp.QueryResponse.TotalCount == nil {
		return 0, nil
	}
	return *resp.QueryResponse.TotalCount, nil
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
	return createdSince(ctx, c, conn, "Invoice", false, since, start, limit, invoice.toApp)
}

// createdRow is a row of R with its MetaData.CreateTime.
type createdRow[R any] struct {
	row        R
	createTime string
}

func (r *createdRow[R]) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &r.row); err != nil {
		return err
	}
	var meta struct{ MetaData struct{ CreateTime string } }
	if err := json.Unmarshal(b, &meta); err != nil {
		return err
	}
	r.createTime = meta.MetaData.CreateTime
	return nil
}

// createdSince reads a page of entity's rows (inactive ones too when
// inactiveToo) created at or after since, oldest first by CreateTime, and
// converts each with conv; a row conv refuses or without a CreateTime fails
// the page (Internal).
func createdSince[R, A any](ctx context.Context, c *Client, conn app.Connection, entity string, inactiveToo bool,
	since time.Time, start, limit int, conv func(R) (A, error)) ([]app.Created[A], error) {
	if start < 1 || start > maxOffset || limit < 1 || limit > maxResults {
		return nil, app.Errorf(app.Invalid, "A page of QuickBooks records starts at position 1 or later and holds 1 to %d of them.", maxResults)
	}
	q := selectFrom(entity)
	if inactiveToo {
		q.BoolIn("Active", true, false)
	}
	if !since.IsZero() {
		lit, err := QuoteLiteral(since.In(companyZone(conn)).Truncate(time.Second).Format(createTimeLayout))
		q.cond("MetaData.CreateTime", ">=", lit, err)
	}
	q.OrderBy("MetaData.CreateTime", false).Page(start, limit)
	rows, err := queryPage[createdRow[R]](ctx, c, conn, q, entity)
	if err != nil {
		return nil, err
	}
	out := make([]app.Created[A], 0, len(rows))
	for _, row := range rows {
		rec, err := conv(row.row)
		if err != nil {
			return nil, undecodable(queryOp(conn), err)
		}
		created, err := time.Parse(time.RFC3339, row.createTime)
		if err != nil {
			return nil, undecodable(queryOp(conn), err)
		}
		out = append(out, app.Created[A]{Record: rec, CreatedAt: created})
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
