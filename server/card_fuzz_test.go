package server_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/hubspot"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/queue"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/quickbooks"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/redis"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/server"
)

// FuzzCardRequests drives every route HubSpot or Intuit calls (each
// /api/v1 card route, the workflow action's two and the QuickBooks webhook,
// read from the server's own route table) through the real Echo handler,
// the real service, store, adapters and sandbox fakes, with a correctly
// signed request: HubSpot's v3 signature over the exact URL and body, or
// intuit-signature for the webhook. The fuzzer picks the route, its path
// parameters, the card's query string and the raw body. Properties, for
// any input: the answer is never a 5xx (a panic would be a 500 from
// Recover); an error is the API's envelope {"error":{code,message,
// requestId}} whose code is the one its status stands for; and the same
// request sent again is refused the same way (a stable code, not an
// accident of state or timing). The webhook is answered 200 or 400.
//
// Rate limits are off here (the fakes' and the adapters'), and the job
// queue records jobs without running them: a limit or a background job
// answering 503 would be the service working as designed, not a decoder
// failing. Corpus: testdata/fuzz/FuzzCardRequests.
func FuzzCardRequests(f *testing.F) {
	fs := newFuzzServer(f)
	routes := fs.routes()
	index := func(method, path string) uint8 {
		for i, r := range routes {
			if r.Method == method && r.Path == path {
				return uint8(i)
			}
		}
		f.Fatalf("no route %s %s", method, path)
		return 0
	}
	seed := func(method, path, a, b, query, body string) {
		f.Add(index(method, path), a, b, query, []byte(body))
	}
	seed("POST", "/api/v1/records/:objectType/:objectId/invoices", "", "", "",
		`{"idempotencyKey":"fuzz-key-0001","connectionId":"`+fs.usConn+`","customer":{"id":"1"},"txnDate":"2025-01-02","lines":[{"itemId":"1","quantity":"2","unitPrice":"150.00"}]}`)
	seed("POST", "/api/v1/records/:objectType/:objectId/invoices", "", "", "", `{"idempotencyKey":"k","lines":[{"quantity":"1e400"}]}`)
	seed("POST", "/api/v1/records/:objectType/:objectId/invoices", "contacts", "1004", "", `{"customer":{"new":{"displayName":"  "}}}`)
	seed("POST", "/api/v1/records/:objectType/:objectId/invoice-links", "", "", "", `{"connectionId":"`+fs.usConn+`","invoiceIds":["2","x"]}`)
	seed("POST", "/api/v1/records/:objectType/:objectId/invoice-links", "tickets", "1", "", `{"invoiceIds":null}`)
	seed("GET", "/api/v1/records/:objectType/:objectId/invoice-draft", "", "", "connectionId="+fs.usConn+"&quoteId=1014", "")
	seed("GET", "/api/v1/records/:objectType/:objectId/invoice-draft", "", "", "quoteId=1%27", "")
	seed("GET", "/api/v1/records/:objectType/:objectId/invoices", "companies", "1001", "", "")
	seed("GET", "/api/v1/connections/:id/invoices", "", "", "q=1001&page=1&objectType=deals&objectId=1011", "")
	seed("GET", "/api/v1/connections/:id/invoices", "", "", "q=%27+OR+Id+%3E+%270&page=0", "")
	seed("GET", "/api/v1/connections/:id/items", "", "", "q=Design", "")
	seed("GET", "/api/v1/connections/:id/customers", "", "", "q=Amy%27s", "")
	seed("POST", "/api/v1/connections/:id/invoices/:invoiceId/send", "", "1", "", `{"email":"ap@acme.example","idempotencyKey":"send-key-1"}`)
	seed("PUT", "/api/v1/settings/default-connection", "", "", "", `{"connectionId":""}`)
	seed("PUT", "/api/v1/settings/sync/:object", "contacts", "", "", `{"enabled":true,"onCreateOrUpdate":"update_only","onDelete":"keep"}`)
	seed("PUT", "/api/v1/settings/sync/invoices/mapping", "", "", "", `{"fields":[{"qbo":"DocNumber","hubspot":"hs_number"}]}`)
	seed("PUT", "/api/v1/settings/sync/contacts/mapping", "", "", "", `{"fields":[{"qbo":"GivenName"}]}`)
	seed("GET", "/api/v1/settings/sync-log", "", "", "object=invoices&outcome=failed&limit=2&before=x", "")
	seed("POST", "/api/v1/installation/uninstall", "", "", "", `{"confirm":"no"}`)
	seed("POST", "/workflow-actions/create-invoice", "", "", "",
		`{"callbackId":"cb-1","origin":{"portalId":20000001},"object":{"objectId":1033,"objectType":"DEAL"},"inputFields":{"dueDays":"x"}}`)
	seed("POST", "/workflow-actions/create-invoice/options", "", "", "", `{"portalId":20000001,"inputFieldName":"connectionId","fetchOptions":{"q":"maple"}}`)
	seed("POST", "/webhooks/quickbooks", "", "", "",
		`{"eventNotifications":[{"realmId":"`+usRealm+`","dataChangeEvent":{"entities":[{"name":"Invoice","id":"2","operation":"Update","lastUpdated":"9999-12-31T23:59:59-01:00"},{"name":"Invoice","id":"3","operation":"Update","lastUpdated":"2025-01-01T00:00:00Z"}]}}]}`)

	f.Fuzz(func(t *testing.T, route uint8, a, b, query string, body []byte) {
		r := routes[int(route)%len(routes)]
		target, ok := fs.target(r, a, b, query)
		if !ok {
			return // no HTTP request line carries it
		}
		if r.Method == http.MethodGet || r.Method == http.MethodDelete {
			body = nil
		}
		status, code := fs.check(t, r, target, body)
		if status < 400 {
			return
		}
		if again, code2 := fs.check(t, r, target, body); again != status || code2 != code {
			t.Fatalf("%s %s %q: first %d %s, then %d %s", r.Method, target, body, status, code, again, code2)
		}
	})
}

type fuzzServer struct {
	handler http.Handler
	echo    *echo.Echo
	usConn  string
}

const fuzzBase = "http://card.fuzz"

// newFuzzServer assembles the service as newTestServer does, but served
// in-process (no socket per request), with every rate limit off and a job
// queue that is never started.
func newFuzzServer(tb testing.TB) *fuzzServer {
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	sk := newStack(tb, log, sandbox.Options{Logger: log, Unthrottled: true}, func(qbo *quickbooks.Config, hs *hubspot.Config) {
		qbo.RequestsPerMinute, qbo.MaxConcurrent = 1_000_000, 100
		hs.RateLimit, hs.SearchPerSecond = -1, -1
	})
	bound := &boundHandlers{}
	db, dialect := sk.store.Shared()
	jobs, err := queue.Open(ctx, db, dialect, bound, queue.Options{Logger: log, ReconcileEvery: -1, SweepEvery: -1})
	if err != nil {
		tb.Fatal(err)
	}
	deps := sk.deps(fuzzBase, redis.NewInProcess(1000, redis.Options{Logger: log}), log)
	deps.Jobs, deps.ChangeFeed, deps.Sync = jobs, sk.qbo, sk.store
	svc := app.New(deps)
	bound.svc = svc
	srv := server.New(svc, log, server.NewMetrics(), server.Config{PublicBaseURL: fuzzBase, HubSpotAppID: appID,
		HubSpotClientSecret: secret, QBOWebhookVerifierToken: qbofake.DefaultWebhookVerifierToken})
	e, ok := srv.Handler().(*echo.Echo)
	if !ok {
		tb.Fatalf("the server's handler is a %T, not Echo", srv.Handler())
	}
	return &fuzzServer{handler: srv.Handler(), echo: e, usConn: sk.conns[usRealm].ID}
}

// routes lists what HubSpot and Intuit call, in a stable order.
func (fs *fuzzServer) routes() []*echo.Route {
	var out []*echo.Route
	for _, r := range fs.echo.Routes() {
		if r.Path == "/api/v1/openapi.yaml" || !strings.HasPrefix(r.Path, "/api/v1/") &&
			!strings.HasPrefix(r.Path, "/workflow-actions/") && r.Path != "/webhooks/quickbooks" {
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Method+" "+out[i].Path < out[j].Method+" "+out[j].Path })
	return out
}

// defaults fill an empty path parameter with one that reaches the handler.
func (fs *fuzzServer) defaults(name string) string {
	switch name {
	case "objectType":
		return "deals"
	case "objectId":
		return "1011"
	case "id":
		return fs.usConn
	case "object":
		return "invoices"
	}
	return "1"
}

// portalOf is the portal a route is called for: portal 2 for what ends
// the fixture's use (uninstall, disconnect), so portal 1 stays installed.
func portalOf(r *echo.Route) int64 {
	if r.Path == "/api/v1/installation/uninstall" || r.Method == http.MethodDelete && r.Path == "/api/v1/connections/:id" {
		return portal2
	}
	return portal1
}

// target is the request URI: the route with a and b (escaped) as its path
// parameters, then the card's query and HubSpot's parameters.
func (fs *fuzzServer) target(r *echo.Route, a, b, query string) (string, bool) {
	values := []string{a, b}
	segs := strings.Split(r.Path, "/")
	n := 0
	for i, s := range segs {
		if !strings.HasPrefix(s, ":") {
			continue
		}
		v := ""
		if n < len(values) {
			v = values[n]
		}
		n++
		if v == "" {
			v = fs.defaults(s[1:])
		}
		segs[i] = urlPathEscape(v)
	}
	hub := "appId=" + strconv.Itoa(appID) + "&portalId=" + strconv.FormatInt(portalOf(r), 10) + "&userId=7&userEmail=rep%40northwind.example"
	target := strings.Join(segs, "/") + "?" + hub
	if query != "" {
		target = strings.Join(segs, "/") + "?" + query + "&" + hub
	}
	if strings.ContainsFunc(target, func(c rune) bool { return c <= ' ' || c >= 0x7f || c == '#' }) {
		return "", false
	}
	return target, true
}

// urlPathEscape escapes everything but unreserved characters, "/"
// included, so a value stays one path segment.
func urlPathEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// check sends one signed request and checks the answer; it returns the
// status and, for an error, its code.
func (fs *fuzzServer) check(t *testing.T, r *echo.Route, target string, body []byte) (int, string) {
	t.Helper()
	req := httptest.NewRequest(r.Method, target, bytes.NewReader(body))
	if body == nil {
		req.ContentLength = 0
	} else {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.Path == "/webhooks/quickbooks" {
		m := hmac.New(sha256.New, []byte(qbofake.DefaultWebhookVerifierToken))
		m.Write(body)
		req.Header.Set("intuit-signature", base64.StdEncoding.EncodeToString(m.Sum(nil)))
	} else {
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		req.Header.Set("X-HubSpot-Signature-v3", hubspotfake.SignV3(secret, r.Method, fuzzBase+target, body, ts))
		req.Header.Set("X-HubSpot-Request-Timestamp", ts)
	}
	rec := httptest.NewRecorder()
	fs.handler.ServeHTTP(rec, req)

	status := rec.Code
	what := r.Method + " " + target
	if status >= 500 {
		t.Fatalf("%s with body %q: %d %s", what, body, status, rec.Body.Bytes())
	}
	if r.Path == "/webhooks/quickbooks" && status != http.StatusOK && status != http.StatusBadRequest {
		t.Fatalf("%s with body %q: %d, want 200 or 400: %s", what, body, status, rec.Body.Bytes())
	}
	if status < 400 {
		return status, ""
	}
	var e struct {
		Error *struct{ Code, Message, RequestID string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == nil {
		t.Fatalf("%s: %d with a body that is not the error envelope: %s", what, status, rec.Body.Bytes())
	}
	if e.Error.Message == "" || e.Error.RequestID == "" {
		t.Fatalf("%s: %d without a message or request id: %s", what, status, rec.Body.Bytes())
	}
	wantStatus := map[string]int{"invalid": 400, "unauthorized": 401, "forbidden": 403, "not_found": 404, "conflict": 409, "not_connected": 424}[e.Error.Code]
	if wantStatus != status && !(e.Error.Code == "invalid" && status == http.StatusRequestEntityTooLarge) {
		t.Fatalf("%s: %d with code %q", what, status, e.Error.Code)
	}
	return status, e.Error.Code
}
