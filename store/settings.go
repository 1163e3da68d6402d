package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// PortalSettings returns the portal's settings: what was saved, and
// app.DefaultPortalSettings for what never was. UpdatedAt is the latest
// save of any of them.
func (s *Store) PortalSettings(ctx context.Context, portalID int64) (app.PortalSettings, error) {
	ps := app.DefaultPortalSettings(portalID)
	var def sql.NullString
	var updated time.Time
	err := s.read.QueryRowContext(ctx,
		`SELECT default_connection_id, updated_at FROM portal_settings WHERE portal_id = $1`,
		portalID).Scan(&def, timeColumn{&updated})
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return app.PortalSettings{}, fmt.Errorf("store: read settings of portal %d: %w", portalID, err)
	default:
		ps.DefaultConnectionID, ps.UpdatedAt = def.String, updated
	}

	rows, err := s.read.QueryContext(ctx, `
		SELECT object, enabled, on_create_or_update, on_delete, enabled_at, updated_at
		FROM sync_settings WHERE portal_id = $1`, portalID)
	if err != nil {
		return app.PortalSettings{}, fmt.Errorf("store: read sync settings of portal %d: %w", portalID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var object, write, del string
		var ss app.SyncSettings
		if err := rows.Scan(&object, &ss.Enabled, &write, &del, timeColumn{&ss.EnabledAt}, timeColumn{&updated}); err != nil {
			return app.PortalSettings{}, fmt.Errorf("store: read sync settings of portal %d: %w", portalID, err)
		}
		target := ps.Sync(app.SyncObject(object))
		if target == nil {
			continue // a kind a newer release saved; this one does not sync it
		}
		ss.OnCreateOrUpdate, ss.OnDelete = app.WriteChoice(write), app.DeleteChoice(del)
		*target = ss
		if updated.After(ps.UpdatedAt) {
			ps.UpdatedAt = updated
		}
	}
	if err := rows.Err(); err != nil {
		return app.PortalSettings{}, fmt.Errorf("store: read sync settings of portal %d: %w", portalID, err)
	}

	mrows, err := s.read.QueryContext(ctx, `SELECT object, fields, updated_at FROM field_mappings WHERE portal_id = $1`, portalID)
	if err != nil {
		return app.PortalSettings{}, fmt.Errorf("store: read field mappings of portal %d: %w", portalID, err)
	}
	defer mrows.Close()
	for mrows.Next() {
		var object, raw string
		if err := mrows.Scan(&object, &raw, timeColumn{&updated}); err != nil {
			return app.PortalSettings{}, fmt.Errorf("store: read field mappings of portal %d: %w", portalID, err)
		}
		var fields []mappedField
		if err := json.Unmarshal([]byte(raw), &fields); err != nil {
			return app.PortalSettings{}, fmt.Errorf("store: read %s field mapping of portal %d: %w", object, portalID, err)
		}
		list := make([]app.FieldMapping, len(fields))
		for i, f := range fields {
			list[i] = app.FieldMapping{QBO: app.QBOField(f.QBO), HubSpot: f.HubSpot}
		}
		switch app.SyncObject(object) {
		case app.SyncInvoices:
			ps.InvoiceFields = list
		case app.SyncContacts:
			ps.ContactFields = list
		case app.SyncProducts:
			ps.ProductFields = list
		default:
			continue // a kind a newer release maps
		}
		if updated.After(ps.UpdatedAt) {
			ps.UpdatedAt = updated
		}
	}
	if err := mrows.Err(); err != nil {
		return app.PortalSettings{}, fmt.Errorf("store: read field mappings of portal %d: %w", portalID, err)
	}
	return ps, nil
}

// mappedField is one pair of a stored field mapping (field_mappings.fields).
type mappedField struct {
	QBO     string `json:"qbo"`
	HubSpot string `json:"hubspot"`
}

// SaveFieldMapping replaces the portal's field mapping of one synced kind,
// as given (the app validated it), in order.
func (s *Store) SaveFieldMapping(ctx context.Context, portalID int64, object app.SyncObject, fields []app.FieldMapping) error {
	if portalID <= 0 {
		return fmt.Errorf("store: save field mapping: invalid portal id %d", portalID)
	}
	if _, err := app.ParseSyncObject(string(object)); err != nil {
		return fmt.Errorf("store: save field mapping of portal %d: %w", portalID, err)
	}
	list := make([]mappedField, len(fields))
	for i, f := range fields {
		list[i] = mappedField{QBO: string(f.QBO), HubSpot: f.HubSpot}
	}
	raw, err := json.Marshal(list)
	if err != nil {
		return fmt.Errorf("store: save %s field mapping of portal %d: %w", object, portalID, err)
	}
	_, err = s.db.ExecContext(ctx, `
		INSERT INTO field_mappings (portal_id, object, fields, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (portal_id, object) DO UPDATE SET
			fields = excluded.fields,
			updated_at = excluded.updated_at`,
		portalID, string(object), string(raw), formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("store: save %s field mapping of portal %d: %w", object, portalID, err)
	}
	return nil
}

// SaveDefaultConnection stores the portal's default connection; "" clears
// it. NotFound when the connection does not exist or is another portal's:
// the insert only selects a connection of the portal, and the foreign key
// holds the same rule for any other writer.
func (s *Store) SaveDefaultConnection(ctx context.Context, portalID int64, connectionID string) error {
	if portalID <= 0 {
		return fmt.Errorf("store: save default connection: invalid portal id %d", portalID)
	}
	now := formatTime(s.now())
	var res sql.Result
	var err error
	if connectionID == "" {
		res, err = s.db.ExecContext(ctx, `
			INSERT INTO portal_settings (portal_id, default_connection_id, updated_at) VALUES ($1, NULL, $2)
			ON CONFLICT (portal_id) DO UPDATE SET
				default_connection_id = NULL,
				updated_at = excluded.updated_at`,
			portalID, now)
	} else {
		// SQLite needs the WHERE to read ON CONFLICT as the upsert's.
		res, err = s.db.ExecContext(ctx, `
			INSERT INTO portal_settings (portal_id, default_connection_id, updated_at)
			SELECT portal_id, id, $3 FROM connections WHERE portal_id = $1 AND id = $2
			ON CONFLICT (portal_id) DO UPDATE SET
				default_connection_id = excluded.default_connection_id,
				updated_at = excluded.updated_at`,
			portalID, connectionID, now)
	}
	if err != nil {
		return fmt.Errorf("store: save default connection of portal %d: %w", portalID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: save default connection of portal %d: %w", portalID, err)
	}
	if n == 0 {
		return errConnectionNotFound()
	}
	return nil
}

// SaveSyncSettings replaces one kind's sync settings, EnabledAt as given
// (the app decides it).
func (s *Store) SaveSyncSettings(ctx context.Context, portalID int64, object app.SyncObject, ss app.SyncSettings) error {
	if portalID <= 0 {
		return fmt.Errorf("store: save sync settings: invalid portal id %d", portalID)
	}
	if _, err := app.ParseSyncObject(string(object)); err != nil {
		return fmt.Errorf("store: save sync settings of portal %d: %w", portalID, err)
	}
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO sync_settings (portal_id, object, enabled, on_create_or_update, on_delete, enabled_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (portal_id, object) DO UPDATE SET
			enabled = excluded.enabled,
			on_create_or_update = excluded.on_create_or_update,
			on_delete = excluded.on_delete,
			enabled_at = excluded.enabled_at,
			updated_at = excluded.updated_at`,
		portalID, string(object), ss.Enabled, string(ss.OnCreateOrUpdate), string(ss.OnDelete),
		formatTime(ss.EnabledAt), formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("store: save %s sync settings of portal %d: %w", object, portalID, err)
	}
	return nil
}
