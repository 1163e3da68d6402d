package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the admin connection

	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// defaultTestDatabaseURL is the PostgreSQL the suite uses unless
// TEST_DATABASE_URL says otherwise; each test gets a fresh schema in it.
const defaultTestDatabaseURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

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

// pg is the admin connection to the test PostgreSQL, opened once.
var pg struct {
	once sync.Once
	url  string
	db   *sql.DB
	err  error
}

// pgAdmin returns the admin connection, or ends the test: a failure when
// CI=true, a skip otherwise.
func pgAdmin(t *testing.T) *sql.DB {
	t.Helper()
	pg.once.Do(func() {
		pg.url = os.Getenv("TEST_DATABASE_URL")
		if pg.url == "" {
			pg.url = defaultTestDatabaseURL
		}
		pg.db, pg.err = sql.Open("pgx", pg.url)
		if pg.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		pg.err = pg.db.PingContext(ctx)
	})
	if pg.err != nil {
		where := pg.url
		if u, err := url.Parse(pg.url); err == nil {
			where = u.Redacted()
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is not reachable at %s: start it or unset CI (%v)", where, pg.err)
		}
		t.Skipf("PostgreSQL is not reachable at %s: start it, or set CI=true to fail instead (%v)", where, pg.err)
	}
	return pg.db
}

// freshSchema creates an empty schema, drops it when the test ends and
// returns a URL whose search_path selects it.
func freshSchema(t *testing.T) string {
	t.Helper()
	admin := pgAdmin(t)
	b := make([]byte, 8)
	rand.Read(b)
	schema := "store_test_" + hex.EncodeToString(b)
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		// Cleanups run last-in first-out: stores opened later are closed by now.
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(pg.url)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// countRows counts the rows of a table through the store's own pool.
func countRows(t *testing.T, s *store.Store, table string) int {
	t.Helper()
	var n int
	if err := store.DB(s).QueryRowContext(t.Context(), fmt.Sprintf("SELECT COUNT(*) FROM %s", table)).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
