package store

import (
	"context"
	"database/sql"
)

// dialect names the database behind a Store. The queries themselves are
// shared: both speak $1 placeholders, ON CONFLICT and RETURNING; only the
// migrations and the migration lock differ.
type dialect string

const (
	sqlite   dialect = "sqlite"
	postgres dialect = "postgres"
)

// migrationLockClass is the first key of the PostgreSQL advisory lock taken
// while migrating; the second is the schema's name, so stores in different
// schemas of one database do not wait for each other.
const migrationLockClass = 0x48_51_42_31 // "HQB1"

// lock serialises Opens of one database in the transaction tx. SQLite needs
// nothing more: its write transactions begin IMMEDIATE, which already takes
// the database's write lock.
func (d dialect) lock(ctx context.Context, tx *sql.Tx) error {
	if d != postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx,
		`SELECT pg_advisory_xact_lock($1, hashtext(COALESCE(current_schema(), '')))`,
		int32(migrationLockClass))
	return err
}
