package hubspotfake_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// TestSeedDemoMatchesTheSpec checks the "HubSpot portals" section of the
// seed spec: fixed portal ids, names, currencies, time zones and tokens;
// every labelled record; the associations; ids deterministic, numeric and
// unique across portals.
func TestSeedDemoMatchesTheSpec(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	d := f.demo
	if d.AppID != 3000001 || d.ClientID != "sandbox-hubspot-client-id" {
		t.Errorf("app = %d %s", d.AppID, d.ClientID)
	}
	type portalFacts struct {
		PortalID             int64
		Name, Currency, Zone string
		Additional           []string
		Token                string
	}
	var got []portalFacts
	for _, p := range d.Portals {
		got = append(got, portalFacts{p.PortalID, p.Name, p.Currency, p.TimeZone, p.AdditionalCurrencies, p.APIToken})
	}
	want := []portalFacts{
		{20000001, "Northwind Traders", "USD", "US/Pacific", []string{"CAD"}, "hs-sandbox-token-portal-1"},
		{20000002, "Thames Partners", "GBP", "Europe/London", []string{}, "hs-sandbox-token-portal-2"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("portals (-want +got):\n%s", diff)
	}

	labels := map[int64]map[string][]string{
		portal1: {
			"companies": {"acme", "newco", "maple"},
			"contacts":  {"alice", "bob", "amy", "carla"},
			"products":  {"design", "consulting", "support"},
			"deals":     {"with_quotes", "no_quotes", "cad", "empty"},
			"quotes":    {"published", "approved", "draft", "expired", "pending_approval"},
			"lineItems": {"deal.with_quotes.1", "deal.with_quotes.2", "deal.no_quotes.1", "deal.cad.1",
				"quote.published.1", "quote.published.2", "quote.approved.1", "quote.approved.2", "quote.draft.1", "quote.draft.2",
				"quote.expired.1", "quote.expired.2", "quote.pending_approval.1", "quote.pending_approval.2"},
		},
		portal2: {
			"companies": {"bigben"}, "contacts": {"ben"}, "products": {"advisory"}, "deals": {"with_quotes"},
			"quotes": {"published"}, "lineItems": {"deal.with_quotes.1", "quote.published.1"},
		},
	}
	seen := map[string]bool{}
	numeric := regexp.MustCompile(`^\d+$`)
	for portal, kinds := range labels {
		dp, _ := d.Portal(portal)
		for kind, list := range kinds {
			if len(dp.Records[kind]) != len(list) {
				t.Errorf("portal %d has %d %s, want %d", portal, len(dp.Records[kind]), kind, len(list))
			}
			for _, label := range list {
				id := dp.Records[kind][label]
				if !numeric.MatchString(id) || seen[id] {
					t.Errorf("portal %d %s %s: id %q is not a new numeric id", portal, kind, label, id)
				}
				seen[id] = true
			}
		}
	}

	obj := func(p int64, typ, kind, label string) map[string]string {
		t.Helper()
		o, ok := f.srv.Object(p, typ, f.idIn(p, kind, label))
		if !ok {
			t.Fatalf("portal %d %s %s is missing", p, kind, label)
		}
		return o
	}
	check := func(what string, o map[string]string, want map[string]string) {
		t.Helper()
		for k, v := range want {
			if o[k] != v {
				t.Errorf("%s: %s = %q, want %q", what, k, o[k], v)
			}
		}
	}
	check("alice", obj(portal1, "contacts", "contacts", "alice"), map[string]string{"firstname": "Alice", "lastname": "Buyer", "email": "ap@acme.example", "company": "Acme Corporation"})
	check("amy", obj(portal1, "contacts", "contacts", "amy"), map[string]string{"email": "amy@birds.example", "company": ""})
	check("maple", obj(portal1, "companies", "companies", "maple"), map[string]string{"name": "Maple Syrup Co.", "domain": "maplesyrup.example"})
	check("design", obj(portal1, "products", "products", "design"), map[string]string{"name": "Design hours", "hs_sku": "DES-HR", "price": "75"})
	check("consulting", obj(portal1, "products", "products", "consulting"), map[string]string{"name": "Consulting", "hs_sku": "", "price": "150"})
	check("with_quotes", obj(portal1, "deals", "deals", "with_quotes"), map[string]string{"dealname": "Acme website redesign", "deal_currency_code": "USD", "amount": "600"})
	check("cad", obj(portal1, "deals", "deals", "cad"), map[string]string{"dealname": "Maple expansion", "deal_currency_code": "CAD", "amount": "1073.50"})
	check("empty", obj(portal1, "deals", "deals", "empty"), map[string]string{"dealname": "Amy bird feeders", "deal_currency_code": "USD", "amount": ""})
	check("deal line", obj(portal1, "line_items", "lineItems", "deal.with_quotes.1"), map[string]string{"name": "Design hours", "quantity": "4", "price": "75", "amount": "300", "hs_product_id": f.id("products", "design"), "hs_sku": "DES-HR"})
	check("cad line", obj(portal1, "line_items", "lineItems", "deal.cad.1"), map[string]string{"quantity": "10", "price": "95", "amount": "950"})
	check("discounted quote line", obj(portal1, "line_items", "lineItems", "quote.expired.2"), map[string]string{"name": "Premium support", "quantity": "1", "price": "500", "discount": "50", "amount": "450", "hs_sku": "SUP-P"})

	// Quotes: status, number, expiry at the end of the day in US/Pacific.
	la, _ := time.LoadLocation("US/Pacific")
	endOfDay := func(days int) string {
		l := epoch.In(la)
		return time.Date(l.Year(), l.Month(), l.Day()+days, 23, 59, 59, 999e6, la).UTC().Format("2006-01-02T15:04:05.000Z")
	}
	for _, q := range []struct {
		label, status, number string
		days                  int
		locked                string
	}{
		{"published", "APPROVAL_NOT_NEEDED", "Q-1001", 30, "true"},
		{"approved", "APPROVED", "Q-1002", 30, "true"},
		{"draft", "DRAFT", "Q-1003", 30, "false"},
		{"expired", "APPROVAL_NOT_NEEDED", "Q-1004", -5, "true"},
		{"pending_approval", "PENDING_APPROVAL", "Q-1005", 30, "false"},
	} {
		check("quote "+q.label, obj(portal1, "quotes", "quotes", q.label), map[string]string{"hs_status": q.status, "hs_quote_number": q.number,
			"hs_expiration_date": endOfDay(q.days), "hs_currency": "USD", "hs_title": "Website redesign", "hs_locked": q.locked, "hs_quote_amount": "750"})
		quote := f.id("quotes", q.label)
		if got := f.srv.Associations(portal1, "quotes", quote, "deals"); fmt.Sprint(keys(got)) != "["+f.id("deals", "with_quotes")+"]" {
			t.Errorf("quote %s deals = %v", q.label, got)
		}
		if got := f.srv.Associations(portal1, "quotes", quote, "contacts"); fmt.Sprint(keys(got)) != "["+f.id("contacts", "alice")+"]" {
			t.Errorf("quote %s contacts = %v", q.label, got)
		}
		lines := f.srv.Associations(portal1, "quotes", quote, "line_items")
		if diff := cmp.Diff([]string{f.id("lineItems", "quote."+q.label+".1"), f.id("lineItems", "quote."+q.label+".2")}, keys(lines)); diff != "" {
			t.Errorf("quote %s has its own line items (-want +got):\n%s", q.label, diff)
		}
	}
	check("Q-2001", obj(portal2, "quotes", "quotes", "published"), map[string]string{"hs_status": "APPROVAL_NOT_NEEDED", "hs_quote_number": "Q-2001", "hs_currency": "GBP"})
	check("big ben deal", obj(portal2, "deals", "deals", "with_quotes"), map[string]string{"dealname": "Big Ben advisory", "deal_currency_code": "GBP", "amount": "800"})
	check("advisory line", obj(portal2, "line_items", "lineItems", "deal.with_quotes.1"), map[string]string{"name": "Advisory day", "quantity": "1", "price": "800", "hs_sku": "ADV-D"})

	// Deal associations.
	for _, tc := range []struct {
		deal, contact, company string
		lines                  []string
	}{
		{"with_quotes", "alice", "acme", []string{"deal.with_quotes.1", "deal.with_quotes.2"}},
		{"no_quotes", "bob", "newco", []string{"deal.no_quotes.1"}},
		{"cad", "carla", "maple", []string{"deal.cad.1"}},
		{"empty", "amy", "", nil},
	} {
		deal := f.id("deals", tc.deal)
		if got := f.srv.Associations(portal1, "deals", deal, "contacts"); fmt.Sprint(keys(got)) != "["+f.id("contacts", tc.contact)+"]" {
			t.Errorf("deal %s contacts = %v", tc.deal, got)
		}
		companies := f.srv.Associations(portal1, "deals", deal, "companies")
		if tc.company == "" && len(companies) != 0 || tc.company != "" && fmt.Sprint(companies[f.id("companies", tc.company)]) != "[5 341]" {
			t.Errorf("deal %s companies = %v", tc.deal, companies)
		}
		var wantLines []string
		for _, l := range tc.lines {
			wantLines = append(wantLines, f.id("lineItems", l))
		}
		if diff := cmp.Diff(wantLines, keys(f.srv.Associations(portal1, "deals", deal, "line_items")), cmpEmpty); diff != "" {
			t.Errorf("deal %s line items (-want +got):\n%s", tc.deal, diff)
		}
		quotes := f.srv.Associations(portal1, "deals", deal, "quotes")
		if (tc.deal == "with_quotes") != (len(quotes) == 5) || tc.deal != "with_quotes" && len(quotes) != 0 {
			t.Errorf("deal %s quotes = %v", tc.deal, quotes)
		}
	}
	if got := f.srv.Associations(portal1, "contacts", f.id("contacts", "carla"), "companies"); fmt.Sprint(got[f.id("companies", "maple")]) != "[1 279]" {
		t.Errorf("carla's company = %v", got)
	}
	ben, bigben := f.idIn(portal2, "contacts", "ben"), f.idIn(portal2, "companies", "bigben")
	if got := f.srv.Associations(portal2, "contacts", ben, "companies"); len(got[bigben]) == 0 {
		t.Errorf("ben's company = %v", got)
	}

	// Deterministic: a fresh fake seeds the same JSON; a second call adds nothing.
	other := hubspotfake.New(hubspotfake.Options{Now: func() time.Time { return epoch }}).SeedDemo()
	a, _ := json.Marshal(d)
	b, _ := json.Marshal(other)
	if string(a) != string(b) {
		t.Error("two fresh fakes seeded different demos")
	}
	if again := f.srv.SeedDemo(); len(f.srv.Objects(portal1, "deals")) != 4 || again.Portals[0].Records["deals"]["cad"] != d.Portals[0].Records["deals"]["cad"] {
		t.Error("a second SeedDemo changed the fake")
	}
	var decoded struct {
		Portals []struct {
			PortalID             int64                        `json:"portalId"`
			Name                 string                       `json:"name"`
			Currency             string                       `json:"currency"`
			AdditionalCurrencies []string                     `json:"additionalCurrencies"`
			TimeZone             string                       `json:"timeZone"`
			APIToken             string                       `json:"apiToken"`
			Records              map[string]map[string]string `json:"records"`
		} `json:"portals"`
	}
	if err := json.Unmarshal(a, &decoded); err != nil || decoded.Portals[1].APIToken != "hs-sandbox-token-portal-2" || decoded.Portals[0].Records["quotes"]["expired"] == "" {
		t.Errorf("Demo JSON: %v %s", err, a)
	}
}

var cmpEmpty = cmp.Comparer(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 || fmt.Sprint(a) == fmt.Sprint(b) })
