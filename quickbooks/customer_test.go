package quickbooks

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// The single reads of contact and product sync (customer.go).

func TestCustomerRead(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	ctx := context.Background()

	acme := f.id(us, "customers", "acme")
	got, err := f.client.Customer(ctx, f.conn(us), acme)
	wantErr(t, err, "", "")
	want := app.Customer{ID: acme, DisplayName: "Acme Corporation", CompanyName: "Acme Corporation", GivenName: "Alice",
		FamilyName: "Buyer", Email: "ap@acme.example", Currency: "USD", TermID: "3",
		BillAddr: app.Address{Line1: "1 Acme Way", City: "Oakland", Region: "CA", PostalCode: "94607"}}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(app.Customer{}, "UpdatedAt")); diff != "" {
		t.Errorf("Acme (-want +got):\n%s", diff)
	}
	if got.UpdatedAt.IsZero() || !got.UpdatedAt.Before(fixedNow) {
		t.Errorf("Acme UpdatedAt = %v, want a seeded time before %v", got.UpdatedAt, fixedNow)
	}

	// Inactive ones are read too (the lists leave them out).
	initech := f.id(us, "customers", "initech")
	got, err = f.client.Customer(ctx, f.conn(us), initech)
	wantErr(t, err, "", "")
	if !got.Inactive || got.DisplayName != "Initech" || got.Email != "info@initech.example" {
		t.Errorf("Initech = %+v, want inactive", got)
	}

	// Phone and the whole billing address; the time is the fake's clock.
	addr := map[string]string{"Line1": "1 Main St", "City": "Springfield", "CountrySubDivisionCode": "IL",
		"PostalCode": "62701", "Country": "US"}
	phone := map[string]string{"FreeFormNumber": "(555) 010-2000"}
	id := f.post(us, "customer", map[string]any{"DisplayName": "Zed Zimmer", "GivenName": "Zed", "PrimaryPhone": phone, "BillAddr": addr})
	got, err = f.client.Customer(ctx, f.conn(us), id)
	wantErr(t, err, "", "")
	want = app.Customer{ID: id, DisplayName: "Zed Zimmer", GivenName: "Zed", Currency: "USD", Phone: "(555) 010-2000", UpdatedAt: fixedNow,
		BillAddr: app.Address{Line1: "1 Main St", City: "Springfield", Region: "IL", PostalCode: "62701", Country: "US"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("new customer (-want +got):\n%s", diff)
	}
}

func TestItemRead(t *testing.T) {
	us, ca := qbofake.DemoRealmUS, qbofake.DemoRealmCA
	f := newFixture(t)
	ctx := context.Background()

	design := f.id(us, "items", "design")
	got, err := f.client.Item(ctx, f.conn(us), design)
	wantErr(t, err, "", "")
	want := app.Item{ID: design, Name: "Design hours", SKU: "DES-HR", Description: "Design hours", Type: "Service", UnitPrice: 7500}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(app.Item{}, "UpdatedAt")); diff != "" {
		t.Errorf("Design hours (-want +got):\n%s", diff)
	}
	if got.UpdatedAt.IsZero() || !got.UpdatedAt.Before(fixedNow) {
		t.Errorf("Design hours UpdatedAt = %v", got.UpdatedAt)
	}

	legacy := f.id(us, "items", "legacy_widget")
	got, err = f.client.Item(ctx, f.conn(us), legacy)
	wantErr(t, err, "", "")
	if !got.Inactive || got.Name != "Legacy widget" || got.Type != "NonInventory" {
		t.Errorf("Legacy widget = %+v, want inactive", got)
	}

	// Taxable, and a price past the cent rounded as Items does.
	odd := f.post(us, "item", map[string]any{"Name": "Odd price", "Type": "NonInventory", "Sku": "ODD-1",
		"Taxable": true, "UnitPrice": json.Number("0.125")})
	got, err = f.client.Item(ctx, f.conn(us), odd)
	wantErr(t, err, "", "")
	want = app.Item{ID: odd, Name: "Odd price", SKU: "ODD-1", Type: "NonInventory", UnitPrice: 13, Taxable: true, UpdatedAt: fixedNow}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("odd price (-want +got):\n%s", diff)
	}

	// Outside the US the item's tax code.
	caDesign := f.id(ca, "items", "design")
	got, err = f.client.Item(ctx, f.conn(ca), caDesign)
	wantErr(t, err, "", "")
	if got.TaxCodeID != "5" || got.UnitPrice != 9500 || got.Inactive {
		t.Errorf("CA Design hours = %+v", got)
	}
}

// TestRecordReadErrors: an id QuickBooks never had is NotFound; an id not
// digits is Invalid before any request.
func TestRecordReadErrors(t *testing.T) {
	us := qbofake.DemoRealmUS
	f := newFixture(t)
	ctx := context.Background()

	_, err := f.client.Customer(ctx, f.conn(us), "99999")
	wantErr(t, err, app.NotFound, "Customer 99999 no longer exists in QuickBooks.")
	_, err = f.client.Item(ctx, f.conn(us), "99999")
	wantErr(t, err, app.NotFound, "Item 99999 no longer exists in QuickBooks.")

	before := f.dataCalls(us)
	for _, id := range []string{"", "12a", "1 OR 1=1", "../invoice/1", "-1"} {
		_, err = f.client.Customer(ctx, f.conn(us), id)
		wantErr(t, err, app.Invalid, "")
		_, err = f.client.Item(ctx, f.conn(us), id)
		wantErr(t, err, app.Invalid, "")
	}
	_, err = f.client.Item(ctx, f.conn(us), "12a")
	wantErr(t, err, app.Invalid, `"12a" is not a QuickBooks item id; ids are digits.`)
	_, err = f.client.Customer(ctx, f.conn(us), "12a")
	wantErr(t, err, app.Invalid, `"12a" is not a QuickBooks customer id; ids are digits.`)
	if n := f.dataCalls(us) - before; n != 0 {
		t.Errorf("malformed ids made %d requests", n)
	}
}
