package hubspotfake_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// arrival is what our backend received.
type arrival struct {
	method, host, requestURI string
	header                   http.Header
	body                     []byte
}

// recorder is a backend that records every request and answers with
// answer (default 200 {"ok":true}).
type recorder struct {
	mu       sync.Mutex
	arrivals []arrival
	answer   func(n int, w http.ResponseWriter)
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.arrivals = append(rec.arrivals, arrival{r.Method, r.Host, r.RequestURI, r.Header.Clone(), body})
	n := len(rec.arrivals)
	rec.mu.Unlock()
	if rec.answer != nil {
		rec.answer(n, w)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"ok":true}`)
}

func (rec *recorder) got() []arrival {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]arrival(nil), rec.arrivals...)
}

const cardSecret = "sandbox-hubspot-client-secret"

func newCardClient(srv *httptest.Server) *hubspotfake.CardClient {
	return &hubspotfake.CardClient{
		HTTPClient:   srv.Client(),
		AppID:        3000001,
		PortalID:     20000001,
		UserID:       7000001,
		UserEmail:    "rep@example.com",
		ClientSecret: cardSecret,
		Now:          func() time.Time { return epoch },
	}
}

// verify checks both signatures of a request independently of the package
// (plain crypto over the URL the backend rebuilds from Host and RequestURI).
func verify(t *testing.T, a arrival) {
	t.Helper()
	uri := "http://" + a.host + a.requestURI
	sum := sha256.Sum256([]byte(cardSecret + a.method + uri + string(a.body)))
	if got, want := a.header.Get("X-HubSpot-Signature"), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("X-HubSpot-Signature = %s, want %s", got, want)
	}
	if v := a.header.Get("X-HubSpot-Signature-Version"); v != "v2" {
		t.Errorf("X-HubSpot-Signature-Version = %q, want v2", v)
	}
	ts := a.header.Get("X-HubSpot-Request-Timestamp")
	mac := hmac.New(sha256.New, []byte(cardSecret))
	mac.Write([]byte(a.method + uri + string(a.body) + ts))
	if got, want := a.header.Get("X-HubSpot-Signature-v3"), base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("X-HubSpot-Signature-v3 = %s, want %s", got, want)
	}
}

// headerNames lists the headers a request carried, leaving out those the
// HTTP transport adds (Accept-Encoding, Content-Length).
func headerNames(h http.Header) []string {
	var out []string
	for k := range h {
		if k != "Accept-Encoding" && k != "Content-Length" {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func TestCardClientPostSendsWhatHubSpotSends(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c := newCardClient(srv)

	body := map[string]any{"dealId": "1011", "note": "<a & b>"}
	resp, err := c.Do(context.Background(), "POST", srv.URL+"/api/v1/records/deals/1011/invoices?x=a%20b&dealId=1011", body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	got := rec.got()
	if len(got) != 1 {
		t.Fatalf("backend saw %d requests, want 1", len(got))
	}
	a := got[0]
	// Query: the caller's parameters as given, then appId, portalId, userId,
	// userEmail in that order (reference §1.2).
	wantURI := "/api/v1/records/deals/1011/invoices?x=a%20b&dealId=1011&appId=3000001&portalId=20000001&userId=7000001&userEmail=rep%40example.com"
	if a.requestURI != wantURI {
		t.Errorf("request URI\n got %s\nwant %s", a.requestURI, wantURI)
	}
	// Body: JSON as JSON.stringify writes it (compact, no HTML escaping).
	if want := `{"dealId":"1011","note":"<a & b>"}`; string(a.body) != want {
		t.Errorf("body = %s, want %s", a.body, want)
	}
	// Headers: the signature set and the content type, nothing else.
	wantHeaders := []string{"Content-Type", "X-Hubspot-Request-Timestamp", "X-Hubspot-Signature", "X-Hubspot-Signature-V3", "X-Hubspot-Signature-Version"}
	if diff := cmp.Diff(wantHeaders, headerNames(a.header)); diff != "" {
		t.Errorf("headers (-want +got):\n%s", diff)
	}
	if ct := a.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if ts := a.header.Get("X-HubSpot-Request-Timestamp"); ts != strconv.FormatInt(epoch.UnixMilli(), 10) {
		t.Errorf("timestamp = %s, want epoch milliseconds %d", ts, epoch.UnixMilli())
	}
	verify(t, a)
	// The v3 signature is over the URL as sent (%40 kept), so a verifier
	// that decodes first gets a different value and must also try the raw one.
	decoded := hubspotfake.SignV3(cardSecret, "POST", hubspotfake.DecodeV3URI("http://"+a.host+a.requestURI), a.body, a.header.Get("X-HubSpot-Request-Timestamp"))
	if decoded == a.header.Get("X-HubSpot-Signature-v3") {
		t.Error("v3 over the decoded URI should differ when the query holds %40")
	}
}

func TestCardClientGetHasNoBody(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c := newCardClient(srv)

	if _, err := c.Do(context.Background(), "GET", srv.URL+"/api/v1/connections", nil); err != nil {
		t.Fatal(err)
	}
	a := rec.got()[0]
	if len(a.body) != 0 || a.header.Get("Content-Type") != "" {
		t.Errorf("GET carried a body %q or content type %q", a.body, a.header.Get("Content-Type"))
	}
	if a.requestURI != "/api/v1/connections?appId=3000001&portalId=20000001&userId=7000001&userEmail=rep%40example.com" {
		t.Errorf("request URI = %s", a.requestURI)
	}
	verify(t, a)

	if _, err := c.Do(context.Background(), "GET", srv.URL+"/x", map[string]int{"a": 1}); err == nil {
		t.Error("a GET with a body should be refused")
	}
	if _, err := c.Do(context.Background(), "HEAD", srv.URL+"/x", nil); err == nil {
		t.Error("HEAD is not a hubspot.fetch method")
	}
	for _, m := range []string{"PUT", "PATCH", "DELETE"} {
		if _, err := c.Do(context.Background(), m, srv.URL+"/x", nil); err != nil {
			t.Errorf("%s: %v", m, err)
		}
	}
	for _, a := range rec.got() {
		verify(t, a)
	}
}

func TestCardClientRefusesBodiesOver1MB(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c := newCardClient(srv)

	big := map[string]string{"blob": strings.Repeat("x", hubspotfake.MaxFetchBody)}
	if _, err := c.Do(context.Background(), "POST", srv.URL+"/x", big); !errors.Is(err, hubspotfake.ErrBodyTooLarge) {
		t.Errorf("err = %v, want ErrBodyTooLarge", err)
	}
	if n := len(rec.got()); n != 0 {
		t.Errorf("backend saw %d requests, want none", n)
	}

	rec.answer = func(_ int, w http.ResponseWriter) {
		_, _ = io.WriteString(w, strings.Repeat("y", hubspotfake.MaxFetchBody+1))
	}
	if _, err := c.Do(context.Background(), "GET", srv.URL+"/x", nil); !errors.Is(err, hubspotfake.ErrResponseTooLarge) {
		t.Errorf("err = %v, want ErrResponseTooLarge", err)
	}
}

func TestCardClientRetriesOnceOn5xx(t *testing.T) {
	rec := &recorder{answer: func(n int, w http.ResponseWriter) {
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = io.WriteString(w, `{"second":true}`)
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c := newCardClient(srv)

	resp, err := c.Do(context.Background(), "POST", srv.URL+"/api/v1/records/deals/1/invoices", map[string]string{"idempotencyKey": "k1"})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != `{"second":true}` {
		t.Errorf("answer %d %s, want the retry's 200", resp.StatusCode, body)
	}
	got := rec.got()
	if len(got) != 2 {
		t.Fatalf("backend saw %d requests, want 2 (one retry)", len(got))
	}
	if string(got[0].body) != string(got[1].body) || got[0].header.Get("X-HubSpot-Signature-v3") != got[1].header.Get("X-HubSpot-Signature-v3") {
		t.Error("the retry should resend the same signed request")
	}

	// Only one retry, and none when turned off.
	rec2 := &recorder{answer: func(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError) }}
	srv2 := httptest.NewServer(rec2)
	defer srv2.Close()
	c2 := newCardClient(srv2)
	resp, err = c2.Do(context.Background(), "GET", srv2.URL+"/x", nil)
	if err != nil || resp.StatusCode != 500 || len(rec2.got()) != 2 {
		t.Errorf("two 500s: status %v err %v after %d requests, want 500 after 2", resp.StatusCode, err, len(rec2.got()))
	}
	c2.NoRetry = true
	if resp, _ := c2.Do(context.Background(), "GET", srv2.URL+"/x", nil); resp.StatusCode != 500 || len(rec2.got()) != 3 {
		t.Errorf("NoRetry: %d requests, want 3 in all", len(rec2.got()))
	}
	// 4xx is not retried.
	rec3 := &recorder{answer: func(_ int, w http.ResponseWriter) { w.WriteHeader(http.StatusConflict) }}
	srv3 := httptest.NewServer(rec3)
	defer srv3.Close()
	if resp, _ := newCardClient(srv3).Do(context.Background(), "GET", srv3.URL+"/x", nil); resp.StatusCode != 409 || len(rec3.got()) != 1 {
		t.Errorf("409 was retried: %d requests", len(rec3.got()))
	}
}

func TestCardClientNeverFollowsRedirects(t *testing.T) {
	rec := &recorder{answer: func(_ int, w http.ResponseWriter) {
		w.Header().Set("Location", "/elsewhere")
		w.WriteHeader(http.StatusFound)
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	resp, err := newCardClient(srv).Do(context.Background(), "GET", srv.URL+"/x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusFound || len(rec.got()) != 1 {
		t.Errorf("status %d after %d requests, want the 302 itself", resp.StatusCode, len(rec.got()))
	}
}

func TestCardClientLimitsConcurrency(t *testing.T) {
	release := make(chan struct{})
	var inFlight atomic.Int32
	rec := &recorder{answer: func(_ int, w http.ResponseWriter) {
		inFlight.Add(1)
		<-release
		w.WriteHeader(http.StatusOK)
	}}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c := newCardClient(srv)

	var wg sync.WaitGroup
	for i := 0; i < hubspotfake.MaxConcurrentFetches; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Do(context.Background(), "GET", srv.URL+"/slow", nil); err != nil {
				t.Error(err)
			}
		}()
	}
	deadline := time.Now().Add(5 * time.Second)
	for inFlight.Load() < hubspotfake.MaxConcurrentFetches && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	resp, err := c.Do(context.Background(), "GET", srv.URL+"/slow", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("request 21 got %d, want 429", resp.StatusCode)
	}
	close(release)
	wg.Wait()
	if n := len(rec.got()); n != hubspotfake.MaxConcurrentFetches {
		t.Errorf("backend saw %d requests, want %d", n, hubspotfake.MaxConcurrentFetches)
	}
}
