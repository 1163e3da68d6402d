package hubspot_test

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// TestInvoiceBatches: the import's batch calls against the fake, one
// request each: create by key, find by key (207 for the missing), update
// (missing ids reported), a colliding create refused whole, associations
// by the default type (a gone record skipped) and contacts by email.
func TestInvoiceBatches(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	ctx := context.Background()
	if err := f.client.EnsureInvoiceKeyProperty(ctx, portal1); err != nil {
		t.Fatal(err)
	}
	inv := func(key, number string) map[string]string {
		return map[string]string{"hs_currency": "USD", "hs_number": number, app.InvoiceKeyProperty: key}
	}
	before := f.calls(hubspotfake.RouteObjectsBatchCreate)
	made, err := f.client.CreateInvoices(ctx, portal1, []map[string]string{inv("r:1", "1001"), inv("r:2", "1002"), inv("r:3", "1003")})
	if err != nil || len(made) != 3 {
		t.Fatalf("CreateInvoices = %v, %v", made, err)
	}
	if n := f.calls(hubspotfake.RouteObjectsBatchCreate) - before; n != 1 {
		t.Errorf("%d batch creates, want 1", n)
	}
	if got, _ := f.srv.Object(20000001, "invoices", made["r:2"]); got["hs_number"] != "1002" || got[app.InvoiceKeyProperty] != "r:2" {
		t.Errorf("invoice r:2 = %v", got)
	}

	found, err := f.client.FindInvoicesByKeys(ctx, portal1, []string{"r:1", "r:3", "r:9", "r:1"})
	if err != nil || fmt.Sprint(found) != fmt.Sprint(map[string]string{"r:1": made["r:1"], "r:3": made["r:3"]}) {
		t.Errorf("FindInvoicesByKeys = %v, %v", found, err)
	}
	if err := f.client.ArchiveInvoice(ctx, portal1, made["r:3"]); err != nil {
		t.Fatal(err)
	}
	missing, err := f.client.UpdateInvoices(ctx, portal1, map[string]map[string]string{
		made["r:1"]: {"hs_invoice_status": "paid"}, made["r:3"]: {"hs_invoice_status": "paid"}})
	if err != nil || fmt.Sprint(missing) != fmt.Sprint([]string{made["r:3"]}) {
		t.Errorf("UpdateInvoices missing = %v, %v; want the archived one", missing, err)
	}
	if got, _ := f.srv.Object(20000001, "invoices", made["r:1"]); got["hs_invoice_status"] != "paid" {
		t.Errorf("after update: %v", got)
	}
	n := len(f.srv.Objects(20000001, "invoices"))
	_, err = f.client.CreateInvoices(ctx, portal1, []map[string]string{inv("r:4", "1004"), inv("r:1", "1001")})
	checkErr(t, err, app.Conflict, "")
	if len(f.srv.Objects(20000001, "invoices")) != n {
		t.Error("a refused batch create made invoices")
	}
	_, err = f.client.CreateInvoices(ctx, portal1, []map[string]string{{"hs_currency": "USD"}})
	checkErr(t, err, app.Invalid, "")

	deal, alice, acme := f.id(t, 20000001, "deals", "with_quotes"), f.id(t, 20000001, "contacts", "alice"), f.id(t, 20000001, "companies", "acme")
	err = f.client.AssociateInvoices(ctx, portal1, app.Deals, []app.InvoiceAssociation{
		{RecordID: deal, InvoiceID: made["r:1"]}, {RecordID: deal, InvoiceID: made["r:2"]}, {RecordID: "999999", InvoiceID: made["r:1"]}})
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"r:1", "r:2"} {
		if got := fmt.Sprint(f.srv.Associations(20000001, "invoices", made[key], "deals")); got != fmt.Sprint(map[string][]int{deal: {175}}) {
			t.Errorf("invoice %s→deals = %s", key, got)
		}
	}
	checkErr(t, f.client.AssociateInvoices(ctx, portal1, "quotes", nil), app.Invalid, "")

	amy, _ := f.srv.Object(20000001, "contacts", f.id(t, 20000001, "contacts", "amy"))
	contacts, err := f.client.FindContactsByEmails(ctx, portal1, []string{"AP@acme.example", amy["email"], "nobody@example.com", "ap@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if got := contacts["ap@acme.example"]; got.ContactID != alice || got.PrimaryCompanyID != acme {
		t.Errorf("ap@acme.example = %+v, want %s at %s", got, alice, acme)
	}
	if got, ok := contacts[amy["email"]]; !ok || got.ContactID == "" || got.PrimaryCompanyID != "" {
		t.Errorf("amy = %+v, %v; want a contact without a company", got, ok)
	}
	if _, ok := contacts["nobody@example.com"]; ok || len(contacts) != 2 {
		t.Errorf("contacts = %v, want two", contacts)
	}
}

// TestInvoiceBatchesSplitAtOneHundred: HubSpot's batch endpoints take 100
// inputs (reference 4.5); more are sent in several requests.
func TestInvoiceBatchesSplitAtOneHundred(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	ctx := context.Background()
	if err := f.client.EnsureInvoiceKeyProperty(ctx, portal1); err != nil {
		t.Fatal(err)
	}
	var invoices []map[string]string
	var keys []string
	for i := range 150 {
		key := fmt.Sprintf("r:%d", i)
		keys = append(keys, key)
		invoices = append(invoices, map[string]string{"hs_currency": "USD", app.InvoiceKeyProperty: key})
	}
	made, err := f.client.CreateInvoices(ctx, portal1, invoices)
	if err != nil || len(made) != 150 {
		t.Fatalf("CreateInvoices: %d, %v", len(made), err)
	}
	found, err := f.client.FindInvoicesByKeys(ctx, portal1, keys)
	if err != nil || len(found) != 150 {
		t.Fatalf("FindInvoicesByKeys: %d, %v", len(found), err)
	}
	ids := make([]string, 0, len(made))
	for _, id := range made {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var pairs []app.InvoiceAssociation
	alice := f.id(t, 20000001, "contacts", "alice")
	for _, id := range ids {
		pairs = append(pairs, app.InvoiceAssociation{RecordID: alice, InvoiceID: id})
	}
	if err := f.client.AssociateInvoices(ctx, portal1, app.Contacts, pairs); err != nil {
		t.Fatal(err)
	}
	for route, want := range map[string]int{hubspotfake.RouteObjectsBatchCreate: 2, hubspotfake.RouteObjectsBatchRead: 2, hubspotfake.RouteAssociationsCreate: 2} {
		if n := f.calls(route); n != want {
			t.Errorf("%s: %d requests, want %d", route, n, want)
		}
	}
	if got := f.srv.Associations(20000001, "invoices", ids[149], "contacts"); len(got[alice]) == 0 {
		t.Errorf("the 150th invoice is not associated: %v", got)
	}
}
