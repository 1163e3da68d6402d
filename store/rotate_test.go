package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// rotationFixture is a database under cfg's key holding two portals and
// three connections: tokens, a disconnected connection's cleared tokens
// (sealed empty strings), and a portal whose token columns are empty.
type rotationFixture struct {
	cfg         store.Config
	portal      app.Portal
	connections []app.Connection
}

// emptyPortal is the portal whose token columns hold zero bytes.
const emptyPortal = 2

func newRotationFixture(t *testing.T, cfg store.Config) rotationFixture {
	t.Helper()
	ctx := t.Context()
	s, err := store.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	f := rotationFixture{cfg: cfg, portal: app.Portal{ID: 1, Currency: "USD", TimeZone: "UTC", Tokens: tokens("portal")}}
	for _, p := range []app.Portal{f.portal, {ID: emptyPortal, Currency: "GBP", TimeZone: "UTC"}} {
		if err := s.SavePortal(ctx, p); err != nil {
			t.Fatalf("SavePortal: %v", err)
		}
	}
	f.portal, err = s.Portal(ctx, f.portal.ID)
	if err != nil {
		t.Fatalf("Portal: %v", err)
	}
	empty := `x''`
	if cfg.DatabaseURL != "" {
		empty = `''::bytea`
	}
	if _, err := store.DB(s).ExecContext(ctx,
		`UPDATE portals SET access_token = `+empty+`, refresh_token = `+empty+` WHERE id = $1`, emptyPortal); err != nil {
		t.Fatalf("empty the token columns: %v", err)
	}
	for _, realm := range []string{"111", "222", "333"} {
		f.connections = append(f.connections, mustSaveConnection(t, s, 1, realm))
	}
	disconnected := connection(1, "222")
	disconnected.State, disconnected.Tokens = app.Disconnected, app.Tokens{}
	if f.connections[1], err = s.SaveConnection(ctx, disconnected); err != nil {
		t.Fatalf("SaveConnection: %v", err)
	}
	return f
}

// raw reads every encrypted value as stored, keyed "table id column",
// through a connection of its own: no key needed, and no Open that could
// write.
func (f rotationFixture) raw(t *testing.T) map[string][]byte {
	t.Helper()
	driver, dsn := "sqlite", f.cfg.SQLitePath
	if f.cfg.DatabaseURL != "" {
		driver, dsn = "pgx", f.cfg.DatabaseURL
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("open the database: %v", err)
	}
	defer db.Close()
	m := map[string][]byte{}
	for table, cols := range store.SealedColumns() {
		rows, err := db.QueryContext(t.Context(),
			`SELECT CAST(id AS TEXT), `+strings.Join(cols, ", ")+` FROM `+table)
		if err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		for rows.Next() {
			var id string
			vals := make([][]byte, len(cols))
			dest := []any{&id}
			for i := range vals {
				dest = append(dest, &vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				t.Fatalf("scan %s: %v", table, err)
			}
			for i, c := range cols {
				m[table+" "+id+" "+c] = vals[i]
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read %s: %v", table, err)
		}
		rows.Close()
	}
	var check []byte
	if err := db.QueryRowContext(t.Context(), `SELECT value FROM meta WHERE key = 'key_check'`).Scan(&check); err != nil {
		t.Fatalf("read the key check: %v", err)
	}
	m["meta key_check value"] = check
	return m
}

// mustReadUnder opens the database under key and checks that the fixture's tokens
// read back exactly.
func (f rotationFixture) mustReadUnder(t *testing.T, key []byte) {
	t.Helper()
	cfg := f.cfg
	cfg.EncryptionKey = key
	s := mustOpen(t, cfg)
	p, err := s.Portal(t.Context(), f.portal.ID)
	if err != nil || p.Tokens != f.portal.Tokens {
		t.Errorf("Portal after rotation: %v; tokens equal: %v", err, p.Tokens == f.portal.Tokens)
	}
	for _, want := range f.connections {
		got, err := s.Connection(t.Context(), want.PortalID, want.ID)
		if err != nil || got.Tokens != want.Tokens {
			t.Errorf("Connection %s (%s): %v; tokens equal: %v", want.ID, want.State, err, got.Tokens == want.Tokens)
		}
	}
}

func (f rotationFixture) wantKeyMismatch(t *testing.T, key []byte) {
	t.Helper()
	cfg := f.cfg
	cfg.EncryptionKey = key
	s, err := store.Open(t.Context(), cfg)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded, want ErrKeyMismatch")
	}
	if !errors.Is(err, store.ErrKeyMismatch) {
		t.Fatalf("Open: %v, want ErrKeyMismatch", err)
	}
}

func TestRotateKey(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		f := newRotationFixture(t, cfg)
		before := f.raw(t)
		next := newKey(t)

		report, err := store.RotateKey(t.Context(), cfg, next)
		if err != nil {
			t.Fatalf("RotateKey: %v", err)
		}
		want := []store.RotatedTable{
			{Table: "portals", Rows: 1, Values: 2}, // the empty portal has nothing to re-seal
			{Table: "connections", Rows: 3, Values: 6},
		}
		if report.AlreadyRotated || !slices.Equal(report.Tables, want) {
			t.Errorf("report = %+v, want %+v", report, want)
		}
		if report.Resealed("portals") != 1 || report.Resealed("connections") != 3 {
			t.Errorf("Resealed = %d portals, %d connections", report.Resealed("portals"), report.Resealed("connections"))
		}

		// The old key is refused at Open, as a replica still configured
		// with it is at startup; the new key reads every token unchanged.
		f.wantKeyMismatch(t, cfg.EncryptionKey)
		f.mustReadUnder(t, next)

		after := f.raw(t)
		if !slices.Equal(slices.Sorted(maps.Keys(after)), slices.Sorted(maps.Keys(before))) {
			t.Fatalf("the encrypted values changed places: %v, then %v", slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
		}
		for k, old := range before {
			switch {
			case strings.HasPrefix(k, fmt.Sprintf("portals %d ", emptyPortal)):
				if len(after[k]) != 0 {
					t.Errorf("%s: the empty column became %d bytes", k, len(after[k]))
				}
			case bytes.Equal(after[k], old):
				t.Errorf("%s: unchanged by the rotation", k)
			case len(after[k]) != len(old):
				t.Errorf("%s: %d bytes, was %d: the plaintext changed length", k, len(after[k]), len(old))
			}
		}

		// Again with the same two keys: reported, not repeated.
		report, err = store.RotateKey(t.Context(), cfg, next)
		if err != nil || !report.AlreadyRotated || len(report.Tables) != 0 {
			t.Fatalf("second RotateKey = %+v, %v; want AlreadyRotated", report, err)
		}
		if again := f.raw(t); !maps.EqualFunc(again, after, bytes.Equal) {
			t.Errorf("the second RotateKey changed stored values")
		}
		f.mustReadUnder(t, next)

		// And onwards to a third key, from the second.
		third := newKey(t)
		cfg2 := cfg
		cfg2.EncryptionKey = next
		if _, err := store.RotateKey(t.Context(), cfg2, third); err != nil {
			t.Fatalf("RotateKey to a third key: %v", err)
		}
		f.mustReadUnder(t, third)
		f.wantKeyMismatch(t, next)
	})
}

// TestRotateKeyRefuses: a wrong current key, a value that does not open
// under the current key, or a bad new key change nothing.
func TestRotateKeyRefuses(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		ctx := t.Context()
		f := newRotationFixture(t, cfg)
		before := f.raw(t)
		unchanged := func(what string) {
			t.Helper()
			if !maps.EqualFunc(f.raw(t), before, bytes.Equal) {
				t.Errorf("%s: stored values changed", what)
			}
			f.mustReadUnder(t, cfg.EncryptionKey)
		}

		wrong := cfg
		wrong.EncryptionKey = newKey(t)
		_, err := store.RotateKey(ctx, wrong, newKey(t))
		if !errors.Is(err, store.ErrKeyMismatch) {
			t.Errorf("RotateKey with a wrong current key: %v, want ErrKeyMismatch", err)
		}
		unchanged("a wrong current key")

		for _, tc := range []struct {
			name, msg string
			key       []byte
		}{
			{"the current key", "the new key is the current key", cfg.EncryptionKey},
			{"a 16-byte key", "the new key must be 32 bytes", make([]byte, 16)},
			{"no key", "the new key must be 32 bytes", nil},
		} {
			if _, err := store.RotateKey(ctx, cfg, tc.key); err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("RotateKey to %s: %v, want %q", tc.name, err, tc.msg)
			}
		}
		unchanged("a bad new key")

		// One connection's refresh token copied into another: it opens
		// under no key, so rotating would leave it unreadable for good.
		s := mustOpen(t, cfg)
		a, b := f.connections[0], f.connections[2]
		if _, err := store.DB(s).ExecContext(ctx,
			`UPDATE connections SET refresh_token = (SELECT refresh_token FROM connections WHERE id = $1) WHERE id = $2`,
			a.ID, b.ID); err != nil {
			t.Fatalf("swap: %v", err)
		}
		s.Close()
		before = f.raw(t)
		_, err = store.RotateKey(ctx, cfg, newKey(t))
		if err == nil || !strings.Contains(err.Error(), "connections "+b.ID+" column refresh_token") ||
			!strings.Contains(err.Error(), "nothing was changed") {
			t.Errorf("RotateKey over a swapped token: %v, want it to name the row and column", err)
		}
		for _, secret := range []string{a.Tokens.Refresh, b.Tokens.Refresh, a.Tokens.Access} {
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("the error %q shows a token", err)
			}
		}
		if !maps.EqualFunc(f.raw(t), before, bytes.Equal) {
			t.Errorf("a refused rotation changed stored values")
		}
		f.wantKeyMismatch(t, newKey(t))
	})
}

// TestRotateKeyFailsMidway interrupts the rotation inside its transaction:
// an error after the first connection, and a context cancelled after the
// first row (as a crash or ^C would). Everything stays under the old key.
func TestRotateKeyFailsMidway(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		f := newRotationFixture(t, cfg)
		before := f.raw(t)
		next := newKey(t)
		check := func(what string, err error, want error) {
			t.Helper()
			if !errors.Is(err, want) {
				t.Errorf("%s: %v, want %v", what, err, want)
			}
			if !maps.EqualFunc(f.raw(t), before, bytes.Equal) {
				t.Errorf("%s: stored values changed", what)
			}
			f.mustReadUnder(t, cfg.EncryptionKey)
			f.wantKeyMismatch(t, next)
		}

		injected := errors.New("injected failure")
		var seen []string
		_, err := store.RotateKeyAfterRow(t.Context(), cfg, next, func(table string) error {
			seen = append(seen, table)
			if table == "connections" {
				return injected
			}
			return nil
		})
		if want := []string{"portals", "connections"}; !slices.Equal(seen, want) {
			t.Errorf("rows re-sealed before the failure: %v, want %v", seen, want)
		}
		check("an error after the first connection", err, injected)

		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		rows := 0
		_, err = store.RotateKeyAfterRow(ctx, cfg, next, func(string) error {
			rows++
			cancel()
			return nil
		})
		if rows != 1 {
			t.Errorf("%d rows re-sealed after the cancel, want 1", rows)
		}
		if err == nil {
			t.Fatal("RotateKey with its context cancelled midway succeeded")
		}
		check("a context cancelled midway", err, err)

		// The same rotation, uninterrupted, then succeeds.
		if _, err := store.RotateKey(t.Context(), cfg, next); err != nil {
			t.Fatalf("RotateKey after the failures: %v", err)
		}
		f.mustReadUnder(t, next)
	})
}

func TestRotateKeyMissingSQLiteFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "data", "nowhere.db")
	_, err := store.RotateKey(t.Context(), store.Config{SQLitePath: path, EncryptionKey: newKey(t)}, newKey(t))
	if err == nil || !strings.Contains(err.Error(), "no SQLite database to rotate") {
		t.Errorf("RotateKey of a missing file: %v", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("RotateKey of a missing file created it: %v", err)
	}
}

// TestEveryBinaryColumnIsKnown keeps RotateKey's list of encrypted columns
// complete: every BLOB (SQLite) or BYTEA (PostgreSQL) column a migration
// makes is either re-sealed by it or known to hold no ciphertext.
func TestEveryBinaryColumnIsKnown(t *testing.T) {
	t.Parallel()
	plain := map[string]bool{
		"meta value":      true, // the key check, which RotateKey re-seals on its own
		"attempts result": true, // the create's JSON answer
		"attempts sent":   true, // the invoice a create sent QuickBooks, JSON
	}
	forEachStore(t, func(t *testing.T, s *store.Store) {
		query := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
			WHERE m.type = 'table' AND upper(p.type) = 'BLOB'`
		if store.Dialect(s) == "postgres" {
			query = `SELECT table_name, column_name FROM information_schema.columns
				WHERE table_schema = current_schema() AND data_type = 'bytea'`
		}
		rows, err := store.DB(s).QueryContext(t.Context(), query)
		if err != nil {
			t.Fatalf("list binary columns: %v", err)
		}
		defer rows.Close()
		sealed := map[string]bool{}
		for table, cols := range store.SealedColumns() {
			for _, c := range cols {
				sealed[table+" "+c] = true
			}
		}
		found := map[string]bool{}
		for rows.Next() {
			var table, col string
			if err := rows.Scan(&table, &col); err != nil {
				t.Fatal(err)
			}
			k := table + " " + col
			found[k] = true
			if !sealed[k] && !plain[k] {
				t.Errorf("binary column %s is neither re-sealed by RotateKey (store/rotate.go sealedTables) nor known to be plain", k)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for k := range sealed {
			if !found[k] {
				t.Errorf("RotateKey re-seals %s, which the schema does not have", k)
			}
		}
	})
}
