package hubspot

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/tokenflight"
)

// OAuth token refresh (reference/hubspot.md 4.6). An access token lives 30
// minutes; the refresh token, POSTed to /oauth/v1/token with
// grant_type=refresh_token, buys a new one. Per portal and in this process:
//
//   - the newest tokens are kept in memory, and a caller holding tokens this
//     process already replaced gets the newest instead; tokens never seen
//     here (a reinstall, another replica's refresh) replace them;
//   - an access token that has expired or expires within expirySkew is
//     refreshed before use; a zero AccessExpiresAt is a private-app token
//     that never expires and is used as is;
//   - a data call answered 401 refreshes once and is retried once, when the
//     portal has a refresh token;
//   - one refresh runs at a time, and concurrent callers share its result;
//   - new tokens are handed to app.PortalTokenStore before anyone uses
//     them; if saving fails the call fails, and the next refresh retries
//     the save of the same tokens instead of spending the refresh token
//     again;
//   - a refresh token HubSpot refused (400 BAD_REFRESH_TOKEN) is not offered
//     again: NotConnected, "reinstall the app".
//
// The refresh runs on a context detached from the caller's cancellation
// (bounded by refreshTimeout), so a caller that gives up cannot leave new
// tokens unsaved; the caller stops waiting when its context ends. Close
// waits for refreshes in flight. Across replicas, the refresh runs under
// the portal's lock in the store, which first hands it the stored tokens,
// so replicas share one refresh; a refresh token HubSpot refuses marks the
// portal needs_reinstall and erases its tokens.

// The mechanism (memory, single flight, save before use, refused tokens)
// is internal/tokenflight's, shared with the other adapter; this file
// supplies what is HubSpot's own: when tokens expire and how to refresh them.

const (
	// expirySkew: an access token expiring sooner than this is refreshed
	// before use.
	expirySkew = 60 * time.Second
	// refreshTimeout bounds one refresh, saving included.
	refreshTimeout = 30 * time.Second
)

const msgReinstall = "HubSpot refused this app's access; reinstall the app."

// newKeeper builds the token keeper of c: HubSpot keeps refresh tokens and
// issues new access tokens, so a generation is named by its access token.
func (c *Client) newKeeper() *tokenflight.Keeper {
	k := &tokenflight.Keeper{
		Name:       "hubspot",
		Generation: func(t app.Tokens) string { return t.Access },
		Expired:    c.expired,
		Exchange: func(ctx context.Context, id, refresh string) (app.Tokens, error) {
			portalID, _ := strconv.ParseInt(id, 10, 64)
			return c.exchangeRefresh(ctx, portalID, refresh)
		},
		Refused:     app.Errorf(app.NotConnected, msgReinstall),
		Timeout:     refreshTimeout,
		SaveRetries: []time.Duration{c.retryBase / 2, 2 * c.retryBase, 6 * c.retryBase},
		Logger:      c.log,
	}
	if c.saver != nil {
		k.Save = func(ctx context.Context, id string, t app.Tokens) error {
			portalID, _ := strconv.ParseInt(id, 10, 64)
			return c.saver.SavePortalTokens(ctx, portalID, t)
		}
		k.Lock = func(ctx context.Context, id string, refresh func(context.Context, app.Tokens) (app.Tokens, error)) (app.Tokens, error) {
			portalID, _ := strconv.ParseInt(id, 10, 64)
			return c.saver.RefreshPortalTokens(ctx, portalID, refresh)
		}
	}
	return k
}

// expired reports whether t's access token must be refreshed before use.
// A zero expiry is a private-app token, which never expires.
func (c *Client) expired(t app.Tokens) bool {
	return !t.AccessExpiresAt.IsZero() && t.AccessExpiresAt.Before(c.now().Add(expirySkew))
}

// accessToken returns the tokens to call portal with, refreshing first when
// the access token has expired.
func (c *Client) accessToken(ctx context.Context, portal app.Portal) (app.Tokens, error) {
	t, err := c.keeper.Current(ctx, strconv.FormatInt(portal.ID, 10), portal.Tokens)
	return t, c.refreshError(ctx, portal.ID, err)
}

// refresh returns tokens newer than the access token stale (see
// tokenflight.Keeper.Refresh).
func (c *Client) refresh(ctx context.Context, portal app.Portal, stale string) (app.Tokens, error) {
	t, err := c.keeper.Refresh(ctx, strconv.FormatInt(portal.ID, 10), portal.Tokens, stale)
	return t, c.refreshError(ctx, portal.ID, err)
}

// refreshError classifies a caller that stopped waiting for a refresh.
func (c *Client) refreshError(ctx context.Context, portalID int64, err error) error {
	if err == nil || ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
		return err
	}
	cl := call{op: "POST /oauth/v1/token", noun: "refresh token", verb: "refresh", portal: portalID}
	return classify(cl, &failure{APIError: &APIError{Op: cl.op, PortalID: portalID, Err: ctx.Err()}})
}

// exchangeRefresh spends refreshToken at POST /oauth/v1/token with
// grant_type refresh_token, through do's retries and classification. A 400
// BAD_REFRESH_TOKEN (revoked, unknown, uninstalled) is NotConnected.
func (c *Client) exchangeRefresh(ctx context.Context, portalID int64, refreshToken string) (app.Tokens, error) {
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"client_id":     {c.clientID},
		"client_secret": {c.clientSecret},
		"refresh_token": {refreshToken},
	}
	cl := call{op: "POST /oauth/v1/token", noun: "refresh token", verb: "refresh", portal: portalID, token: refreshToken}
	var ans tokenAnswer
	start := c.now()
	var status int
	var category string
	err := c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		resp, err := c.sendJSON(ctx, http.MethodPost, "/oauth/v1/token", "", strings.NewReader(form.Encode()), &ans)
		if resp != nil {
			status = resp.StatusCode
		}
		return resp, err
	})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) {
			category = ae.Category
		}
		if status == http.StatusBadRequest && category == "BAD_REFRESH_TOKEN" {
			return app.Tokens{}, &app.Error{Code: app.NotConnected, Message: msgReinstall, Err: err}
		}
		return app.Tokens{}, err
	}
	if ans.AccessToken == "" {
		return app.Tokens{}, app.Errorf(app.Internal, "HubSpot answered the token refresh without an access token.")
	}
	t := app.Tokens{Access: ans.AccessToken, Refresh: ans.RefreshToken}
	if t.Refresh == "" {
		t.Refresh = refreshToken
	}
	if ans.ExpiresIn > 0 {
		t.AccessExpiresAt = start.Add(time.Duration(ans.ExpiresIn) * time.Second)
	}
	return t, nil
}

// Close waits, until ctx ends, for token refreshes in flight, so their
// tokens are saved before the process exits.
func (c *Client) Close(ctx context.Context) error { return c.keeper.Close(ctx) }
