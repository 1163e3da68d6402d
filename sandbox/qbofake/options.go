package qbofake

import (
	"io"
	"log/slog"
	"net/http"
	"time"
)

// Options configures a Server. The zero value is ready to use: every field
// has the documented default. Facts the reference marks [?] (unverified) are
// options so a test can pin either behaviour.
type Options struct {
	// Now is the clock for everything the fake stamps or limits (MetaData,
	// "time", token expiry, the per-minute window). Default time.Now.
	Now func() time.Time

	// ClientID and ClientSecret are the OAuth app's credentials. Defaults
	// "sandbox-qbo-client-id" and "sandbox-qbo-client-secret".
	ClientID, ClientSecret string

	// WebhookURL receives change notifications; "" sends none.
	WebhookURL string
	// WebhookVerifierToken keys the intuit-signature HMAC. Default
	// "sandbox-qbo-verifier-token".
	WebhookVerifierToken string
	// WebhookClient posts notifications. Default: a client with a 10 s
	// timeout.
	WebhookClient *http.Client
	// WebhookRetrySchedule is the wait before each delivery attempt; its
	// length is the number of attempts. Default DefaultWebhookRetrySchedule
	// (QBO's 0s, 10s, 20s, 30s, 5m, 20m, 2h, 4h, 6h, then 6h four more
	// times). Tests pass a compressed one.
	WebhookRetrySchedule []time.Duration
	// WebhookFormat is "cloudevents" (default) or "legacy" (reference §5.2).
	WebhookFormat string

	// RequestsPerMinute is the per-realm sliding-window limit (reference §4:
	// 500). 0 means the default; a negative value disables the limit.
	RequestsPerMinute int
	// MaxConcurrent is the per-realm concurrency limit (reference §4: 10).
	// 0 means the default; a negative value disables the limit.
	MaxConcurrent int
	// BatchRequestsPerMinute limits batch calls per realm (reference §4: 40;
	// Intuit announced 120). 0 means 40; a negative value disables it.
	BatchRequestsPerMinute int

	// AccessTokenTTL is the life of minted access tokens. Default 3600 s.
	AccessTokenTTL time.Duration

	// InactiveNamesCollide makes an inactive customer, vendor or employee
	// still hold its DisplayName (6240). Unverified in QBO [?]; nil means
	// true.
	InactiveNamesCollide *bool

	// CDCMaxAge is how far back changedSince may reach; older values are
	// clamped to now−CDCMaxAge (reference §5.1: 30 days; what QBO does with
	// older values is [?]). 0 means 30 days; negative means no limit.
	CDCMaxAge time.Duration

	// CaseSensitiveQueryValues compares query values case-sensitively. The
	// documentation mirror says values are case-insensitive, unverified live
	// [?] (reference §2 "Case"); the default follows the documentation.
	CaseSensitiveQueryValues bool

	// ForbiddenFaultType is the fault "type" of the 403 AuthorizationFailed
	// (3100) answer, whose exact shape is [?] (reference §3). Default
	// "AUTHENTICATION", the type the gateway's 401 uses.
	ForbiddenFaultType string

	// Logger receives debug logs. Default: discard.
	Logger *slog.Logger
}

// DefaultWebhookRetrySchedule is QBO's delivery schedule (reference §5.2,
// W3): 0 s, 10 s, 20 s, 30 s, 5 min, 20 min, 2 h, 4 h, 6 h, then every 6 h;
// we stop after four more 6 h attempts (about two days in all).
var DefaultWebhookRetrySchedule = []time.Duration{
	0, 10 * time.Second, 20 * time.Second, 30 * time.Second,
	5 * time.Minute, 20 * time.Minute, 2 * time.Hour, 4 * time.Hour, 6 * time.Hour,
	6 * time.Hour, 6 * time.Hour, 6 * time.Hour, 6 * time.Hour,
}

// Defaults for the OAuth app of the fake (shared with the demo seed).
const (
	DefaultClientID             = "sandbox-qbo-client-id"
	DefaultClientSecret         = "sandbox-qbo-client-secret"
	DefaultWebhookVerifierToken = "sandbox-qbo-verifier-token"
)

// Webhook payload formats.
const (
	WebhookFormatCloudEvents = "cloudevents"
	WebhookFormatLegacy      = "legacy"
)

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.ClientSecret == "" {
		o.ClientSecret = DefaultClientSecret
	}
	if o.WebhookVerifierToken == "" {
		o.WebhookVerifierToken = DefaultWebhookVerifierToken
	}
	if o.WebhookClient == nil {
		o.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	if len(o.WebhookRetrySchedule) == 0 {
		o.WebhookRetrySchedule = DefaultWebhookRetrySchedule
	}
	if o.WebhookFormat == "" {
		o.WebhookFormat = WebhookFormatCloudEvents
	}
	o.RequestsPerMinute = limitOrDefault(o.RequestsPerMinute, 500)
	o.MaxConcurrent = limitOrDefault(o.MaxConcurrent, 10)
	o.BatchRequestsPerMinute = limitOrDefault(o.BatchRequestsPerMinute, 40)
	if o.AccessTokenTTL <= 0 {
		o.AccessTokenTTL = 3600 * time.Second
	}
	if o.InactiveNamesCollide == nil {
		t := true
		o.InactiveNamesCollide = &t
	}
	if o.CDCMaxAge == 0 {
		o.CDCMaxAge = 30 * 24 * time.Hour
	}
	if o.ForbiddenFaultType == "" {
		o.ForbiddenFaultType = "AUTHENTICATION"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// limitOrDefault maps 0 to def and a negative value to 0, which fakekit
// reads as "no limit".
func limitOrDefault(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}
