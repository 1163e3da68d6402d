package app

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// pagerDouble is a company's invoices ordered by CreateTime (ties by id,
// a stable order as the fake's), answering InvoicesCreatedSince as QBO
// would.
type pagerDouble struct {
	rows    []CreatedInvoice
	queries int
	next    int // the last id given
}

func (p *pagerDouble) CountInvoices(context.Context, Connection) (int, error) {
	return len(p.rows), nil
}

func (p *pagerDouble) InvoicesCreatedSince(_ context.Context, _ Connection, since time.Time, start, limit int) ([]CreatedInvoice, error) {
	p.queries++
	var match []CreatedInvoice
	for _, r := range p.rows {
		if since.IsZero() || !r.CreatedAt.Before(since) {
			match = append(match, r)
		}
	}
	if start-1 >= len(match) {
		return nil, nil
	}
	return match[start-1 : min(start-1+limit, len(match))], nil
}

// add appends n invoices created at t.
func (p *pagerDouble) add(n int, t time.Time) {
	for range n {
		p.next++
		id := strconv.Itoa(p.next)
		p.rows = append(p.rows, CreatedInvoice{Record: Invoice{ID: id}, CreatedAt: t})
	}
}

// drain pages through the pager as runImport does (batches of every page
// done in turn) and returns the ids in the order they were done.
func drain(t *testing.T, r *importRun[Invoice], cursor time.Time, ids []string) []string {
	t.Helper()
	var done []string
	for range 100 {
		pg := r.fetch(context.Background(), cursor, idSet(ids))
		if pg.err != nil {
			t.Fatal(pg.err)
		}
		if len(pg.rows) == 0 {
			return done
		}
		for _, row := range pg.rows {
			done = append(done, row.Record.ID)
		}
		cursor, ids = advanceIDs(cursor, ids, pg.rows, invoiceImport.id)
	}
	t.Fatal("paging did not end")
	return nil
}

// TestImportPagingByCreateTime: every invoice is done exactly once, in
// CreateTime order, across ties within a second, a second with more
// invoices than a page, and a resume from a stored cursor; invoices created
// while the import runs come last.
func TestImportPagingByCreateTime(t *testing.T) {
	base := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	p := &pagerDouble{}
	p.add(3, base)
	p.add(2500, base.Add(time.Second)) // one bulk entry: 2,500 in one second
	for i := range 1200 {
		p.add(1, base.Add(time.Duration(2+i/7)*time.Second))
	}
	r := &importRun[Invoice]{importBase: &importBase{}, kind: invoiceImport,
		pages: recordPages[Invoice]{count: p.CountInvoices, since: p.InvoicesCreatedSince}}
	done := drain(t, r, time.Time{}, nil)
	if len(done) != len(p.rows) {
		t.Fatalf("%d invoices done, want %d", len(done), len(p.rows))
	}
	seen := map[string]bool{}
	for i, id := range done {
		if seen[id] {
			t.Fatalf("invoice %s done twice", id)
		}
		seen[id] = true
		if want := p.rows[i].Record.ID; id != want {
			t.Fatalf("invoice %d done is %s, want %s (CreateTime order)", i, id, want)
		}
	}

	// Resume from a cursor in the middle of the bulk second, with the ids
	// done in it; meanwhile one invoice was deleted before the cursor and
	// two were created.
	cursor, ids := advanceIDs(time.Time{}, nil, p.rows[:1503], invoiceImport.id)
	if !cursor.Equal(base.Add(time.Second)) || len(ids) != 1500 {
		t.Fatalf("cursor %s with %d ids", cursor, len(ids))
	}
	p.rows = slices.Delete(p.rows, 10, 11)
	p.add(2, base.Add(time.Hour))
	rest := drain(t, r, cursor, ids)
	if want := len(p.rows) - 1502; len(rest) != want {
		t.Errorf("resumed run did %d invoices, want %d", len(rest), want)
	}
	if rest[0] != "1504" || rest[len(rest)-1] != strconv.Itoa(p.next) {
		t.Errorf("resumed run did %s .. %s", rest[0], rest[len(rest)-1])
	}
}

func TestAdvanceIDsKeepsTheCursorsSecond(t *testing.T) {
	s := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
	row := func(id string, at time.Time) CreatedInvoice {
		return CreatedInvoice{Record: Invoice{ID: id}, CreatedAt: at}
	}
	c, ids := advanceIDs(s, []string{"1"}, []CreatedInvoice{row("2", s), row("3", s.Add(500*time.Millisecond))}, invoiceImport.id)
	if !c.Equal(s) || fmt.Sprint(ids) != "[1 2 3]" {
		t.Errorf("same second: %s %v", c, ids)
	}
	c, ids = advanceIDs(c, ids, []CreatedInvoice{row("4", s.Add(2*time.Second)), row("5", s.Add(2*time.Second))}, invoiceImport.id)
	if !c.Equal(s.Add(2*time.Second)) || fmt.Sprint(ids) != "[4 5]" {
		t.Errorf("next second: %s %v", c, ids)
	}
}

func TestImportRateAndETA(t *testing.T) {
	t0 := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	var samples []ProgressSample
	for i := 0; i <= 600; i++ { // a batch of 10 every second for ten minutes
		samples = addSample(samples, ProgressSample{At: t0.Add(time.Duration(i) * time.Second), Done: 10 * i})
	}
	if n := len(samples); n > 70 || n < 50 {
		t.Errorf("kept %d samples, want about five minutes at one per 5 s", n)
	}
	if !samples[len(samples)-1].At.Equal(t0.Add(600 * time.Second)) {
		t.Error("the newest sample was not kept")
	}
	if samples[0].At.After(t0.Add(300 * time.Second)) {
		t.Errorf("oldest sample %s: want one older than five minutes kept", samples[0].At)
	}
	now := t0.Add(600 * time.Second)
	imp := Import{State: ImportRunning, Done: 6000, Total: 10000, Samples: samples}
	p := progressOf(imp, now)
	if p.RatePerSecond != 10 || p.ETA != 400*time.Second {
		t.Errorf("rate %v ETA %s, want 10/s and 6m40s", p.RatePerSecond, p.ETA)
	}
	// Stalled for a minute: the rate over the last two halves; for two,
	// it is nothing.
	if p := progressOf(imp, now.Add(time.Minute)); p.RatePerSecond < 4 || p.RatePerSecond > 6 {
		t.Errorf("rate after a minute's stall %v, want about 5", p.RatePerSecond)
	}
	if p := progressOf(imp, now.Add(2*time.Minute)); p.RatePerSecond != 0 || p.ETA >= 0 {
		t.Errorf("rate after two minutes' stall %v, ETA %s", p.RatePerSecond, p.ETA)
	}
	if p := progressOf(Import{State: ImportQueued, Total: 5}, now); p.RatePerSecond != 0 || p.ETA >= 0 {
		t.Errorf("not started: %+v", p)
	}
	imp.State, imp.Done, imp.FinishedAt = ImportDone, 10000, now
	if p := progressOf(imp, now.Add(time.Hour)); p.ETA != 0 || p.RatePerSecond == 0 || p.Total != 10000 {
		t.Errorf("done: %+v", p)
	}
}

func TestFailureSentence(t *testing.T) {
	err := Errorf(NotConnected, "QuickBooks refused this app's access; reconnect the company")
	if got := failureSentence(Import{Done: 1234, Total: 10000}, err); got !=
		"The import stopped after 1,234 of 10,000 invoices: QuickBooks refused this app's access; reconnect the company. Start it again to go on from there." {
		t.Errorf("sentence = %q", got)
	}
	if got := failureSentence(Import{}, Errorf(Invalid, "Turn invoice sync on.")); got != "The import stopped before any invoice was copied: Turn invoice sync on." {
		t.Errorf("sentence = %q", got)
	}
	if got := failureSentence(Import{Done: 5}, fmt.Errorf("disk on fire")); got != "The import stopped after 5 of 5 invoices: Something went wrong on our side. Start it again to go on from there." {
		t.Errorf("sentence = %q", got)
	}
}

// TestImportSentencesNameTheRecords: a customer or product import's
// failure and batch entries speak of customers or products.
func TestImportSentencesNameTheRecords(t *testing.T) {
	err := Errorf(Invalid, "QuickBooks customer \"Zed\" could not be copied: HubSpot rejected the request")
	if got := failureSentence(Import{Object: SyncContacts, Done: 50, Total: 120}, err); got !=
		"The import stopped after 50 of 120 customers: QuickBooks customer \"Zed\" could not be copied: HubSpot rejected the request. Start it again to go on from there." {
		t.Errorf("sentence = %q", got)
	}
	if got := failureSentence(Import{Object: SyncProducts}, err); !strings.HasPrefix(got, "The import stopped before any product was copied: ") {
		t.Errorf("sentence = %q", got)
	}
	if got := importBatchSentence(SyncContacts, 50, importTally{created: 10, updated: 30, retired: 2}); got !=
		"Import: 50 customers processed: 10 copied to HubSpot, 30 updated, 2 inactive ones archived or marked, 8 left out." {
		t.Errorf("batch = %q", got)
	}
	if got := importBatchSentence(SyncInvoices, 100, importTally{created: 99}); got !=
		"Import: 100 invoices processed: 99 copied to HubSpot, 0 updated, 0 voided or deleted ones archived or marked, 1 left out." {
		t.Errorf("batch = %q", got)
	}
}

// TestCompanyKey: one key per realm and company name, whatever its case
// and spacing.
func TestCompanyKey(t *testing.T) {
	if a, b := CompanyKey("1", " Acme  Corp "), CompanyKey("1", "acme corp"); a != b || a != "1:acme corp" {
		t.Errorf("keys %q and %q, want both 1:acme corp", a, b)
	}
	if CompanyKey("1", "Acme") == CompanyKey("2", "Acme") {
		t.Error("two realms share a company key")
	}
}

func TestBackgroundPriority(t *testing.T) {
	ctx := context.Background()
	if BackgroundPriority(ctx) || !BackgroundPriority(WithBackgroundPriority(ctx)) {
		t.Error("BackgroundPriority")
	}
	got := []string{GroupDigits(0), GroupDigits(1000), GroupDigits(-12345)}
	sort.Strings(got)
	if fmt.Sprint(got) != "[-12,345 0 1,000]" {
		t.Errorf("groupDigits = %v", got)
	}
}
