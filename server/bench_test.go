package server_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// BenchmarkCardWarm is a rep reopening a record: everything the card needs
// is in the store (and this process's card cache), so no upstream call.
func BenchmarkCardWarm(b *testing.B) {
	ts := newTestServer(b)
	client := card(portal1)
	get := func() {
		resp, err := client.Do(context.Background(), "GET", ts.url+"/api/v1/records/deals/1011/invoices", nil)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	get()
	get()
	before := ts.fakes.QBO.Counters().Count("", usRealm)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			get()
		}
	})
	b.StopTimer()
	if n := ts.fakes.QBO.Counters().Count("", usRealm) - before; n != 0 {
		b.Fatalf("warm card made %d QuickBooks calls", n)
	}
}

// BenchmarkCardCold is the first view of a record whose snapshots expired:
// one QBO query per company, with the fake answering after 100 ms.
func BenchmarkCardCold(b *testing.B) {
	ts := newTestServer(b, coldCards())
	ts.fakes.QBO.Faults().Inject(qbofake.RouteQuery, qbofake.Fault{Latency: 100 * time.Millisecond})
	client := card(portal1)
	b.ResetTimer()
	for b.Loop() {
		// Company 1001 has invoices in two QuickBooks companies: both are
		// asked at once, so the chain is one 100 ms call.
		resp, err := client.Do(context.Background(), "GET", ts.url+"/api/v1/records/companies/1001/invoices", nil)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
