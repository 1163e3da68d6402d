package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// TestCreateAbandonedByTheRepFinishesOnRetry: a rep who closes the card
// while QuickBooks is slow (the request is cancelled mid-create) can send
// the same create again and gets the one invoice, not a conflict.
func TestCreateAbandonedByTheRepFinishesOnRetry(t *testing.T) {
	ts := newTestServer(t)
	d, _ := ts.draft(t, "deals/1011", usRealm, "")
	before := ts.qboCount(t, usRealm, "Invoice")
	ts.fakes.QBO.Faults().Inject(qbofake.RouteInvoiceCreate, qbofake.Fault{Latency: time.Second, Times: 1})
	body := map[string]any{"idempotencyKey": "abandoned-0001"}
	for k, v := range d.Invoice {
		body[k] = v
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if resp, err := card(portal1).Do(ctx, "POST", ts.url+"/api/v1/records/deals/1011/invoices", body); err == nil {
		resp.Body.Close()
		t.Fatalf("the abandoned request was answered %d", resp.StatusCode)
	}
	time.Sleep(1500 * time.Millisecond)
	c, a := ts.create(t, "deals/1011", "abandoned-0001", d.Invoice)
	if a.status != 200 && a.status != 201 {
		t.Fatalf("the retry: %d %s", a.status, a.body)
	}
	if n := ts.qboCount(t, usRealm, "Invoice"); n != before+1 || c.Invoice.InvoiceID == "" {
		t.Errorf("QuickBooks has %d new invoices, want 1", n-before)
	}
}
