package store_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

func TestSavePortalTokens(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		p := app.Portal{ID: 424242, Currency: "USD", TimeZone: "America/New_York", Tokens: tokens("before"),
			InstalledAt: time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)}
		if err := s.SavePortal(ctx, p); err != nil {
			t.Fatalf("SavePortal: %v", err)
		}
		next := tokens("after")
		if err := s.SavePortalTokens(ctx, p.ID, next); err != nil {
			t.Fatalf("SavePortalTokens: %v", err)
		}
		got, err := s.Portal(ctx, p.ID)
		if err != nil {
			t.Fatalf("Portal: %v", err)
		}
		want := p
		want.Tokens, want.State = next, app.PortalInstalled
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("only the tokens change (-want +got):\n%s", diff)
		}
		err = s.SavePortalTokens(ctx, 999999, next)
		if app.ErrorCode(err) != app.NotFound {
			t.Errorf("SavePortalTokens of a missing portal = %v, want NotFound", err)
		}
	})
}
