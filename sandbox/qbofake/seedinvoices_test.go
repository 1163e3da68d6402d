package qbofake

import (
	"strconv"
	"testing"
	"time"
)

// TestSeedInvoices: invoices seeded without HTTP are real invoices of the
// company (numbered, priced, queryable), PerSecond of them share each
// CreateTime second, and seeding touches no counter, limit or webhook.
func TestSeedInvoices(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.RequestsPerMinute = 3 })
	us := DemoRealmUS
	start := fixedNow.Add(-time.Hour)
	ids, err := f.srv.SeedInvoices(us, InvoiceSeed{
		Count: 7, CustomerIDs: []string{f.id(us, "customers", "acme"), f.id(us, "customers", "globex")},
		ItemID: f.id(us, "items", "consulting"), Start: start, PerSecond: 3,
	})
	if err != nil || len(ids) != 7 {
		t.Fatalf("SeedInvoices = %v, %v", ids, err)
	}
	if n := f.srv.Counters().Count("", us); n != 0 {
		t.Errorf("seeding counted %d requests, want none", n)
	}
	r := f.api("GET", us, q("SELECT * FROM Invoice WHERE MetaData.CreateTime >= '"+
		start.Format(time.RFC3339)+"' ORDERBY MetaData.CreateTime MAXRESULTS 10"), "")
	wantStatus(t, r, 200)
	rows := at(decode(t, r.body), "QueryResponse.Invoice").([]any)
	if len(rows) != 7 {
		t.Fatalf("query found %d seeded invoices, want 7", len(rows))
	}
	for i, row := range rows {
		created, err := time.Parse(time.RFC3339, str(at(row, "MetaData.CreateTime")))
		if err != nil {
			t.Fatal(err)
		}
		if want := start.Add(time.Duration(i/3) * time.Second); !created.Equal(want) {
			t.Errorf("invoice %d CreateTime %s, want %s", i, created, want)
		}
		qty := 1 + i%5
		if got, want := str(at(row, "TotalAmt")), strconv.Itoa(qty*100)+".00"; got != want {
			t.Errorf("invoice %d TotalAmt %s, want %s", i, got, want)
		}
		if str(at(row, "Id")) != ids[i] || str(at(row, "DocNumber")) == "<nil>" {
			t.Errorf("invoice %d: Id %s DocNumber %s, want id %s and a number", i, str(at(row, "Id")), str(at(row, "DocNumber")), ids[i])
		}
	}

	if _, err := f.srv.SeedInvoices("999", InvoiceSeed{Count: 1, CustomerIDs: []string{"1"}, ItemID: "1"}); err == nil {
		t.Error("seeding an unknown company succeeded")
	}
	if ids, err := f.srv.SeedInvoices(us, InvoiceSeed{Count: 2, CustomerIDs: []string{"404"}, ItemID: "1"}); err == nil || len(ids) != 0 {
		t.Errorf("seeding for a missing customer = %v, %v; want an error", ids, err)
	}
}

// TestThrottledCounter counts the limits' 429s, not other answers and not
// injected ones.
func TestThrottledCounter(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.RequestsPerMinute = 2 })
	us := DemoRealmUS
	for range 4 {
		f.api("GET", us, "/term/1", "")
	}
	if n := f.srv.Throttled().Count(RouteTermRead, us); n != 2 {
		t.Errorf("Throttled = %d, want 2", n)
	}
	f.clock.Advance(time.Minute + time.Second)
	f.srv.Faults().Inject(RouteTermRead, Fault{Status: 429, Times: 1})
	wantStatus(t, f.api("GET", us, "/term/1", ""), 429)
	if n := f.srv.Throttled().Count("", ""); n != 2 {
		t.Errorf("Throttled after an injected 429 = %d, want still 2", n)
	}
}
