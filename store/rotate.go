package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
)

// sealedColumn is one encrypted column and the name its values' additional
// data gives it: "access" for access_token, as sealTokens writes it.
type sealedColumn struct {
	name string
	aad  string
}

// sealedTable is a table with encrypted columns. A value's additional data
// is owner + ":" + the row's id + ":" + the column's aad, e.g.
// "connection:<id>:refresh" (see portalOwner and connectionOwner).
type sealedTable struct {
	table    string
	idColumn string
	owner    string
	columns  []sealedColumn
}

var tokenColumns = []sealedColumn{{"access_token", "access"}, {"refresh_token", "refresh"}}

// sealedTables is every encrypted column in the database, the list
// RotateKey re-seals. A table or column encrypted later must be added here:
// a column left out would stay under the old key and fail only when read,
// after the old key is gone. (TestEveryBinaryColumnIsKnown fails when a
// migration adds a BLOB/BYTEA column that is in neither this list nor its
// list of plain ones.) The key check in meta has its own additional data
// and is re-sealed by RotateKey separately.
var sealedTables = []sealedTable{
	{table: "portals", idColumn: "id", owner: "portal", columns: tokenColumns},
	{table: "connections", idColumn: "id", owner: "connection", columns: tokenColumns},
}

// RotateReport says what RotateKey did.
type RotateReport struct {
	// AlreadyRotated is true when the current key did not match but the new
	// key did: a rotation to newKey committed earlier, and nothing was
	// changed now. Tables is empty then.
	AlreadyRotated bool
	// Tables counts what was re-sealed in each table of sealedTables, in
	// that order.
	Tables []RotatedTable
}

// RotatedTable counts the re-sealed rows and values of one table.
type RotatedTable struct {
	Table string
	// Rows is the rows with at least one value re-sealed; a row whose
	// encrypted columns are all empty is left as it is and not counted.
	Rows int
	// Values is the non-empty encrypted values re-sealed.
	Values int
}

// Resealed returns the rows re-sealed in table (0 for a table not listed).
func (r RotateReport) Resealed(table string) int {
	for _, t := range r.Tables {
		if t.Table == table {
			return t.Rows
		}
	}
	return 0
}

// RotateKey re-encrypts the database of cfg from cfg.EncryptionKey (the
// current key) to newKey: every encrypted column of sealedTables and the
// key check, in one transaction, so the database is under either key and
// never partly under both. A crash or error before the commit leaves
// everything under the current key; after the commit the current key fails
// Open with ErrKeyMismatch and newKey opens it.
//
// Rotation is offline: stop every replica first. A replica still running
// keeps the old key in memory and would write tokens under it afterwards,
// which no key then reads. On PostgreSQL the transaction takes the
// migration lock, so a replica starting meanwhile waits and then fails the
// key check (or, before the commit, a running one waits on the row locks),
// but that is a guard against accidents, not a way to rotate online.
//
// It refuses a newKey of the wrong length or equal to the current key, a
// SQLite file that does not exist (a wrong working folder would otherwise
// create and "rotate" an empty database), and a value that does not open
// under the current key (naming the row and column, never the value): that
// rotation would leave the value unreadable under both keys.
//
// Running it again after success, with the same two keys, is not an error:
// the current key fails the key check, newKey passes it, and the report
// says AlreadyRotated. That makes a retry safe when the first run's outcome
// is unknown (say its connection dropped during the commit). When neither
// key matches, it fails with ErrKeyMismatch and changes nothing.
//
// Like Open, it first applies pending migrations.
func RotateKey(ctx context.Context, cfg Config, newKey []byte) (RotateReport, error) {
	return rotateKey(ctx, cfg, newKey, nil)
}

// rotateKey is RotateKey; afterRow, when not nil, runs inside the
// transaction after each row is re-sealed, and its error aborts the
// rotation (tests inject failures with it).
func rotateKey(ctx context.Context, cfg Config, newKey []byte, afterRow func(table string) error) (RotateReport, error) {
	if len(newKey) != KeySize {
		return RotateReport{}, fmt.Errorf("store: rotate key: the new key must be %d bytes (AES-256), got %d", KeySize, len(newKey))
	}
	if bytes.Equal(newKey, cfg.EncryptionKey) {
		return RotateReport{}, errors.New("store: rotate key: the new key is the current key")
	}
	newSeal, err := newSealer(newKey)
	if err != nil {
		return RotateReport{}, fmt.Errorf("store: rotate key: new key: %w", err)
	}
	if cfg.DatabaseURL == "" {
		path := cfg.SQLitePath
		if path == "" {
			path = DefaultSQLitePath
		}
		if _, err := os.Stat(path); err != nil {
			return RotateReport{}, fmt.Errorf("store: rotate key: no SQLite database to rotate: %w", err)
		}
	}

	s, err := Open(ctx, cfg)
	if errors.Is(err, ErrKeyMismatch) {
		return alreadyRotated(ctx, cfg, newKey, err)
	}
	if err != nil {
		return RotateReport{}, err
	}
	defer s.Close()

	report, err := s.rotate(ctx, newSeal, afterRow)
	if errors.Is(err, ErrKeyMismatch) {
		// Another rotation committed between Open and this transaction.
		return alreadyRotated(ctx, cfg, newKey, err)
	}
	if err != nil {
		return RotateReport{}, err
	}
	return report, nil
}

// rotate re-seals everything in one transaction. It does not use inTx, to
// tell a failure before the commit (nothing changed) from a failed commit,
// whose outcome on PostgreSQL can be unknown (the connection may drop after
// the server committed).
func (s *Store) rotate(ctx context.Context, newSeal *sealer, afterRow func(string) error) (RotateReport, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return RotateReport{}, fmt.Errorf("store: rotate key: begin: %w", err)
	}
	report, err := func() (RotateReport, error) {
		var report RotateReport
		if err := s.dialect.lock(ctx, tx); err != nil {
			return report, fmt.Errorf("lock: %w", err)
		}
		// Again inside the transaction: another rotation may have
		// committed since Open checked.
		if err := checkKey(ctx, tx, s.seal); err != nil {
			return report, err
		}
		for _, t := range sealedTables {
			n, err := s.reseal(ctx, tx, t, newSeal, afterRow)
			if err != nil {
				return report, err
			}
			report.Tables = append(report.Tables, n)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE meta SET value = $2 WHERE key = $1`,
			keyCheckName, newSeal.seal(keyCheckPlain, keyCheckAAD)); err != nil {
			return report, fmt.Errorf("write key check: %w", err)
		}
		return report, nil
	}()
	if err != nil {
		_ = tx.Rollback()
		if errors.Is(err, ErrKeyMismatch) {
			return RotateReport{}, err // says "store: ..." already
		}
		return RotateReport{}, fmt.Errorf("store: rotate key (nothing was changed): %w", err)
	}
	if err := tx.Commit(); err != nil {
		return RotateReport{}, fmt.Errorf("store: rotate key: commit (its outcome may be unknown: "+
			"run the rotation again with the same keys, which reports one that committed): %w", err)
	}
	return report, nil
}

// alreadyRotated answers a current key that does not match: if newKey
// opens the database, an earlier rotation to it committed; otherwise the
// current key's mismatch (mismatch) is the error.
func alreadyRotated(ctx context.Context, cfg Config, newKey []byte, mismatch error) (RotateReport, error) {
	cfg.EncryptionKey = newKey
	s, err := Open(ctx, cfg)
	if err != nil {
		return RotateReport{}, mismatch
	}
	if err := s.Close(); err != nil {
		return RotateReport{}, err
	}
	return RotateReport{AlreadyRotated: true}, nil
}

// reseal re-encrypts the non-empty encrypted values of every row of t from
// s's key to newSeal. Rows are read in full before any is written: one
// transaction is one connection, which cannot run an UPDATE while a result
// set is open on it (pgx), and the encrypted columns of even many
// thousands of rows fit in memory.
func (s *Store) reseal(ctx context.Context, tx *sql.Tx, t sealedTable, newSeal *sealer, afterRow func(string) error) (RotatedTable, error) {
	n := RotatedTable{Table: t.table}
	cols := make([]string, len(t.columns))
	for i, c := range t.columns {
		cols[i] = c.name
	}
	query := `SELECT ` + t.idColumn + `, ` + strings.Join(cols, ", ") + ` FROM ` + t.table + ` ORDER BY ` + t.idColumn
	if s.dialect == postgres {
		// A replica wrongly left running waits for the commit rather than
		// having its token write overwritten by the stale value read here.
		// SQLite's IMMEDIATE transaction already holds the write lock.
		query += ` FOR UPDATE`
	}

	type row struct {
		id     any // the driver's value, passed back as it came: integer or text
		values [][]byte
	}
	var rows []row
	rs, err := tx.QueryContext(ctx, query)
	if err != nil {
		return n, fmt.Errorf("read %s: %w", t.table, err)
	}
	for rs.Next() {
		r := row{values: make([][]byte, len(t.columns))}
		dest := []any{&r.id}
		for i := range r.values {
			dest = append(dest, &r.values[i])
		}
		if err := rs.Scan(dest...); err != nil {
			rs.Close()
			return n, fmt.Errorf("read %s: %w", t.table, err)
		}
		rows = append(rows, r)
	}
	if err := rs.Err(); err != nil {
		rs.Close()
		return n, fmt.Errorf("read %s: %w", t.table, err)
	}
	rs.Close()

	for _, r := range rows {
		owner := fmt.Sprintf("%s:%v", t.owner, r.id)
		var set []string
		args := []any{r.id}
		for i, c := range t.columns {
			if len(r.values[i]) == 0 {
				continue // empty stays empty: there is nothing sealed to carry over
			}
			aad := owner + ":" + c.aad
			plain, err := s.seal.open(r.values[i], aad)
			if err != nil {
				return n, fmt.Errorf("%s %v column %s: %w", t.table, r.id, c.name, err)
			}
			args = append(args, newSeal.seal(plain, aad))
			set = append(set, fmt.Sprintf("%s = $%d", c.name, len(args)))
		}
		if len(set) == 0 {
			continue
		}
		res, err := tx.ExecContext(ctx, `UPDATE `+t.table+` SET `+strings.Join(set, ", ")+
			` WHERE `+t.idColumn+` = $1`, args...)
		if err != nil {
			return n, fmt.Errorf("write %s %v: %w", t.table, r.id, err)
		}
		if k, err := res.RowsAffected(); err != nil {
			return n, fmt.Errorf("write %s %v: %w", t.table, r.id, err)
		} else if k != 1 {
			return n, fmt.Errorf("write %s %v: %d rows updated, want 1", t.table, r.id, k)
		}
		n.Rows++
		n.Values += len(set)
		if afterRow != nil {
			if err := afterRow(t.table); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}
