package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/hubspot"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/queue"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/quickbooks"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/redis"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/server"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

const (
	appID    = 3000001
	secret   = "sandbox-hubspot-client-secret"
	portal1  = 20000001
	portal2  = 20000002
	usRealm  = "9130357766900001"
	caRealm  = "9130357766900002"
	cardPath = "/api/v1/records/{objectType}/{objectId}/invoices"
)

// testServer is the whole service as main assembles it: the real store
// (SQLite), cache, adapters, use cases and Echo server on a loopback port,
// with QuickBooks and HubSpot played by the sandbox fakes.
type testServer struct {
	url      string
	upstream *http.Client // reaches the fakes' hosts
	store    *store.Store
	cache    app.Cache
	fakes    *sandbox.Fakes
	conns    map[string]app.Connection
	svc      *app.Service
	hs       *hubspot.Client
}

type option func(*setup)

type setup struct {
	cache       app.Cache
	snapshotTTL time.Duration
	cardTTL     time.Duration
	unthrottled bool
	now         func() time.Time
	fakeNow     func() time.Time
	logs        io.Writer
	sync        *syncSetup
}

// syncSetup runs the background sync: the job queue (River on the test's
// SQLite store) with the QBO adapter as change feed.
type syncSetup struct {
	webhooks       bool          // the QBO fake delivers its webhooks to the server
	reconcileEvery time.Duration // 0: no periodic reconcile
	sweepEvery     time.Duration // 0: no periodic sweep
	pollInterval   time.Duration // how often the queue looks for jobs; default 100 ms
	jobTimeout     time.Duration // one attempt of a job; default 5 s (rescued after twice that)
}

// withSync turns the background sync on.
func withSync(sy syncSetup) option { return func(s *setup) { s.sync = &sy } }

// withLogs writes the whole service's logs, at debug level, to w.
func withLogs(w io.Writer) option { return func(s *setup) { s.logs = w } }

// withFakeClock gives both fakes a clock (their tokens' expiry).
func withFakeClock(now func() time.Time) option { return func(s *setup) { s.fakeNow = now } }

// withClock gives the use cases a clock (the connect state's expiry).
func withClock(now func() time.Time) option { return func(s *setup) { s.now = now } }

// withCache replaces the in-process cache.
func withCache(c app.Cache) option { return func(s *setup) { s.cache = c } }

// unthrottled turns off the fakes' rate limits (benchmarks).
func unthrottled() option { return func(s *setup) { s.unthrottled = true } }

// coldCards makes every view cold: snapshots expire at once and no built
// card is kept in memory (cold-path benchmarks).
func coldCards() option {
	return func(s *setup) { s.snapshotTTL, s.cardTTL = time.Nanosecond, -1 }
}

// stack is the service's parts over the sandbox fakes and a seeded SQLite
// store, as the test server and the fuzz server assemble them.
type stack struct {
	fakes    *sandbox.Fakes
	upstream *http.Client // reaches the fakes in-process
	store    *store.Store
	conns    map[string]app.Connection
	qbo      *quickbooks.Client
	hs       *hubspot.Client
}

// newStack starts the fakes with fakeOpts, opens and seeds a store, and
// builds both adapters over the fakes; tune adjusts their configurations.
func newStack(tb testing.TB, log *slog.Logger, fakeOpts sandbox.Options, tune func(*quickbooks.Config, *hubspot.Config)) *stack {
	tb.Helper()
	ctx := context.Background()
	fakes := sandbox.New(fakeOpts)
	tb.Cleanup(fakes.Close)
	upstream := &http.Client{Transport: fakes.Transport(), Timeout: 5 * time.Second}
	st, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(tb.TempDir(), "test.db"), EncryptionKey: bytes.Repeat([]byte{7}, 32)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	conns, err := fakes.SeedStore(ctx, st)
	if err != nil {
		tb.Fatal(err)
	}
	qboCfg := quickbooks.Config{
		APIBaseURL: "https://sandbox-quickbooks.api.intuit.com", ClientID: "sandbox-qbo-client-id",
		TokenURL:     "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
		RevokeURL:    "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
		ClientSecret: "sandbox-qbo-client-secret", HTTPClient: upstream, RetryBase: time.Millisecond, Logger: log,
	}
	hsCfg := hubspot.Config{HTTPClient: upstream, RetryBase: time.Millisecond, Logger: log,
		ClientID: "sandbox-hubspot-client-id", ClientSecret: "sandbox-hubspot-client-secret"}
	tune(&qboCfg, &hsCfg)
	return &stack{fakes: fakes, upstream: upstream, store: st, conns: conns, qbo: quickbooks.New(qboCfg, st), hs: hubspot.New(hsCfg, st)}
}

// deps are the use cases' dependencies over the stack, for a service at
// base (its OAuth redirect URIs).
func (sk *stack) deps(base string, cache app.Cache, log *slog.Logger) app.Deps {
	return app.Deps{Store: sk.store, Cache: cache, QuickBooks: sk.qbo, HubSpot: sk.hs, InvoiceObjects: sk.hs, InvoicePager: sk.qbo,
		Logger: log, QBOWebURL: "https://app.sandbox.qbo.intuit.com",
		Connect: app.ConnectConfig{
			AuthorizeURL: "https://appcenter.intuit.com/connect/oauth2", ClientID: "sandbox-qbo-client-id",
			RedirectURI: base + "/oauth/quickbooks/callback", Secret: bytes.Repeat([]byte{7}, 32),
		},
		Install: app.ConnectConfig{
			AuthorizeURL: "https://app.hubspot.com/oauth/authorize", ClientID: "sandbox-hubspot-client-id",
			RedirectURI: base + "/oauth/hubspot/callback", Secret: bytes.Repeat([]byte{7}, 32),
		}}
}

func newTestServer(t testing.TB, opts ...option) *testServer {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	set := setup{cache: redis.NewInProcess(1000, redis.Options{Logger: log})}
	for _, o := range opts {
		o(&set)
	}
	if set.logs != nil {
		log = slog.New(slog.NewJSONHandler(set.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()

	fakeOpts := sandbox.Options{Logger: log, Unthrottled: set.unthrottled, Now: set.fakeNow}
	if set.sync != nil && set.sync.webhooks {
		fakeOpts.QBOWebhookURL = base + "/webhooks/quickbooks"
	}
	sk := newStack(t, log, fakeOpts, func(_ *quickbooks.Config, hs *hubspot.Config) {
		if set.unthrottled {
			hs.RateLimit, hs.SearchPerSecond = -1, -1 // the fakes' limits are off: so are ours
		}
	})
	fakes, st, conns, qbo := sk.fakes, sk.store, sk.conns, sk.qbo
	deps := sk.deps(base, set.cache, log)
	deps.SnapshotTTL, deps.CardTTL, deps.Now = set.snapshotTTL, set.cardTTL, set.now
	var jobs *queue.Queue
	bound := &boundHandlers{}
	if set.sync != nil {
		db, dialect := st.Shared()
		every := func(d time.Duration) time.Duration {
			if d == 0 {
				return -1
			}
			return d
		}
		poll := set.sync.pollInterval
		if poll == 0 {
			poll = 100 * time.Millisecond
		}
		jobTimeout := set.sync.jobTimeout
		if jobTimeout == 0 {
			jobTimeout = 5 * time.Second
		}
		jobs, err = queue.Open(ctx, db, dialect, bound, queue.Options{Logger: log, PollInterval: poll,
			ReconcileEvery: every(set.sync.reconcileEvery), SweepEvery: every(set.sync.sweepEvery),
			RescueAfter: 2 * jobTimeout, JobTimeout: jobTimeout})
		if err != nil {
			t.Fatal(err)
		}
		deps.Jobs, deps.ChangeFeed, deps.Sync = jobs, qbo, st
	}
	svc := app.New(deps)
	bound.svc = svc
	if jobs != nil {
		if err := jobs.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			jobs.Stop(ctx)
		})
	}
	cfg := server.Config{PublicBaseURL: base, HubSpotAppID: appID, HubSpotClientSecret: secret}
	if set.sync != nil {
		cfg.QBOWebhookVerifierToken = qbofake.DefaultWebhookVerifierToken
	}
	srv := server.New(svc, log, server.NewMetrics(), cfg)
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &testServer{url: base, upstream: sk.upstream, hs: sk.hs, store: st, cache: set.cache, fakes: fakes, conns: conns, svc: svc}
}

// boundHandlers are the use cases the queue runs, bound once the service
// exists (as cmd's wiring does).
type boundHandlers struct{ svc *app.Service }

func (h *boundHandlers) ApplyChange(ctx context.Context, c app.Change) error {
	return h.svc.ApplyChange(ctx, c)
}
func (h *boundHandlers) Reconcile(ctx context.Context, id string) error {
	return h.svc.Reconcile(ctx, id)
}
func (h *boundHandlers) SweepOverdue(ctx context.Context) error { return h.svc.SweepOverdue(ctx) }
func (h *boundHandlers) ReconcileTargets(ctx context.Context) ([]string, error) {
	return h.svc.ReconcileTargets(ctx)
}
func (h *boundHandlers) RunImport(ctx context.Context, id string) (bool, error) {
	return h.svc.RunImportSlice(ctx, id)
}
func (h *boundHandlers) FinishWorkflowAction(ctx context.Context, in app.WorkflowInput) error {
	return h.svc.FinishWorkflowAction(ctx, in)
}

// card returns a card client of portal signed with the app's secret.
func card(portal int64) *hubspotfake.CardClient {
	return &hubspotfake.CardClient{AppID: appID, PortalID: portal, UserID: 7, UserEmail: "rep@northwind.example", ClientSecret: secret, NoRetry: true}
}

type answer struct {
	status int
	body   []byte
}

func (a answer) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %s: %v", a.body, err)
	}
}

func (a answer) errorCode(t *testing.T) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message, RequestID string }
	}
	a.decode(t, &e)
	if e.Error.Message == "" || e.Error.RequestID == "" {
		t.Errorf("error answer lacks a message or request id: %s", a.body)
	}
	return e.Error.Code
}

func (ts *testServer) call(t *testing.T, c *hubspotfake.CardClient, method, path, route string) answer {
	t.Helper()
	resp, err := c.Do(context.Background(), method, ts.url+path, nil)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if route != "" {
		checkAgainstOpenAPI(t, method, route, resp.StatusCode, body)
	}
	return answer{resp.StatusCode, body}
}

type cardAnswer struct {
	Connections []struct{ ID, RealmID, Country, Currency string }
	Groups      []struct {
		Connection struct{ RealmID string }
		Stale      bool
		Notice     string
		Invoices   []struct {
			LinkID, InvoiceID, Number, Status, StatusLabel, Total, Balance, AmountPaid, Currency string
			Known                                                                                bool
		}
	}
	Actions []struct {
		Name    string
		Allowed bool
		Reason  string
	}
}

func TestCardListsTheRecordsInvoicesAndIsFreeWhenWarm(t *testing.T) {
	ts := newTestServer(t)
	a := ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1011/invoices", cardPath)
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var got cardAnswer
	a.decode(t, &got)
	if len(got.Groups) != 1 || got.Groups[0].Connection.RealmID != usRealm {
		t.Fatalf("groups = %+v, want the US company's", got.Groups)
	}
	statuses := map[string]string{}
	for _, inv := range got.Groups[0].Invoices {
		statuses[inv.Status] = inv.Total
	}
	for status, total := range map[string]string{"awaiting_send": "300.00", "paid": "105.84", "voided": "0.00"} {
		if statuses[status] != total {
			t.Errorf("%s invoice total = %q, want %q (all: %v)", status, statuses[status], total, statuses)
		}
	}
	if len(got.Connections) != 2 {
		t.Errorf("portal one has %d connections, want US and CA", len(got.Connections))
	}
	if create := got.Actions[0]; !create.Allowed || create.Reason != "" {
		t.Errorf("deal 1011 has a published quote; create action = %+v", create)
	}

	cold := ts.fakes.QBO.Counters().Count("", usRealm)
	if cold != 1 {
		t.Errorf("cold card made %d QBO calls, want one query", cold)
	}
	ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1011/invoices", cardPath)
	if warm := ts.fakes.QBO.Counters().Count("", usRealm) - cold; warm != 0 {
		t.Errorf("warm card made %d QBO calls, want zero", warm)
	}
}

func TestCardGroupsInvoicesByCompany(t *testing.T) {
	ts := newTestServer(t)
	a := ts.call(t, card(portal1), "GET", "/api/v1/records/companies/1001/invoices", cardPath)
	var got cardAnswer
	a.decode(t, &got)
	if len(got.Groups) != 2 {
		t.Fatalf("company 1001 has invoices in two companies; groups = %d", len(got.Groups))
	}
	if ca := got.Groups[1]; ca.Connection.RealmID != caRealm || ca.Invoices[0].Status != "paid" || ca.Invoices[0].Total != "214.70" {
		t.Errorf("CA group = %+v", ca)
	}
}

func TestSignatureIsRequired(t *testing.T) {
	ts := newTestServer(t)
	path := "/api/v1/connections"

	resp, err := http.Get(ts.url + path + "?appId=3000001&portalId=20000001&userId=7")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if a := (answer{resp.StatusCode, body}); a.status != 401 || a.errorCode(t) != "unauthorized" {
		t.Errorf("unsigned: %d %s", a.status, a.body)
	}
	checkAgainstOpenAPI(t, "GET", path, resp.StatusCode, body)

	now := time.Now()
	cases := []struct {
		name   string
		client *hubspotfake.CardClient
	}{
		{"wrong secret", &hubspotfake.CardClient{AppID: appID, PortalID: portal1, ClientSecret: "another-secret", NoRetry: true}},
		{"another app", &hubspotfake.CardClient{AppID: 999, PortalID: portal1, ClientSecret: secret, NoRetry: true}},
		{"stale: 6 minutes old", &hubspotfake.CardClient{AppID: appID, PortalID: portal1, ClientSecret: secret, NoRetry: true, Now: func() time.Time { return now.Add(-6 * time.Minute) }}},
		{"future: 6 minutes ahead", &hubspotfake.CardClient{AppID: appID, PortalID: portal1, ClientSecret: secret, NoRetry: true, Now: func() time.Time { return now.Add(6 * time.Minute) }}},
	}
	for _, c := range cases {
		if a := ts.call(t, c.client, "GET", path, path); a.status != 401 || a.errorCode(t) != "unauthorized" {
			t.Errorf("%s: %d %s", c.name, a.status, a.body)
		}
	}
	if a := ts.call(t, card(portal1), "GET", path, path); a.status != 200 {
		t.Errorf("signed: %d %s", a.status, a.body)
	}
}

// signedRequest builds a request signed like HubSpot over signURL but sent
// to sendURL, to test tampering and HubSpot's URI-decoding rule.
func signedRequest(t *testing.T, method, sendURL, signURL string, ts time.Time) *http.Request {
	t.Helper()
	stamp := ts.UnixMilli()
	req, err := http.NewRequest(method, sendURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-HubSpot-Signature-v3", hubspotfake.SignV3(secret, method, signURL, nil, itoa(stamp)))
	req.Header.Set("X-HubSpot-Request-Timestamp", itoa(stamp))
	return req
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestTamperedAndDecodedURLs(t *testing.T) {
	ts := newTestServer(t)
	q := "?appId=3000001&portalId=20000001&userEmail=rep%40northwind.example&userId=7"
	signed := ts.url + "/api/v1/connections" + q
	cases := []struct {
		name       string
		send, sign string
		want       int
	}{
		{"signed over the raw URL", signed, signed, 200},
		{"signed over the decoded URL (HubSpot's documented rule)", signed, strings.Replace(signed, "%40", "@", 1), 200},
		{"portal swapped after signing", strings.Replace(signed, "20000001", "20000002", 1), signed, 401},
		{"path changed after signing", strings.Replace(signed, "connections", "records/deals/1011/invoices", 1), signed, 401},
		// The card runs in the user's browser: it can put another portal's id
		// before the one HubSpot appends and signs with the rest.
		{"another portal's id before HubSpot's", strings.Replace(signed, "?", "?portalId=20000002&", 1), strings.Replace(signed, "?", "?portalId=20000002&", 1), 401},
		{"appId twice", signed + "&appId=3000001", signed + "&appId=3000001", 401},
	}
	for _, c := range cases {
		resp, err := http.DefaultClient.Do(signedRequest(t, "GET", c.send, c.sign, time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, resp.StatusCode, body, c.want)
		}
	}
}

func TestPortalsSeeOnlyTheirOwnData(t *testing.T) {
	ts := newTestServer(t)
	var conns struct{ Connections []struct{ RealmID string } }
	ts.call(t, card(portal2), "GET", "/api/v1/connections", "/api/v1/connections").decode(t, &conns)
	if len(conns.Connections) != 1 || conns.Connections[0].RealmID != "9130357766900003" {
		t.Errorf("portal two's connections = %+v, want only its GB company", conns.Connections)
	}
	var got cardAnswer
	ts.call(t, card(portal2), "GET", "/api/v1/records/deals/1011/invoices", cardPath).decode(t, &got)
	if len(got.Groups) != 0 {
		t.Errorf("portal two sees portal one's invoices on deal 1011: %+v", got.Groups)
	}
	if n := ts.fakes.QBO.Counters().Count("", usRealm); n != 0 {
		t.Errorf("portal two's request reached portal one's QuickBooks company %d times", n)
	}
}

func TestBadInputGetsAClearError(t *testing.T) {
	ts := newTestServer(t)
	cases := []struct {
		path, wantCode, wantIn string
		status                 int
	}{
		{"/api/v1/records/tickets/1/invoices", "invalid", "tickets", 400},
		{"/api/v1/records/deals/12ab/invoices", "invalid", "12ab", 400},
		{"/api/v1/nothing-here", "not_found", "route", 404},
	}
	for _, c := range cases {
		a := ts.call(t, card(portal1), "GET", c.path, "")
		if a.status != c.status || a.errorCode(t) != c.wantCode || !bytes.Contains(a.body, []byte(c.wantIn)) {
			t.Errorf("%s: %d %s", c.path, a.status, a.body)
		}
	}
	ts.call(t, card(portal1), "GET", "/api/v1/records/tickets/1/invoices", cardPath) // the 400 is documented

	big := bytes.Repeat([]byte("a"), 2<<20)
	req, _ := http.NewRequest("POST", ts.url+"/api/v1/connections?appId=3000001&portalId=20000001", bytes.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !bytes.Contains(body, []byte("1 MB")) {
		t.Errorf("oversized body: %d %s", resp.StatusCode, body)
	}
}

func TestCardSurvivesQuickBooksFailures(t *testing.T) {
	cases := []struct {
		name  string
		fault qbofake.Fault
	}{
		{"429 throttled", qbofake.Fault{Status: 429, Body: []byte("<IntuitResponse/>"), Header: http.Header{"Content-Type": {"application/xml"}}}},
		{"500", qbofake.Fault{Status: 500, Body: []byte(`{"Fault":{"Error":[{"Message":"boom","code":"500"}],"type":"SERVICE"}}`)}},
		{"timeout", qbofake.Fault{Latency: 20 * time.Second}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := newTestServer(t)
			ts.fakes.QBO.Faults().Inject(qbofake.RouteQuery, c.fault)
			a := ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1011/invoices", cardPath)
			if a.status != 200 {
				t.Fatalf("status %d: %s", a.status, a.body)
			}
			var got cardAnswer
			a.decode(t, &got)
			if g := got.Groups[0]; !g.Stale || g.Notice == "" || g.Invoices[0].Known {
				t.Errorf("want unknown invoices flagged stale with a notice, got %+v", g)
			}
		})
	}
}

func TestCardSurvivesADeadRedis(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	cache, err := redis.Dial(context.Background(), "redis://"+dead, redis.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cache.Close() })
	ts := newTestServer(t, withCache(cache))
	a := ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1011/invoices", cardPath)
	if a.status != 200 {
		t.Fatalf("dead Redis broke the card: %d %s", a.status, a.body)
	}
	resp, err := http.Get(ts.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`"degraded"`)) {
		t.Errorf("readyz with a dead Redis: %d %s, want 200 degraded", resp.StatusCode, body)
	}
	checkAgainstOpenAPI(t, "GET", "/readyz", resp.StatusCode, body)
}

func TestOperationalEndpoints(t *testing.T) {
	ts := newTestServer(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(ts.url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
		checkAgainstOpenAPI(t, "GET", path, resp.StatusCode, body)
	}
	resp, err := http.Get(ts.url + "/api/v1/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("openapi: 3.1.0")) {
		t.Errorf("openapi.yaml: %d %.40s", resp.StatusCode, body)
	}
}
