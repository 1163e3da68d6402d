package quickbooks

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/tokenflight"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/ratelimit"
)

// Defaults of Config.
const (
	DefaultAPIBaseURL        = "https://sandbox-quickbooks.api.intuit.com"
	DefaultTokenURL          = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
	DefaultMinorVersion      = "75" // reference 1.1: lower values are ignored since 2025-08-01
	DefaultRequestsPerMinute = 500  // reference 4, per realm
	DefaultMaxConcurrent     = 10   // reference 4, per realm
	DefaultMaxRetries        = 3
	DefaultRetryBase         = 200 * time.Millisecond
)

// maxBody caps how much of an answer is read (a page of 1000 invoices is
// well under it).
const maxBody = 10 << 20

// userAgent identifies the app to Intuit.
const userAgent = "hubspot-quickbooks/1 (+https://github.com/hubspot-quickbooks/hubspot-quickbooks)"

// Config configures a Client. Zero fields take the defaults above.
type Config struct {
	// APIBaseURL is the data API's scheme and host, e.g.
	// https://quickbooks.api.intuit.com or a fake's http://127.0.0.1:PORT
	// (QBO_API_BASE_URL). Default: the sandbox host, like config's default
	// environment.
	APIBaseURL string
	// TokenURL is the OAuth token endpoint (reference 6). Demo and tests
	// point it at the fake: <fake>/oauth2/v1/tokens/bearer.
	TokenURL string
	// RevokeURL is the OAuth revocation endpoint (reference 6). Demo and
	// tests point it at the fake: <fake>/v2/oauth2/tokens/revoke.
	RevokeURL    string
	ClientID     string
	ClientSecret string
	// HTTPClient carries every call, data and token alike. Default: a client
	// with dial, TLS, header and overall timeouts.
	HTTPClient *http.Client
	// MinorVersion is sent as ?minorversion= on every data call.
	MinorVersion string
	// RequestsPerMinute and MaxConcurrent are the per-realm budget,
	// enforced before QBO enforces its own (reference 4).
	RequestsPerMinute int
	MaxConcurrent     int
	// Limiter keeps the budget: every replica's when it is shared
	// (ratelimit.Shared), this process's by default (ratelimit.Local).
	Limiter ratelimit.Limiter
	// MaxRetries bounds retries of 429, 5xx and transport failures; a
	// negative value means none.
	MaxRetries int
	// RetryBase is the first backoff's ceiling; full jitter below it.
	RetryBase time.Duration
	Logger    *slog.Logger
	// Now is the clock for token expiry. Limiter and backoff waits use the
	// real clock.
	Now func() time.Time
	// Observe, when set, is told of every attempt: its operation, with ids
	// replaced by {id}, and "ok" or the app error code. Main feeds metrics.
	Observe func(op, outcome string)
}

// Client is the QuickBooks Online adapter: it implements app.QuickBooks for
// any number of connections and realms. It is safe for concurrent use; one
// Client per process shares the token cache and the per-realm limits
// (with other replicas too, when Config.Limiter is shared).
type Client struct {
	cfg    Config
	http   *http.Client
	saver  app.TokenStore
	log    *slog.Logger
	now    func() time.Time
	limits ratelimit.Limiter
	keeper *tokenflight.Keeper // the connections' tokens
	// pageSize is the MAXRESULTS of list reads: maxResults, lowered by
	// tests to exercise paging without thousands of rows.
	pageSize int
}

// Close waits, until ctx ends, for token refreshes still running: QBO has
// already rotated the refresh token of a refresh in flight, so the process
// must not close the store before the new one is saved.
func (c *Client) Close(ctx context.Context) error { return c.keeper.Close(ctx) }

var _ app.QuickBooks = (*Client)(nil)

// New returns a Client. tokens persists rotated tokens before they are used.
func New(cfg Config, tokens app.TokenStore) *Client {
	cfg.APIBaseURL = strings.TrimRight(orDefault(cfg.APIBaseURL, DefaultAPIBaseURL), "/")
	cfg.TokenURL = orDefault(cfg.TokenURL, DefaultTokenURL)
	cfg.RevokeURL = orDefault(cfg.RevokeURL, DefaultRevokeURL)
	cfg.MinorVersion = orDefault(cfg.MinorVersion, DefaultMinorVersion)
	if cfg.RequestsPerMinute <= 0 {
		cfg.RequestsPerMinute = DefaultRequestsPerMinute
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = DefaultMaxConcurrent
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.Limiter == nil {
		cfg.Limiter = ratelimit.NewLocal()
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = DefaultRetryBase
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = defaultHTTPClient()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := &Client{
		cfg:      cfg,
		http:     cfg.HTTPClient,
		saver:    tokens,
		log:      cfg.Logger,
		now:      cfg.Now,
		limits:   cfg.Limiter,
		pageSize: maxResults,
	}
	c.keeper = c.newKeeper()
	return c
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// defaultHTTPClient bounds every phase of a call; the caller's context
// usually ends it sooner.
func defaultHTTPClient() *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			ForceAttemptHTTP2:     true,
			TLSHandshakeTimeout:   10 * time.Second,
			ResponseHeaderTimeout: 30 * time.Second,
			ExpectContinueTimeout: time.Second,
			IdleConnTimeout:       90 * time.Second,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   DefaultMaxConcurrent * 2,
		},
	}
}

// do makes one data API call for conn: method on
// /v3/company/{realm}/{path} with query (minorversion is added) and body
// marshalled as JSON, decoding a successful answer into out (nil: ignore
// it). It authenticates (refreshing an expired token first, and once more
// after a 401), waits for the realm's limits, retries transient failures
// when the call is idempotent (a GET, or a POST carrying requestid), and
// returns an *app.Error wrapping an *UpstreamError.
func (c *Client) do(ctx context.Context, conn app.Connection, method, path string, query url.Values, body, out any) error {
	return c.call(ctx, conn, request{method: method, path: path, query: query, body: body, out: out})
}

// request is one data API call. do fills the common case (a JSON answer);
// the PDF read and the send set the other fields, and go through the same
// loop: authentication, limits, classification and retries are never
// repeated elsewhere.
type request struct {
	method, path string
	query        url.Values
	body         any // marshalled as JSON; nil: no body
	out          any // a success's JSON answer is decoded into it; nil: ignored

	// accept is the Accept header; "" means application/json.
	accept string
	// contentType is sent with a request without body (the send's
	// application/octet-stream); a JSON body always goes as JSON.
	contentType string
	// raw, when set, receives a success's body as it is, undecoded.
	raw *[]byte
	// limit is the most bytes a success's body may have; 0 means maxBody.
	// A larger one fails with errBodyTooLarge (Internal, unless the method
	// says otherwise). Failure answers are read up to maxBody.
	limit int64
}

// call runs r for conn: the loop behind do.
func (c *Client) call(ctx context.Context, conn app.Connection, r request) error {
	if err := checkConnection(conn); err != nil {
		return err
	}
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("quickbooks: encode %s body: %w", r.path, err)
		}
	}
	q := url.Values{}
	for k, v := range r.query {
		q[k] = v
	}
	q.Set("minorversion", c.cfg.MinorVersion)
	u := c.cfg.APIBaseURL + "/v3/company/" + conn.RealmID + "/" + r.path + "?" + q.Encode()
	op := r.method + " /v3/company/" + conn.RealmID + "/" + r.path
	idempotent := r.method == http.MethodGet || q.Get("requestid") != ""

	tok, err := c.accessToken(ctx, conn)
	if err != nil {
		return err
	}
	refreshed := false
	for attempt, retries := 1, 0; ; attempt++ {
		resp, respBody, err := c.send(ctx, conn.RealmID, op, &r, u, tok.Access, payload)
		err = classify(resp, respBody, err)
		c.observe(op, err)
		if err == nil {
			switch {
			case r.raw != nil:
				*r.raw = respBody
			case r.out != nil:
				if derr := json.Unmarshal(respBody, r.out); derr != nil {
					err := undecodable(op, derr)
					upstream(err).Attempts = attempt
					return err
				}
			}
			return nil
		}
		ue := upstream(err)
		ue.Op, ue.Attempts = op, attempt
		if ue.reauth && !refreshed && ctx.Err() == nil {
			refreshed = true
			c.log.InfoContext(ctx, "quickbooks: access token refused; refreshing", "connection", conn.ID, "upstream", ue)
			if tok, err = c.refresh(ctx, conn, tok.Access); err != nil {
				return err
			}
			continue
		}
		if werr := c.retryWait(ctx, err, resp, &retries, idempotent); werr != nil {
			return werr
		}
	}
}

// send makes one HTTP exchange within the realm's limits and reads the
// answer (a success up to r.limit bytes, anything else up to maxBody).
// Transport errors name the path, never the query string, which may hold
// search text.
func (c *Client) send(ctx context.Context, realmID, op string, r *request, u, access string, payload []byte) (*http.Response, []byte, error) {
	release, err := c.limits.Acquire(ctx, limitKey(realmID), c.realmBudget())
	if err != nil {
		return nil, nil, err
	}
	defer release()
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("quickbooks: build request: %w", err)
	}
	req.Header.Set("Accept", orDefault(r.accept, "application/json"))
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("User-Agent", userAgent)
	switch {
	case payload != nil:
		req.Header.Set("Content-Type", "application/json")
	case r.contentType != "":
		req.Header.Set("Content-Type", r.contentType)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, redactURL(err, op)
	}
	defer resp.Body.Close()
	limit := int64(maxBody)
	if resp.StatusCode == http.StatusOK && r.limit > 0 {
		limit = r.limit
	}
	body, err := readBody(resp.Body, limit)
	c.log.DebugContext(ctx, "quickbooks: call", "op", op, "status", resp.StatusCode,
		"intuit_tid", resp.Header.Get("Intuit-Tid"), "duration", time.Since(start))
	return resp, body, redactURL(err, op)
}

// readBody reads at most limit bytes, failing with errBodyTooLarge past it
// (it reads one byte more to tell).
func readBody(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, errBodyTooLarge
	}
	return b, nil
}

// redactURL replaces the URL of a *url.Error with op (method and path).
func redactURL(err error, op string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", op, ue.Err)
	}
	return err
}

// upstream returns the *UpstreamError classify put in err's chain.
func upstream(err error) *UpstreamError {
	var ue *UpstreamError
	if errors.As(err, &ue) {
		return ue
	}
	return &UpstreamError{Err: err}
}

// contextError is the answer once the caller's context is done: Unavailable
// (the card says "try again"), with the context's error and the last
// upstream failure in the chain, so errors.Is(err, context.DeadlineExceeded)
// holds.
func contextError(ctx context.Context, last error) error {
	ue := upstream(last)
	if !errors.Is(ue, ctx.Err()) {
		ue.Err = errors.Join(ctx.Err(), ue.Err)
	}
	ue.retry = false
	return app.Wrapf(ue, app.Unavailable, msgBusy)
}

// checkConnection refuses a connection the adapter cannot use: it needs our
// id (tokens are saved under it) and a realm of digits (it goes in the path).
func checkConnection(conn app.Connection) error {
	if conn.ID == "" || conn.RealmID == "" || len(conn.RealmID) > 32 ||
		strings.TrimLeft(conn.RealmID, "0123456789") != "" {
		return app.Errorf(app.NotConnected, "This QuickBooks connection is incomplete; reconnect QuickBooks.")
	}
	return nil
}

// observe reports one attempt to Config.Observe.
func (c *Client) observe(op string, err error) {
	if c.cfg.Observe == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = string(app.ErrorCode(err))
	}
	c.cfg.Observe(metricOp(op), outcome)
}

// metricOp keeps an operation's shape and drops its ids, so metric labels
// stay few: "GET /v3/company/123/invoice/9" -> "GET /v3/company/{id}/invoice/{id}".
func metricOp(op string) string {
	parts := strings.Split(op, "/")
	for i, p := range parts {
		if p != "" && strings.Trim(p, "0123456789") == "" {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}
