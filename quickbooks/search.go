package quickbooks

import (
	"context"
	"math"
	"strings"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// maxOffset bounds QueryInvoices' offset: STARTPOSITION is offset+1 and
// must stay a sane 32-bit number.
const maxOffset = math.MaxInt32 - 1

// QueryInvoices finds the invoices matching every criterion set in f,
// newest first by creation, in one query (reference section 2):
//
//	SELECT * FROM Invoice [WHERE DocNumber = '…' AND TotalAmt = '300.00'
//	AND CustomerRef IN ('1','2')] ORDERBY MetaData.CreateTime DESC
//	STARTPOSITION offset+1 MAXRESULTS limit
//
// Only the criteria set are sent: f.DocNumber trimmed and non-empty (via
// QuoteLiteral; at most 21 characters, QBO's limit), f.Amount non-nil,
// f.CustomerIDs non-empty (digits, at most 1000 distinct ids; repeats are
// sent once). limit is 1..1000 and offset at least 0. Bad input is Invalid
// before any call. Rows map as Invoices maps them; no match is an empty
// slice, never an error. Offset paging over invoices created meanwhile can
// repeat or skip a row (reference section 2 "ORDERBY"). Errors: Invalid,
// NotConnected, Unavailable, Internal.
func (c *Client) QueryInvoices(ctx context.Context, conn app.Connection, f app.InvoiceFilter, offset, limit int) ([]app.Invoice, error) {
	q, err := invoiceSearch(f, offset, limit)
	if err != nil {
		return nil, err
	}
	rows, err := queryPage[invoice](ctx, c, conn, q, "Invoice")
	if err != nil {
		return nil, err
	}
	out := make([]app.Invoice, 0, len(rows))
	for _, in := range rows {
		inv, err := in.toApp()
		if err != nil {
			return nil, undecodable(queryOp(conn), err)
		}
		out = append(out, inv)
	}
	return out, nil
}

// invoiceSearch checks QueryInvoices' input and builds its statement.
func invoiceSearch(f app.InvoiceFilter, offset, limit int) (*statement, error) {
	switch {
	case limit < 1 || limit > maxResults:
		return nil, app.Errorf(app.Invalid, "An invoice search returns 1 to %d invoices at a time, not %d.", maxResults, limit)
	case offset < 0 || offset > maxOffset:
		return nil, app.Errorf(app.Invalid, "An invoice search cannot start at position %d.", offset)
	case len(f.CustomerIDs) > maxResults:
		return nil, app.Errorf(app.Invalid, "An invoice search takes at most %d customers, not %d.", maxResults, len(f.CustomerIDs))
	}
	q := selectFrom("Invoice")
	if doc := strings.TrimSpace(f.DocNumber); doc != "" {
		switch n := len([]rune(doc)); {
		case strings.ContainsRune(doc, '\\'):
			return nil, app.Errorf(app.Invalid, "An invoice number to search for cannot contain a backslash.")
		case n > maxDocNumber:
			return nil, app.Errorf(app.Invalid, "An invoice number has at most %d characters; %q has %d.", maxDocNumber, clip(doc, 40), n)
		}
		q.Eq("DocNumber", doc)
	}
	if f.Amount != nil {
		q.Eq("TotalAmt", f.Amount.String())
	}
	if len(f.CustomerIDs) > 0 {
		ids := make([]string, 0, len(f.CustomerIDs))
		seen := make(map[string]bool, len(f.CustomerIDs))
		for _, id := range f.CustomerIDs {
			if err := checkID("customer", id); err != nil {
				return nil, err
			}
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		q.IDIn("CustomerRef", "customer", ids)
	}
	q.OrderBy("MetaData.CreateTime", true).Page(offset+1, limit)
	if _, err := q.String(); err != nil {
		return nil, err
	}
	return q, nil
}
