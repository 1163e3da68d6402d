package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

const linkColumns = `id, portal_id, object_type, object_id, connection_id, invoice_id, origin, created_at`

// Links lists the invoice links of one record, oldest first.
func (s *Store) Links(ctx context.Context, portalID int64, obj app.ObjectRef) ([]app.InvoiceLink, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+linkColumns+` FROM invoice_links
		WHERE portal_id = $1 AND object_type = $2 AND object_id = $3
		ORDER BY created_at, seq`, portalID, string(obj.Type), obj.ID)
	if err != nil {
		return nil, fmt.Errorf("store: list links of %s: %w", obj, err)
	}
	defer rows.Close()
	links := []app.InvoiceLink{}
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list links of %s: %w", obj, err)
		}
		links = append(links, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list links of %s: %w", obj, err)
	}
	return links, nil
}

// InvoiceLinks lists the portal's links to one invoice of a connection, on
// any record, oldest first; an empty list when there are none.
func (s *Store) InvoiceLinks(ctx context.Context, portalID int64, connectionID, invoiceID string) ([]app.InvoiceLink, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+linkColumns+` FROM invoice_links
		WHERE portal_id = $1 AND connection_id = $2 AND invoice_id = $3
		ORDER BY created_at, seq`, portalID, connectionID, invoiceID)
	if err != nil {
		return nil, fmt.Errorf("store: list links to invoice %s: %w", invoiceID, err)
	}
	defer rows.Close()
	links := []app.InvoiceLink{}
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list links to invoice %s: %w", invoiceID, err)
		}
		links = append(links, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list links to invoice %s: %w", invoiceID, err)
	}
	return links, nil
}

// AddLink stores a link unless the same invoice of the same connection is
// already linked to the record; it returns the stored link and whether it is
// new. The store sets ID; a zero CreatedAt means now. NotFound when the
// connection is not one of the portal's.
func (s *Store) AddLink(ctx context.Context, l app.InvoiceLink) (app.InvoiceLink, bool, error) {
	if l.PortalID <= 0 || l.Object.Type == "" || l.Object.ID == "" || l.ConnectionID == "" || l.InvoiceID == "" {
		return app.InvoiceLink{}, false, errors.New("store: add link: portal, record, connection and invoice are required")
	}
	l.ID = newID()
	if l.CreatedAt.IsZero() {
		l.CreatedAt = s.now()
	}
	var stored app.InvoiceLink
	var added bool
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM connections WHERE portal_id = $1 AND id = $2`,
			l.PortalID, l.ConnectionID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return errConnectionNotFound()
		}
		if err != nil {
			return err
		}
		// ON CONFLICT DO NOTHING, then read back: a concurrent AddLink of the
		// same invoice waits on the unique index and then finds this row.
		res, err := tx.ExecContext(ctx, `
			INSERT INTO invoice_links (id, portal_id, object_type, object_id, connection_id, invoice_id, origin, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (portal_id, object_type, object_id, connection_id, invoice_id) DO NOTHING`,
			l.ID, l.PortalID, string(l.Object.Type), l.Object.ID, l.ConnectionID, l.InvoiceID,
			string(l.Origin), formatTime(l.CreatedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		added = n == 1
		stored, err = scanLink(tx.QueryRowContext(ctx, `SELECT `+linkColumns+` FROM invoice_links
			WHERE portal_id = $1 AND object_type = $2 AND object_id = $3 AND connection_id = $4 AND invoice_id = $5`,
			l.PortalID, string(l.Object.Type), l.Object.ID, l.ConnectionID, l.InvoiceID))
		return err
	})
	if err != nil {
		if app.ErrorCode(err) == app.NotFound {
			return app.InvoiceLink{}, false, err
		}
		return app.InvoiceLink{}, false, fmt.Errorf("store: link invoice %s to %s: %w", l.InvoiceID, l.Object, err)
	}
	return stored, added, nil
}

// DeleteLink removes one link of a record; NotFound if the record has no
// such link (including a link of another portal or record).
func (s *Store) DeleteLink(ctx context.Context, portalID int64, obj app.ObjectRef, linkID string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM invoice_links
		WHERE id = $1 AND portal_id = $2 AND object_type = $3 AND object_id = $4`,
		linkID, portalID, string(obj.Type), obj.ID)
	if err != nil {
		return fmt.Errorf("store: delete link %s of %s: %w", linkID, obj, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: delete link %s of %s: %w", linkID, obj, err)
	}
	if n == 0 {
		return app.Errorf(app.NotFound, "That invoice is not linked to this record.")
	}
	return nil
}

func scanLink(row scanner) (app.InvoiceLink, error) {
	var l app.InvoiceLink
	var objectType, origin string
	if err := row.Scan(&l.ID, &l.PortalID, &objectType, &l.Object.ID, &l.ConnectionID, &l.InvoiceID,
		&origin, timeColumn{&l.CreatedAt}); err != nil {
		return app.InvoiceLink{}, err
	}
	l.Object.Type = app.ObjectType(objectType)
	l.Origin = app.LinkOrigin(origin)
	return l, nil
}
