package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// snapshotBatch bounds the ids in one IN list, well under both databases'
// parameter limits.
const snapshotBatch = 500

const snapshotColumns = `connection_id, invoice_id, sync_token, doc_number, customer_id, customer_name,
	bill_email, currency, txn_date, due_date, total, balance, email_status, private_note, deleted,
	updated_at, fetched_at`

// Snapshots returns the stored snapshots of a connection's invoices, keyed
// by invoice id; ids without one are absent.
func (s *Store) Snapshots(ctx context.Context, connectionID string, invoiceIDs []string) (map[string]app.Snapshot, error) {
	snaps := make(map[string]app.Snapshot, len(invoiceIDs))
	for start := 0; start < len(invoiceIDs); start += snapshotBatch {
		ids := invoiceIDs[start:min(start+snapshotBatch, len(invoiceIDs))]
		args := make([]any, 0, len(ids)+1)
		args = append(args, connectionID)
		for _, id := range ids {
			args = append(args, id)
		}
		if err := s.readSnapshots(ctx, snaps, `SELECT `+snapshotColumns+` FROM invoice_snapshots
			WHERE connection_id = $1 AND invoice_id IN (`+placeholders(2, len(ids))+`)`, args...); err != nil {
			return nil, fmt.Errorf("store: read snapshots of connection %s: %w", connectionID, err)
		}
	}
	return snaps, nil
}

func (s *Store) readSnapshots(ctx context.Context, into map[string]app.Snapshot, query string, args ...any) error {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var sn app.Snapshot
		inv := &sn.Invoice
		var total, balance int64
		if err := rows.Scan(&sn.ConnectionID, &inv.ID, &inv.SyncToken, &inv.DocNumber, &inv.CustomerID,
			&inv.CustomerName, &inv.BillEmail, &inv.Currency, dateColumn{&inv.TxnDate}, dateColumn{&inv.DueDate},
			&total, &balance, &inv.EmailStatus, &inv.PrivateNote, &inv.Deleted,
			timeColumn{&inv.UpdatedAt}, timeColumn{&sn.FetchedAt}); err != nil {
			return err
		}
		inv.Total, inv.Balance = app.Money(total), app.Money(balance)
		into[inv.ID] = sn
	}
	return rows.Err()
}

// SaveSnapshots stores snapshots, replacing the stored ones of the same
// invoices unless those were fetched later (so a slow, stale fetch cannot
// overwrite a fresh one). A zero FetchedAt means now.
func (s *Store) SaveSnapshots(ctx context.Context, snaps []app.Snapshot) error {
	if len(snaps) == 0 {
		return nil
	}
	now := s.now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, `
			INSERT INTO invoice_snapshots (`+snapshotColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
			ON CONFLICT (connection_id, invoice_id) DO UPDATE SET
				sync_token = excluded.sync_token,
				doc_number = excluded.doc_number,
				customer_id = excluded.customer_id,
				customer_name = excluded.customer_name,
				bill_email = excluded.bill_email,
				currency = excluded.currency,
				txn_date = excluded.txn_date,
				due_date = excluded.due_date,
				total = excluded.total,
				balance = excluded.balance,
				email_status = excluded.email_status,
				private_note = excluded.private_note,
				deleted = excluded.deleted,
				updated_at = excluded.updated_at,
				fetched_at = excluded.fetched_at
			WHERE excluded.fetched_at >= invoice_snapshots.fetched_at`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, sn := range snaps {
			inv := sn.Invoice
			if sn.ConnectionID == "" || inv.ID == "" {
				return errors.New("snapshot without connection id or invoice id")
			}
			fetched := sn.FetchedAt
			if fetched.IsZero() {
				fetched = now
			}
			if _, err := stmt.ExecContext(ctx, sn.ConnectionID, inv.ID, inv.SyncToken, inv.DocNumber,
				inv.CustomerID, inv.CustomerName, inv.BillEmail, inv.Currency,
				inv.TxnDate.String(), inv.DueDate.String(), int64(inv.Total), int64(inv.Balance),
				inv.EmailStatus, inv.PrivateNote, inv.Deleted,
				formatTime(inv.UpdatedAt), formatTime(fetched)); err != nil {
				return fmt.Errorf("invoice %s of connection %s: %w", inv.ID, sn.ConnectionID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: save snapshots: %w", err)
	}
	return nil
}

// placeholders returns "$from, $from+1, ..." for n parameters.
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}
