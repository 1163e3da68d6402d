package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// TestRetryLinksTheInvoiceQuickBooksMadeWhateverChanged: a create from a
// quote whose invoice QuickBooks made but whose answer never came back is
// retried after the quote expired. The retry sends the invoice of the first
// try again, unchecked, under the same requestid, so QuickBooks answers
// with the invoice it made and the retry links it; a check of the request
// anew would refuse the expired quote and leave the invoice in QuickBooks
// unlinked.
func TestRetryLinksTheInvoiceQuickBooksMadeWhateverChanged(t *testing.T) {
	ts := newTestServer(t)
	d, _ := ts.draft(t, "deals/1011", usRealm, "1014")
	if d.Invoice["quoteId"] != "1014" {
		t.Fatalf("draft of deal 1011 from quote 1014: %v", d.Invoice)
	}
	for _, l := range d.Invoice["lines"].([]any) { // the rep picks an item for the unmatched line
		if l := l.(map[string]any); l["itemId"] == "" {
			l["itemId"] = "1"
		}
	}
	key := "resend-after-change-1"
	before := ts.qboCount(t, usRealm, "Invoice")

	// The first try reaches QuickBooks, whose answers are all lost.
	ts.fakes.QBO.Faults().Inject(qbofake.RouteInvoiceCreate, qbofake.Fault{Drop: true})
	if _, a := ts.create(t, "deals/1011", key, d.Invoice); a.status < 500 {
		t.Fatalf("first try with QuickBooks' answers lost: %d %s", a.status, a.body)
	}
	ts.fakes.QBO.Faults().Clear(qbofake.RouteInvoiceCreate)

	// QuickBooks did make it (the answer was lost on the way back): made
	// here under the attempt's requestid, as QuickBooks would have.
	lines := d.Invoice["lines"].([]any)
	item := lines[0].(map[string]any)["itemId"].(string)
	made := ts.qboPost(t, usRealm, "invoice?requestid="+app.RequestID(portal1, key, "invoice"),
		`{"CustomerRef":{"value":"1"},"Line":[{"DetailType":"SalesItemLineDetail","Amount":10,`+
			`"SalesItemLineDetail":{"ItemRef":{"value":"`+item+`"},"Qty":1,"UnitPrice":10,"TaxCodeRef":{"value":"NON"}}}]}`)
	madeID := made["Invoice"].(map[string]any)["Id"].(string)

	// Meanwhile the quote expires.
	ts.hubspotAPI(t, "PATCH", "/crm/v3/objects/quotes/1014", map[string]any{"properties": map[string]any{"hs_expiration_date": "2020-01-01"}})

	c, a := ts.create(t, "deals/1011", key, d.Invoice)
	if a.status != http.StatusCreated {
		t.Fatalf("retry after the quote expired: %d %s", a.status, a.body)
	}
	if c.Invoice.InvoiceID != madeID {
		t.Errorf("the retry linked invoice %s, want the one QuickBooks made (%s)", c.Invoice.InvoiceID, madeID)
	}
	if n := ts.qboCount(t, usRealm, "Invoice"); n != before+1 {
		t.Errorf("%d invoices made, want 1", n-before)
	}

	// A new create (another key) is checked as things are now.
	_, a = ts.create(t, "deals/1011", "resend-after-change-2", d.Invoice)
	if a.status != http.StatusBadRequest || !strings.Contains(string(a.body), "expired") {
		t.Errorf("a new create from the expired quote: %d %s, want it refused", a.status, a.body)
	}
}
