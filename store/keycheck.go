package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrKeyMismatch is returned by Open when Config.EncryptionKey is not the
// key the database's tokens were encrypted with.
var ErrKeyMismatch = errors.New("ENCRYPTION_KEY does not match the key this database was encrypted with")

// The key check is a known value sealed at the first Open and opened at
// every later one, so a wrong key fails at startup rather than at the first
// token read.
const (
	keyCheckName  = "key_check"
	keyCheckAAD   = "meta:key_check"
	keyCheckPlain = "hubspot-quickbooks key check v1"
)

// checkKey stores the key check on first use and verifies it after.
func checkKey(ctx context.Context, tx *sql.Tx, seal *sealer) error {
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
		keyCheckName, seal.seal(keyCheckPlain, keyCheckAAD)); err != nil {
		return fmt.Errorf("store: write key check: %w", err)
	}
	var stored []byte
	if err := tx.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = $1`, keyCheckName).Scan(&stored); err != nil {
		return fmt.Errorf("store: read key check: %w", err)
	}
	if plain, err := seal.open(stored, keyCheckAAD); err != nil || plain != keyCheckPlain {
		return fmt.Errorf("store: %w", ErrKeyMismatch)
	}
	return nil
}
