package qbofake

import (
	"net/http"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/internal/fakekit"
)

// TestFaultInjection: status, body, header, latency and dropped connections
// reach a client through Transport, per route and realm.
func TestFaultInjection(t *testing.T) {
	f := newFixture(t)
	us, ca := DemoRealmUS, DemoRealmCA
	inv := "/invoice/" + f.id(us, "invoices", "sent")
	faults := f.srv.Faults()

	faults.Inject(RouteInvoiceRead, fakekit.Fault{Status: 503, Body: []byte("upstream down"),
		Header: http.Header{"Retry-After": {"7"}}, Times: 1})
	r := f.api("GET", us, inv, "")
	wantStatus(t, r, 503)
	if string(r.body) != "upstream down" || r.header.Get("Retry-After") != "7" {
		t.Errorf("fault answer = %q %v", r.body, r.header)
	}
	if r.header.Get("Intuit-Tid") == "" {
		t.Error("a faulted answer still carries Intuit-Tid")
	}
	wantStatus(t, f.api("GET", us, inv, ""), 200) // Times: 1 used up

	faults.Inject(RouteInvoiceRead, fakekit.Fault{Tenant: ca, Status: 500})
	wantStatus(t, f.api("GET", us, inv, ""), 200)
	wantStatus(t, f.api("GET", ca, "/invoice/"+f.id(ca, "invoices", "paid"), ""), 500)
	faults.Clear(RouteInvoiceRead)

	faults.Inject(RouteInvoiceRead, fakekit.Fault{Latency: 50 * time.Millisecond, Times: 1})
	start := time.Now()
	wantStatus(t, f.api("GET", us, inv, ""), 200)
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("latency fault took %v", d)
	}

	faults.Inject(RouteQuery, fakekit.Fault{Drop: true, Times: 1})
	req, _ := http.NewRequest("GET", "https://quickbooks.api.intuit.com/v3/company/"+us+q("select * from Term"), nil)
	req.Header.Set("Authorization", "Bearer qbo-sandbox-access-us")
	if resp, err := f.client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped connection answered %d", resp.StatusCode)
	}

	// Faults apply after auth: a refused call does not use a fault up.
	faults.Inject(RouteTermRead, fakekit.Fault{Status: 502, Times: 1})
	wantStatus(t, f.apiToken("GET", us, "/term/1", "", "bad-token"), 401)
	wantStatus(t, f.api("GET", us, "/term/1", ""), 502)
}

// TestCounters: every data API request is counted per route and realm,
// including refused ones, so "zero QBO calls" can be asserted.
func TestCounters(t *testing.T) {
	f := newFixture(t)
	us, ca := DemoRealmUS, DemoRealmCA
	c := f.srv.Counters()
	if n := c.Count("", us); n != 0 {
		t.Fatalf("seeding counted %d requests", n)
	}
	f.api("GET", us, "/invoice/1", "")
	f.api("GET", us, q("select * from Invoice"), "")
	f.apiToken("GET", us, "/customer/1", "", "bad") // 401 still counts
	f.api("GET", us, "/nonsense/1/2", "")
	f.api("POST", us, "/invoice?operation=void", `{"Id":"1","SyncToken":"0"}`)
	f.api("POST", us, "/customer", `{"Id":"1","SyncToken":"0","sparse":true,"Notes":"x"}`)
	f.api("POST", us, "/invoice/1/send", "")
	for route, want := range map[string]int{
		RouteInvoiceRead: 1, RouteQuery: 1, RouteCustomerRead: 1, RouteUnsupported: 1,
		RouteInvoiceVoid: 1, RouteCustomerUpdate: 1, RouteInvoiceSend: 1,
	} {
		if n := c.Count(route, us); n != want {
			t.Errorf("Count(%s) = %d, want %d", route, n, want)
		}
	}
	if n := c.Count("", us); n != 7 {
		t.Errorf("Count(all, us) = %d, want 7", n)
	}
	if n := c.Count("", ca); n != 0 {
		t.Errorf("Count(all, ca) = %d, want 0", n)
	}
	if len(c.Snapshot()) == 0 {
		t.Error("empty snapshot")
	}
	c.Reset()
	if n := c.Count("", ""); n != 0 {
		t.Errorf("after Reset: %d", n)
	}
}
