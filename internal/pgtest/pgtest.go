// Package pgtest gives a test an empty PostgreSQL schema of its own in the
// test database, dropped when the test ends, so tests of the store, the
// queue and the processes that share one database run side by side.
//
// The database is TEST_DATABASE_URL, or the machine's
// postgres://postgres@127.0.0.1:5432/test. When it cannot be reached the
// test fails under CI=true (CI must not pass without it) and is skipped
// otherwise, saying why.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// DefaultURL is the test database unless TEST_DATABASE_URL says otherwise.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// admin is the connection that creates and drops schemas, opened once.
var admin struct {
	once sync.Once
	url  string
	db   *sql.DB
	err  error
}

// Admin returns the admin connection and the database URL, or ends the
// test: a failure when CI=true, a skip otherwise.
func Admin(t testing.TB) (*sql.DB, string) {
	t.Helper()
	admin.once.Do(func() {
		admin.url = os.Getenv("TEST_DATABASE_URL")
		if admin.url == "" {
			admin.url = DefaultURL
		}
		admin.db, admin.err = sql.Open("pgx", admin.url)
		if admin.err != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		admin.err = admin.db.PingContext(ctx)
	})
	if admin.err != nil {
		where := admin.url
		if u, err := url.Parse(admin.url); err == nil {
			where = u.Redacted()
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is not reachable at %s: start it or unset CI (%v)", where, admin.err)
		}
		t.Skipf("PostgreSQL is not reachable at %s: start it, or set CI=true to fail instead (%v)", where, admin.err)
	}
	return admin.db, admin.url
}

// Schema creates an empty schema named prefix_<random>, drops it when the
// test ends, and returns a database URL whose search_path selects it.
func Schema(t testing.TB, prefix string) string {
	t.Helper()
	db, base := Admin(t)
	b := make([]byte, 8)
	rand.Read(b)
	schema := prefix + "_" + hex.EncodeToString(b)
	if _, err := db.ExecContext(context.Background(), "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		// Cleanups run last-in first-out: what the test opened later is
		// closed by now.
		if _, err := db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
