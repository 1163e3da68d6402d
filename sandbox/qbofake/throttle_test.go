package qbofake

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/internal/fakekit"
)

// TestThrottlePerMinute: the 501st request of a realm within a minute gets
// the 429 XML body (reference §4: 500/min/realm); other realms are not
// affected; the window slides with the fake clock.
func TestThrottlePerMinute(t *testing.T) {
	f := newFixture(t)
	us, ca := DemoRealmUS, DemoRealmCA
	for i := 0; i < 500; i++ {
		if r := f.api("GET", us, "/term/1", ""); r.status != 200 {
			t.Fatalf("request %d: status %d", i+1, r.status)
		}
	}
	checkThrottled(t, f.api("GET", us, "/term/1", ""))
	wantStatus(t, f.api("GET", ca, "/term/1", ""), 200)
	if n := f.srv.Counters().Count(RouteTermRead, us); n != 501 {
		t.Errorf("counted %d requests, want 501 (throttled ones count too)", n)
	}
	f.clock.Advance(61 * time.Second)
	wantStatus(t, f.api("GET", us, "/term/1", ""), 200)
}

// TestThrottleOptions: the limit is configurable and can be disabled.
func TestThrottleOptions(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.RequestsPerMinute = 3 })
	for i := 0; i < 3; i++ {
		wantStatus(t, f.api("GET", DemoRealmUS, "/term/1", ""), 200)
	}
	checkThrottled(t, f.api("GET", DemoRealmUS, "/term/1", ""))

	f = newFixture(t, func(o *Options) { o.RequestsPerMinute = -1 })
	for i := 0; i < 600; i++ {
		if r := f.api("GET", DemoRealmUS, "/term/1", ""); r.status != 200 {
			t.Fatalf("request %d throttled with the limit disabled", i+1)
		}
	}
}

// TestThrottleBatch: batch calls have their own per-minute budget (§4: 40).
func TestThrottleBatch(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.BatchRequestsPerMinute = 2 })
	body := `{"BatchItemRequest":[{"bId":"1","Query":"select * from Term"}]}`
	wantStatus(t, f.api("POST", DemoRealmUS, "/batch", body), 200)
	wantStatus(t, f.api("POST", DemoRealmUS, "/batch", body), 200)
	checkThrottled(t, f.api("POST", DemoRealmUS, "/batch", body))
}

// TestThrottleConcurrent: with 10 requests of a realm in flight, an 11th is
// refused with 429 (reference §4: 10 concurrent). Injected latency holds
// the first ten inside the fake until the test cancels them.
func TestThrottleConcurrent(t *testing.T) {
	f := newFixture(t)
	f.srv.Faults().Inject(RouteTermRead, fakekit.Fault{Latency: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	results := make(chan int, 11)
	for i := 0; i < 11; i++ {
		go func() {
			req, _ := http.NewRequestWithContext(ctx, "GET", "https://quickbooks.api.intuit.com/v3/company/"+DemoRealmUS+"/term/1", nil)
			req.Header.Set("Authorization", "Bearer qbo-sandbox-access-us")
			resp, err := f.client.Do(req)
			if err != nil {
				results <- 0
				return
			}
			resp.Body.Close()
			results <- resp.StatusCode
		}()
	}
	select {
	case status := <-results:
		if status != http.StatusTooManyRequests {
			t.Fatalf("first answer = %d, want 429 for the 11th concurrent request", status)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no request was refused")
	}
	cancel()
	for i := 0; i < 10; i++ {
		if status := <-results; status != 0 {
			t.Errorf("a held request answered %d after cancellation", status)
		}
	}
	f.srv.Faults().Clear("")
	wantStatus(t, f.api("GET", DemoRealmUS, "/term/1", ""), 200) // slots were released
}
