package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

func portalOwner(id int64) string { return "portal:" + strconv.FormatInt(id, 10) }

// SavePortal creates or updates a portal. A zero InstalledAt means now for
// a new portal and "unchanged" for an existing one.
func (s *Store) SavePortal(ctx context.Context, p app.Portal) error {
	if p.ID <= 0 {
		return fmt.Errorf("store: save portal: invalid portal id %d", p.ID)
	}
	if p.State == "" {
		p.State = app.PortalInstalled
	}
	keepInstalled := p.InstalledAt.IsZero()
	if keepInstalled {
		p.InstalledAt = s.now()
	}
	tok := s.seal.sealTokens(portalOwner(p.ID), p.Tokens)
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO portals (id, currency, time_zone, access_token, refresh_token,
			access_expires_at, refresh_expires_at, installed_at, state)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $10)
		ON CONFLICT (id) DO UPDATE SET
			state = excluded.state,
			currency = excluded.currency,
			time_zone = excluded.time_zone,
			access_token = excluded.access_token,
			refresh_token = excluded.refresh_token,
			access_expires_at = excluded.access_expires_at,
			refresh_expires_at = excluded.refresh_expires_at,
			installed_at = CASE WHEN $9 THEN portals.installed_at ELSE excluded.installed_at END`,
		p.ID, p.Currency, p.TimeZone, tok.access, tok.refresh,
		formatTime(p.Tokens.AccessExpiresAt), formatTime(p.Tokens.RefreshExpiresAt),
		formatTime(p.InstalledAt), keepInstalled, string(p.State))
	if err != nil {
		return fmt.Errorf("store: save portal %d: %w", p.ID, err)
	}
	return nil
}

// SavePortalTokens implements app.PortalTokenStore: it replaces only the
// portal's token columns, encrypted as SavePortal does; NotFound if the
// portal never installed.
func (s *Store) SavePortalTokens(ctx context.Context, portalID int64, t app.Tokens) error {
	tok := s.seal.sealTokens(portalOwner(portalID), t)
	res, err := s.db.ExecContext(ctx, `
		UPDATE portals SET access_token = $2, refresh_token = $3,
			access_expires_at = $4, refresh_expires_at = $5
		WHERE id = $1`,
		portalID, tok.access, tok.refresh,
		formatTime(t.AccessExpiresAt), formatTime(t.RefreshExpiresAt))
	if err != nil {
		return fmt.Errorf("store: save tokens of portal %d: %w", portalID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: save tokens of portal %d: %w", portalID, err)
	}
	if n == 0 {
		return app.Errorf(app.NotFound, "HubSpot account %d has not installed the app.", portalID)
	}
	return nil
}

// Portal returns one portal; NotFound if it never installed.
func (s *Store) Portal(ctx context.Context, id int64) (app.Portal, error) {
	p := app.Portal{ID: id}
	var tok sealedTokens
	var state string
	err := s.read.QueryRowContext(ctx, `
		SELECT state, currency, time_zone, access_token, refresh_token,
			access_expires_at, refresh_expires_at, installed_at
		FROM portals WHERE id = $1`, id).Scan(
		&state, &p.Currency, &p.TimeZone, &tok.access, &tok.refresh,
		timeColumn{&p.Tokens.AccessExpiresAt}, timeColumn{&p.Tokens.RefreshExpiresAt},
		timeColumn{&p.InstalledAt})
	if errors.Is(err, sql.ErrNoRows) {
		return app.Portal{}, app.Errorf(app.NotFound, "HubSpot account %d has not installed the app.", id)
	}
	if err != nil {
		return app.Portal{}, fmt.Errorf("store: read portal %d: %w", id, err)
	}
	if err := s.seal.openTokens(portalOwner(id), tok, &p.Tokens); err != nil {
		return app.Portal{}, fmt.Errorf("store: read portal %d: %w", id, err)
	}
	p.State = app.PortalState(state)
	return p, nil
}
