package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

func connectionOwner(id string) string { return "connection:" + id }

const connectionColumns = `id, portal_id, realm_id, company_name, country, currency, time_zone,
	custom_txn_numbers, multi_currency, state, access_token, refresh_token, access_expires_at,
	refresh_expires_at, created_at, updated_at`

// errConnectionNotFound is the same whether the connection does not exist
// or belongs to another portal, so a portal learns nothing of others.
func errConnectionNotFound() error {
	return app.Errorf(app.NotFound, "That QuickBooks connection was not found; it may have been removed.")
}

// SaveConnection creates the connection of (PortalID, RealmID) or updates
// it. The store owns ID (random, kept across saves, c.ID is ignored) and
// UpdatedAt (now); CreatedAt is kept from the first save, where zero means
// now. It returns the connection as stored.
func (s *Store) SaveConnection(ctx context.Context, c app.Connection) (app.Connection, error) {
	if c.PortalID <= 0 || c.RealmID == "" {
		return app.Connection{}, errors.New("store: save connection: portal id and realm id are required")
	}
	now := s.now()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	var saved app.Connection
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id := newID()
		tok := s.seal.sealTokens(connectionOwner(id), c.Tokens)
		res, err := tx.ExecContext(ctx, `
			INSERT INTO connections (id, portal_id, realm_id, company_name, country, currency, time_zone,
				custom_txn_numbers, multi_currency, state, access_token, refresh_token, access_expires_at,
				refresh_expires_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			ON CONFLICT (portal_id, realm_id) DO NOTHING`,
			id, c.PortalID, c.RealmID, c.CompanyName, c.Country, c.Currency, c.TimeZone,
			c.CustomTxnNumbers, c.MultiCurrency, string(c.State), tok.access, tok.refresh,
			formatTime(c.Tokens.AccessExpiresAt), formatTime(c.Tokens.RefreshExpiresAt),
			formatTime(c.CreatedAt), formatTime(now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			// The realm is already connected: update that row, under its
			// own id, which the tokens' additional data must name.
			if err := tx.QueryRowContext(ctx,
				`SELECT id FROM connections WHERE portal_id = $1 AND realm_id = $2`,
				c.PortalID, c.RealmID).Scan(&id); err != nil {
				return err
			}
			tok = s.seal.sealTokens(connectionOwner(id), c.Tokens)
			if _, err := tx.ExecContext(ctx, `
				UPDATE connections SET company_name = $2, country = $3, currency = $4, time_zone = $5,
					custom_txn_numbers = $6, multi_currency = $7, state = $8, access_token = $9,
					refresh_token = $10, access_expires_at = $11, refresh_expires_at = $12, updated_at = $13
				WHERE id = $1`,
				id, c.CompanyName, c.Country, c.Currency, c.TimeZone,
				c.CustomTxnNumbers, c.MultiCurrency, string(c.State), tok.access, tok.refresh,
				formatTime(c.Tokens.AccessExpiresAt), formatTime(c.Tokens.RefreshExpiresAt),
				formatTime(now)); err != nil {
				return err
			}
		}
		saved, err = s.scanConnection(tx.QueryRowContext(ctx,
			`SELECT `+connectionColumns+` FROM connections WHERE id = $1`, id))
		return err
	})
	if err != nil {
		return app.Connection{}, fmt.Errorf("store: save connection of portal %d to realm %s: %w", c.PortalID, c.RealmID, err)
	}
	return saved, nil
}

// Connections lists a portal's connections, oldest first.
func (s *Store) Connections(ctx context.Context, portalID int64) ([]app.Connection, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+connectionColumns+` FROM connections
		WHERE portal_id = $1 ORDER BY created_at, seq`, portalID)
	if err != nil {
		return nil, fmt.Errorf("store: list connections of portal %d: %w", portalID, err)
	}
	defer rows.Close()
	cs := []app.Connection{}
	for rows.Next() {
		c, err := s.scanConnection(rows)
		if err != nil {
			return nil, fmt.Errorf("store: list connections of portal %d: %w", portalID, err)
		}
		cs = append(cs, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: list connections of portal %d: %w", portalID, err)
	}
	return cs, nil
}

// Connection returns one of the portal's connections; NotFound when it does
// not exist or belongs to another portal.
func (s *Store) Connection(ctx context.Context, portalID int64, id string) (app.Connection, error) {
	c, err := s.scanConnection(s.read.QueryRowContext(ctx, `SELECT `+connectionColumns+` FROM connections
		WHERE portal_id = $1 AND id = $2`, portalID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return app.Connection{}, errConnectionNotFound()
	}
	if err != nil {
		return app.Connection{}, fmt.Errorf("store: read connection %s: %w", id, err)
	}
	return c, nil
}

// SaveTokens replaces a connection's tokens and sets its UpdatedAt;
// NotFound if it is gone.
func (s *Store) SaveTokens(ctx context.Context, connectionID string, t app.Tokens) error {
	tok := s.seal.sealTokens(connectionOwner(connectionID), t)
	res, err := s.db.ExecContext(ctx, `
		UPDATE connections SET access_token = $2, refresh_token = $3,
			access_expires_at = $4, refresh_expires_at = $5, updated_at = $6
		WHERE id = $1`,
		connectionID, tok.access, tok.refresh,
		formatTime(t.AccessExpiresAt), formatTime(t.RefreshExpiresAt), formatTime(s.now()))
	if err != nil {
		return fmt.Errorf("store: save tokens of connection %s: %w", connectionID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: save tokens of connection %s: %w", connectionID, err)
	}
	if n == 0 {
		return errConnectionNotFound()
	}
	return nil
}

// scanConnection reads one row of connectionColumns and decrypts its tokens.
func (s *Store) scanConnection(row scanner) (app.Connection, error) {
	var c app.Connection
	var state string
	var tok sealedTokens
	if err := row.Scan(&c.ID, &c.PortalID, &c.RealmID, &c.CompanyName, &c.Country, &c.Currency, &c.TimeZone,
		&c.CustomTxnNumbers, &c.MultiCurrency, &state, &tok.access, &tok.refresh,
		timeColumn{&c.Tokens.AccessExpiresAt}, timeColumn{&c.Tokens.RefreshExpiresAt},
		timeColumn{&c.CreatedAt}, timeColumn{&c.UpdatedAt}); err != nil {
		return app.Connection{}, err
	}
	c.State = app.ConnectionState(state)
	if err := s.seal.openTokens(connectionOwner(c.ID), tok, &c.Tokens); err != nil {
		return app.Connection{}, err
	}
	return c, nil
}
