package hubspotfake_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// epoch is the fixed clock of the tests: a winter Thursday, so US/Pacific
// is at -08:00.
var epoch = time.Date(2026, time.January, 15, 17, 0, 0, 0, time.UTC)

const (
	portal1 = int64(20000001)
	portal2 = int64(20000002)
	token1  = "hs-sandbox-token-portal-1"
	token2  = "hs-sandbox-token-portal-2"
)

// clock is a fake clock the tests advance by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a seeded fake on a fixed clock.
type fixture struct {
	t     *testing.T
	srv   *hubspotfake.Server
	clock *clock
	demo  hubspotfake.Demo
	http  *http.Client
}

func newFixture(t *testing.T, opt hubspotfake.Options) *fixture {
	t.Helper()
	clk := &clock{t: epoch}
	opt.Now = clk.Now
	srv := hubspotfake.New(opt)
	demo := srv.SeedDemo()
	return &fixture{t: t, srv: srv, clock: clk, demo: demo,
		http: &http.Client{Transport: srv.Transport(), CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}}
}

// id returns a seeded record id of portal 20000001 (or portal p).
func (f *fixture) id(kind, label string) string { return f.idIn(portal1, kind, label) }

func (f *fixture) idIn(p int64, kind, label string) string {
	f.t.Helper()
	dp, ok := f.demo.Portal(p)
	if !ok || dp.Records[kind][label] == "" {
		f.t.Fatalf("no seeded %s %q in portal %d", kind, label, p)
	}
	return dp.Records[kind][label]
}

// exchange is one request and its answer.
type exchange struct {
	method, path string
	status       int
	header       http.Header
	body         []byte
}

// do sends a request to https://api.hubapi.com through the fake's
// transport. body is JSON-encoded unless it is a string (sent as is).
func (f *fixture) do(token, method, path string, body any) exchange {
	f.t.Helper()
	return f.doURL(token, method, "https://api.hubapi.com"+path, body)
}

func (f *fixture) doURL(token, method, url string, body any) exchange {
	f.t.Helper()
	var r io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
		contentType = "application/x-www-form-urlencoded"
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		f.t.Fatal(err)
	}
	if r != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := f.http.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return exchange{method: method, path: strings.TrimPrefix(url, "https://api.hubapi.com"), status: resp.StatusCode, header: resp.Header, body: raw}
}

// json decodes the answer into a generic value.
func (e exchange) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(e.body, &v); err != nil {
		t.Fatalf("%s %s: answer is not a JSON object: %v\n%s", e.method, e.path, err, e.body)
	}
	return v
}

func (e exchange) want(t *testing.T, status int) {
	t.Helper()
	if e.status != status {
		t.Fatalf("%s %s: status %d, want %d; body: %s", e.method, e.path, e.status, status, e.body)
	}
}

// random values are the only thing normalized in golden files.
var randomKeys = map[string]string{
	"correlationId": "<correlation-id>",
	"requestId":     "<request-id>",
	"access_token":  "<access-token>",
	"refresh_token": "<refresh-token>",
	"token":         "<token>",
}

func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if repl, ok := randomKeys[k]; ok {
				if _, isString := val.(string); isString {
					x[k] = repl
					continue
				}
			}
			x[k] = normalize(val)
		}
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
	}
	return v
}

// Random parts of request lines and headers: codes and tokens.
var (
	codeParam    = regexp.MustCompile(`code=[0-9a-f]+`)
	accessToken  = regexp.MustCompile(`hs-oauth-[0-9a-f]+`)
	refreshToken = regexp.MustCompile(`na1-[0-9a-f-]{36}`)
)

// scrub replaces the random parts of request lines and headers.
func scrub(s string) string {
	s = codeParam.ReplaceAllString(s, "code=<code>")
	s = accessToken.ReplaceAllString(s, "<access-token>")
	return refreshToken.ReplaceAllString(s, "<refresh-token>")
}

// golden compares the exchange (status, content type, rate-limit and
// location headers, body) with testdata/golden/<name>.json, or rewrites it
// under -update.
func golden(t *testing.T, name string, e exchange) {
	t.Helper()
	headers := map[string]string{}
	for k := range e.header {
		ck := http.CanonicalHeaderKey(k)
		if ck == "Content-Type" || ck == "Location" || strings.HasPrefix(ck, "X-Hubspot-") {
			headers[ck] = scrub(e.header.Get(k))
		}
	}
	var body any
	if len(e.body) > 0 {
		if err := json.Unmarshal(e.body, &body); err != nil {
			body = string(e.body)
		}
	}
	doc := struct {
		Request string            `json:"request"`
		Status  int               `json:"status"`
		Headers map[string]string `json:"headers"`
		Body    any               `json:"body"`
	}{scrub(e.method + " " + e.path), e.status, headers, normalize(body)}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	got := buf.Bytes()
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", path, diff)
	}
}

// props returns the properties of an object answer.
func props(t *testing.T, obj map[string]any) map[string]any {
	t.Helper()
	p, ok := obj["properties"].(map[string]any)
	if !ok {
		t.Fatalf("object has no properties map: %v", obj)
	}
	return p
}

// keys returns the sorted keys of a map.
func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// envelope checks HubSpot's error envelope and returns it.
func envelope(t *testing.T, e exchange, status int, category string) map[string]any {
	t.Helper()
	e.want(t, status)
	if ct := e.header.Get("Content-Type"); ct != "application/json;charset=utf-8" {
		t.Errorf("error Content-Type = %q", ct)
	}
	v := e.json(t)
	if v["status"] != "error" {
		t.Errorf("envelope status = %v, want \"error\"", v["status"])
	}
	if m, _ := v["message"].(string); m == "" {
		t.Errorf("envelope has no message: %s", e.body)
	}
	if id, _ := v["correlationId"].(string); !uuidRe.MatchString(id) {
		t.Errorf("correlationId = %q, want a UUID", id)
	}
	if v["category"] != category {
		t.Errorf("category = %v, want %s", v["category"], category)
	}
	return v
}

var uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
