package store

import (
	"context"
	"database/sql"
)

// DB exposes the write pool so tests can read and tamper with raw columns.
func DB(s *Store) *sql.DB { return s.db }

// Dialect names the database behind s: "sqlite" or "postgres".
func Dialect(s *Store) string { return string(s.dialect) }

// RotateKeyAfterRow is RotateKey with afterRow run inside its transaction
// after each re-sealed row; an error from afterRow aborts the rotation.
func RotateKeyAfterRow(ctx context.Context, cfg Config, newKey []byte, afterRow func(table string) error) (RotateReport, error) {
	return rotateKey(ctx, cfg, newKey, afterRow)
}

// SealedColumns lists the encrypted columns RotateKey re-seals, by table.
func SealedColumns() map[string][]string {
	m := map[string][]string{}
	for _, t := range sealedTables {
		for _, c := range t.columns {
			m[t.table] = append(m[t.table], c.name)
		}
	}
	return m
}
