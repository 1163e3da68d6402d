package server_test

import (
	"context"
	"flag"
	"math"
	"net/http"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// importBenchInvoices is the size of BenchmarkHistoricalImport's company.
var importBenchInvoices = flag.Int("import-invoices", 10_000, "invoices in BenchmarkHistoricalImport's QuickBooks company")

// BenchmarkHistoricalImport imports a company of -import-invoices invoices
// (default 10,000) into HubSpot through the settings action, the whole
// service with the real queue on SQLite (jobs of a minute, as in
// production), both fakes with their real limits on (QuickBooks 500 a
// minute and 10 at once per company, HubSpot 110 per 10 s per portal). The
// invoices are seeded through the QuickBooks fake's Go API, which counts
// and limits nothing. It reports the calls each API answered during the
// import, the limit-bound best time and the fraction best/actual, and the
// 429s the fakes answered. The best time is the rolling windows' (the n-th
// call of an API whose window allows l per w can go no sooner than
// floor((n-1)/l) windows after the first); the sustained rate's (the calls
// divided by HubSpot's 11 a second) is reported beside it, and is not a
// bound: a window's first burst beats it.
//
//	go test -run '^$' -bench HistoricalImport -benchtime 1x -timeout 30m ./server/
func BenchmarkHistoricalImport(b *testing.B) {
	n := *importBenchInvoices
	for range b.N {
		b.StopTimer()
		ts := newTestServer(b, withSync(syncSetup{jobTimeout: time.Minute}))
		conn := ts.conns[usRealm].ID
		seeded := time.Now()
		ts.seedInvoices(b, n-6, 5) // the demo company has 6
		b.Logf("seeded %d invoices in %s", n-6, time.Since(seeded).Round(time.Millisecond))
		resp, err := card(portal1).Do(context.Background(), "PUT", ts.url+"/api/v1/settings/sync/invoices",
			map[string]any{"enabled": true, "onCreateOrUpdate": "create_or_update", "onDelete": "keep"})
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("invoice sync on: %v %v", err, resp)
		}
		resp.Body.Close()
		ts.fakes.HubSpot.Counters().Reset()
		ts.fakes.QBO.Counters().Reset()

		b.StartTimer()
		start := time.Now()
		if _, a := ts.startImport(b, conn); a.status != http.StatusAccepted {
			b.Fatalf("start: %d %s", a.status, a.body)
		}
		var p app.ImportProgress
		for p.State != app.ImportDone && p.State != app.ImportFailed {
			time.Sleep(250 * time.Millisecond)
			if p, err = ts.svc.ImportStatus(context.Background(), portal1, app.SyncInvoices, conn); err != nil {
				b.Fatal(err)
			}
			if time.Since(start) > 20*time.Minute {
				b.Fatalf("import not done after 20 minutes: %+v", p)
			}
		}
		took := time.Since(start)
		if p.State != app.ImportDone || p.Done != n {
			b.Fatalf("import = %+v, want %d done", p, n)
		}

		hs := ts.fakes.HubSpot.Counters().Count("", "20000001")
		qbo := ts.fakes.QBO.Counters().Count("", usRealm)
		throttled := ts.fakes.HubSpot.Throttled().Count("", "") + ts.fakes.QBO.Throttled().Count("", "")
		// The limit-bound best time: under a rolling window the n-th call
		// can go no sooner than floor((n-1)/limit) windows after the first.
		// Beside it, the calls divided by the binding API's sustained rate
		// (HubSpot's 11 a second, QuickBooks' 8.3): sustained_best_s.
		best := math.Max(float64(hs)/(110.0/10), float64(qbo)/(500.0/60))
		windowBest := math.Max(math.Floor(float64(hs-1)/110)*10, math.Floor(float64(qbo-1)/500)*60)
		b.ReportMetric(float64(n)/took.Seconds(), "invoices/s")
		b.ReportMetric(took.Seconds(), "s")
		b.ReportMetric(float64(hs), "hubspot_calls")
		b.ReportMetric(float64(qbo), "qbo_calls")
		b.ReportMetric(windowBest, "best_s")
		b.ReportMetric(windowBest/took.Seconds(), "best/actual")
		b.ReportMetric(best, "sustained_best_s")
		b.ReportMetric(float64(throttled), "429s")
		b.Logf("%d invoices in %s (%.1f/s): %d HubSpot calls (%d batch creates, %d batch reads, %d association batches), %d QuickBooks calls; "+
			"limit-bound best %.0f s (%.2f of it; at the sustained rate %.1f s); %d 429s",
			n, took.Round(time.Millisecond), float64(n)/took.Seconds(), hs,
			ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsBatchCreate, "20000001"),
			ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsBatchRead, "20000001"),
			ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteAssociationsCreate, "20000001"),
			qbo, windowBest, windowBest/took.Seconds(), best, throttled)
		b.StartTimer()
	}
}
