package hubspot_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/hubspot"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/logtest"
)

// now is the fake's fixed clock: a winter day, so US/Pacific is -08:00.
var now = time.Date(2026, time.January, 15, 17, 0, 0, 0, time.UTC)

const (
	token1 = "hs-sandbox-token-portal-1"
	token2 = "hs-sandbox-token-portal-2"
	tenant = "20000001"
)

var (
	portal1 = app.Portal{ID: 20000001, Currency: "USD", TimeZone: "US/Pacific", Tokens: app.Tokens{Access: token1}}
	portal2 = app.Portal{ID: 20000002, Currency: "GBP", TimeZone: "Europe/London", Tokens: app.Tokens{Access: token2}}
)

// fixture is the seeded fake and a Client reaching it through its
// Transport, logging into logs.
type fixture struct {
	srv    *hubspotfake.Server
	demo   hubspotfake.Demo
	client *hubspot.Client
	logs   *syncBuffer
}

func newFixture(t *testing.T, opt hubspotfake.Options) *fixture {
	t.Helper()
	opt.Now = func() time.Time { return now }
	srv := hubspotfake.New(opt)
	f := &fixture{srv: srv, demo: srv.SeedDemo(), logs: &syncBuffer{}}
	f.client = hubspot.New(hubspot.Config{
		HTTPClient: &http.Client{Transport: srv.Transport()},
		RetryBase:  time.Millisecond,
		Logger:     slog.New(slog.NewJSONHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}, nil)
	// Whatever a test does, no token may reach the logs.
	t.Cleanup(func() {
		for _, tok := range []string{token1, token2} {
			if strings.Contains(f.logs.String(), tok) {
				t.Errorf("logs contain a token:\n%s", f.logs.String())
			}
		}
	})
	return f
}

// id returns a seeded record id of portal p.
func (f *fixture) id(t *testing.T, p int64, kind, label string) string {
	t.Helper()
	dp, ok := f.demo.Portal(p)
	if !ok || dp.Records[kind][label] == "" {
		t.Fatalf("no seeded %s %q in portal %d", kind, label, p)
	}
	return dp.Records[kind][label]
}

func (f *fixture) calls(route string) int { return f.srv.Counters().Count(route, tenant) }

func deal(id string) app.ObjectRef { return app.ObjectRef{Type: app.Deals, ID: id} }

// checkErr asserts err's code and, when message is not empty, its
// rep-facing message; and that no token is anywhere in it.
func checkErr(t *testing.T, err error, code app.Code, message string) {
	t.Helper()
	if got := app.ErrorCode(err); got != code {
		t.Fatalf("code = %q, want %q (err: %v)", got, code, err)
	}
	if message != "" && app.ErrorMessage(err) != message {
		t.Errorf("message = %q, want %q", app.ErrorMessage(err), message)
	}
	for _, s := range []string{fmt.Sprint(err), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err), app.ErrorMessage(err)} {
		if strings.Contains(s, token1) || strings.Contains(s, token2) {
			t.Errorf("error text contains a token: %s", s)
		}
	}
}

func TestRecord(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	dealID := f.id(t, 20000001, "deals", "with_quotes")
	for _, tc := range []struct {
		name  string
		props []string
		want  map[string]string
	}{
		{"named properties", []string{"dealname", "amount", "deal_currency_code"},
			map[string]string{"dealname": "Acme website redesign", "amount": "600", "deal_currency_code": "USD"}},
		// closedate exists but the seed leaves it unset (null); the
		// other one does not exist on deals at all.
		{"null and unknown properties are absent", []string{"dealname", "closedate", "no_such_property"},
			map[string]string{"dealname": "Acme website redesign"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.client.Record(context.Background(), portal1, deal(dealID), tc.props...)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Record (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("no names: HubSpot's defaults, none empty", func(t *testing.T) {
		got, err := f.client.Record(context.Background(), portal1, deal(dealID))
		if err != nil {
			t.Fatal(err)
		}
		if got["dealname"] != "Acme website redesign" || got["hs_object_id"] != dealID {
			t.Errorf("Record = %v, want dealname and hs_object_id", got)
		}
		if _, ok := got["closedate"]; ok {
			t.Errorf("unset closedate present: %v", got)
		}
	})
}

func TestRecordOfAnotherPortalIsNotFound(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	other := f.id(t, 20000002, "deals", "with_quotes")

	_, err := f.client.Record(context.Background(), portal1, deal(other), "dealname")
	checkErr(t, err, app.NotFound, "This deal no longer exists in HubSpot.")

	got, err := f.client.Record(context.Background(), portal2, deal(other), "dealname")
	if err != nil || got["dealname"] != "Big Ben advisory" {
		t.Fatalf("own portal: %v, %v", got, err)
	}
}

func TestRecordNotFound(t *testing.T) {
	for _, empty := range []bool{false, true} {
		t.Run(fmt.Sprintf("empty body %v", empty), func(t *testing.T) {
			f := newFixture(t, hubspotfake.Options{NotFoundEmptyBody: empty})
			_, err := f.client.Record(context.Background(), portal1, app.ObjectRef{Type: app.Contacts, ID: "99999"})
			checkErr(t, err, app.NotFound, "This contact no longer exists in HubSpot.")
			if n := f.calls(hubspotfake.RouteObjectsGet); n != 1 {
				t.Errorf("objects.get calls = %d, want 1 (404 is not retried)", n)
			}
		})
	}
}

func TestRecordRejectsBadIDsWithoutCalling(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	for _, id := range []string{"", "12a", "../1011", "1011?x=1"} {
		_, err := f.client.Record(context.Background(), portal1, deal(id))
		checkErr(t, err, app.Invalid, "")
	}
	_, err := f.client.DealQuotes(context.Background(), portal1, "abc")
	checkErr(t, err, app.Invalid, "")
	if n := f.srv.Counters().Count("", ""); n != 0 {
		t.Errorf("%d requests made, want 0", n)
	}
}

func TestDealQuotes(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	loc, err := time.LoadLocation("US/Pacific")
	if err != nil {
		t.Fatal(err)
	}
	// The seed's expiry: the end of the day, days from today, in the
	// portal's time zone.
	local := now.In(loc)
	expires := func(days int) time.Time {
		return time.Date(local.Year(), local.Month(), local.Day()+days, 23, 59, 59, 999e6, loc)
	}
	quote := func(label, number, status string, days int) app.Quote {
		return app.Quote{ID: f.id(t, 20000001, "quotes", label), Number: number, Title: "Website redesign",
			Status: status, Currency: "USD", Amount: 75000, ExpiresAt: expires(days)}
	}
	want := []app.Quote{
		quote("published", "Q-1001", app.QuoteApprovalNotNeeded, 30),
		quote("approved", "Q-1002", app.QuoteApproved, 30),
		quote("draft", "Q-1003", "DRAFT", 30),
		quote("expired", "Q-1004", app.QuoteApprovalNotNeeded, -5),
		quote("pending_approval", "Q-1005", "PENDING_APPROVAL", 30),
	}

	got, err := f.client.DealQuotes(context.Background(), portal1, f.id(t, 20000001, "deals", "with_quotes"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("DealQuotes (-want +got):\n%s", diff)
	}
	if a, b := f.calls(hubspotfake.RouteAssociationsList), f.calls(hubspotfake.RouteObjectsBatchRead); a != 1 || b != 1 {
		t.Errorf("calls: %d association lists, %d batch reads; want 1 and 1", a, b)
	}

	invoiceable := map[string]bool{"Q-1001": true, "Q-1002": true, "Q-1003": false, "Q-1004": false, "Q-1005": false}
	for _, q := range got {
		if ok, why := q.Invoiceable(now); ok != invoiceable[q.Number] {
			t.Errorf("%s (%s).Invoiceable = %v (%q), want %v", q.Number, q.Status, ok, why, invoiceable[q.Number])
		}
	}
}

func TestDealQuotesOfADealWithoutQuotes(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	got, err := f.client.DealQuotes(context.Background(), portal1, f.id(t, 20000001, "deals", "no_quotes"))
	if err != nil || got != nil {
		t.Fatalf("DealQuotes = %v, %v; want nil, nil", got, err)
	}
	if n := f.calls(hubspotfake.RouteObjectsBatchRead); n != 0 {
		t.Errorf("batch reads = %d, want 0", n)
	}
}

func TestDealQuotesOfAnotherPortalsDealIsNotFound(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	_, err := f.client.DealQuotes(context.Background(), portal1, f.id(t, 20000002, "deals", "with_quotes"))
	checkErr(t, err, app.NotFound, "This deal no longer exists in HubSpot.")
}

// rateLimited is HubSpot's 429 body (reference/hubspot.md 4.5).
func rateLimited(times int) hubspotfake.Fault {
	return hubspotfake.Fault{Status: http.StatusTooManyRequests, Times: times,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body: []byte(`{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT",` +
			`"correlationId":"0b5c3b2e-1111-4c4c-8a8a-123456789abc","policyName":"TEN_SECONDLY_ROLLING","requestId":"r-1"}`)}
}

// envelopeFault is a status with HubSpot's error envelope.
func envelopeFault(status, times int, category, message string) hubspotfake.Fault {
	return hubspotfake.Fault{Status: status, Times: times, Header: http.Header{"Content-Type": {"application/json"}},
		Body: fmt.Appendf(nil, `{"status":"error","message":%q,"correlationId":"9d9d9d9d-2222-4c4c-8a8a-123456789abc","category":%q}`, message, category)}
}

func TestRecordRetriesAndClassifies(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fault     hubspotfake.Fault
		wantCode  app.Code // "" for success
		wantMsg   string
		wantCalls int
	}{
		{"429 twice then success", rateLimited(2), "", "", 3},
		{"429 forever", rateLimited(0), app.Unavailable, "HubSpot is busy, try again in a minute.", 4},
		{"500 once then success", envelopeFault(500, 1, "", "internal error"), "", "", 2},
		{"503 forever", hubspotfake.Fault{Status: 503}, app.Unavailable, "HubSpot is not answering, try again in a minute.", 4},
		{"dropped connection then success", hubspotfake.Fault{Drop: true, Times: 1}, "", "", 2},
		{"dropped connections", hubspotfake.Fault{Drop: true}, app.Unavailable, "HubSpot is not answering, try again in a minute.", 4},
		{"401", envelopeFault(401, 0, "INVALID_AUTHENTICATION", "Authentication credentials not found."),
			app.NotConnected, "HubSpot refused this app's access; reinstall the app.", 1},
		{"403", envelopeFault(403, 0, "MISSING_SCOPES", "This app hasn't been granted all required scopes."),
			app.Forbidden, "HubSpot does not allow this app to read that deal; reinstall the app to grant its permissions.", 1},
		{"400", envelopeFault(400, 0, "VALIDATION_ERROR", "Unable to infer object type from: dealz"),
			app.Invalid, "HubSpot rejected the request: Unable to infer object type from: dealz", 1},
		{"409", envelopeFault(409, 0, "CONFLICT", "Contact already exists. Existing ID: 5"),
			app.Conflict, "HubSpot reported a conflict: Contact already exists. Existing ID: 5", 1},
		{"unexpected 405", envelopeFault(405, 0, "VALIDATION_ERROR", "Method not allowed"), app.Internal, "", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, hubspotfake.Options{})
			f.srv.Faults().Inject(hubspotfake.RouteObjectsGet, tc.fault)
			got, err := f.client.Record(context.Background(), portal1, deal(f.id(t, 20000001, "deals", "with_quotes")), "dealname")
			if n := f.calls(hubspotfake.RouteObjectsGet); n != tc.wantCalls {
				t.Errorf("objects.get calls = %d, want %d", n, tc.wantCalls)
			}
			if tc.wantCode == "" {
				if err != nil || got["dealname"] != "Acme website redesign" {
					t.Fatalf("Record = %v, %v; want the deal", got, err)
				}
				return
			}
			checkErr(t, err, tc.wantCode, tc.wantMsg)
		})
	}
}

func TestErrorChainKeepsHubSpotDetailsOutOfTheMessage(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	f.srv.Faults().Inject(hubspotfake.RouteObjectsGet, rateLimited(0))
	_, err := f.client.Record(context.Background(), portal1, deal(f.id(t, 20000001, "deals", "with_quotes")))
	var apiErr *hubspot.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("no *hubspot.APIError in %v", err)
	}
	want := hubspot.APIError{Op: "GET /crm/v3/objects/deals/1011", PortalID: 20000001, Attempts: 4, Status: 429,
		Category: "RATE_LIMIT", PolicyName: "TEN_SECONDLY_ROLLING", CorrelationID: "0b5c3b2e-1111-4c4c-8a8a-123456789abc",
		Message: "You have reached your ten_secondly_rolling limit."}
	if diff := cmp.Diff(want, *apiErr); diff != "" {
		t.Errorf("APIError (-want +got):\n%s", diff)
	}
	if msg := app.ErrorMessage(err); strings.Contains(msg, "429") || strings.Contains(msg, apiErr.CorrelationID) {
		t.Errorf("rep-facing message leaks details: %q", msg)
	}
	if !strings.Contains(err.Error(), apiErr.CorrelationID) {
		t.Errorf("err.Error() lacks the correlationId for logs: %v", err)
	}
	for _, want := range []string{`"msg":"hubspot call retried"`, `"status":429`, `"correlationId":"0b5c3b2e`} {
		if !strings.Contains(f.logs.String(), want) {
			t.Errorf("retry logs lack %s:\n%s", want, f.logs.String())
		}
	}
	if n := strings.Count(f.logs.String(), "hubspot call retried"); n != 3 {
		t.Errorf("%d retry log lines, want 3", n)
	}
}

func TestRefusedTokenIsNotConnected(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	bad := portal1
	bad.Tokens.Access = "not-a-token-of-this-fake"
	_, err := f.client.Record(context.Background(), bad, deal(f.id(t, 20000001, "deals", "with_quotes")))
	checkErr(t, err, app.NotConnected, "HubSpot refused this app's access; reinstall the app.")
	if strings.Contains(err.Error(), bad.Tokens.Access) {
		t.Errorf("error holds the refused token: %v", err)
	}
	// Unauthenticated requests count under the empty tenant.
	if n := f.srv.Counters().Count(hubspotfake.RouteObjectsGet, ""); n != 1 {
		t.Errorf("objects.get calls = %d, want 1 (401 is not retried)", n)
	}

	noToken := portal1
	noToken.Tokens = app.Tokens{}
	_, err = f.client.DealQuotes(context.Background(), noToken, "1011")
	checkErr(t, err, app.NotConnected, "")
	if n := f.srv.Counters().Count("", ""); n != 1 {
		t.Errorf("a portal without a token made a request")
	}
}

func TestTokenNeverInErrorsOrLogs(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	// A HubSpot message that echoes the token must not carry it further.
	f.srv.Faults().Inject(hubspotfake.RouteObjectsGet, envelopeFault(400, 1, "VALIDATION_ERROR", "bad request with Bearer "+token1))
	_, err := f.client.Record(context.Background(), portal1, deal("1011"))
	checkErr(t, err, app.Invalid, "HubSpot rejected the request: bad request with Bearer REDACTED")

	f.srv.Faults().Inject(hubspotfake.RouteObjectsBatchRead, envelopeFault(502, 0, "", "upstream "+token1))
	_, err = f.client.DealQuotes(context.Background(), portal1, "1011")
	checkErr(t, err, app.Unavailable, "")
	if !strings.Contains(f.logs.String(), "upstream REDACTED") {
		t.Errorf("retries not logged with the scrubbed message:\n%s", f.logs.String())
	}
	// newFixture's cleanup checks the logs.
}

func TestDeadlineStopsRetries(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	f.srv.Faults().Inject(hubspotfake.RouteObjectsGet, hubspotfake.Fault{Latency: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.client.Record(ctx, portal1, deal("1011"))
	checkErr(t, err, app.Unavailable, "HubSpot did not answer in time, try again in a minute.")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want DeadlineExceeded in the chain", err)
	}
	if n := f.calls(hubspotfake.RouteObjectsGet); n != 1 {
		t.Errorf("objects.get calls = %d, want 1", n)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v, want about the deadline", d)
	}
	if strings.Contains(f.logs.String(), "retried") {
		t.Errorf("a retry was logged after the deadline:\n%s", f.logs.String())
	}
}

func TestCancellationDuringARequestStopsRetries(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	f.srv.Faults().Inject(hubspotfake.RouteObjectsGet, hubspotfake.Fault{Latency: 5 * time.Second})
	ctx, cancel := context.WithCancel(context.Background()) // no deadline
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := f.client.Record(ctx, portal1, deal("1011"))
	checkErr(t, err, app.Unavailable, "HubSpot did not answer in time, try again in a minute.")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want Canceled in the chain", err)
	}
	if n := f.calls(hubspotfake.RouteObjectsGet); n != 1 {
		t.Errorf("objects.get calls = %d, want 1", n)
	}
	if strings.Contains(f.logs.String(), "retried") {
		t.Errorf("a retry was logged after cancellation:\n%s", f.logs.String())
	}
}

func TestCancellationStopsBackoff(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	f.srv.Faults().Inject(hubspotfake.RouteObjectsGet, rateLimited(0))
	// Backoff of 2.5 s to 5 s: long enough to be cancelled in the middle.
	client := hubspot.New(hubspot.Config{HTTPClient: &http.Client{Transport: f.srv.Transport()}, RetryBase: 5 * time.Second}, nil)

	t.Run("deadline shorter than the wait: no wait at all", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		_, err := client.Record(ctx, portal1, deal("1011"))
		checkErr(t, err, app.Unavailable, "HubSpot is busy, try again in a minute.")
		if d := time.Since(start); d > 500*time.Millisecond {
			t.Errorf("took %v, want an immediate answer", d)
		}
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		f.srv.Counters().Reset()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err := client.Record(ctx, portal1, deal("1011"))
		checkErr(t, err, app.Unavailable, "HubSpot is busy, try again in a minute.")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want Canceled in the chain", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v, want the wait cut short", d)
		}
		if n := f.calls(hubspotfake.RouteObjectsGet); n != 1 {
			t.Errorf("objects.get calls = %d, want 1", n)
		}
	})
}

func TestDealQuotesRetriesEachCall(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	f.srv.Faults().Inject(hubspotfake.RouteAssociationsList, rateLimited(1))
	f.srv.Faults().Inject(hubspotfake.RouteObjectsBatchRead, envelopeFault(500, 2, "", "oops"))
	got, err := f.client.DealQuotes(context.Background(), portal1, "1011")
	if err != nil || len(got) != 5 {
		t.Fatalf("DealQuotes = %d quotes, %v; want 5", len(got), err)
	}
	if a, b := f.calls(hubspotfake.RouteAssociationsList), f.calls(hubspotfake.RouteObjectsBatchRead); a != 2 || b != 3 {
		t.Errorf("calls: %d association lists, %d batch reads; want 2 and 3", a, b)
	}
}

func TestOverTCPWithDefaultHTTPClient(t *testing.T) {
	srv := hubspotfake.New(hubspotfake.Options{Now: func() time.Time { return now }})
	srv.SeedDemo()
	l, err := srv.Listen("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = l.Close(ctx)
	})
	client := hubspot.New(hubspot.Config{APIBaseURL: l.URL + "/"}, nil)
	got, err := client.Record(context.Background(), portal1, deal("1011"), "dealname")
	if err != nil || got["dealname"] != "Acme website redesign" {
		t.Fatalf("Record = %v, %v", got, err)
	}
	quotes, err := client.DealQuotes(context.Background(), portal1, "1011")
	if err != nil || len(quotes) != 5 {
		t.Fatalf("DealQuotes = %d quotes, %v", len(quotes), err)
	}
}

// syncBuffer is a log sink safe for many goroutines.
type syncBuffer = logtest.Buffer
