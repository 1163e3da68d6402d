package server_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// The historical import of customers (into contacts and companies) and
// items (into products) end to end: the settings action starts it, the
// queue works it in slices against both fakes (their rate limits on), and
// the result is what contact and product sync would have made, once.

// liveNamed lists portal one's live records of a type whose name is name.
func (ts *testServer) liveNamed(objectType, name string) []string {
	var ids []string
	for _, id := range ts.fakes.HubSpot.Objects(portal1, objectType) {
		if p, _ := ts.fakes.HubSpot.Object(portal1, objectType, id); p["name"] == name {
			ids = append(ids, id)
		}
	}
	return ids
}

// createCustomers makes n customers of the US company, named "<name> i",
// with the address <tag>i@example.test.
func (ts *testServer) createCustomers(t *testing.T, n int, name, tag string) {
	t.Helper()
	for i := range n {
		ts.createCustomer(t, fmt.Sprintf(`{"DisplayName":"%s %d","PrimaryEmailAddr":{"Address":"%s%d@example.test"}}`, name, i, tag, i))
	}
}

// wantOneContactEach checks that each of createCustomers' customers has
// one contact.
func (ts *testServer) wantOneContactEach(t *testing.T, n int, tag string) {
	t.Helper()
	for i := range n {
		if ids := ts.contactsWithEmail(fmt.Sprintf("%s%d@example.test", tag, i)); len(ids) != 1 {
			t.Errorf("contacts with %s%d@example.test = %v, want one", tag, i, ids)
		}
	}
}

// importedCount sums the records the sync log's import entries of object
// say they processed.
func (ts *testServer) importedCount(t *testing.T, object string) (int, int) {
	t.Helper()
	re := regexp.MustCompile(`^Import: (\d+) \w+ processed: `)
	sum, entries := 0, 0
	for _, e := range ts.syncLog(t, portal1, url.Values{"object": {object}, "limit": {"200"}}).Entries {
		if e.Source != "import" || e.Action != "imported" {
			continue
		}
		m := re.FindStringSubmatch(e.Message)
		if m == nil {
			t.Errorf("import entry %q", e.Message)
			continue
		}
		n, _ := strconv.Atoi(m[1])
		sum += n
		entries++
	}
	return sum, entries
}

// TestImportCustomersIntoContacts: with contact sync on, the settings
// action imports the company's 41 customers, in batches and slices: a
// contact per email (Alice's and Amy's matched, not made again), the
// customer without email left out, the inactive one never synced left out,
// one company per company name (Acme matched by name, Zeta made once with
// its key for its six customers), the pairs recorded, the sync log summing
// up every batch, the progress on the settings page. Again, it makes
// nothing.
func TestImportCustomersIntoContacts(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{}))
	conn := ts.conns[usRealm].ID
	var made []string
	for i := range 36 {
		body := fmt.Sprintf(`{"DisplayName":"Imported %02d","GivenName":"Imp","FamilyName":"Person %02d","PrimaryEmailAddr":{"Address":"imp%02d@example.test"}`, i, i, i)
		if i%6 == 0 {
			body += `,"CompanyName":"Zeta Widgets"`
		}
		made = append(made, ts.createCustomer(t, body+"}"))
	}
	noMail := ts.createCustomer(t, `{"DisplayName":"No Mail Ltd"}`)

	_, a := ts.startImportOf(t, "contacts", conn)
	wantError(t, "import with contact sync off", a, http.StatusBadRequest, "invalid", "Turn contact sync on before importing customers")
	_, a = ts.startImportOf(t, "deals", conn)
	wantError(t, "an import of deals", a, http.StatusBadRequest, "invalid")
	ts.recordSync(t, "contacts", true, "create_or_update", "keep")
	contactsBefore := len(ts.fakes.HubSpot.Objects(portal1, "contacts"))

	started, a := ts.startImportOf(t, "contacts", conn)
	if a.status != http.StatusAccepted || started.Object != "contacts" || started.ConnectionID != conn {
		t.Fatalf("start: %d %s", a.status, a.body)
	}
	if again, a := ts.startImportOf(t, "contacts", conn); a.status != http.StatusAccepted || again.ID != started.ID {
		t.Errorf("second start = %s (%d), want the import under way %s", again.ID, a.status, started.ID)
	}
	imp := ts.waitImportOf(t, "contacts", 90*time.Second)
	if imp.State != "done" || imp.Done != 41 || imp.Total != 41 || imp.Error != "" || imp.ETASeconds == nil || *imp.ETASeconds != 0 {
		t.Fatalf("import = %+v, want done with 41 of 41", imp)
	}
	if inv, ok := ts.latestImport(t, "invoices"); ok {
		t.Errorf("the settings page shows an invoice import: %+v", inv)
	}

	for i, id := range made {
		email := fmt.Sprintf("imp%02d@example.test", i)
		contacts := ts.contactsWithEmail(email)
		if len(contacts) != 1 {
			t.Fatalf("contacts with %s = %v, want one", email, contacts)
		}
		rec := ts.syncedRecord(app.SyncContacts, id)
		if rec.HubSpotID != contacts[0] || (i%6 == 0) != (rec.CompanyID != "") {
			t.Errorf("customer %s recorded as %+v, want contact %s", id, rec, contacts[0])
		}
	}
	zeta := ts.liveNamed("companies", "Zeta Widgets")
	if len(zeta) != 1 {
		t.Fatalf("companies named Zeta Widgets = %v, want one", zeta)
	}
	if p, _ := ts.fakes.HubSpot.Object(portal1, "companies", zeta[0]); p[app.CompanyKeyProperty] != app.CompanyKey(usRealm, "Zeta Widgets") {
		t.Errorf("Zeta Widgets = %v, want its key", p)
	}
	if rec := ts.syncedRecord(app.SyncContacts, made[6]); rec.CompanyID != zeta[0] {
		t.Errorf("a Zeta customer's company = %s, want %s", rec.CompanyID, zeta[0])
	}
	if ids := ts.contactsWithEmail("ap@acme.example"); fmt.Sprint(ids) != "[1004]" {
		t.Errorf("contacts with Alice's email = %v, want only 1004", ids)
	}
	if rec := ts.syncedRecord(app.SyncContacts, "1"); rec.HubSpotID != "1004" || rec.CompanyID != "1001" {
		t.Errorf("Acme's customer recorded as %+v, want contact 1004 and company 1001", rec)
	}
	if ids := ts.liveNamed("companies", "Acme Corporation"); fmt.Sprint(ids) != "[1001]" {
		t.Errorf("companies named Acme Corporation = %v, want only 1001", ids)
	}
	if rec := ts.syncedRecord(app.SyncContacts, "4"); rec.HubSpotID != "" || len(ts.contactsWithEmail("info@initech.example")) != 0 {
		t.Errorf("inactive Initech was copied: %+v", rec)
	}
	if rec := ts.syncedRecord(app.SyncContacts, noMail); rec.HubSpotID != "" {
		t.Errorf("the customer without email was copied: %+v", rec)
	}
	// 36 made, Globex's contact made; Alice and Amy updated.
	contactsAfter := len(ts.fakes.HubSpot.Objects(portal1, "contacts"))
	if n := contactsAfter - contactsBefore; n != 37 {
		t.Errorf("%d contacts made, want 37", n)
	}
	if sum, entries := ts.importedCount(t, "contacts"); sum != 41 || entries < 1 {
		t.Errorf("the sync log's import entries sum to %d customers in %d entries, want 41", sum, entries)
	}
	if n := ts.fakes.HubSpot.Throttled().Count("", "") + ts.fakes.QBO.Throttled().Count("", ""); n != 0 {
		t.Errorf("the fakes answered %d 429s", n)
	}

	// Again: a new import that finds everything and makes nothing.
	companies := len(ts.fakes.HubSpot.Objects(portal1, "companies"))
	second, a := ts.startImportOf(t, "contacts", conn)
	if a.status != http.StatusAccepted || second.ID == started.ID {
		t.Fatalf("import again: %d %s", a.status, a.body)
	}
	if imp := ts.waitImportOf(t, "contacts", 90*time.Second); imp.State != "done" || imp.Done != 41 {
		t.Errorf("second import = %+v", imp)
	}
	if n := len(ts.fakes.HubSpot.Objects(portal1, "contacts")); n != contactsAfter {
		t.Errorf("%d contacts after the second import, want %d", n, contactsAfter)
	}
	if n := len(ts.fakes.HubSpot.Objects(portal1, "companies")); n != companies {
		t.Errorf("%d companies after the second import, want %d", n, companies)
	}
}

// TestImportItemsIntoProducts: with product sync on, the import copies the
// company's items as product sync would: Design hours onto product 1008
// (its SKU), Consulting onto 1009 (its name), the others new with their
// key, the inactive one left out; a second import makes nothing. Under
// update_only it only updates.
func TestImportItemsIntoProducts(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{}))
	conn := ts.conns[usRealm].ID
	widget := ts.createItem(t, widgetItem)
	ts.recordSync(t, "products", true, "update_only", "keep")
	before := len(ts.fakes.HubSpot.Objects(portal1, "products"))
	if _, a := ts.startImportOf(t, "products", conn); a.status != http.StatusAccepted {
		t.Fatalf("start: %d %s", a.status, a.body)
	}
	if imp := ts.waitImportOf(t, "products", 30*time.Second); imp.State != "done" || imp.Done != 6 {
		t.Fatalf("update_only import = %+v", imp)
	}
	if n := len(ts.fakes.HubSpot.Objects(portal1, "products")); n != before {
		t.Errorf("update_only made %d products", n-before)
	}
	if ts.syncedRecord(app.SyncProducts, "1").HubSpotID != "1008" {
		t.Error("update_only did not match Design hours to product 1008")
	}

	ts.recordSync(t, "products", true, "create_or_update", "keep")
	if _, a := ts.startImportOf(t, "products", conn); a.status != http.StatusAccepted {
		t.Fatalf("start: %d %s", a.status, a.body)
	}
	if imp := ts.waitImportOf(t, "products", 30*time.Second); imp.State != "done" || imp.Done != 6 || imp.Total != 6 {
		t.Fatalf("import = %+v, want 6 of 6", imp)
	}
	if r := ts.syncedRecord(app.SyncProducts, "2"); r.HubSpotID != "1009" {
		t.Errorf("Consulting = %+v, want product 1009", r)
	}
	for _, name := range []string{"Rock Fountain", "Hosting (monthly)", "Widget Pro"} {
		if ids := ts.liveNamed("products", name); len(ids) != 1 {
			t.Errorf("products named %s = %v, want one", name, ids)
		}
	}
	p, _ := ts.fakes.HubSpot.Object(portal1, "products", ts.syncedRecord(app.SyncProducts, widget).HubSpotID)
	if p[app.ProductKeyProperty] != app.ProductKey(usRealm, widget) || p["hs_sku"] != "WP-100" || p["price"] != "12.50" {
		t.Errorf("Widget Pro's product = %v", p)
	}
	if ids := ts.liveNamed("products", "Legacy widget"); len(ids) != 0 {
		t.Errorf("the inactive item was copied: %v", ids)
	}
	made := len(ts.fakes.HubSpot.Objects(portal1, "products"))
	if made-before != 3 {
		t.Errorf("%d products made, want 3", made-before)
	}

	if _, a := ts.startImportOf(t, "products", conn); a.status != http.StatusAccepted {
		t.Fatalf("start again: %d %s", a.status, a.body)
	}
	if imp := ts.waitImportOf(t, "products", 30*time.Second); imp.State != "done" {
		t.Fatalf("second import = %+v", imp)
	}
	if n := len(ts.fakes.HubSpot.Objects(portal1, "products")); n != made {
		t.Errorf("the second import made %d products", n-made)
	}
}

// TestCustomerImportFailsAndResumes: HubSpot refuses a contact for good;
// the import fails saying which customer and how far it got, logs a failed
// entry whose retry goes on from there, and in the end every customer is
// one contact.
func TestCustomerImportFailsAndResumes(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{}))
	conn := ts.conns[usRealm].ID
	ts.createCustomers(t, 8, "Resumed", "res")
	ts.recordSync(t, "contacts", true, "create_or_update", "nothing")
	// Globex's contact and three more go through; the fifth create is
	// refused for good.
	route := hubspotfake.RouteObjectsCreate + ":contacts"
	ts.fakes.HubSpot.Faults().Inject(route, hubspotfake.Fault{Times: 4})
	ts.fakes.HubSpot.Faults().Inject(route, hubspotfake.Fault{Status: http.StatusBadRequest, Times: 1,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(`{"status":"error","message":"Property values were not valid","category":"VALIDATION_ERROR"}`)})
	if _, a := ts.startImportOf(t, "contacts", conn); a.status != http.StatusAccepted {
		t.Fatalf("start: %d %s", a.status, a.body)
	}
	imp := ts.waitImportOf(t, "contacts", 30*time.Second)
	want := `The import stopped after 7 of 12 customers: QuickBooks customer "Resumed 3" could not be copied: HubSpot rejected the request: Property values were not valid. Start it again to go on from there.`
	if imp.State != "failed" || imp.Done != 7 || imp.Error != want {
		t.Fatalf("import = %+v\nwant failed after 7: %s", imp, want)
	}
	var failed []syncLogEntryAnswer
	eventually(t, 5*time.Second, "the import's failed entry", func() bool {
		failed = ts.syncLog(t, portal1, url.Values{"object": {"contacts"}, "outcome": {"failed"}}).Entries
		return len(failed) == 1
	})
	if failed[0].Source != "import" || !failed[0].Retryable {
		t.Fatalf("failed entry = %+v", failed[0])
	}
	if a := ts.retry(t, portal1, failed[0].ID); a.status != http.StatusAccepted {
		t.Fatalf("retry: %d %s", a.status, a.body)
	}
	if imp := ts.waitImportOf(t, "contacts", 30*time.Second); imp.State != "done" || imp.Done != 12 || imp.Total != 12 {
		t.Fatalf("import after the retry = %+v, want 12 of 12", imp)
	}
	ts.wantOneContactEach(t, 8, "res")
}

// TestCustomerImportInSlices: with jobs of 1.5 s and a slow HubSpot, the
// import runs in many slices, each stopping between two customers and
// storing what it did (a sync log entry for each part of a batch): every
// customer once, the count right.
func TestCustomerImportInSlices(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{jobTimeout: 1500 * time.Millisecond}))
	conn := ts.conns[usRealm].ID
	ts.createCustomers(t, 20, "Sliced", "slice")
	ts.recordSync(t, "contacts", true, "create_or_update", "nothing")
	ts.fakes.HubSpot.Faults().Inject(hubspotfake.AnyRoute, hubspotfake.Fault{Latency: 60 * time.Millisecond})
	if _, a := ts.startImportOf(t, "contacts", conn); a.status != http.StatusAccepted {
		t.Fatalf("start: %d %s", a.status, a.body)
	}
	if imp := ts.waitImportOf(t, "contacts", 60*time.Second); imp.State != "done" || imp.Done != 24 || imp.Total != 24 {
		t.Fatalf("import = %+v, want 24 of 24", imp)
	}
	ts.wantOneContactEach(t, 20, "slice")
	if sum, entries := ts.importedCount(t, "contacts"); sum != 24 || entries < 2 {
		t.Errorf("the import's entries sum to %d customers in %d entries; want 24 in several (a batch split across slices)", sum, entries)
	}
}
