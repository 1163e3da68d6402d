package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
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
// store, with reconcile off so only the queue can heal, it finishes the
// work: every deal's properties agree with QuickBooks afterwards.
func TestKilledMidProcessingLosesNothing(t *testing.T) {
	dir := t.TempDir()
	addr := freePort(t)

	fakes, l, key, conns := embeddedWorld(t, dir, sandbox.Options{QBOWebhookURL: "http://" + addr + "/webhooks/quickbooks"})

	env := serveEnv(l, key, map[string]string{
		"HTTP_ADDR": addr, "PUBLIC_BASE_URL": "http://" + addr,
		"SYNC_RECONCILE_EVERY": "0", // only the queue may heal
		"SYNC_RESCUE_AFTER":    "3s",
	})
	first := startServe(t, dir, env)

	// HubSpot answers every deal write after 5 s: the jobs hang mid-flight.
	fakes.HubSpot.Faults().Inject(hubspotfake.RouteObjectsUpdate, hubspotfake.Fault{Latency: 5 * time.Second})

	type paid struct {
		realm, label, deal string
		portal             int64
	}
	payments := []paid{
		{qbofake.DemoRealmUS, "partially_paid", "1033", 20000001},
		{qbofake.DemoRealmUS, "awaiting_send", "1011", 20000001},
		{qbofake.DemoRealmGB, "sent", "1037", 20000002},
	}
	for _, p := range payments {
		id := seededID(t, fakes, p.realm, p.label)
		token := conns[p.realm].Tokens.Access
		inv := qboCall(t, l.QBOURL, p.realm, token, "GET", "/invoice/"+id, nil)["Invoice"].(map[string]any)
		qboCall(t, l.QBOURL, p.realm, token, "POST", "/payment", map[string]any{
			"CustomerRef": inv["CustomerRef"], "TotalAmt": inv["Balance"],
			"Line": []any{map[string]any{"Amount": inv["Balance"],
				"LinkedTxn": []any{map[string]any{"TxnId": id, "TxnType": "Invoice"}}}},
		})
	}
	// Wait until a deal write is in flight at HubSpot, then crash.
	waitFor(t, 20*time.Second, "a deal write reaches HubSpot", func() bool {
		return fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsUpdate, "") > 0
	})
	first.kill(t)
	for _, p := range payments {
		if props, _ := fakes.HubSpot.Object(p.portal, "deals", p.deal); props[app.DealPropStatus] == "paid" {
			t.Fatalf("deal %s was written before the crash; the test proves nothing", p.deal)
		}
	}
	fakes.HubSpot.Faults().Clear(hubspotfake.RouteObjectsUpdate)

	startServe(t, dir, env)
	took := waitFor(t, 60*time.Second, "every paid invoice's deal says paid after the restart", func() bool {
		for _, p := range payments {
			if props, _ := fakes.HubSpot.Object(p.portal, "deals", p.deal); props[app.DealPropStatus] != "paid" {
				return false
			}
		}
		return true
	})
	t.Logf("healed %s after the restart", took)
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
