package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Contact and product sync's record of the HubSpot contacts and products
// they made or matched (app.SyncedRecordStore, table synced_records of
// migration 0011): one row per QuickBooks customer or item of a connection.

var _ app.SyncedRecordStore = (*Store)(nil)

// SyncedRecord returns the pair of a QuickBooks customer (object contacts)
// or item (products) of the connection; the zero value when none.
func (s *Store) SyncedRecord(ctx context.Context, connectionID string, object app.SyncObject, qboID string) (app.SyncedRecord, error) {
	r := app.SyncedRecord{QBOID: qboID}
	err := s.read.QueryRowContext(ctx, `SELECT hubspot_id, company_id, company_name FROM synced_records
		WHERE connection_id = $1 AND object = $2 AND qbo_id = $3`, connectionID, string(object), qboID).
		Scan(&r.HubSpotID, &r.CompanyID, &r.CompanyName)
	if errors.Is(err, sql.ErrNoRows) {
		return app.SyncedRecord{}, nil
	}
	if err != nil {
		return app.SyncedRecord{}, fmt.Errorf("store: read synced %s %s of connection %s: %w", object, qboID, connectionID, err)
	}
	return r, nil
}

// SaveSyncedRecord records (or replaces) a pair; NotFound when the
// connection does not exist.
func (s *Store) SaveSyncedRecord(ctx context.Context, connectionID string, object app.SyncObject, r app.SyncedRecord) error {
	if object != app.SyncContacts && object != app.SyncProducts {
		return fmt.Errorf("store: save synced record: object %q is neither contacts nor products", object)
	}
	if r.QBOID == "" || r.HubSpotID == "" {
		return fmt.Errorf("store: save synced %s of connection %s: QuickBooks and HubSpot ids are required", object, connectionID)
	}
	now := formatTime(s.now())
	err := s.execOnConnection(ctx, `
		INSERT INTO synced_records (connection_id, object, qbo_id, hubspot_id, company_id, company_name, created_at, updated_at)
		SELECT id, $2, $3, $4, $5, $6, $7, $7 FROM connections WHERE id = $1
		ON CONFLICT (connection_id, object, qbo_id) DO UPDATE SET
			hubspot_id = excluded.hubspot_id,
			company_id = excluded.company_id,
			company_name = excluded.company_name,
			updated_at = excluded.updated_at`,
		connectionID, string(object), r.QBOID, r.HubSpotID, r.CompanyID, r.CompanyName, now)
	if err != nil {
		if app.ErrorCode(err) == app.NotFound {
			return err
		}
		return fmt.Errorf("store: save synced %s %s of connection %s: %w", object, r.QBOID, connectionID, err)
	}
	return nil
}
