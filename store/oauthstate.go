package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SpendOAuthState records that the signed OAuth state with nonce, issued
// to portalID and valid until expiresAt, has been used; it reports whether
// this call spent it (false: it was spent before); portalID is 0 for a
// HubSpot install state, issued before the portal is known. Concurrent calls with
// one nonce spend it exactly once. States past their expiry are purged on
// the way: their signed expiry refuses them without the row.
func (s *Store) SpendOAuthState(ctx context.Context, nonce string, portalID int64, expiresAt time.Time) (bool, error) {
	if nonce == "" || portalID < 0 || expiresAt.IsZero() {
		return false, errors.New("store: spend oauth state: nonce, portal id and expiry are required")
	}
	now := s.now()
	var spent bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM oauth_states WHERE expires_at < $1`, formatTime(now)); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
			INSERT INTO oauth_states (nonce, portal_id, expires_at, spent_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (nonce) DO NOTHING`,
			nonce, portalID, formatTime(expiresAt), formatTime(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		spent = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: spend oauth state of portal %d: %w", portalID, err)
	}
	return spent, nil
}
