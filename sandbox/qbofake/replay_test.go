package qbofake

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/internal/fakekit"
)

func invoiceBody(customer, item string) string {
	return `{"CustomerRef":{"value":"` + customer + `"},"Line":[{"DetailType":"SalesItemLineDetail","Amount":75,
		"SalesItemLineDetail":{"ItemRef":{"value":"` + item + `"},"Qty":1,"UnitPrice":75}}]}`
}

func (f *fixture) invoiceCount(realm string) string {
	f.t.Helper()
	return str(at(decode(f.t, f.api("GET", realm, q("select count(*) from Invoice"), "").body), "QueryResponse.totalCount"))
}

// TestRequestIDReplay: a POST repeating a requestid gets the first answer
// verbatim and creates nothing more (reference §1.1, L5).
func TestRequestIDReplay(t *testing.T) {
	f := newFixture(t)
	us := DemoRealmUS
	body := invoiceBody("1", "1")
	first := f.api("POST", us, "/invoice?requestid=card-42", body)
	wantStatus(t, first, 200)
	f.clock.Advance(5 * time.Second) // a later "time" would show if the answer were remade
	second := f.api("POST", us, "/invoice?requestid=card-42&minorversion=75", body)
	if string(second.body) != string(first.body) || second.status != 200 {
		t.Fatalf("replay differs:\n%s\n%s", first.body, second.body)
	}
	if n := f.invoiceCount(us); n != "7" {
		t.Errorf("%s invoices, want 7 (6 seeded + 1)", n)
	}
	// Same requestid elsewhere is another request.
	wantStatus(t, f.api("POST", us, "/customer?requestid=card-42", `{"DisplayName":"Replay Co"}`), 200)
	wantStatus(t, f.api("POST", DemoRealmCA, "/customer?requestid=card-42", `{"DisplayName":"Replay Co"}`), 200)

	// A first answer that was a fault is replayed too.
	bad := f.api("POST", us, "/invoice?requestid=bad-1", `{"BadJson":1}`)
	wantFault(t, bad, "2010")
	again := f.api("POST", us, "/invoice?requestid=bad-1", body)
	if string(again.body) != string(bad.body) {
		t.Errorf("fault not replayed: %s", again.body)
	}

	// An injected failure did not happen: the retry runs.
	f.srv.Faults().Inject(RouteInvoiceCreate, fakekit.Fault{Status: 500, Times: 1})
	wantStatus(t, f.api("POST", us, "/invoice?requestid=retry-1", body), 500)
	wantStatus(t, f.api("POST", us, "/invoice?requestid=retry-1", body), 200)
	if n := f.invoiceCount(us); n != "8" {
		t.Errorf("%s invoices, want 8", n)
	}

	long := strings.Repeat("x", 51)
	wantFault(t, f.api("POST", us, "/invoice?requestid="+long, body), "2010")
}

// TestRequestIDConcurrent: simultaneous repeats wait for the first and
// share its answer.
func TestRequestIDConcurrent(t *testing.T) {
	f := newFixture(t)
	body := invoiceBody("1", "1")
	var wg sync.WaitGroup
	bodies := make([]string, 8)
	for i := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bodies[i] = string(f.api("POST", DemoRealmUS, "/invoice?requestid=same", body).body)
		}()
	}
	wg.Wait()
	for _, b := range bodies[1:] {
		if b != bodies[0] {
			t.Fatalf("different answers for one requestid")
		}
	}
	if n := f.invoiceCount(DemoRealmUS); n != "7" {
		t.Errorf("%s invoices, want 7", n)
	}
}
