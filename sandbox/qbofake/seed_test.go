package qbofake

import (
	"encoding/json"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// cardStatus derives the card's status from QBO fields exactly as reference
// §7 prescribes, with "today" in the company's time zone.
func cardStatus(inv map[string]any, today string) string {
	amount := func(k string) *big.Rat {
		r, _ := new(big.Rat).SetString(str(inv[k]))
		return r
	}
	total, balance := amount("TotalAmt"), amount("Balance")
	zero := new(big.Rat)
	switch {
	case total.Cmp(zero) == 0 && balance.Cmp(zero) == 0 && strings.HasPrefix(str(inv["PrivateNote"]), "Voided"):
		return "voided"
	case balance.Cmp(zero) == 0 && total.Cmp(zero) > 0:
		return "paid"
	}
	overdue := balance.Cmp(zero) > 0 && str(inv["DueDate"]) < today
	switch {
	case balance.Cmp(zero) > 0 && balance.Cmp(total) < 0:
		return "partially_paid"
	case overdue:
		return "overdue"
	case inv["EmailStatus"] == "EmailSent":
		return "sent"
	}
	return "awaiting_send"
}

// TestSeedStatuses: every seeded invoice comes out with the status its
// label names when computed from QBO fields (seed spec, reference §7).
func TestSeedStatuses(t *testing.T) {
	f := newFixture(t)
	for _, dr := range f.demo.Realms {
		realm := dr.RealmID
		rl := f.srv.realm(realm)
		today := fixedNow.In(rl.loc).Format(layoutDate)
		for label, id := range dr.Records["invoices"] {
			inv := decode(t, f.api("GET", realm, "/invoice/"+id, "").body)["Invoice"].(map[string]any)
			if got := cardStatus(inv, today); got != label {
				t.Errorf("realm %s invoice %q (Id %s): status %s", realm, label, id, got)
			}
		}
	}
}

// TestSeedFacts checks the seed's fixed facts and amounts.
func TestSeedFacts(t *testing.T) {
	f := newFixture(t)
	us, ca, gb := DemoRealmUS, DemoRealmCA, DemoRealmGB
	for realm, want := range map[string][3]string{
		us: {"qbo-sandbox-access-us", "qbo-sandbox-refresh-us", "USD"},
		ca: {"qbo-sandbox-access-ca", "qbo-sandbox-refresh-ca", "CAD"},
		gb: {"qbo-sandbox-access-gb", "qbo-sandbox-refresh-gb", "GBP"},
	} {
		dr := f.realm(realm)
		if dr.AccessToken != want[0] || dr.RefreshToken != want[1] || dr.Currency != want[2] || dr.RealmID != realm {
			t.Errorf("realm %s = %+v", realm, dr)
		}
	}
	if f.realm(us).PortalID != 20000001 || f.realm(ca).PortalID != 20000001 || f.realm(gb).PortalID != 20000002 {
		t.Error("portal ids")
	}
	if !f.realm(ca).CustomTxnNumbers || f.realm(us).CustomTxnNumbers {
		t.Error("customTxnNumbers")
	}
	for _, c := range []struct{ realm, label, total, balance, doc string }{
		{us, "awaiting_send", "300.00", "300.00", "1001"},
		{us, "partially_paid", "297.00", "197.00", "1003"},
		{us, "paid", "105.84", "0", "1004"},
		{us, "overdue", "600.00", "600.00", "1005"},
		{us, "voided", "0", "0", "1006"},
		{ca, "awaiting_send", "1073.50", "1073.50", "MLS-0001"},
		{ca, "paid", "214.70", "0", "MLS-0002"},
		{ca, "overdue", "50.00", "50.00", "MLS-0003"},
		{gb, "sent", "960.00", "960.00", "2001"},
	} {
		r := f.api("GET", c.realm, "/invoice/"+f.id(c.realm, "invoices", c.label), "")
		wantEqual(t, r, "Invoice.TotalAmt", c.total)
		wantEqual(t, r, "Invoice.Balance", c.balance)
		wantEqual(t, r, "Invoice.DocNumber", c.doc)
	}
	// Terms and default terms in every realm.
	for _, realm := range []string{us, ca, gb} {
		wantEqual(t, f.api("GET", realm, "/term/3", ""), "Term.Name", "Net 30")
		wantEqual(t, f.api("GET", realm, "/preferences", ""), "Preferences.SalesFormsPrefs.DefaultTerms.value", "3")
	}
	wantEqual(t, f.api("GET", us, "/preferences", ""), "Preferences.TaxPrefs.TaxGroupCodeRef.value", "2")
	wantEqual(t, f.api("GET", us, "/preferences", ""), "Preferences.TaxPrefs.PartnerTaxEnabled", "false")
	wantEqual(t, f.api("GET", us, "/customer/"+f.id(us, "customers", "initech"), ""), "Customer.Active", "false")
	wantEqual(t, f.api("GET", us, "/item/"+f.id(us, "items", "design"), ""), "Item.Sku", "DES-HR")
	wantEqual(t, f.api("GET", ca, "/customer/"+f.id(ca, "customers", "acme"), ""), "Customer.CurrencyRef.value", "CAD")
}

// TestSeedDeterministic: two seeds at the same time give the same ids and
// the same objects, and Demo marshals to JSON.
func TestSeedDeterministic(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	if diff := cmp.Diff(a.demo, b.demo); diff != "" {
		t.Fatalf("seeds differ:\n%s", diff)
	}
	for _, stmt := range []string{"select * from Invoice", "select * from Payment", "select * from Customer where Active in (true,false)"} {
		ra, rb := a.api("GET", DemoRealmUS, q(stmt), ""), b.api("GET", DemoRealmUS, q(stmt), "")
		if string(ra.body) != string(rb.body) {
			t.Errorf("%s differs between seeds", stmt)
		}
	}
	out, err := json.Marshal(a.demo)
	if err != nil {
		t.Fatal(err)
	}
	var back Demo
	if err := json.Unmarshal(out, &back); err != nil || back.ID(DemoRealmGB, "customers", "bigben") == "" {
		t.Fatalf("Demo JSON round trip: %v %s", err, out)
	}
	for _, key := range []string{`"realmId"`, `"companyName"`, `"customTxnNumbers"`, `"timeZone"`, `"accessToken"`, `"portalId"`, `"records"`, `"taxCodes"`} {
		if !strings.Contains(string(out), key) {
			t.Errorf("Demo JSON lacks %s", key)
		}
	}
}

// TestSeedClockLate: seeding late in the evening keeps every stamp in the
// past and the statuses right (dates are in each company's zone).
func TestSeedClockLate(t *testing.T) {
	late := time.Date(2025, 11, 2, 7, 59, 0, 0, time.UTC) // after midnight in London, before in LA
	clock := &fakeClock{t: late}
	srv := New(Options{Now: clock.Now})
	defer srv.Close()
	demo := srv.SeedDemo()
	f := &fixture{t: t, srv: srv, clock: clock, demo: demo, client: newClient(srv)}
	for _, dr := range demo.Realms {
		realm := dr.RealmID
		today := late.In(srv.realm(realm).loc).Format(layoutDate)
		for label, id := range dr.Records["invoices"] {
			inv := decode(t, f.api("GET", realm, "/invoice/"+id, "").body)["Invoice"].(map[string]any)
			if got := cardStatus(inv, today); got != label {
				t.Errorf("%s %s: %s", realm, label, got)
			}
			updated, _ := time.Parse(time.RFC3339, str(at(inv, "MetaData.LastUpdatedTime")))
			if updated.After(late) {
				t.Errorf("%s %s updated in the future: %s", realm, label, updated)
			}
		}
	}
}
