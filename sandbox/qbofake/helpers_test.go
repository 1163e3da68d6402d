package qbofake

import (
	"bytes"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// fixedNow is 10:30 PDT on a Monday, the day after US DST began, so seeded
// timestamps carry both -08:00 and -07:00.
var fixedNow = time.Date(2025, 3, 10, 17, 30, 0, 0, time.UTC)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fixture is a seeded fake on a fixed clock with a client wired through
// Transport.
type fixture struct {
	t      *testing.T
	srv    *Server
	clock  *fakeClock
	demo   Demo
	client *http.Client
}

func newFixture(t *testing.T, configure ...func(*Options)) *fixture {
	t.Helper()
	clock := &fakeClock{t: fixedNow}
	opt := Options{Now: clock.Now}
	for _, c := range configure {
		c(&opt)
	}
	srv := New(opt)
	t.Cleanup(srv.Close)
	return &fixture{t: t, srv: srv, clock: clock, demo: srv.SeedDemo(),
		client: &http.Client{Transport: srv.Transport()}}
}

// id returns a seeded record's id.
func (f *fixture) id(realm, kind, label string) string {
	f.t.Helper()
	id := f.demo.ID(realm, kind, label)
	if id == "" {
		f.t.Fatalf("no seeded %s %q in realm %s", kind, label, realm)
	}
	return id
}

type result struct {
	status int
	header http.Header
	body   []byte
}

// api calls the data API of realm with its seeded access token.
func (f *fixture) api(method, realm, path, body string) *result {
	f.t.Helper()
	return f.apiToken(method, realm, path, body, f.realm(realm).AccessToken)
}

func (f *fixture) apiToken(method, realm, path, body, token string) *result {
	f.t.Helper()
	h := http.Header{"Accept": {"application/json"}}
	if body != "" {
		h.Set("Content-Type", "application/json")
	}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	return f.raw(method, "https://sandbox-quickbooks.api.intuit.com/v3/company/"+realm+path, body, h)
}

func (f *fixture) raw(method, target, body string, h http.Header) *result {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header = h
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return &result{status: resp.StatusCode, header: resp.Header, body: b}
}

// form posts an OAuth form with the app's Basic credentials.
func (f *fixture) form(target string, vals url.Values) *result {
	f.t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}}
	req, _ := http.NewRequest("POST", target, nil)
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	h.Set("Authorization", req.Header.Get("Authorization"))
	return f.raw("POST", target, vals.Encode(), h)
}

func q(stmt string) string { return "/query?query=" + url.QueryEscape(stmt) }

// decode parses a JSON body keeping numbers as json.Number.
func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, b)
	}
	return m
}

// at walks a decoded JSON value by a dotted path; numeric parts index arrays.
func at(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// str renders a decoded JSON leaf as text ("197.00", "true", "x").
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return "<nil>"
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func wantStatus(t *testing.T, r *result, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body:\n%s", r.status, status, r.body)
	}
}

// wantEqual checks a dotted path of a JSON body.
func wantEqual(t *testing.T, r *result, path, want string) {
	t.Helper()
	if got := str(at(decode(t, r.body), path)); got != want {
		t.Errorf("%s = %s, want %s", path, got, want)
	}
}

// wantFault checks the 400 ValidationFault shape (reference §1.10 shape 1)
// and its code, and returns the first error.
func wantFault(t *testing.T, r *result, code string) map[string]any {
	t.Helper()
	wantStatus(t, r, http.StatusBadRequest)
	m := decode(t, r.body)
	if got := str(at(m, "Fault.type")); got != "ValidationFault" {
		t.Errorf("Fault.type = %s, want ValidationFault", got)
	}
	if got := str(at(m, "Fault.Error.0.code")); got != code {
		t.Errorf("Fault.Error[0].code = %s, want %s; body %s", got, code, r.body)
	}
	for k := range m {
		if k != "Fault" && k != "time" {
			t.Errorf("fault body has key %q besides Fault and time", k)
		}
	}
	e, _ := at(m, "Fault.Error.0").(map[string]any)
	return e
}

var tidPattern = regexp.MustCompile(`^1-[0-9a-f]{8}-[0-9a-f]{24}$`)

// golden compares an answer with testdata/golden/<name>.golden, or writes it
// with -update. The file holds the status, the headers that matter and the
// body (JSON indented, key order and number text kept). Intuit-Tid, the only
// volatile value, is checked for shape and then left out.
func golden(t *testing.T, name string, r *result) {
	t.Helper()
	if tid := r.header.Get("Intuit-Tid"); !tidPattern.MatchString(tid) {
		t.Errorf("Intuit-Tid = %q, want 1-<8 hex>-<24 hex>", tid)
	}
	var b bytes.Buffer
	b.WriteString("HTTP " + strconv.Itoa(r.status) + "\n")
	for _, h := range []string{"Content-Type", "Qbo-Version", "Www-Authenticate", "Location", "Cache-Control"} {
		if v := r.header.Get(h); v != "" {
			b.WriteString(h + ": " + v + "\n")
		}
	}
	b.WriteString("\n")
	var pretty bytes.Buffer
	if json.Indent(&pretty, r.body, "", "  ") == nil {
		b.Write(pretty.Bytes())
		b.WriteString("\n")
	} else {
		b.Write(r.body)
	}
	path := filepath.Join("testdata", "golden", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run go test -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), b.String()); diff != "" {
		t.Errorf("%s differs from its golden file (-want +got):\n%s", name, diff)
	}
}

func newClient(srv *Server) *http.Client { return &http.Client{Transport: srv.Transport()} }

func (f *fixture) realm(id string) DemoRealm {
	f.t.Helper()
	r, ok := f.demo.Realm(id)
	if !ok {
		f.t.Fatalf("realm %s not seeded", id)
	}
	return r
}
