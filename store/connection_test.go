package store_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

var hexID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestSaveConnection(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		want := connection(1, "9130357766900456")
		want.CreatedAt = time.Date(2024, 1, 2, 3, 4, 5, 6, paris)
		want.MultiCurrency = true
		got, err := s.SaveConnection(ctx, want)
		if err != nil {
			t.Fatalf("SaveConnection: %v", err)
		}
		if !hexID.MatchString(got.ID) {
			t.Errorf("ID = %q, want 32 hex digits", got.ID)
		}
		if got.UpdatedAt.IsZero() {
			t.Errorf("UpdatedAt is zero")
		}
		want.ID, want.UpdatedAt = got.ID, got.UpdatedAt
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("SaveConnection result (-want +got):\n%s", diff)
		}
		read, err := s.Connection(ctx, 1, got.ID)
		if err != nil {
			t.Fatalf("Connection: %v", err)
		}
		if diff := cmp.Diff(want, read); diff != "" {
			t.Errorf("Connection round trip (-want +got):\n%s", diff)
		}

		// Saving the same realm again updates in place and keeps the ID and
		// CreatedAt, whatever ID and CreatedAt the caller sends.
		update := connection(1, "9130357766900456")
		update.ID, update.CreatedAt = "caller-id-is-ignored", time.Now()
		update.CompanyName, update.Country, update.Currency, update.TimeZone = "Renamed Ltd", "GB", "GBP", "Europe/London"
		update.CustomTxnNumbers, update.MultiCurrency, update.State, update.Tokens = false, false, app.NeedsReconnect, tokens("second")
		again, err := s.SaveConnection(ctx, update)
		if err != nil {
			t.Fatalf("SaveConnection update: %v", err)
		}
		if again.ID != got.ID || !again.CreatedAt.Equal(want.CreatedAt) || !again.UpdatedAt.After(got.UpdatedAt) {
			t.Errorf("update: ID %s CreatedAt %v UpdatedAt %v; want ID %s CreatedAt %v UpdatedAt after %v",
				again.ID, again.CreatedAt, again.UpdatedAt, got.ID, want.CreatedAt, got.UpdatedAt)
		}
		update.ID, update.CreatedAt, update.UpdatedAt = got.ID, want.CreatedAt, again.UpdatedAt
		read, err = s.Connection(ctx, 1, got.ID)
		if err != nil {
			t.Fatalf("Connection after update: %v", err)
		}
		if diff := cmp.Diff(update, read); diff != "" {
			t.Errorf("Connection after update (-want +got):\n%s", diff)
		}
		if n := countRows(t, s, "connections"); n != 1 {
			t.Errorf("%d connection rows after an update, want 1", n)
		}
	})
}

func TestConnections(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		first := mustSaveConnection(t, s, 1, "111")
		other := mustSaveConnection(t, s, 2, "111") // the same realm in another portal is another connection
		second := mustSaveConnection(t, s, 1, "222")
		mustSaveConnection(t, s, 1, "111") // an update does not reorder

		got, err := s.Connections(ctx, 1)
		if err != nil {
			t.Fatalf("Connections: %v", err)
		}
		var ids []string
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if diff := cmp.Diff([]string{first.ID, second.ID}, ids); diff != "" {
			t.Errorf("Connections(1) ids, oldest first (-want +got):\n%s", diff)
		}
		if other.ID == first.ID {
			t.Errorf("portal 2's connection shares portal 1's ID")
		}
		if got[1].Tokens != second.Tokens {
			t.Errorf("Connections did not decrypt tokens")
		}

		none, err := s.Connections(ctx, 3)
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("Connections(3) = %v, %v; want an empty list", none, err)
		}
	})
}

func TestConnectionTenantIsolation(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c := mustSaveConnection(t, s, 1, "111")

		_, errOther := s.Connection(ctx, 2, c.ID)
		wantCode(t, "Connection(portal 2, portal 1's id)", errOther, app.NotFound)
		_, errMissing := s.Connection(ctx, 1, "0123456789abcdef0123456789abcdef")
		wantCode(t, "Connection(unknown id)", errMissing, app.NotFound)
		if app.ErrorMessage(errOther) != app.ErrorMessage(errMissing) {
			t.Errorf("another portal's connection reads %q, a missing one %q: the difference leaks",
				app.ErrorMessage(errOther), app.ErrorMessage(errMissing))
		}
		list, err := s.Connections(ctx, 2)
		if err != nil || len(list) != 0 {
			t.Errorf("Connections(2) = %v, %v; want none", list, err)
		}
	})
}

func TestSaveTokens(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c := mustSaveConnection(t, s, 1, "111")
		fresh := tokens("refreshed")
		if err := s.SaveTokens(ctx, c.ID, fresh); err != nil {
			t.Fatalf("SaveTokens: %v", err)
		}
		got, err := s.Connection(ctx, 1, c.ID)
		if err != nil {
			t.Fatalf("Connection: %v", err)
		}
		if diff := cmp.Diff(fresh, got.Tokens); diff != "" {
			t.Errorf("tokens after SaveTokens (-want +got):\n%s", diff)
		}
		if !got.UpdatedAt.After(c.UpdatedAt) {
			t.Errorf("UpdatedAt %v not after %v", got.UpdatedAt, c.UpdatedAt)
		}
		want := c
		want.Tokens, want.UpdatedAt = fresh, got.UpdatedAt
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("SaveTokens changed more than tokens (-want +got):\n%s", diff)
		}

		err = s.SaveTokens(ctx, "0123456789abcdef0123456789abcdef", fresh)
		wantCode(t, "SaveTokens(unknown)", err, app.NotFound)
	})
}
