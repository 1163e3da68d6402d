package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The background sync's state (app.SyncStore, tables of migration 0007).
// Unlike the card's queries these read across portals: a QuickBooks webhook
// names only a realm, and the reconcile and the overdue sweep visit every
// connection. Each save names its connection, and inserts through a SELECT
// of it, so a save for a connection that does not exist is NotFound.

var _ app.SyncStore = (*Store)(nil)

// ConnectionsOfRealm lists every portal's connections to the realm, oldest
// first; an empty list when no portal connected it.
func (s *Store) ConnectionsOfRealm(ctx context.Context, realmID string) ([]app.Connection, error) {
	cs, err := s.listConnections(ctx, `WHERE realm_id = $1`, realmID)
	if err != nil {
		return nil, fmt.Errorf("store: list connections to realm %s: %w", realmID, err)
	}
	return cs, nil
}

// ActiveConnections lists every portal's connections in state Connected,
// oldest first.
func (s *Store) ActiveConnections(ctx context.Context) ([]app.Connection, error) {
	cs, err := s.listConnections(ctx, `WHERE state = $1`, string(app.Connected))
	if err != nil {
		return nil, fmt.Errorf("store: list active connections: %w", err)
	}
	return cs, nil
}

// listConnections reads the connections a WHERE clause selects, oldest
// first, as Connections does.
func (s *Store) listConnections(ctx context.Context, where string, args ...any) ([]app.Connection, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+connectionColumns+` FROM connections `+where+`
		ORDER BY created_at, seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cs := []app.Connection{}
	for rows.Next() {
		c, err := s.scanConnection(rows)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return cs, nil
}

// LinkedInvoiceIDs lists, once each and in id order, the ids of the
// connection's invoices linked to any record; an empty list when none is.
func (s *Store) LinkedInvoiceIDs(ctx context.Context, connectionID string) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT DISTINCT invoice_id FROM invoice_links
		WHERE connection_id = $1 ORDER BY invoice_id`, connectionID)
	if err != nil {
		return nil, fmt.Errorf("store: list linked invoices of connection %s: %w", connectionID, err)
	}
	defer rows.Close()
	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: list linked invoices of connection %s: %w", connectionID, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list linked invoices of connection %s: %w", connectionID, err)
	}
	return ids, nil
}

// SyncState returns what the sync remembers of a connection; the zero
// SyncState when nothing is stored (or the connection does not exist).
func (s *Store) SyncState(ctx context.Context, connectionID string) (app.SyncState, error) {
	var st app.SyncState
	err := s.read.QueryRowContext(ctx,
		`SELECT cdc_since, swept_through FROM sync_states WHERE connection_id = $1`, connectionID).
		Scan(timeColumn{&st.CDCSince}, dateColumn{&st.SweptThrough})
	if errors.Is(err, sql.ErrNoRows) {
		return app.SyncState{}, nil
	}
	if err != nil {
		return app.SyncState{}, fmt.Errorf("store: read sync state of connection %s: %w", connectionID, err)
	}
	return st, nil
}

// SaveCDCSince stores where the connection's next reconcile starts, keeping
// SweptThrough; NotFound when the connection does not exist.
func (s *Store) SaveCDCSince(ctx context.Context, connectionID string, since time.Time) error {
	// SQLite needs the WHERE to read ON CONFLICT as the upsert's.
	return s.saveSyncState(ctx, "reconcile start", connectionID, `
		INSERT INTO sync_states (connection_id, cdc_since, swept_through, updated_at)
		SELECT id, $2, '', $3 FROM connections WHERE id = $1
		ON CONFLICT (connection_id) DO UPDATE SET
			cdc_since = excluded.cdc_since,
			updated_at = excluded.updated_at`,
		connectionID, formatTime(since), formatTime(s.now()))
}

// SaveSweptThrough stores the date the connection's overdue sweep ran for,
// keeping CDCSince; NotFound when the connection does not exist.
func (s *Store) SaveSweptThrough(ctx context.Context, connectionID string, d app.Date) error {
	return s.saveSyncState(ctx, "sweep date", connectionID, `
		INSERT INTO sync_states (connection_id, cdc_since, swept_through, updated_at)
		SELECT id, '', $2, $3 FROM connections WHERE id = $1
		ON CONFLICT (connection_id) DO UPDATE SET
			swept_through = excluded.swept_through,
			updated_at = excluded.updated_at`,
		connectionID, d.String(), formatTime(s.now()))
}

func (s *Store) saveSyncState(ctx context.Context, what, connectionID, query string, args ...any) error {
	if err := s.execOnConnection(ctx, query, args...); err != nil {
		if app.ErrorCode(err) == app.NotFound {
			return err
		}
		return fmt.Errorf("store: save %s of connection %s: %w", what, connectionID, err)
	}
	return nil
}

// execOnConnection runs an INSERT ... SELECT FROM connections upsert:
// NotFound when it touched no row, that is when the connection is missing
// (an upsert that updates counts its row even when no value changed).
func (s *Store) execOnConnection(ctx context.Context, query string, args ...any) error {
	res, err := s.db.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return errConnectionNotFound()
	}
	return nil
}

// EntityVersion is the LastUpdated of the newest change applied to an
// entity of the connection's company; zero when none was.
func (s *Store) EntityVersion(ctx context.Context, connectionID, entity, entityID string) (time.Time, error) {
	var t time.Time
	err := s.read.QueryRowContext(ctx, `SELECT last_updated FROM entity_versions
		WHERE connection_id = $1 AND entity = $2 AND entity_id = $3`,
		connectionID, entity, entityID).Scan(timeColumn{&t})
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("store: read version of %s %s of connection %s: %w", entity, entityID, connectionID, err)
	}
	return t, nil
}

// SaveEntityVersion records that a change at lastUpdated was applied,
// keeping a later stored time: one upsert that compares the fixed-width UTC
// texts (time order), so concurrent saves end at the latest on both
// databases. NotFound when the connection does not exist.
func (s *Store) SaveEntityVersion(ctx context.Context, connectionID, entity, entityID string, lastUpdated time.Time) error {
	if entity == "" || entityID == "" {
		return fmt.Errorf("store: save entity version of connection %s: entity and id are required", connectionID)
	}
	err := s.execOnConnection(ctx, `
		INSERT INTO entity_versions (connection_id, entity, entity_id, last_updated)
		SELECT id, $2, $3, $4 FROM connections WHERE id = $1
		ON CONFLICT (connection_id, entity, entity_id) DO UPDATE SET
			last_updated = CASE WHEN excluded.last_updated > entity_versions.last_updated
				THEN excluded.last_updated ELSE entity_versions.last_updated END`,
		connectionID, entity, entityID, formatTime(lastUpdated))
	if err != nil {
		if app.ErrorCode(err) == app.NotFound {
			return err
		}
		return fmt.Errorf("store: save version of %s %s of connection %s: %w", entity, entityID, connectionID, err)
	}
	return nil
}

// ConnectionByID returns one connection of any portal (background work
// names connections by id); NotFound when there is none.
func (s *Store) ConnectionByID(ctx context.Context, connectionID string) (app.Connection, error) {
	cs, err := s.listConnections(ctx, `WHERE id = $1`, connectionID)
	if err != nil {
		return app.Connection{}, fmt.Errorf("store: read connection %s: %w", connectionID, err)
	}
	if len(cs) == 0 {
		return app.Connection{}, errConnectionNotFound()
	}
	return cs[0], nil
}

// SaveCompanySettings replaces the company fields of a connected
// connection, never its tokens or state; NotFound when it is gone or no
// longer connected.
func (s *Store) SaveCompanySettings(ctx context.Context, c app.Connection) error {
	res, err := s.db.ExecContext(ctx, `UPDATE connections SET company_name = $2, country = $3, currency = $4,
		time_zone = $5, custom_txn_numbers = $6, multi_currency = $7, updated_at = $8
		WHERE id = $1 AND state = $9`,
		c.ID, c.CompanyName, c.Country, c.Currency, c.TimeZone, c.CustomTxnNumbers, c.MultiCurrency,
		formatTime(s.now()), string(app.Connected))
	if err != nil {
		return fmt.Errorf("store: save company settings of connection %s: %w", c.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: save company settings of connection %s: %w", c.ID, err)
	} else if n == 0 {
		return errConnectionNotFound()
	}
	return nil
}

// LinksOfInvoices lists the links of a connection's invoices in one query.
func (s *Store) LinksOfInvoices(ctx context.Context, connectionID string, invoiceIDs []string) ([]app.InvoiceLink, error) {
	links := []app.InvoiceLink{}
	if len(invoiceIDs) == 0 {
		return links, nil
	}
	if len(invoiceIDs) > 1000 {
		return nil, fmt.Errorf("store: links of %d invoices at once; at most 1,000", len(invoiceIDs))
	}
	args := []any{connectionID}
	marks := make([]string, len(invoiceIDs))
	for i, id := range invoiceIDs {
		args = append(args, id)
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+linkColumns+` FROM invoice_links
		WHERE connection_id = $1 AND invoice_id IN (`+strings.Join(marks, ", ")+`)
		ORDER BY created_at, seq`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: links of connection %s's invoices: %w", connectionID, err)
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, fmt.Errorf("store: links of connection %s's invoices: %w", connectionID, err)
		}
		links = append(links, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: links of connection %s's invoices: %w", connectionID, err)
	}
	return links, nil
}
