package store_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// rotatingRefresh plays a provider that rotates the refresh token: it
// spends a stored token once, slowly, and passes newer stored tokens on.
type rotatingRefresh struct {
	exchanges atomic.Int32
	first     app.Tokens
	next      app.Tokens
}

func (r *rotatingRefresh) refresh(_ context.Context, stored app.Tokens) (app.Tokens, error) {
	if stored.Refresh != r.first.Refresh {
		return stored, nil // another caller already refreshed
	}
	r.exchanges.Add(1)
	time.Sleep(30 * time.Millisecond)
	return r.next, nil
}

// TestRefreshTokensIsOneAtATime: callers through two stores on one
// PostgreSQL database (two replicas) and through one SQLite store each see
// the tokens the previous caller stored, so the provider is asked once.
func TestRefreshTokensIsOneAtATime(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		ctx := t.Context()
		stores := []*store.Store{mustOpen(t, cfg)}
		if cfg.DatabaseURL != "" {
			stores = append(stores, mustOpen(t, cfg))
		}
		conn := mustSaveConnection(t, stores[0], 1, "9130357766900777")
		r := &rotatingRefresh{first: conn.Tokens, next: tokens("rotated")}
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Go(func() {
				got, err := stores[i%len(stores)].RefreshTokens(ctx, conn.ID, r.refresh)
				if err != nil || got.Refresh != r.next.Refresh {
					t.Errorf("caller %d: %v, %v; want the rotated tokens", i, err, got.Refresh)
				}
			})
		}
		wg.Wait()
		if n := r.exchanges.Load(); n != 1 {
			t.Errorf("%d exchanges, want 1", n)
		}
		read, err := stores[len(stores)-1].Connection(ctx, 1, conn.ID)
		if err != nil {
			t.Fatal(err)
		}
		if read.Tokens.Refresh != r.next.Refresh || !read.Tokens.AccessExpiresAt.Equal(r.next.AccessExpiresAt) || read.State != app.Connected {
			t.Errorf("stored %+v (%s), want the rotated tokens, still connected", read.Tokens.Refresh, read.State)
		}
	})
}

// TestRefreshTokensRefusedAndFailing: a refused refresh token marks a
// connected connection needs_reconnect and erases its tokens (a
// disconnected one stays disconnected), a portal needs_reinstall; other
// errors change nothing.
func TestRefreshTokensRefusedAndFailing(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		conn := mustSaveConnection(t, s, 1, "9130357766900778")
		unavailable := func(context.Context, app.Tokens) (app.Tokens, error) {
			return app.Tokens{}, app.Errorf(app.Unavailable, "QuickBooks is not answering")
		}
		if _, err := s.RefreshTokens(ctx, conn.ID, unavailable); app.ErrorCode(err) != app.Unavailable {
			t.Fatalf("unavailable: %v", err)
		}
		if read, _ := s.Connection(ctx, 1, conn.ID); read.State != app.Connected || read.Tokens != conn.Tokens {
			t.Fatalf("an upstream outage changed the connection: %s", read.State)
		}

		refused := func(context.Context, app.Tokens) (app.Tokens, error) {
			return app.Tokens{}, app.Errorf(app.NotConnected, "QuickBooks refused the refresh token")
		}
		if _, err := s.RefreshTokens(ctx, conn.ID, refused); app.ErrorCode(err) != app.NotConnected {
			t.Fatalf("refused: %v", err)
		}
		read, err := s.Connection(ctx, 1, conn.ID)
		if err != nil {
			t.Fatal(err)
		}
		if read.State != app.NeedsReconnect || read.Tokens != (app.Tokens{}) {
			t.Errorf("after a refused refresh: state %s, tokens kept %v; want needs_reconnect, none", read.State, read.Tokens != (app.Tokens{}))
		}

		gone := connection(1, "9130357766900779")
		gone.State, gone.Tokens = app.Disconnected, app.Tokens{}
		gone, err = s.SaveConnection(ctx, gone)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RefreshTokens(ctx, gone.ID, refused); app.ErrorCode(err) != app.NotConnected {
			t.Fatalf("refused on a disconnected connection: %v", err)
		}
		if read, _ := s.Connection(ctx, 1, gone.ID); read.State != app.Disconnected {
			t.Errorf("a disconnected connection became %s", read.State)
		}

		p := app.Portal{ID: 5150, Currency: "USD", TimeZone: "UTC", Tokens: tokens("portal")}
		if err := s.SavePortal(ctx, p); err != nil {
			t.Fatal(err)
		}
		got, err := s.RefreshPortalTokens(ctx, p.ID, func(_ context.Context, stored app.Tokens) (app.Tokens, error) {
			if stored.Refresh != p.Tokens.Refresh || !stored.AccessExpiresAt.Equal(p.Tokens.AccessExpiresAt) {
				return app.Tokens{}, errors.New("not handed the stored tokens")
			}
			return tokens("portal-2"), nil
		})
		if err != nil || got.Access != tokens("portal-2").Access {
			t.Fatalf("portal refresh: %v", err)
		}
		if _, err := s.RefreshPortalTokens(ctx, p.ID, refused); app.ErrorCode(err) != app.NotConnected {
			t.Fatalf("portal refused: %v", err)
		}
		rp, err := s.Portal(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rp.State != app.PortalNeedsReinstall || rp.Tokens != (app.Tokens{}) {
			t.Errorf("portal after a refused refresh: %s, tokens kept %v", rp.State, rp.Tokens != (app.Tokens{}))
		}
		if _, err := s.RefreshTokens(ctx, "no-such-connection", refused); app.ErrorCode(err) != app.NotFound {
			t.Errorf("missing connection: %v, want NotFound", err)
		}
	})
}

// TestRefreshTokensNeverOverwritesAReconnect: an admin reconnects the
// company while a refresh is at the provider. The refresh's tokens must not
// overwrite the reconnect's, nor its refusal mark the reconnected
// connection: on PostgreSQL the reconnect waits for the row, on SQLite the
// refresh's write finds the row changed and is refused.
func TestRefreshTokensNeverOverwritesAReconnect(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		conn := mustSaveConnection(t, s, 1, "9130357766900790")
		reconnect := conn
		reconnect.Tokens = tokens("reconnected")
		for _, outcome := range []struct {
			name string
			ans  func() (app.Tokens, error)
		}{
			{"refreshed", func() (app.Tokens, error) { return tokens("refreshed"), nil }},
			{"refused", func() (app.Tokens, error) { return app.Tokens{}, app.Errorf(app.NotConnected, "refused") }},
		} {
			done := make(chan error, 1)
			_, err := s.RefreshTokens(ctx, conn.ID, func(context.Context, app.Tokens) (app.Tokens, error) {
				go func() { _, err := s.SaveConnection(ctx, reconnect); done <- err }()
				select { // SQLite: the reconnect lands now; PostgreSQL: it waits for the row
				case err := <-done:
					done <- err
				case <-time.After(200 * time.Millisecond):
				}
				return outcome.ans()
			})
			if err := <-done; err != nil {
				t.Fatalf("%s: reconnect: %v", outcome.name, err)
			}
			read, rerr := s.Connection(ctx, 1, conn.ID)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if read.Tokens.Refresh != reconnect.Tokens.Refresh || read.State != app.Connected {
				t.Errorf("%s: after a reconnect during the refresh: state %s, reconnect's tokens kept %v (refresh err %v)",
					outcome.name, read.State, read.Tokens.Refresh == reconnect.Tokens.Refresh, err)
			}
		}
	})
}
