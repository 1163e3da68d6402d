package server_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/redistest"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/redis"
)

// TestCachedListsChangeForEveryReplica: a customer change applied by one
// replica drops the customer list another replica cached (they share
// Redis); while Redis cannot take the drop, the change fails as
// unavailable, so the queue retries it rather than leave the old list.
func TestCachedListsChangeForEveryReplica(t *testing.T) {
	srv := redistest.Start(t)
	dial := func() *redis.Cache {
		c, err := redis.Dial(t.Context(), "redis://"+srv.Addr, redis.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	ts := newTestServer(t, withCache(dial()), withSync(syncSetup{})) // replica one
	other := dial()                                                  // replica two's cache
	key := app.CacheKey(usRealm, "customers")
	read := func() string {
		t.Helper()
		v, err := other.GetOrLoad(t.Context(), key, time.Hour, func(context.Context) ([]byte, error) { return []byte("fresh"), nil })
		if err != nil {
			t.Fatal(err)
		}
		return string(v)
	}
	if _, err := other.GetOrLoad(t.Context(), key, time.Hour, func(context.Context) ([]byte, error) { return []byte("old"), nil }); err != nil {
		t.Fatal(err)
	}
	change := app.Change{RealmID: usRealm, Entity: app.EntityCustomer, EntityID: "1", Operation: app.OpUpdate, LastUpdated: time.Now().UTC()}
	if err := ts.svc.ApplyChange(t.Context(), change); err != nil {
		t.Fatalf("ApplyChange: %v", err)
	}
	if got := read(); got != "fresh" {
		t.Fatalf("replica two reads %q after replica one applied the change, want the list read again", got)
	}

	srv.Stop()
	change.LastUpdated = change.LastUpdated.Add(time.Second)
	if err := ts.svc.ApplyChange(t.Context(), change); app.ErrorCode(err) != app.Unavailable {
		t.Fatalf("with Redis down: %v, want unavailable (retried by the queue)", err)
	}
	srv.Restart()
	if err := ts.svc.ApplyChange(t.Context(), change); err != nil {
		t.Fatalf("the retry once Redis is back: %v", err)
	}
}
