package store_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

func TestPortal(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		want := app.Portal{
			ID:          9876543210,
			State:       app.PortalInstalled,
			Currency:    "USD",
			TimeZone:    "America/New_York",
			Tokens:      tokens("portal"),
			InstalledAt: time.Date(2023, 12, 31, 23, 59, 59, 999999999, paris),
		}
		if err := s.SavePortal(ctx, want); err != nil {
			t.Fatalf("SavePortal: %v", err)
		}
		got, err := s.Portal(ctx, want.ID)
		if err != nil {
			t.Fatalf("Portal: %v", err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Portal round trip (-want +got):\n%s", diff)
		}

		// An update with a zero InstalledAt keeps the install time.
		update := want
		update.Currency, update.TimeZone, update.Tokens = "EUR", "Europe/Paris", tokens("portal-2")
		update.State = app.PortalNeedsReinstall
		update.InstalledAt = time.Time{}
		if err := s.SavePortal(ctx, update); err != nil {
			t.Fatalf("SavePortal update: %v", err)
		}
		got, err = s.Portal(ctx, want.ID)
		if err != nil {
			t.Fatalf("Portal after update: %v", err)
		}
		update.InstalledAt = want.InstalledAt
		if diff := cmp.Diff(update, got); diff != "" {
			t.Errorf("Portal after update (-want +got):\n%s", diff)
		}

		// A new portal with a zero InstalledAt is installed now.
		if err := s.SavePortal(ctx, app.Portal{ID: 1}); err != nil {
			t.Fatalf("SavePortal zero: %v", err)
		}
		got, err = s.Portal(ctx, 1)
		if err != nil {
			t.Fatalf("Portal zero: %v", err)
		}
		if got.InstalledAt.Before(clockStart) || got.Tokens.Access != "" || !got.Tokens.AccessExpiresAt.IsZero() {
			t.Errorf("Portal zero = %+v (%q), want installed now and empty tokens", got, got.Tokens.Access)
		}

		_, err = s.Portal(ctx, 42)
		wantCode(t, "Portal(unknown)", err, app.NotFound)
	})
}
