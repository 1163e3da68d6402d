package store_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

func TestHubSpotInvoiceIDs(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		a := mustSaveConnection(t, s, 1, "111")
		b := mustSaveConnection(t, s, 2, "111") // the same company, another portal

		if id, err := s.HubSpotInvoiceID(ctx, a.ID, "7"); err != nil || id != "" {
			t.Fatalf("before any save: %q, %v", id, err)
		}
		if err := s.SaveHubSpotInvoiceID(ctx, a.ID, "7", "9001"); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveHubSpotInvoiceID(ctx, a.ID, "8", "9002"); err != nil {
			t.Fatal(err)
		}
		if id, err := s.HubSpotInvoiceID(ctx, a.ID, "7"); err != nil || id != "9001" {
			t.Errorf("after a save: %q, %v", id, err)
		}
		// A replacement (HubSpot's was archived and made again) keeps one row.
		if err := s.SaveHubSpotInvoiceID(ctx, a.ID, "7", "9003"); err != nil {
			t.Fatal(err)
		}
		got, err := s.HubSpotInvoiceIDs(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]string{"7": "9003", "8": "9002"}, got); diff != "" {
			t.Errorf("pairs (-want +got):\n%s", diff)
		}

		// Each connection has its own.
		if id, _ := s.HubSpotInvoiceID(ctx, b.ID, "7"); id != "" {
			t.Errorf("another portal's connection sees %q", id)
		}
		if got, err := s.HubSpotInvoiceIDs(ctx, b.ID); err != nil || len(got) != 0 {
			t.Errorf("another connection's pairs: %v, %v", got, err)
		}
		wantCode(t, "an unknown connection", s.SaveHubSpotInvoiceID(ctx, "nope", "7", "1"), app.NotFound)
		if err := s.SaveHubSpotInvoiceID(ctx, a.ID, "7", ""); err == nil {
			t.Error("an empty HubSpot id was stored")
		}
		if n := countRows(t, s, "hubspot_invoices"); n != 2 {
			t.Errorf("%d rows, want 2", n)
		}
	})
}

func TestSaveFieldMapping(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if got := mustSettings(t, s, 1); got.InvoiceFields != nil {
			t.Fatalf("a portal that never saved has a mapping: %v", got.InvoiceFields)
		}
		fields := []app.FieldMapping{{QBO: app.FieldStatus, HubSpot: "qbo_stage"}, {QBO: app.FieldDocNumber, HubSpot: "hs_number"}}
		if err := s.SaveFieldMapping(ctx, 1, app.SyncInvoices, fields); err != nil {
			t.Fatal(err)
		}
		got := mustSettings(t, s, 1)
		if diff := cmp.Diff(fields, got.InvoiceFields); diff != "" {
			t.Errorf("mapping read back (-want +got):\n%s", diff)
		}
		if got.UpdatedAt.IsZero() {
			t.Error("UpdatedAt is zero after a mapping save")
		}
		// The switches are saved apart and keep the mapping.
		on := app.SyncSettings{Enabled: true, OnCreateOrUpdate: app.WriteUpdateOnly, OnDelete: app.DeleteArchive, EnabledAt: clockStart}
		if err := s.SaveSyncSettings(ctx, 1, app.SyncInvoices, on); err != nil {
			t.Fatal(err)
		}
		after := mustSettings(t, s, 1)
		if diff := cmp.Diff(fields, after.InvoiceFields); diff != "" || after.Invoices != on {
			t.Errorf("after saving the switches: %+v %v", after.Invoices, after.InvoiceFields)
		}

		// Replaced whole.
		one := []app.FieldMapping{{QBO: app.FieldTotalAmt, HubSpot: "hs_amount_billed"}}
		if err := s.SaveFieldMapping(ctx, 1, app.SyncInvoices, one); err != nil {
			t.Fatal(err)
		}
		latest := mustSettings(t, s, 1)
		if diff := cmp.Diff(one, latest.InvoiceFields); diff != "" {
			t.Errorf("replaced mapping (-want +got):\n%s", diff)
		}
		if !latest.UpdatedAt.After(after.UpdatedAt) {
			t.Errorf("UpdatedAt %v did not move past %v", latest.UpdatedAt, after.UpdatedAt)
		}
		if m := mustSettings(t, s, 2).InvoiceFields; m != nil {
			t.Errorf("portal 2 sees portal 1's mapping: %v", m)
		}
		if err := s.SaveFieldMapping(ctx, 1, app.SyncObject("deals"), one); err == nil {
			t.Error("a mapping of an unknown kind was stored")
		}
	})
}
