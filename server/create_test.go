package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

const (
	draftRoute  = "/api/v1/records/{objectType}/{objectId}/invoice-draft"
	createRoute = "/api/v1/records/{objectType}/{objectId}/invoices"
)

type draftAnswer struct {
	Source string
	Quotes []struct {
		ID, Number  string
		Invoiceable bool
		Reason      string
	}
	Customers         []struct{ ID, DisplayName, Reason string }
	Lines             []struct{ LineItemID, ItemID, Match string }
	TaxCodes          []struct{ ID, Name string }
	DocNumberRequired bool
	Currency          struct{ Invoice, Deal, DealPropertiesNote string }
	Invoice           map[string]any
	Missing           []string
}

type createAnswer struct {
	Invoice struct {
		InvoiceID, Number, Status, Total, Currency string
		Known                                      bool
	}
	Links           []struct{ LinkID, ObjectType, ObjectID string }
	CustomerCreated bool
	DealProperties  struct {
		Written bool
		Values  map[string]string
		Reason  string
	}
	Replayed bool
}

func (ts *testServer) draft(t *testing.T, record, realm, quoteID string) (draftAnswer, answer) {
	t.Helper()
	q := url.Values{"connectionId": {ts.conns[realm].ID}}
	if quoteID != "" {
		q.Set("quoteId", quoteID)
	}
	a := ts.call(t, card(portal1), "GET", "/api/v1/records/"+record+"/invoice-draft?"+q.Encode(), draftRoute)
	var d draftAnswer
	if a.status == 200 {
		a.decode(t, &d)
	}
	return d, a
}

func (ts *testServer) create(t *testing.T, record, key string, invoice map[string]any) (createAnswer, answer) {
	t.Helper()
	body := map[string]any{"idempotencyKey": key}
	for k, v := range invoice {
		body[k] = v
	}
	resp, err := card(portal1).Do(context.Background(), "POST", ts.url+"/api/v1/records/"+record+"/invoices", body)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	checkAgainstOpenAPI(t, "POST", createRoute, resp.StatusCode, raw)
	var c createAnswer
	if resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, &c); err != nil {
			t.Fatal(err)
		}
	}
	return c, answer{resp.StatusCode, raw}
}

// qboCount counts entities in a fake QuickBooks company with its own query
// language, as any client would.
func (ts *testServer) qboCount(t *testing.T, realm, entity string) int {
	t.Helper()
	stmt := url.QueryEscape("SELECT COUNT(*) FROM " + entity)
	req, _ := http.NewRequest("GET", "https://quickbooks.api.intuit.com/v3/company/"+realm+"/query?query="+stmt, nil)
	token := map[string]string{usRealm: "qbo-sandbox-access-us", caRealm: "qbo-sandbox-access-ca"}[realm]
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := (&http.Client{Transport: ts.fakes.QBO.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ QueryResponse struct{ TotalCount int } }
	json.NewDecoder(resp.Body).Decode(&out)
	return out.QueryResponse.TotalCount
}

func TestDraftFromQuotesInEveryStatus(t *testing.T) {
	ts := newTestServer(t)
	d, a := ts.draft(t, "deals/1011", usRealm, "")
	if a.status != 200 {
		t.Fatalf("scratch draft: %d %s", a.status, a.body)
	}
	want := map[string]bool{"1014": true, "1017": true, "1020": false, "1023": false, "1026": false}
	for _, q := range d.Quotes {
		if w, ok := want[q.ID]; !ok || q.Invoiceable != w {
			t.Errorf("quote %s (%s): invoiceable %v, want %v (%s)", q.ID, q.Number, q.Invoiceable, w, q.Reason)
		}
	}
	cases := []struct {
		quote, wantIn string
	}{
		{"1020", "Quote Q-1003 is a draft"},
		{"1023", "Quote Q-1004 expired on"},
		{"1026", "Quote Q-1005 is waiting for approval"},
	}
	for _, c := range cases {
		_, a := ts.draft(t, "deals/1011", usRealm, c.quote)
		if a.status != 400 || a.errorCode(t) != "invalid" || !bytes.Contains(a.body, []byte(c.wantIn)) {
			t.Errorf("quote %s: %d %s, want 400 with %q", c.quote, a.status, a.body, c.wantIn)
		}
	}

	d, a = ts.draft(t, "deals/1011", usRealm, "1014")
	if a.status != 200 || d.Source != "quote" {
		t.Fatalf("published quote: %d %s", a.status, a.body)
	}
	if len(d.Customers) == 0 || d.Customers[0].DisplayName != "Acme Corporation" || !strings.Contains(d.Customers[0].Reason, "ap@acme.example") {
		t.Errorf("customer candidates = %+v, want Acme Corporation matched by email first", d.Customers)
	}
	if len(d.Lines) != 2 || d.Lines[0].Match != "sku" || d.Lines[1].ItemID != "" {
		t.Errorf("lines = %+v, want Design hours matched by SKU and Premium support unmatched", d.Lines)
	}
	if fmt.Sprint(d.Missing) != "[lines[1].itemId]" {
		t.Errorf("missing = %v, want the unmatched line", d.Missing)
	}
	lines := d.Invoice["lines"].([]any)
	if l := lines[1].(map[string]any); l["unitPrice"] != "450.00" {
		t.Errorf("discounted line unit price = %v, want 450.00 (500 less 50)", l["unitPrice"])
	}
}

func TestCreateFromScratchDraftPostedUnchanged(t *testing.T) {
	ts := newTestServer(t)
	d, _ := ts.draft(t, "deals/1011", usRealm, "")
	if len(d.Missing) != 0 {
		t.Fatalf("deal 1011's own lines all match: missing = %v", d.Missing)
	}
	before := ts.qboCount(t, usRealm, "Invoice")
	c, a := ts.create(t, "deals/1011", "scratch-key-0001", d.Invoice)
	if a.status != 201 {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	if c.Invoice.Total != "600.00" || c.Invoice.Status != "awaiting_send" || c.CustomerCreated {
		t.Errorf("invoice = %+v, customer created %v", c.Invoice, c.CustomerCreated)
	}
	linked := map[string]string{}
	for _, l := range c.Links {
		linked[l.ObjectType] = l.ObjectID
	}
	if linked["deals"] != "1011" || linked["contacts"] != "1004" || linked["companies"] != "1001" {
		t.Errorf("links = %v, want the deal, its contact and its company", linked)
	}
	if !c.DealProperties.Written || c.DealProperties.Values["qbo_invoice_number"] != c.Invoice.Number {
		t.Errorf("deal properties = %+v", c.DealProperties)
	}
	props, _ := ts.fakes.HubSpot.Object(portal1, "deals", "1011")
	if props["qbo_invoice_number"] != c.Invoice.Number || props["qbo_invoice_status"] != "awaiting_send" {
		t.Errorf("HubSpot deal properties = %v", props)
	}
	if n := ts.qboCount(t, usRealm, "Invoice"); n != before+1 {
		t.Errorf("QuickBooks has %d invoices, want %d", n, before+1)
	}

	reads := ts.fakes.QBO.Counters().Count("", usRealm)
	var got cardAnswer
	ts.call(t, card(portal1), "GET", "/api/v1/records/contacts/1004/invoices", cardPath).decode(t, &got)
	if len(got.Groups) != 1 || got.Groups[0].Invoices[0].InvoiceID != c.Invoice.InvoiceID {
		t.Errorf("the contact's card does not show the new invoice: %+v", got.Groups)
	}
	if n := ts.fakes.QBO.Counters().Count("", usRealm) - reads; n != 0 {
		t.Errorf("the card after a create made %d QuickBooks calls, want 0", n)
	}
}

func TestCreateIsIdempotent(t *testing.T) {
	ts := newTestServer(t)
	d, _ := ts.draft(t, "deals/1011", usRealm, "")
	before := ts.qboCount(t, usRealm, "Invoice")
	creates := ts.fakes.QBO.Counters().Count(qbofake.RouteInvoiceCreate, usRealm)

	var wg sync.WaitGroup
	ids := make([]string, 20)
	for i := range ids {
		wg.Go(func() {
			c, a := ts.create(t, "deals/1011", "double-click-0001", d.Invoice)
			if a.status != 201 && a.status != 200 {
				t.Errorf("click %d: %d %s", i, a.status, a.body)
			}
			ids[i] = c.Invoice.InvoiceID
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("twenty clicks made different invoices: %v", ids)
		}
	}
	if n := ts.qboCount(t, usRealm, "Invoice"); n != before+1 {
		t.Fatalf("twenty clicks: QuickBooks has %d new invoices, want 1", n-before)
	}
	// Not only one invoice: one request to QuickBooks. The others waited for
	// its answer rather than relying on QBO's requestid replay.
	if n := ts.fakes.QBO.Counters().Count(qbofake.RouteInvoiceCreate, usRealm) - creates; n != 1 {
		t.Errorf("twenty clicks sent %d invoice creates to QuickBooks, want 1", n)
	}
	c, a := ts.create(t, "deals/1011", "double-click-0001", d.Invoice)
	if a.status != 200 || !c.Replayed || c.Invoice.InvoiceID != ids[0] {
		t.Errorf("a retry must replay the first answer: %d %s", a.status, a.body)
	}
	other := map[string]any{}
	for k, v := range d.Invoice {
		other[k] = v
	}
	other["message"] = "a different invoice"
	if _, a := ts.create(t, "deals/1011", "double-click-0001", other); a.status != 409 || a.errorCode(t) != "conflict" {
		t.Errorf("same key, other body: %d %s", a.status, a.body)
	}
}

func TestCreateThatCannotCompleteFinishesOnRetry(t *testing.T) {
	ts := newTestServer(t)
	d, _ := ts.draft(t, "deals/1011", usRealm, "")
	before := ts.qboCount(t, usRealm, "Invoice")
	ts.fakes.QBO.Faults().Inject(qbofake.RouteInvoiceCreate, qbofake.Fault{Status: 503, Body: []byte("busy")})
	if _, a := ts.create(t, "deals/1011", "retry-later-0001", d.Invoice); a.status != 503 || a.errorCode(t) != "unavailable" {
		t.Fatalf("QuickBooks down: %d %s, want 503 unavailable", a.status, a.body)
	}
	ts.fakes.QBO.Faults().Clear("")
	c, a := ts.create(t, "deals/1011", "retry-later-0001", d.Invoice)
	if a.status != 201 {
		t.Fatalf("retry: %d %s", a.status, a.body)
	}
	if n := ts.qboCount(t, usRealm, "Invoice"); n != before+1 || c.Invoice.InvoiceID == "" {
		t.Fatalf("after the retry QuickBooks has %d new invoices, want 1", n-before)
	}

	// A 500 once: the adapter retries the POST with the same requestid.
	ts.fakes.QBO.Faults().Inject(qbofake.RouteInvoiceCreate, qbofake.Fault{Status: 500, Body: []byte("{}"), Times: 1})
	if _, a := ts.create(t, "deals/1011", "retry-once-00001", d.Invoice); a.status != 201 {
		t.Fatalf("500 once: %d %s", a.status, a.body)
	}
	if n := ts.qboCount(t, usRealm, "Invoice"); n != before+2 {
		t.Fatalf("500 once: %d new invoices, want 2 in all", n-before)
	}
}

func TestCreateWithANewCustomer(t *testing.T) {
	ts := newTestServer(t)
	d, _ := ts.draft(t, "deals/1029", usRealm, "")
	cust := d.Invoice["customer"].(map[string]any)
	nc, ok := cust["new"].(map[string]any)
	if !ok || nc["displayName"] != "NewCo Labs" || nc["email"] != "bob@newco.example" {
		t.Fatalf("no QuickBooks customer matches Bob of NewCo: proposal = %v", cust)
	}
	inv := map[string]any{}
	for k, v := range d.Invoice {
		inv[k] = v
	}
	inv["lines"] = []any{map[string]any{"itemId": "2", "quantity": "1", "unitPrice": "150.00"}}

	inv["customer"] = map[string]any{"new": map[string]any{"displayName": "Acme Supplies"}}
	if _, a := ts.create(t, "deals/1029", "new-customer-01", inv); a.status != 409 || !bytes.Contains(a.body, []byte("Acme Supplies")) {
		t.Errorf("a vendor's name: %d %s, want 409 naming it", a.status, a.body)
	}
	customers := ts.qboCount(t, usRealm, "Customer")
	inv["customer"] = cust
	c, a := ts.create(t, "deals/1029", "new-customer-02", inv)
	if a.status != 201 || !c.CustomerCreated {
		t.Fatalf("create with a new customer: %d %s", a.status, a.body)
	}
	if n := ts.qboCount(t, usRealm, "Customer"); n != customers+1 {
		t.Errorf("%d customers created, want 1", n-customers)
	}
	if _, a := ts.create(t, "deals/1029", "new-customer-02", inv); a.status != 200 {
		t.Errorf("replay: %d", a.status)
	}
	if n := ts.qboCount(t, usRealm, "Customer"); n != customers+1 {
		t.Errorf("a replay created another customer: %d", n-customers)
	}
}

func TestNonUSTaxAndCustomNumbers(t *testing.T) {
	ts := newTestServer(t)
	d, a := ts.draft(t, "deals/1031", caRealm, "")
	if a.status != 200 {
		t.Fatalf("draft: %d %s", a.status, a.body)
	}
	if !d.DocNumberRequired || d.Invoice["docNumber"] != "MLS-0004" {
		t.Errorf("custom numbers: required %v, suggestion %v, want MLS-0004", d.DocNumberRequired, d.Invoice["docNumber"])
	}
	if len(d.TaxCodes) != 4 {
		t.Errorf("tax codes = %v, want the company's four", d.TaxCodes)
	}
	lines := d.Invoice["lines"].([]any)
	if l := lines[0].(map[string]any); l["taxCodeId"] != "5" {
		t.Errorf("line tax code = %v, want the item's HST ON (5)", l["taxCodeId"])
	}

	inv := map[string]any{}
	for k, v := range d.Invoice {
		inv[k] = v
	}
	inv["lines"] = []any{map[string]any{"itemId": "1", "quantity": "2", "unitPrice": "95.00"}}
	if _, a := ts.create(t, "deals/1031", "ca-tax-000001", inv); a.status != 400 || !bytes.Contains(a.body, []byte("lines[0].taxCodeId: a tax code is required")) {
		t.Errorf("missing tax code: %d %s", a.status, a.body)
	}
	inv["lines"] = lines
	inv["docNumber"] = "MLS-0001"
	if _, a := ts.create(t, "deals/1031", "ca-tax-000002", inv); a.status != 409 || !bytes.Contains(a.body, []byte("MLS-0001")) {
		t.Errorf("duplicate number: %d %s", a.status, a.body)
	}
	delete(inv, "docNumber")
	if _, a := ts.create(t, "deals/1031", "ca-tax-000003", inv); a.status != 400 || !bytes.Contains(a.body, []byte("docNumber")) {
		t.Errorf("no number: %d %s", a.status, a.body)
	}
	inv["docNumber"] = "MLS-0004"
	c, a := ts.create(t, "deals/1031", "ca-tax-000004", inv)
	if a.status != 201 || c.Invoice.Number != "MLS-0004" || c.Invoice.Currency != "CAD" {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	if !c.DealProperties.Written {
		t.Errorf("a CAD invoice on a CAD deal: properties not written: %s", c.DealProperties.Reason)
	}
}

func TestCurrencyMismatchAndLatestInvoiceWins(t *testing.T) {
	ts := newTestServer(t)
	d, _ := ts.draft(t, "deals/1011", usRealm, "")
	first, a := ts.create(t, "deals/1011", "latest-wins-001", d.Invoice)
	if a.status != 201 {
		t.Fatal(string(a.body))
	}
	second, a := ts.create(t, "deals/1011", "latest-wins-002", d.Invoice)
	if a.status != 201 {
		t.Fatal(string(a.body))
	}
	props, _ := ts.fakes.HubSpot.Object(portal1, "deals", "1011")
	if props["qbo_invoice_number"] != second.Invoice.Number || first.Invoice.Number == second.Invoice.Number {
		t.Errorf("deal shows invoice %s, want the later %s", props["qbo_invoice_number"], second.Invoice.Number)
	}

	cd, a := ts.draft(t, "deals/1011", caRealm, "")
	if a.status != 200 || !strings.Contains(cd.Currency.DealPropertiesNote, "CAD") {
		t.Fatalf("a CAD company on a USD deal: note %q (%d %s)", cd.Currency.DealPropertiesNote, a.status, a.body)
	}
	inv := map[string]any{}
	for k, v := range cd.Invoice {
		inv[k] = v
	}
	inv["lines"] = []any{map[string]any{"itemId": "1", "quantity": "1", "unitPrice": "95.00", "taxCodeId": "5"}}
	inv["docNumber"] = "MLS-0100"
	if cd.Invoice["customer"].(map[string]any)["id"] == nil {
		inv["customer"] = map[string]any{"id": "1"}
	}
	c, a := ts.create(t, "deals/1011", "currency-mix-01", inv)
	if a.status != 201 || c.DealProperties.Written || !strings.Contains(c.DealProperties.Reason, "CAD") {
		t.Fatalf("mismatched currency: %d written=%v reason=%q", a.status, c.DealProperties.Written, c.DealProperties.Reason)
	}
	props, _ = ts.fakes.HubSpot.Object(portal1, "deals", "1011")
	if props["qbo_invoice_number"] != second.Invoice.Number {
		t.Errorf("a CAD invoice overwrote the USD deal's properties: %v", props["qbo_invoice_number"])
	}
}

func TestCreateRefusesBadRequestsAllAtOnce(t *testing.T) {
	ts := newTestServer(t)
	bad := map[string]any{
		"connectionId": ts.conns[usRealm].ID, "customer": map[string]any{}, "txnDate": "2026-03-10", "dueDate": "2026-03-01",
		"lines": []any{map[string]any{"itemId": "999", "quantity": "0", "unitPrice": "-1.00", "taxCodeId": "5"}},
	}
	_, a := ts.create(t, "deals/1011", "bad-request-001", bad)
	if a.status != 400 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	for _, want := range []string{"customer:", "dueDate:", "lines[0].itemId", "lines[0].quantity", "lines[0].unitPrice", "lines[0].taxCodeId"} {
		if !bytes.Contains(a.body, []byte(want)) {
			t.Errorf("the answer does not name %s: %s", want, a.body)
		}
	}
	if _, a := ts.create(t, "deals/1011", "short", bad); a.status != 400 || !bytes.Contains(a.body, []byte("idempotencyKey")) {
		t.Errorf("short key: %d %s", a.status, a.body)
	}
	resp, _ := card(portal1).Do(context.Background(), "POST", ts.url+"/api/v1/records/deals/1011/invoices", map[string]any{"idempotencyKey": "unknown-field-1", "portalId": 2})
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !bytes.Contains(body, []byte(`portalId`)) || !bytes.Contains(body, []byte("not part of this request")) {
		t.Errorf("unknown field: %d %s", resp.StatusCode, body)
	}
}

// qboPost creates an entity in a fake company as any client would.
func (ts *testServer) qboPost(t *testing.T, realm, path, body string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("POST", "https://quickbooks.api.intuit.com/v3/company/"+realm+"/"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer qbo-sandbox-access-us")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := (&http.Client{Transport: ts.fakes.QBO.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s: %d %v", path, resp.StatusCode, out)
	}
	return out
}

func TestDraftsFromContactAndCompany(t *testing.T) {
	ts := newTestServer(t)
	d, a := ts.draft(t, "contacts/1004", usRealm, "")
	if a.status != 200 || d.Invoice["customer"].(map[string]any)["id"] != "1" || d.Source != "scratch" || len(d.Quotes) != 0 {
		t.Errorf("contact Alice: %d %s", a.status, a.body)
	}
	if fmt.Sprint(d.Missing) != "[lines]" {
		t.Errorf("a contact has no line items: missing = %v", d.Missing)
	}
	d, a = ts.draft(t, "companies/1001", usRealm, "")
	if a.status != 200 || len(d.Customers) == 0 || d.Customers[0].DisplayName != "Acme Corporation" {
		t.Errorf("company Acme: %d %s", a.status, a.body)
	}
	inv := d.Invoice
	inv["lines"] = []any{map[string]any{"itemId": "1", "quantity": "1.5", "unitPrice": "75.00"}}
	c, a := ts.create(t, "companies/1001", "company-scratch-1", inv)
	if a.status != 201 || c.Invoice.Total != "112.50" || len(c.Links) != 1 || c.DealProperties.Written {
		t.Errorf("create on a company: %d %s", a.status, a.body)
	}
}

func TestDraftWithAmbiguousAndCollidingCustomers(t *testing.T) {
	ts := newTestServer(t)
	ts.qboPost(t, usRealm, "customer", `{"DisplayName":"Bob N","PrimaryEmailAddr":{"Address":"bob@newco.example"}}`)
	ts.qboPost(t, usRealm, "customer", `{"DisplayName":"Robert Newman Jr","PrimaryEmailAddr":{"Address":"bob@newco.example"}}`)
	d, _ := ts.draft(t, "deals/1029", usRealm, "")
	if len(d.Customers) != 2 || d.Invoice["customer"].(map[string]any)["id"] != nil || !slicesContains(d.Missing, "customer") {
		t.Errorf("two customers share Bob's email: candidates %v, chosen %v, missing %v", d.Customers, d.Invoice["customer"], d.Missing)
	}

	ts2 := newTestServer(t)
	ts2.qboPost(t, usRealm, "vendor", `{"DisplayName":"NewCo Labs"}`)
	d, _ = ts2.draft(t, "deals/1029", usRealm, "")
	nc := d.Invoice["customer"].(map[string]any)["new"].(map[string]any)
	if nc["displayName"] != "NewCo Labs (2)" {
		t.Errorf("a vendor holds NewCo Labs: proposed %v, want NewCo Labs (2)", nc["displayName"])
	}
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// A crash after QuickBooks created the invoice but before we linked it:
// the retry with the same key sends the same requestid, QBO answers with
// the invoice it already made, and the link is made once.
func TestCreateAfterACrashBetweenQuickBooksAndTheLink(t *testing.T) {
	ts := newTestServer(t)
	d, _ := ts.draft(t, "deals/1011", usRealm, "")
	key := "crash-recovery-1"
	lines := d.Invoice["lines"].([]any)
	var qboLines []string
	for _, l := range lines {
		m := l.(map[string]any)
		qty, price := m["quantity"].(string), m["unitPrice"].(string)
		var q, p float64
		fmt.Sscan(qty, &q)
		fmt.Sscan(price, &p)
		qboLines = append(qboLines, fmt.Sprintf(`{"DetailType":"SalesItemLineDetail","Amount":%.2f,"SalesItemLineDetail":{"ItemRef":{"value":%q},"Qty":%s,"UnitPrice":%s,"TaxCodeRef":{"value":%q}}}`,
			q*p, m["itemId"], qty, price, m["taxCodeId"]))
	}
	rid := app.RequestID(portal1, key, "invoice")
	made := ts.qboPost(t, usRealm, "invoice?requestid="+rid, `{"CustomerRef":{"value":"1"},"Line":[`+strings.Join(qboLines, ",")+`]}`)
	before := ts.qboCount(t, usRealm, "Invoice")

	c, a := ts.create(t, "deals/1011", key, d.Invoice)
	if a.status != 201 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	if id := made["Invoice"].(map[string]any)["Id"]; c.Invoice.InvoiceID != id {
		t.Errorf("the retry linked invoice %s, want the one QuickBooks already made (%v)", c.Invoice.InvoiceID, id)
	}
	if n := ts.qboCount(t, usRealm, "Invoice"); n != before {
		t.Errorf("the retry made %d more invoices", n-before)
	}
}

// A throttled or dropped invoice create is retried with the same requestid:
// one invoice, however many attempts.
func TestCreateRetriesThrottlesAndDroppedConnections(t *testing.T) {
	cases := []struct {
		name  string
		fault qbofake.Fault
	}{
		{"429 twice", qbofake.Fault{Status: 429, Body: []byte("<IntuitResponse/>"), Header: http.Header{"Content-Type": {"application/xml"}}, Times: 2}},
		{"dropped connection", qbofake.Fault{Drop: true, Times: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := newTestServer(t)
			d, _ := ts.draft(t, "deals/1011", usRealm, "")
			before := ts.qboCount(t, usRealm, "Invoice")
			ts.fakes.QBO.Faults().Inject(qbofake.RouteInvoiceCreate, c.fault)
			if _, a := ts.create(t, "deals/1011", "retry-case-0001", d.Invoice); a.status != 201 {
				t.Fatalf("%d %s", a.status, a.body)
			}
			if n := ts.qboCount(t, usRealm, "Invoice"); n != before+1 {
				t.Fatalf("%d new invoices, want 1", n-before)
			}
		})
	}
}

func TestLookupsForTheCard(t *testing.T) {
	ts := newTestServer(t)
	const route = "/api/v1/connections/{id}/{lookup}"
	us, ca := ts.conns[usRealm].ID, ts.conns[caRealm].ID
	cases := []struct {
		path, want string
	}{
		{"/api/v1/connections/" + us + "/items?q=des", `"name":"Design hours"`},
		{"/api/v1/connections/" + us + "/items?q=RF-1", `"sku":"RF-100"`},
		{"/api/v1/connections/" + us + "/customers?q=" + url.QueryEscape("amy's"), `"displayName":"Amy's Bird Sanctuary"`},
		{"/api/v1/connections/" + us + "/customers?q=globex.example", `"displayName":"Globex LLC"`},
		{"/api/v1/connections/" + ca + "/tax-codes", `"name":"HST ON"`},
		{"/api/v1/connections/" + us + "/terms", `"name":"Net 30"`},
	}
	for _, c := range cases {
		a := ts.call(t, card(portal1), "GET", c.path, route)
		if a.status != 200 || !bytes.Contains(a.body, []byte(c.want)) {
			t.Errorf("%s: %d %s, want %s", c.path, a.status, a.body, c.want)
		}
	}
	a := ts.call(t, card(portal1), "GET", "/api/v1/connections/"+us+"/items?q=zzz", route)
	if a.status != 200 || !bytes.Contains(a.body, []byte(`{"items":[]}`)) {
		t.Errorf("no match: %d %s", a.status, a.body)
	}
	// Another portal's connection does not exist for portal two.
	resp, _ := card(portal2).Do(context.Background(), "GET", ts.url+"/api/v1/connections/"+us+"/items", nil)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 404 || bytes.Contains(body, []byte("Design hours")) {
		t.Errorf("portal two reading portal one's items: %d %s", resp.StatusCode, body)
	}
	reads := ts.fakes.QBO.Counters().Count("", usRealm)
	ts.call(t, card(portal1), "GET", "/api/v1/connections/"+us+"/items?q=cons", route)
	if n := ts.fakes.QBO.Counters().Count("", usRealm) - reads; n != 0 {
		t.Errorf("a warm item search made %d QuickBooks calls", n)
	}
}

// A quote's prices are in its currency: a USD quote cannot become a CAD
// invoice with the same numbers.
func TestQuoteInAnotherCurrencyIsRefused(t *testing.T) {
	ts := newTestServer(t)
	d, _ := ts.draft(t, "deals/1011", usRealm, "1014")
	inv := map[string]any{}
	for k, v := range d.Invoice {
		inv[k] = v
	}
	inv["connectionId"] = ts.conns[caRealm].ID
	inv["customer"] = map[string]any{"id": "1"} // Acme Corporation in CAD
	inv["docNumber"] = "MLS-0200"
	inv["lines"] = []any{map[string]any{"itemId": "1", "quantity": "4", "unitPrice": "75.00", "taxCodeId": "5"}}
	_, a := ts.create(t, "deals/1011", "quote-currency-1", inv)
	if a.status != 400 || !bytes.Contains(a.body, []byte("quote Q-1001 is in USD but the invoice would be in CAD")) {
		t.Errorf("%d %s", a.status, a.body)
	}
}
