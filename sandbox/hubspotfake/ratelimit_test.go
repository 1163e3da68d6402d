package hubspotfake_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

func TestUnauthorized(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	path := "/crm/v3/objects/deals/" + f.id("deals", "cad")

	e := f.do("", "GET", path, nil)
	golden(t, "error_401_missing_token", e)
	envelope(t, e, http.StatusUnauthorized, "INVALID_AUTHENTICATION")
	if e.header.Get("X-HubSpot-RateLimit-Max") != "" {
		t.Error("a 401 names no portal and carries no rate-limit headers")
	}

	envelope(t, f.do("not-a-token", "GET", path, nil), http.StatusUnauthorized, "INVALID_AUTHENTICATION")
	envelope(t, f.doURL("", "GET", "https://api.hubapi.com"+path+"?hapikey=abc", nil), http.StatusUnauthorized, "INVALID_AUTHENTICATION")

	// Rejected requests are counted, with no portal.
	if n := f.srv.Counters().Count(hubspotfake.RouteObjectsGet, ""); n != 3 {
		t.Errorf("counted %d rejected requests, want 3", n)
	}
}

func TestRateLimitTenSecondWindow(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	path := "/crm/v3/objects/deals/" + f.id("deals", "cad")
	for i := 1; i <= 110; i++ {
		e := f.do(token1, "GET", path, nil)
		e.want(t, http.StatusOK)
		for h, want := range map[string]string{
			"X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
			"X-HubSpot-RateLimit-Max":                   "110",
			"X-HubSpot-RateLimit-Remaining":             strconv.Itoa(110 - i),
		} {
			if got := e.header.Get(h); got != want {
				t.Fatalf("request %d: %s = %q, want %q", i, h, got, want)
			}
		}
		f.clock.Advance(10 * time.Millisecond)
	}

	e := f.do(token1, "GET", path, nil)
	golden(t, "error_429_ten_secondly_rolling", e)
	e.want(t, http.StatusTooManyRequests)
	v := e.json(t)
	if v["status"] != "error" || v["message"] != "You have reached your ten_secondly_rolling limit." || v["errorType"] != "RATE_LIMIT" ||
		v["policyName"] != "TEN_SECONDLY_ROLLING" || !uuidRe.MatchString(v["correlationId"].(string)) || v["requestId"] == "" {
		t.Errorf("429 body = %s", e.body)
	}
	if diff := cmp.Diff([]string{"correlationId", "errorType", "message", "policyName", "requestId", "status"}, keys(v)); diff != "" {
		t.Errorf("429 body keys (-want +got):\n%s", diff)
	}
	if e.header.Get("X-HubSpot-RateLimit-Remaining") != "0" {
		t.Errorf("429 Remaining = %q", e.header.Get("X-HubSpot-RateLimit-Remaining"))
	}

	// The window is per portal: portal 2 is unaffected.
	f.do(token2, "GET", "/crm/v3/objects/deals/"+f.idIn(portal2, "deals", "with_quotes"), nil).want(t, http.StatusOK)

	// The window rolls: once the first request is 10 s old there is room
	// for one more.
	f.clock.Advance(10*time.Second - 1100*time.Millisecond + 1)
	f.do(token1, "GET", path, nil).want(t, http.StatusOK)
	f.do(token1, "GET", path, nil).want(t, http.StatusTooManyRequests)

	// Every request, the 429s too, is counted.
	if n := f.srv.Counters().Count(hubspotfake.RouteObjectsGet, "20000001"); n != 113 {
		t.Errorf("counted %d requests for portal 1, want 113", n)
	}
}

func TestRateLimitConfigurable(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{RateLimit: 2, RateWindow: time.Second})
	path := "/account-info/v3/details"
	f.do(token1, "GET", path, nil).want(t, http.StatusOK)
	e := f.do(token1, "GET", path, nil)
	if e.header.Get("X-HubSpot-RateLimit-Interval-Milliseconds") != "1000" || e.header.Get("X-HubSpot-RateLimit-Max") != "2" {
		t.Errorf("headers %v", e.header)
	}
	f.do(token1, "GET", path, nil).want(t, http.StatusTooManyRequests)

	g := newFixture(t, hubspotfake.Options{RateLimit: -1})
	for i := 0; i < 150; i++ {
		g.do(token1, "GET", path, nil).want(t, http.StatusOK)
	}
}

func TestDailyLimitForPrivateAppTokens(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{DailyLimit: 3})
	path := "/account-info/v3/details"
	for i := 1; i <= 3; i++ {
		e := f.do(token1, "GET", path, nil)
		e.want(t, http.StatusOK)
		if e.header.Get("X-HubSpot-RateLimit-Daily") != "3" || e.header.Get("X-HubSpot-RateLimit-Daily-Remaining") != strconv.Itoa(3-i) {
			t.Errorf("request %d: daily headers %q / %q", i, e.header.Get("X-HubSpot-RateLimit-Daily"), e.header.Get("X-HubSpot-RateLimit-Daily-Remaining"))
		}
		f.clock.Advance(5 * time.Second) // stay clear of the ten-second window
	}
	e := f.do(token1, "GET", path, nil)
	e.want(t, http.StatusTooManyRequests)
	if v := e.json(t); v["policyName"] != "DAILY" || v["message"] != "You have reached your daily limit." || v["errorType"] != "RATE_LIMIT" {
		t.Errorf("daily 429 = %s", e.body)
	}
	// The day turns at midnight in the portal's time zone (US/Pacific):
	// 17:00Z + 15 s is 09:00 local; 15 h later is a new day.
	f.clock.Advance(15 * time.Hour)
	f.do(token1, "GET", path, nil).want(t, http.StatusOK)

	// OAuth calls get no daily headers and are not counted against it.
	access := f.install(t, portal1).AccessToken
	e = f.do(access, "GET", path, nil)
	e.want(t, http.StatusOK)
	if e.header.Get("X-HubSpot-RateLimit-Daily") != "" || e.header.Get("X-HubSpot-RateLimit-Max") != "110" {
		t.Errorf("OAuth call headers: %v", e.header)
	}
}

func TestUnknownRoutes(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	envelope(t, f.do(token1, "GET", "/crm/v3/nothing", nil), http.StatusNotFound, "OBJECT_NOT_FOUND")
	envelope(t, f.do(token1, "PUT", "/crm/v3/objects/deals", nil), http.StatusMethodNotAllowed, "VALIDATION_ERROR")
	if n := f.srv.Counters().Count(hubspotfake.RouteUnknown, ""); n != 2 {
		t.Errorf("unknown routes counted %d times, want 2", n)
	}
}

// TestThrottledCounter counts the rate limits' 429s by route and portal,
// not the requests they let through and not injected 429s.
func TestThrottledCounter(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{RateLimit: 2, SearchPerSecond: 1})
	path := "/account-info/v3/details"
	for range 3 {
		f.do(token1, "GET", path, nil)
	}
	search := map[string]any{"limit": 1}
	f.do(token1, "POST", "/crm/v3/objects/contacts/search", search).want(t, http.StatusOK)
	f.do(token1, "POST", "/crm/v3/objects/contacts/search", search).want(t, http.StatusTooManyRequests)
	if n := f.srv.Throttled().Count(hubspotfake.RouteAccountDetails, "20000001"); n != 1 {
		t.Errorf("Throttled(account.details) = %d, want 1", n)
	}
	if n := f.srv.Throttled().Count(hubspotfake.RouteObjectsSearch, "20000001"); n != 1 {
		t.Errorf("Throttled(objects.search) = %d, want 1", n)
	}
	f.clock.Advance(time.Minute)
	f.srv.Faults().Inject(hubspotfake.RouteAccountDetails, hubspotfake.Fault{Status: 429, Times: 1})
	f.do(token1, "GET", path, nil).want(t, http.StatusTooManyRequests)
	if n := f.srv.Throttled().Count("", ""); n != 2 {
		t.Errorf("Throttled after an injected 429 = %d, want still 2", n)
	}
}
