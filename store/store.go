package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// DefaultSQLitePath is where the embedded database lives when
// Config.SQLitePath is empty.
const DefaultSQLitePath = "data/hubspot-quickbooks.db"

// Config chooses the database and the key that protects tokens.
type Config struct {
	// DatabaseURL selects PostgreSQL when it starts with postgres:// or
	// postgresql://; empty selects the embedded SQLite file.
	DatabaseURL string
	// SQLitePath is the SQLite file; its directory is created. Empty means
	// DefaultSQLitePath.
	SQLitePath string
	// EncryptionKey is the 32-byte AES-256 key for tokens at rest.
	EncryptionKey []byte
	// Now is the clock for the times the store sets; nil means time.Now.
	Now func() time.Time
}

// Store implements app.Store on database/sql.
type Store struct {
	dialect dialect
	// tokenLocks serialise token refreshes on SQLite (tokenlock.go).
	tokenLocks keyedMutex
	// refreshSlots caps the PostgreSQL connections held by locked token
	// refreshes (tokenlock.go).
	refreshSlots chan struct{}
	db           *sql.DB // every write, and reads that must see them
	read         *sql.DB // plain reads; the same pool as db on PostgreSQL
	seal         *sealer
	now          func() time.Time
}

var _ app.Store = (*Store)(nil)

// Open connects to the database, applies pending migrations and checks that
// cfg.EncryptionKey is the key the database was first opened with.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	seal, err := newSealer(cfg.EncryptionKey)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	s := &Store{seal: seal, now: cfg.Now, refreshSlots: make(chan struct{}, maxLockedRefreshes)}
	if s.now == nil {
		s.now = time.Now
	}

	switch url := cfg.DatabaseURL; {
	case url == "":
		path := cfg.SQLitePath
		if path == "" {
			path = DefaultSQLitePath
		}
		s.dialect = sqlite
		s.db, s.read, err = openSQLite(ctx, path)
	case strings.HasPrefix(url, "postgres://"), strings.HasPrefix(url, "postgresql://"):
		s.dialect = postgres
		s.db, err = openPostgres(ctx, url)
		s.read = s.db
	default:
		// The URL may hold a password: never echo it.
		return nil, errors.New("store: DATABASE_URL must start with postgres:// or postgresql:// (leave it empty for SQLite)")
	}
	if err != nil {
		return nil, err
	}

	if err := s.initialize(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// initialize migrates the schema and checks the key in one transaction, so
// a wrong key leaves the database untouched and concurrent Opens take turns.
func (s *Store) initialize(ctx context.Context) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.dialect.lock(ctx, tx); err != nil {
			return fmt.Errorf("store: lock for migrations: %w", err)
		}
		if err := migrate(ctx, tx, s.dialect, s.now()); err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
		return checkKey(ctx, tx, s.seal)
	})
}

// Close closes the database pools.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.read != s.db {
		err = errors.Join(err, s.read.Close())
	}
	if err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Ping reports whether the database can be reached.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping %s: %w", s.dialect, err)
	}
	return nil
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
