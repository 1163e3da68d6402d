package store_test

import (
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// migrationCount is the number of files in migrations/<dialect>/.
func migrationCount(t *testing.T, s *store.Store) int {
	t.Helper()
	entries, err := os.ReadDir("migrations/" + store.Dialect(s))
	if err != nil {
		t.Fatalf("read migrations: %v", err)
	}
	return len(entries)
}

func TestReopen(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		ctx := t.Context()
		s, err := store.Open(ctx, cfg)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		c := mustSaveConnection(t, s, 1, "111")
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}

		for i := range 2 {
			s, err := store.Open(ctx, cfg)
			if err != nil {
				t.Fatalf("reopen #%d: %v", i+1, err)
			}
			if got, want := countRows(t, s, "schema_migrations"), migrationCount(t, s); got != want {
				t.Errorf("reopen #%d: %d migrations recorded, want %d", i+1, got, want)
			}
			if got, err := s.Connection(ctx, 1, c.ID); err != nil || got.Tokens != c.Tokens {
				t.Errorf("reopen #%d: Connection = %v; want the saved connection", i+1, err)
			}
			if err := s.Ping(ctx); err != nil {
				t.Errorf("Ping: %v", err)
			}
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
		}
	})
}

// TestConcurrentOpen opens one empty database from several goroutines at
// once, as replicas starting together do: every Open succeeds and each
// migration runs once.
func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		const n = 4
		var wg sync.WaitGroup
		stores := make([]*store.Store, n)
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				stores[i], errs[i] = store.Open(t.Context(), cfg)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("Open #%d: %v", i, err)
			}
			t.Cleanup(func() { stores[i].Close() })
		}
		if got, want := countRows(t, stores[0], "schema_migrations"), migrationCount(t, stores[0]); got != want {
			t.Errorf("%d migrations recorded, want %d", got, want)
		}
		if got := countRows(t, stores[0], "meta"); got != 1 {
			t.Errorf("%d meta rows, want the one key check", got)
		}
	})
}

func TestNewerSchema(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		s := mustOpen(t, cfg)
		if _, err := store.DB(s).ExecContext(t.Context(),
			`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, '9999_future.sql', '')`); err != nil {
			t.Fatalf("record a future migration: %v", err)
		}
		_, err := store.Open(t.Context(), cfg)
		if err == nil || !strings.Contains(err.Error(), "schema version 9999") {
			t.Errorf("Open of a newer schema: %v, want a schema version error", err)
		}
	})
}

func TestOpenSQLite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := dir + "/nested/dirs/app.db"
	s := mustOpen(t, store.Config{SQLitePath: path, EncryptionKey: newKey(t)})
	info, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the database file: %v", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("the database file has mode %v, want it private", perm)
	}
	for pragma, want := range map[string]string{"journal_mode": "wal", "foreign_keys": "1"} {
		var got string
		if err := store.DB(s).QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", pragma, err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %q, want %q", pragma, got, want)
		}
	}
	// Foreign keys are enforced: a snapshot needs its connection.
	err = s.SaveSnapshots(t.Context(), []app.Snapshot{{ConnectionID: "gone", Invoice: app.Invoice{ID: "1"}}})
	if err == nil {
		t.Errorf("SaveSnapshots for a missing connection succeeded")
	}
}

func TestOpenBadURL(t *testing.T) {
	t.Parallel()
	for _, url := range []string{"mysql://user:hunter2@db/app", "postgres://user:hunter2@[::1/app"} {
		_, err := store.Open(t.Context(), store.Config{DatabaseURL: url, EncryptionKey: make([]byte, 32)})
		if err == nil {
			t.Errorf("Open(%q) succeeded", url)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q): the error %q shows the password", url, err)
		}
	}
}
