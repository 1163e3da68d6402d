package quickbooks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	qb "github.com/rwestlund/quickbooks-go"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// invoice is the part of a QBO Invoice we read (reference 1.2). It is our
// own type, not qb.Invoice: that one decodes Qty as float32 and every date
// through a Date that fails on anything but QBO's two formats, so one odd
// field on one invoice would fail a whole page; and it lacks HomeTotalAmt,
// InvoiceLink and GlobalTaxCalculation, which later issues need. Amounts
// stay json.Number (never float) and dates strings until parsed here. The
// library's reference and e-mail types decode correctly and are used.
type invoice struct {
	ID          string `json:"Id"`
	SyncToken   string
	DocNumber   string
	TxnDate     string
	DueDate     string
	CustomerRef qb.ReferenceType
	BillEmail   qb.EmailAddress
	CurrencyRef qb.ReferenceType
	TotalAmt    json.Number
	Balance     json.Number
	EmailStatus string
	PrivateNote string
	Status      string `json:"status"` // "Deleted" in CDC answers
	MetaData    struct {
		LastUpdatedTime string
	}
}

// toApp converts one invoice; an unreadable amount or date is an error.
func (in invoice) toApp() (app.Invoice, error) {
	out := app.Invoice{
		ID:           in.ID,
		SyncToken:    in.SyncToken,
		DocNumber:    in.DocNumber,
		CustomerID:   in.CustomerRef.Value,
		CustomerName: in.CustomerRef.Name,
		BillEmail:    in.BillEmail.Address,
		Currency:     in.CurrencyRef.Value,
		EmailStatus:  in.EmailStatus,
		PrivateNote:  in.PrivateNote,
		Deleted:      in.Status == "Deleted",
	}
	var err error
	if out.TxnDate, err = optionalDate(in.TxnDate); err != nil {
		return app.Invoice{}, fmt.Errorf("invoice %s TxnDate: %w", in.ID, err)
	}
	if out.DueDate, err = optionalDate(in.DueDate); err != nil {
		return app.Invoice{}, fmt.Errorf("invoice %s DueDate: %w", in.ID, err)
	}
	if out.Total, err = optionalMoney(in.TotalAmt); err != nil {
		return app.Invoice{}, fmt.Errorf("invoice %s TotalAmt: %w", in.ID, err)
	}
	if out.Balance, err = optionalMoney(in.Balance); err != nil {
		return app.Invoice{}, fmt.Errorf("invoice %s Balance: %w", in.ID, err)
	}
	if s := in.MetaData.LastUpdatedTime; s != "" {
		if out.UpdatedAt, err = time.Parse(time.RFC3339, s); err != nil {
			return app.Invoice{}, fmt.Errorf("invoice %s LastUpdatedTime: %w", in.ID, err)
		}
	}
	return out, nil
}

func optionalDate(s string) (app.Date, error) {
	if s == "" {
		return app.Date{}, nil
	}
	return app.ParseDate(s)
}

func optionalMoney(n json.Number) (app.Money, error) {
	if n == "" {
		return 0, nil
	}
	return app.ParseMoney(n.String())
}

// Invoices reads the given invoices with one query per 1000 distinct ids
// (SELECT * FROM Invoice WHERE Id IN (…) MAXRESULTS 1000), in the order of
// ids; ids QuickBooks does not have are absent. Every id is checked to be
// digits before any call (Invalid); no ids make no call. Errors:
// Invalid, NotConnected, Unavailable, Internal.
func (c *Client) Invoices(ctx context.Context, conn app.Connection, ids []string) ([]app.Invoice, error) {
	var uniq []string
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if err := checkID("invoice", id); err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	if len(uniq) == 0 {
		return nil, nil
	}
	byID := make(map[string]app.Invoice, len(uniq))
	for chunk := range slices.Chunk(uniq, maxResults) {
		stmt, err := selectFrom("Invoice").IDIn("Id", "invoice", chunk).Page(0, maxResults).String()
		if err != nil {
			return nil, err
		}
		var resp struct {
			QueryResponse struct {
				Invoice []invoice
			}
		}
		if err := c.do(ctx, conn, http.MethodGet, "query", url.Values{"query": {stmt}}, nil, &resp); err != nil {
			return nil, err
		}
		for _, in := range resp.QueryResponse.Invoice {
			inv, err := in.toApp()
			if err != nil {
				return nil, undecodable("GET /v3/company/"+conn.RealmID+"/query", err)
			}
			byID[inv.ID] = inv
		}
	}
	out := make([]app.Invoice, 0, len(byID))
	for _, id := range uniq {
		if inv, ok := byID[id]; ok {
			out = append(out, inv)
		}
	}
	return out, nil
}
