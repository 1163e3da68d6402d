package quickbooks

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	qb "github.com/rwestlund/quickbooks-go"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Tokens (reference section 6). An access token lives an hour; each refresh
// may rotate the refresh token, and the old one must be assumed dead at
// once. So, per connection and in this process:
//
//   - the newest tokens are kept in memory, and a caller holding tokens this
//     process already replaced gets the newest instead; tokens never seen
//     here (a reconnect, another replica's refresh) replace them;
//   - one refresh runs at a time, and concurrent callers share its result;
//   - rotated tokens are handed to app.TokenSaver before anyone uses them;
//     if saving fails the call fails, and the next refresh retries the save
//     of the same tokens instead of spending the refresh token again;
//   - a refresh token QBO refused (invalid_grant) is not offered again.
//
// The refresh runs on a context detached from the caller's cancellation
// (bounded by refreshTimeout), so a caller that gives up cannot leave QBO
// rotated and the new tokens unsaved; the caller itself stops waiting when
// its context ends.
//
// Across replicas two refreshes may still race; the loser gets
// invalid_grant and NotConnected until it is handed the stored tokens. A
// shared lock comes with the Redis issue.

const (
	// expirySkew: an access token expiring sooner than this is refreshed
	// before use.
	expirySkew = 60 * time.Second
	// refreshTimeout bounds one refresh, saving included.
	refreshTimeout = 30 * time.Second
	// maxRetired bounds the fingerprints of replaced refresh tokens kept per
	// connection.
	maxRetired = 16
)

// errNoSaver is the save error of a Client built without a TokenSaver: it
// can use the tokens it is given but never refresh them.
var errNoSaver = errors.New("quickbooks: no TokenSaver was given to New")

type fingerprint [sha256.Size]byte

func fingerprintOf(token string) fingerprint { return sha256.Sum256([]byte(token)) }

// tokenCache holds the token state of each connection, by connection id.
type tokenCache struct {
	mu    sync.Mutex
	conns map[string]*connTokens
}

func newTokenCache() *tokenCache { return &tokenCache{conns: map[string]*connTokens{}} }

func (c *tokenCache) get(connID string) *connTokens {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.conns[connID]
	if s == nil {
		s = &connTokens{}
		c.conns[connID] = s
	}
	return s
}

// connTokens is one connection's token state.
type connTokens struct {
	mu      sync.Mutex
	cur     app.Tokens
	known   bool
	retired []fingerprint // refresh tokens this process replaced, oldest first
	refused *fingerprint  // the refresh token QBO last answered invalid_grant to
	pending *pendingTokens
	flight  *flight
}

// pendingTokens are tokens QBO issued whose saving failed.
type pendingTokens struct {
	from   fingerprint // the refresh token they replace
	tokens app.Tokens
}

// flight is one refresh in progress; done is closed when tokens and err
// are set.
type flight struct {
	done   chan struct{}
	tokens app.Tokens
	err    error
}

// adopt merges the tokens a caller holds into the state (s.mu held).
func (s *connTokens) adopt(t app.Tokens) {
	switch {
	case !s.known:
		s.cur, s.known = t, true
	case t.Refresh == s.cur.Refresh:
		if t.Access != "" && t.AccessExpiresAt.After(s.cur.AccessExpiresAt) {
			s.cur = t
		}
	case t.Refresh == "" || s.isRetired(t.Refresh):
		// The caller's tokens are older than ours.
	default:
		// Tokens this process never saw: a reconnect or another replica.
		s.cur, s.pending = t, nil
	}
}

func (s *connTokens) isRetired(refresh string) bool {
	fp := fingerprintOf(refresh)
	for _, r := range s.retired {
		if r == fp {
			return true
		}
	}
	return false
}

func (s *connTokens) retire(refresh string) {
	s.retired = append(s.retired, fingerprintOf(refresh))
	if len(s.retired) > maxRetired {
		s.retired = s.retired[len(s.retired)-maxRetired:]
	}
}

// expired reports whether t's access token must be refreshed before use. A
// zero expiry is unknown: the token is used, and a 401 refreshes it.
func (c *Client) expired(t app.Tokens) bool {
	return t.Access == "" || !t.AccessExpiresAt.IsZero() && t.AccessExpiresAt.Before(c.now().Add(expirySkew))
}

// accessToken returns the tokens to call with for conn, refreshing first
// when the access token has expired.
func (c *Client) accessToken(ctx context.Context, conn app.Connection) (app.Tokens, error) {
	s := c.tokens.get(conn.ID)
	s.mu.Lock()
	s.adopt(conn.Tokens)
	t := s.cur
	s.mu.Unlock()
	if !c.expired(t) {
		return t, nil
	}
	return c.refresh(ctx, conn, t.Access)
}

// refresh returns tokens newer than the access token stale: the newest
// known ones if another caller already replaced stale, else those of a
// refresh, shared with every concurrent caller.
func (c *Client) refresh(ctx context.Context, conn app.Connection, stale string) (app.Tokens, error) {
	s := c.tokens.get(conn.ID)
	s.mu.Lock()
	s.adopt(conn.Tokens)
	if s.cur.Access != stale && !c.expired(s.cur) {
		t := s.cur
		s.mu.Unlock()
		return t, nil
	}
	f := s.flight
	if f == nil {
		f = &flight{done: make(chan struct{})}
		s.flight = f
		c.refreshing.start()
		go func() {
			defer c.refreshing.done()
			c.runRefresh(context.WithoutCancel(ctx), conn.ID, s, f)
		}()
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.tokens, f.err
	case <-ctx.Done():
		return app.Tokens{}, contextError(ctx, &UpstreamError{Op: "POST " + c.tokenPath()})
	}
}

// runRefresh carries out one flight: exchange the refresh token (or reuse
// tokens whose saving failed), save, then publish.
func (c *Client) runRefresh(ctx context.Context, connID string, s *connTokens, f *flight) {
	ctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	defer cancel()
	s.mu.Lock()
	old, pending, refused := s.cur, s.pending, s.refused
	s.mu.Unlock()
	oldFP := fingerprintOf(old.Refresh)

	var (
		next      app.Tokens
		err       error
		exchanged bool
	)
	switch {
	case pending != nil && pending.from == oldFP:
		next = pending.tokens
	case old.Refresh == "" || refused != nil && *refused == oldFP:
		err = app.Errorf(app.NotConnected, msgReconnect)
	default:
		next, err = c.exchange(ctx, old.Refresh)
		exchanged = err == nil
	}
	saveFailed := false
	if err == nil {
		serr := errNoSaver
		if c.saver != nil {
			serr = c.saver.SaveTokens(ctx, connID, next)
		}
		if serr != nil {
			saveFailed = true
			err = fmt.Errorf("quickbooks: save the rotated tokens of connection %s: %w", connID, serr)
			c.log.WarnContext(ctx, "quickbooks: saving rotated tokens failed; keeping them for the next try",
				"connection", connID, "err", serr)
		}
	}

	s.mu.Lock()
	switch {
	case err == nil:
		if next.Refresh != old.Refresh {
			s.retire(old.Refresh)
		}
		if s.cur.Refresh == old.Refresh { // no reconnect meanwhile
			s.cur = next
		}
		s.pending = nil
		f.tokens = next
		c.log.InfoContext(ctx, "quickbooks: tokens refreshed", "connection", connID, "exchanged", exchanged)
	case saveFailed:
		s.pending = &pendingTokens{from: oldFP, tokens: next}
	case app.ErrorCode(err) == app.NotConnected:
		s.refused = &oldFP
	}
	f.err = err
	s.flight = nil
	s.mu.Unlock()
	close(f.done)
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
