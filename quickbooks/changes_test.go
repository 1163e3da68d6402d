package quickbooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// advance moves the clock of the fake and the client.
func (f *fixture) advance(d time.Duration) {
	f.clock.mu.Lock()
	defer f.clock.mu.Unlock()
	f.clock.t = f.clock.t.Add(d)
}

// qbo makes a data API call to the fake as another QuickBooks user would
// (not through the Client), failing the test unless it answers 200.
func (f *fixture) qbo(method, realm, path, body string) map[string]any {
	f.t.Helper()
	dr, _ := f.demo.Realm(realm)
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	req, _ := http.NewRequest(method, "https://sandbox-quickbooks.api.intuit.com/v3/company/"+realm+path+sep+"minorversion=75", rd)
	req.Header.Set("Authorization", "Bearer "+dr.AccessToken)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Transport: f.srv.Transport()}).Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || bytes.Contains(b, []byte(`"Fault"`)) {
		f.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		f.t.Fatalf("%s %s: %v", method, path, err)
	}
	return m
}

// syncToken reads an entity's SyncToken.
func (f *fixture) syncToken(realm, entity, id string) string {
	f.t.Helper()
	m := f.qbo("GET", realm, "/"+strings.ToLower(entity)+"/"+id, "")
	return m[entity].(map[string]any)["SyncToken"].(string)
}

// batchTerms creates n terms through batch calls of 30, advancing the
// clock by step after each call.
func (f *fixture) batchTerms(realm string, n int, step time.Duration) {
	f.t.Helper()
	for i := 0; i < n; i += 30 {
		var items []string
		for j := i; j < min(i+30, n); j++ {
			items = append(items, fmt.Sprintf(`{"bId":"%d","operation":"create","Term":{"Name":"Term %04d","DueDays":%d}}`, j, j, j%90))
		}
		f.qbo("POST", realm, "/batch", `{"BatchItemRequest":[`+strings.Join(items, ",")+`]}`)
		f.advance(step)
	}
}

// cdcQueries are the entities and changedSince of each CDC call, decoded.
func (f *fixture) cdcQueries() []map[string]string {
	f.rec.mu.Lock()
	defer f.rec.mu.Unlock()
	var out []map[string]string
	for _, q := range f.rec.queries {
		if q.Has("changedSince") {
			out = append(out, map[string]string{"entities": q.Get("entities"), "changedSince": q.Get("changedSince")})
		}
	}
	return out
}

func byEntity(cs app.ChangeSet, entity string) []app.EntityChange {
	var out []app.EntityChange
	for _, ch := range cs.Changes {
		if ch.Entity == entity {
			out = append(out, ch)
		}
	}
	return out
}

// TestChanges: an invoice updated, a payment recorded, an invoice deleted
// and a customer created come back in one CDC call, grouped by entity as
// asked and oldest first; the invoice in full, mapped as Invoices maps it;
// the payment with the invoice it pays; the deletion without state; Time is
// the fake's clock. changedSince goes with its offset's + escaped.
func TestChanges(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	conn := f.conn(us)
	ctx := context.Background()
	inv := f.id(us, "invoices", "awaiting_send") // Acme's, 300.00
	gone := f.id(us, "invoices", "overdue")
	acme := f.id(us, "customers", "acme")
	since := f.clock.Now()

	f.advance(time.Minute)
	f.qbo("POST", us, "/invoice", `{"Id":"`+inv+`","SyncToken":"`+f.syncToken(us, "Invoice", inv)+`","sparse":true,"DueDate":"2026-05-01"}`)
	f.advance(time.Minute)
	pay := f.qbo("POST", us, "/payment", `{"CustomerRef":{"value":"`+acme+`"},"TotalAmt":100,
		"Line":[{"Amount":100,"LinkedTxn":[{"TxnId":"`+inv+`","TxnType":"Invoice"}]}]}`)
	pid := pay["Payment"].(map[string]any)["Id"].(string)
	f.advance(time.Minute)
	f.qbo("POST", us, "/invoice?operation=delete", `{"Id":"`+gone+`","SyncToken":"`+f.syncToken(us, "Invoice", gone)+`"}`)
	f.advance(time.Minute)
	cust := f.qbo("POST", us, "/customer", `{"DisplayName":"Changes Test Co"}`)["Customer"].(map[string]any)["Id"].(string)
	f.advance(30 * time.Second)

	cs, err := f.client.Changes(ctx, conn, []string{app.EntityInvoice, app.EntityPayment, app.EntityCustomer}, since)
	wantErr(t, err, "", "")
	if !cs.Time.Equal(f.clock.Now()) {
		t.Errorf("Time = %v, want the fake's clock %v", cs.Time, f.clock.Now())
	}
	var order []string
	for _, ch := range cs.Changes {
		order = append(order, ch.Entity+" "+ch.EntityID)
	}
	want := []string{"Invoice " + inv, "Invoice " + gone, "Payment " + pid, "Customer " + cust}
	if !reflect.DeepEqual(order, want) {
		t.Fatalf("changes = %v, want %v", order, want)
	}

	updated := cs.Changes[0]
	if updated.Deleted || updated.Invoice == nil || updated.InvoiceIDs != nil {
		t.Fatalf("updated invoice change = %+v", updated)
	}
	read, err := f.client.Invoices(ctx, conn, []string{inv})
	wantErr(t, err, "", "")
	if !reflect.DeepEqual(*updated.Invoice, read[0]) {
		t.Errorf("CDC invoice = %+v\nread       = %+v", *updated.Invoice, read[0])
	}
	if updated.Invoice.Balance != 20000 || updated.Invoice.DueDate.String() != "2026-05-01" {
		t.Errorf("invoice balance %v due %v, want 200.00 and 2026-05-01", updated.Invoice.Balance, updated.Invoice.DueDate)
	}
	if at := since.Add(2 * time.Minute); !updated.LastUpdated.Equal(at) || !updated.Invoice.UpdatedAt.Equal(at) {
		t.Errorf("LastUpdated = %v, want %v (the payment moved its balance)", updated.LastUpdated, at)
	}

	deleted := cs.Changes[1]
	if !deleted.Deleted || deleted.Invoice != nil || !deleted.LastUpdated.Equal(since.Add(3*time.Minute)) {
		t.Errorf("deleted invoice change = %+v", deleted)
	}
	paid := cs.Changes[2]
	if paid.Deleted || paid.Invoice != nil || !reflect.DeepEqual(paid.InvoiceIDs, []string{inv}) {
		t.Errorf("payment change = %+v, want InvoiceIDs [%s]", paid, inv)
	}
	created := cs.Changes[3]
	if created.Deleted || created.Invoice != nil || created.InvoiceIDs != nil || !created.LastUpdated.Equal(since.Add(4*time.Minute)) {
		t.Errorf("customer change = %+v", created)
	}

	qs := f.cdcQueries()
	if len(qs) != 1 {
		t.Fatalf("%d CDC calls, want 1", len(qs))
	}
	if got := qs[0]["changedSince"]; got != "2026-03-10T17:30:00+00:00" {
		t.Errorf("changedSince = %q, want the time with its + offset intact", got)
	}
	if got := qs[0]["entities"]; got != "Invoice,Payment,Customer" {
		t.Errorf("entities = %q", got)
	}
}

// TestChangesSince: changes before since are left out; an unapplied
// payment has empty, not nil, InvoiceIDs (no read needed to learn it).
func TestChangesSince(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	conn := f.conn(us)
	early := f.id(us, "invoices", "awaiting_send")
	late := f.id(us, "invoices", "sent")
	f.advance(time.Minute)
	f.qbo("POST", us, "/invoice", `{"Id":"`+early+`","SyncToken":"`+f.syncToken(us, "Invoice", early)+`","sparse":true,"PrivateNote":"early"}`)
	f.advance(time.Minute)
	since := f.clock.Now()
	f.advance(time.Minute)
	f.qbo("POST", us, "/invoice", `{"Id":"`+late+`","SyncToken":"`+f.syncToken(us, "Invoice", late)+`","sparse":true,"PrivateNote":"late"}`)
	pid := f.qbo("POST", us, "/payment", `{"CustomerRef":{"value":"`+f.id(us, "customers", "globex")+`"},"TotalAmt":10}`)["Payment"].(map[string]any)["Id"].(string)

	cs, err := f.client.Changes(context.Background(), conn, []string{app.EntityInvoice, app.EntityPayment}, since)
	wantErr(t, err, "", "")
	if len(cs.Changes) != 2 || cs.Changes[0].EntityID != late || cs.Changes[0].Invoice.PrivateNote != "late" {
		t.Fatalf("changes = %+v, want invoice %s then payment %s", cs.Changes, late, pid)
	}
	if p := cs.Changes[1]; p.EntityID != pid || p.InvoiceIDs == nil || len(p.InvoiceIDs) != 0 {
		t.Errorf("unapplied payment = %+v, want empty InvoiceIDs", p)
	}
}

// TestChangesClampsToThirtyDays: a since older than QBO keeps (here the
// zero time) is asked as now−30 days+10 minutes, with a warning; what
// changed within the window comes back, oldest first.
func TestChangesClampsToThirtyDays(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	cs, err := f.client.Changes(context.Background(), f.conn(us), []string{app.EntityInvoice}, time.Time{})
	wantErr(t, err, "", "")
	qs := f.cdcQueries()
	if len(qs) != 1 || qs[0]["changedSince"] != "2026-02-08T17:40:00+00:00" {
		t.Errorf("CDC queries = %v, want changedSince 30 days less 10 minutes ago", qs)
	}
	if !strings.Contains(f.logs.String(), "clamped") {
		t.Errorf("no warning logged:\n%s", f.logs.String())
	}
	var got []string
	for i, ch := range cs.Changes {
		got = append(got, ch.EntityID)
		if i > 0 && ch.LastUpdated.Before(cs.Changes[i-1].LastUpdated) {
			t.Errorf("change %d older than the one before", i)
		}
	}
	// Seeded -20 (voided), -10 (partially paid, then its payment), -5
	// (sent) and 0 days (awaiting send); paid (-40) and overdue (-45) are
	// older than the window.
	want := []string{f.id(us, "invoices", "voided"), f.id(us, "invoices", "partially_paid"),
		f.id(us, "invoices", "sent"), f.id(us, "invoices", "awaiting_send")}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("invoices = %v, want %v", got, want)
	}
}

// TestChangesPagesPast1000: QBO answers at most 1,000 objects per CDC call,
// in all entities together. 1,020 terms changed, then invoices and a
// payment: the first answer is 1,000 terms (the fake fills the cap in the
// order entities are named), so each entity is asked again on its own, from
// its newest time or from since; everything comes back, once each, oldest
// first.
func TestChangesPagesPast1000(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	conn := f.conn(us)
	f.advance(time.Second) // past the seeded terms
	since := f.clock.Now()
	f.batchTerms(us, 1020, time.Second) // 30 terms a second
	inv := f.id(us, "invoices", "awaiting_send")
	f.qbo("POST", us, "/payment", `{"CustomerRef":{"value":"`+f.id(us, "customers", "acme")+`"},"TotalAmt":50,
		"Line":[{"Amount":50,"LinkedTxn":[{"TxnId":"`+inv+`","TxnType":"Invoice"}]}]}`)
	f.advance(time.Second)
	gone := f.id(us, "invoices", "sent")
	f.qbo("POST", us, "/invoice?operation=delete", `{"Id":"`+gone+`","SyncToken":"`+f.syncToken(us, "Invoice", gone)+`"}`)

	cs, err := f.client.Changes(context.Background(), conn, []string{app.EntityTerm, app.EntityInvoice, app.EntityPayment}, since)
	wantErr(t, err, "", "")
	terms := byEntity(cs, app.EntityTerm)
	if len(terms) != 1020 {
		t.Errorf("%d terms, want 1020", len(terms))
	}
	seen := map[string]bool{}
	for i, ch := range terms {
		if seen[ch.EntityID] {
			t.Fatalf("term %s twice", ch.EntityID)
		}
		seen[ch.EntityID] = true
		if i > 0 && ch.LastUpdated.Before(terms[i-1].LastUpdated) {
			t.Fatalf("term %d older than the one before", i)
		}
	}
	invs := byEntity(cs, app.EntityInvoice)
	if len(invs) != 2 || invs[0].EntityID != inv || invs[0].Invoice == nil || invs[0].Invoice.Balance != 25000 ||
		invs[1].EntityID != gone || !invs[1].Deleted {
		t.Errorf("invoices = %+v, want %s paid down to 250.00 then %s deleted", invs, inv, gone)
	}
	if pays := byEntity(cs, app.EntityPayment); len(pays) != 1 || !reflect.DeepEqual(pays[0].InvoiceIDs, []string{inv}) {
		t.Errorf("payments = %+v", pays)
	}
	if len(cs.Changes) != 1023 {
		t.Errorf("%d changes, want 1023", len(cs.Changes))
	}
	// All entities from since; then the terms from the second of the
	// 1,000th (30 more), the invoices and the payment from since (the first
	// answer had none of them).
	s0 := "2026-03-10T17:30:01+00:00"
	want := []map[string]string{
		{"entities": "Term,Invoice,Payment", "changedSince": s0},
		{"entities": "Term", "changedSince": "2026-03-10T10:30:34-07:00"},
		{"entities": "Invoice", "changedSince": s0},
		{"entities": "Payment", "changedSince": s0},
	}
	if got := f.cdcQueries(); !reflect.DeepEqual(got, want) {
		t.Errorf("CDC calls = %v\nwant %v", got, want)
	}
}

// TestChangesPagingKeepsOldDeletions: a payment deleted before 1,000 other
// payments changed is reported although deletions come last in an answer:
// the cut keeps the oldest changes, deletions included.
func TestChangesPagingKeepsOldDeletions(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	globex := f.id(us, "customers", "globex")
	since := f.clock.Now()
	f.advance(time.Second)
	gone := f.qbo("POST", us, "/payment", `{"CustomerRef":{"value":"`+globex+`"},"TotalAmt":5}`)["Payment"].(map[string]any)["Id"].(string)
	f.advance(time.Second)
	f.qbo("POST", us, "/payment?operation=delete", `{"Id":"`+gone+`","SyncToken":"0"}`)
	for i := 0; i < 1005; i += 30 {
		f.advance(time.Second)
		var items []string
		for j := i; j < min(i+30, 1005); j++ {
			items = append(items, fmt.Sprintf(`{"bId":"%d","operation":"create","Payment":{"CustomerRef":{"value":"%s"},"TotalAmt":1}}`, j, globex))
		}
		f.qbo("POST", us, "/batch", `{"BatchItemRequest":[`+strings.Join(items, ",")+`]}`)
	}
	cs, err := f.client.Changes(context.Background(), f.conn(us), []string{app.EntityPayment}, since)
	wantErr(t, err, "", "")
	if len(cs.Changes) != 1006 {
		t.Fatalf("%d changes, want 1006", len(cs.Changes))
	}
	if first := cs.Changes[0]; first.EntityID != gone || !first.Deleted || first.InvoiceIDs != nil {
		t.Errorf("first change = %+v, want payment %s deleted", first, gone)
	}
	if n := f.calls(qbofake.RouteCDC, us); n != 2 {
		t.Errorf("%d CDC calls, want 2", n)
	}
}

// TestChangesCannotPageOneSecond: 1,020 terms changed in one second cannot
// be paged (asking again from that second brings the same 1,000): Internal,
// after two calls, not a loop.
func TestChangesCannotPageOneSecond(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	since := f.clock.Now()
	f.advance(time.Second)
	f.batchTerms(us, 1020, 0)
	_, err := f.client.Changes(context.Background(), f.conn(us), []string{app.EntityTerm}, since)
	wantErr(t, err, app.Internal, "QuickBooks reported 1,000 or more Term changes at one moment (2026-03-10T10:30:01-07:00); the change feed cannot page past them.")
	if n := f.calls(qbofake.RouteCDC, us); n != 2 {
		t.Errorf("%d CDC calls, want 2", n)
	}
}

// TestChangesFaults: CDC answers are classified like every read; bad
// entity names are refused before any call.
func TestChangesFaults(t *testing.T) {
	us := qbofake.DemoRealmUS
	ctx := context.Background()
	entities := []string{app.EntityInvoice}

	t.Run("throttled", func(t *testing.T) {
		f := newFixture(t)
		f.inject(qbofake.RouteCDC, throttle(0))
		cs, err := f.client.Changes(ctx, f.conn(us), entities, f.clock.Now())
		wantErr(t, err, app.Unavailable, msgBusy)
		if cs.Changes != nil || !cs.Time.IsZero() {
			t.Errorf("got %+v", cs)
		}
		if n := f.calls(qbofake.RouteCDC, us); n != DefaultMaxRetries+1 {
			t.Errorf("%d calls, want %d", n, DefaultMaxRetries+1)
		}
	})
	t.Run("throttled once", func(t *testing.T) {
		f := newFixture(t)
		f.inject(qbofake.RouteCDC, throttle(1))
		_, err := f.client.Changes(ctx, f.conn(us), entities, f.clock.Now())
		wantErr(t, err, "", "")
	})
	t.Run("token refused", func(t *testing.T) {
		f := newFixture(t)
		conn := f.conn(us)
		f.inject(qbofake.RouteCDC, gateway401(conn.Tokens.Access, 0))
		_, err := f.client.Changes(ctx, conn, entities, f.clock.Now())
		wantErr(t, err, app.NotConnected, msgReconnect)
		if n := f.tokenCalls(); n != 1 {
			t.Errorf("%d refreshes, want 1", n)
		}
	})
	t.Run("another company's token", func(t *testing.T) {
		f := newFixture(t)
		conn := f.conn(qbofake.DemoRealmCA)
		conn.RealmID = us
		_, err := f.client.Changes(ctx, conn, entities, f.clock.Now())
		wantErr(t, err, app.NotConnected, msgForbidden)
	})
	t.Run("entity CDC does not cover", func(t *testing.T) {
		f := newFixture(t)
		_, err := f.client.Changes(ctx, f.conn(us), []string{"TaxCode"}, f.clock.Now())
		wantErr(t, err, app.Invalid, "")
	})
	t.Run("bad names", func(t *testing.T) {
		f := newFixture(t)
		for _, names := range [][]string{nil, {}, {"Invoice,Customer"}, {""}, {"MetaData.Id"}, {"Invoice&x=1"}} {
			_, err := f.client.Changes(ctx, f.conn(us), names, f.clock.Now())
			wantErr(t, err, app.Internal, "")
		}
		if n := f.calls(qbofake.RouteCDC, us); n != 0 {
			t.Errorf("%d calls, want none", n)
		}
	})
}

// TestPaymentInvoices: a payment's linked invoices, once each; none for an
// unapplied payment; NotFound once QBO no longer has it (610); Invalid for
// an id not digits, before any call.
func TestPaymentInvoices(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	conn := f.conn(us)
	ctx := context.Background()

	ids, err := f.client.PaymentInvoices(ctx, conn, f.id(us, "payments", "partially_paid"))
	wantErr(t, err, "", "")
	if want := []string{f.id(us, "invoices", "partially_paid")}; !reflect.DeepEqual(ids, want) {
		t.Errorf("ids = %v, want %v", ids, want)
	}

	inv := f.id(us, "invoices", "awaiting_send")
	two := f.qbo("POST", us, "/payment", `{"CustomerRef":{"value":"`+f.id(us, "customers", "acme")+`"},"TotalAmt":100,
		"Line":[{"Amount":40,"LinkedTxn":[{"TxnId":"`+inv+`","TxnType":"Invoice"}]},
		        {"Amount":60,"LinkedTxn":[{"TxnId":"`+inv+`","TxnType":"Invoice"}]}]}`)["Payment"].(map[string]any)["Id"].(string)
	ids, err = f.client.PaymentInvoices(ctx, conn, two)
	wantErr(t, err, "", "")
	if !reflect.DeepEqual(ids, []string{inv}) {
		t.Errorf("ids = %v, want [%s] once", ids, inv)
	}

	none := f.qbo("POST", us, "/payment", `{"CustomerRef":{"value":"1"},"TotalAmt":10}`)["Payment"].(map[string]any)["Id"].(string)
	ids, err = f.client.PaymentInvoices(ctx, conn, none)
	wantErr(t, err, "", "")
	if ids == nil || len(ids) != 0 {
		t.Errorf("unapplied payment: %#v, want an empty slice", ids)
	}

	f.qbo("POST", us, "/payment?operation=delete", `{"Id":"`+two+`","SyncToken":"0"}`)
	_, err = f.client.PaymentInvoices(ctx, conn, two)
	wantErr(t, err, app.NotFound, "Payment "+two+" no longer exists in QuickBooks.")
	_, err = f.client.PaymentInvoices(ctx, conn, "99999")
	wantErr(t, err, app.NotFound, "Payment 99999 no longer exists in QuickBooks.")

	before := f.calls(qbofake.RoutePaymentRead, us)
	_, err = f.client.PaymentInvoices(ctx, conn, "12' OR 1=1")
	wantErr(t, err, app.Invalid, "")
	if n := f.calls(qbofake.RoutePaymentRead, us); n != before {
		t.Errorf("a bad id was sent")
	}

	f.inject(qbofake.RoutePaymentRead, throttle(0))
	_, err = f.client.PaymentInvoices(ctx, conn, none)
	wantErr(t, err, app.Unavailable, msgBusy)
}
