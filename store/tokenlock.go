package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Refreshing tokens under a lock every process respects (app.TokenStore,
// app.PortalTokenStore). QBO rotates the refresh token on every refresh and
// the old one dies, so two replicas refreshing one connection at once would
// leave one of them holding a dead token. On PostgreSQL the lock is the
// credential's row, taken with SELECT ... FOR UPDATE in a transaction held
// across the call to the provider: a second replica waits on the row, then
// reads the tokens the first one stored and uses them. A row lock blocks no
// reader and no other credential. On SQLite, whose file one process serves,
// the lock is a mutex per credential in this Store, and no transaction is
// held across the call (that would stop every write for its length).

// tokenOwner says where one credential's tokens live.
type tokenOwner struct {
	table   string // connections or portals
	id      any    // the row's id
	owner   string // the additional data prefix of its sealed tokens
	refused string // the state a refused refresh token leaves the row in
	usable  string // the state in which a refusal marks the row
	what    string // for errors: "connection c1", "portal 42"
}

func connectionTokens(id string) tokenOwner {
	return tokenOwner{table: "connections", id: id, owner: connectionOwner(id),
		refused: string(app.NeedsReconnect), usable: string(app.Connected), what: "connection " + id}
}

func portalTokens(id int64) tokenOwner {
	return tokenOwner{table: "portals", id: id, owner: portalOwner(id),
		refused: string(app.PortalNeedsReinstall), usable: string(app.PortalInstalled),
		what: "portal " + strconv.FormatInt(id, 10)}
}

// RefreshTokens implements app.TokenStore.
func (s *Store) RefreshTokens(ctx context.Context, connectionID string, refresh app.RefreshFunc) (app.Tokens, error) {
	return s.refreshLocked(ctx, connectionTokens(connectionID), refresh)
}

// RefreshPortalTokens implements app.PortalTokenStore.
func (s *Store) RefreshPortalTokens(ctx context.Context, portalID int64, refresh app.RefreshFunc) (app.Tokens, error) {
	return s.refreshLocked(ctx, portalTokens(portalID), refresh)
}

var (
	_ app.TokenStore       = (*Store)(nil)
	_ app.PortalTokenStore = (*Store)(nil)
)

// refreshLocked runs refresh holding o's lock and applies its answer before
// releasing it: changed tokens are stored; a refused refresh token erases
// the tokens and marks the row (only from its usable state, so a
// disconnected connection stays disconnected).
func (s *Store) refreshLocked(ctx context.Context, o tokenOwner, refresh app.RefreshFunc) (app.Tokens, error) {
	var t app.Tokens
	var rerr error
	apply := func(q querier) error {
		stored, was, err := s.readTokens(ctx, q, o)
		if err != nil {
			return err
		}
		t, rerr = refresh(ctx, stored)
		switch {
		case app.ErrorCode(rerr) == app.NotConnected && stored.Refresh != "" && was.state == o.usable:
			return s.writeTokens(ctx, q, o, was, app.Tokens{}, o.refused)
		case rerr != nil || t == stored:
			return nil
		}
		return s.writeTokens(ctx, q, o, was, t, "")
	}
	var err error
	if s.dialect == postgres {
		// Each locked refresh holds a pooled connection while the provider
		// answers: cap them well below the pool, so a slow provider slows
		// refreshes and never starves the card's queries.
		select {
		case s.refreshSlots <- struct{}{}:
		case <-ctx.Done():
			return app.Tokens{}, fmt.Errorf("store: refresh tokens of %s: %w", o.what, ctx.Err())
		}
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			// A replica that vanishes mid-refresh must not keep the row
			// locked until TCP gives up.
			if _, err := tx.ExecContext(ctx, `SET LOCAL idle_in_transaction_session_timeout = '90s'`); err != nil {
				return err
			}
			return apply(tx)
		})
		<-s.refreshSlots
	} else {
		unlock := s.tokenLocks.lock(o.owner)
		err = apply(s.db)
		unlock()
	}
	if err != nil {
		return app.Tokens{}, fmt.Errorf("store: refresh tokens of %s: %w", o.what, err)
	}
	return t, rerr
}

// querier is a *sql.Tx or *sql.DB.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// rowVersion is what a refresh read of a row, to write only if it is
// unchanged: the sealed refresh token (a fresh nonce on every save, so
// equal bytes mean the same save) and the state.
type rowVersion struct {
	refresh []byte
	state   string
}

// errChangedMeanwhile: the row changed between the refresh's read and its
// write (a reconnect or disconnect on SQLite, which holds no row lock);
// the caller tries again and finds the new tokens.
var errChangedMeanwhile = errors.New("the tokens changed while they were being refreshed")

// readTokens reads o's tokens and state, locking the row on PostgreSQL
// (FOR NO KEY UPDATE: other writers of the row wait; rows that merely
// reference it do not).
func (s *Store) readTokens(ctx context.Context, q querier, o tokenOwner) (app.Tokens, rowVersion, error) {
	query := `SELECT access_token, refresh_token, access_expires_at, refresh_expires_at, state
		FROM ` + o.table + ` WHERE id = $1`
	if s.dialect == postgres {
		query += ` FOR NO KEY UPDATE`
	}
	var t app.Tokens
	var tok sealedTokens
	var was rowVersion
	err := q.QueryRowContext(ctx, query, o.id).Scan(&tok.access, &tok.refresh,
		timeColumn{&t.AccessExpiresAt}, timeColumn{&t.RefreshExpiresAt}, &was.state)
	if errors.Is(err, sql.ErrNoRows) {
		return app.Tokens{}, rowVersion{}, app.Errorf(app.NotFound, "The %s is gone.", o.what)
	}
	if err != nil {
		return app.Tokens{}, rowVersion{}, err
	}
	if err := s.seal.openTokens(o.owner, tok, &t); err != nil {
		return app.Tokens{}, rowVersion{}, err
	}
	was.refresh = tok.refresh
	return t, was, nil
}

// writeTokens stores o's tokens, and its state when state is not empty,
// only if the row is still as read (was).
func (s *Store) writeTokens(ctx context.Context, q querier, o tokenOwner, was rowVersion, t app.Tokens, state string) error {
	tok := s.seal.sealTokens(o.owner, t)
	set := `access_token = $2, refresh_token = $3, access_expires_at = $4, refresh_expires_at = $5,
		state = CASE WHEN $6 = '' THEN state ELSE $6 END`
	args := []any{o.id, tok.access, tok.refresh, formatTime(t.AccessExpiresAt), formatTime(t.RefreshExpiresAt), state,
		was.refresh, was.state}
	if o.table == "connections" { // portals keep no updated_at
		set += `, updated_at = $9`
		args = append(args, formatTime(s.now()))
	}
	res, err := q.ExecContext(ctx, `UPDATE `+o.table+` SET `+set+`
		WHERE id = $1 AND refresh_token = $7 AND state = $8`, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errChangedMeanwhile
	}
	return nil
}

// keyedMutex is one mutex per key, dropped when unused.
type keyedMutex struct {
	mu   sync.Mutex
	keys map[string]*keyedEntry
}

type keyedEntry struct {
	mu    sync.Mutex
	users int
}

func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.keys == nil {
		k.keys = map[string]*keyedEntry{}
	}
	e := k.keys[key]
	if e == nil {
		e = &keyedEntry{}
		k.keys[key] = e
	}
	e.users++
	k.mu.Unlock()
	e.mu.Lock()
	return func() {
		e.mu.Unlock()
		k.mu.Lock()
		if e.users--; e.users == 0 {
			delete(k.keys, key)
		}
		k.mu.Unlock()
	}
}

// maxLockedRefreshes is how many token refreshes one process runs at once
// under PostgreSQL row locks: a third of the pool (25), the rest left to
// everything else.
const maxLockedRefreshes = 8
