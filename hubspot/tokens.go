package hubspot

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
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
//   - new tokens are handed to app.PortalTokenSaver before anyone uses
//     them; if saving fails the call fails, and the next refresh retries
//     the save of the same tokens instead of spending the refresh token
//     again;
//   - a refresh token HubSpot refused (400 BAD_REFRESH_TOKEN) is not offered
//     again: NotConnected, "reinstall the app".
//
// The refresh runs on a context detached from the caller's cancellation
// (bounded by refreshTimeout), so a caller that gives up cannot leave new
// tokens unsaved; the caller stops waiting when its context ends. Close
// waits for refreshes in flight. Across replicas two refreshes may race;
// HubSpot keeps the refresh token, so both succeed.

const (
	// expirySkew: an access token expiring sooner than this is refreshed
	// before use.
	expirySkew = 60 * time.Second
	// refreshTimeout bounds one refresh, saving included.
	refreshTimeout = 30 * time.Second
	// maxRetired bounds the fingerprints of replaced access tokens kept per
	// portal.
	maxRetired = 16
)

const msgReinstall = "HubSpot refused this app's access; reinstall the app."

// errNoSaver is the save error of a Client built without a saver: it uses
// the tokens it is given but never refreshes them.
var errNoSaver = errors.New("hubspot: no PortalTokenSaver was given to New")

type fingerprint [sha256.Size]byte

func fingerprintOf(token string) fingerprint { return sha256.Sum256([]byte(token)) }

// portalTokens is one portal's token state.
type portalTokens struct {
	mu      sync.Mutex
	cur     app.Tokens
	known   bool
	retired []fingerprint // access tokens this process replaced, oldest first
	refused *fingerprint  // the refresh token HubSpot last refused
	pending *pendingTokens
	flight  *flight
}

// pendingTokens are tokens HubSpot issued whose saving failed.
type pendingTokens struct {
	from   fingerprint // the access token they replace
	tokens app.Tokens
}

// flight is one refresh in progress; done is closed when tokens and err
// are set.
type flight struct {
	done   chan struct{}
	tokens app.Tokens
	err    error
}

func (c *Client) portalState(id int64) *portalTokens {
	v, _ := c.tokens.LoadOrStore(id, &portalTokens{})
	return v.(*portalTokens)
}

// adopt merges the tokens a caller holds into the state (s.mu held).
func (s *portalTokens) adopt(t app.Tokens) {
	switch {
	case !s.known:
		s.cur, s.known = t, true
	case t.Access == s.cur.Access:
	case t.Access == "" || s.isRetired(t.Access):
		// The caller's tokens are older than ours.
	default:
		// Tokens this process never saw: a reinstall or another replica.
		s.cur, s.pending = t, nil
	}
}

func (s *portalTokens) isRetired(access string) bool {
	fp := fingerprintOf(access)
	for _, r := range s.retired {
		if r == fp {
			return true
		}
	}
	return false
}

func (s *portalTokens) retire(access string) {
	s.retired = append(s.retired, fingerprintOf(access))
	if len(s.retired) > maxRetired {
		s.retired = s.retired[len(s.retired)-maxRetired:]
	}
}

// expired reports whether t's access token must be refreshed before use.
// A zero expiry is a private-app token, which never expires.
func (c *Client) expired(t app.Tokens) bool {
	return !t.AccessExpiresAt.IsZero() && t.AccessExpiresAt.Before(c.now().Add(expirySkew))
}

// accessToken returns the tokens to call portal with, refreshing first when
// the access token has expired.
func (c *Client) accessToken(ctx context.Context, portal app.Portal) (app.Tokens, error) {
	s := c.portalState(portal.ID)
	s.mu.Lock()
	s.adopt(portal.Tokens)
	t := s.cur
	s.mu.Unlock()
	if !c.expired(t) {
		return t, nil
	}
	return c.refresh(ctx, portal, t.Access)
}

// refresh returns tokens newer than the access token stale: the newest
// known ones if another caller already replaced stale, else those of a
// refresh, shared with every concurrent caller.
func (c *Client) refresh(ctx context.Context, portal app.Portal, stale string) (app.Tokens, error) {
	s := c.portalState(portal.ID)
	s.mu.Lock()
	s.adopt(portal.Tokens)
	if s.cur.Access != stale && !c.expired(s.cur) {
		t := s.cur
		s.mu.Unlock()
		return t, nil
	}
	f := s.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		s.flight = f
		c.startRefresh()
		go func() {
			defer c.endRefresh()
			c.runRefresh(context.WithoutCancel(ctx), portal.ID, s, f)
		}()
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.tokens, f.err
	case <-ctx.Done():
		cl := call{op: "POST /oauth/v1/token", noun: "refresh token", verb: "refresh", portal: portal.ID}
		return app.Tokens{}, classify(cl, &failure{APIError: &APIError{Op: cl.op, PortalID: portal.ID, Err: ctx.Err()}})
	}
}

// runRefresh carries out one flight: exchange the refresh token (or reuse
// tokens whose saving failed), save, then publish.
func (c *Client) runRefresh(ctx context.Context, portalID int64, s *portalTokens, f *flight) {
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	s.mu.Lock()
	old, pending, refused := s.cur, s.pending, s.refused
	s.mu.Unlock()
	oldFP := fingerprintOf(old.Access)

	var (
		next      app.Tokens
		err       error
		exchanged bool
	)
	switch {
	case pending != nil && pending.from == oldFP:
		next = pending.tokens
	case old.Refresh == "" || refused != nil && *refused == fingerprintOf(old.Refresh):
		err = app.Errorf(app.NotConnected, msgReinstall)
	default:
		next, err = c.exchangeRefresh(ctx, portalID, old.Refresh)
		exchanged = err == nil
	}
	saveFailed := false
	if err == nil {
		serr := errNoSaver
		if c.saver != nil {
			serr = c.saver.SavePortalTokens(ctx, portalID, next)
		}
		if serr != nil {
			saveFailed = true
			err = fmt.Errorf("hubspot: save the refreshed tokens of portal %d: %w", portalID, serr)
			c.log.WarnContext(ctx, "hubspot: saving refreshed tokens failed; keeping them for the next try",
				"portal", portalID, "err", serr)
		}
	}

	s.mu.Lock()
	switch {
	case err == nil:
		s.retire(old.Access)
		if s.cur.Access == old.Access { // no reinstall meanwhile
			s.cur = next
		}
		s.pending = nil
		f.tokens = next
		c.log.InfoContext(ctx, "hubspot: tokens refreshed", "portal", portalID, "exchanged", exchanged)
	case saveFailed:
		s.pending = &pendingTokens{from: oldFP, tokens: next}
	case app.ErrorCode(err) == app.NotConnected && old.Refresh != "":
		fp := fingerprintOf(old.Refresh)
		s.refused = &fp
	}
	f.err = err
	s.flight = nil
	s.mu.Unlock()
	close(f.done)
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
func (c *Client) Close(ctx context.Context) error {
	for {
		c.inflight.Lock()
		n, idle := c.running, c.idle
		c.inflight.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-idle:
		case <-ctx.Done():
			return fmt.Errorf("hubspot: token refreshes still running at shutdown: %w", ctx.Err())
		}
	}
}

func (c *Client) startRefresh() {
	c.inflight.Lock()
	defer c.inflight.Unlock()
	if c.running == 0 {
		c.idle = make(chan struct{})
	}
	c.running++
}

func (c *Client) endRefresh() {
	c.inflight.Lock()
	defer c.inflight.Unlock()
	c.running--
	if c.running == 0 {
		close(c.idle)
	}
}
