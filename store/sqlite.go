package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// sqliteBusyTimeout is how long a connection waits for another process's
// write lock (milliseconds) before failing with SQLITE_BUSY.
const sqliteBusyTimeout = "10000"

// openSQLite opens the file at path twice: a writer pool of one connection,
// so writes from many goroutines queue in Go rather than race for SQLite's
// single write lock, and a read-only pool, which WAL lets read while the
// writer writes. Write transactions begin IMMEDIATE, so a transaction never
// has to upgrade a read lock (the case busy_timeout cannot help with).
func openSQLite(ctx context.Context, path string) (write, read *sql.DB, err error) {
	if strings.ContainsAny(path, "?#") {
		return nil, nil, fmt.Errorf("store: SQLite path %q must not contain '?' or '#'", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, nil, fmt.Errorf("store: create SQLite directory: %w", err)
	}
	// Create the file ourselves so it is private; SQLite gives its -wal and
	// -shm files the same permissions.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("store: create SQLite file: %w", err)
	}
	f.Close()

	common := "_pragma=busy_timeout(" + sqliteBusyTimeout + ")&_pragma=foreign_keys(1)"
	write, err = sql.Open("sqlite", path+"?"+common+
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return nil, nil, fmt.Errorf("store: open SQLite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxIdleTime(0)
	write.SetConnMaxLifetime(0)
	// The writer connects first, so the file is in WAL mode before any
	// reader opens it.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, nil, fmt.Errorf("store: open SQLite %s: %w", path, err)
	}

	read, err = sql.Open("sqlite", path+"?"+common+"&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, nil, fmt.Errorf("store: open SQLite: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	if err := read.PingContext(ctx); err != nil {
		return nil, nil, errors.Join(
			fmt.Errorf("store: open SQLite %s for reading: %w", path, err), write.Close(), read.Close())
	}
	return write, read, nil
}
