package store

import "database/sql"

// Shared is the store's database for another adapter that keeps its own
// tables in it (the job queue): the write pool, which on SQLite is the one
// connection every write queues on, and the dialect, "sqlite" or
// "postgres". The other adapter owns its tables and their migrations; the
// store never reads them.
func (s *Store) Shared() (db *sql.DB, dialect string) {
	return s.db, string(s.dialect)
}
