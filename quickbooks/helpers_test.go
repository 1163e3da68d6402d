package quickbooks

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/logtest"
)

// TestMain makes http.DefaultTransport refuse every request, so a code path
// that used a default client (as the library's token helpers and NewClient
// do) fails here instead of reaching the network.
func TestMain(m *testing.M) {
	http.DefaultTransport = refuseTransport{}
	os.Exit(m.Run())
}

type refuseTransport struct{}

func (refuseTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("test: http.DefaultTransport used for %s %s", r.Method, r.URL.Host)
}

// fixedNow is the clock of the fake and the client: 09:30 in Los Angeles.
var fixedNow = time.Date(2026, 3, 10, 17, 30, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// fixture is a seeded fake and a Client wired to it through a recording
// transport, a token saver and a captured log.
type fixture struct {
	t      *testing.T
	srv    *qbofake.Server
	demo   qbofake.Demo
	clock  *clock
	rec    *recorder
	saver  *saver
	logs   *syncBuffer
	client *Client
}

func newFixture(t *testing.T, configure ...func(*Config)) *fixture {
	t.Helper()
	clk := &clock{t: fixedNow}
	srv := qbofake.New(qbofake.Options{Now: clk.Now})
	t.Cleanup(srv.Close)
	f := &fixture{t: t, srv: srv, demo: srv.SeedDemo(), clock: clk,
		rec: &recorder{next: srv.Transport()}, logs: &syncBuffer{}}
	f.saver = &saver{dataCalls: func() int { return f.dataCalls(qbofake.DemoRealmUS) }}
	cfg := Config{
		ClientID:     qbofake.DefaultClientID,
		ClientSecret: qbofake.DefaultClientSecret,
		HTTPClient:   &http.Client{Transport: f.rec},
		RetryBase:    time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:          clk.Now,
	}
	for _, c := range configure {
		c(&cfg)
	}
	f.client = New(cfg, f.saver)
	return f
}

// conn is the seeded connection of realm with its seeded tokens (expiry
// unknown).
func (f *fixture) conn(realm string) app.Connection {
	f.t.Helper()
	dr, ok := f.demo.Realm(realm)
	if !ok {
		f.t.Fatalf("no seeded realm %s", realm)
	}
	f.saver.seed("conn-"+realm, app.Tokens{Access: dr.AccessToken, Refresh: dr.RefreshToken})
	return app.Connection{
		ID: "conn-" + realm, PortalID: dr.PortalID, RealmID: realm, CompanyName: dr.CompanyName,
		Country: dr.Country, Currency: dr.Currency, TimeZone: dr.TimeZone, State: app.Connected,
		Tokens: app.Tokens{Access: dr.AccessToken, Refresh: dr.RefreshToken},
	}
}

// expiredConn is conn with an access token that expired a minute ago.
func (f *fixture) expiredConn(realm string) app.Connection {
	c := f.conn(realm)
	c.Tokens.AccessExpiresAt = f.clock.Now().Add(-time.Minute)
	return c
}

func (f *fixture) id(realm, kind, label string) string {
	f.t.Helper()
	id := f.demo.ID(realm, kind, label)
	if id == "" {
		f.t.Fatalf("no seeded %s %q in realm %s", kind, label, realm)
	}
	return id
}

// calls counts the fake's requests on route ("" = every data route) for realm.
func (f *fixture) calls(route, realm string) int { return f.srv.Counters().Count(route, realm) }

// dataCalls counts the data API requests of realm (the fake counts token
// requests under the realm too).
func (f *fixture) dataCalls(realm string) int {
	c := f.srv.Counters()
	return c.Count("", realm) - c.Count(qbofake.RouteOAuthToken, realm) - c.Count(qbofake.RouteOAuthRevoke, realm)
}

// tokenCalls counts refreshes that reached the token endpoint.
func (f *fixture) tokenCalls() int { return f.srv.Counters().Count(qbofake.RouteOAuthToken, "") }

// postForm posts to one of the fake's OAuth endpoints with the app's
// credentials, as a test-side client.
func (f *fixture) postForm(path string, form url.Values) (int, string) {
	f.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, "https://oauth.platform.intuit.com"+path, strings.NewReader(form.Encode()))
	if strings.Contains(path, "revoke") {
		req.URL.Host = "developer.api.intuit.com"
	}
	req.SetBasicAuth(qbofake.DefaultClientID, qbofake.DefaultClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := (&http.Client{Transport: f.srv.Transport()}).Do(req)
	if err != nil {
		f.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// faultSpec is an injected failure of the QBO fake.
type faultSpec = qbofake.Fault

func (f *fixture) inject(route string, spec faultSpec) {
	f.t.Helper()
	f.srv.Faults().Inject(route, spec)
}

// Bodies in QBO's shapes (reference 1.10).
const throttleXML = `<IntuitResponse time="2017-07-30T22:45:22.933-07:00" xmlns="http://schema.intuit.com/finance/v3">` +
	`<Fault type="SERVICE"><Error code="3001"><Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>` +
	`<Detail>The request limit was reached.  Try again later</Detail></Error></Fault></IntuitResponse>`

func throttle(times int) faultSpec {
	return faultSpec{Status: http.StatusTooManyRequests, Body: []byte(throttleXML),
		Header: http.Header{"Content-Type": {"application/xml"}}, Times: times}
}

// gateway401 is the auth gateway's answer; like QBO's, its detail echoes
// the token it refused.
func gateway401(token string, times int) faultSpec {
	body := `{"warnings":null,"intuitObject":null,"fault":{"error":[{"message":"message=AuthenticationFailed; errorCode=003200; statusCode=401",` +
		`"detail":"Token expired: ` + token + `","code":"3200","element":null}],"type":"AUTHENTICATION"},"report":null,` +
		`"queryResponse":null,"batchItemResponse":[],"attachableResponse":[],"syncErrorResponse":null,"requestId":null,` +
		`"time":1601391072830,"status":null,"cdcresponse":[]}`
	return faultSpec{Status: http.StatusUnauthorized, Body: []byte(body),
		Header: http.Header{"Content-Type": {"application/json"}}, Times: times}
}

func validationFault(code, message, detail, element string) string {
	return `{"Fault":{"Error":[{"Message":"` + message + `","Detail":"` + detail + `","code":"` + code +
		`","element":"` + element + `"}],"type":"ValidationFault"},"time":"2020-09-29T08:13:18.783-07:00"}`
}

// recorder wraps the fake's transport: it tracks data API calls in flight
// (until their body is closed), every status and bearer token, and the
// query string of each data call.
type recorder struct {
	next http.RoundTripper

	mu          sync.Mutex
	inFlight    int
	maxInFlight int
	statuses    []int
	bearers     []string // per data API call, in order
	queries     []url.Values
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	data := strings.HasPrefix(req.URL.Path, "/v3/company/")
	if data {
		r.mu.Lock()
		r.inFlight++
		r.maxInFlight = max(r.maxInFlight, r.inFlight)
		r.bearers = append(r.bearers, strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer "))
		r.queries = append(r.queries, req.URL.Query())
		r.mu.Unlock()
	}
	done := func() {
		if data {
			r.mu.Lock()
			r.inFlight--
			r.mu.Unlock()
		}
	}
	resp, err := r.next.RoundTrip(req)
	if err != nil {
		done()
		return nil, err
	}
	r.mu.Lock()
	r.statuses = append(r.statuses, resp.StatusCode)
	r.mu.Unlock()
	resp.Body = &closeNotifier{ReadCloser: resp.Body, done: done}
	return resp, nil
}

func (r *recorder) snapshot() (maxInFlight int, statuses []int, bearers []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.maxInFlight, append([]int(nil), r.statuses...), append([]string(nil), r.bearers...)
}

type closeNotifier struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (c *closeNotifier) Close() error {
	err := c.ReadCloser.Close()
	c.once.Do(c.done)
	return err
}

// saver is the app.TokenStore of the tests: it records each save, with the
// number of data API calls made before it, and fails while fail is set.
// RefreshTokens runs under one lock with the tokens last stored (seeded by
// fixture.conn), as the store does.
type saver struct {
	dataCalls func() int

	lock   sync.Mutex // the refresh lock
	mu     sync.Mutex
	fail   error
	saved  []savedTokens
	stored map[string]app.Tokens
	marked []string // connections a refused refresh marked
}

// seed stores a connection's first tokens.
func (s *saver) seed(connID string, t app.Tokens) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stored == nil {
		s.stored = map[string]app.Tokens{}
	}
	if _, ok := s.stored[connID]; !ok {
		s.stored[connID] = t
	}
}

// put replaces a connection's stored tokens (a reconnect, a test's setup).
func (s *saver) put(connID string, t app.Tokens) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stored == nil {
		s.stored = map[string]app.Tokens{}
	}
	s.stored[connID] = t
}

func (s *saver) markedOnes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.marked...)
}

func (s *saver) RefreshTokens(ctx context.Context, connID string, refresh app.RefreshFunc) (app.Tokens, error) {
	s.lock.Lock()
	defer s.lock.Unlock()
	s.mu.Lock()
	stored := s.stored[connID]
	s.mu.Unlock()
	t, err := refresh(ctx, stored)
	switch {
	case app.ErrorCode(err) == app.NotConnected && stored.Refresh != "":
		s.mu.Lock()
		s.stored[connID] = app.Tokens{}
		s.marked = append(s.marked, connID)
		s.mu.Unlock()
	case err != nil || t == stored:
	default:
		if serr := s.SaveTokens(ctx, connID, t); serr != nil {
			return app.Tokens{}, serr
		}
	}
	return t, err
}

type savedTokens struct {
	connID      string
	tokens      app.Tokens
	callsBefore int
}

func (s *saver) SaveTokens(_ context.Context, connID string, t app.Tokens) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.saved = append(s.saved, savedTokens{connID: connID, tokens: t, callsBefore: s.dataCalls()})
	if s.fail == nil {
		if s.stored == nil {
			s.stored = map[string]app.Tokens{}
		}
		s.stored[connID] = t
	}
	return s.fail
}

func (s *saver) setFail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fail = err
}

func (s *saver) all() []savedTokens {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]savedTokens(nil), s.saved...)
}

// syncBuffer is a log sink safe for many goroutines.
type syncBuffer = logtest.Buffer

// wantErr checks an error's app code and message ("" code: no error).
func wantErr(t *testing.T, err error, code app.Code, msg string) {
	t.Helper()
	if got := app.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
	if code != "" && msg != "" {
		if got := app.ErrorMessage(err); got != msg {
			t.Errorf("message = %q, want %q", got, msg)
		}
	}
}
