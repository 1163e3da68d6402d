package store_test

import (
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

func TestSyncedRecords(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		a := mustSaveConnection(t, s, 1, "111")
		b := mustSaveConnection(t, s, 2, "111")
		if r, err := s.SyncedRecord(ctx, a.ID, app.SyncContacts, "7"); err != nil || r != (app.SyncedRecord{}) {
			t.Fatalf("before any save: %+v, %v", r, err)
		}
		want := app.SyncedRecord{QBOID: "7", HubSpotID: "9001", CompanyID: "501", CompanyName: "Acme"}
		if err := s.SaveSyncedRecord(ctx, a.ID, app.SyncContacts, want); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveSyncedRecord(ctx, a.ID, app.SyncProducts, app.SyncedRecord{QBOID: "7", HubSpotID: "77"}); err != nil {
			t.Fatal(err)
		}
		if r, err := s.SyncedRecord(ctx, a.ID, app.SyncContacts, "7"); err != nil || r != want {
			t.Errorf("contact = %+v, %v; want %+v", r, err, want)
		}
		want.HubSpotID, want.CompanyID = "9002", ""
		if err := s.SaveSyncedRecord(ctx, a.ID, app.SyncContacts, want); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.SyncedRecord(ctx, a.ID, app.SyncContacts, "7"); r != want {
			t.Errorf("after a replacement: %+v", r)
		}
		if r, _ := s.SyncedRecord(ctx, a.ID, app.SyncProducts, "7"); r.HubSpotID != "77" {
			t.Errorf("product = %+v", r)
		}
		if r, _ := s.SyncedRecord(ctx, b.ID, app.SyncContacts, "7"); r.HubSpotID != "" {
			t.Errorf("another connection sees %+v", r)
		}
		wantCode(t, "an unknown connection", s.SaveSyncedRecord(ctx, "nope", app.SyncContacts, want), app.NotFound)
		if err := s.SaveSyncedRecord(ctx, a.ID, app.SyncInvoices, want); err == nil {
			t.Error("an invoices row was stored")
		}
		if n := countRows(t, s, "synced_records"); n != 2 {
			t.Errorf("%d rows, want 2", n)
		}

		// The contact and product mappings are kept apart from the invoice one.
		fields := []app.FieldMapping{{QBO: app.CustomerEmail, HubSpot: "email"}}
		if err := s.SaveFieldMapping(ctx, 1, app.SyncContacts, fields); err != nil {
			t.Fatal(err)
		}
		ps, err := s.PortalSettings(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps.ContactFields) != 1 || ps.ContactFields[0] != fields[0] || ps.ProductFields != nil || ps.InvoiceFields != nil {
			t.Errorf("settings = %+v", ps)
		}
	})
}
