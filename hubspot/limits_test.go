package hubspot

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/ratelimit"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// takeN acquires n places at once and returns how long the last waited.
func takeN(t *testing.T, l *rateLimiter, ctx context.Context, token string, search, background bool, n int) time.Duration {
	t.Helper()
	start := time.Now()
	for range n {
		release, err := l.acquire(ctx, token, search, background)
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	return time.Since(start)
}

// TestRateLimiterRollingWindow: limit requests go at once; the next waits
// until the oldest leaves the window. Tokens of one portal share it;
// another portal has its own.
func TestRateLimiterRollingWindow(t *testing.T) {
	l := newRateLimiter(ratelimit.NewLocal(), 5, 300*time.Millisecond, 0)
	l.bind("a1", 1)
	l.bind("a2", 1)
	l.bind("b", 2)
	ctx := context.Background()
	if d := takeN(t, l, ctx, "a1", false, false, 3); d > 100*time.Millisecond {
		t.Fatalf("first requests waited %s", d)
	}
	if d := takeN(t, l, ctx, "a2", false, false, 2); d > 100*time.Millisecond {
		t.Fatalf("requests within the limit waited %s", d)
	}
	if d := takeN(t, l, ctx, "b", false, false, 5); d > 100*time.Millisecond {
		t.Errorf("another portal waited %s", d)
	}
	if d := takeN(t, l, ctx, "a1", false, false, 1); d < 250*time.Millisecond {
		t.Errorf("the sixth request of portal 1 waited %s, want about the window", d)
	}

	// A cancelled wait fails with the context's error.
	takeN(t, l, ctx, "c", false, false, 5)
	cctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(cctx, "c", false, false); err != context.DeadlineExceeded {
		t.Errorf("err = %v, want the deadline", err)
	}
}

// TestRateLimiterKeepsAReserveFromBackgroundWork: while a rep uses the
// portal, background calls stop a tenth short of the limit and the rep's
// calls still go at once; while nobody does, background work has the whole
// window.
func TestRateLimiterKeepsAReserveFromBackgroundWork(t *testing.T) {
	ctx := context.Background()
	l := newRateLimiter(ratelimit.NewLocal(), 20, 400*time.Millisecond, 0)
	l.bind("tok", 7)
	takeN(t, l, ctx, "tok", false, false, 1) // a rep opens the card
	if d := takeN(t, l, ctx, "tok", false, true, 17); d > 100*time.Millisecond {
		t.Fatalf("17 background calls waited %s", d)
	}
	if d := takeN(t, l, ctx, "tok", false, false, 2); d > 100*time.Millisecond {
		t.Errorf("a rep's calls waited %s behind background work", d)
	}
	if d := takeN(t, l, ctx, "tok", false, true, 1); d < 300*time.Millisecond {
		t.Errorf("the 19th background call waited %s, want about the window", d)
	}

	// Nobody on the card: the import takes the whole window, then waits.
	idle := newRateLimiter(ratelimit.NewLocal(), 20, 400*time.Millisecond, 0)
	idle.bind("tok", 7)
	if d := takeN(t, idle, ctx, "tok", false, true, 20); d > 100*time.Millisecond {
		t.Fatalf("20 background calls with no rep waited %s", d)
	}
	if d := takeN(t, idle, ctx, "tok", false, true, 1); d < 300*time.Millisecond {
		t.Errorf("the 21st background call waited %s, want about the window", d)
	}
	// A rep arrives while the import keeps the window full: once the
	// window rolls, the import stops a tenth short and leaves the rep room.
	takeN(t, idle, ctx, "tok", false, false, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		bctx, cancel := context.WithTimeout(ctx, 350*time.Millisecond)
		defer cancel()
		for {
			release, err := idle.acquire(bctx, "tok", false, true)
			if err != nil {
				return
			}
			release()
		}
	})
	wg.Wait()
	if d := takeN(t, idle, ctx, "tok", false, false, 1); d > 100*time.Millisecond {
		t.Errorf("the rep's call waited %s behind the import", d)
	}
}

// TestRateLimiterSearchHasItsOwnBudget: search is outside the window and
// limited per second.
func TestRateLimiterSearchHasItsOwnBudget(t *testing.T) {
	l := newRateLimiter(ratelimit.NewLocal(), 2, time.Minute, 3)
	ctx := context.Background()
	takeN(t, l, ctx, "tok", false, false, 2)
	if d := takeN(t, l, ctx, "tok", true, false, 3); d > 100*time.Millisecond {
		t.Errorf("searches waited %s behind the full window", d)
	}
	if d := takeN(t, l, ctx, "tok", true, false, 1); d < 900*time.Millisecond {
		t.Errorf("the 4th search in a second waited %s", d)
	}
	if newRateLimiter(ratelimit.NewLocal(), 0, time.Second, 0) != nil {
		t.Error("a limiter with both limits off")
	}
}

// TestClientStaysUnderTheFakesLimit: a client whose budget is the fake's
// sends 40 concurrent reads without a single 429, at the window's pace.
func TestClientStaysUnderTheFakesLimit(t *testing.T) {
	srv := hubspotfake.New(hubspotfake.Options{RateLimit: 10, RateWindow: 500 * time.Millisecond})
	srv.SeedDemo()
	c := New(Config{HTTPClient: &http.Client{Transport: srv.Transport()}, RateLimit: 10, RateWindow: 500 * time.Millisecond, MaxRetries: -1}, nil)
	portal := app.Portal{ID: 20000001, Tokens: app.Tokens{Access: "hs-sandbox-token-portal-1"}}
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 40 {
		wg.Go(func() {
			_, err := c.InvoiceProperties(context.Background(), portal)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("a read failed (no retries): %v", err)
		}
	}
	if n := srv.Throttled().Count("", ""); n != 0 {
		t.Errorf("the fake answered %d 429s", n)
	}
	if d := time.Since(start); d < 1400*time.Millisecond {
		t.Errorf("40 reads at 10 per 500 ms took %s, want at least 1.5 s", d)
	}
	// Off: the fake's limit shows.
	off := New(Config{HTTPClient: &http.Client{Transport: srv.Transport()}, RateLimit: -1, MaxRetries: -1}, nil)
	time.Sleep(600 * time.Millisecond)
	var throttled int
	for range 12 {
		if _, err := off.InvoiceProperties(context.Background(), portal); app.ErrorCode(err) == app.Unavailable {
			throttled++
		}
	}
	if throttled == 0 {
		t.Error("without the limiter the fake never throttled; the test proves nothing")
	}
}

// TestWaitingIsNotTheAttemptsTime: the client's Timeout starts once a
// request may go, so one that waited longer than it for the window still
// succeeds; a slow answer still times out.
func TestWaitingIsNotTheAttemptsTime(t *testing.T) {
	srv := hubspotfake.New(hubspotfake.Options{})
	srv.SeedDemo()
	srv.Faults().Inject(hubspotfake.RoutePropertiesRead, hubspotfake.Fault{Latency: 50 * time.Millisecond})
	c := New(Config{HTTPClient: &http.Client{Transport: srv.Transport(), Timeout: 300 * time.Millisecond},
		RateLimit: 1, RateWindow: 400 * time.Millisecond, MaxRetries: -1}, nil)
	portal := app.Portal{ID: 20000001, Tokens: app.Tokens{Access: "hs-sandbox-token-portal-1"}}
	start := time.Now()
	for i := range 3 {
		if _, err := c.InvoiceProperties(context.Background(), portal); err != nil {
			t.Fatalf("read %d, after waiting for the window: %v", i+1, err)
		}
	}
	if d := time.Since(start); d < 800*time.Millisecond {
		t.Errorf("three reads at one per 400 ms took %s", d)
	}
	srv.Faults().Clear(hubspotfake.RoutePropertiesRead)
	srv.Faults().Inject(hubspotfake.RoutePropertiesRead, hubspotfake.Fault{Latency: time.Second})
	if _, err := c.InvoiceProperties(context.Background(), portal); app.ErrorCode(err) != app.Unavailable {
		t.Errorf("a slow answer: %v, want the attempt's timeout", err)
	}
}
