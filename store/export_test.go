package store

import "database/sql"

// DB exposes the write pool so tests can read and tamper with raw columns.
func DB(s *Store) *sql.DB { return s.db }

// Dialect names the database behind s: "sqlite" or "postgres".
func Dialect(s *Store) string { return string(s.dialect) }
