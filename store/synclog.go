package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The sync log (app.SyncLog, table sync_log of migration 0010): one row per
// record a sync processed, listed newest first by seq with seq as the
// cursor. Every read is portal-scoped.
//
// Bounded on insert: whenever a row's seq is a multiple of
// SyncLogPruneEvery, its portal's rows older than SyncLogMaxAge, and those
// past its newest SyncLogKeep, are deleted (two indexed deletes; about
// once per SyncLogPruneEvery rows of the whole table, so a busy portal is
// pruned often and a quiet one rarely grows; the age is checked over the
// at most SyncLogKeep rows left).

var _ app.SyncLog = (*Store)(nil)

// Bounds of the sync log.
const (
	SyncLogKeep       = 10_000              // rows kept per portal
	SyncLogMaxAge     = 30 * 24 * time.Hour // rows older are deleted
	SyncLogPruneEvery = 100                 // a prune per this many rows inserted
)

const syncLogColumns = `id, portal_id, connection_id, object, qbo_id, hubspot_id, action, outcome, message,
	source, realm_id, entity, operation, last_updated, retried_at, at`

func errSyncLogNotFound() error {
	return app.Errorf(app.NotFound, "That sync log entry was not found.")
}

// scanSyncLog reads one row of seq and syncLogColumns.
func scanSyncLog(row scanner) (int64, app.SyncLogEntry, error) {
	var e app.SyncLogEntry
	var seq int64
	var object, action, outcome string
	err := row.Scan(&seq, &e.ID, &e.PortalID, &e.ConnectionID, &object, &e.QBOID, &e.HubSpotID, &action, &outcome, &e.Message,
		&e.Source, &e.RealmID, &e.Entity, &e.Operation, timeColumn{&e.LastUpdated}, timeColumn{&e.RetriedAt}, timeColumn{&e.At})
	e.Object, e.Action, e.Outcome = app.SyncObject(object), app.SyncAction(action), app.SyncOutcome(outcome)
	return seq, e, err
}

// RecordSyncLog stores entries, each with a new id (and the store's time
// when At is zero), in one transaction, then prunes the portals whose turn
// it is.
func (s *Store) RecordSyncLog(ctx context.Context, entries ...app.SyncLogEntry) error {
	if len(entries) == 0 {
		return nil
	}
	prune := map[int64]bool{}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, e := range entries {
			at := e.At
			if at.IsZero() {
				at = s.now()
			}
			var seq int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO sync_log (`+syncLogColumns+`)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, '', $15) RETURNING seq`,
				newID(), e.PortalID, e.ConnectionID, string(e.Object), e.QBOID, e.HubSpotID, string(e.Action), string(e.Outcome),
				e.Message, e.Source, e.RealmID, e.Entity, e.Operation, formatTime(e.LastUpdated), formatTime(at)).Scan(&seq); err != nil {
				return err
			}
			if seq%SyncLogPruneEvery == 0 {
				prune[e.PortalID] = true
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: record %d sync log entries: %w", len(entries), err)
	}
	for portalID := range prune {
		if _, err := s.PruneSyncLog(ctx, portalID, SyncLogKeep, s.now().Add(-SyncLogMaxAge)); err != nil {
			return err
		}
	}
	return nil
}

// PruneSyncLog deletes the portal's entries older than before and those
// past its newest keep, and reports how many went.
func (s *Store) PruneSyncLog(ctx context.Context, portalID int64, keep int, before time.Time) (int64, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sync_log WHERE portal_id = $1 AND seq <= (
				SELECT seq FROM sync_log WHERE portal_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)`, portalID, keep)
		if err != nil {
			return err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return err
		}
		// At most keep rows of the portal are left to look at.
		res, err = tx.ExecContext(ctx, `DELETE FROM sync_log WHERE portal_id = $1 AND at < $2`, portalID, formatTime(before))
		if err != nil {
			return err
		}
		a, err := res.RowsAffected()
		n = k + a
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune sync log of portal %d: %w", portalID, err)
	}
	return n, nil
}

// SyncLogEntries lists a page of the portal's entries, newest first. The
// cursor is the seq of the page's last entry; one the store did not give
// is Invalid.
func (s *Store) SyncLogEntries(ctx context.Context, portalID int64, f app.SyncLogFilter) (app.SyncLogPage, error) {
	where := []string{"portal_id = $1"}
	args := []any{portalID}
	if f.Object != "" {
		args = append(args, string(f.Object))
		where = append(where, fmt.Sprintf("object = $%d", len(args)))
	}
	if f.Outcome != "" {
		args = append(args, string(f.Outcome))
		where = append(where, fmt.Sprintf("outcome = $%d", len(args)))
	}
	if f.Before != "" {
		before, err := strconv.ParseInt(f.Before, 10, 64)
		if err != nil || before <= 0 {
			return app.SyncLogPage{}, app.Errorf(app.Invalid, "The cursor %q is not one this list gave; start again from the first page.", truncate(f.Before, 40))
		}
		args = append(args, before)
		where = append(where, fmt.Sprintf("seq < $%d", len(args)))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = app.DefaultSyncLogPage
	}
	args = append(args, limit+1)
	rows, err := s.read.QueryContext(ctx, `SELECT seq, `+syncLogColumns+` FROM sync_log
		WHERE `+strings.Join(where, " AND ")+fmt.Sprintf(` ORDER BY seq DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return app.SyncLogPage{}, fmt.Errorf("store: list sync log of portal %d: %w", portalID, err)
	}
	defer rows.Close()
	page := app.SyncLogPage{Entries: []app.SyncLogEntry{}}
	var last int64
	for rows.Next() {
		seq, e, err := scanSyncLog(rows)
		if err != nil {
			return app.SyncLogPage{}, fmt.Errorf("store: list sync log of portal %d: %w", portalID, err)
		}
		if len(page.Entries) == limit {
			page.Next = strconv.FormatInt(last, 10)
			break
		}
		page.Entries = append(page.Entries, e)
		last = seq
	}
	if err := rows.Err(); err != nil {
		return app.SyncLogPage{}, fmt.Errorf("store: list sync log of portal %d: %w", portalID, err)
	}
	return page, nil
}

// truncate cuts s to n bytes at most, for messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// SyncLogEntry reads one of the portal's entries; NotFound when the portal
// has none of that id.
func (s *Store) SyncLogEntry(ctx context.Context, portalID int64, id string) (app.SyncLogEntry, error) {
	_, e, err := scanSyncLog(s.db.QueryRowContext(ctx, `SELECT seq, `+syncLogColumns+` FROM sync_log
		WHERE id = $1 AND portal_id = $2`, id, portalID))
	if errors.Is(err, sql.ErrNoRows) {
		return app.SyncLogEntry{}, errSyncLogNotFound()
	}
	if err != nil {
		return app.SyncLogEntry{}, fmt.Errorf("store: read sync log entry %s: %w", id, err)
	}
	return e, nil
}

// MarkSyncLogRetried sets an entry's retried_at; NotFound when the portal
// has no entry of that id.
func (s *Store) MarkSyncLogRetried(ctx context.Context, portalID int64, id string, at time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE sync_log SET retried_at = $3 WHERE id = $1 AND portal_id = $2`,
		id, portalID, formatTime(at))
	if err != nil {
		return fmt.Errorf("store: mark sync log entry %s retried: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: mark sync log entry %s retried: %w", id, err)
	} else if n == 0 {
		return errSyncLogNotFound()
	}
	return nil
}
