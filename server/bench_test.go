package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// BenchmarkCardWarm is a rep reopening a record: everything the card needs
// is in the store (and this process's card cache), so no upstream call.
func BenchmarkCardWarm(b *testing.B) {
	ts := newTestServer(b)
	client := card(portal1)
	get := func() { benchGet(b, client, ts.url+"/api/v1/records/deals/1011/invoices") }
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
		benchGet(b, client, ts.url+"/api/v1/records/companies/1001/invoices")
	}
}

// upstreamLatency makes every call to both fakes take d.
func (ts *testServer) upstreamLatency(d time.Duration) {
	ts.fakes.QBO.Faults().Inject(qbofake.AnyRoute, qbofake.Fault{Latency: d})
	ts.fakes.HubSpot.Faults().Inject(hubspotfake.AnyRoute, hubspotfake.Fault{Latency: d})
}

func (ts *testServer) calls() (qbo, hs int) {
	return ts.fakes.QBO.Counters().Count("", ""), ts.fakes.HubSpot.Counters().Count("", "")
}

func benchGet(b *testing.B, c *hubspotfake.CardClient, url string) {
	resp, err := c.Do(context.Background(), "GET", url, nil)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("status %d", resp.StatusCode)
	}
}

// BenchmarkDraft is the draft from a published quote with every upstream
// call taking 100 ms. Cold, each iteration starts with empty QBO lookups;
// warm, they are cached and only HubSpot is read. The longest necessary
// chain is two calls (an association, then the records it names).
func BenchmarkDraft(b *testing.B) {
	for _, warm := range []bool{false, true} {
		name := map[bool]string{false: "cold", true: "warm"}[warm]
		b.Run(name, func(b *testing.B) {
			ts := newTestServer(b, unthrottled())
			ts.upstreamLatency(100 * time.Millisecond)
			url := ts.url + "/api/v1/records/deals/1011/invoice-draft?quoteId=1014&connectionId=" + ts.conns[usRealm].ID
			client := card(portal1)
			benchGet(b, client, url)
			var qbo, hs int
			for b.Loop() {
				if !warm {
					b.StopTimer()
					var keys []string
					for _, kind := range []string{"customers", "items", "taxcodes", "terms", "company", "docnumbers"} {
						keys = append(keys, app.CacheKey(usRealm, kind))
					}
					ts.cache.Delete(context.Background(), keys...)
					b.StartTimer()
				}
				q0, h0 := ts.calls()
				benchGet(b, client, url)
				q1, h1 := ts.calls()
				qbo, hs = q1-q0, h1-h0
			}
			b.ReportMetric(float64(qbo), "qbo-calls/op")
			b.ReportMetric(float64(hs), "hubspot-calls/op")
		})
	}
}

// BenchmarkCreate creates an invoice on deal 1011 from a draft with warm
// lookups, every upstream call taking 100 ms. The chain is the invoice
// create (with the HubSpot reads beside it), then the deal update.
func BenchmarkCreate(b *testing.B) {
	ts := newTestServer(b, unthrottled())
	client := card(portal1)
	resp, err := client.Do(context.Background(), "GET", ts.url+"/api/v1/records/deals/1011/invoice-draft?connectionId="+ts.conns[usRealm].ID, nil)
	if err != nil {
		b.Fatal(err)
	}
	var d struct{ Invoice map[string]any }
	json.NewDecoder(resp.Body).Decode(&d)
	resp.Body.Close()
	// One create before measuring: the deal's property group is made once per portal.
	post := func(i int) {
		body := map[string]any{"idempotencyKey": fmt.Sprintf("bench-create-%08d", i)}
		for k, v := range d.Invoice {
			body[k] = v
		}
		resp, err := client.Do(context.Background(), "POST", ts.url+"/api/v1/records/deals/1011/invoices", body)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	post(-1)
	ts.upstreamLatency(100 * time.Millisecond)
	var qbo, hs int
	i := 0
	for b.Loop() {
		q0, h0 := ts.calls()
		post(i)
		q1, h1 := ts.calls()
		qbo, hs = q1-q0, h1-h0
		i++
	}
	b.ReportMetric(float64(qbo), "qbo-calls/op")
	b.ReportMetric(float64(hs), "hubspot-calls/op")
}
