package hubspot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/hubspot"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// raw sends one request to the fake as portal 1, outside the Client, and
// decodes a JSON answer into out (when not nil). It fails the test on an
// answer other than want.
func (f *fixture) raw(t *testing.T, method, path, body string, want int, out any) {
	t.Helper()
	req, err := http.NewRequest(method, "https://api.hubapi.com"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token1)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: f.srv.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) requests() int { return f.srv.Counters().Count("", "") }

func TestAssociated(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	rec := func(kind, label string) string { return f.id(t, 20000001, kind, label) }
	dealID := rec("deals", "with_quotes")
	quoteID := rec("quotes", "published")
	for _, tc := range []struct {
		from app.ObjectRef
		to   string
		want []string
	}{
		{deal(dealID), "contacts", []string{rec("contacts", "alice")}},
		{deal(dealID), "companies", []string{rec("companies", "acme")}},
		{deal(dealID), "line_items", []string{rec("lineItems", "deal.with_quotes.1"), rec("lineItems", "deal.with_quotes.2")}},
		{deal(dealID), "quotes", []string{quoteID, rec("quotes", "approved"), rec("quotes", "draft"), rec("quotes", "expired"), rec("quotes", "pending_approval")}},
		{app.ObjectRef{Type: "quotes", ID: quoteID}, "line_items", []string{rec("lineItems", "quote.published.1"), rec("lineItems", "quote.published.2")}},
		{app.ObjectRef{Type: app.Contacts, ID: rec("contacts", "alice")}, "deals", []string{dealID}},
		{deal(rec("deals", "empty")), "companies", nil},
		{deal(rec("deals", "empty")), "line_items", nil},
	} {
		t.Run(tc.from.String()+"→"+tc.to, func(t *testing.T) {
			f.srv.Counters().Reset()
			got, err := f.client.Associated(context.Background(), portal1, tc.from, tc.to)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Associated (-want +got):\n%s", diff)
			}
			if n := f.requests(); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
	}
}

// newPrimaryCompany makes a company with a higher id than acme's the
// primary company of deal; acme stays associated, unlabeled.
func (f *fixture) newPrimaryCompany(t *testing.T, dealID string) string {
	t.Helper()
	newer, err := f.srv.AddObject(20000001, "companies", map[string]string{"name": "Acme Holdings"})
	if err != nil {
		t.Fatal(err)
	}
	f.raw(t, http.MethodPut, "/crm/v4/objects/deals/"+dealID+"/associations/companies/"+newer,
		`[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":5}]`, http.StatusOK, nil)
	return newer
}

func TestAssociatedPutsThePrimaryCompanyFirst(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	dealID := f.id(t, 20000001, "deals", "with_quotes")
	acme := f.id(t, 20000001, "companies", "acme")
	newer := f.newPrimaryCompany(t, dealID)

	got, err := f.client.Associated(context.Background(), portal1, deal(dealID), "companies")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{newer, acme}, got); diff != "" {
		t.Errorf("Associated (-want +got):\n%s", diff)
	}
}

func TestAssociatedOfAnotherPortalsRecordIsNotFound(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	other := f.id(t, 20000002, "deals", "with_quotes")
	_, err := f.client.Associated(context.Background(), portal1, deal(other), "contacts")
	checkErr(t, err, app.NotFound, "This deal no longer exists in HubSpot.")
	_, err = f.client.Associated(context.Background(), portal1, app.ObjectRef{Type: "quotes", ID: "99999"}, "line_items")
	checkErr(t, err, app.NotFound, "This quote no longer exists in HubSpot.")
	if n := f.calls(hubspotfake.RouteAssociationsList); n != 2 {
		t.Errorf("association lists = %d, want 2 (404 is not retried)", n)
	}
}

func TestAssociatedRejectsBadInputWithoutCalling(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	for _, tc := range []struct {
		from app.ObjectRef
		to   string
	}{
		{deal("1011"), "tickets"},
		{deal("1011"), ""},
		{deal("1011"), "Contacts"},
		{deal("1011"), "contacts/../deals"},
		{deal("1011"), "0-1"},
		{app.ObjectRef{Type: "tickets", ID: "1011"}, "contacts"},
		{app.ObjectRef{ID: "1011"}, "contacts"},
		{deal("10x1"), "contacts"},
		{deal(""), "contacts"},
	} {
		_, err := f.client.Associated(context.Background(), portal1, tc.from, tc.to)
		checkErr(t, err, app.Invalid, "")
	}
	if n := f.requests(); n != 0 {
		t.Errorf("%d requests made, want 0", n)
	}
}

func TestAssociatedRetries(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	f.srv.Faults().Inject(hubspotfake.RouteAssociationsList, rateLimited(2))
	got, err := f.client.Associated(context.Background(), portal1, deal("1011"), "contacts")
	if err != nil || len(got) != 1 {
		t.Fatalf("Associated = %v, %v; want one contact", got, err)
	}
	if n := f.calls(hubspotfake.RouteAssociationsList); n != 3 {
		t.Errorf("association lists = %d, want 3", n)
	}

	f.srv.Faults().Inject(hubspotfake.RouteAssociationsList, rateLimited(0))
	_, err = f.client.Associated(context.Background(), portal1, deal("1011"), "contacts")
	checkErr(t, err, app.Unavailable, "HubSpot is busy, try again in a minute.")
}

func TestLineItemsOfAQuote(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	design := f.id(t, 20000001, "lineItems", "quote.published.1")
	support := f.id(t, 20000001, "lineItems", "quote.published.2")
	want := []app.LineItem{
		{ID: support, Name: "Premium support", SKU: "SUP-P", ProductID: f.id(t, 20000001, "products", "support"),
			Quantity: 100, UnitPrice: 50000, UnitDiscount: 5000},
		{ID: design, Name: "Design hours", SKU: "DES-HR", ProductID: f.id(t, 20000001, "products", "design"),
			Quantity: 400, UnitPrice: 7500},
	}
	// In the order asked, not HubSpot's.
	got, err := f.client.LineItems(context.Background(), portal1, []string{support, design})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LineItems (-want +got):\n%s", diff)
	}
	if p := got[0].NetUnitPrice(); p != 45000 {
		t.Errorf("discounted NetUnitPrice = %v, want 450.00", p)
	}
	if p := got[1].NetUnitPrice(); p != 7500 {
		t.Errorf("NetUnitPrice = %v, want 75.00", p)
	}
	if n := f.calls(hubspotfake.RouteObjectsBatchRead); n != 1 {
		t.Errorf("batch reads = %d, want 1", n)
	}
}

func TestLineItemsRoundsExtraDecimals(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	id, err := f.srv.AddObject(20000001, "line_items", map[string]string{"name": "Odd", "quantity": "1.005",
		"price": "10.125", "discount": "0.004", "hs_discount_percentage": "12.345", "description": "Rounded"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.client.LineItems(context.Background(), portal1, []string{id})
	if err != nil {
		t.Fatal(err)
	}
	want := []app.LineItem{{ID: id, Name: "Odd", Description: "Rounded", Quantity: 101, UnitPrice: 1013, UnitDiscount: 0, DiscountPercent: 1235}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("LineItems (-want +got):\n%s", diff)
	}
}

func TestLineItemsBatchesByHundred(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	var ids []string
	for i := range 150 {
		id, err := f.srv.AddObject(20000001, "line_items", map[string]string{"name": fmt.Sprint("line ", i), "quantity": "1", "price": fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	ids = append(ids, ids[0]) // a repeated id is read once, returned twice
	got, err := f.client.LineItems(context.Background(), portal1, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(ids) {
		t.Fatalf("%d line items, want %d", len(got), len(ids))
	}
	for i, li := range got {
		if li.ID != ids[i] || li.UnitPrice != app.Money(i%150*100) {
			t.Fatalf("item %d = %+v, want id %s, price %d", i, li, ids[i], i%150)
		}
	}
	if n := f.calls(hubspotfake.RouteObjectsBatchRead); n != 2 {
		t.Errorf("batch reads = %d, want 2", n)
	}
}

func TestLineItemsMissing(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	design := f.id(t, 20000001, "lineItems", "quote.published.1")
	other := f.id(t, 20000002, "lineItems", "quote.published.1")
	_, err := f.client.LineItems(context.Background(), portal1, []string{design, "99999"})
	checkErr(t, err, app.NotFound, "Line item 99999 no longer exists in HubSpot.")
	_, err = f.client.LineItems(context.Background(), portal1, []string{other, design, "99999"})
	checkErr(t, err, app.NotFound, fmt.Sprintf("Line items %s, 99999 no longer exist in HubSpot.", other))
}

func TestLineItemsWithoutIDsOrWithBadOnes(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	got, err := f.client.LineItems(context.Background(), portal1, nil)
	if got != nil || err != nil {
		t.Errorf("LineItems(nil) = %v, %v; want nil, nil", got, err)
	}
	_, err = f.client.LineItems(context.Background(), portal1, []string{"1015", "1o16"})
	checkErr(t, err, app.Invalid, `"1o16" is not a HubSpot record id.`)
	if n := f.requests(); n != 0 {
		t.Errorf("%d requests made, want 0", n)
	}
}

func TestLineItemsRetries(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	f.srv.Faults().Inject(hubspotfake.RouteObjectsBatchRead, rateLimited(1))
	got, err := f.client.LineItems(context.Background(), portal1, []string{"1015", "1016"})
	if err != nil || len(got) != 2 {
		t.Fatalf("LineItems = %v, %v", got, err)
	}
	if n := f.calls(hubspotfake.RouteObjectsBatchRead); n != 2 {
		t.Errorf("batch reads = %d, want 2", n)
	}
}

// property is the part of a property definition the tests check.
type property struct {
	Name      string `json:"name"`
	Label     string `json:"label"`
	Type      string `json:"type"`
	FieldType string `json:"fieldType"`
	GroupName string `json:"groupName"`
	Options   []struct {
		Label string `json:"label"`
		Value string `json:"value"`
	} `json:"options"`
}

func TestEnsureDealProperties(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	if err := f.client.EnsureDealProperties(context.Background(), portal1); err != nil {
		t.Fatal(err)
	}
	if g, p := f.calls(hubspotfake.RoutePropertyGroupsCreate), f.calls(hubspotfake.RoutePropertiesCreate); g != 1 || p != 5 {
		t.Errorf("calls: %d group creates, %d property creates; want 1 and 5", g, p)
	}
	for _, name := range []string{app.DealPropAmountCollected, app.DealPropRecipient, app.DealPropNumber, app.DealPropStatus, app.DealPropDueDate} {
		if !f.srv.HasProperty(20000001, "deals", name) {
			t.Errorf("deal property %s missing", name)
		}
		if f.srv.HasProperty(20000002, "deals", name) {
			t.Errorf("deal property %s created in the other portal", name)
		}
	}

	// The second call is answered from memory.
	f.srv.Counters().Reset()
	if err := f.client.EnsureDealProperties(context.Background(), portal1); err != nil {
		t.Fatal(err)
	}
	if n := f.requests(); n != 0 {
		t.Errorf("second call made %d requests, want 0", n)
	}

	var group struct{ Name, Label string }
	f.raw(t, http.MethodGet, "/crm/v3/properties/deals/groups/"+app.DealPropertyGroup, "", http.StatusOK, &group)
	if group.Label != "QuickBooks invoice" {
		t.Errorf("group label = %q", group.Label)
	}
	var got []property
	for _, name := range []string{app.DealPropAmountCollected, app.DealPropRecipient, app.DealPropNumber, app.DealPropStatus, app.DealPropDueDate} {
		var p property
		f.raw(t, http.MethodGet, "/crm/v3/properties/deals/"+name, "", http.StatusOK, &p)
		got = append(got, p)
	}
	type option = struct {
		Label string `json:"label"`
		Value string `json:"value"`
	}
	var opts []option
	for _, s := range []app.InvoiceStatus{app.StatusAwaitingSend, app.StatusSent, app.StatusPartiallyPaid, app.StatusPaid,
		app.StatusOverdue, app.StatusVoided, app.StatusDeleted} {
		opts = append(opts, option{Label: s.Label(), Value: string(s)})
	}
	want := []property{
		{Name: app.DealPropAmountCollected, Label: "Invoice amount collected", Type: "number", FieldType: "number", GroupName: "quickbooks", Options: []option{}},
		{Name: app.DealPropRecipient, Label: "Invoice recipient", Type: "string", FieldType: "text", GroupName: "quickbooks", Options: []option{}},
		{Name: app.DealPropNumber, Label: "Invoice number", Type: "string", FieldType: "text", GroupName: "quickbooks", Options: []option{}},
		{Name: app.DealPropStatus, Label: "Invoice status", Type: "enumeration", FieldType: "select", GroupName: "quickbooks", Options: opts},
		{Name: app.DealPropDueDate, Label: "Invoice due date", Type: "date", FieldType: "date", GroupName: "quickbooks", Options: []option{}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("properties (-want +got):\n%s", diff)
	}
}

func TestEnsureDealPropertiesAcceptsExistingOnes(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	if err := f.client.EnsureDealProperties(context.Background(), portal1); err != nil {
		t.Fatal(err)
	}
	// Another process (a fresh Client) finds them all there: six 409s.
	f.srv.Counters().Reset()
	fresh := hubspot.New(hubspot.Config{HTTPClient: &http.Client{Transport: f.srv.Transport()}}, nil)
	if err := fresh.EnsureDealProperties(context.Background(), portal1); err != nil {
		t.Fatal(err)
	}
	if n := f.requests(); n != 6 {
		t.Errorf("%d requests, want 6", n)
	}
}

func TestEnsureDealPropertiesCompletesAPartialSet(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	// An earlier run, or a rep, made the group and one property.
	f.raw(t, http.MethodPost, "/crm/v3/properties/deals/groups", `{"name":"quickbooks","label":"QuickBooks"}`, http.StatusCreated, nil)
	f.raw(t, http.MethodPost, "/crm/v3/properties/deals",
		`{"name":"qbo_invoice_number","label":"QBO number","type":"string","fieldType":"text","groupName":"quickbooks"}`, http.StatusCreated, nil)
	f.srv.Counters().Reset()
	if err := f.client.EnsureDealProperties(context.Background(), portal1); err != nil {
		t.Fatal(err)
	}
	if g, p := f.calls(hubspotfake.RoutePropertyGroupsCreate), f.calls(hubspotfake.RoutePropertiesCreate); g != 1 || p != 5 {
		t.Errorf("calls: %d group creates, %d property creates; want 1 and 5", g, p)
	}
	for _, name := range []string{app.DealPropAmountCollected, app.DealPropRecipient, app.DealPropStatus, app.DealPropDueDate} {
		if !f.srv.HasProperty(20000001, "deals", name) {
			t.Errorf("deal property %s missing", name)
		}
	}
}

func TestEnsureDealPropertiesConcurrently(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 40 {
		p := portal1
		if i%2 == 1 {
			p = portal2
		}
		wg.Go(func() { errs <- f.client.EnsureDealProperties(context.Background(), p) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, tenant := range []string{"20000001", "20000002"} {
		if n := f.srv.Counters().Count("", tenant); n != 6 {
			t.Errorf("portal %s: %d requests, want 6 (one caller creates, the others wait)", tenant, n)
		}
	}
	for _, portal := range []int64{20000001, 20000002} {
		if !f.srv.HasProperty(portal, "deals", app.DealPropStatus) {
			t.Errorf("portal %d lacks the status property", portal)
		}
	}
}

func TestEnsureDealPropertiesFailureIsNotRemembered(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	f.srv.Faults().Inject(hubspotfake.RoutePropertiesCreate, envelopeFault(503, 0, "", "down"))
	err := f.client.EnsureDealProperties(context.Background(), portal1)
	checkErr(t, err, app.Unavailable, "HubSpot is not answering, try again in a minute.")
	if n := f.calls(hubspotfake.RoutePropertiesCreate); n != 4 {
		t.Errorf("property creates = %d, want 4 (the first, retried 3 times, then stop)", n)
	}

	f.srv.Faults().Clear("")
	f.srv.Faults().Inject(hubspotfake.RoutePropertyGroupsCreate, rateLimited(1))
	f.srv.Counters().Reset()
	if err := f.client.EnsureDealProperties(context.Background(), portal1); err != nil {
		t.Fatal(err)
	}
	// The group again (429, then 409), then the five properties.
	if g, p := f.calls(hubspotfake.RoutePropertyGroupsCreate), f.calls(hubspotfake.RoutePropertiesCreate); g != 2 || p != 5 {
		t.Errorf("calls: %d group creates, %d property creates; want 2 and 5", g, p)
	}
	if !f.srv.HasProperty(20000001, "deals", app.DealPropDueDate) {
		t.Error("due date property missing")
	}
}

func TestEnsureDealPropertiesErrors(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	f.srv.Faults().Inject(hubspotfake.RoutePropertyGroupsCreate,
		envelopeFault(403, 1, "MISSING_SCOPES", "This app hasn't been granted all required scopes: crm.schemas.deals.write"))
	err := f.client.EnsureDealProperties(context.Background(), portal1)
	checkErr(t, err, app.Forbidden, "HubSpot does not allow this app to create that deal property group; reinstall the app to grant its permissions.")

	f.srv.Faults().Inject(hubspotfake.RoutePropertiesCreate, envelopeFault(409, 1, "CONFLICT", "something else"))
	if err := f.client.EnsureDealProperties(context.Background(), portal1); err != nil {
		t.Errorf("any 409 counts as existing: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fresh := hubspot.New(hubspot.Config{HTTPClient: &http.Client{Transport: f.srv.Transport()}}, nil)
	err = fresh.EnsureDealProperties(ctx, portal2)
	checkErr(t, err, app.Unavailable, "")

	noToken := portal2
	noToken.Tokens = app.Tokens{}
	err = fresh.EnsureDealProperties(context.Background(), noToken)
	checkErr(t, err, app.NotConnected, "")
}

func TestUpdateDeal(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	dealID := f.id(t, 20000001, "deals", "with_quotes")
	if err := f.client.EnsureDealProperties(context.Background(), portal1); err != nil {
		t.Fatal(err)
	}
	props := map[string]string{
		app.DealPropAmountCollected: "197.50",
		app.DealPropRecipient:       "ap@acme.example",
		app.DealPropNumber:          "1037",
		app.DealPropStatus:          string(app.StatusPartiallyPaid),
		app.DealPropDueDate:         "2026-02-14",
	}
	if err := f.client.UpdateDeal(context.Background(), portal1, dealID, props); err != nil {
		t.Fatal(err)
	}
	got, _ := f.srv.Object(20000001, "deals", dealID)
	for k, v := range props {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if got["dealname"] != "Acme website redesign" {
		t.Errorf("dealname = %q: other properties must stay", got["dealname"])
	}

	// An empty value clears.
	if err := f.client.UpdateDeal(context.Background(), portal1, dealID, map[string]string{app.DealPropNumber: "", app.DealPropStatus: string(app.StatusPaid)}); err != nil {
		t.Fatal(err)
	}
	got, _ = f.srv.Object(20000001, "deals", dealID)
	if v, ok := got[app.DealPropNumber]; ok {
		t.Errorf("number = %q, want cleared", v)
	}
	if got[app.DealPropStatus] != "paid" || got[app.DealPropRecipient] != "ap@acme.example" {
		t.Errorf("deal = %v", got)
	}
	if n := f.calls(hubspotfake.RouteObjectsUpdate); n != 2 {
		t.Errorf("updates = %d, want 2", n)
	}

	// Nothing to write: no request.
	f.srv.Counters().Reset()
	if err := f.client.UpdateDeal(context.Background(), portal1, dealID, nil); err != nil || f.requests() != 0 {
		t.Errorf("UpdateDeal(nil) = %v with %d requests", err, f.requests())
	}
}

func TestUpdateDealErrors(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	if err := f.client.EnsureDealProperties(context.Background(), portal1); err != nil {
		t.Fatal(err)
	}
	status := map[string]string{app.DealPropStatus: "sent"}

	err := f.client.UpdateDeal(context.Background(), portal1, f.id(t, 20000002, "deals", "with_quotes"), status)
	checkErr(t, err, app.NotFound, "This deal no longer exists in HubSpot.")
	err = f.client.UpdateDeal(context.Background(), portal1, "99999", status)
	checkErr(t, err, app.NotFound, "This deal no longer exists in HubSpot.")

	err = f.client.UpdateDeal(context.Background(), portal1, "1011", map[string]string{app.DealPropStatus: "lost"})
	checkErr(t, err, app.Invalid, "")
	// The other portal never got the properties.
	err = f.client.UpdateDeal(context.Background(), portal2, f.id(t, 20000002, "deals", "with_quotes"), status)
	checkErr(t, err, app.Invalid, "")

	f.srv.Counters().Reset()
	err = f.client.UpdateDeal(context.Background(), portal1, "10 11", status)
	checkErr(t, err, app.Invalid, "")
	if n := f.requests(); n != 0 {
		t.Errorf("%d requests for a bad id", n)
	}

	f.srv.Faults().Inject(hubspotfake.RouteObjectsUpdate, rateLimited(2))
	if err := f.client.UpdateDeal(context.Background(), portal1, "1011", status); err != nil {
		t.Fatal(err)
	}
	if n := f.calls(hubspotfake.RouteObjectsUpdate); n != 3 {
		t.Errorf("updates = %d, want 3", n)
	}
	if got, _ := f.srv.Object(20000001, "deals", "1011"); got[app.DealPropStatus] != "sent" {
		t.Errorf("status = %q", got[app.DealPropStatus])
	}

	f.srv.Faults().Inject(hubspotfake.RouteObjectsUpdate, envelopeFault(403, 1, "MISSING_SCOPES", "no"))
	err = f.client.UpdateDeal(context.Background(), portal1, "1011", status)
	checkErr(t, err, app.Forbidden, "HubSpot does not allow this app to change that deal; reinstall the app to grant its permissions.")

	f.srv.Faults().Inject(hubspotfake.RouteObjectsUpdate, envelopeFault(400, 1, "VALIDATION_ERROR", "bad "+token1))
	err = f.client.UpdateDeal(context.Background(), portal1, "1011", status)
	checkErr(t, err, app.Invalid, "HubSpot rejected the request: bad REDACTED")
}
