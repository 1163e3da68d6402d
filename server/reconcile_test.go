package server_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// TestReconcileCursorHoldsUntilTheWorkCommits: a payment made in
// QuickBooks cannot be applied, first because QuickBooks' CDC fails, then
// because HubSpot refuses every deal write; each failed reconcile returns
// an error, leaves the cursor where it was and writes nothing to the deal.
// Once the faults clear, the next reconcile (asking again from the same
// cursor) applies the payment: the deal says paid and the cursor moves on.
func TestReconcileCursorHoldsUntilTheWorkCommits(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{})) // no webhooks, no periodic reconcile: only ours
	ctx := context.Background()
	conn := ts.conns[usRealm]
	inv := ts.seededInvoice(t, usRealm, "partially_paid") // on deal 1033, its only invoice
	status := func() string { return ts.dealProperty(portal1, "1033", app.DealPropStatus) }
	cursor := func() time.Time {
		t.Helper()
		st, err := ts.store.SyncState(ctx, conn.ID)
		if err != nil {
			t.Fatal(err)
		}
		return st.CDCSince
	}
	version := func() time.Time {
		t.Helper()
		v, err := ts.store.EntityVersion(ctx, conn.ID, app.EntityInvoice, inv)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}

	if err := ts.svc.Reconcile(ctx, conn.ID); err != nil { // the first cursor
		t.Fatal(err)
	}
	before, statusBefore, versionBefore := cursor(), status(), version()
	if before.IsZero() {
		t.Fatal("the first reconcile stored no cursor")
	}
	if statusBefore == "paid" {
		t.Fatalf("deal 1033 says paid before the payment")
	}
	time.Sleep(1100 * time.Millisecond) // QuickBooks dates changes to the second
	ts.payInFull(t, usRealm, inv)

	// held checks that a failed reconcile left everything as it was.
	held := func(stage string) {
		t.Helper()
		if got := cursor(); !got.Equal(before) {
			t.Errorf("%s: the cursor moved from %v to %v", stage, before, got)
		}
		if got := status(); got != statusBefore {
			t.Errorf("%s: deal 1033's status was written: %q, was %q", stage, got, statusBefore)
		}
		if got := version(); !got.Equal(versionBefore) {
			t.Errorf("%s: the invoice's version was recorded: %v, was %v", stage, got, versionBefore)
		}
	}

	// 1. QuickBooks' CDC fails (every attempt of the client's retries).
	cdcCalls := ts.fakes.QBO.Counters().Count(qbofake.RouteCDC, usRealm)
	ts.fakes.QBO.Faults().Inject(qbofake.RouteCDC, qbofake.Fault{Tenant: usRealm, Status: http.StatusInternalServerError,
		Body: []byte(`{"Fault":{"Error":[{"Message":"boom","code":"500"}],"type":"SERVICE"}}`)})
	start := time.Now()
	if err := ts.svc.Reconcile(ctx, conn.ID); err == nil {
		t.Fatal("reconcile with CDC failing: no error")
	}
	t.Logf("reconcile with CDC failing: %s", time.Since(start))
	if ts.fakes.QBO.Counters().Count(qbofake.RouteCDC, usRealm) == cdcCalls {
		t.Fatal("the reconcile did not ask CDC")
	}
	held("CDC failing")
	ts.fakes.QBO.Faults().Clear(qbofake.RouteCDC)

	// 2. CDC answers, the payment is read, but HubSpot refuses every write
	// of the deal.
	dealRoute := hubspotfake.RouteObjectsUpdate + ":deals"
	writes := func() int {
		return ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsUpdate, strconv.Itoa(portal1))
	}
	tried := writes()
	ts.fakes.HubSpot.Faults().Inject(dealRoute, hubspotfake.Fault{Tenant: strconv.Itoa(portal1), Status: http.StatusServiceUnavailable,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(`{"status":"error","message":"Service unavailable","category":"SERVICE_UNAVAILABLE"}`)})
	for i := range 2 { // and again: the cursor still holds
		start = time.Now()
		err := ts.svc.Reconcile(ctx, conn.ID)
		t.Logf("reconcile %d with HubSpot refusing deal writes: %s (%v)", i+1, time.Since(start), err)
		if err == nil {
			t.Fatal("reconcile with HubSpot refusing deal writes: no error")
		}
		if !app.Retryable(err) {
			t.Errorf("the failure is not one to retry: %v", err)
		}
		held("HubSpot refusing deal writes")
	}
	if writes() == tried {
		t.Fatal("the reconcile never tried to write the deal")
	}
	ts.fakes.HubSpot.Faults().Clear(dealRoute)

	// 3. The faults are gone: the next reconcile applies the payment.
	if err := ts.svc.Reconcile(ctx, conn.ID); err != nil {
		t.Fatalf("reconcile once the faults cleared: %v", err)
	}
	if got := status(); got != "paid" {
		t.Errorf("deal 1033 after the faults cleared: %q, want paid", got)
	}
	if after := cursor(); !after.After(before) {
		t.Errorf("the cursor did not advance: %v then %v", before, after)
	}
	if got := version(); !got.After(versionBefore) {
		t.Errorf("the invoice's version was not recorded: %v, was %v", got, versionBefore)
	}
}
