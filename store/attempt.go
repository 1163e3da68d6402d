package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Idempotency keys are 8 to 100 characters.
const (
	minAttemptKey = 8
	maxAttemptKey = 100
)

const attemptColumns = `portal_id, key, body_hash, object_type, object_id, connection_id, result,
	created_at, finished_at, sent`

func checkAttemptKey(key string) error {
	if n := utf8.RuneCountInString(key); n < minAttemptKey || n > maxAttemptKey {
		return app.Errorf(app.Invalid, "The idempotency key must be 8 to 100 characters.")
	}
	return nil
}

// StartAttempt stores a unless the portal already has an attempt under
// a.Key; it returns the stored attempt and whether it is new. Concurrent
// calls with one key store exactly one attempt, and all of them return it.
// A zero CreatedAt means now; a.Result and a.FinishedAt are ignored (an
// attempt starts unfinished). Invalid when the key is not 8 to 100
// characters.
func (s *Store) StartAttempt(ctx context.Context, a app.Attempt) (app.Attempt, bool, error) {
	if err := checkAttemptKey(a.Key); err != nil {
		return app.Attempt{}, false, err
	}
	if a.PortalID <= 0 || a.BodyHash == "" {
		return app.Attempt{}, false, errors.New("store: start attempt: portal id and body hash are required")
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = s.now()
	}
	var stored app.Attempt
	var created bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// ON CONFLICT DO NOTHING, then read back: a concurrent StartAttempt
		// with the same key waits on the primary key and then finds this row.
		res, err := tx.ExecContext(ctx, `
			INSERT INTO attempts (portal_id, key, body_hash, object_type, object_id, connection_id,
				result, created_at, finished_at)
			VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, '')
			ON CONFLICT (portal_id, key) DO NOTHING`,
			a.PortalID, a.Key, a.BodyHash, string(a.Object.Type), a.Object.ID, a.ConnectionID,
			formatTime(a.CreatedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		created = n == 1
		stored, err = scanAttempt(tx.QueryRowContext(ctx, `SELECT `+attemptColumns+` FROM attempts
			WHERE portal_id = $1 AND key = $2`, a.PortalID, a.Key))
		return err
	})
	if err != nil {
		return app.Attempt{}, false, fmt.Errorf("store: start attempt of portal %d on %s: %w", a.PortalID, a.Object, err)
	}
	return stored, created, nil
}

// FinishAttempt records result, the answer of the portal's attempt under
// key, and sets its FinishedAt to now; NotFound if there is no such attempt.
// An attempt already finished keeps its first result and FinishedAt: the
// answer once given is the answer every retry gets.
func (s *Store) FinishAttempt(ctx context.Context, portalID int64, key string, result []byte) error {
	if len(result) == 0 {
		return fmt.Errorf("store: finish attempt of portal %d: the result is required", portalID)
	}
	// One statement, so two finishes cannot both see the attempt unfinished.
	// Both databases count a matched row as affected even when the CASEs
	// keep its values, so zero rows means no attempt.
	res, err := s.db.ExecContext(ctx, `
		UPDATE attempts SET
			result = CASE WHEN result IS NULL THEN $3 ELSE result END,
			finished_at = CASE WHEN result IS NULL THEN $4 ELSE finished_at END
		WHERE portal_id = $1 AND key = $2`,
		portalID, key, result, formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("store: finish attempt of portal %d: %w", portalID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: finish attempt of portal %d: %w", portalID, err)
	}
	if n == 0 {
		return app.Errorf(app.NotFound, "No request was stored under that idempotency key.")
	}
	return nil
}

func scanAttempt(row scanner) (app.Attempt, error) {
	var a app.Attempt
	var objectType string
	if err := row.Scan(&a.PortalID, &a.Key, &a.BodyHash, &objectType, &a.Object.ID, &a.ConnectionID,
		&a.Result, timeColumn{&a.CreatedAt}, timeColumn{&a.FinishedAt}, &a.Sent); err != nil {
		return app.Attempt{}, err
	}
	a.Object.Type = app.ObjectType(objectType)
	return a, nil
}

// ClaimAttempt takes the hold on the portal's unfinished attempt under key
// until the given time, if nobody holds it now (never held, or the hold
// lapsed). It reports whether the caller holds it. One statement, so two
// callers cannot both take it.
func (s *Store) ClaimAttempt(ctx context.Context, portalID int64, key string, until time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `
		UPDATE attempts SET claimed_until = $3
		WHERE portal_id = $1 AND key = $2 AND result IS NULL AND (claimed_until = '' OR claimed_until < $4)`,
		portalID, key, formatTime(until), formatTime(s.now()))
	if err != nil {
		return false, fmt.Errorf("store: claim attempt of portal %d: %w", portalID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: claim attempt of portal %d: %w", portalID, err)
	}
	return n == 1, nil
}

// MarkAttemptSent records what the portal's unfinished attempt under key
// is about to send QuickBooks; an attempt already marked keeps its first
// payload. NotFound when there is no unfinished attempt under key.
func (s *Store) MarkAttemptSent(ctx context.Context, portalID int64, key string, sent []byte) error {
	if len(sent) == 0 {
		return fmt.Errorf("store: mark attempt of portal %d sent: the payload is required", portalID)
	}
	res, err := s.db.ExecContext(ctx, `
		UPDATE attempts SET sent = CASE WHEN sent IS NULL THEN $3 ELSE sent END
		WHERE portal_id = $1 AND key = $2 AND result IS NULL`,
		portalID, key, sent)
	if err != nil {
		return fmt.Errorf("store: mark attempt of portal %d sent: %w", portalID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: mark attempt of portal %d sent: %w", portalID, err)
	}
	if n == 0 {
		return app.Errorf(app.NotFound, "No unfinished request was stored under that idempotency key.")
	}
	return nil
}

// ReleaseAttempt gives up the hold on an unfinished attempt, so a retry
// need not wait for the hold to lapse.
func (s *Store) ReleaseAttempt(ctx context.Context, portalID int64, key string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE attempts SET claimed_until = '' WHERE portal_id = $1 AND key = $2 AND result IS NULL`,
		portalID, key); err != nil {
		return fmt.Errorf("store: release attempt of portal %d: %w", portalID, err)
	}
	return nil
}
