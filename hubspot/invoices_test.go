package hubspot_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

func TestInvoiceProperties(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	props, err := f.client.InvoiceProperties(context.Background(), portal1)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]app.HubSpotProperty{}
	for _, p := range props {
		byName[p.Name] = p
	}
	if st := byName["hs_invoice_status"]; st.Type != "enumeration" || fmt.Sprint(st.Options) != "[draft open paid voided]" || st.ReadOnly {
		t.Errorf("hs_invoice_status = %+v", st)
	}
	if id := byName["hs_object_id"]; !id.ReadOnly {
		t.Errorf("hs_object_id = %+v, want read-only", id)
	}
	if n := byName["hs_amount_billed"]; n.Type != "number" || n.Label == "" {
		t.Errorf("hs_amount_billed = %+v", n)
	}
	if n := f.calls(hubspotfake.RoutePropertiesRead); n != 1 {
		t.Errorf("%d property reads, want 1", n)
	}
}

// TestInvoiceLifecycle: the key property, then create, find by key,
// update, associate and archive.
func TestInvoiceLifecycle(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	ctx := context.Background()
	if err := f.client.EnsureInvoiceKeyProperty(ctx, portal1); err != nil {
		t.Fatal(err)
	}
	if !f.srv.HasProperty(20000001, "invoices", app.InvoiceKeyProperty) {
		t.Fatal("no key property after EnsureInvoiceKeyProperty")
	}
	before := f.requests()
	if err := f.client.EnsureInvoiceKeyProperty(ctx, portal1); err != nil || f.requests() != before {
		t.Errorf("second ensure: %v, %d requests", err, f.requests()-before)
	}

	if id, err := f.client.FindInvoiceByKey(ctx, portal1, "r:1"); err != nil || id != "" {
		t.Fatalf("find before create = %q, %v", id, err)
	}
	id, err := f.client.CreateInvoice(ctx, portal1, map[string]string{"hs_currency": "USD", "hs_number": "1001", app.InvoiceKeyProperty: "r:1"})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.client.FindInvoiceByKey(ctx, portal1, "r:1"); err != nil || got != id {
		t.Errorf("find = %q, %v; want %s", got, err, id)
	}
	_, err = f.client.CreateInvoice(ctx, portal1, map[string]string{"hs_currency": "USD", app.InvoiceKeyProperty: "r:1"})
	checkErr(t, err, app.Conflict, "")
	_, err = f.client.CreateInvoice(ctx, portal1, map[string]string{"hs_number": "1002"})
	checkErr(t, err, app.Invalid, "")

	if err := f.client.UpdateInvoice(ctx, portal1, id, map[string]string{"hs_invoice_status": "paid", "hs_number": ""}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.srv.Object(20000001, "invoices", id); got["hs_invoice_status"] != "paid" || got["hs_number"] != "" {
		t.Errorf("after update: %v", got)
	}

	deal, alice, acme := f.id(t, 20000001, "deals", "with_quotes"), f.id(t, 20000001, "contacts", "alice"), f.id(t, 20000001, "companies", "acme")
	for _, rec := range []app.ObjectRef{{Type: app.Deals, ID: deal}, {Type: app.Contacts, ID: alice}, {Type: app.Companies, ID: acme}} {
		if err := f.client.AssociateInvoice(ctx, portal1, id, rec); err != nil {
			t.Fatalf("associate %s: %v", rec, err)
		}
	}
	want := map[string]string{"deals": deal + "=[175]", "contacts": alice + "=[177]", "companies": acme + "=[179]"}
	for to, w := range want {
		var got string
		for k, v := range f.srv.Associations(20000001, "invoices", id, to) {
			got = fmt.Sprintf("%s=%v", k, v)
		}
		if got != w {
			t.Errorf("invoice→%s = %s, want %s", to, got, w)
		}
	}
	checkErr(t, f.client.AssociateInvoice(ctx, portal1, id, app.ObjectRef{Type: "quotes", ID: "1"}), app.Invalid, "")
	checkErr(t, f.client.AssociateInvoice(ctx, portal1, id, app.ObjectRef{Type: app.Deals, ID: "999999"}), app.NotFound, "")

	if err := f.client.ArchiveInvoice(ctx, portal1, id); err != nil {
		t.Fatal(err)
	}
	if err := f.client.ArchiveInvoice(ctx, portal1, id); err != nil {
		t.Errorf("archive twice: %v", err)
	}
	checkErr(t, f.client.UpdateInvoice(ctx, portal1, id, map[string]string{"hs_number": "x"}), app.NotFound, "This invoice no longer exists in HubSpot.")
	if got, err := f.client.FindInvoiceByKey(ctx, portal1, "r:1"); err != nil || got != "" {
		t.Errorf("find after archive = %q, %v", got, err)
	}
	// Portal two has its own invoices: the key finds nothing there.
	if err := f.client.EnsureInvoiceKeyProperty(ctx, portal2); err != nil {
		t.Fatal(err)
	}
	if got, err := f.client.FindInvoiceByKey(ctx, portal2, "r:1"); err != nil || got != "" {
		t.Errorf("portal two finds %q, %v", got, err)
	}
}

// TestCreateInvoiceAnswerLost: HubSpot makes the invoice, the answer is
// lost, the client retries; the unique key turns the retry into a
// Conflict, and one invoice exists.
func TestCreateInvoiceAnswerLost(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	ctx := context.Background()
	if err := f.client.EnsureInvoiceKeyProperty(ctx, portal1); err != nil {
		t.Fatal(err)
	}
	f.srv.AfterFaults().Inject(hubspotfake.RouteObjectsCreate+":invoices", hubspotfake.Fault{Drop: true, Times: 1})
	_, err := f.client.CreateInvoice(ctx, portal1, map[string]string{"hs_currency": "USD", app.InvoiceKeyProperty: "r:7"})
	checkErr(t, err, app.Conflict, "")
	if ids := f.srv.Objects(20000001, "invoices"); len(ids) != 1 {
		t.Errorf("invoices = %v, want one", ids)
	}
	if n := f.calls(hubspotfake.RouteObjectsCreate); n != 2 {
		t.Errorf("%d creates sent, want the first and its retry", n)
	}
}

func TestFindContactByEmail(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	ctx := context.Background()
	alice, acme := f.id(t, 20000001, "contacts", "alice"), f.id(t, 20000001, "companies", "acme")
	contact, company, err := f.client.FindContactByEmail(ctx, portal1, "AP@acme.example")
	if err != nil || contact != alice || company != acme {
		t.Errorf("ap@acme.example = %q, %q, %v; want %s, %s", contact, company, err, alice, acme)
	}
	contact, company, err = f.client.FindContactByEmail(ctx, portal1, "nobody@example.com")
	if err != nil || contact != "" || company != "" {
		t.Errorf("unknown email = %q, %q, %v", contact, company, err)
	}
	// Amy has no company.
	amy, _ := f.srv.Object(20000001, "contacts", f.id(t, 20000001, "contacts", "amy"))
	contact, company, err = f.client.FindContactByEmail(ctx, portal1, amy["email"])
	if err != nil || contact == "" || company != "" {
		t.Errorf("amy = %q, %q, %v; want a contact and no company", contact, company, err)
	}
	if n := len(f.srv.Objects(20000001, "contacts")); n != 4 {
		t.Errorf("%d contacts: a lookup created one", n)
	}
}
