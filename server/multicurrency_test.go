package server_test

import (
	"bytes"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// multiDraft is the part of a draft about currencies.
type multiDraft struct {
	Currency struct{ Invoice, Deal, DealPropertiesNote, MultiCurrencyNote string }
	Invoice  map[string]any
}

func (ts *testServer) multiDraft(t *testing.T, record, realm, quoteID string) multiDraft {
	t.Helper()
	_, a := ts.draft(t, record, realm, quoteID)
	if a.status != 200 {
		t.Fatalf("draft of %s in %s: %d %s", record, realm, a.status, a.body)
	}
	var d multiDraft
	a.decode(t, &d)
	return d
}

// multiCurrencyOf is what a list of connections says of each realm.
func (ts *testServer) multiCurrencyOf(t *testing.T, path string) map[string]bool {
	t.Helper()
	a := ts.call(t, card(portal1), "GET", path, path)
	if a.status != 200 {
		t.Fatalf("GET %s: %d %s", path, a.status, a.body)
	}
	var got struct {
		Connections []struct {
			RealmID       string
			MultiCurrency *bool
		}
	}
	a.decode(t, &got)
	out := map[string]bool{}
	for _, c := range got.Connections {
		if c.MultiCurrency == nil {
			t.Fatalf("GET %s: connection %s has no multiCurrency: %s", path, c.RealmID, a.body)
		}
		out[c.RealmID] = *c.MultiCurrency
	}
	return out
}

// turnOnMultiCurrency turns multicurrency on in a QuickBooks company, as
// its bookkeeper would.
func (ts *testServer) turnOnMultiCurrency(t *testing.T, realm string) {
	t.Helper()
	prefs := ts.qbo(t, realm, "GET", "/preferences", nil)["Preferences"].(map[string]any)
	ts.qbo(t, realm, "POST", "/preferences", map[string]any{"Id": prefs["Id"], "SyncToken": prefs["SyncToken"],
		"sparse": true, "CurrencyPrefs": map[string]any{"MultiCurrencyEnabled": true}})
}

// createFromUSDQuoteInCA posts the USD quote Q-1001 of deal 1011 as an
// invoice of the Canadian company (which works in CAD).
func (ts *testServer) createFromUSDQuoteInCA(t *testing.T, key string) answer {
	t.Helper()
	d := ts.multiDraft(t, "deals/1011", caRealm, "1014")
	inv := map[string]any{}
	for k, v := range d.Invoice {
		inv[k] = v
	}
	inv["customer"] = map[string]any{"id": "1"} // Acme Corporation, in CAD
	inv["docNumber"] = "MLS-0300"
	inv["lines"] = []any{map[string]any{"itemId": "1", "quantity": "4", "unitPrice": "75.00", "taxCodeId": "5"}}
	_, a := ts.create(t, "deals/1011", key, inv)
	return a
}

// A company without multicurrency invoices only in its home currency: the
// draft says so in a rep's words, the create refuses before QuickBooks is
// asked, and once the bookkeeper turns multicurrency on, the stored flag
// follows the Preferences webhook and the advice changes.
func TestMultiCurrencyOffIsSaidAndFollowsPreferences(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
	for _, path := range []string{"/api/v1/connections", settingsRoute} {
		if got := ts.multiCurrencyOf(t, path); got[usRealm] || got[caRealm] || len(got) != 2 {
			t.Errorf("GET %s: multicurrency %v, want off for both seeded companies", path, got)
		}
	}
	var cardConns struct {
		Connections []struct{ MultiCurrency *bool }
	}
	ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1011/invoices", cardPath).decode(t, &cardConns)
	if len(cardConns.Connections) != 2 || cardConns.Connections[0].MultiCurrency == nil {
		t.Errorf("the card's connections lack multiCurrency: %+v", cardConns)
	}

	// The CAD deal from scratch in the US company: allowed, and said.
	d := ts.multiDraft(t, "deals/1031", usRealm, "")
	want := "Northwind Traders (US) works only in USD; turn on multicurrency in QuickBooks to invoice in CAD."
	if !strings.HasPrefix(d.Currency.MultiCurrencyNote, want) || !strings.HasSuffix(d.Currency.MultiCurrencyNote, "only an invoice from scratch can be made, in USD at the prices shown.") {
		t.Errorf("CAD deal in the US company: note %q", d.Currency.MultiCurrencyNote)
	}
	// The USD deal in the US company: nothing to say.
	if d := ts.multiDraft(t, "deals/1011", usRealm, "1014"); d.Currency.MultiCurrencyNote != "" {
		t.Errorf("USD quote in the US company: note %q", d.Currency.MultiCurrencyNote)
	}

	// The USD quote in the CAD company: said in the draft, and create
	// refuses with what would help, before any QuickBooks write.
	d = ts.multiDraft(t, "deals/1011", caRealm, "1014")
	want = "Maple Leaf Supplies Ltd works only in CAD; turn on multicurrency in QuickBooks to invoice in USD."
	if !strings.HasPrefix(d.Currency.MultiCurrencyNote, want) || !strings.HasSuffix(d.Currency.MultiCurrencyNote, "create the invoice from scratch.") {
		t.Errorf("USD quote in the CA company: note %q", d.Currency.MultiCurrencyNote)
	}
	invoices := ts.qboCount(t, caRealm, "Invoice")
	a := ts.createFromUSDQuoteInCA(t, "multicurrency-off-1")
	if a.status != 400 || a.errorCode(t) != "invalid" ||
		!bytes.Contains(a.body, []byte("Maple Leaf Supplies Ltd works only in CAD, so turn on multicurrency in QuickBooks to invoice in USD")) {
		t.Errorf("create from a USD quote in the CA company: %d %s", a.status, a.body)
	}
	if n := ts.qboCount(t, caRealm, "Invoice"); n != invoices {
		t.Errorf("%d invoices in QuickBooks after a refused create, want %d", n, invoices)
	}

	ts.turnOnMultiCurrency(t, caRealm)
	eventually(t, 10*time.Second, "the CA company's multicurrency is stored", func() bool {
		return ts.multiCurrencyOf(t, "/api/v1/connections")[caRealm]
	})
	if got := ts.multiCurrencyOf(t, settingsRoute); !got[caRealm] || got[usRealm] {
		t.Errorf("settings after the change: %v", got)
	}
	d = ts.multiDraft(t, "deals/1011", caRealm, "1014")
	if d.Currency.MultiCurrencyNote != "" {
		t.Errorf("USD quote, multicurrency on: note %q", d.Currency.MultiCurrencyNote)
	}
	a = ts.createFromUSDQuoteInCA(t, "multicurrency-on-1")
	if a.status != 400 || !bytes.Contains(a.body, []byte("choose a customer in USD or create the invoice from scratch")) ||
		bytes.Contains(a.body, []byte("turn on multicurrency")) {
		t.Errorf("create from a USD quote, multicurrency on: %d %s", a.status, a.body)
	}
}

// A connection stored before its flag was (read as off) is not told to turn
// on what QuickBooks says is on: the draft also asks the company's
// preferences.
func TestMultiCurrencyStaleFlagDefersToQuickBooks(t *testing.T) {
	ts := newTestServer(t) // no webhooks: the stored flag stays off
	ts.turnOnMultiCurrency(t, caRealm)
	if ts.multiCurrencyOf(t, "/api/v1/connections")[caRealm] {
		t.Fatal("the stored flag changed without a Preferences change applied")
	}
	if d := ts.multiDraft(t, "deals/1011", caRealm, "1014"); d.Currency.MultiCurrencyNote != "" {
		t.Errorf("note %q for a company with multicurrency on", d.Currency.MultiCurrencyNote)
	}
	if a := ts.createFromUSDQuoteInCA(t, "multicurrency-stale-1"); a.status != 400 || bytes.Contains(a.body, []byte("turn on multicurrency")) {
		t.Errorf("create: %d %s", a.status, a.body)
	}
}

// Connect reads the company's multicurrency setting and stores it; a
// reconnect reads it again.
func TestConnectStoresMultiCurrency(t *testing.T) {
	ts := newTestServer(t)
	ts.fakes.QBO.AddCompany(qbofake.Company{RealmID: nzRealm, CompanyName: "Kiwi Feeders Ltd", Country: "NZ", MultiCurrency: true})
	if status, page := getPage(t, ts.consent(t, ts.startConnect(t, portal1), url.Values{"realmId": {nzRealm}})); status != 200 {
		t.Fatalf("callback: %d %s", status, page)
	}
	if got := ts.multiCurrencyOf(t, "/api/v1/connections"); !got[nzRealm] || got[caRealm] || len(got) != 3 {
		t.Errorf("after connecting a multicurrency company: %v", got)
	}

	ts.turnOnMultiCurrency(t, caRealm)
	if status, page := getPage(t, ts.consent(t, ts.startConnect(t, portal1), url.Values{"realmId": {caRealm}})); status != 200 {
		t.Fatalf("reconnect: %d %s", status, page)
	}
	if got := ts.multiCurrencyOf(t, settingsRoute); !got[caRealm] || got[usRealm] {
		t.Errorf("after reconnecting the CA company with multicurrency on: %v", got)
	}
}
