package store

import (
	"context"
	"fmt"
	"time"
)

// QuickBooks webhook bodies already accepted (app.SyncStore, table of
// migration 0013), so a replayed body is recognised.

// WebhookReceived reports whether a body with digest was accepted at or
// after since.
func (s *Store) WebhookReceived(ctx context.Context, digest string, since time.Time) (bool, error) {
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhook_receipts
		WHERE digest = $1 AND received_at >= $2`, digest, formatTime(since)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: read webhook receipt: %w", err)
	}
	return n > 0, nil
}

// RememberWebhook records that a body with digest was accepted at at (a
// body accepted again moves its time forward) and deletes the receipts
// older than forgetBefore, in one transaction.
func (s *Store) RememberWebhook(ctx context.Context, digest string, at, forgetBefore time.Time) error {
	if digest == "" {
		return fmt.Errorf("store: remember webhook: the digest is required")
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: remember webhook: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_receipts (digest, received_at) VALUES ($1, $2)
		ON CONFLICT (digest) DO UPDATE SET received_at = excluded.received_at`,
		digest, formatTime(at)); err != nil {
		return fmt.Errorf("store: remember webhook: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM webhook_receipts WHERE received_at < $1`,
		formatTime(forgetBefore)); err != nil {
		return fmt.Errorf("store: forget old webhooks: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: remember webhook: %w", err)
	}
	return nil
}
