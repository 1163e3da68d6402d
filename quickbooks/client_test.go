package quickbooks

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

func TestCompany(t *testing.T) {
	cases := []struct {
		name  string
		realm string
		want  app.Company
	}{
		{"US", qbofake.DemoRealmUS, app.Company{Name: "Northwind Traders (US)", Country: "US", Currency: "USD",
			TimeZone: "America/Los_Angeles", DefaultTermID: "3"}},
		{"CA with custom transaction numbers", qbofake.DemoRealmCA, app.Company{Name: "Maple Leaf Supplies Ltd",
			Country: "CA", Currency: "CAD", TimeZone: "America/Toronto", CustomTxnNumbers: true, DefaultTermID: "3"}},
		{"GB", qbofake.DemoRealmGB, app.Company{Name: "Thames Consulting Ltd", Country: "GB", Currency: "GBP",
			TimeZone: "Europe/London", DefaultTermID: "3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			got, err := f.client.Company(context.Background(), f.conn(c.realm))
			wantErr(t, err, "", "")
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("Company (-want +got):\n%s", diff)
			}
			if n := f.calls("", c.realm); n != 2 {
				t.Errorf("%d data calls, want 2 (companyinfo, preferences)", n)
			}
			// Defect 1 of the library: we never fetch the discovery document.
			if n := f.srv.Counters().Count(qbofake.RouteOAuthDiscovery, ""); n != 0 {
				t.Errorf("%d discovery calls, want 0", n)
			}
		})
	}
}

func TestEveryCallCarriesMinorVersionAndHeaders(t *testing.T) {
	f := newFixture(t)
	if _, err := f.client.Company(context.Background(), f.conn(qbofake.DemoRealmUS)); err != nil {
		t.Fatal(err)
	}
	f.rec.mu.Lock()
	defer f.rec.mu.Unlock()
	if len(f.rec.queries) != 2 {
		t.Fatalf("%d calls recorded", len(f.rec.queries))
	}
	for _, q := range f.rec.queries {
		if q.Get("minorversion") != "75" {
			t.Errorf("minorversion = %q, want 75", q.Get("minorversion"))
		}
	}
}

func TestInvoices(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	us := qbofake.DemoRealmUS
	labels := []string{"awaiting_send", "sent", "partially_paid", "paid", "overdue", "voided"}
	var ids []string
	for _, l := range labels {
		ids = append(ids, f.id(us, "invoices", l))
	}
	// A missing id and a duplicate: the one is absent, the other read once.
	ids = append(ids, "999", ids[0])

	got, err := f.client.Invoices(ctx, f.conn(us), ids)
	wantErr(t, err, "", "")
	if n := f.calls(qbofake.RouteQuery, us); n != 1 {
		t.Errorf("%d queries, want one", n)
	}
	if len(got) != len(labels) {
		t.Fatalf("got %d invoices, want %d", len(got), len(labels))
	}
	today := app.Today(f.clock.Now(), "America/Los_Angeles")
	for i, inv := range got {
		if inv.ID != ids[i] {
			t.Errorf("invoice %d has id %s, want %s (input order)", i, inv.ID, ids[i])
		}
		if s := inv.Status(today); string(s) != labels[i] {
			t.Errorf("invoice %s: status %s, want %s", inv.ID, s, labels[i])
		}
	}

	// Field by field, for the partly paid one (seed: $275 + 8% tax, $100 paid,
	// dated 10 days ago, due in 5).
	partial := got[2]
	wantTxn := app.DateOf(f.clock.Now().In(mustZone(t, "America/Los_Angeles")).AddDate(0, 0, -10))
	wantDue := app.DateOf(f.clock.Now().In(mustZone(t, "America/Los_Angeles")).AddDate(0, 0, 5))
	want := app.Invoice{
		ID: f.id(us, "invoices", "partially_paid"), SyncToken: "1", DocNumber: "1003",
		CustomerID: f.id(us, "customers", "amy"), CustomerName: "Amy's Bird Sanctuary",
		BillEmail: "amy@birds.example", Currency: "USD", TxnDate: wantTxn, DueDate: wantDue,
		Total: 29700, Balance: 19700, EmailStatus: "NotSet",
	}
	if diff := cmp.Diff(want, partial, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "UpdatedAt" }, cmp.Ignore())); diff != "" {
		t.Errorf("partially paid invoice (-want +got):\n%s", diff)
	}
	if partial.UpdatedAt.IsZero() || partial.UpdatedAt.After(f.clock.Now()) {
		t.Errorf("UpdatedAt = %v", partial.UpdatedAt)
	}
	if voided := got[5]; voided.Total != 0 || voided.PrivateNote[:6] != "Voided" {
		t.Errorf("voided invoice = %+v", voided)
	}
}

func TestInvoicesCA(t *testing.T) {
	f := newFixture(t)
	ca := qbofake.DemoRealmCA
	labels := []string{"awaiting_send", "paid", "overdue"}
	var ids []string
	for _, l := range labels {
		ids = append(ids, f.id(ca, "invoices", l))
	}
	got, err := f.client.Invoices(context.Background(), f.conn(ca), ids)
	wantErr(t, err, "", "")
	today := app.Today(f.clock.Now(), "America/Toronto")
	for i, inv := range got {
		if s := inv.Status(today); string(s) != labels[i] || inv.Currency != "CAD" {
			t.Errorf("invoice %s: status %s currency %s, want %s CAD", inv.ID, s, inv.Currency, labels[i])
		}
	}
	if got[0].DocNumber != "MLS-0001" {
		t.Errorf("DocNumber = %q", got[0].DocNumber)
	}
}

func TestInvoicesWithoutCalls(t *testing.T) {
	cases := []struct {
		name string
		ids  []string
		code app.Code
	}{
		{"no ids", nil, ""},
		{"empty list", []string{}, ""},
		{"an id with a quote", []string{"1", "1') OR Id > ('0"}, app.Invalid},
		{"an empty id", []string{""}, app.Invalid},
		{"a negative id", []string{"-1"}, app.Invalid},
		{"a name", []string{"INV-1"}, app.Invalid},
		{"too long", []string{"123456789012345678901"}, app.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			// Even an expired token is not refreshed when there is nothing to read.
			got, err := f.client.Invoices(context.Background(), f.expiredConn(qbofake.DemoRealmUS), c.ids)
			wantErr(t, err, c.code, "")
			if len(got) != 0 {
				t.Errorf("got %d invoices", len(got))
			}
			if n := f.calls("", ""); n != 0 {
				t.Errorf("%d data calls, want 0", n)
			}
			if n := f.tokenCalls(); n != 0 {
				t.Errorf("%d token calls, want 0", n)
			}
		})
	}
}

func TestInvoicesChunksAtAThousand(t *testing.T) {
	f := newFixture(t)
	ids := make([]string, 0, 1500)
	for i := 1; i <= 1500; i++ {
		ids = append(ids, strconv.Itoa(i))
	}
	got, err := f.client.Invoices(context.Background(), f.conn(qbofake.DemoRealmUS), ids)
	wantErr(t, err, "", "")
	if n := f.calls(qbofake.RouteQuery, qbofake.DemoRealmUS); n != 2 {
		t.Errorf("%d queries for 1500 ids, want 2", n)
	}
	if len(got) != 6 {
		t.Errorf("got %d invoices, want the 6 seeded", len(got))
	}
}

// TestWireFaults runs each upstream failure through the fake and checks the
// app code, the message and how many calls reached QBO (the route's
// counter).
func TestWireFaults(t *testing.T) {
	fault610 := validationFault("610", "Object Not Found",
		"Object Not Found : Something you're trying to use has been made inactive.", "")
	cases := []struct {
		name      string
		faults    []faultSpec
		configure func(*Config)
		code      app.Code
		msg       string
		calls     int
	}{
		{name: "429 twice, then success", faults: []faultSpec{throttle(2)}, calls: 3},
		{name: "429 forever", faults: []faultSpec{throttle(0)}, code: app.Unavailable, msg: msgBusy, calls: DefaultMaxRetries + 1},
		{name: "429 forever, no retries configured", faults: []faultSpec{throttle(0)},
			configure: func(c *Config) { c.MaxRetries = -1 }, code: app.Unavailable, msg: msgBusy, calls: 1},
		{name: "429 forever, 5 retries", faults: []faultSpec{throttle(0)},
			configure: func(c *Config) { c.MaxRetries = 5 }, code: app.Unavailable, msg: msgBusy, calls: 6},
		{name: "500 once", faults: []faultSpec{{Status: 500, Body: []byte(`{"Fault":{"Error":[{"Message":"Internal Server Error","code":"500"}],"type":"SystemFault"}}`), Times: 1}}, calls: 2},
		{name: "503 forever", faults: []faultSpec{{Status: 503, Body: []byte("<html>Service Unavailable</html>")}},
			code: app.Unavailable, msg: msgBusy, calls: 4},
		{name: "502 then 429 then success", faults: []faultSpec{{Status: 502, Times: 1}, throttle(1)}, calls: 3},
		{name: "dropped connection once", faults: []faultSpec{{Drop: true, Times: 1}}, calls: 2},
		{name: "dropped connection forever", faults: []faultSpec{{Drop: true}}, code: app.Unavailable, msg: msgBusy, calls: 4},
		{name: "200 with a Fault body", faults: []faultSpec{{Status: 200, Body: []byte(fault610), Times: 1}},
			code: app.NotFound, msg: "This record no longer exists in QuickBooks, or it was made inactive.", calls: 1},
		{name: "400 validation fault is not retried", faults: []faultSpec{{Status: 400, Body: []byte(validationFault("4000", "Error parsing query", "QueryParserError", "")), Times: 1}},
			code: app.Internal, msg: msgRejected, calls: 1},
		{name: "200 that is not JSON", faults: []faultSpec{{Status: 200, Body: []byte("<html>"), Times: 1}},
			code: app.Internal, msg: msgUnreadable, calls: 1},
		{name: "slow but within the deadline", faults: []faultSpec{{Latency: 20 * time.Millisecond, Times: 1}}, calls: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			configure := []func(*Config){}
			if c.configure != nil {
				configure = append(configure, c.configure)
			}
			f := newFixture(t, configure...)
			for _, fs := range c.faults {
				f.inject(qbofake.RouteQuery, fs)
			}
			us := qbofake.DemoRealmUS
			got, err := f.client.Invoices(context.Background(), f.conn(us), []string{f.id(us, "invoices", "sent")})
			wantErr(t, err, c.code, c.msg)
			if c.code == "" && len(got) != 1 {
				t.Errorf("got %d invoices, want 1", len(got))
			}
			if n := f.calls(qbofake.RouteQuery, us); n != c.calls {
				t.Errorf("%d calls reached QBO, want %d", n, c.calls)
			}
			var ue *UpstreamError
			if c.code != "" && errors.As(err, &ue) && (ue.Attempts != c.calls || ue.Op != "GET /v3/company/"+us+"/query") {
				t.Errorf("upstream error op %q attempts %d, want %d", ue.Op, ue.Attempts, c.calls)
			}
		})
	}
}

func TestForbiddenRealm(t *testing.T) {
	f := newFixture(t)
	conn := f.conn(qbofake.DemoRealmUS)
	conn.Tokens = f.conn(qbofake.DemoRealmCA).Tokens // a token of another company: 403 3100
	_, err := f.client.Company(context.Background(), conn)
	wantErr(t, err, app.NotConnected, msgForbidden)
	if n := f.calls("", qbofake.DemoRealmUS); n != 1 {
		t.Errorf("%d calls, want 1 (no retry)", n)
	}
	if n := f.tokenCalls(); n != 0 {
		t.Errorf("%d refreshes, want 0", n)
	}
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Status != 403 || ue.Code != "3100" || ue.TID == "" {
		t.Errorf("upstream = %+v", ue)
	}
}

// TestDeadline: an answer slower than the caller's deadline ends the call
// with Unavailable (the context's error in the chain) and no retry.
func TestDeadline(t *testing.T) {
	f := newFixture(t)
	f.inject(qbofake.RouteCompanyInfo, faultSpec{Latency: 5 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.client.Company(ctx, f.conn(qbofake.DemoRealmUS))
	wantErr(t, err, app.Unavailable, msgBusy)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("errors.Is(err, DeadlineExceeded) = false: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	time.Sleep(20 * time.Millisecond) // a retry, if any, would show now
	if n := f.calls(qbofake.RouteCompanyInfo, qbofake.DemoRealmUS); n != 1 {
		t.Errorf("%d calls, want 1: no retry once the context is done", n)
	}
}

// TestWaitBeyondDeadlineIsNotStarted: when the wait before a retry (here
// a Retry-After of 30 s) outlasts the caller's deadline, the caller gets
// Unavailable at once instead of a sleep that cannot end in an answer.
func TestWaitBeyondDeadlineIsNotStarted(t *testing.T) {
	f := newFixture(t)
	spec := throttle(0)
	spec.Header.Set("Retry-After", "30")
	f.inject(qbofake.RouteQuery, spec)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	_, err := f.client.Invoices(ctx, f.conn(qbofake.DemoRealmUS), []string{"1"})
	wantErr(t, err, app.Unavailable, msgBusy)
	if d := time.Since(start); d > 500*time.Millisecond {
		t.Errorf("took %v; the wait should not have started", d)
	}
	if n := f.calls(qbofake.RouteQuery, qbofake.DemoRealmUS); n != 1 {
		t.Errorf("%d calls, want 1", n)
	}
}

func TestCancelledBeforeTheCall(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.client.Company(ctx, f.conn(qbofake.DemoRealmUS))
	wantErr(t, err, app.Unavailable, msgBusy)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("want context.Canceled in the chain: %v", err)
	}
	if n := f.calls("", ""); n != 0 {
		t.Errorf("%d calls, want 0", n)
	}
}

// TestPostRetriedOnlyWithRequestID: a 500 on a create is retried only when
// the call carries a requestid (QBO then answers a repeat with the first
// answer; reference 1.1), never blindly.
func TestPostRetriedOnlyWithRequestID(t *testing.T) {
	us := qbofake.DemoRealmUS
	body := map[string]any{
		"CustomerRef": map[string]string{"value": "1"},
		"Line": []map[string]any{{"DetailType": "SalesItemLineDetail", "Amount": 75,
			"SalesItemLineDetail": map[string]any{"ItemRef": map[string]string{"value": "1"}, "Qty": 1, "UnitPrice": 75}}},
	}
	for _, c := range []struct {
		name      string
		requestID string
		code      app.Code
		calls     int
	}{
		{"without requestid", "", app.Unavailable, 1},
		{"with requestid", "card-7f1c", "", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.inject(qbofake.RouteInvoiceCreate, faultSpec{Status: 500, Times: 1})
			q := map[string][]string{}
			if c.requestID != "" {
				q["requestid"] = []string{c.requestID}
			}
			var out struct{ Invoice invoice }
			err := f.client.do(context.Background(), f.conn(us), http.MethodPost, "invoice", q, body, &out)
			wantErr(t, err, c.code, "")
			if n := f.calls(qbofake.RouteInvoiceCreate, us); n != c.calls {
				t.Errorf("%d calls, want %d", n, c.calls)
			}
			if c.code == "" && out.Invoice.TotalAmt.String() != "75.00" {
				t.Errorf("created invoice total %q", out.Invoice.TotalAmt)
			}
		})
	}
}

func TestBadConnection(t *testing.T) {
	f := newFixture(t)
	for _, conn := range []app.Connection{
		{ID: "", RealmID: qbofake.DemoRealmUS},
		{ID: "c", RealmID: ""},
		{ID: "c", RealmID: "123/../456"},
	} {
		_, err := f.client.Company(context.Background(), conn)
		wantErr(t, err, app.NotConnected, "")
	}
	if n := f.calls("", ""); n != 0 {
		t.Errorf("%d calls", n)
	}
}

// TestLimiterKeepsConcurrencyUnderQBO: the fake answers 429 beyond 10
// concurrent requests of a realm; 30 slow concurrent calls through the
// client never reach it, and never more than 10 are in flight.
func TestLimiterKeepsConcurrencyUnderQBO(t *testing.T) {
	run := func(t *testing.T, configure func(*Config)) (errs []error, maxInFlight int, statuses []int, calls int) {
		f := newFixture(t, configure)
		f.inject(qbofake.RouteQuery, faultSpec{Latency: 30 * time.Millisecond})
		conn := f.conn(qbofake.DemoRealmUS)
		var wg sync.WaitGroup
		errc := make(chan error, 30)
		for range 30 {
			wg.Go(func() {
				_, err := f.client.Invoices(context.Background(), conn, []string{"1"})
				errc <- err
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				errs = append(errs, err)
			}
		}
		maxInFlight, statuses, _ = f.rec.snapshot()
		return errs, maxInFlight, statuses, f.calls(qbofake.RouteQuery, qbofake.DemoRealmUS)
	}

	t.Run("default limits", func(t *testing.T) {
		errs, maxInFlight, statuses, calls := run(t, func(*Config) {})
		if len(errs) > 0 {
			t.Errorf("%d calls failed, first: %v", len(errs), errs[0])
		}
		if maxInFlight > DefaultMaxConcurrent {
			t.Errorf("%d requests in flight at once, want at most %d", maxInFlight, DefaultMaxConcurrent)
		}
		for _, s := range statuses {
			if s == http.StatusTooManyRequests {
				t.Fatalf("a 429 reached the client")
			}
		}
		if calls != 30 {
			t.Errorf("%d calls reached QBO, want 30", calls)
		}
	})
	// The control: with our limit above QBO's, the fake does refuse, so the
	// assertion above is not vacuous.
	t.Run("limit above QBO's", func(t *testing.T) {
		errs, _, statuses, _ := run(t, func(c *Config) { c.MaxConcurrent = 30; c.MaxRetries = -1 })
		n429 := 0
		for _, s := range statuses {
			if s == http.StatusTooManyRequests {
				n429++
			}
		}
		if n429 == 0 || len(errs) != n429 {
			t.Errorf("%d 429s and %d errors; want some, equal", n429, len(errs))
		}
		for _, err := range errs {
			wantErr(t, err, app.Unavailable, msgBusy)
		}
	})
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
