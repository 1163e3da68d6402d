package hubspot

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

var portal1 = app.Portal{ID: 20000001, TimeZone: "US/Pacific", Tokens: app.Tokens{Access: "hs-sandbox-token-portal-1"}}

// newTestClient returns a Client on a seeded fake whose waits are recorded
// instead of slept.
func newTestClient(t *testing.T) (*Client, *hubspotfake.Server, *[]time.Duration) {
	t.Helper()
	srv := hubspotfake.New(hubspotfake.Options{})
	srv.SeedDemo()
	c := New(Config{HTTPClient: &http.Client{Transport: srv.Transport()}}, nil)
	var waits []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	return c, srv, &waits
}

func busy(retryAfter string, times int) hubspotfake.Fault {
	return hubspotfake.Fault{Status: http.StatusTooManyRequests, Times: times,
		Header: http.Header{"Retry-After": {retryAfter}, "Content-Type": {"application/json"}},
		Body:   []byte(`{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT"}`)}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	c, srv, waits := newTestClient(t)
	srv.Faults().Inject(hubspotfake.RouteObjectsGet, busy("7", 2))
	if _, err := c.Record(context.Background(), portal1, app.ObjectRef{Type: app.Deals, ID: "1011"}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]time.Duration{7 * time.Second, 7 * time.Second}, *waits); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestRetryAfterBeyondMaxWaitEndsTheCall(t *testing.T) {
	c, srv, waits := newTestClient(t)
	srv.Faults().Inject(hubspotfake.RouteObjectsGet, busy("3600", 0)) // e.g. the daily limit
	_, err := c.Record(context.Background(), portal1, app.ObjectRef{Type: app.Deals, ID: "1011"})
	if app.ErrorCode(err) != app.Unavailable {
		t.Fatalf("err = %v, want unavailable", err)
	}
	if len(*waits) != 0 || srv.Counters().Count(hubspotfake.RouteObjectsGet, "") != 1 {
		t.Errorf("waited %v over %d calls; want no wait, 1 call", *waits, srv.Counters().Count(hubspotfake.RouteObjectsGet, ""))
	}
}

func TestBackoffWithoutRetryAfter(t *testing.T) {
	c := New(Config{RetryBase: 100 * time.Millisecond}, nil)
	for attempt, bounds := range map[int][2]time.Duration{
		1:  {50 * time.Millisecond, 100 * time.Millisecond},
		2:  {100 * time.Millisecond, 200 * time.Millisecond},
		3:  {200 * time.Millisecond, 400 * time.Millisecond},
		10: {maxWait / 2, maxWait}, // capped
		99: {maxWait / 2, maxWait}, // no overflow
	} {
		seen := map[time.Duration]bool{}
		for range 50 {
			d, ok := c.backoff(context.Background(), attempt, nil, time.Now())
			if !ok || d < bounds[0] || d > bounds[1] {
				t.Fatalf("attempt %d: wait %v, %v; want within %v", attempt, d, ok, bounds)
			}
			seen[d] = true
		}
		if len(seen) < 2 {
			t.Errorf("attempt %d: no jitter", attempt)
		}
	}
}

func TestBackoffRespectsTheDeadline(t *testing.T) {
	c := New(Config{RetryBase: time.Second}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if d, ok := c.backoff(ctx, 1, nil, time.Now()); ok {
		t.Errorf("backoff = %v past the deadline; want the call to end", d)
	}
	h := http.Header{"Retry-After": {"0"}}
	if d, ok := c.backoff(ctx, 1, h, time.Now()); !ok || d != 0 {
		t.Errorf("Retry-After 0 = %v, %v; want an immediate retry", d, ok)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, time.January, 15, 17, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"", 0, false},
		{"3", 3 * time.Second, true},
		{" 0 ", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"99999999999", 24 * time.Hour, true},
		{now.Add(5 * time.Second).Format(http.TimeFormat), 5 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
	} {
		got, ok := retryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
