package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Invoice sync's record of the HubSpot invoices it made (app.InvoiceSyncStore,
// table hubspot_invoices of migration 0008): one row per QuickBooks invoice
// of a connection. Each save names its connection and inserts through a
// SELECT of it, so a save for a connection that does not exist is NotFound.

var _ app.InvoiceSyncStore = (*Store)(nil)

// HubSpotInvoiceID returns the HubSpot invoice made from a QuickBooks
// invoice of the connection; "" when none was.
func (s *Store) HubSpotInvoiceID(ctx context.Context, connectionID, invoiceID string) (string, error) {
	var id string
	err := s.read.QueryRowContext(ctx, `SELECT hubspot_invoice_id FROM hubspot_invoices
		WHERE connection_id = $1 AND invoice_id = $2`, connectionID, invoiceID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: read hubspot invoice of invoice %s of connection %s: %w", invoiceID, connectionID, err)
	}
	return id, nil
}

// SaveHubSpotInvoiceID records which HubSpot invoice was made from a
// QuickBooks invoice, replacing an earlier one (HubSpot's was archived and
// made again); NotFound when the connection does not exist.
func (s *Store) SaveHubSpotInvoiceID(ctx context.Context, connectionID, invoiceID, hubspotID string) error {
	if invoiceID == "" || hubspotID == "" {
		return fmt.Errorf("store: save hubspot invoice of connection %s: invoice and hubspot ids are required", connectionID)
	}
	now := formatTime(s.now())
	// SQLite needs the WHERE to read ON CONFLICT as the upsert's.
	err := s.execOnConnection(ctx, `
		INSERT INTO hubspot_invoices (connection_id, invoice_id, hubspot_invoice_id, created_at, updated_at)
		SELECT id, $2, $3, $4, $4 FROM connections WHERE id = $1
		ON CONFLICT (connection_id, invoice_id) DO UPDATE SET
			hubspot_invoice_id = excluded.hubspot_invoice_id,
			updated_at = excluded.updated_at`,
		connectionID, invoiceID, hubspotID, now)
	if err != nil {
		if app.ErrorCode(err) == app.NotFound {
			return err
		}
		return fmt.Errorf("store: save hubspot invoice of invoice %s of connection %s: %w", invoiceID, connectionID, err)
	}
	return nil
}

// HubSpotInvoiceIDs lists the connection's recorded pairs, QuickBooks
// invoice id to HubSpot invoice id; an empty map when there are none.
func (s *Store) HubSpotInvoiceIDs(ctx context.Context, connectionID string) (map[string]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT invoice_id, hubspot_invoice_id FROM hubspot_invoices
		WHERE connection_id = $1`, connectionID)
	if err != nil {
		return nil, fmt.Errorf("store: list hubspot invoices of connection %s: %w", connectionID, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var qbo, hs string
		if err := rows.Scan(&qbo, &hs); err != nil {
			return nil, fmt.Errorf("store: list hubspot invoices of connection %s: %w", connectionID, err)
		}
		out[qbo] = hs
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list hubspot invoices of connection %s: %w", connectionID, err)
	}
	return out, nil
}
