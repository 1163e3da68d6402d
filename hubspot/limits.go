package hubspot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/ratelimit"
)

// Defaults of the client-side rate limits (reference/hubspot.md 4.5).
const (
	DefaultRateLimit       = 110 // requests per DefaultRateWindow per portal, for OAuth apps
	DefaultRateWindow      = 10 * time.Second
	DefaultSearchPerSecond = 5 // CRM search requests per second, outside the window
)

// rateLimiter keeps HubSpot's per-portal limits (reference 4.5): limit
// requests per rolling window (110 per 10 s for an OAuth app, counted per
// installing account), and for CRM search, which that window leaves out,
// searchLimit per second. A data call waits for room before it is sent,
// bounded by its context, so HubSpot has no reason to answer 429; one that
// still comes is retried as retry.go says. The budgets are kept by a
// ratelimit.Limiter: this process's (ratelimit.Local) or every replica's
// (ratelimit.Shared over Redis), per Config.Limiter.
//
// Background calls (app.WithBackgroundPriority: the historical import)
// also draw on a budget of their own. While reps use the portal (a
// foreground call in the last window, on this replica) it is a tenth
// smaller than the window, so a rep's card is never queued behind an
// import that uses the rest; while nobody does, it is the whole window, so
// an import alone goes at HubSpot's full rate. Background calls are always
// counted there, so the tenth is free again within one window of a rep's
// first call.
type rateLimiter struct {
	lim            ratelimit.Limiter
	limit, reserve int
	window         time.Duration
	searchLimit    int
	now            func() time.Time

	mu sync.Mutex
	// portals maps the access tokens newCall used to their portal, so a
	// request is counted against its portal's budget whatever token it
	// carries; a token not seen there has a budget of its own, named by
	// its hash (the limiter's keys may be stored in Redis).
	portals map[string]int64
	recent  map[int64][]string // each portal's last tokens, to forget older ones
	// foreground is when each budget last saw a call that was not
	// background work.
	foreground map[string]time.Time
}

// newRateLimiter returns nil when both limits are off.
func newRateLimiter(lim ratelimit.Limiter, limit int, window time.Duration, searchLimit int) *rateLimiter {
	if limit <= 0 && searchLimit <= 0 {
		return nil
	}
	reserve := 0
	if limit >= 10 {
		reserve = limit / 10
	}
	return &rateLimiter{lim: lim, limit: limit, reserve: reserve, window: window, searchLimit: searchLimit, now: time.Now,
		portals: map[string]int64{}, recent: map[int64][]string{}, foreground: map[string]time.Time{}}
}

// sawForeground records a foreground call against key's budget.
func (l *rateLimiter) sawForeground(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.foreground) >= 10_000 { // keep the map to the budgets in use
		for k, at := range l.foreground {
			if now.Sub(at) > l.window {
				delete(l.foreground, k)
			}
		}
	}
	l.foreground[key] = now
}

// backgroundBudget is what background work may use of key's window: all of
// it unless a foreground call was seen within the last window.
func (l *rateLimiter) backgroundBudget(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if at, ok := l.foreground[key]; ok && l.now().Sub(at) <= l.window {
		return l.limit - l.reserve
	}
	return l.limit
}

// bind records that token is portal's.
func (l *rateLimiter) bind(token string, portal int64) {
	if l == nil || token == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.portals[token]; ok {
		return
	}
	l.portals[token] = portal
	toks := append(l.recent[portal], token)
	if len(toks) > 2 {
		delete(l.portals, toks[0])
		toks = toks[1:]
	}
	l.recent[portal] = toks
}

// keyFor names the budget a request with token counts against.
func (l *rateLimiter) keyFor(token string) string {
	l.mu.Lock()
	p, ok := l.portals[token]
	l.mu.Unlock()
	if ok {
		return "hs:" + strconv.FormatInt(p, 10)
	}
	sum := sha256.Sum256([]byte(token))
	return "hs:token:" + hex.EncodeToString(sum[:12])
}

// acquire waits until a request with token may be sent; release must be
// called when its answer has arrived. It fails only with ctx's error.
func (l *rateLimiter) acquire(ctx context.Context, token string, search, background bool) (release func(), err error) {
	key := l.keyFor(token)
	if search {
		if l.searchLimit <= 0 {
			return func() {}, nil
		}
		return l.lim.Acquire(ctx, key+":search", ratelimit.Budget{Requests: l.searchLimit, Per: time.Second})
	}
	if l.limit <= 0 {
		return func() {}, nil
	}
	window := ratelimit.Budget{Requests: l.limit, Per: l.window}
	if !background || l.reserve == 0 {
		if !background {
			l.sawForeground(key)
		}
		return l.lim.Acquire(ctx, key, window)
	}
	freeBackground, err := l.lim.Acquire(ctx, key+":background", ratelimit.Budget{Requests: l.backgroundBudget(key), Per: l.window})
	if err != nil {
		return nil, err
	}
	free, err := l.lim.Acquire(ctx, key, window)
	if err != nil {
		freeBackground()
		return nil, err
	}
	return func() { free(); freeBackground() }, nil
}

// limitedTransport waits for the rate limiter before each request that
// carries a bearer token (data calls; OAuth's form posts carry none). The
// wait is not part of an attempt's time: the caller's http.Client.Timeout
// moves here (timeout) and starts once the request may go, so a request
// that waited for the window still gets its whole time with HubSpot.
type limitedTransport struct {
	next    http.RoundTripper
	lim     *rateLimiter
	timeout time.Duration // per attempt, from the request's sending; 0: none
}

func (t *limitedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	token, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer ")
	if ok && token != "" {
		search := strings.HasSuffix(req.URL.Path, "/search")
		release, err := t.lim.acquire(req.Context(), token, search, app.BackgroundPriority(req.Context()))
		if err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, err
		}
		defer release()
	}
	if t.timeout <= 0 {
		return t.next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// cancelOnClose ends an attempt's timeout once its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (c *cancelOnClose) Close() error {
	err := c.ReadCloser.Close()
	c.cancel()
	return err
}
