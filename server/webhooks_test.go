package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/server"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/logtest"
)

// The QuickBooks webhook route, through the real server on a loopback port.
// newTestServer's service has no sync wired (AcceptChanges answers
// Unavailable), so these tests build their own: the real app.Service and
// server.Server over a recording app.Jobs and a SyncStore that knows which
// realms are connected, both below.

const (
	webhookRoute = "/webhooks/quickbooks"
	verifier     = qbofake.DefaultWebhookVerifierToken // "sandbox-qbo-verifier-token", the demo's too
	webhookLimit = 1_000_000                           // 1 MB: the server-wide BodyLimit "1M" is decimal
	// intuitDeadline is how long Intuit waits for the 200 (reference 5.2).
	intuitDeadline = 3 * time.Second
)

// recordingJobs is app.Jobs keeping every batch handed to it, in order.
type recordingJobs struct {
	mu      sync.Mutex
	batches [][]app.Change
	err     error
	arrived chan struct{}
}

func (j *recordingJobs) EnqueueChanges(_ context.Context, changes []app.Change) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	j.batches = append(j.batches, append([]app.Change(nil), changes...))
	select {
	case j.arrived <- struct{}{}:
	default:
	}
	return nil
}

func (j *recordingJobs) recorded() [][]app.Change {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([][]app.Change(nil), j.batches...)
}

// wait returns the first batch, waiting up to 10 s for it.
func (j *recordingJobs) wait(t *testing.T) []app.Change {
	t.Helper()
	select {
	case <-j.arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("no changes were handed to the queue")
	}
	return j.recorded()[0]
}

// realmStore is app.SyncStore knowing only which realms are connected and
// which bodies were accepted; what the webhook route never calls panics
// (the embedded nil interface).
type realmStore struct {
	app.SyncStore
	realms map[string]bool
	err    error

	mu          sync.Mutex
	receipts    map[string]time.Time
	receiptErr  error // WebhookReceived fails
	rememberErr error // RememberWebhook fails
}

func (r *realmStore) WebhookReceived(_ context.Context, digest string, since time.Time) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.receiptErr != nil {
		return false, r.receiptErr
	}
	at, ok := r.receipts[digest]
	return ok && !at.Before(since), nil
}

func (r *realmStore) RememberWebhook(_ context.Context, digest string, at, _ time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rememberErr != nil {
		return r.rememberErr
	}
	if r.receipts == nil {
		r.receipts = map[string]time.Time{}
	}
	r.receipts[digest] = at
	return nil
}

// fail makes WebhookReceived and RememberWebhook fail with these errors
// (nil: work).
func (r *realmStore) fail(received, remember error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.receiptErr, r.rememberErr = received, remember
}

func (r *realmStore) remembered() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.receipts)
}

func (r *realmStore) ConnectionsOfRealm(_ context.Context, realm string) ([]app.Connection, error) {
	if r.err != nil {
		return nil, r.err
	}
	if !r.realms[realm] {
		return nil, nil
	}
	return []app.Connection{{ID: "conn-" + realm, PortalID: portal1, RealmID: realm, State: app.Connected}}, nil
}
func (r *realmStore) ActiveConnections(context.Context) ([]app.Connection, error) { return nil, nil }
func (r *realmStore) LinkedInvoiceIDs(context.Context, string) ([]string, error)  { return nil, nil }
func (r *realmStore) SyncState(context.Context, string) (app.SyncState, error) {
	return app.SyncState{}, nil
}
func (r *realmStore) SaveCDCSince(context.Context, string, time.Time) error    { return nil }
func (r *realmStore) SaveSweptThrough(context.Context, string, app.Date) error { return nil }
func (r *realmStore) EntityVersion(context.Context, string, string, string) (time.Time, error) {
	return time.Time{}, nil
}
func (r *realmStore) SaveEntityVersion(context.Context, string, string, string, time.Time) error {
	return nil
}

// idleFeed is an app.ChangeFeed the webhook route never calls.
type idleFeed struct{}

func (idleFeed) Changes(context.Context, app.Connection, []string, time.Time) (app.ChangeSet, error) {
	return app.ChangeSet{}, errors.New("idleFeed: not used")
}
func (idleFeed) PaymentInvoices(context.Context, app.Connection, string) ([]string, error) {
	return nil, errors.New("idleFeed: not used")
}

type webhookServer struct {
	url  string
	srv  *server.Server
	jobs *recordingJobs
	sync *realmStore
	logs *syncBuffer
}

type hookSetup struct {
	unwired bool // no Jobs, ChangeFeed or SyncStore: AcceptChanges answers Unavailable
}

type hookOption func(*hookSetup)

func unwiredSync() hookOption { return func(s *hookSetup) { s.unwired = true } }

// newWebhookServer serves the real service on a loopback port with the
// sandbox's verifier token, the US and CA demo companies connected, and
// its logs kept.
func newWebhookServer(t *testing.T, opts ...hookOption) *webhookServer {
	t.Helper()
	var set hookSetup
	for _, o := range opts {
		o(&set)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ws := &webhookServer{
		jobs: &recordingJobs{arrived: make(chan struct{}, 1)},
		sync: &realmStore{realms: map[string]bool{usRealm: true, caRealm: true}},
		logs: logs,
	}
	deps := app.Deps{Logger: log}
	if !set.unwired {
		deps.Jobs, deps.ChangeFeed, deps.Sync = ws.jobs, idleFeed{}, ws.sync
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ws.url = "http://" + ln.Addr().String()
	ws.srv = server.New(app.New(deps), log, server.NewMetrics(), server.Config{
		PublicBaseURL: ws.url, HubSpotAppID: appID, HubSpotClientSecret: secret,
		QBOWebhookVerifierToken: verifier,
	})
	go ws.srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		ws.srv.Shutdown(ctx)
	})
	return ws
}

// syncBuffer is a log sink safe for many goroutines.
type syncBuffer = logtest.Buffer

// post sends body to the webhook route of baseURL with headers (nil values
// are left out), checks the answer against openapi.yaml and that it came
// within Intuit's 3 s.
func post(t *testing.T, baseURL string, body []byte, headers map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest("POST", baseURL+webhookRoute, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "intuit_notification_server/0.1")
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	start := time.Now()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", webhookRoute, err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if took := time.Since(start); took >= intuitDeadline {
		t.Errorf("answered in %s; Intuit gives up after %s", took, intuitDeadline)
	}
	checkAgainstOpenAPI(t, "POST", webhookRoute, resp.StatusCode, got)
	return answer{resp.StatusCode, got}
}

// signed posts body signed with the sandbox's verifier token.
func signed(t *testing.T, baseURL, body string) answer {
	t.Helper()
	return post(t, baseURL, []byte(body), map[string]string{"intuit-signature": qbofake.Sign(verifier, []byte(body))})
}

func wantAccepted(t *testing.T, a answer) {
	t.Helper()
	if a.status != 200 || strings.TrimSpace(string(a.body)) != "{}" {
		t.Fatalf("answer %d %s, want 200 {}", a.status, a.body)
	}
}

func wantReplayed(t *testing.T, a answer) {
	t.Helper()
	if a.status != 200 || strings.TrimSpace(string(a.body)) != `{"replayed":true}` {
		t.Fatalf("answer %d %s, want 200 {\"replayed\":true}", a.status, a.body)
	}
}

func wantRefused(t *testing.T, a answer, status int, code string) {
	t.Helper()
	if a.status != status || a.errorCode(t) != code {
		t.Errorf("answer %d %s, want %d %s", a.status, a.body, status, code)
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func TestQBOWebhookLegacyForm(t *testing.T) {
	ws := newWebhookServer(t)
	// Intuit's W1 sample shape, two realms, a merge with deletedId, a kind
	// the app does not act on (Vendor: passed through, the app ignores it)
	// and lower-case operation spelling.
	body := `{"eventNotifications":[
	  {"realmId":"` + usRealm + `","dataChangeEvent":{"entities":[
	    {"name":"Invoice","id":"130","operation":"Update","lastUpdated":"2025-09-08T20:52:31.657Z"},
	    {"name":"Customer","id":"1","operation":"Merge","lastUpdated":"2015-10-05T14:42:19-0700","deletedId":"27"},
	    {"name":"Vendor","id":"1","operation":"create","lastUpdated":"2015-10-05T14:42:19-07:00"}]}},
	  {"realmId":` + caRealm + `,"dataChangeEvent":{"entities":[
	    {"name":"Payment","id":42,"operation":"Void","lastUpdated":"2025-09-08T20:52:31Z","extra":"ignored"}]}}]}`
	wantAccepted(t, post(t, ws.url, []byte(body), map[string]string{
		"intuit-signature": qbofake.Sign(verifier, []byte(body)), "Content-Type": "text/plain"}))
	want := []app.Change{
		{RealmID: usRealm, Entity: app.EntityInvoice, EntityID: "130", Operation: app.OpUpdate, LastUpdated: at("2025-09-08T20:52:31.657Z")},
		{RealmID: usRealm, Entity: app.EntityCustomer, EntityID: "1", Operation: app.OpMerge, LastUpdated: at("2015-10-05T21:42:19Z"), DeletedID: "27"},
		{RealmID: usRealm, Entity: "Vendor", EntityID: "1", Operation: app.OpCreate, LastUpdated: at("2015-10-05T21:42:19Z")},
		{RealmID: caRealm, Entity: app.EntityPayment, EntityID: "42", Operation: app.OpVoid, LastUpdated: at("2025-09-08T20:52:31Z")},
	}
	if diff := cmp.Diff([][]app.Change{want}, ws.jobs.recorded()); diff != "" {
		t.Errorf("queued changes (-want +got):\n%s", diff)
	}
}

func TestQBOWebhookCloudEventsForm(t *testing.T) {
	ws := newWebhookServer(t)
	event := func(typ, id, data string) string {
		e := `{"specversion":"1.0","id":"88cd52aa-33b6-4351-9aa4-47572edbd068","source":"intuit.dsnBgbseACLLRZNxo2dfc4evmEJdxde58xeeYcZliOU=",` +
			`"type":"` + typ + `","datacontenttype":"application/json","time":"2025-09-10T21:31:25.179851517Z",` +
			`"intuitentityid":"` + id + `","intuitaccountid":"` + usRealm + `"`
		if data != "" {
			e += `,"data":` + data
		}
		return e + "}"
	}
	cases := []struct{ typ, entity, op string }{
		{"qbo.invoice.updated.v1", app.EntityInvoice, app.OpUpdate},
		{"qbo.payment.created.v1", app.EntityPayment, app.OpCreate},
		{"qbo.customer.deleted.v1", app.EntityCustomer, app.OpDelete},
		{"qbo.item.updated.v1", app.EntityItem, app.OpUpdate},
		{"qbo.term.created.v1", app.EntityTerm, app.OpCreate},
		{"qbo.preferences.updated.v1", app.EntityPreferences, app.OpUpdate},
		{"qbo.invoice.voided.v1", app.EntityInvoice, app.OpVoid},
		{"qbo.invoice.emailed.v1", app.EntityInvoice, app.OpEmailed},
		{"qbo.vendor.created.v1", "Vendor", app.OpCreate},
		{"qbo.employee.updated.v1", "Employee", app.OpUpdate},
		{"qbo.estimate.deleted.v1", "Estimate", app.OpDelete},
		{"qbo.creditmemo.voided.v1", "CreditMemo", app.OpVoid},
		{"qbo.invoice.updated.v2", app.EntityInvoice, app.OpUpdate}, // a later version, same meaning
		{"qbo.invoice.updated", app.EntityInvoice, app.OpUpdate},    // no version
		{"qbo.widget.archived.v1", "Widget", "Archived"},            // unknown: passed through
	}
	var events []string
	var want []app.Change
	for i, c := range cases {
		id := itoa(int64(100 + i))
		events = append(events, event(c.typ, id, []string{"", "{}", "null"}[i%3]))
		want = append(want, app.Change{RealmID: usRealm, Entity: c.entity, EntityID: id, Operation: c.op,
			LastUpdated: at("2025-09-10T21:31:25.179851517Z")})
	}
	events = append(events, event("qbo.customer.merged.v1", "1", `{"deletedid":"27"}`))
	want = append(want, app.Change{RealmID: usRealm, Entity: app.EntityCustomer, EntityID: "1", Operation: app.OpMerge,
		LastUpdated: at("2025-09-10T21:31:25.179851517Z"), DeletedID: "27"})

	wantAccepted(t, signed(t, ws.url, "["+strings.Join(events, ",")+"]"))
	if diff := cmp.Diff([][]app.Change{want}, ws.jobs.recorded()); diff != "" {
		t.Errorf("queued changes (-want +got):\n%s", diff)
	}
}

// TestQBOWebhookFromTheQuickBooksFake: real notifications, signed and
// POSTed by the QuickBooks fake after an invoice is sent in it, in both
// forms, are accepted and queued.
func TestQBOWebhookFromTheQuickBooksFake(t *testing.T) {
	for _, format := range []string{qbofake.WebhookFormatCloudEvents, qbofake.WebhookFormatLegacy} {
		t.Run(format, func(t *testing.T) {
			ws := newWebhookServer(t)
			var qbo *qbofake.Server
			var realm qbofake.DemoRealm
			if format == qbofake.WebhookFormatCloudEvents {
				// The sandbox as tests and the demo compose it (CloudEvents, its default).
				fakes := sandbox.New(sandbox.Options{QBOWebhookURL: ws.url + webhookRoute})
				t.Cleanup(fakes.Close)
				qbo = fakes.QBO
				for _, r := range fakes.Seed.Realms {
					if r.RealmID == usRealm {
						realm = r
					}
				}
			} else {
				qbo = qbofake.New(qbofake.Options{WebhookURL: ws.url + webhookRoute, WebhookFormat: qbofake.WebhookFormatLegacy})
				t.Cleanup(qbo.Close)
				realm, _ = qbo.SeedDemo().Realm(usRealm)
			}
			invoice := realm.Records["invoices"]["awaiting_send"]
			if invoice == "" {
				t.Fatal("no seeded awaiting_send invoice")
			}

			before := time.Now().Add(-time.Second)
			req, _ := http.NewRequest("POST", "https://sandbox-quickbooks.api.intuit.com/v3/company/"+usRealm+
				"/invoice/"+invoice+"/send?sendTo=ap%40acme.example", nil)
			req.Header.Set("Authorization", "Bearer "+realm.AccessToken)
			req.Header.Set("Accept", "application/json")
			resp, err := (&http.Client{Transport: qbo.Transport()}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("send the invoice in the fake: %d %s", resp.StatusCode, body)
			}

			got := ws.jobs.wait(t)
			if len(got) != 1 {
				t.Fatalf("queued %+v, want the invoice's one change", got)
			}
			c := got[0]
			if c.RealmID != usRealm || c.Entity != app.EntityInvoice || c.EntityID != invoice || c.Operation != app.OpEmailed || c.DeletedID != "" {
				t.Errorf("queued %+v, want invoice %s of realm %s emailed", c, invoice, usRealm)
			}
			if c.LastUpdated.Before(before) || c.LastUpdated.After(time.Now().Add(time.Second)) || c.LastUpdated.Location() != time.UTC {
				t.Errorf("LastUpdated = %v, want about now, in UTC", c.LastUpdated)
			}
			// The handler logs after the queue returns: give it a moment.
			accepted := func() bool {
				logs := ws.logs.String()
				return strings.Contains(logs, `"msg":"quickbooks webhook accepted"`) && strings.Contains(logs, `"format":"`+format+`"`)
			}
			for deadline := time.Now().Add(5 * time.Second); !accepted() && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			if !accepted() {
				t.Errorf("no accepted line for the %s delivery in the logs:\n%s", format, ws.logs)
			}
		})
	}
}

func TestQBOWebhookSignature(t *testing.T) {
	ws := newWebhookServer(t)
	const marker = "LOOK-FOR-ME-IN-THE-LOGS"
	body := `{"eventNotifications":[{"realmId":"` + usRealm + `","dataChangeEvent":{"entities":[` +
		`{"name":"Invoice","id":"` + marker + `","operation":"Update","lastUpdated":"2025-09-08T20:52:31.657Z"}]}}]}`
	cases := []struct {
		name, signature string
	}{
		{"missing", ""},
		{"forged: another verifier token", qbofake.Sign("another-verifier-token", []byte(body))},
		{"signature of a different body", qbofake.Sign(verifier, []byte(strings.Replace(body, "Update", "Delete", 1)))},
		{"not base64", "not base64!"},
		{"truncated", qbofake.Sign(verifier, []byte(body))[:20]},
		{"the HubSpot client secret as key", qbofake.Sign(secret, []byte(body))},
	}
	for _, c := range cases {
		a := post(t, ws.url, []byte(body), map[string]string{"intuit-signature": c.signature})
		wantRefused(t, a, 401, "unauthorized")
		if c.name != "missing" && !strings.Contains(string(a.body), "does not match") {
			t.Errorf("%s: message %s", c.name, a.body)
		}
	}
	if n := len(ws.jobs.recorded()); n != 0 {
		t.Errorf("%d batches queued from unsigned or badly signed bodies", n)
	}
	if strings.Contains(ws.logs.String(), marker) {
		t.Errorf("the logs show a refused body:\n%s", ws.logs)
	}
	wantAccepted(t, signed(t, ws.url, body)) // the same body, signed, passes

	// A server configured without a verifier token refuses every webhook,
	// even one signed with the empty key.
	plain := newTestServer(t)
	for _, sig := range []string{qbofake.Sign(verifier, []byte(body)), qbofake.Sign("", []byte(body))} {
		a := post(t, plain.url, []byte(body), map[string]string{"intuit-signature": sig})
		wantRefused(t, a, 401, "unauthorized")
	}
}

func TestQBOWebhookBodyLimit(t *testing.T) {
	ws := newWebhookServer(t)

	// Declared too large: refused before a byte is read.
	big := bytes.Repeat([]byte(" "), webhookLimit+1)
	a := post(t, ws.url, big, map[string]string{"intuit-signature": qbofake.Sign(verifier, big)})
	wantRefused(t, a, 413, "invalid")
	if !strings.Contains(string(a.body), "1 MB") {
		t.Errorf("413 message: %s", a.body)
	}

	// Exactly at the limit: a signed notification padded to 1 MB passes.
	note := []byte(`[{"type":"qbo.invoice.updated.v1","time":"2025-09-10T21:31:25Z","intuitentityid":"130","intuitaccountid":"` + usRealm + `"}]`)
	exact := append(note, bytes.Repeat([]byte(" "), webhookLimit-len(note))...)
	wantAccepted(t, post(t, ws.url, exact, map[string]string{"intuit-signature": qbofake.Sign(verifier, exact)}))

	// Undeclared (chunked) and endless: the sender has written the limit
	// plus 4 MiB and then stalls forever. A handler reading past the limit
	// would wait for it; ours answers 413 at once.
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	req, _ := http.NewRequest("POST", ws.url+webhookRoute, &stallingReader{left: webhookLimit + 4<<20, release: release})
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("intuit-signature", qbofake.Sign(verifier, note))
	start := time.Now()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("chunked oversized body: %v", err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 413 || time.Since(start) >= intuitDeadline {
		t.Errorf("chunked oversized body: %d %s after %s, want 413 at once", resp.StatusCode, got, time.Since(start))
	}
	checkAgainstOpenAPI(t, "POST", webhookRoute, resp.StatusCode, got)

	// In process, the same through the whole middleware stack, counting
	// what the handler reads of an endless body: never past the limit.
	body := &countingReader{}
	r := httptest.NewRequest("POST", webhookRoute, body)
	r.ContentLength = -1
	r.Header.Set("intuit-signature", qbofake.Sign(verifier, note))
	rec := httptest.NewRecorder()
	ws.srv.Handler().ServeHTTP(rec, r)
	if rec.Code != 413 || body.n > webhookLimit+1 {
		t.Errorf("endless body: %d after reading %d bytes; want 413 after at most %d", rec.Code, body.n, webhookLimit+1)
	}
	if n := len(ws.jobs.recorded()); n != 1 {
		t.Errorf("%d batches queued, want only the one at the limit", n)
	}
}

// stallingReader yields left bytes of JSON-ish filler, then blocks until
// release.
type stallingReader struct {
	left    int
	release chan struct{}
}

func (r *stallingReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		<-r.release
		return 0, io.EOF
	}
	n := min(len(p), r.left)
	for i := range p[:n] {
		p[i] = ' '
	}
	r.left -= n
	return n, nil
}

// countingReader is an endless body that counts what was read of it.
type countingReader struct{ n int }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '['
	}
	r.n += len(p)
	return len(p), nil
}

func TestQBOWebhookMalformedBody(t *testing.T) {
	ws := newWebhookServer(t)
	cases := []struct{ name, body, wantIn string }{
		{"not JSON", `{"eventNotifications":[`, "not valid JSON"},
		{"empty", ``, "empty"},
		{"a string", `"hello"`, "neither"},
		{"an object of another kind", `{"hello":"world"}`, "eventNotifications"},
		{"array of numbers", `[1,2]`, "number"},
		{"legacy without realm", `{"eventNotifications":[{"dataChangeEvent":{"entities":[]}}]}`, "realmId"},
		{"legacy without id", `{"eventNotifications":[{"realmId":"1","dataChangeEvent":{"entities":[{"name":"Invoice","operation":"Update","lastUpdated":"2025-09-08T20:52:31Z"}]}}]}`, "has no id"},
		{"legacy without lastUpdated", `{"eventNotifications":[{"realmId":"1","dataChangeEvent":{"entities":[{"name":"Invoice","id":"1","operation":"Update"}]}}]}`, "lastUpdated"},
		{"legacy with an unreadable lastUpdated", `{"eventNotifications":[{"realmId":"1","dataChangeEvent":{"entities":[{"name":"Invoice","id":"1","operation":"Update","lastUpdated":"yesterday"}]}}]}`, "yesterday"},
		{"cloudevent with a bad type", `[{"type":"com.example.thing","time":"2025-09-10T21:31:25Z","intuitentityid":"1","intuitaccountid":"1"}]`, "com.example.thing"},
		{"cloudevent with a bad version", `[{"type":"qbo.invoice.updated.latest","time":"2025-09-10T21:31:25Z","intuitentityid":"1","intuitaccountid":"1"}]`, "qbo.invoice.updated.latest"},
		{"cloudevent without entity id", `[{"type":"qbo.invoice.updated.v1","time":"2025-09-10T21:31:25Z","intuitaccountid":"1"}]`, "intuitentityid"},
		{"cloudevent without time", `[{"type":"qbo.invoice.updated.v1","intuitentityid":"1","intuitaccountid":"1"}]`, "time"},
	}
	for _, c := range cases {
		a := signed(t, ws.url, c.body)
		wantRefused(t, a, 400, "invalid")
		if !strings.Contains(string(a.body), c.wantIn) {
			t.Errorf("%s: %s does not say %q", c.name, a.body, c.wantIn)
		}
	}
	if n := len(ws.jobs.recorded()); n != 0 {
		t.Errorf("%d batches queued from malformed bodies", n)
	}
	if n := strings.Count(ws.logs.String(), `"msg":"quickbooks webhook not understood"`); n != len(cases) {
		t.Errorf("%d warnings for %d malformed signed bodies", n, len(cases))
	}
}

func TestQBOWebhookLastUpdatedFormats(t *testing.T) {
	ws := newWebhookServer(t)
	cases := []struct{ in, want string }{
		{"2015-10-05T14:42:19-0700", "2015-10-05T21:42:19Z"}, // Intuit's 2015 sample: no colon
		{"2015-10-05T14:42:19-07:00", "2015-10-05T21:42:19Z"},
		{"2015-10-05T14:42:19.123-0700", "2015-10-05T21:42:19.123Z"},
		{"2015-10-05T14:42:19.123+05:30", "2015-10-05T09:12:19.123Z"},
		{"2025-09-08T20:52:31.657Z", "2025-09-08T20:52:31.657Z"}, // the 2025 blog
		{"2025-09-08T20:52:31Z", "2025-09-08T20:52:31Z"},
		{"2025-09-10T21:31:25.179851517Z", "2025-09-10T21:31:25.179851517Z"}, // CloudEvents time
		{" 2025-09-08T20:52:31+0000 ", "2025-09-08T20:52:31Z"},
	}
	var entities []string
	for i, c := range cases {
		entities = append(entities, `{"name":"Invoice","id":"`+itoa(int64(i+1))+`","operation":"Update","lastUpdated":"`+c.in+`"}`)
	}
	wantAccepted(t, signed(t, ws.url, `{"eventNotifications":[{"realmId":"`+usRealm+`","dataChangeEvent":{"entities":[`+strings.Join(entities, ",")+`]}}]}`))
	got := ws.jobs.recorded()
	if len(got) != 1 || len(got[0]) != len(cases) {
		t.Fatalf("queued %+v", got)
	}
	for i, c := range cases {
		if lu := got[0][i].LastUpdated; !lu.Equal(at(c.want)) || lu.Location() != time.UTC {
			t.Errorf("lastUpdated %q read as %v, want %s (UTC)", c.in, lu, c.want)
		}
	}
}

func TestQBOWebhookRealmNoPortalConnected(t *testing.T) {
	ws := newWebhookServer(t)
	other := "4620816365000000001"
	wantAccepted(t, signed(t, ws.url, `[{"type":"qbo.invoice.updated.v1","time":"2025-09-10T21:31:25Z","intuitentityid":"1","intuitaccountid":"`+other+`"}]`))
	if n := len(ws.jobs.recorded()); n != 0 {
		t.Errorf("a change of an unconnected realm was queued")
	}
	// Mixed with a connected realm: only that one's change is queued.
	wantAccepted(t, signed(t, ws.url, `[`+
		`{"type":"qbo.invoice.updated.v1","time":"2025-09-10T21:31:25Z","intuitentityid":"1","intuitaccountid":"`+other+`"},`+
		`{"type":"qbo.invoice.updated.v1","time":"2025-09-10T21:31:25Z","intuitentityid":"2","intuitaccountid":"`+caRealm+`"}]`))
	if got := ws.jobs.recorded(); len(got) != 1 || len(got[0]) != 1 || got[0][0].RealmID != caRealm {
		t.Errorf("queued %+v, want only the CA company's change", got)
	}
	// Each body's change of the unknown realm is dropped with a line naming
	// the realm (written before the answer); the connected realm's is not.
	const dropped = `"msg":"quickbooks webhook for a realm no portal connected; dropped"`
	drops := map[string]int{}
	for _, line := range strings.Split(ws.logs.String(), "\n") {
		if !strings.Contains(line, dropped) {
			continue
		}
		switch {
		case strings.Contains(line, `"realm":"`+other+`"`):
			drops[other]++
		case strings.Contains(line, `"realm":"`+caRealm+`"`):
			drops[caRealm]++
		default:
			drops["?"]++
		}
		if !strings.Contains(line, `"level":"INFO"`) {
			t.Errorf("the drop is not logged at INFO: %s", line)
		}
	}
	if drops[other] != 2 || len(drops) != 1 {
		t.Errorf("drop lines by realm: %v, want 2 for %s (one per body) and none other:\n%s", drops, other, ws.logs)
	}
}

// TestQBOWebhookReplay: a signed body accepted once is refused when sent
// again (answered 200, so an Intuit redelivery stops, but nothing queued);
// the same changes in other bytes are a new body, left to the queue's
// de-duplication; a body that was not accepted is not taken for a replay
// when Intuit retries it.
func TestQBOWebhookReplay(t *testing.T) {
	ws := newWebhookServer(t)
	body := `[{"type":"qbo.payment.created.v1","time":"2025-09-10T21:31:25Z","intuitentityid":"9","intuitaccountid":"` + usRealm + `"}]`
	wantAccepted(t, signed(t, ws.url, body))
	for range 3 {
		wantReplayed(t, signed(t, ws.url, body))
	}
	if got := ws.jobs.recorded(); len(got) != 1 {
		t.Fatalf("queued %d batches, want the first delivery's only", len(got))
	}
	if n := strings.Count(ws.logs.String(), `"msg":"quickbooks webhook replayed; refused"`); n != 3 {
		t.Errorf("%d replay log lines, want 3:\n%s", n, ws.logs)
	}
	// The same change in other bytes (Intuit's other form, or batched
	// with others) is another body: accepted, and queued for the queue to
	// record once.
	legacy := `{"eventNotifications":[{"realmId":"` + usRealm + `","dataChangeEvent":{"entities":[` +
		`{"name":"Payment","id":"9","operation":"Create","lastUpdated":"2025-09-10T21:31:25Z"}]}}]}`
	wantAccepted(t, signed(t, ws.url, legacy))
	if got := ws.jobs.recorded(); len(got) != 2 || !cmp.Equal(got[0], got[1]) {
		t.Errorf("queued %+v, want the same change twice", got)
	}

	// A body the queue could not take (503) is not remembered: Intuit's
	// retry of it is accepted, not refused as a replay.
	retried := `[{"type":"qbo.invoice.updated.v1","time":"2025-09-10T21:40:00Z","intuitentityid":"130","intuitaccountid":"` + usRealm + `"}]`
	ws.jobs.mu.Lock()
	ws.jobs.err = errors.New("queue down")
	ws.jobs.mu.Unlock()
	wantRefused(t, signed(t, ws.url, retried), 503, "unavailable")
	ws.jobs.mu.Lock()
	ws.jobs.err = nil
	ws.jobs.mu.Unlock()
	wantAccepted(t, signed(t, ws.url, retried))
	wantReplayed(t, signed(t, ws.url, retried))
	if got := ws.jobs.recorded(); len(got) != 3 || got[2][0].EntityID != "130" {
		t.Errorf("queued %+v, want the retried body once", got)
	}
	if n := ws.sync.remembered(); n != 3 {
		t.Errorf("%d bodies remembered, want 3", n)
	}
}

// TestQBOWebhookReplayCheckFailing: when the store cannot say whether a
// body was seen the answer is 503 (Intuit retries) and nothing is queued;
// when it cannot remember an accepted body the changes are durable anyway,
// so the answer is 200 and the lapse is logged.
func TestQBOWebhookReplayCheckFailing(t *testing.T) {
	ws := newWebhookServer(t)
	body := `[{"type":"qbo.invoice.updated.v1","time":"2025-09-10T21:31:25Z","intuitentityid":"130","intuitaccountid":"` + usRealm + `"}]`
	ws.sync.fail(errors.New("store down"), nil)
	wantRefused(t, signed(t, ws.url, body), 503, "unavailable")
	if n := len(ws.jobs.recorded()); n != 0 {
		t.Fatalf("%d batches queued while the replay check failed", n)
	}
	ws.sync.fail(nil, errors.New("store down"))
	wantAccepted(t, signed(t, ws.url, body))
	if !strings.Contains(ws.logs.String(), "accepted but not remembered") {
		t.Errorf("the unremembered body was not logged:\n%s", ws.logs)
	}
	// Not remembered, so sent again it reaches the queue again (which
	// records the change once).
	wantAccepted(t, signed(t, ws.url, body))
	if n := len(ws.jobs.recorded()); n != 2 {
		t.Errorf("%d batches queued, want 2", n)
	}
}

func TestQBOWebhookEmptyNotification(t *testing.T) {
	ws := newWebhookServer(t)
	wantAccepted(t, signed(t, ws.url, `[]`))
	wantAccepted(t, signed(t, ws.url, `{"eventNotifications":[{"realmId":"`+usRealm+`"}]}`))
	if got := ws.jobs.recorded(); len(got) != 0 {
		t.Errorf("queued %+v from empty notifications", got)
	}
}

// TestQBOWebhookUnavailable: when the changes cannot be made durable the
// answer is 503, so Intuit retries.
func TestQBOWebhookUnavailable(t *testing.T) {
	body := `[{"type":"qbo.invoice.updated.v1","time":"2025-09-10T21:31:25Z","intuitentityid":"1","intuitaccountid":"` + usRealm + `"}]`

	a := signed(t, newWebhookServer(t, unwiredSync()).url, body)
	wantRefused(t, a, 503, "unavailable")
	if !strings.Contains(string(a.body), "sync is not running") {
		t.Errorf("unwired: %s", a.body)
	}

	ws := newWebhookServer(t)
	ws.sync.err = errors.New("store down")
	wantRefused(t, signed(t, ws.url, body), 503, "unavailable")

	ws = newWebhookServer(t)
	ws.jobs.err = errors.New("queue down")
	a = signed(t, ws.url, body)
	wantRefused(t, a, 503, "unavailable")
	if strings.Contains(string(a.body), "queue down") {
		t.Errorf("the answer shows the cause: %s", a.body)
	}
}

// TestQBOWebhookSkipsOneBadNotification: a body with one notification that
// lacks a field keeps the others; refusing it would have Intuit send the
// same body forever and lose the good ones.
func TestQBOWebhookSkipsOneBadNotification(t *testing.T) {
	ws := newWebhookServer(t)
	body := `[{"specversion":"1.0","id":"a","source":"s","type":"qbo.invoice.updated.v1","time":"2026-11-28T10:00:00Z","intuitentityid":"7","intuitaccountid":"` + usRealm + `"},
	{"specversion":"1.0","id":"b","source":"s","type":"qbo.invoice.updated.v1","intuitentityid":"8","intuitaccountid":"` + usRealm + `"}]`
	wantAccepted(t, signed(t, ws.url, body))
	got := ws.jobs.recorded()
	if len(got) != 1 || len(got[0]) != 1 || got[0][0].EntityID != "7" {
		t.Fatalf("recorded %+v, want only invoice 7", got)
	}
	if !strings.Contains(ws.logs.String(), "notifications skipped") {
		t.Error("the skipped notification was not logged")
	}
}
