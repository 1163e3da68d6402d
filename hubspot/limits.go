package hubspot

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Defaults of the client-side rate limits (reference/hubspot.md 4.5).
const (
	DefaultRateLimit       = 110 // requests per DefaultRateWindow per portal, for OAuth apps
	DefaultRateWindow      = 10 * time.Second
	DefaultSearchPerSecond = 5 // CRM search requests per second, outside the window
)

// rateLimiter keeps this process under HubSpot's per-portal limits
// (reference 4.5): limit requests per rolling window (110 per 10 s for an
// OAuth app, counted per installing account), and for CRM search, which
// that window leaves out, searchLimit per second. A data call waits for
// room before it is sent, bounded by its context, so HubSpot has no
// reason to answer 429; one that still comes (another process sharing the
// portal's budget) is retried as retry.go says.
//
// Background calls (app.WithBackgroundPriority: the historical import)
// may fill the window only up to limit less reserve, a tenth of it, so a
// rep's card is not queued behind an import that uses the rest.
//
// Each request is stamped when it is sent and stamped again when its
// answer arrives: HubSpot counts it somewhere in between, so the later
// stamp keeps our window from freeing a place before HubSpot's does.
//
// It is per process, like quickbooks' limiter: replicas should split the
// budget (Config.RateLimit) until a shared limiter lands. Portals are never
// forgotten; each costs at most limit timestamps.
type rateLimiter struct {
	limit, reserve int
	window         time.Duration
	searchLimit    int

	mu      sync.Mutex
	windows map[windowKey]*rollingWindow
	// portals maps the access tokens newCall used to their portal, so a
	// request is counted against its portal's window whatever token it
	// carries; a token not seen there is a window of its own.
	portals map[string]int64
	recent  map[int64][]string // each portal's last tokens, to forget older ones
}

type windowKey struct {
	portal int64
	token  string // when the portal is unknown
	search bool
}

// newRateLimiter returns nil when both limits are off.
func newRateLimiter(limit int, window time.Duration, searchLimit int) *rateLimiter {
	if limit <= 0 && searchLimit <= 0 {
		return nil
	}
	reserve := 0
	if limit >= 10 {
		reserve = limit / 10
	}
	return &rateLimiter{limit: limit, reserve: reserve, window: window, searchLimit: searchLimit,
		windows: map[windowKey]*rollingWindow{}, portals: map[string]int64{}, recent: map[int64][]string{}}
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

// windowFor is the window a request with token counts against.
func (l *rateLimiter) windowFor(token string, search bool) (*rollingWindow, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := windowKey{search: search}
	if p, ok := l.portals[token]; ok {
		k.portal = p
	} else {
		k.token = token
	}
	w := l.windows[k]
	if w == nil {
		w = &rollingWindow{}
		l.windows[k] = w
	}
	if search {
		return w, l.searchLimit
	}
	return w, l.limit
}

// acquire waits until a request with token may be sent; release must be
// called when its answer has arrived. It fails only with ctx's error.
func (l *rateLimiter) acquire(ctx context.Context, token string, search, background bool) (release func(), err error) {
	w, limit := l.windowFor(token, search)
	per := l.window
	if search {
		per = time.Second
	}
	if limit <= 0 {
		return func() {}, nil
	}
	allowed := limit
	if background && !search {
		allowed = max(limit-l.reserve, 1)
	}
	h, err := w.take(ctx, allowed, per)
	if err != nil {
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			w.mu.Lock()
			h.at = time.Now()
			w.mu.Unlock()
		})
	}, nil
}

// rollingWindow is one portal's log of requests.
type rollingWindow struct {
	mu   sync.Mutex
	hits []*hit
}

type hit struct{ at time.Time }

// take records a request once fewer than allowed requests fall within the
// last per, waiting for enough of the oldest to leave it.
func (w *rollingWindow) take(ctx context.Context, allowed int, per time.Duration) (*hit, error) {
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		w.mu.Lock()
		now := time.Now()
		cut := now.Add(-per)
		live := w.hits[:0]
		for _, h := range w.hits {
			if h.at.After(cut) {
				live = append(live, h)
			}
		}
		clear(w.hits[len(live):])
		w.hits = live
		if len(w.hits) < allowed {
			h := &hit{at: now}
			w.hits = append(w.hits, h)
			w.mu.Unlock()
			return h, nil
		}
		// Wait until all but allowed-1 of the live requests are older
		// than per.
		times := make([]time.Time, len(w.hits))
		for i, h := range w.hits {
			times[i] = h.at
		}
		w.mu.Unlock()
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		wait := times[len(times)-allowed].Add(per).Sub(now)
		if err := sleep(ctx, max(wait, time.Millisecond)); err != nil {
			return nil, err
		}
	}
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
