package qbofake

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/internal/fakekit"
)

// Server is the fake QuickBooks Online: the Accounting API, OAuth 2.0 and
// webhooks, served from memory. It is an http.Handler; Transport routes the
// real Intuit hosts to it without a socket and Listen serves it on a port.
type Server struct {
	opt Options
	log *slog.Logger

	faults   fakekit.Faults
	counters fakekit.Counters
	// throttled counts the requests answered 429 by the limits (not by an
	// injected fault), by route and realm.
	throttled fakekit.Counters
	window    *fakekit.Window // requests per minute per realm
	batches   *fakekit.Window // batch requests per minute per realm
	slots     *fakekit.Slots  // concurrent requests per realm

	mu         sync.RWMutex
	realms     map[string]*realm
	realmOrder []string

	auth    *authStore
	replays *replayStore
	hooks   *webhooks
}

// hosts the fake answers for through Transport: the data API (production
// and sandbox), discovery and revocation, the token endpoint, the
// authorize page and userinfo (reference §1.1, §6).
var hosts = []string{
	"quickbooks.api.intuit.com",
	"sandbox-quickbooks.api.intuit.com",
	"developer.api.intuit.com",
	"oauth.platform.intuit.com",
	"appcenter.intuit.com",
	"accounts.platform.intuit.com",
	"sandbox-accounts.platform.intuit.com",
}

// qboVersion is the Qbo-Version header value (a recorded one, R1 void/invoice.yml).
const qboVersion = "1988.128"

// New returns a fake with no companies; add them with AddCompany or SeedDemo.
func New(opt Options) *Server {
	opt = opt.withDefaults()
	s := &Server{
		opt:     opt,
		log:     opt.Logger,
		window:  &fakekit.Window{Limit: opt.RequestsPerMinute, Per: time.Minute, Now: opt.Now},
		batches: &fakekit.Window{Limit: opt.BatchRequestsPerMinute, Per: time.Minute, Now: opt.Now},
		slots:   &fakekit.Slots{Limit: opt.MaxConcurrent},
		realms:  map[string]*realm{},
		auth:    newAuthStore(),
		replays: newReplayStore(),
	}
	s.hooks = newWebhooks(s)
	return s
}

// Fault is an injected failure (status, body, latency, dropped
// connection); see Faults. It is fakekit's, named here so code outside the
// sandbox tree can build one.
type Fault = fakekit.Fault

// AnyRoute arms a fault on every route (e.g. latency on every call).
const AnyRoute = fakekit.AnyRoute

// Faults returns the fault injector; route names are the Route* constants.
func (s *Server) Faults() *fakekit.Faults { return &s.faults }

// Counters returns the request counters, keyed by route and realm. Every
// request that reaches the data API is counted, including those answered
// with 401, 403, 429 or an injected fault.
func (s *Server) Counters() *fakekit.Counters { return &s.counters }

// Throttled counts the requests the per-realm limits answered 429 (the
// per-minute window, the batch window and the concurrency slots), by route
// and realm, as Counters does; an injected 429 fault is not counted.
// Benchmarks read it to show that a client stayed under the limits.
func (s *Server) Throttled() *fakekit.Counters { return &s.throttled }

// Hosts lists the Intuit hosts Transport serves.
func Hosts() []string { return append([]string(nil), hosts...) }

// Transport returns an http.RoundTripper that serves the Intuit hosts
// (Hosts) from this fake in-process and refuses every other host.
func (s *Server) Transport() http.RoundTripper {
	return fakekit.NewTransport(s, hosts...)
}

// Listen serves the fake on addr ("" = a free loopback port). Discovery
// documents then point at the listener's own URL.
func (s *Server) Listen(addr string) (*fakekit.Server, error) {
	srv, err := fakekit.Listen(addr, s)
	if err != nil {
		return nil, fmt.Errorf("qbofake: %w", err)
	}
	return srv, nil
}

// Close stops webhook deliveries, waiting for in-flight attempts to end.
func (s *Server) Close() { s.hooks.close() }

func (s *Server) now() time.Time { return s.opt.Now() }

// ServeHTTP routes a request by path: the data API under /v3/company/, and
// the OAuth endpoints of reference §6 wherever they are asked for.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Intuit-Tid", newTid(s.now()))
	switch p := r.URL.Path; {
	case strings.HasPrefix(p, "/v3/company/"):
		s.serveAPI(w, r)
	case p == "/.well-known/openid_configuration" || p == "/.well-known/openid_sandbox_configuration":
		s.serveDiscovery(w, r)
	case p == "/connect/oauth2":
		s.serveAuthorize(w, r)
	case p == "/oauth2/v1/tokens/bearer":
		s.serveToken(w, r)
	case p == "/v2/oauth2/tokens/revoke":
		s.serveRevoke(w, r)
	case p == "/v1/openid_connect/userinfo":
		s.serveUserInfo(w, r)
	case p == "/op/v1/jwks":
		s.writeRaw(w, http.StatusOK, "application/json", []byte(`{"keys":[]}`))
	default:
		http.NotFound(w, r)
	}
}

// writeRaw writes a complete answer. JSON successes say charset=utf-8 and
// faults plain application/json, as recorded (R1).
func (s *Server) writeRaw(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// newTid makes an Intuit-Tid in the recorded shape: 1-<hex seconds>-<24 hex>.
func newTid(now time.Time) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("1-%08x-%s", now.Unix(), hex.EncodeToString(b[:]))
}
