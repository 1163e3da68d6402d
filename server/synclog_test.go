package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// The sync log end to end: invoice sync writes an entry per invoice it
// processes, the settings API lists them and retries a failure.

const (
	syncLogRoute = "/api/v1/settings/sync-log"
	retryRoute   = "/api/v1/settings/sync-log/{id}/retry"
)

type syncLogEntryAnswer struct {
	ID, ConnectionID, Object, QBOID, HubSpotID, Action, Outcome, Message, Source, At, RetriedAt string
	Retryable                                                                                   bool
}

type syncLogAnswer struct {
	Entries    []syncLogEntryAnswer
	NextCursor *string
}

// syncLog lists a page of portal's sync log with the query q.
func (ts *testServer) syncLog(t *testing.T, portal int64, q url.Values) syncLogAnswer {
	t.Helper()
	path := syncLogRoute
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	a := ts.call(t, card(portal), "GET", path, syncLogRoute)
	if a.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, a.status, a.body)
	}
	var got syncLogAnswer
	a.decode(t, &got)
	return got
}

// logEntryOf waits for portal one's newest entry of a QuickBooks invoice
// with the outcome, and returns it.
func (ts *testServer) logEntryOf(t *testing.T, qboID, outcome string) syncLogEntryAnswer {
	t.Helper()
	var found syncLogEntryAnswer
	eventually(t, 10*time.Second, "a "+outcome+" entry of invoice "+qboID, func() bool {
		for _, e := range ts.syncLog(t, portal1, url.Values{"outcome": {outcome}, "limit": {"200"}}).Entries {
			if e.QBOID == qboID {
				found = e
				return true
			}
		}
		return false
	})
	return found
}

func (ts *testServer) retry(t *testing.T, portal int64, id string) answer {
	t.Helper()
	path := "/api/v1/settings/sync-log/" + url.PathEscape(id) + "/retry"
	return ts.call(t, card(portal), "POST", path, retryRoute)
}

// TestSyncLogRecordsAndRetries: a created invoice logs created/succeeded;
// one HubSpot refuses logs failed with HubSpot's reason in words; once the
// fault is gone, a retry through the API copies it and logs a success.
// Filters, paging and tenant isolation hold.
func TestSyncLogRecordsAndRetries(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
	ts.invoiceSync(t, true, "create_or_update", "keep")
	due := app.DateOf(time.Now().AddDate(0, 0, 30))

	ok := ts.createInvoice(t, usRealm, "1", "1", "NON", due)
	hid, _ := ts.hubspotInvoice(t, ok, "the invoice reaches HubSpot", func(map[string]string) bool { return true })
	created := ts.logEntryOf(t, ok, "succeeded")
	if created.Action != "created" || created.Object != "invoices" || created.HubSpotID != hid || created.Source != "sync" ||
		created.ConnectionID != ts.conns[usRealm].ID || created.Retryable || !strings.Contains(created.Message, "copied to HubSpot") {
		t.Errorf("created entry = %+v", created)
	}

	// HubSpot refuses the next invoice's create, for good.
	route := hubspotfake.RouteObjectsCreate + ":invoices"
	ts.fakes.HubSpot.Faults().Inject(route, hubspotfake.Fault{Status: http.StatusBadRequest,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(`{"status":"error","message":"Property values were not valid","correlationId":"c0ffee","category":"VALIDATION_ERROR"}`)})
	bad := ts.createInvoice(t, usRealm, "1", "1", "NON", due)
	failed := ts.logEntryOf(t, bad, "failed")
	if failed.Action != "failed" || !failed.Retryable || failed.HubSpotID != "" ||
		!strings.Contains(failed.Message, "could not be synced to HubSpot: HubSpot rejected the request: Property values were not valid") ||
		strings.Contains(failed.Message, "c0ffee") || strings.Contains(failed.Message, "{") {
		t.Errorf("failed entry = %+v", failed)
	}
	if ids := ts.hubspotInvoices(bad); len(ids) != 0 {
		t.Fatalf("the refused invoice is in HubSpot: %v", ids)
	}

	// Retries that must not run.
	wantError(t, "retry of a success", ts.retry(t, portal1, created.ID), http.StatusConflict, "conflict", "Only failed entries")
	wantError(t, "retry of another portal's entry", ts.retry(t, portal2, failed.ID), http.StatusNotFound, "not_found")
	wantError(t, "retry of no entry", ts.retry(t, portal1, "nope"), http.StatusNotFound, "not_found")
	if got := ts.syncLog(t, portal2, nil); len(got.Entries) != 0 {
		t.Errorf("portal two sees %+v", got.Entries)
	}

	// Fixed in HubSpot; the admin retries.
	ts.fakes.HubSpot.Faults().Clear("")
	a := ts.retry(t, portal1, failed.ID)
	if a.status != http.StatusAccepted {
		t.Fatalf("retry: %d %s", a.status, a.body)
	}
	var retried syncLogEntryAnswer
	a.decode(t, &retried)
	if retried.ID != failed.ID || retried.RetriedAt == "" || retried.Outcome != "failed" {
		t.Errorf("retry answered %+v", retried)
	}
	newID, _ := ts.hubspotInvoice(t, bad, "the retried invoice reaches HubSpot", func(map[string]string) bool { return true })
	success := ts.logEntryOf(t, bad, "succeeded")
	if success.Action != "created" || success.HubSpotID != newID || success.ID == failed.ID {
		t.Errorf("entry after the retry = %+v", success)
	}

	// Filters and paging.
	all := ts.syncLog(t, portal1, url.Values{"object": {"invoices"}})
	if len(all.Entries) < 3 || all.NextCursor != nil {
		t.Fatalf("all entries = %+v", all)
	}
	for _, e := range ts.syncLog(t, portal1, url.Values{"outcome": {"failed"}}).Entries {
		if e.Outcome != "failed" {
			t.Errorf("outcome=failed lists %+v", e)
		}
	}
	if got := ts.syncLog(t, portal1, url.Values{"object": {"contacts"}}); len(got.Entries) != 0 {
		t.Errorf("object=contacts lists %+v", got.Entries)
	}
	var paged []string
	q := url.Values{"object": {"invoices"}, "limit": {"1"}}
	for range len(all.Entries) + 1 {
		p := ts.syncLog(t, portal1, q)
		for _, e := range p.Entries {
			paged = append(paged, e.ID)
		}
		if p.NextCursor == nil {
			break
		}
		q.Set("before", *p.NextCursor)
	}
	var want []string
	for _, e := range all.Entries {
		want = append(want, e.ID)
	}
	if strings.Join(paged, ",") != strings.Join(want, ",") {
		t.Errorf("paged one by one = %v, want %v", paged, want)
	}
	for _, c := range []struct {
		name string
		q    url.Values
	}{
		{"an unknown object", url.Values{"object": {"deals"}}},
		{"an unknown outcome", url.Values{"outcome": {"maybe"}}},
		{"a zero limit", url.Values{"limit": {"0"}}},
		{"a cursor not given", url.Values{"before": {"x"}}},
	} {
		a := ts.call(t, card(portal1), "GET", syncLogRoute+"?"+c.q.Encode(), syncLogRoute)
		wantError(t, c.name, a, http.StatusBadRequest, "invalid")
	}
}

// TestSyncLogImportBatchesAndRetry: an import logs one entry per batch;
// one HubSpot refuses for good fails the import and logs a failed entry,
// whose retry starts the import again from where it stopped.
func TestSyncLogImportBatchesAndRetry(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{}))
	conn := ts.conns[usRealm].ID
	ts.seedInvoices(t, 194, 3)
	ts.invoiceSync(t, true, "create_or_update", "keep")
	route := hubspotfake.RouteObjectsBatchCreate + ":invoices"
	ts.fakes.HubSpot.Faults().Inject(route, hubspotfake.Fault{Times: 1})
	ts.fakes.HubSpot.Faults().Inject(route, hubspotfake.Fault{Status: http.StatusBadRequest, Times: 1,
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   []byte(`{"status":"error","message":"Property values were not valid","category":"VALIDATION_ERROR"}`)})
	if _, a := ts.startImport(t, conn); a.status != http.StatusAccepted {
		t.Fatalf("start: %d %s", a.status, a.body)
	}
	if imp := ts.waitImport(t, 30*time.Second); imp.State != "failed" {
		t.Fatalf("import = %+v, want failed", imp)
	}
	// The failed entry is written just after the import's state.
	var got []syncLogEntryAnswer
	eventually(t, 5*time.Second, "the import's failed entry", func() bool {
		got = ts.syncLog(t, portal1, nil).Entries
		return len(got) == 2
	})
	if len(got) != 2 || got[0].Outcome != "failed" || got[0].Source != "import" || !got[0].Retryable ||
		!strings.Contains(got[0].Message, "Property values were not valid") ||
		got[1].Action != "imported" || got[1].Outcome != "succeeded" || !strings.HasPrefix(got[1].Message, "Import: 100 invoices processed: 99 copied to HubSpot") {
		t.Fatalf("entries after the failure = %+v", got)
	}

	a := ts.retry(t, portal1, got[0].ID)
	if a.status != http.StatusAccepted {
		t.Fatalf("retry: %d %s", a.status, a.body)
	}
	if imp := ts.waitImport(t, 30*time.Second); imp.State != "done" || imp.Done != 200 {
		t.Fatalf("import after the retry = %+v, want 200 done", imp)
	}
	eventually(t, 5*time.Second, "the batch entry after the retry", func() bool {
		got = ts.syncLog(t, portal1, url.Values{"outcome": {"succeeded"}}).Entries
		return len(got) >= 2
	})
	if len(got) != 2 || got[0].Action != "imported" {
		t.Errorf("succeeded entries = %+v, want a batch before and one after the retry", got)
	}
}
