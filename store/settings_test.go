package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

func mustSettings(t *testing.T, s *store.Store, portalID int64) app.PortalSettings {
	t.Helper()
	ps, err := s.PortalSettings(t.Context(), portalID)
	if err != nil {
		t.Fatalf("PortalSettings(%d): %v", portalID, err)
	}
	return ps
}

func TestPortalSettingsDefaultUntilSaved(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		if diff := cmp.Diff(app.DefaultPortalSettings(1), mustSettings(t, s, 1)); diff != "" {
			t.Errorf("a portal that never saved (-want +got):\n%s", diff)
		}
		if n := countRows(t, s, "portal_settings") + countRows(t, s, "sync_settings"); n != 0 {
			t.Errorf("reading settings wrote %d rows", n)
		}
	})
}

func TestSaveSyncSettings(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		on := app.SyncSettings{Enabled: true, OnCreateOrUpdate: app.WriteUpdateOnly, OnDelete: app.DeleteArchive,
			EnabledAt: time.Date(2024, 3, 5, 11, 0, 0, 987654321, paris)}
		if err := s.SaveSyncSettings(ctx, 1, app.SyncContacts, on); err != nil {
			t.Fatal(err)
		}
		want := app.DefaultPortalSettings(1)
		want.Contacts = on
		got := mustSettings(t, s, 1)
		if got.UpdatedAt.IsZero() {
			t.Error("UpdatedAt is zero after a save")
		}
		want.UpdatedAt = got.UpdatedAt
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after saving contacts (-want +got):\n%s", diff)
		}

		// Replacing keeps other kinds, and turning off stores what is given.
		off := app.SyncSettings{OnCreateOrUpdate: app.WriteNothing, OnDelete: app.DeleteNothing, EnabledAt: on.EnabledAt}
		if err := s.SaveSyncSettings(ctx, 1, app.SyncContacts, off); err != nil {
			t.Fatal(err)
		}
		inv := app.SyncSettings{Enabled: true, OnCreateOrUpdate: app.WriteCreateOrUpdate, OnDelete: app.DeleteKeep, EnabledAt: clockStart}
		if err := s.SaveSyncSettings(ctx, 1, app.SyncInvoices, inv); err != nil {
			t.Fatal(err)
		}
		got2 := mustSettings(t, s, 1)
		want.Contacts, want.Invoices, want.UpdatedAt = off, inv, got2.UpdatedAt
		if diff := cmp.Diff(want, got2); diff != "" {
			t.Errorf("after two more saves (-want +got):\n%s", diff)
		}
		if !got2.UpdatedAt.After(got.UpdatedAt) {
			t.Errorf("UpdatedAt %v did not move past %v", got2.UpdatedAt, got.UpdatedAt)
		}

		// Tenants: portal 2 still has the defaults.
		if diff := cmp.Diff(app.DefaultPortalSettings(2), mustSettings(t, s, 2)); diff != "" {
			t.Errorf("portal 2 sees portal 1's settings (-want +got):\n%s", diff)
		}
		if err := s.SaveSyncSettings(ctx, 1, app.SyncObject("deals"), on); err == nil {
			t.Error("an unknown kind was stored")
		}
	})
}

func TestSaveDefaultConnection(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		a := mustSaveConnection(t, s, 1, "111")
		b := mustSaveConnection(t, s, 1, "222")
		other := mustSaveConnection(t, s, 2, "333")

		if err := s.SaveDefaultConnection(ctx, 1, b.ID); err != nil {
			t.Fatal(err)
		}
		if got := mustSettings(t, s, 1); got.DefaultConnectionID != b.ID || got.UpdatedAt.IsZero() {
			t.Errorf("default = %q (updated %v), want %s", got.DefaultConnectionID, got.UpdatedAt, b.ID)
		}
		if err := s.SaveDefaultConnection(ctx, 1, a.ID); err != nil {
			t.Fatal(err)
		}
		if got := mustSettings(t, s, 1).DefaultConnectionID; got != a.ID {
			t.Errorf("default after a change = %q, want %s", got, a.ID)
		}

		// Another portal's connection, or none at all, is not found, and
		// the stored default stays.
		wantCode(t, "another portal's connection", s.SaveDefaultConnection(ctx, 1, other.ID), app.NotFound)
		wantCode(t, "an unknown connection", s.SaveDefaultConnection(ctx, 1, "nope"), app.NotFound)
		wantCode(t, "a portal without settings", s.SaveDefaultConnection(ctx, 3, other.ID), app.NotFound)
		if got := mustSettings(t, s, 1).DefaultConnectionID; got != a.ID {
			t.Errorf("default after refused saves = %q, want %s", got, a.ID)
		}
		if n := countRows(t, s, "portal_settings"); n != 1 {
			t.Errorf("%d portal_settings rows, want 1", n)
		}

		// The foreign key holds the rule for any other writer too.
		if _, err := store.DB(s).ExecContext(ctx,
			`UPDATE portal_settings SET default_connection_id = $1 WHERE portal_id = 1`, other.ID); err == nil {
			t.Error("the database let portal 1's default be portal 2's connection")
		}

		// "" clears the choice; sync settings are untouched by it.
		if err := s.SaveSyncSettings(ctx, 1, app.SyncProducts, app.SyncSettings{Enabled: true, OnCreateOrUpdate: app.WriteUpdateOnly, OnDelete: app.DeleteKeep}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveDefaultConnection(ctx, 1, ""); err != nil {
			t.Fatal(err)
		}
		got := mustSettings(t, s, 1)
		if got.DefaultConnectionID != "" || !got.Products.Enabled {
			t.Errorf("after clearing: %+v", got)
		}
		if err := s.SaveDefaultConnection(ctx, 4, ""); err != nil {
			t.Errorf("clearing a portal that never saved: %v", err)
		}
	})
}

// TestConcurrentSettingsSaves saves the default and every kind at once,
// as two admins might: each save lands, none undoes another.
func TestConcurrentSettingsSaves(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c := mustSaveConnection(t, s, 1, "111")
		var wg sync.WaitGroup
		wg.Go(func() {
			if err := s.SaveDefaultConnection(ctx, 1, c.ID); err != nil {
				t.Error(err)
			}
		})
		for _, o := range app.SyncObjects {
			wg.Go(func() {
				ss := app.SyncSettings{Enabled: true, OnCreateOrUpdate: app.WriteUpdateOnly, OnDelete: app.DeleteArchive, EnabledAt: clockStart}
				if err := s.SaveSyncSettings(ctx, 1, o, ss); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got := mustSettings(t, s, 1)
		if got.DefaultConnectionID != c.ID {
			t.Errorf("default = %q, want %s", got.DefaultConnectionID, c.ID)
		}
		for _, o := range app.SyncObjects {
			if ss := got.Sync(o); !ss.Enabled || ss.OnDelete != app.DeleteArchive {
				t.Errorf("%s = %+v, want the saved settings", o, *ss)
			}
		}
	})
}

func TestSettingsSurviveReopen(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		ctx := t.Context()
		s, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		c := mustSaveConnection(t, s, 1, "111")
		ss := app.SyncSettings{Enabled: true, OnCreateOrUpdate: app.WriteNothing, OnDelete: app.DeleteKeep, EnabledAt: clockStart}
		if err := s.SaveDefaultConnection(ctx, 1, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveSyncSettings(ctx, 1, app.SyncInvoices, ss); err != nil {
			t.Fatal(err)
		}
		before := mustSettings(t, s, 1)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		after := mustSettings(t, mustOpen(t, cfg), 1)
		if diff := cmp.Diff(before, after); diff != "" {
			t.Errorf("settings after reopening (-before +after):\n%s", diff)
		}
	})
}
