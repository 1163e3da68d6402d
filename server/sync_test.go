package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// qbo calls the QuickBooks fake's API as QuickBooks' own web app would
// (what a bookkeeper does there), with the realm's seeded token.
func (ts *testServer) qbo(t testing.TB, realm, method, path string, body any) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	u := "https://sandbox-quickbooks.api.intuit.com/v3/company/" + realm + path + "?minorversion=75"
	req, _ := http.NewRequest(method, u, rd)
	req.Header.Set("Authorization", "Bearer "+ts.conns[realm].Tokens.Access)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := ts.upstream.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s at the QBO fake: %d %s", method, path, resp.StatusCode, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// payInFull records, in QuickBooks, a payment of an invoice's balance.
func (ts *testServer) payInFull(t testing.TB, realm, invoiceID string) {
	t.Helper()
	inv := ts.qbo(t, realm, "GET", "/invoice/"+invoiceID, nil)["Invoice"].(map[string]any)
	balance := inv["Balance"].(float64)
	ts.qbo(t, realm, "POST", "/payment", map[string]any{
		"CustomerRef": inv["CustomerRef"],
		"TotalAmt":    balance,
		"Line": []any{map[string]any{"Amount": balance,
			"LinkedTxn": []any{map[string]any{"TxnId": invoiceID, "TxnType": "Invoice"}}}},
	})
}

// seededInvoice is the id of a seeded invoice of a realm by its label.
func (ts *testServer) seededInvoice(t testing.TB, realm, label string) string {
	t.Helper()
	for _, r := range ts.fakes.Seed.Realms {
		if r.RealmID == realm {
			if id := r.Records["invoices"][label]; id != "" {
				return id
			}
		}
	}
	t.Fatalf("no seeded %s invoice in realm %s", label, realm)
	return ""
}

// dealProperty reads a deal property as the HubSpot fake holds it.
func (ts *testServer) dealProperty(portal int64, dealID, name string) string {
	props, _ := ts.fakes.HubSpot.Object(portal, "deals", dealID)
	return props[name]
}

// eventually polls cond every 20 ms until it holds or within fails.
func eventually(t testing.TB, within time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > within {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// cardStatus is the status the card shows for an invoice of a record.
func (ts *testServer) cardStatus(t *testing.T, portal int64, record, invoiceID string) string {
	t.Helper()
	var got cardAnswer
	ts.call(t, card(portal), "GET", "/api/v1/records/"+record+"/invoices", cardPath).decode(t, &got)
	for _, g := range got.Groups {
		for _, inv := range g.Invoices {
			if inv.InvoiceID == invoiceID {
				return inv.Status
			}
		}
	}
	return ""
}

// TestPaymentReachesCardAndDealThroughWebhooks: a customer pays in
// QuickBooks; QuickBooks' webhook reaches the service, the queue applies
// it, and the card and the deal's properties say "paid" within seconds.
func TestPaymentReachesCardAndDealThroughWebhooks(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
	inv := ts.seededInvoice(t, usRealm, "partially_paid") // on deal 1033, its only invoice
	if s := ts.cardStatus(t, portal1, "deals/1033", inv); s != "partially_paid" {
		t.Fatalf("card before the payment: %q", s)
	}
	ts.payInFull(t, usRealm, inv)
	took := eventually(t, 10*time.Second, "deal 1033's status property becomes paid", func() bool {
		return ts.dealProperty(portal1, "1033", app.DealPropStatus) == "paid"
	})
	t.Logf("payment to deal property: %s", took)
	if got := ts.dealProperty(portal1, "1033", app.DealPropAmountCollected); got != "275.00" && got != "297.69" {
		// the seeded invoice is 275 plus tax; whatever the total, it is collected in full
		inv := ts.qbo(t, usRealm, "GET", "/invoice/"+inv, nil)["Invoice"].(map[string]any)
		if got != fmt.Sprintf("%.2f", inv["TotalAmt"].(float64)) {
			t.Errorf("amount collected = %q, want the invoice's total %v", got, inv["TotalAmt"])
		}
	}
	// The card says so too, without asking QuickBooks (the snapshot is fresh).
	// The payment and the invoice change arrive as two changes: the other
	// one's reads are let finish first (a queue poll is 1 s).
	queries := func() int { return ts.fakes.QBO.Counters().Count(qbofake.RouteQuery, usRealm) }
	eventually(t, 10*time.Second, "the sync's QuickBooks reads settle", func() bool {
		n := queries()
		time.Sleep(1200 * time.Millisecond)
		return queries() == n
	})
	reads := queries()
	if s := ts.cardStatus(t, portal1, "deals/1033", inv); s != "paid" {
		t.Errorf("card after the payment: %q", s)
	}
	if n := queries() - reads; n != 0 {
		t.Errorf("the card asked QuickBooks %d times after the webhook refreshed the snapshot", n)
	}
}

// TestPaymentReachesCardThroughReconcileWithoutWebhooks: with no webhook
// arriving at all, the periodic change-data-capture reconcile finds the
// payment, and its cursor advances.
func TestPaymentReachesCardThroughReconcileWithoutWebhooks(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{webhooks: false, reconcileEvery: 300 * time.Millisecond}))
	inv := ts.seededInvoice(t, usRealm, "partially_paid")
	queries := func() int { return ts.fakes.QBO.Counters().Count(qbofake.RouteQuery, usRealm) }
	before := queries()
	ts.payInFull(t, usRealm, inv)
	took := eventually(t, 15*time.Second, "deal 1033's status property becomes paid through reconcile", func() bool {
		return ts.dealProperty(portal1, "1033", app.DealPropStatus) == "paid"
	})
	t.Logf("payment to deal property through reconcile: %s", took)
	if s := ts.cardStatus(t, portal1, "deals/1033", inv); s != "paid" {
		t.Errorf("card after reconcile: %q", s)
	}
	eventually(t, 5*time.Second, "the reconcile cursor is stored", func() bool {
		st, err := ts.store.SyncState(context.Background(), ts.conns[usRealm].ID)
		return err == nil && !st.CDCSince.IsZero()
	})
	if n := ts.fakes.QBO.Counters().Count(qbofake.RouteCDC, usRealm); n == 0 {
		t.Error("no CDC call")
	}
	// CDC carries the paid invoice whole, with the payment: the payment
	// does not read it again.
	if n := queries() - before; n != 0 {
		t.Errorf("%d QuickBooks queries besides CDC, want none", n)
	}
}

// postWebhook posts a body signed as Intuit signs it.
func (ts *testServer) postWebhook(t testing.TB, body []byte) int {
	t.Helper()
	return ts.postWebhookAnswer(t, body).status
}

// postWebhookAnswer posts a body signed with the sandbox's verifier token.
func (ts *testServer) postWebhookAnswer(t testing.TB, body []byte) answer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, ts.url+"/webhooks/quickbooks", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("intuit-signature", qbofake.Sign(qbofake.DefaultWebhookVerifierToken, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, got}
}

// invoiceEventLegacy is invoiceEvent's change in the older
// eventNotifications form: the same change in other bytes.
func invoiceEventLegacy(realm, id, operation string, at time.Time) []byte {
	return fmt.Appendf(nil, `{"eventNotifications":[{"realmId":%q,"dataChangeEvent":{"entities":[`+
		`{"name":"Invoice","id":%q,"operation":%q,"lastUpdated":%q}]}}]}`,
		realm, id, operation, at.UTC().Format(time.RFC3339Nano))
}

func invoiceEvent(realm, id, verb string, at time.Time) []byte {
	b, _ := json.Marshal([]map[string]any{{
		"specversion": "1.0", "id": fmt.Sprintf("%s-%s-%d", id, verb, at.UnixNano()), "source": "intuit.test",
		"type": "qbo.invoice." + verb + ".v1", "datacontenttype": "application/json",
		"time": at.UTC().Format(time.RFC3339Nano), "intuitentityid": id, "intuitaccountid": realm, "data": map[string]any{},
	}})
	return b
}

// TestDuplicateAndOutOfOrderWebhooksApplyOnce: a body delivered twice is
// refused as a replay; the same change in another body, and an older
// change delivered after a newer one, cost QuickBooks no second read: each
// entity's changes apply once, in lastUpdated order.
func TestDuplicateAndOutOfOrderWebhooksApplyOnce(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{}))
	inv := ts.seededInvoice(t, usRealm, "awaiting_send") // linked to deal 1011 and company 1001
	conn := ts.conns[usRealm]
	t2 := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	t1 := t2.Add(-30 * time.Second)
	reads := func() int { return ts.fakes.QBO.Counters().Count(qbofake.RouteQuery, usRealm) }

	before := reads()
	if s := ts.postWebhook(t, invoiceEvent(usRealm, inv, "updated", t2)); s != http.StatusOK {
		t.Fatalf("webhook: %d", s)
	}
	eventually(t, 10*time.Second, "the change at t2 is applied", func() bool {
		v, _ := ts.store.EntityVersion(context.Background(), conn.ID, app.EntityInvoice, inv)
		return v.Equal(t2)
	})
	if n := reads() - before; n != 1 {
		t.Fatalf("%d QuickBooks reads for one change, want 1", n)
	}
	// The same body again: a replay, refused (and remembered by the store,
	// so a restart or another replica refuses it too).
	if a := ts.postWebhookAnswer(t, invoiceEvent(usRealm, inv, "updated", t2)); a.status != http.StatusOK || string(bytes.TrimSpace(a.body)) != `{"replayed":true}` {
		t.Fatalf("replayed webhook: %d %s", a.status, a.body)
	}
	digest := sha256.Sum256(invoiceEvent(usRealm, inv, "updated", t2))
	if seen, err := ts.store.WebhookReceived(context.Background(), hex.EncodeToString(digest[:]), time.Now().Add(-time.Hour)); err != nil || !seen {
		t.Errorf("the accepted body is not in the store: %v %v", seen, err)
	}
	// The same change in another body, and an older change: both
	// accepted, neither read.
	for _, body := range [][]byte{invoiceEventLegacy(usRealm, inv, "Update", t2), invoiceEvent(usRealm, inv, "updated", t1)} {
		if a := ts.postWebhookAnswer(t, body); a.status != http.StatusOK || string(bytes.TrimSpace(a.body)) != `{}` {
			t.Fatalf("webhook: %d %s", a.status, a.body)
		}
	}
	// A later change for another entity is the marker that the queue has
	// moved past them (jobs run in insertion order per poll, but give them
	// time: up to 2 s).
	other := ts.seededInvoice(t, usRealm, "paid")
	if s := ts.postWebhook(t, invoiceEvent(usRealm, other, "updated", t2)); s != http.StatusOK {
		t.Fatalf("webhook: %d", s)
	}
	eventually(t, 10*time.Second, "the marker change is applied", func() bool {
		v, _ := ts.store.EntityVersion(context.Background(), conn.ID, app.EntityInvoice, other)
		return v.Equal(t2)
	})
	time.Sleep(500 * time.Millisecond)
	if n := reads() - before; n != 2 {
		t.Errorf("%d QuickBooks reads, want 2 (the first change and the marker; no read for the duplicate or the older change)", n)
	}
	if v, _ := ts.store.EntityVersion(context.Background(), conn.ID, app.EntityInvoice, inv); !v.Equal(t2) {
		t.Errorf("entity version moved back to %v", v)
	}
	// A newer change is applied again.
	t3 := t2.Add(time.Second)
	ts.postWebhook(t, invoiceEvent(usRealm, inv, "updated", t3))
	eventually(t, 10*time.Second, "the change at t3 is applied", func() bool {
		v, _ := ts.store.EntityVersion(context.Background(), conn.ID, app.EntityInvoice, inv)
		return v.Equal(t3)
	})
}

// createInvoice creates an invoice in the QuickBooks fake, due on due.
func (ts *testServer) createInvoice(t testing.TB, realm, customer, item, taxCode string, due app.Date) string {
	t.Helper()
	detail := map[string]any{"ItemRef": map[string]any{"value": item}, "Qty": 1, "UnitPrice": 100}
	if taxCode != "" {
		detail["TaxCodeRef"] = map[string]any{"value": taxCode}
	}
	out := ts.qbo(t, realm, "POST", "/invoice", map[string]any{
		"CustomerRef": map[string]any{"value": customer},
		"DueDate":     due.String(),
		"Line":        []any{map[string]any{"Amount": 100, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": detail}},
	})
	return out["Invoice"].(map[string]any)["Id"].(string)
}

// TestOverdueSweepAcrossTwoTimeZones: invoices due on the same date turn
// overdue on the deals at each company's own midnight, London's eight hours
// before Los Angeles', with no QuickBooks event; a second sweep the same
// day writes nothing.
func TestOverdueSweepAcrossTwoTimeZones(t *testing.T) {
	var mu sync.Mutex
	due := app.DateOf(time.Now().AddDate(0, 0, 20))
	now := due.Time().Add(12 * time.Hour) // noon UTC on the due date: not overdue anywhere
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	set := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	ts := newTestServer(t, withClock(clock), withSync(syncSetup{}))
	ctx := context.Background()

	usInv := ts.createInvoice(t, usRealm, "1", "1", "NON", due)
	gbInv := ts.createInvoice(t, gbRealm, "1", "1", "9", due)
	if _, a := ts.add(t, card(portal1), "deals/1029", ts.conns[usRealm].ID, usInv); a.status != http.StatusCreated {
		t.Fatalf("link the US invoice: %d %s", a.status, a.body)
	}
	if _, a := ts.add(t, card(portal2), "deals/1037", ts.conns[gbRealm].ID, gbInv); a.status != http.StatusCreated {
		t.Fatalf("link the GB invoice: %d %s", a.status, a.body)
	}
	if err := ts.svc.SweepOverdue(ctx); err != nil {
		t.Fatal(err)
	}
	us := func() string { return ts.dealProperty(portal1, "1029", app.DealPropStatus) }
	gb := func() string { return ts.dealProperty(portal2, "1037", app.DealPropStatus) }
	if us() == "overdue" || gb() == "overdue" {
		t.Fatalf("overdue on the due date: US %q, GB %q", us(), gb())
	}

	// 00:30 in London the next day, 16:30 the day before in Los Angeles.
	set(due.Time().Add(24*time.Hour + 30*time.Minute))
	if err := ts.svc.SweepOverdue(ctx); err != nil {
		t.Fatal(err)
	}
	if gb() != "overdue" || us() == "overdue" {
		t.Fatalf("after London's midnight: US %q, GB %q; want only GB overdue", us(), gb())
	}

	// 00:30 in Los Angeles.
	set(due.Time().Add(32*time.Hour + 30*time.Minute))
	if err := ts.svc.SweepOverdue(ctx); err != nil {
		t.Fatal(err)
	}
	if us() != "overdue" || gb() != "overdue" {
		t.Fatalf("after Los Angeles' midnight: US %q, GB %q; want both overdue", us(), gb())
	}

	// Later the same day: nothing to write.
	writes := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsUpdate, "")
	set(due.Time().Add(40 * time.Hour))
	if err := ts.svc.SweepOverdue(ctx); err != nil {
		t.Fatal(err)
	}
	if n := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsUpdate, "") - writes; n != 0 {
		t.Errorf("a second sweep the same day wrote %d deals", n)
	}
	// The card agrees, on its own, from the same clock.
	if s := ts.cardStatus(t, portal1, "deals/1029", usInv); s != "overdue" {
		t.Errorf("US card: %q", s)
	}
}

// TestReconcileGoesOnPastADeletedDeal: a deal deleted in HubSpot while an
// invoice is still linked to it cannot be written, ever; the reconcile
// writes the other deals, advances its cursor, and does not fail.
func TestReconcileGoesOnPastADeletedDeal(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{}))
	ctx := context.Background()
	conn := ts.conns[usRealm]
	if err := ts.svc.Reconcile(ctx, conn.ID); err != nil { // the first cursor
		t.Fatal(err)
	}
	before, _ := ts.store.SyncState(ctx, conn.ID)
	time.Sleep(1100 * time.Millisecond) // QuickBooks dates changes to the second

	// Deal 1011 goes in HubSpot; its invoice and deal 1033's are paid.
	req, _ := http.NewRequest(http.MethodDelete, "https://api.hubapi.com/crm/v3/objects/deals/1011", nil)
	req.Header.Set("Authorization", "Bearer hs-sandbox-token-portal-1")
	resp, err := ts.upstream.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("delete deal 1011 at the fake: %v %v", resp, err)
	}
	resp.Body.Close()
	ts.payInFull(t, usRealm, ts.seededInvoice(t, usRealm, "awaiting_send"))
	ts.payInFull(t, usRealm, ts.seededInvoice(t, usRealm, "partially_paid"))

	if err := ts.svc.Reconcile(ctx, conn.ID); err != nil {
		t.Fatalf("reconcile with a deleted deal: %v", err)
	}
	if got := ts.dealProperty(portal1, "1033", app.DealPropStatus); got != "paid" {
		t.Errorf("deal 1033: %q, want paid", got)
	}
	after, _ := ts.store.SyncState(ctx, conn.ID)
	if !after.CDCSince.After(before.CDCSince) {
		t.Errorf("the cursor did not advance: %v then %v", before.CDCSince, after.CDCSince)
	}
}

// TestReinstallRewritesEveryDeal: while HubSpot refused the portal's
// tokens, a payment was applied to the snapshot only; reinstalling makes
// the next reconcile read every linked invoice again and write the deal.
func TestReinstallRewritesEveryDeal(t *testing.T) {
	var mu sync.Mutex
	fakeNow := time.Now()
	ts := newTestServer(t, withSync(syncSetup{webhooks: true}),
		withFakeClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return fakeNow }))
	ctx := context.Background()
	p := ts.installPortal2(t)
	// HubSpot stops accepting the portal: its refresh token revoked, its
	// access token expired.
	req, _ := http.NewRequest(http.MethodDelete, "https://api.hubapi.com/oauth/v1/refresh-tokens/"+p.Tokens.Refresh, nil)
	resp, err := ts.upstream.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("revoke: %v %v", resp, err)
	}
	resp.Body.Close()
	mu.Lock()
	fakeNow = fakeNow.Add(31 * time.Minute)
	mu.Unlock()

	gb := ts.conns[gbRealm]
	inv := ts.seededInvoice(t, gbRealm, "sent") // on deal 1037
	if err := ts.svc.Reconcile(ctx, gb.ID); err != nil {
		t.Fatal(err)
	}
	ts.payInFull(t, gbRealm, inv)
	eventually(t, 10*time.Second, "the portal turns needs_reinstall", func() bool {
		got, _ := ts.store.Portal(ctx, portal2)
		return got.State == app.PortalNeedsReinstall
	})
	eventually(t, 10*time.Second, "the payment reaches the snapshot", func() bool {
		snaps, _ := ts.store.Snapshots(ctx, gb.ID, []string{inv})
		return snaps[inv].Invoice.Balance == 0
	})
	if got := ts.dealProperty(portal2, "1037", app.DealPropStatus); got == "paid" {
		t.Fatal("the deal was written without HubSpot access")
	}

	ts.installPortal2(t)
	if err := ts.svc.Reconcile(ctx, gb.ID); err != nil {
		t.Fatal(err)
	}
	if got := ts.dealProperty(portal2, "1037", app.DealPropStatus); got != "paid" {
		t.Errorf("deal 1037 after the reinstall's reconcile: %q, want paid", got)
	}
}
