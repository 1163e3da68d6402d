package quickbooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	qb "github.com/rwestlund/quickbooks-go"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/tokenflight"
)

// Tokens (reference section 6). An access token lives an hour; each refresh
// may rotate the refresh token, and the old one must be assumed dead at
// once. So, per connection and in this process:
//
//   - the newest tokens are kept in memory, and a caller holding tokens this
//     process already replaced gets the newest instead; tokens never seen
//     here (a reconnect, another replica's refresh) replace them;
//   - one refresh runs at a time, and concurrent callers share its result;
//   - rotated tokens are handed to app.TokenStore before anyone uses them;
//     if saving fails the call fails, and the next refresh retries the save
//     of the same tokens instead of spending the refresh token again;
//   - a refresh token QBO refused (invalid_grant) is not offered again.
//
// The refresh runs on a context detached from the caller's cancellation
// (bounded by refreshTimeout), so a caller that gives up cannot leave QBO
// rotated and the new tokens unsaved; the caller itself stops waiting when
// its context ends.
//
// Across replicas, the refresh runs under the connection's lock in the
// store (app.TokenStore.RefreshTokens), which first hands it the stored
// tokens: a replica that finds tokens another one stored uses them and does
// not call Intuit. A refresh token Intuit refuses turns the connection to
// needs_reconnect with its tokens erased, so the card offers "Reconnect
// QuickBooks" and no replica offers the dead token again.

// The mechanism (memory, single flight, save before use, refused tokens)
// is internal/tokenflight's, shared with the other adapter; this file
// supplies what is QBO's own: when tokens expire and how to refresh them.

const (
	// expirySkew: an access token expiring sooner than this is refreshed
	// before use.
	expirySkew = 60 * time.Second
	// refreshTimeout bounds one refresh, saving included.
	refreshTimeout = 30 * time.Second
)

// newKeeper builds the token keeper of c: QBO rotates refresh tokens, so a
// generation of tokens is named by its refresh token.
func (c *Client) newKeeper() *tokenflight.Keeper {
	k := &tokenflight.Keeper{
		Name:       "quickbooks",
		Generation: func(t app.Tokens) string { return t.Refresh },
		Expired:    c.expired,
		Exchange:   func(ctx context.Context, _, refresh string) (app.Tokens, error) { return c.exchange(ctx, refresh) },
		Refused:    app.Errorf(app.NotConnected, msgReconnect),
		Timeout:    refreshTimeout,
		// Tokens Intuit rotated and the store refused live only here:
		// store them again soon (200 ms, 1 s, 3 s by default).
		SaveRetries: []time.Duration{c.cfg.RetryBase, 5 * c.cfg.RetryBase, 15 * c.cfg.RetryBase},
		Logger:      c.log,
	}
	if c.saver != nil {
		k.Save = c.saver.SaveTokens
		k.Lock = func(ctx context.Context, id string, refresh func(context.Context, app.Tokens) (app.Tokens, error)) (app.Tokens, error) {
			return c.saver.RefreshTokens(ctx, id, refresh)
		}
	}
	return k
}

// expired reports whether t's access token must be refreshed before use. A
// zero expiry is unknown: the token is used, and a 401 refreshes it.
func (c *Client) expired(t app.Tokens) bool {
	return t.Access == "" || !t.AccessExpiresAt.IsZero() && t.AccessExpiresAt.Before(c.now().Add(expirySkew))
}

// accessToken returns the tokens to call with for conn, refreshing first
// when the access token has expired.
func (c *Client) accessToken(ctx context.Context, conn app.Connection) (app.Tokens, error) {
	t, err := c.keeper.Current(ctx, conn.ID, conn.Tokens)
	return t, c.refreshError(ctx, err)
}

// refresh returns tokens newer than the access token stale (see
// tokenflight.Keeper.Refresh).
func (c *Client) refresh(ctx context.Context, conn app.Connection, stale string) (app.Tokens, error) {
	t, err := c.keeper.Refresh(ctx, conn.ID, conn.Tokens, stale)
	return t, c.refreshError(ctx, err)
}

// refreshError classifies a caller that stopped waiting for a refresh.
func (c *Client) refreshError(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return contextError(ctx, &UpstreamError{Op: "POST " + c.tokenPath()})
	}
	return err
}

// exchange spends refreshToken at the token endpoint (reference 6: POST,
// HTTP Basic client credentials, grant_type=refresh_token) and returns the
// new tokens, keeping refreshToken if none comes back. The library's
// RefreshToken is not used: it posts with a fresh default client, no
// context, returns the raw body as the error and replaces Client.Client
// unsynchronised (reference 8, defects 1, 3, 4). Its BearerToken type
// decodes the answer correctly and is used.
func (c *Client) exchange(ctx context.Context, refreshToken string) (app.Tokens, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshToken}}.Encode()
	op := "POST " + c.tokenPath()
	for attempt, retries := 1, 0; ; attempt++ {
		resp, body, err := c.postToken(ctx, op, form)
		err = classifyToken(resp, body, err)
		if err == nil {
			var bt qb.BearerToken
			if derr := json.Unmarshal(body, &bt); derr != nil || bt.AccessToken == "" {
				if derr == nil {
					derr = fmt.Errorf("no access_token")
				}
				return app.Tokens{}, undecodable(op, derr)
			}
			return c.tokensFrom(bt, refreshToken), nil
		}
		ue := upstream(err)
		ue.Op, ue.Attempts = op, attempt
		if werr := c.retryWait(ctx, err, resp, &retries, true); werr != nil {
			return app.Tokens{}, werr
		}
	}
}

func (c *Client) postToken(ctx context.Context, op, form string) (*http.Response, []byte, error) {
	return c.postForm(ctx, c.cfg.TokenURL, op, form)
}

// tokensFrom converts the token endpoint's answer, stamping expiries from
// the clock.
func (c *Client) tokensFrom(bt qb.BearerToken, spent string) app.Tokens {
	now := c.now()
	t := app.Tokens{Access: bt.AccessToken, Refresh: bt.RefreshToken}
	if t.Refresh == "" {
		t.Refresh = spent
	}
	if bt.ExpiresIn > 0 {
		t.AccessExpiresAt = now.Add(time.Duration(bt.ExpiresIn) * time.Second)
	}
	if bt.XRefreshTokenExpiresIn > 0 {
		t.RefreshExpiresAt = now.Add(time.Duration(bt.XRefreshTokenExpiresIn) * time.Second)
	}
	return t
}

func (c *Client) tokenPath() string {
	if u, err := url.Parse(c.cfg.TokenURL); err == nil {
		return u.Path
	}
	return "token endpoint"
}
