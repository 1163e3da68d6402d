package qbofake

import (
	"fmt"
	"testing"
	"time"
)

// TestCDCWindowAndLimit: changedSince is clamped to the last 30 days, at
// most 1000 objects come back, oldest first, and entities CDC does not
// cover are refused (reference §5.1).
func TestCDCWindowAndLimit(t *testing.T) {
	f := newFixture(t)
	us := DemoRealmUS
	// Seeded customers are 90 days old: a 2020 changedSince is clamped.
	r := f.api("GET", us, "/cdc?entities=Customer&changedSince=2020-01-01T00:00:00-08:00", "")
	wantStatus(t, r, 200)
	if qr := at(decode(t, r.body), "CDCResponse.0.QueryResponse.0").(map[string]any); len(qr) != 0 {
		t.Errorf("customers older than 30 days returned: %d", len(qr))
	}
	f = newFixture(t, func(o *Options) { o.CDCMaxAge = -1 })
	r = f.api("GET", us, "/cdc?entities=Customer&changedSince=2020-01-01", "")
	wantEqual(t, r, "CDCResponse.0.QueryResponse.0.maxResults", "4")

	// 1001 changes: only the oldest 1000 come back.
	rl := f.srv.realm(us)
	rl.mu.Lock()
	for i := 0; i < 1001; i++ {
		w := f.srv.begin(rl)
		w.now = w.now.Add(time.Duration(i+1) * time.Second) // after the seeded terms
		if _, e := w.write(kindByName("Term"), "create", []byte(fmt.Sprintf(`{"Name":"T%04d"}`, i)), writeOpts{}); e != nil {
			t.Fatal(e)
		}
	}
	rl.mu.Unlock()
	r = f.api("GET", us, "/cdc?entities=Term,Invoice&changedSince=2025-03-10T10:30:01-07:00", "")
	wantStatus(t, r, 200)
	m := decode(t, r.body)
	wantEqual(t, r, "CDCResponse.0.QueryResponse.0.maxResults", "1000")
	if got := str(at(m, "CDCResponse.0.QueryResponse.0.Term.0.Name")); got != "T0000" {
		t.Errorf("first = %s, want the oldest", got)
	}
	if qr := at(m, "CDCResponse.0.QueryResponse.1").(map[string]any); len(qr) != 0 {
		t.Errorf("invoices past the 1000 limit: %v", qr)
	}

	wantFault(t, f.api("GET", us, "/cdc?entities=TaxCode&changedSince=2025-03-01", ""), "6000")
	wantFault(t, f.api("GET", us, "/cdc?entities=Invoice", ""), "2020")
	wantFault(t, f.api("GET", us, "/cdc?changedSince=2025-03-01", ""), "2020")
}

// TestCDCLimitKeepsOldestDeletions: the 1000-object cut keeps the oldest
// changes of an entity, deletions included, so a deletion older than the
// live changes kept is in the answer (after them), and asking again from
// the newest LastUpdatedTime returned misses nothing.
func TestCDCLimitKeepsOldestDeletions(t *testing.T) {
	f := newFixture(t)
	us := DemoRealmUS
	rl := f.srv.realm(us)
	cust := f.id(us, "customers", "globex")
	write := func(w *work, op, body string) any {
		t.Helper()
		v, e := w.write(kindByName("Payment"), op, []byte(body), writeOpts{})
		if e != nil {
			t.Fatal(e)
		}
		return v
	}
	rl.mu.Lock()
	w := f.srv.begin(rl)
	w.now = w.now.Add(time.Second)
	gone := write(w, "create", `{"CustomerRef":{"value":"`+cust+`"},"TotalAmt":10}`).(*Payment).Id
	w = f.srv.begin(rl)
	w.now = w.now.Add(2 * time.Second)
	write(w, "delete", `{"Id":"`+gone+`","SyncToken":"0"}`)
	for i := 0; i < 1000; i++ {
		w := f.srv.begin(rl)
		w.now = w.now.Add(time.Duration(i+3) * time.Second)
		write(w, "create", `{"CustomerRef":{"value":"`+cust+`"},"TotalAmt":1}`)
	}
	rl.mu.Unlock()

	r := f.api("GET", us, "/cdc?entities=Payment&changedSince=2025-03-10T10:30:00-07:00", "")
	wantStatus(t, r, 200)
	wantEqual(t, r, "CDCResponse.0.QueryResponse.0.maxResults", "1000")
	m := decode(t, r.body)
	objs := at(m, "CDCResponse.0.QueryResponse.0.Payment").([]any)
	last := objs[len(objs)-1].(map[string]any)
	if last["status"] != "Deleted" || last["Id"] != gone {
		t.Fatalf("last object = %v, want the deletion of payment %s", last, gone)
	}
	wantEqual(t, r, "CDCResponse.0.QueryResponse.0.Payment.998.MetaData.LastUpdatedTime", "2025-03-10T10:46:41-07:00")
	// The rest: from the newest time returned, the one live change cut.
	r = f.api("GET", us, "/cdc?entities=Payment&changedSince=2025-03-10T10:46:41-07:00", "")
	wantEqual(t, r, "CDCResponse.0.QueryResponse.0.maxResults", "2")
	wantEqual(t, r, "CDCResponse.0.QueryResponse.0.Payment.1.MetaData.LastUpdatedTime", "2025-03-10T10:46:42-07:00")
}
