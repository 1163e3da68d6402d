package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// cardInvoiceStatus reads the card of a record through the API and returns
// the status it shows for an invoice.
func cardInvoiceStatus(tb testing.TB, ts *testServer, portal int64, record, invoiceID string) string {
	resp, err := card(portal).Do(context.Background(), "GET", ts.url+"/api/v1/records/"+record+"/invoices", nil)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var got cardAnswer
	if err := json.Unmarshal(raw, &got); err != nil {
		tb.Fatalf("card: %d %s", resp.StatusCode, raw)
	}
	for _, g := range got.Groups {
		for _, inv := range g.Invoices {
			if inv.InvoiceID == invoiceID {
				return inv.Status
			}
		}
	}
	return ""
}

// linkInvoice adds an existing QBO invoice to a record through the card
// API (which stores its snapshot and writes the deal's properties).
func linkInvoice(tb testing.TB, ts *testServer, portal int64, record, connID, invoiceID string) {
	resp, err := card(portal).Do(context.Background(), "POST", ts.url+"/api/v1/records/"+record+"/invoice-links",
		map[string]any{"connectionId": connID, "invoiceIds": []string{invoiceID}})
	if err != nil {
		tb.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		tb.Fatalf("link %s: %d %s", invoiceID, resp.StatusCode, raw)
	}
}

func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// BenchmarkWebhookToCard is the freshness a rep sees: a customer pays in
// QuickBooks, QuickBooks' webhook reaches the service, the queue (River on
// the embedded store, polling every second as in production) applies it,
// and the card API answers "paid". Each iteration pays one more invoice on
// the deal, whose card was viewed first (so only the webhook can refresh
// it). Run with -benchtime=30x; it reports p50 and p95.
func BenchmarkWebhookToCard(b *testing.B) {
	ts := newTestServer(b, withSync(syncSetup{webhooks: true, pollInterval: time.Second}))
	conn := ts.conns[usRealm].ID
	var took []time.Duration
	for b.Loop() {
		b.StopTimer()
		id := ts.createInvoice(b, usRealm, "1", "1", "NON", app.DateOf(time.Now().AddDate(0, 0, 30)))
		linkInvoice(b, ts, portal1, "deals/1029", conn, id)
		if s := cardInvoiceStatus(b, ts, portal1, "deals/1029", id); s != "awaiting_send" {
			b.Fatalf("card before paying: %q", s)
		}
		b.StartTimer()
		start := time.Now()
		ts.payInFull(b, usRealm, id)
		for cardInvoiceStatus(b, ts, portal1, "deals/1029", id) != "paid" {
			if time.Since(start) > 30*time.Second {
				b.Fatal("the payment did not reach the card within 30 s")
			}
			time.Sleep(25 * time.Millisecond)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(percentile(took, 0.50).Milliseconds()), "p50-ms")
	b.ReportMetric(float64(percentile(took, 0.95).Milliseconds()), "p95-ms")
}

// BenchmarkReconcileCatchUp is one reconcile after webhooks were lost:
// 100 linked invoices of four deals were paid in QuickBooks while nothing
// was delivered; one reconcile reads CDC, stores the 100 snapshots and
// writes each deal once. The fakes' rate limits are on. It reports, per
// reconcile, the calls each fake answered (asserted: one CDC call, no
// invoice read again, each of the three USD deals written once per chunk).
func BenchmarkReconcileCatchUp(b *testing.B) {
	const n = 100
	ts := newTestServer(b, withSync(syncSetup{}))
	conn := ts.conns[usRealm]
	deals := []string{"1011", "1029", "1033", "1031"}
	ctx := context.Background()
	if err := ts.svc.Reconcile(ctx, conn.ID); err != nil { // sets the cursor
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		ids := make([]string, n)
		for i := range ids {
			ids[i] = ts.createInvoice(b, usRealm, "1", "1", "NON", app.DateOf(time.Now().AddDate(0, 0, 30)))
			_, _, err := ts.store.AddLink(ctx, app.InvoiceLink{PortalID: portal1, ConnectionID: conn.ID, InvoiceID: ids[i],
				Object: app.ObjectRef{Type: app.Deals, ID: deals[i%len(deals)]}, Origin: app.OriginAdded})
			if err != nil {
				b.Fatal(err)
			}
		}
		for _, id := range ids {
			ts.payInFull(b, usRealm, id)
		}
		qbo, hs := ts.fakes.QBO.Counters(), ts.fakes.HubSpot.Counters()
		cdc0, query0, qbo0 := qbo.Count(qbofake.RouteCDC, usRealm), qbo.Count(qbofake.RouteQuery, usRealm), qbo.Count("", usRealm)
		writes0, hs0 := hs.Count(hubspotfake.RouteObjectsUpdate, "20000001"), hs.Count("", "20000001")
		b.StartTimer()
		if err := ts.svc.Reconcile(ctx, conn.ID); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cdc, queries, qboCalls := qbo.Count(qbofake.RouteCDC, usRealm)-cdc0, qbo.Count(qbofake.RouteQuery, usRealm)-query0, qbo.Count("", usRealm)-qbo0
		writes, hsCalls := hs.Count(hubspotfake.RouteObjectsUpdate, "20000001")-writes0, hs.Count("", "20000001")-hs0
		// CDC carries the invoices whole: no invoice is read again. (The
		// company's preferences, seeded within CDC's overlap, are read
		// again too.) Each chunk of at most 200 changes writes its deals
		// once: here two chunks (the 200 changes and the seed's terms and
		// preferences in the overlap), the three USD deals each (deal 1031
		// is in CAD: US invoices leave it alone).
		if cdc != 1 || queries != 0 || writes < len(deals)-1 || writes > 2*(len(deals)-1) {
			b.Fatalf("one reconcile made %d CDC calls, %d queries (%d QuickBooks calls in all) and %d deal writes; want 1, 0 and 3 to 6",
				cdc, queries, qboCalls, writes)
		}
		b.ReportMetric(float64(qboCalls), "qbo_calls/op")
		b.ReportMetric(float64(hsCalls), "hubspot_calls/op")
		b.ReportMetric(float64(writes), "deal_writes/op")
		snaps, err := ts.store.Snapshots(ctx, conn.ID, ids)
		if err != nil {
			b.Fatal(err)
		}
		for _, id := range ids {
			if sn, ok := snaps[id]; !ok || sn.Invoice.Balance != 0 {
				b.Fatalf("invoice %s not paid after the reconcile", id)
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n), "changes/op")
}
