// Package config loads the service's configuration from the environment
// into one struct, validated at start with messages that name the variable.
//
// Load takes a lookup function rather than reading os.Environ itself, so
// main passes os.LookupEnv and tests pass a map. Secrets are of type Secret,
// which prints REDACTED however it is formatted, logged or marshalled, so
// the whole Config can be logged at startup.
package config

import (
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of the service.
type Config struct {
	HTTPAddr      string // HTTP_ADDR: the card API, OAuth callbacks and webhooks
	DebugAddr     string // DEBUG_ADDR: metrics, never exposed publicly
	PublicBaseURL string // PUBLIC_BASE_URL: the URL HubSpot signs; signatures are checked against it

	HubSpot    HubSpot
	QuickBooks QuickBooks

	DatabaseURL   Secret     // DATABASE_URL: postgres://... ; empty means the SQLite file SQLitePath
	SQLitePath    string     // where the embedded store lives when DATABASE_URL is unset
	RedisURL      Secret     // REDIS_URL: redis://... ; empty means an in-process cache
	EncryptionKey Secret     // ENCRYPTION_KEY: 32 bytes, standard base64; encrypts tokens at rest
	LogLevel      slog.Level // LOG_LEVEL: debug, info, warn or error

	Sync Sync
}

// Sync tunes the background sync and its job queue.
type Sync struct {
	Workers        int           // SYNC_WORKERS: jobs run at once per replica
	ReconcileEvery time.Duration // SYNC_RECONCILE_EVERY: how often CDC reconciles each company; 0 turns it off
	SweepEvery     time.Duration // SYNC_SWEEP_EVERY: how often the overdue sweep looks for companies past midnight
	RescueAfter    time.Duration // SYNC_RESCUE_AFTER: a job running this long on a replica that died is run again
}

// HubSpot is the HubSpot app's identity and the API it talks to.
type HubSpot struct {
	AppID        int64  // HUBSPOT_APP_ID
	ClientID     string // HUBSPOT_CLIENT_ID
	ClientSecret Secret // HUBSPOT_CLIENT_SECRET: signs every request HubSpot sends us
	APIBaseURL   string // HUBSPOT_API_BASE_URL; the OAuth token endpoint is APIBaseURL + /oauth/v1/token
	AuthorizeURL string // HUBSPOT_AUTHORIZE_URL: HubSpot's OAuth authorize page; the demo points it at the fake
}

// QuickBooks is the Intuit app's identity and the API it talks to.
type QuickBooks struct {
	ClientID             string // QBO_CLIENT_ID
	ClientSecret         Secret // QBO_CLIENT_SECRET
	Environment          string // QBO_ENVIRONMENT: sandbox or production
	APIBaseURL           string // QBO_API_BASE_URL; defaults from Environment
	TokenURL             string // QBO_TOKEN_URL: Intuit's OAuth token endpoint; the demo points it at the fake
	AuthorizeURL         string // QBO_AUTHORIZE_URL: Intuit's OAuth authorize page; the demo points it at the fake
	RevokeURL            string // QBO_REVOKE_URL: Intuit's OAuth revocation endpoint; the demo points it at the fake
	WebAppURL            string // the QuickBooks web app invoices link to; follows Environment
	WebhookVerifierToken Secret // QBO_WEBHOOK_VERIFIER_TOKEN: checks intuit-signature
}

// The QuickBooks environments and their API hosts (reference/quickbooks.md 1.1).
const (
	EnvSandbox    = "sandbox"
	EnvProduction = "production"

	qboSandboxURL    = "https://sandbox-quickbooks.api.intuit.com"
	qboProductionURL = "https://quickbooks.api.intuit.com"
	qboTokenURL      = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
	qboAuthorizeURL  = "https://appcenter.intuit.com/connect/oauth2"
	qboRevokeURL     = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
	qboSandboxApp    = "https://app.sandbox.qbo.intuit.com"
	qboProductionApp = "https://app.qbo.intuit.com"
	hubspotURL       = "https://api.hubapi.com"
	hubspotAuthorize = "https://app.hubspot.com/oauth/authorize"
)

// EncryptionKeyBytes returns the decoded 32-byte key. Load has validated it.
func (c Config) EncryptionKeyBytes() []byte {
	b, _ := base64.StdEncoding.DecodeString(c.EncryptionKey.Value())
	return b
}

// QuickBooksRedirectURI is where Intuit sends the admin back after
// consenting: PUBLIC_BASE_URL + /oauth/quickbooks/callback. Register it in
// the Intuit app's Redirect URIs.
func (c Config) QuickBooksRedirectURI() string {
	return c.PublicBaseURL + "/oauth/quickbooks/callback"
}

// HubSpotRedirectURI is where HubSpot sends the installer back after
// consenting: PUBLIC_BASE_URL + /oauth/hubspot/callback. Register it in the
// HubSpot app's redirect URLs.
func (c Config) HubSpotRedirectURI() string {
	return c.PublicBaseURL + "/oauth/hubspot/callback"
}

// Load reads the configuration through lookup and validates it. The error,
// if any, lists every problem, each naming its variable.
func Load(lookup func(string) (string, bool)) (Config, error) {
	r := reader{lookup: lookup}
	c := Config{
		HTTPAddr:      r.str("HTTP_ADDR", ":8080"),
		DebugAddr:     r.str("DEBUG_ADDR", "127.0.0.1:9090"),
		PublicBaseURL: strings.TrimRight(r.required("PUBLIC_BASE_URL"), "/"),
		HubSpot: HubSpot{
			AppID:        r.positiveInt("HUBSPOT_APP_ID"),
			ClientID:     r.required("HUBSPOT_CLIENT_ID"),
			ClientSecret: Secret(r.required("HUBSPOT_CLIENT_SECRET")),
			APIBaseURL:   strings.TrimRight(r.str("HUBSPOT_API_BASE_URL", hubspotURL), "/"),
			AuthorizeURL: r.str("HUBSPOT_AUTHORIZE_URL", hubspotAuthorize),
		},
		QuickBooks: QuickBooks{
			ClientID:             r.required("QBO_CLIENT_ID"),
			ClientSecret:         Secret(r.required("QBO_CLIENT_SECRET")),
			Environment:          r.oneOf("QBO_ENVIRONMENT", EnvSandbox, EnvSandbox, EnvProduction),
			WebhookVerifierToken: Secret(r.required("QBO_WEBHOOK_VERIFIER_TOKEN")),
		},
		DatabaseURL:   Secret(r.str("DATABASE_URL", "")),
		SQLitePath:    "data/hubspot-quickbooks.db",
		RedisURL:      Secret(r.str("REDIS_URL", "")),
		EncryptionKey: Secret(r.required("ENCRYPTION_KEY")),
		LogLevel:      r.logLevel("LOG_LEVEL"),
		Sync: Sync{
			Workers:        int(r.intIn("SYNC_WORKERS", 4, 1, 64)),
			ReconcileEvery: r.duration("SYNC_RECONCILE_EVERY", 10*time.Minute, 0),
			SweepEvery:     r.duration("SYNC_SWEEP_EVERY", 15*time.Minute, time.Second),
			RescueAfter:    r.duration("SYNC_RESCUE_AFTER", 2*time.Minute, 2*time.Second),
		},
	}
	defaultQBO, webApp := qboSandboxURL, qboSandboxApp
	if c.QuickBooks.Environment == EnvProduction {
		defaultQBO, webApp = qboProductionURL, qboProductionApp
	}
	c.QuickBooks.APIBaseURL = strings.TrimRight(r.str("QBO_API_BASE_URL", defaultQBO), "/")
	c.QuickBooks.WebAppURL = webApp
	c.QuickBooks.TokenURL = r.str("QBO_TOKEN_URL", qboTokenURL)
	r.url("QBO_TOKEN_URL", c.QuickBooks.TokenURL)
	c.QuickBooks.AuthorizeURL = r.str("QBO_AUTHORIZE_URL", qboAuthorizeURL)
	r.url("QBO_AUTHORIZE_URL", c.QuickBooks.AuthorizeURL)
	c.QuickBooks.RevokeURL = r.str("QBO_REVOKE_URL", qboRevokeURL)
	r.url("QBO_REVOKE_URL", c.QuickBooks.RevokeURL)

	r.url("PUBLIC_BASE_URL", c.PublicBaseURL)
	r.url("HUBSPOT_API_BASE_URL", c.HubSpot.APIBaseURL)
	r.url("HUBSPOT_AUTHORIZE_URL", c.HubSpot.AuthorizeURL)
	r.url("QBO_API_BASE_URL", c.QuickBooks.APIBaseURL)
	if v := c.DatabaseURL.Value(); v != "" && !strings.HasPrefix(v, "postgres://") && !strings.HasPrefix(v, "postgresql://") {
		r.fail("DATABASE_URL", "must be a postgres:// URL, or unset for the embedded SQLite store")
	}
	if v := c.RedisURL.Value(); v != "" && !strings.HasPrefix(v, "redis://") && !strings.HasPrefix(v, "rediss://") {
		r.fail("REDIS_URL", "must be a redis:// or rediss:// URL, or unset for the in-process cache")
	}
	if v := c.EncryptionKey.Value(); v != "" {
		if b, err := base64.StdEncoding.DecodeString(v); err != nil || len(b) != 32 {
			r.fail("ENCRYPTION_KEY", "must be 32 random bytes in standard base64 (openssl rand -base64 32)")
		}
	}
	if err := errors.Join(r.errs...); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return c, nil
}

// WithDefaults returns a lookup that answers from env first and from
// defaults for variables env does not set; demo mode uses it.
func WithDefaults(env func(string) (string, bool), defaults map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		if v, ok := env(name); ok && v != "" {
			return v, true
		}
		v, ok := defaults[name]
		return v, ok
	}
}

// reader collects every problem instead of stopping at the first.
type reader struct {
	lookup func(string) (string, bool)
	errs   []error
}

func (r *reader) fail(name, msg string) {
	r.errs = append(r.errs, fmt.Errorf("%s %s", name, msg))
}

func (r *reader) str(name, def string) string {
	if v, ok := r.lookup(name); ok && strings.TrimSpace(v) != "" {
		return strings.TrimSpace(v)
	}
	return def
}

func (r *reader) required(name string) string {
	v := r.str(name, "")
	if v == "" {
		r.fail(name, "is required")
	}
	return v
}

func (r *reader) positiveInt(name string) int64 {
	v := r.required(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		r.fail(name, fmt.Sprintf("must be a positive whole number, got %q", v))
	}
	return n
}

func (r *reader) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(r.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(name, fmt.Sprintf("must be one of %s, got %q", strings.Join(allowed, ", "), v))
	return def
}

// intIn reads a whole number in [lo, hi], def when unset.
func (r *reader) intIn(name string, def, lo, hi int64) int64 {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		r.fail(name, fmt.Sprintf("must be a whole number from %d to %d, got %q", lo, hi, v))
		return def
	}
	return n
}

// duration reads a Go duration ("10m", "90s") of at least lo, def when
// unset; "0" is allowed when lo is 0 and means off.
func (r *reader) duration(name string, def, lo time.Duration) time.Duration {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < lo || d < 0 {
		r.fail(name, fmt.Sprintf("must be a duration such as 10m or 90s, at least %s, got %q", lo, v))
		return def
	}
	return d
}

func (r *reader) url(name, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		r.fail(name, fmt.Sprintf("must be an absolute http(s) URL, got %q", v))
	}
}

func (r *reader) logLevel(name string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(r.str(name, "info"))); err != nil {
		r.fail(name, "must be debug, info, warn or error")
		return slog.LevelInfo
	}
	return l
}

// Secret is a configuration value that must never be printed: it formats,
// logs and marshals as REDACTED. Value returns the real string.
type Secret string

const redacted = "REDACTED"

// Value returns the secret itself, for the one place that uses it.
func (s Secret) Value() string { return string(s) }

// String implements fmt.Stringer.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the secret.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText implements encoding.TextMarshaler (and so JSON).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
