package server_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// Invoice sync end to end: the settings API turns it on, QuickBooks' fake
// sends its webhooks to the real server, the queue applies them, and the
// HubSpot fake's invoice object shows the result.

const mappingRoute = "/api/v1/settings/sync/invoices/mapping"

type mappingAnswer struct {
	Fields    []struct{ QBO, HubSpot string }
	IsDefault bool
	QBOFields []string
}

type invoiceSettingsAnswer struct {
	Sync struct {
		Invoices struct {
			Enabled                    bool
			OnCreateOrUpdate, OnDelete string
			Mapping                    mappingAnswer
		}
	}
}

// invoiceSync sets the portal's invoice sync through the settings API.
func (ts *testServer) invoiceSync(t *testing.T, enabled bool, write, del string) {
	t.Helper()
	_, a := ts.setSync(t, portal1, "invoices", map[string]any{"enabled": enabled, "onCreateOrUpdate": write, "onDelete": del})
	if a.status != http.StatusOK {
		t.Fatalf("invoice sync %v %s %s: %d %s", enabled, write, del, a.status, a.body)
	}
}

// setMapping replaces the invoice field mapping through the settings API.
func (ts *testServer) setMapping(t *testing.T, body any) (invoiceSettingsAnswer, answer) {
	t.Helper()
	a := ts.send(t, card(portal1), "PUT", mappingRoute, mappingRoute, body)
	var got invoiceSettingsAnswer
	if a.status == http.StatusOK {
		a.decode(t, &got)
	}
	return got, a
}

// hubspotInvoices lists portal one's live HubSpot invoices made from a
// QuickBooks invoice of the US company, by their key.
func (ts *testServer) hubspotInvoices(qboID string) []string {
	var ids []string
	for _, id := range ts.fakes.HubSpot.Objects(portal1, "invoices") {
		props, _ := ts.fakes.HubSpot.Object(portal1, "invoices", id)
		if props[app.InvoiceKeyProperty] == app.InvoiceKey(usRealm, qboID) {
			ids = append(ids, id)
		}
	}
	return ids
}

// hubspotInvoice waits for the one HubSpot invoice of a US QuickBooks
// invoice for which cond holds, and returns it with its properties.
func (ts *testServer) hubspotInvoice(t *testing.T, qboID, what string, cond func(map[string]string) bool) (string, map[string]string) {
	t.Helper()
	var id string
	var props map[string]string
	eventually(t, 10*time.Second, what, func() bool {
		ids := ts.hubspotInvoices(qboID)
		if len(ids) != 1 {
			return false
		}
		id = ids[0]
		props, _ = ts.fakes.HubSpot.Object(portal1, "invoices", id)
		return cond(props)
	})
	return id, props
}

// applied waits until a change of the invoice later than after is applied,
// and returns its time.
func (ts *testServer) applied(t *testing.T, qboID string, after time.Time) time.Time {
	t.Helper()
	var v time.Time
	eventually(t, 10*time.Second, "a change of invoice "+qboID+" is applied", func() bool {
		v, _ = ts.store.EntityVersion(context.Background(), ts.conns[usRealm].ID, app.EntityInvoice, qboID)
		return v.After(after)
	})
	return v
}

// qboInvoice reads an invoice from the QuickBooks fake.
func (ts *testServer) qboInvoice(t *testing.T, id string) map[string]any {
	t.Helper()
	return ts.qbo(t, usRealm, "GET", "/invoice/"+id, nil)["Invoice"].(map[string]any)
}

// qboInvoiceOp voids or deletes an invoice in QuickBooks.
func (ts *testServer) qboInvoiceOp(t *testing.T, id, op string) {
	t.Helper()
	inv := ts.qboInvoice(t, id)
	ts.qboPost(t, usRealm, "invoice?operation="+op, fmt.Sprintf(`{"Id":%q,"SyncToken":%q}`, id, inv["SyncToken"]))
}

// associated lists the ids of the records of type to associated with a
// HubSpot invoice.
func (ts *testServer) associated(invoiceID, to string) []string {
	var ids []string
	for id := range ts.fakes.HubSpot.Associations(portal1, "invoices", invoiceID, to) {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// hubspotDate is how the HubSpot fake stores a date-time property written
// as the day's midnight in the portal's time zone.
func (ts *testServer) hubspotDate(t *testing.T, d string) string {
	t.Helper()
	p, err := ts.store.Portal(context.Background(), portal1)
	if err != nil {
		t.Fatal(err)
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		t.Fatal(err)
	}
	day, _ := time.ParseInLocation(time.DateOnly, d, loc)
	return day.UTC().Format("2006-01-02T15:04:05.000Z")
}

// TestInvoiceSyncFollowsAnInvoiceIntoHubSpot: with invoice sync on, an
// invoice created in QuickBooks appears in HubSpot's invoice object with
// the default mapping, associated with its customer's contact and that
// contact's company; linked to a deal and paid, the same HubSpot invoice
// turns paid and is associated with the deal too.
func TestInvoiceSyncFollowsAnInvoiceIntoHubSpot(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
	ts.invoiceSync(t, true, "create_or_update", "keep")
	if s := ts.settings(t, portal1); !s.Sync.Invoices.Enabled {
		t.Fatalf("invoice sync is off: %+v", s.Sync.Invoices)
	}

	due := app.DateOf(time.Now().AddDate(0, 0, 30))
	inv := ts.createInvoice(t, usRealm, "1", "1", "NON", due) // Acme Corporation, ap@acme.example
	q := ts.qboInvoice(t, inv)
	id, props := ts.hubspotInvoice(t, inv, "the invoice reaches HubSpot", func(map[string]string) bool { return true })
	want := map[string]string{
		"hs_number":         q["DocNumber"].(string),
		"hs_currency":       "USD",
		"hs_invoice_date":   ts.hubspotDate(t, q["TxnDate"].(string)),
		"hs_due_date":       ts.hubspotDate(t, due.String()),
		"hs_amount_billed":  fmt.Sprintf("%.2f", q["TotalAmt"].(float64)),
		"hs_balance_due":    fmt.Sprintf("%.2f", q["Balance"].(float64)),
		"hs_invoice_status": "draft", // awaiting send
	}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("%s = %q, want %q", k, props[k], v)
		}
	}
	alice, acme := "1004", "1001" // the contact whose email is the customer's, and her primary company
	// The invoice is created first, then associated and its mapping stored:
	// wait for the whole of that one change.
	eventually(t, 5*time.Second, "the HubSpot invoice is associated and mapped", func() bool {
		stored, _ := ts.store.HubSpotInvoiceID(context.Background(), ts.conns[usRealm].ID, inv)
		return stored != "" && len(ts.associated(id, "contacts")) > 0 && len(ts.associated(id, "companies")) > 0
	})
	if got := ts.associated(id, "contacts"); fmt.Sprint(got) != "["+alice+"]" {
		t.Errorf("contacts = %v, want Alice", got)
	}
	if got := ts.associated(id, "companies"); fmt.Sprint(got) != "["+acme+"]" {
		t.Errorf("companies = %v, want Acme", got)
	}
	if got, _ := ts.store.HubSpotInvoiceID(context.Background(), ts.conns[usRealm].ID, inv); got != id {
		t.Errorf("stored HubSpot invoice = %q, want %s", got, id)
	}

	// Linked to a deal from the card, then paid in QuickBooks.
	if _, a := ts.add(t, card(portal1), "deals/1029", ts.conns[usRealm].ID, inv); a.status != http.StatusCreated {
		t.Fatalf("link: %d %s", a.status, a.body)
	}
	ts.payInFull(t, usRealm, inv)
	paid, props := ts.hubspotInvoice(t, inv, "the HubSpot invoice turns paid", func(p map[string]string) bool {
		return p["hs_invoice_status"] == "paid"
	})
	if paid != id || props["hs_balance_due"] != "0.00" {
		t.Errorf("after the payment: invoice %s %v, want %s with nothing due", paid, props, id)
	}
	eventually(t, 5*time.Second, "the HubSpot invoice is associated with deal 1029", func() bool {
		return fmt.Sprint(ts.associated(id, "deals")) == "[1029]"
	})
	if n := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsCreate, "20000001"); n != 1 {
		t.Errorf("%d HubSpot creates, want 1", n)
	}
	if n := len(ts.fakes.HubSpot.Objects(portal1, "invoices")); n != 1 {
		t.Errorf("%d HubSpot invoices, want 1", n)
	}
	// The deal's own properties follow as before.
	eventually(t, 5*time.Second, "deal 1029's status", func() bool { return ts.dealProperty(portal1, "1029", app.DealPropStatus) == "paid" })
}

// TestInvoiceSyncOffOrBeforeItWasOn: nothing flows while invoice sync is
// off, nor invoices last changed before it was turned on.
func TestInvoiceSyncOffOrBeforeItWasOn(t *testing.T) {
	var mu sync.Mutex
	shift := time.Duration(0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(shift) }
	ts := newTestServer(t, withClock(clock), withSync(syncSetup{webhooks: true}))

	off := ts.createInvoice(t, usRealm, "1", "1", "NON", app.DateOf(time.Now().AddDate(0, 0, 30)))
	ts.applied(t, off, time.Time{})
	ts.payInFull(t, usRealm, off)
	ts.applied(t, off, time.Now().Add(-time.Second))

	// Turned on "a minute from now": what QuickBooks changes now predates it.
	mu.Lock()
	shift = time.Minute
	mu.Unlock()
	ts.invoiceSync(t, true, "create_or_update", "archive")
	before := ts.createInvoice(t, usRealm, "2", "1", "NON", app.DateOf(time.Now().AddDate(0, 0, 30)))
	ts.applied(t, before, time.Time{})
	v := ts.applied(t, off, time.Time{})
	ts.postWebhook(t, invoiceEvent(usRealm, off, "updated", v.Add(time.Second))) // a late notice of the old one
	ts.applied(t, off, v)

	if ids := ts.fakes.HubSpot.Objects(portal1, "invoices"); len(ids) != 0 {
		t.Errorf("HubSpot invoices = %v, want none", ids)
	}
	if ts.fakes.HubSpot.HasProperty(portal1, "invoices", app.InvoiceKeyProperty) {
		t.Error("the key property was created though nothing flowed")
	}
}

// TestInvoiceSyncUpdateOnlyNeverCreates: update_only leaves new invoices
// out of HubSpot, and keeps updating those made before.
func TestInvoiceSyncUpdateOnlyNeverCreates(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
	ts.invoiceSync(t, true, "update_only", "keep")
	inv := ts.createInvoice(t, usRealm, "1", "1", "NON", app.DateOf(time.Now().AddDate(0, 0, 30)))
	v := ts.applied(t, inv, time.Time{})
	if ids := ts.fakes.HubSpot.Objects(portal1, "invoices"); len(ids) != 0 {
		t.Fatalf("update_only created %v", ids)
	}

	ts.invoiceSync(t, true, "create_or_update", "keep")
	ts.postWebhook(t, invoiceEvent(usRealm, inv, "updated", time.Now()))
	ts.applied(t, inv, v)
	id, _ := ts.hubspotInvoice(t, inv, "create_or_update creates it", func(map[string]string) bool { return true })
	eventually(t, 5*time.Second, "the HubSpot invoice is recorded", func() bool {
		got, _ := ts.store.HubSpotInvoiceID(context.Background(), ts.conns[usRealm].ID, inv)
		return got == id
	})

	ts.invoiceSync(t, true, "update_only", "keep")
	ts.payInFull(t, usRealm, inv)
	ts.hubspotInvoice(t, inv, "update_only updates it", func(p map[string]string) bool { return p["hs_invoice_status"] == "paid" })
	other := ts.createInvoice(t, usRealm, "1", "2", "NON", app.DateOf(time.Now().AddDate(0, 0, 30)))
	ts.applied(t, other, time.Time{})
	if ids := ts.fakes.HubSpot.Objects(portal1, "invoices"); fmt.Sprint(ids) != "["+id+"]" {
		t.Errorf("HubSpot invoices = %v, want only %s", ids, id)
	}
}

// TestInvoiceSyncVoidAndDelete: a void or delete in QuickBooks archives the
// HubSpot invoice, keeps it marked voided, or leaves it, per onDelete.
func TestInvoiceSyncVoidAndDelete(t *testing.T) {
	for _, c := range []struct{ onDelete, op string }{
		{"archive", "void"}, {"keep", "void"}, {"keep", "delete"}, {"nothing", "void"}, {"archive", "delete"},
	} {
		t.Run(c.onDelete+" on "+c.op, func(t *testing.T) {
			ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
			ts.invoiceSync(t, true, "create_or_update", c.onDelete)
			inv := ts.createInvoice(t, usRealm, "1", "1", "NON", app.DateOf(time.Now().AddDate(0, 0, 30)))
			id, before := ts.hubspotInvoice(t, inv, "the invoice reaches HubSpot", func(map[string]string) bool { return true })
			v := ts.applied(t, inv, time.Time{})
			ts.qboInvoiceOp(t, inv, c.op)
			ts.applied(t, inv, v)

			props, live := ts.fakes.HubSpot.Object(portal1, "invoices", id)
			switch c.onDelete {
			case "archive":
				eventually(t, 5*time.Second, "archived", func() bool {
					_, live := ts.fakes.HubSpot.Object(portal1, "invoices", id)
					return !live
				})
			case "keep":
				if !live || props["hs_invoice_status"] != "voided" || props["hs_amount_billed"] != before["hs_amount_billed"] {
					t.Errorf("kept invoice: live %v, %v; want voided with its amount %s", live, props, before["hs_amount_billed"])
				}
			case "nothing":
				if !live || props["hs_invoice_status"] != before["hs_invoice_status"] {
					t.Errorf("left invoice: live %v, %v; want it as it was", live, props)
				}
			}
			if n := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsCreate, "20000001"); n != 1 {
				t.Errorf("%d HubSpot creates, want 1", n)
			}
		})
	}
}

// TestInvoiceSyncCustomMapping: a mapping to custom invoice properties,
// saved through the settings API, flows; a custom dropdown with an
// "overdue" option turns overdue in the sweep, at the company's own
// midnight, while hs_invoice_status stays open.
//
// The service's clock is the wall clock moved by shift: the QuickBooks
// fake stamps LastUpdatedTime with the wall clock, and only invoices
// changed after the sync was turned on flow. Dates are the company's (Los
// Angeles), so the test holds at any hour on any machine.
func TestInvoiceSyncCustomMapping(t *testing.T) {
	var mu sync.Mutex
	shift := time.Duration(0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(shift) }
	moveTo := func(at time.Time) { mu.Lock(); defer mu.Unlock(); shift = time.Until(at) }
	ts := newTestServer(t, withClock(clock), withSync(syncSetup{webhooks: true}))

	// An admin makes two invoice properties in HubSpot.
	stage := map[string]any{"name": "qbo_stage", "label": "QuickBooks stage", "type": "enumeration", "fieldType": "select",
		"groupName": "invoiceinformation", "options": []any{}}
	for i, o := range []string{"awaiting_send", "sent", "partially_paid", "paid", "overdue", "voided", "deleted"} {
		stage["options"] = append(stage["options"].([]any), map[string]any{"label": o, "value": o, "displayOrder": i})
	}
	ts.hubspotAPI(t, "POST", "/crm/v3/properties/invoices", stage)
	ts.hubspotAPI(t, "POST", "/crm/v3/properties/invoices", map[string]any{"name": "qbo_customer", "label": "Customer",
		"type": "string", "fieldType": "text", "groupName": "invoiceinformation"})

	fields := []map[string]string{{"qbo": "DocNumber", "hubspot": "hs_number"}, {"qbo": "CustomerName", "hubspot": "qbo_customer"},
		{"qbo": "Status", "hubspot": "qbo_stage"}, {"qbo": "Status", "hubspot": "hs_invoice_status"}, {"qbo": "AmountPaid", "hubspot": "hs_amount_billed"}}
	got, a := ts.setMapping(t, map[string]any{"fields": fields})
	if a.status != http.StatusOK {
		t.Fatalf("mapping: %d %s", a.status, a.body)
	}
	m := got.Sync.Invoices.Mapping
	if m.IsDefault || len(m.Fields) != 5 || m.Fields[1].HubSpot != "qbo_customer" || len(m.QBOFields) != 12 {
		t.Errorf("mapping answered = %+v", m)
	}
	ts.invoiceSync(t, true, "create_or_update", "keep")

	la, err := time.LoadLocation(ts.conns[usRealm].TimeZone)
	if err != nil || la.String() != "America/Los_Angeles" {
		t.Fatalf("the US company's time zone %q: %v", ts.conns[usRealm].TimeZone, err)
	}
	due := app.DateOf(time.Now().In(la).AddDate(0, 0, 3))
	inv := ts.createInvoice(t, usRealm, "1", "1", "NON", due)
	ts.qboPost(t, usRealm, "invoice/"+inv+"/send", "")
	id, props := ts.hubspotInvoice(t, inv, "the sent invoice reaches HubSpot", func(p map[string]string) bool { return p["qbo_stage"] == "sent" })
	if props["qbo_customer"] != "Acme Corporation" || props["hs_invoice_status"] != "open" || props["hs_amount_billed"] != "0.00" ||
		props["hs_balance_due"] != "" || props["hs_due_date"] != "" {
		t.Errorf("mapped properties = %v", props)
	}

	// Late on the due date in Los Angeles (already the next day in UTC):
	// not overdue. Just after the next midnight there: overdue.
	stageNow := func() (string, string) {
		t.Helper()
		if err := ts.svc.SweepOverdue(context.Background()); err != nil {
			t.Fatal(err)
		}
		props, _ := ts.fakes.HubSpot.Object(portal1, "invoices", id)
		return props["qbo_stage"], props["hs_invoice_status"]
	}
	midnight := time.Date(due.Year, due.Month, due.Day+1, 0, 0, 0, 0, la)
	moveTo(midnight.Add(-30 * time.Minute))
	if stage, _ := stageNow(); stage != "sent" {
		t.Errorf("23:30 on the due date in Los Angeles: stage %q, want sent", stage)
	}
	moveTo(midnight.Add(30 * time.Minute))
	if stage, status := stageNow(); stage != "overdue" || status != "open" {
		t.Errorf("after the sweep: stage %q, status %q; want overdue, open", stage, status)
	}
	// A second sweep the same day writes nothing.
	writes := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsUpdate, "20000001")
	if err := ts.svc.SweepOverdue(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsUpdate, "20000001") - writes; n != 0 {
		t.Errorf("a second sweep wrote %d times", n)
	}
}

// hubspotAPI calls the HubSpot fake as portal one's admin would.
func (ts *testServer) hubspotAPI(t *testing.T, method, path string, body any) {
	t.Helper()
	ts.hubspotAs(t, "hs-sandbox-token-portal-1", method, path, body)
}

// TestInvoiceMappingIsChecked: incompatible or malformed mappings are
// refused with a message naming both sides, and change nothing.
func TestInvoiceMappingIsChecked(t *testing.T) {
	ts := newTestServer(t)
	for _, c := range []struct {
		name string
		body any
		want []string
	}{
		{"an amount to a date", map[string]any{"fields": []any{map[string]any{"qbo": "TotalAmt", "hubspot": "hs_invoice_date"}}},
			[]string{"TotalAmt", "hs_invoice_date", "amounts go to number or text properties"}},
		{"text to a status dropdown", map[string]any{"fields": []any{map[string]any{"qbo": "CustomerName", "hubspot": "hs_invoice_status"}}},
			[]string{"CustomerName", "hs_invoice_status", "dropdown"}},
		{"a property twice", map[string]any{"fields": []any{map[string]any{"qbo": "DocNumber", "hubspot": "hs_number"},
			map[string]any{"qbo": "CustomerName", "hubspot": "hs_number"}}}, []string{"hs_number", "twice"}},
		{"an unknown property", map[string]any{"fields": []any{map[string]any{"qbo": "DocNumber", "hubspot": "qbo_nope"}}},
			[]string{"DocNumber", "qbo_nope"}},
		{"an unknown field", map[string]any{"fields": []any{map[string]any{"qbo": "Memo", "hubspot": "hs_number"}}}, []string{"Memo"}},
		{"no fields", map[string]any{"fields": []any{}}, []string{"at least one"}},
		{"fields missing", map[string]any{}, []string{"fields"}},
		{"half an entry", map[string]any{"fields": []any{map[string]any{"qbo": "DocNumber"}}}, []string{"Entry 1", "hubspot"}},
		{"an unknown key", map[string]any{"fields": []any{}, "portalId": 2}, []string{"portalId"}},
	} {
		_, a := ts.setMapping(t, c.body)
		wantError(t, c.name, a, http.StatusBadRequest, "invalid", c.want...)
	}
	var got invoiceSettingsAnswer
	ts.call(t, card(portal1), "GET", settingsRoute, settingsRoute).decode(t, &got)
	if m := got.Sync.Invoices.Mapping; !m.IsDefault || len(m.Fields) != 7 || m.Fields[0].QBO != "DocNumber" || m.Fields[0].HubSpot != "hs_number" {
		t.Errorf("mapping after refusals = %+v, want the defaults", m)
	}
}

// TestInvoiceSyncLostCreateAnswer: HubSpot makes the invoice but its answer
// is lost; the retry finds it by its key: one HubSpot invoice, recorded.
func TestInvoiceSyncLostCreateAnswer(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
	ts.fakes.HubSpot.AfterFaults().Inject(hubspotfake.RouteObjectsCreate+":invoices", hubspotfake.Fault{Drop: true, Times: 1})
	ts.invoiceSync(t, true, "create_or_update", "keep")
	inv := ts.createInvoice(t, usRealm, "1", "1", "NON", app.DateOf(time.Now().AddDate(0, 0, 30)))
	id, _ := ts.hubspotInvoice(t, inv, "the invoice reaches HubSpot", func(map[string]string) bool { return true })
	eventually(t, 5*time.Second, "the HubSpot invoice is recorded", func() bool {
		got, _ := ts.store.HubSpotInvoiceID(context.Background(), ts.conns[usRealm].ID, inv)
		return got == id
	})
	if n := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsCreate, "20000001"); n != 2 {
		t.Errorf("%d creates sent, want the lost one and its retry", n)
	}
	ts.payInFull(t, usRealm, inv)
	ts.hubspotInvoice(t, inv, "the HubSpot invoice turns paid", func(p map[string]string) bool { return p["hs_invoice_status"] == "paid" })
	if ids := ts.fakes.HubSpot.Objects(portal1, "invoices"); len(ids) != 1 || !strings.Contains(fmt.Sprint(ids), id) {
		t.Errorf("HubSpot invoices = %v, want only %s", ids, id)
	}
}

// TestInvoiceSyncThroughReconcile: with no webhook at all, the periodic
// reconcile (CDC) brings a new invoice into HubSpot, and only it: the
// seeded invoices predate the sync.
func TestInvoiceSyncThroughReconcile(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{reconcileEvery: 300 * time.Millisecond}))
	// The seed was written just now; QuickBooks keeps whole seconds, and a
	// change in the second the sync is turned on counts as after it.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1100 * time.Millisecond)))
	ts.invoiceSync(t, true, "create_or_update", "keep")
	inv := ts.createInvoice(t, usRealm, "1", "1", "NON", app.DateOf(time.Now().AddDate(0, 0, 30)))
	ts.hubspotInvoice(t, inv, "reconcile brings the invoice to HubSpot", func(p map[string]string) bool { return p["hs_invoice_status"] == "draft" })
	// CDC dates changes to the second, and reconcile skips a change no
	// later than the one applied: pay in the next second.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1100 * time.Millisecond)))
	ts.payInFull(t, usRealm, inv)
	ts.hubspotInvoice(t, inv, "reconcile brings the payment", func(p map[string]string) bool { return p["hs_invoice_status"] == "paid" })
	if ids := ts.fakes.HubSpot.Objects(portal1, "invoices"); len(ids) != 1 {
		t.Errorf("HubSpot invoices = %v, want only the new one", ids)
	}
}
