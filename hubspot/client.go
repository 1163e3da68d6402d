package hubspot

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	hs "github.com/clarkmcc/go-hubspot"
	"github.com/clarkmcc/go-hubspot/generated/v3/objects"
	"github.com/clarkmcc/go-hubspot/generated/v3/properties"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/tokenflight"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/pause"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/ratelimit"
)

// DefaultAPIBaseURL is HubSpot's API host (reference/hubspot.md section 4).
const DefaultAPIBaseURL = "https://api.hubapi.com"

// Defaults applied by New to zero Config fields.
const (
	DefaultMaxRetries  = 3
	DefaultRetryBase   = 500 * time.Millisecond
	DefaultHTTPTimeout = 10 * time.Second // per attempt; the caller's ctx bounds the whole call
)

// userAgent replaces go-hubspot's "OpenAPI-Generator/1.0.0/go".
const userAgent = "hubspot-quickbooks"

// Config configures a Client. The zero value talks to api.hubapi.com.
type Config struct {
	// APIBaseURL is HUBSPOT_API_BASE_URL; default https://api.hubapi.com.
	// The demo points it at sandbox/hubspotfake.
	APIBaseURL string
	// HTTPClient carries every request (transport injection); default a
	// client with a DefaultHTTPTimeout per attempt.
	HTTPClient *http.Client
	// MaxRetries bounds the retries of one call on 429, 5xx and transport
	// errors; 0 means DefaultMaxRetries, a negative value no retries.
	MaxRetries int
	// RetryBase is the first backoff step when HubSpot sends no
	// Retry-After; it doubles per retry, with jitter. Default
	// DefaultRetryBase.
	RetryBase time.Duration
	// Logger receives one warning per retry; default discards. Tokens never
	// reach it.
	Logger *slog.Logger
	// Observe, when set, is told of every attempt: its operation, with ids
	// replaced by {id}, and "ok" or the app error code. Main feeds metrics.
	Observe func(op, outcome string)
	// ClientID and ClientSecret are the HubSpot app's credentials, for the
	// install's code exchange (oauth.go); the token endpoint is
	// APIBaseURL + "/oauth/v1/token".
	ClientID, ClientSecret string
	// Now is the clock that decides when an access token has expired;
	// default time.Now.
	Now func() time.Time
	// RateLimit is the budget of data requests per RateWindow
	// and portal, waited for before each request is sent (reference 4.5:
	// 110 per 10 s for OAuth apps; limits.go). 0 means DefaultRateLimit, a
	// negative value no limit.
	RateLimit int
	// RateWindow is RateLimit's rolling window; default DefaultRateWindow.
	RateWindow time.Duration
	// SearchPerSecond is the budget of CRM search requests per second and
	// portal, which HubSpot counts apart from the window (reference 4.5:
	// 5). 0 means DefaultSearchPerSecond, a negative value no limit.
	SearchPerSecond int
	// Limiter keeps both budgets: every replica's when it is shared
	// (ratelimit.Shared), this process's by default (ratelimit.Local).
	Limiter ratelimit.Limiter
}

// Client implements app.HubSpot over clarkmcc/go-hubspot's generic CRM
// objects and properties packages. Every call carries the portal's token;
// the only per-portal state is which portals already have the deal
// properties (EnsureDealProperties). Safe for concurrent use.
type Client struct {
	api        *objects.APIClient
	props      *properties.APIClient
	http       *http.Client
	base       string
	maxRetries int
	retryBase  time.Duration
	log        *slog.Logger
	onAttempt  func(op, outcome string)
	sleep      func(context.Context, time.Duration) error // replaced in tests

	clientID, clientSecret string

	dealProps    sync.Map // portal id -> *ensureState (properties.go)
	invoiceProps sync.Map // portal id -> *ensureState: the invoice key property (invoices.go)
	syncProps    sync.Map // app.ObjectType -> *sync.Map of portal id -> *ensureState (contacts.go)

	limits *rateLimiter // nil when off (limits.go)

	saver  app.PortalTokenStore
	now    func() time.Time
	keeper *tokenflight.Keeper // the portals' OAuth tokens (tokens.go)
}

var _ app.HubSpot = (*Client)(nil)

// New returns a Client for cfg, with defaults for zero fields. saver stores
// a portal's refreshed OAuth tokens before they are used; with a nil saver
// expired tokens are not refreshed (the call fails).
func New(cfg Config, saver app.PortalTokenStore) *Client {
	base := strings.TrimRight(cfg.APIBaseURL, "/")
	if base == "" {
		base = DefaultAPIBaseURL
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = DefaultRetryBase
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	switch {
	case cfg.RateLimit == 0:
		cfg.RateLimit = DefaultRateLimit
	case cfg.RateLimit < 0:
		cfg.RateLimit = 0
	}
	if cfg.RateWindow <= 0 {
		cfg.RateWindow = DefaultRateWindow
	}
	switch {
	case cfg.SearchPerSecond == 0:
		cfg.SearchPerSecond = DefaultSearchPerSecond
	case cfg.SearchPerSecond < 0:
		cfg.SearchPerSecond = 0
	}
	// Every request goes through the limiter (a copy of the caller's
	// client, whose transport is left as it is); it lets through the
	// OAuth calls, which carry no bearer token. The client's Timeout
	// moves into the limiter's transport, to start after the wait.
	if cfg.Limiter == nil {
		cfg.Limiter = ratelimit.NewLocal()
	}
	limits := newRateLimiter(cfg.Limiter, cfg.RateLimit, cfg.RateWindow, cfg.SearchPerSecond)
	if limits != nil {
		limited := *hc
		next := hc.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		limited.Transport = &limitedTransport{next: next, lim: limits, timeout: hc.Timeout}
		limited.Timeout = 0
		hc = &limited
	}

	// The generated Configuration takes its base URL from Servers[0] (the
	// default server index) and sends through HTTPClient; Debug stays off
	// because it dumps requests, Authorization header included, to the
	// standard logger.
	oc := objects.NewConfiguration()
	oc.Servers = objects.ServerConfigurations{{URL: base, Description: "HubSpot API"}}
	oc.HTTPClient = hc
	oc.UserAgent = userAgent
	pc := properties.NewConfiguration()
	pc.Servers = properties.ServerConfigurations{{URL: base, Description: "HubSpot API"}}
	pc.HTTPClient = hc
	pc.UserAgent = userAgent

	c := &Client{
		api:        objects.NewAPIClient(oc),
		props:      properties.NewAPIClient(pc),
		http:       hc,
		base:       base,
		maxRetries: cfg.MaxRetries,
		retryBase:  cfg.RetryBase,
		log:        log,
		onAttempt:  cfg.Observe,
		sleep:      pause.For,

		clientID:     cfg.ClientID,
		clientSecret: cfg.ClientSecret,

		saver:  saver,
		now:    now,
		limits: limits,
	}
	c.keeper = c.newKeeper()
	return c
}

// authorized returns ctx carrying the portal's token the way go-hubspot
// reads it: its TokenAuthorizer sets "Authorization: Bearer <token>".
func authorized(ctx context.Context, token string) context.Context {
	return hs.WithAuthorizer(ctx, hs.NewTokenAuthorizer(token))
}

// call describes one logical HubSpot call, for retries, logs and errors.
// token is kept here only to authorize and to scrub; it never reaches an
// error or a log.
type call struct {
	op     string // "GET /crm/v3/objects/deals/1011", for logs
	noun   string // "deal", for the rep's not-found message
	verb   string // "read", "change", "create": what a 403 says the app may not do
	portal int64
	token  string
	// data marks a CRM call made with the portal's access token: do
	// authorizes each attempt with token and, on a 401, refreshes the
	// portal's tokens (when it has a refresh token) and retries once.
	data  bool
	owner app.Portal // the portal, for a refresh
}

// newCall prepares a data call for portal, refreshing its access token
// first when it has expired (tokens.go).
func (c *Client) newCall(ctx context.Context, portal app.Portal, noun, op string) (call, error) {
	if portal.Tokens.Access == "" {
		return call{}, app.Errorf(app.NotConnected, "This HubSpot account has no access token for the app; reinstall the app.")
	}
	t, err := c.accessToken(ctx, portal)
	if err != nil {
		return call{}, err
	}
	c.limits.bind(t.Access, portal.ID)
	return call{op: op, noun: noun, verb: "read", portal: portal.ID, token: t.Access, data: true, owner: portal}, nil
}

// observe reports one attempt to Config.Observe.
func (c *Client) observe(op string, err error) {
	if c.onAttempt == nil {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = string(app.ErrorCode(err))
	}
	c.onAttempt(metricOp(op), outcome)
}

// metricOp keeps an operation's shape and drops its ids and query, so
// metric labels stay few: "GET /crm/v3/objects/deals/1011?x" -> "GET /crm/v3/objects/deals/{id}".
func metricOp(op string) string {
	op, _, _ = strings.Cut(op, "?")
	parts := strings.Split(op, "/")
	for i, p := range parts {
		if p != "" && strings.Trim(p, "0123456789") == "" {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}
