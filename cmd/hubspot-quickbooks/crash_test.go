package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// embeddedWorld starts the fakes on loopback and seeds the embedded store
// a `serve` in dir will open (dir/data), then closes it for that process.
// It returns the fakes, their addresses, the store's key and the seeded
// connections by realm.
func embeddedWorld(t *testing.T, dir string, opt sandbox.Options) (*sandbox.Fakes, *sandbox.Listening, []byte, map[string]app.Connection) {
	t.Helper()
	ctx := context.Background()
	fakes := sandbox.New(opt)
	t.Cleanup(fakes.Close)
	l, err := fakes.Listen("127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(context.Background()) })
	key := make([]byte, 32)
	rand.Read(key)
	st, err := store.Open(ctx, store.Config{SQLitePath: filepath.Join(dir, "data", "hubspot-quickbooks.db"), EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	conns, err := fakes.SeedStore(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	return fakes, l, key, conns
}

// freePort returns a loopback address no one listens on (for a server that
// must come back on the same address after a crash).
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// qboCall calls the QuickBooks fake's API over loopback with a realm's
// seeded token, as a bookkeeper's QuickBooks would change it.
func qboCall(t *testing.T, base, realm, token, method, path string, body any) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+"/v3/company/"+realm+path+"?minorversion=75", rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	return out
}

// TestKilledMidProcessingLosesNothing: the service takes QuickBooks'
// webhooks for three payments and is SIGKILLed while applying them (HubSpot
// is slow, so the jobs are mid-flight). Restarted on the same embedded
// store, with reconcile off, it finishes the work: every deal's properties
// and the card agree with QuickBooks afterwards.
//
// Only the durable queue may heal. Reconcile is off, and the QuickBooks fake
// delivers each notification once, without retries, so it cannot hand the
// restarted server the work again: every delivery must have been answered
// 200 before the kill, and none may follow it.
func TestKilledMidProcessingLosesNothing(t *testing.T) {
	dir := t.TempDir()
	addr := freePort(t)

	// One delivery attempt per webhook, through a client that records
	// every answer.
	hooks := &webhookLog{base: http.DefaultTransport.(*http.Transport).Clone()}
	fakes, l, key, conns := embeddedWorld(t, dir, sandbox.Options{
		QBOWebhookURL:           "http://" + addr + "/webhooks/quickbooks",
		QBOWebhookRetrySchedule: []time.Duration{0},
		QBOWebhookClient:        &http.Client{Transport: hooks, Timeout: 10 * time.Second},
	})

	env := serveEnv(l, key, map[string]string{
		"HTTP_ADDR": addr, "PUBLIC_BASE_URL": "http://" + addr,
		"SYNC_RECONCILE_EVERY": "0", // only the queue may heal
		"SYNC_RESCUE_AFTER":    "3s",
	})
	first := startServe(t, dir, env)

	// HubSpot holds every deal write for 5 s, then refuses it: the jobs hang
	// mid-flight. The refusal matters. The fake does not notice a client
	// that dies while it waits, so a write merely delayed would still land
	// after the kill, and the deals would heal with no help from the queue.
	fakes.HubSpot.Faults().Inject(hubspotfake.RouteObjectsUpdate, hubspotfake.Fault{Latency: 5 * time.Second, Status: http.StatusServiceUnavailable})

	// Each payment keeps its invoice's ids and figures with it: QuickBooks
	// numbers ids per company, so an id alone names no one invoice.
	type books struct{ number, total, balance string }
	type paid struct {
		realm, label, deal string
		portal             int64
		invoice, payment   string // QuickBooks ids, known once paid
		books              books  // the invoice in QuickBooks after the crash
	}
	payments := []*paid{
		{realm: qbofake.DemoRealmUS, label: "partially_paid", deal: "1033", portal: 20000001},
		{realm: qbofake.DemoRealmUS, label: "awaiting_send", deal: "1011", portal: 20000001},
		{realm: qbofake.DemoRealmGB, label: "sent", deal: "1037", portal: 20000002},
	}
	for _, p := range payments {
		p.invoice = seededID(t, fakes, p.realm, p.label)
		token := conns[p.realm].Tokens.Access
		inv := qboCall(t, l.QBOURL, p.realm, token, "GET", "/invoice/"+p.invoice, nil)["Invoice"].(map[string]any)
		out := qboCall(t, l.QBOURL, p.realm, token, "POST", "/payment", map[string]any{
			"CustomerRef": inv["CustomerRef"], "TotalAmt": inv["Balance"],
			"Line": []any{map[string]any{"Amount": inv["Balance"],
				"LinkedTxn": []any{map[string]any{"TxnId": p.invoice, "TxnType": "Invoice"}}}},
		})
		p.payment, _ = out["Payment"].(map[string]any)["Id"].(string)
	}
	// Wait until a deal write is in flight at HubSpot, then crash.
	waitFor(t, 20*time.Second, "a deal write reaches HubSpot", func() bool {
		return fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsUpdate, "") > 0
	})

	// The server must have taken every notification of the payments, with
	// a 200, before it dies: a notification it lost or refused would leave
	// nothing for the queue to recover, and the fake will not send it again.
	waitFor(t, 10*time.Second, "the payments' webhooks are answered", func() bool {
		inFlight, got := hooks.snapshot()
		if inFlight > 0 {
			return false
		}
		for _, p := range payments {
			if countDeliveries(got, p.realm, "invoice", p.invoice) == 0 || countDeliveries(got, p.realm, "payment", p.payment) == 0 {
				return false
			}
		}
		return true
	})
	_, beforeKill := hooks.snapshot()
	for _, d := range beforeKill {
		if d.status != http.StatusOK {
			t.Errorf("the %s %s notification of realm %s was answered %d, want 200", d.entity, d.id, d.realm, d.status)
		}
	}
	for _, p := range payments {
		if n := countDeliveries(beforeKill, p.realm, "invoice", p.invoice); n != 1 {
			t.Errorf("invoice %s of realm %s was notified %d times, want once", p.invoice, p.realm, n)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	first.kill(t)
	for _, p := range payments {
		if props, _ := fakes.HubSpot.Object(p.portal, "deals", p.deal); props[app.DealPropStatus] == "paid" {
			t.Fatalf("deal %s was written before the crash; the test proves nothing", p.deal)
		}
	}
	fakes.HubSpot.Faults().Clear(hubspotfake.RouteObjectsUpdate)

	// QuickBooks' side of the story, read once: nothing changes there any
	// more. Each invoice must be paid in full, or the payments did not land.
	for _, p := range payments {
		inv := qboCall(t, l.QBOURL, p.realm, conns[p.realm].Tokens.Access, "GET", "/invoice/"+p.invoice, nil)["Invoice"].(map[string]any)
		b := books{number: fmt.Sprint(inv["DocNumber"]), total: qboMoney(inv["TotalAmt"]), balance: qboMoney(inv["Balance"])}
		if b.balance != "0.00" || b.total == "0.00" {
			t.Fatalf("invoice %s in the QuickBooks fake: total %s, balance %s; want it paid in full", p.invoice, b.total, b.balance)
		}
		p.books = b
	}

	startServe(t, dir, env)
	// The deal carries the invoice's number, status and amount collected;
	// all three must match what the fake holds, not only the status.
	took := waitUntil(t, 60*time.Second, "every deal agrees with QuickBooks after the restart", func() string {
		for _, p := range payments {
			props, _ := fakes.HubSpot.Object(p.portal, "deals", p.deal)
			b := p.books
			if props[app.DealPropNumber] != b.number || props[app.DealPropStatus] != "paid" || props[app.DealPropAmountCollected] != b.total {
				return fmt.Sprintf("deal %s says invoice %q %q collected %q; QuickBooks says invoice %s paid, %s of %s collected",
					p.deal, props[app.DealPropNumber], props[app.DealPropStatus], props[app.DealPropAmountCollected], b.number, b.total, b.total)
			}
		}
		return ""
	})
	t.Logf("healed %s after the restart", took)

	// A rep opening the deal sees the same: the card lists the invoice as
	// paid with QuickBooks' total and balance.
	for _, p := range payments {
		card := &hubspotfake.CardClient{AppID: sandboxAppID, PortalID: p.portal, UserID: 7,
			UserEmail: "rep@northwind.example", ClientSecret: sandboxClientSecret, NoRetry: true}
		got := cardInvoice(t, card, "http://"+addr+"/api/v1/records/deals/"+p.deal+"/invoices", p.invoice)
		b := p.books
		if !got.Known || got.Status != "paid" || got.Total != b.total || got.Balance != b.balance || got.AmountPaid != b.total {
			t.Errorf("the card of deal %s shows invoice %s as %+v; QuickBooks says total %s, balance %s", p.deal, p.invoice, got, b.total, b.balance)
		}
	}

	// The fake sent nothing after the crash, so the restart healed from the
	// queue alone.
	if inFlight, after := hooks.snapshot(); inFlight != 0 || len(after) != len(beforeKill) {
		t.Errorf("the QuickBooks fake made %d webhook deliveries after the crash (%d in flight); the restart may not have healed from the queue",
			len(after)-len(beforeKill), inFlight)
	}
}

// webhookLog records every webhook delivery the QuickBooks fake makes and
// the server's answer. The fake keeps no such record itself, so the test
// sees its deliveries through the HTTP client it gives the fake.
type webhookLog struct {
	base     http.RoundTripper
	mu       sync.Mutex
	inFlight int
	answered []webhookDelivery
}

// webhookDelivery is one delivery: what it notified, and the status the
// server answered (0 when no answer came).
type webhookDelivery struct {
	realm, entity, id string
	status            int
}

func (w *webhookLog) RoundTrip(req *http.Request) (*http.Response, error) {
	raw, err := io.ReadAll(req.Body)
	req.Body.Close()
	if err != nil {
		return nil, err
	}
	var events []struct {
		Type     string `json:"type"`
		EntityID string `json:"intuitentityid"`
		RealmID  string `json:"intuitaccountid"`
	}
	json.Unmarshal(raw, &events)
	var d webhookDelivery
	if len(events) == 1 {
		// The type reads qbo.<entity>.<verb>.v1.
		parts := strings.Split(events[0].Type, ".")
		if len(parts) > 1 {
			d.entity = parts[1]
		}
		d.realm, d.id = events[0].RealmID, events[0].EntityID
	}
	out := req.Clone(req.Context())
	out.Body = io.NopCloser(bytes.NewReader(raw))
	w.mu.Lock()
	w.inFlight++
	w.mu.Unlock()
	resp, err := w.base.RoundTrip(out)
	if err == nil {
		d.status = resp.StatusCode
	}
	w.mu.Lock()
	w.inFlight--
	w.answered = append(w.answered, d)
	w.mu.Unlock()
	return resp, err
}

// snapshot returns how many deliveries await an answer and those answered.
func (w *webhookLog) snapshot() (int, []webhookDelivery) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.inFlight, slices.Clone(w.answered)
}

// countDeliveries counts the deliveries notifying about one entity.
func countDeliveries(ds []webhookDelivery, realm, entity, id string) int {
	n := 0
	for _, d := range ds {
		if d.realm == realm && d.entity == entity && d.id == id {
			n++
		}
	}
	return n
}

// qboMoney renders an amount of QuickBooks' JSON as the service writes
// money (two decimals), so the two can be compared as strings.
func qboMoney(v any) string {
	f, _ := v.(float64)
	return fmt.Sprintf("%.2f", f)
}

// shownInvoice is one invoice as the card API shows it on a record.
type shownInvoice struct {
	InvoiceID  string `json:"invoiceId"`
	Known      bool   `json:"known"`
	Status     string `json:"status"`
	Total      string `json:"total"`
	Balance    string `json:"balance"`
	AmountPaid string `json:"amountPaid"`
}

// cardInvoice asks the card API, signed as HubSpot signs it, for a record's
// invoices and returns the one with id invoiceID.
func cardInvoice(t *testing.T, c *hubspotfake.CardClient, url, invoiceID string) shownInvoice {
	t.Helper()
	resp, err := c.Do(context.Background(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, raw)
	}
	var card struct {
		Groups []struct {
			Stale    bool           `json:"stale"`
			Invoices []shownInvoice `json:"invoices"`
		} `json:"groups"`
	}
	if err := json.Unmarshal(raw, &card); err != nil {
		t.Fatalf("GET %s: %v in %s", url, err, raw)
	}
	for _, g := range card.Groups {
		for _, inv := range g.Invoices {
			if inv.InvoiceID == invoiceID {
				if g.Stale {
					t.Errorf("GET %s: invoice %s is shown stale", url, invoiceID)
				}
				return inv
			}
		}
	}
	t.Fatalf("GET %s: invoice %s is not on the card: %s", url, invoiceID, raw)
	return shownInvoice{}
}

func seededID(t *testing.T, f *sandbox.Fakes, realm, label string) string {
	t.Helper()
	for _, r := range f.Seed.Realms {
		if r.RealmID == realm && r.Records["invoices"][label] != "" {
			return r.Records["invoices"][label]
		}
	}
	t.Fatalf("no %s invoice in realm %s", label, realm)
	return ""
}

// waitFor polls cond every 50 ms until it holds, or fails after within.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Since(start)
}

// waitUntil polls cond every 50 ms until it returns "", or fails after
// within with the last thing it said was still wrong.
func waitUntil(t *testing.T, within time.Duration, what string, cond func() string) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		wrong := cond()
		if wrong == "" {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("%s: not within %s: %s", what, within, wrong)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
