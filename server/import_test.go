package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// The historical import end to end: the settings action starts it, the
// queue works it against both fakes (their rate limits on), and the
// settings page follows its progress.

// importRoute is the settings action's route template.
const importRoute = "/api/v1/settings/sync/{object}/import"

type importAnswer struct {
	ID, ConnectionID, Object, State string
	Done, Total                     int
	RatePerSecond                   float64
	ETASeconds                      *int64
	Error                           string
	StartedAt, FinishedAt           string
}

// startImport posts the settings action for invoices.
func (ts *testServer) startImport(t testing.TB, connectionID string) (importAnswer, answer) {
	t.Helper()
	return ts.startImportOf(t, "invoices", connectionID)
}

// startImportOf posts the settings action for object.
func (ts *testServer) startImportOf(t testing.TB, object, connectionID string) (importAnswer, answer) {
	t.Helper()
	path := strings.Replace(importRoute, "{object}", object, 1)
	resp, err := card(portal1).Do(context.Background(), "POST", ts.url+path, map[string]any{"connectionId": connectionID})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var raw strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		raw.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if tt, ok := t.(*testing.T); ok {
		checkAgainstOpenAPI(tt, "POST", importRoute, resp.StatusCode, []byte(raw.String()))
	}
	a := answer{resp.StatusCode, []byte(raw.String())}
	var got importAnswer
	if a.status == http.StatusAccepted {
		if tt, ok := t.(*testing.T); ok {
			a.decode(tt, &got)
		}
	}
	return got, a
}

// latestImport is the settings page's import of object of the US company.
func (ts *testServer) latestImport(t *testing.T, object string) (importAnswer, bool) {
	t.Helper()
	a := ts.call(t, card(portal1), "GET", settingsRoute, settingsRoute)
	var s struct {
		Sync map[string]struct{ Imports []importAnswer }
	}
	a.decode(t, &s)
	for _, imp := range s.Sync[object].Imports {
		if imp.ConnectionID == ts.conns[usRealm].ID && imp.Object == object {
			return imp, true
		}
	}
	return importAnswer{}, false
}

// waitImport waits until the US company's latest invoice import is
// finished.
func (ts *testServer) waitImport(t *testing.T, within time.Duration) importAnswer {
	t.Helper()
	return ts.waitImportOf(t, "invoices", within)
}

// waitImportOf waits until the US company's latest import of object is
// finished.
func (ts *testServer) waitImportOf(t *testing.T, object string, within time.Duration) importAnswer {
	t.Helper()
	var imp importAnswer
	eventually(t, within, "the "+object+" import finishes", func() bool {
		imp, _ = ts.latestImport(t, object)
		return imp.State == "done" || imp.State == "failed"
	})
	return imp
}

// seedInvoices adds n invoices to the US company, several per CreateTime
// second, for the three active customers in turn.
func (ts *testServer) seedInvoices(t testing.TB, n, perSecond int) []string {
	t.Helper()
	ids, err := ts.fakes.QBO.SeedInvoices(usRealm, qbofake.InvoiceSeed{Count: n, CustomerIDs: []string{"1", "2", "3"}, ItemID: "2",
		Start: time.Now().Add(-48 * time.Hour), PerSecond: perSecond})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// importedKeys checks that portal one has exactly one live HubSpot invoice
// per key of the US company and returns them by QuickBooks id.
func (ts *testServer) importedKeys(t *testing.T) map[string]string {
	t.Helper()
	byKey := map[string]string{}
	for _, id := range ts.fakes.HubSpot.Objects(portal1, "invoices") {
		props, _ := ts.fakes.HubSpot.Object(portal1, "invoices", id)
		key := props[app.InvoiceKeyProperty]
		if prev, dup := byKey[key]; dup {
			t.Errorf("HubSpot invoices %s and %s share key %s", prev, id, key)
		}
		byKey[key] = id
	}
	out := map[string]string{}
	for key, id := range byKey {
		out[strings.TrimPrefix(key, usRealm+":")] = id
	}
	return out
}

// seededInvoice is the id of a demo invoice of the US company.
func seededInvoice(ts *testServer, label string) string {
	for _, r := range ts.fakes.Seed.Realms {
		if r.RealmID == usRealm {
			return r.Records["invoices"][label]
		}
	}
	return ""
}

// TestImportCopiesEveryExistingInvoice: with invoice sync on, the settings
// action imports the company's 256 invoices (several per second of
// CreateTime) into HubSpot's invoice object, in batches: one HubSpot
// invoice each, none for the voided one, the one already in HubSpot (made
// before, its mapping row lost) found by key and updated, associations by
// batch, no 429. A second start answers the import under way; once done,
// an import again creates nothing.
func TestImportCopiesEveryExistingInvoice(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{}))
	conn := ts.conns[usRealm].ID
	ids := ts.seedInvoices(t, 250, 7)

	_, a := ts.startImport(t, conn)
	wantError(t, "import with invoice sync off", a, http.StatusBadRequest, "invalid", "Turn invoice sync on")
	ts.invoiceSync(t, true, "create_or_update", "keep")
	_, a = ts.startImport(t, "nope")
	wantError(t, "import of an unknown company", a, http.StatusNotFound, "not_found")
	_, a = ts.startImport(t, "")
	wantError(t, "import without a company", a, http.StatusBadRequest, "invalid", "connectionId")

	// An invoice HubSpot has from before, whose mapping row was lost.
	sent := seededInvoice(ts, "sent")
	ts.hubspotAPI(t, "POST", "/crm/v3/properties/invoices", map[string]any{"name": app.InvoiceKeyProperty, "label": "QuickBooks invoice key",
		"type": "string", "fieldType": "text", "groupName": "invoiceinformation", "hasUniqueValue": true})
	ts.hubspotAPI(t, "POST", "/crm/v3/objects/invoices", map[string]any{"properties": map[string]string{
		"hs_currency": "USD", "hs_number": "stale", app.InvoiceKeyProperty: app.InvoiceKey(usRealm, sent)}})

	ts.fakes.HubSpot.Counters().Reset()
	started, a := ts.startImport(t, conn)
	if a.status != http.StatusAccepted || started.ID == "" || started.ConnectionID != conn {
		t.Fatalf("start: %d %s", a.status, a.body)
	}
	again, a := ts.startImport(t, conn)
	if a.status != http.StatusAccepted || again.ID != started.ID {
		t.Errorf("second start = %s (%d), want the import under way %s", again.ID, a.status, started.ID)
	}
	imp := ts.waitImport(t, 60*time.Second)
	if imp.State != "done" || imp.Done != 256 || imp.Total != 256 || imp.Error != "" || imp.ETASeconds == nil || *imp.ETASeconds != 0 || imp.FinishedAt == "" {
		t.Fatalf("import = %+v, want done with 256 of 256", imp)
	}

	got := ts.importedKeys(t)
	voided := seededInvoice(ts, "voided")
	if len(got) != 255 {
		t.Errorf("%d HubSpot invoices, want 255 (every invoice but the voided one)", len(got))
	}
	if _, ok := got[voided]; ok {
		t.Error("the voided invoice, never copied before, was imported")
	}
	for _, id := range ids {
		if got[id] == "" {
			t.Fatalf("invoice %s was not imported", id)
		}
	}
	props, _ := ts.fakes.HubSpot.Object(portal1, "invoices", got[sent])
	if props["hs_number"] == "stale" || props["hs_invoice_status"] != "open" {
		t.Errorf("the invoice made before = %v, want it updated", props)
	}
	pairs, _ := ts.store.HubSpotInvoiceIDs(context.Background(), conn)
	if len(pairs) != 255 || pairs[sent] != got[sent] {
		t.Errorf("%d mapping rows (sent: %s), want 255 (%s)", len(pairs), pairs[sent], got[sent])
	}
	// Acme's invoices reach Alice and Acme; deal 1011's linked ones, the deal.
	first := got[ids[0]] // customer 1, Acme
	if fmt.Sprint(ts.associated(first, "contacts")) != "[1004]" || fmt.Sprint(ts.associated(first, "companies")) != "[1001]" {
		t.Errorf("Acme's invoice: contacts %v, companies %v", ts.associated(first, "contacts"), ts.associated(first, "companies"))
	}
	if deals := ts.associated(got[seededInvoice(ts, "awaiting_send")], "deals"); fmt.Sprint(deals) != "[1011]" {
		t.Errorf("deal 1011's invoice: deals %v", deals)
	}

	c := ts.fakes.HubSpot.Counters()
	if n := c.Count(hubspotfake.RouteObjectsCreate, "20000001") + c.Count(hubspotfake.RouteObjectsUpdate, "20000001"); n != 0 {
		t.Errorf("%d single-invoice writes, want batches only", n)
	}
	if n := c.Count(hubspotfake.RouteObjectsBatchCreate, "20000001"); n != 3 {
		t.Errorf("%d batch creates for 256 invoices, want 3", n)
	}
	if n := c.Count("", "20000001"); n > 3*8 {
		t.Errorf("%d HubSpot calls for 256 invoices, want at most 8 per batch of 100", n)
	}
	if n := ts.fakes.HubSpot.Throttled().Count("", "") + ts.fakes.QBO.Throttled().Count("", ""); n != 0 {
		t.Errorf("the fakes answered %d 429s", n)
	}

	// Again: a new import, which updates and creates nothing.
	creates := c.Count(hubspotfake.RouteObjectsBatchCreate, "20000001")
	second, a := ts.startImport(t, conn)
	if a.status != http.StatusAccepted || second.ID == started.ID {
		t.Fatalf("import again: %d %s", a.status, a.body)
	}
	if imp := ts.waitImport(t, 60*time.Second); imp.State != "done" || imp.Done != 256 {
		t.Errorf("second import = %+v", imp)
	}
	if n := c.Count(hubspotfake.RouteObjectsBatchCreate, "20000001") - creates; n != 0 {
		t.Errorf("the second import made %d batch creates", n)
	}
	if n := len(ts.importedKeys(t)); n != 255 {
		t.Errorf("%d HubSpot invoices after the second import, want 255", n)
	}
}

// TestImportFailsWithASentenceAndResumes: HubSpot refuses a batch for good;
// the import fails saying how far it got and what to do, and starting
// again goes on from there: every invoice once, total right.
func TestImportFailsWithASentenceAndResumes(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{}))
	conn := ts.conns[usRealm].ID
	ts.seedInvoices(t, 294, 3)
	ts.invoiceSync(t, true, "create_or_update", "keep")
	// The first batch create goes through, the second is refused for good
	// (faults on a route are used in order; one without a status passes).
	route := hubspotfake.RouteObjectsBatchCreate + ":invoices"
	ts.fakes.HubSpot.Faults().Inject(route, hubspotfake.Fault{Times: 1})
	ts.fakes.HubSpot.Faults().Inject(route, hubspotfake.Fault{Status: http.StatusBadRequest, Times: 1,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(`{"status":"error","message":"Property values were not valid","category":"VALIDATION_ERROR"}`)})

	if _, a := ts.startImport(t, conn); a.status != http.StatusAccepted {
		t.Fatalf("start: %d %s", a.status, a.body)
	}
	imp := ts.waitImport(t, 30*time.Second)
	if imp.State != "failed" || imp.Done != 100 || imp.Error != "The import stopped after 100 of 300 invoices: HubSpot rejected the request: Property values were not valid. Start it again to go on from there." {
		t.Fatalf("import = %+v, want failed after 100 with a sentence", imp)
	}
	stoppedAt := imp.Done

	again, a := ts.startImport(t, conn)
	if a.status != http.StatusAccepted || again.ID == imp.ID || again.Done != stoppedAt {
		t.Fatalf("start again: %d %s; want a new import from %d", a.status, a.body, stoppedAt)
	}
	imp = ts.waitImport(t, 30*time.Second)
	if imp.State != "done" || imp.Done != 300 || imp.Total != 300 {
		t.Fatalf("resumed import = %+v, want 300 of 300", imp)
	}
	if n := len(ts.importedKeys(t)); n != 299 {
		t.Errorf("%d HubSpot invoices, want 299 (all but the voided one)", n)
	}
}

// TestImportUpdateOnly: under update_only the import updates the invoices
// HubSpot has from the sync and creates none.
func TestImportUpdateOnly(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{}))
	conn := ts.conns[usRealm].ID
	ts.seedInvoices(t, 30, 1)
	ts.invoiceSync(t, true, "update_only", "keep")
	ts.hubspotAPI(t, "POST", "/crm/v3/properties/invoices", map[string]any{"name": app.InvoiceKeyProperty, "label": "QuickBooks invoice key",
		"type": "string", "fieldType": "text", "groupName": "invoiceinformation", "hasUniqueValue": true})
	paid := seededInvoice(ts, "paid")
	ts.hubspotAPI(t, "POST", "/crm/v3/objects/invoices", map[string]any{"properties": map[string]string{
		"hs_currency": "USD", app.InvoiceKeyProperty: app.InvoiceKey(usRealm, paid)}})
	hid := ts.fakes.HubSpot.Objects(portal1, "invoices")[0]
	if err := ts.store.SaveHubSpotInvoiceID(context.Background(), conn, paid, hid); err != nil {
		t.Fatal(err)
	}
	if _, a := ts.startImport(t, conn); a.status != http.StatusAccepted {
		t.Fatalf("start: %d %s", a.status, a.body)
	}
	if imp := ts.waitImport(t, 30*time.Second); imp.State != "done" || imp.Done != 36 {
		t.Fatalf("import = %+v", imp)
	}
	if ids := ts.fakes.HubSpot.Objects(portal1, "invoices"); fmt.Sprint(ids) != "["+hid+"]" {
		t.Errorf("HubSpot invoices = %v, want only %s", ids, hid)
	}
	if props, _ := ts.fakes.HubSpot.Object(portal1, "invoices", hid); props["hs_invoice_status"] != "paid" || props["hs_amount_billed"] != "105.84" {
		t.Errorf("the synced invoice = %v, want it updated to paid", props)
	}

	// Invoice sync set to nothing: an import would change nothing.
	ts.invoiceSync(t, true, "nothing", "keep")
	_, a := ts.startImport(t, conn)
	wantError(t, "import with nothing to do", a, http.StatusBadRequest, "invalid", "do nothing")
}
