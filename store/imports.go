package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Historical imports (app.ImportStore, table imports of migrations 0009 and
// 0012). A connection has at most one unfinished import of each object
// (invoices, contacts, products; a partial unique index); one process at a
// time works on an import, under a lease; progress and the HubSpot
// invoices it made are saved in one transaction.

var _ app.ImportStore = (*Store)(nil)

// importColumns are the columns scanImport reads, in its order.
var importColumns = importCols("")

// importCols is importColumns, each qualified by prefix ("i.").
func importCols(prefix string) string {
	names := []string{"id", "portal_id", "connection_id", "object", "state", "total", "done", "cursor_time", "cursor_ids",
		"error", "failures", "samples", "created_at", "started_at", "updated_at", "finished_at"}
	for i, n := range names {
		names[i] = prefix + n
	}
	return strings.Join(names, ", ")
}

func errImportNotFound() error {
	return app.Errorf(app.NotFound, "That import was not found.")
}

// scanImport reads one row of importColumns.
func scanImport(row scanner) (app.Import, error) {
	var imp app.Import
	var object, state, ids, samples string
	err := row.Scan(&imp.ID, &imp.PortalID, &imp.ConnectionID, &object, &state, &imp.Total, &imp.Done,
		timeColumn{&imp.Cursor}, &ids, &imp.Error, &imp.Failures, &samples,
		timeColumn{&imp.CreatedAt}, timeColumn{&imp.StartedAt}, timeColumn{&imp.UpdatedAt}, timeColumn{&imp.FinishedAt})
	if err != nil {
		return app.Import{}, err
	}
	imp.Object, imp.State = app.SyncObject(object), app.ImportState(state)
	if err := json.Unmarshal([]byte(ids), &imp.CursorIDs); err != nil {
		return app.Import{}, fmt.Errorf("stored cursor ids of import %s: %w", imp.ID, err)
	}
	var raw [][2]int64
	if err := json.Unmarshal([]byte(samples), &raw); err != nil {
		return app.Import{}, fmt.Errorf("stored samples of import %s: %w", imp.ID, err)
	}
	for _, s := range raw {
		imp.Samples = append(imp.Samples, app.ProgressSample{At: time.UnixMilli(s[0]).UTC(), Done: int(s[1])})
	}
	return imp, nil
}

// importArgs are the JSON columns of an import.
func importArgs(imp app.Import) (ids, samples string) {
	cursorIDs := imp.CursorIDs
	if cursorIDs == nil {
		cursorIDs = []string{}
	}
	b, _ := json.Marshal(cursorIDs)
	raw := make([][2]int64, len(imp.Samples))
	for i, s := range imp.Samples {
		raw[i] = [2]int64{s.At.UnixMilli(), int64(s.Done)}
	}
	sb, _ := json.Marshal(raw)
	return string(b), string(sb)
}

// CreateImport stores imp (its ID and times the store's) as a queued import
// of its connection and object, unless the connection has an unfinished
// import of that object: then it returns that one, created false. NotFound
// when the connection is not imp.PortalID's; Invalid for an unknown
// object.
func (s *Store) CreateImport(ctx context.Context, imp app.Import) (app.Import, bool, error) {
	if _, err := app.ParseSyncObject(string(imp.Object)); err != nil {
		return app.Import{}, false, err
	}
	ids, samples := importArgs(imp)
	now := formatTime(s.now())
	id := newID()
	// SQLite needs the WHERE to read ON CONFLICT as the upsert's. The
	// conflict is the partial unique index on unfinished imports.
	res, err := s.db.ExecContext(ctx, `
		INSERT INTO imports (id, portal_id, connection_id, object, state, total, done, cursor_time, cursor_ids, error, failures,
			samples, lease_owner, lease_until, created_at, started_at, updated_at, finished_at)
		SELECT $1, portal_id, id, $11, $4, $5, $6, $7, $8, '', 0, $9, '', '', $10, '', $10, ''
		FROM connections WHERE id = $2 AND portal_id = $3
		ON CONFLICT DO NOTHING`,
		id, imp.ConnectionID, imp.PortalID, string(app.ImportQueued), imp.Total, imp.Done, formatTime(imp.Cursor), ids, samples, now,
		string(imp.Object))
	if err != nil {
		return app.Import{}, false, fmt.Errorf("store: create import of connection %s: %w", imp.ConnectionID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return app.Import{}, false, fmt.Errorf("store: create import of connection %s: %w", imp.ConnectionID, err)
	} else if n == 1 {
		stored, err := s.Import(ctx, id)
		return stored, true, err
	}
	// Not inserted: the connection is missing, or has an unfinished import
	// of the object.
	row := s.db.QueryRowContext(ctx, `SELECT `+importColumns+` FROM imports
		WHERE connection_id = $1 AND portal_id = $2 AND object = $3 AND state IN ('queued', 'running')`,
		imp.ConnectionID, imp.PortalID, string(imp.Object))
	stored, err := scanImport(row)
	if errors.Is(err, sql.ErrNoRows) {
		return app.Import{}, false, errConnectionNotFound()
	}
	if err != nil {
		return app.Import{}, false, fmt.Errorf("store: read unfinished import of connection %s: %w", imp.ConnectionID, err)
	}
	return stored, false, nil
}

// Import reads one import; NotFound when there is none.
func (s *Store) Import(ctx context.Context, id string) (app.Import, error) {
	imp, err := scanImport(s.read.QueryRowContext(ctx, `SELECT `+importColumns+` FROM imports WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Import{}, errImportNotFound()
	}
	if err != nil {
		return app.Import{}, fmt.Errorf("store: read import %s: %w", id, err)
	}
	return imp, nil
}

// LatestImport is the connection's most recent import of object; NotFound
// when it never had one (or the connection is another portal's).
func (s *Store) LatestImport(ctx context.Context, portalID int64, connectionID string, object app.SyncObject) (app.Import, error) {
	imp, err := scanImport(s.read.QueryRowContext(ctx, `SELECT `+importColumns+` FROM imports
		WHERE portal_id = $1 AND connection_id = $2 AND object = $3 ORDER BY seq DESC LIMIT 1`, portalID, connectionID, string(object)))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Import{}, errImportNotFound()
	}
	if err != nil {
		return app.Import{}, fmt.Errorf("store: read latest import of connection %s: %w", connectionID, err)
	}
	return imp, nil
}

// LatestImports lists the most recent import of each object of each of
// the portal's connections that had one, by connection age, then object.
func (s *Store) LatestImports(ctx context.Context, portalID int64) ([]app.Import, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+importCols("i.")+` FROM imports i
		JOIN connections c ON c.id = i.connection_id
		WHERE i.portal_id = $1
			AND i.seq = (SELECT MAX(seq) FROM imports WHERE connection_id = i.connection_id AND object = i.object)
		ORDER BY c.created_at, c.seq, i.object`, portalID)
	if err != nil {
		return nil, fmt.Errorf("store: list imports of portal %d: %w", portalID, err)
	}
	defer rows.Close()
	out := []app.Import{}
	for rows.Next() {
		imp, err := scanImport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list imports of portal %d: %w", portalID, err)
		}
		out = append(out, imp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list imports of portal %d: %w", portalID, err)
	}
	return out, nil
}

// ClaimImport gives owner the lease of an unfinished import until until,
// unless another owner's lease is live; it sets the state running (and
// started_at the first time). It returns the import as stored and whether
// owner holds it.
func (s *Store) ClaimImport(ctx context.Context, id, owner string, until time.Time) (app.Import, bool, error) {
	now := formatTime(s.now())
	res, err := s.db.ExecContext(ctx, `UPDATE imports SET lease_owner = $2, lease_until = $3, state = 'running',
			started_at = CASE WHEN started_at = '' THEN $4 ELSE started_at END, updated_at = $4
		WHERE id = $1 AND state IN ('queued', 'running') AND (lease_owner = '' OR lease_owner = $2 OR lease_until < $4)`,
		id, owner, formatTime(until), now)
	if err != nil {
		return app.Import{}, false, fmt.Errorf("store: claim import %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return app.Import{}, false, fmt.Errorf("store: claim import %s: %w", id, err)
	}
	imp, err := s.Import(ctx, id)
	return imp, n == 1 && err == nil, err
}

// RenewImport extends owner's lease; false when owner no longer holds it.
func (s *Store) RenewImport(ctx context.Context, id, owner string, until time.Time) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE imports SET lease_until = $3
		WHERE id = $1 AND lease_owner = $2 AND state IN ('queued', 'running')`, id, owner, formatTime(until))
	if err != nil {
		return false, fmt.Errorf("store: renew import %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: renew import %s: %w", id, err)
	}
	return n == 1, nil
}

// ReleaseImport ends owner's lease; a running import goes back to queued.
func (s *Store) ReleaseImport(ctx context.Context, id, owner string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE imports SET lease_owner = '', lease_until = '',
			state = CASE WHEN state = 'running' THEN 'queued' ELSE state END, updated_at = $3
		WHERE id = $1 AND lease_owner = $2`, id, owner, formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("store: release import %s: %w", id, err)
	}
	return nil
}

// SaveImportProgress stores the import's progress and the HubSpot invoices
// made from the connection's invoices in one transaction, while owner
// holds the lease (Conflict otherwise, and nothing is stored). A finished
// state ends the lease.
func (s *Store) SaveImportProgress(ctx context.Context, imp app.Import, owner string, hubspotIDs map[string]string) error {
	ids, samples := importArgs(imp)
	now := formatTime(s.now())
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		leaseOwner, leaseUntil := "lease_owner", "lease_until"
		if imp.State.Finished() {
			leaseOwner, leaseUntil = "''", "''"
		}
		res, err := tx.ExecContext(ctx, `UPDATE imports SET state = $3, total = $4, done = $5, cursor_time = $6,
				cursor_ids = $7, error = $8, failures = $9, samples = $10, finished_at = $11, updated_at = $12,
				lease_owner = `+leaseOwner+`, lease_until = `+leaseUntil+`
			WHERE id = $1 AND lease_owner = $2 AND state IN ('queued', 'running')`,
			imp.ID, owner, string(imp.State), imp.Total, imp.Done, formatTime(imp.Cursor), ids, imp.Error, imp.Failures,
			samples, formatTime(imp.FinishedAt), now)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return app.Errorf(app.Conflict, "Another process took over this import.")
		}
		for invoiceID, hubspotID := range hubspotIDs {
			if invoiceID == "" || hubspotID == "" {
				return fmt.Errorf("invoice and hubspot ids are required")
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO hubspot_invoices (connection_id, invoice_id, hubspot_invoice_id, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $4)
				ON CONFLICT (connection_id, invoice_id) DO UPDATE SET
					hubspot_invoice_id = excluded.hubspot_invoice_id,
					updated_at = excluded.updated_at`,
				imp.ConnectionID, invoiceID, hubspotID, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		if app.ErrorCode(err) == app.Conflict {
			return err
		}
		return fmt.Errorf("store: save progress of import %s: %w", imp.ID, err)
	}
	return nil
}
