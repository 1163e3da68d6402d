package store_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

func TestSpendOAuthStateOnce(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		expires := clockStart.Add(10 * time.Minute)
		if ok, err := s.SpendOAuthState(ctx, "nonce-1", 1, expires); err != nil || !ok {
			t.Fatalf("first spend = %v, %v; want spent", ok, err)
		}
		if ok, err := s.SpendOAuthState(ctx, "nonce-1", 1, expires); err != nil || ok {
			t.Fatalf("replayed spend = %v, %v; want refused", ok, err)
		}

		// Concurrent callbacks with one state: exactly one wins.
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				ok, err := s.SpendOAuthState(ctx, "nonce-2", 1, expires)
				if err != nil {
					t.Error(err)
				}
				if ok {
					wins.Add(1)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Errorf("%d concurrent spends won, want 1", wins.Load())
		}

		// Expired states are purged; their signed expiry refuses them.
		if _, err := s.SpendOAuthState(ctx, "old", 1, clockStart.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SpendOAuthState(ctx, "nonce-3", 1, expires); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, s, "oauth_states"); n != 3 {
			t.Errorf("%d oauth_states rows, want 3 (the expired one purged)", n)
		}
		if _, err := s.SpendOAuthState(ctx, "", 1, expires); err == nil {
			t.Error("an empty nonce was accepted")
		}
	})
}
