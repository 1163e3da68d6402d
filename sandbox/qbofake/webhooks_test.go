package qbofake

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/internal/fakekit"
)

// receiver is a webhook endpoint that answers with statuses in turn (the
// last one repeats) and records every delivery.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []delivery
	arrived  chan struct{}
	srv      *httptest.Server
}

type delivery struct {
	header http.Header
	body   []byte
	status int
}

func newReceiver(t *testing.T, statuses ...int) *receiver {
	rc := &receiver{statuses: statuses, arrived: make(chan struct{}, 100)}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		status := 200
		if len(rc.statuses) > 0 {
			status = rc.statuses[min(len(rc.got), len(rc.statuses)-1)]
		}
		rc.got = append(rc.got, delivery{header: r.Header.Clone(), body: body, status: status})
		rc.mu.Unlock()
		w.WriteHeader(status)
		rc.arrived <- struct{}{}
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) deliveries() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

func (rc *receiver) wait(t *testing.T, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		select {
		case <-rc.arrived:
		case <-time.After(10 * time.Second):
			t.Fatalf("only %d of %d deliveries arrived", i, n)
		}
	}
}

func webhookOptions(rc *receiver, schedule ...time.Duration) func(*Options) {
	return func(o *Options) {
		o.WebhookURL = rc.srv.URL
		o.WebhookClient = rc.srv.Client() // its own transport: TestMain replaces http.DefaultTransport
		o.WebhookRetrySchedule = schedule
	}
}

// TestWebhookCloudEvents: a change is POSTed as a signed CloudEvents array
// (reference §5.2); a receiver that answers 500 twice gets the third try.
func TestWebhookCloudEvents(t *testing.T) {
	rc := newReceiver(t, 500, 500, 200)
	f := newFixture(t, webhookOptions(rc, 0, 5*time.Millisecond, 5*time.Millisecond, 5*time.Millisecond))
	r := f.api("POST", DemoRealmUS, "/customer", `{"DisplayName":"Hook Test"}`)
	wantStatus(t, r, 200)
	id := str(at(decode(t, r.body), "Customer.Id"))
	rc.wait(t, 3)
	f.srv.Close() // waits for delivery goroutines: no fourth attempt may follow
	got := rc.deliveries()
	if len(got) != 3 {
		t.Fatalf("%d deliveries, want 3 (two 500s, then success)", len(got))
	}
	for i, d := range got {
		if string(d.body) != string(got[0].body) {
			t.Errorf("attempt %d sent a different body", i+1)
		}
	}
	d := got[2]
	mac := hmac.New(sha256.New, []byte(DefaultWebhookVerifierToken))
	mac.Write(d.body)
	if want := base64.StdEncoding.EncodeToString(mac.Sum(nil)); !hmac.Equal([]byte(d.header.Get("intuit-signature")), []byte(want)) {
		t.Errorf("intuit-signature = %q, want %q", d.header.Get("intuit-signature"), want)
	}
	for _, h := range []string{"intuit-t-id", "intuit-created-time", "intuit-notification-schema-version"} {
		if d.header.Get(h) == "" {
			t.Errorf("missing header %s", h)
		}
	}
	if ua := d.header.Get("User-Agent"); ua != "intuit_notification_server/0.1" {
		t.Errorf("User-Agent = %q", ua)
	}
	var events []map[string]any
	if err := json.Unmarshal(d.body, &events); err != nil || len(events) != 1 {
		t.Fatalf("body is not a one-event array: %s", d.body)
	}
	e := events[0]
	for k, want := range map[string]string{
		"specversion": "1.0", "type": "qbo.customer.created.v1", "datacontenttype": "application/json",
		"intuitentityid": id, "intuitaccountid": DemoRealmUS,
	} {
		if e[k] != want {
			t.Errorf("%s = %v, want %s", k, e[k], want)
		}
	}
	if _, err := time.Parse(time.RFC3339Nano, str(e["time"])); err != nil {
		t.Errorf("time = %v", e["time"])
	}
	if s := str(e["source"]); len(s) < 8 || s[:7] != "intuit." || str(e["id"]) == "" {
		t.Errorf("source/id = %v/%v", e["source"], e["id"])
	}
}

// TestWebhookLegacyPayment: in the legacy format, a payment notifies its
// own Create and the Update of the invoice it moved.
func TestWebhookLegacyPayment(t *testing.T) {
	rc := newReceiver(t)
	f := newFixture(t, webhookOptions(rc, 0), func(o *Options) { o.WebhookFormat = WebhookFormatLegacy })
	inv := f.id(DemoRealmUS, "invoices", "awaiting_send")
	r := f.api("POST", DemoRealmUS, "/payment", `{"CustomerRef":{"value":"1"},"TotalAmt":50,"Line":[{"Amount":50,"LinkedTxn":[{"TxnId":"`+inv+`","TxnType":"Invoice"}]}]}`)
	wantStatus(t, r, 200)
	rc.wait(t, 2)
	f.srv.Close()
	seen := map[string]bool{}
	for _, d := range rc.deliveries() {
		var n struct {
			EventNotifications []struct {
				RealmID         string `json:"realmId"`
				DataChangeEvent struct {
					Entities []struct{ Name, ID, Operation, LastUpdated string } `json:"entities"`
				} `json:"dataChangeEvent"`
			} `json:"eventNotifications"`
		}
		if err := json.Unmarshal(d.body, &n); err != nil || len(n.EventNotifications) != 1 || n.EventNotifications[0].RealmID != DemoRealmUS {
			t.Fatalf("legacy body = %s", d.body)
		}
		for _, e := range n.EventNotifications[0].DataChangeEvent.Entities {
			seen[e.Name+" "+e.ID+" "+e.Operation] = true
			if e.LastUpdated == "" {
				t.Error("no lastUpdated")
			}
		}
	}
	payment := str(at(decode(t, r.body), "Payment.Id"))
	if !seen["Payment "+payment+" Create"] || !seen["Invoice "+inv+" Update"] {
		t.Errorf("notifications = %v", seen)
	}
}

// TestWebhookQuietSeedAndFaults: seeding notifies nothing; a dropped
// delivery is lost for good; a faulted attempt is retried.
func TestWebhookQuietSeedAndFaults(t *testing.T) {
	rc := newReceiver(t)
	f := newFixture(t, webhookOptions(rc, 0, 5*time.Millisecond))
	f.srv.Faults().Inject(RouteWebhookDeliver, fakekit.Fault{Drop: true, Times: 1})
	wantStatus(t, f.api("POST", DemoRealmUS, "/term", `{"Name":"Net 45","DueDays":45}`), 200)
	// Deliveries run in goroutines of their own: let Net 45's take the
	// drop before Net 90's delivery can race it.
	deadline := time.Now().Add(5 * time.Second)
	for f.srv.Faults().Armed(RouteWebhookDeliver) > 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	f.srv.Faults().Inject(RouteWebhookDeliver, fakekit.Fault{Status: 503, Times: 1})
	wantStatus(t, f.api("POST", DemoRealmUS, "/term", `{"Name":"Net 90","DueDays":90}`), 200)
	rc.wait(t, 1)
	f.srv.Close()
	got := rc.deliveries()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1: the seed sends none, the dropped one is lost, the faulted one retried", len(got))
	}
	var events []map[string]any
	_ = json.Unmarshal(got[0].body, &events)
	if events[0]["type"] != "qbo.term.created.v1" || events[0]["intuitentityid"] != "6" {
		t.Errorf("delivered %v, want the Net 90 term (id 6)", events[0])
	}
}

// TestWebhookCloseStopsRetries: Close ends a delivery waiting for its next
// attempt instead of blocking on QBO's long schedule.
func TestWebhookCloseStopsRetries(t *testing.T) {
	rc := newReceiver(t, 500)
	f := newFixture(t, webhookOptions(rc, 0, time.Hour))
	wantStatus(t, f.api("POST", DemoRealmUS, "/customer", `{"DisplayName":"Retry Me"}`), 200)
	rc.wait(t, 1)
	done := make(chan struct{})
	go func() { f.srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the pending retry")
	}
}
