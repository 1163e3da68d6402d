package store_test

import (
	"crypto/rand"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/pgtest"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// forEachStore runs fn against a fresh store of each driver: "sqlite" (a
// file in t.TempDir()) and "postgres" (a fresh schema, dropped afterwards).
func forEachStore(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		fn(t, mustOpen(t, cfg))
	})
}

// forEachConfig is forEachStore for tests that open (and reopen) stores
// themselves: cfg points at a fresh, empty database of each driver.
func forEachConfig(t *testing.T, fn func(t *testing.T, cfg store.Config)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, store.Config{
			SQLitePath:    filepath.Join(t.TempDir(), "data", "test.db"),
			EncryptionKey: newKey(t),
			Now:           newClock(),
		})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, store.Config{
			DatabaseURL:   freshSchema(t),
			EncryptionKey: newKey(t),
			Now:           newClock(),
		})
	})
}

// mustOpen opens a store and closes it when the test ends.
func mustOpen(t *testing.T, cfg store.Config) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func newKey(t *testing.T) []byte {
	t.Helper()
	key := make([]byte, store.KeySize)
	rand.Read(key)
	return key
}

// clockStart has nanoseconds, so round trips prove times are exact.
var clockStart = time.Date(2024, 3, 5, 10, 11, 12, 123456789, time.UTC)

// newClock returns a clock that moves one millisecond per call, so every
// time the store sets is distinct and ordered.
func newClock() func() time.Time {
	var mu sync.Mutex
	now := clockStart
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Millisecond)
		return now
	}
}

// freshSchema creates an empty schema, dropped when the test ends, and
// returns a URL whose search_path selects it.
func freshSchema(t *testing.T) string { return pgtest.Schema(t, "store_test") }

// countRows counts the rows of a table through the store's own pool.
func countRows(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := store.DB(s).QueryRowContext(t.Context(), fmt.Sprintf("SELECT COUNT(*) FROM %s", table)).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
