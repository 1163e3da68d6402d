package app_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/redis"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// quickBooks is a one-off stub: the card's logic is about when it asks
// QuickBooks, which a counting stub shows best. The real adapter is tested
// against the QBO fake in package quickbooks and through the server.
type quickBooks struct {
	app.QuickBooks // methods the card does not call panic if called
	mu             sync.Mutex
	calls          map[string]int // connection id -> Invoices calls
	invoices       map[string]app.Invoice
	err            error
}

func (q *quickBooks) Company(context.Context, app.Connection) (app.Company, error) {
	return app.Company{}, errors.New("not used")
}

func (q *quickBooks) Invoices(_ context.Context, conn app.Connection, ids []string) ([]app.Invoice, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.calls[conn.ID]++
	if q.err != nil {
		return nil, q.err
	}
	var out []app.Invoice
	for _, id := range ids {
		if inv, ok := q.invoices[id]; ok {
			out = append(out, inv)
		}
	}
	return out, nil
}

type hubSpot struct {
	app.HubSpot
	quotes []app.Quote
	err    error
	calls  int
}

func (h *hubSpot) Record(context.Context, app.Portal, app.ObjectRef, ...string) (map[string]string, error) {
	return nil, errors.New("not used")
}

func (h *hubSpot) DealQuotes(context.Context, app.Portal, string) ([]app.Quote, error) {
	h.calls++
	return h.quotes, h.err
}

type fixture struct {
	svc   *app.Service
	store *store.Store
	qbo   *quickBooks
	hs    *hubSpot
	now   time.Time
	us    app.Connection
	ca    app.Connection
}

var deal = app.ObjectRef{Type: app.Deals, ID: "1011"}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	// 03:30 UTC on 11 March is still 10 March in Los Angeles: a card that
	// ignored the company's time zone would date everything a day later.
	f := &fixture{now: time.Date(2026, 3, 11, 3, 30, 0, 0, time.UTC)}
	st, err := store.Open(ctx, store.Config{
		SQLitePath:    filepath.Join(t.TempDir(), "card.db"),
		EncryptionKey: make([]byte, 32),
		Now:           func() time.Time { return f.now },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.store = st
	f.qbo = &quickBooks{calls: map[string]int{}, invoices: map[string]app.Invoice{
		"1": {ID: "1", DocNumber: "1001", Total: 30000, Balance: 30000, EmailStatus: "NotSet", DueDate: date("2026-04-09"), TxnDate: date("2026-03-10")},
		"3": {ID: "3", DocNumber: "1003", Total: 29700, Balance: 19700, DueDate: date("2026-03-15"), TxnDate: date("2026-02-28")},
		"7": {ID: "7", DocNumber: "1007", Total: 60000, Balance: 60000, EmailStatus: "EmailSent", DueDate: date("2026-03-09"), TxnDate: date("2026-01-24")},
	}}
	f.hs = &hubSpot{}
	if err := st.SavePortal(ctx, app.Portal{ID: 1, Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	f.us = mustConnection(t, st, app.Connection{PortalID: 1, RealmID: "100", CompanyName: "US", Country: "US", Currency: "USD", TimeZone: "America/Los_Angeles", State: app.Connected})
	f.ca = mustConnection(t, st, app.Connection{PortalID: 1, RealmID: "200", CompanyName: "CA", Country: "CA", Currency: "CAD", TimeZone: "America/Toronto", State: app.Connected})
	f.svc = app.New(app.Deps{
		Store: st, Cache: redis.NewInProcess(100, redis.Options{}), QuickBooks: f.qbo, HubSpot: f.hs,
		Now: func() time.Time { return f.now }, SnapshotTTL: 5 * time.Minute, QBOWebURL: "https://app.sandbox.qbo.intuit.com",
		CardTTL: -1, // each view builds the card; TestCardIsKeptInMemoryForCardTTL covers the memory
	})
	return f
}

func date(s string) app.Date {
	d, err := app.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func mustConnection(t *testing.T, st *store.Store, c app.Connection) app.Connection {
	t.Helper()
	saved, err := st.SaveConnection(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	return saved
}

func (f *fixture) link(t *testing.T, conn app.Connection, invoiceID string) {
	t.Helper()
	_, _, err := f.store.AddLink(context.Background(), app.InvoiceLink{PortalID: 1, Object: deal, ConnectionID: conn.ID, InvoiceID: invoiceID, Origin: app.OriginAdded})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCardIsFreeWhenWarmAndOneQueryPerCompanyWhenCold(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.link(t, f.us, "1")
	f.link(t, f.us, "3")
	f.link(t, f.us, "7")
	f.link(t, f.ca, "1")

	card, err := f.svc.RecordInvoices(ctx, 1, deal)
	if err != nil {
		t.Fatal(err)
	}
	if f.qbo.calls[f.us.ID] != 1 || f.qbo.calls[f.ca.ID] != 1 {
		t.Fatalf("cold card: calls per connection = %v, want exactly one each", f.qbo.calls)
	}
	if len(card.Groups) != 2 {
		t.Fatalf("groups = %d, want one per company", len(card.Groups))
	}
	us := card.Groups[0]
	got := map[string]app.InvoiceStatus{}
	for _, li := range us.Invoices {
		got[li.Invoice.ID] = li.Status
	}
	want := map[string]app.InvoiceStatus{"1": app.StatusAwaitingSend, "3": app.StatusPartiallyPaid, "7": app.StatusOverdue}
	for id, s := range want {
		if got[id] != s {
			t.Errorf("invoice %s: status %q, want %q", id, got[id], s)
		}
	}
	if us.Invoices[0].Invoice.ID != "1" {
		t.Errorf("newest invoice first: got %s", us.Invoices[0].Invoice.ID)
	}
	if us.Invoices[0].WebURL != "https://app.sandbox.qbo.intuit.com/app/invoice?txnId=1" {
		t.Errorf("web URL = %q", us.Invoices[0].WebURL)
	}
	if us.Today.String() != "2026-03-10" {
		t.Errorf("today in Los Angeles = %s", us.Today)
	}

	f.now = f.now.Add(4 * time.Minute)
	if _, err := f.svc.RecordInvoices(ctx, 1, deal); err != nil {
		t.Fatal(err)
	}
	if f.qbo.calls[f.us.ID] != 1 || f.qbo.calls[f.ca.ID] != 1 {
		t.Fatalf("warm card asked QuickBooks: %v", f.qbo.calls)
	}

	f.now = f.now.Add(2 * time.Minute) // past the snapshot TTL
	if _, err := f.svc.RecordInvoices(ctx, 1, deal); err != nil {
		t.Fatal(err)
	}
	if f.qbo.calls[f.us.ID] != 2 {
		t.Fatalf("expired snapshots were not refreshed: %v", f.qbo.calls)
	}
}

func TestCardShowsStaleSnapshotsWhenQuickBooksFails(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.link(t, f.us, "1")
	if _, err := f.svc.RecordInvoices(ctx, 1, deal); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(time.Hour)
	f.qbo.err = app.Errorf(app.Unavailable, "QuickBooks is busy, try again in a minute.")
	card, err := f.svc.RecordInvoices(ctx, 1, deal)
	if err != nil {
		t.Fatalf("a QuickBooks outage must not fail the card: %v", err)
	}
	g := card.Groups[0]
	if !g.Stale || g.Notice == "" || !g.Invoices[0].Known || g.Invoices[0].Status != app.StatusAwaitingSend {
		t.Fatalf("want the last known state flagged stale, got %+v", g)
	}

	f.link(t, f.us, "3") // never read: shown as unknown, not dropped
	card, err = f.svc.RecordInvoices(ctx, 1, deal)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(card.Groups[0].Invoices); n != 2 {
		t.Fatalf("invoices = %d, want 2", n)
	}
	for _, li := range card.Groups[0].Invoices {
		if li.Invoice.ID == "3" && li.Known {
			t.Error("an invoice never read cannot be known")
		}
	}
}

func TestCardMarksInvoicesQuickBooksNoLongerHas(t *testing.T) {
	f := newFixture(t)
	f.link(t, f.us, "99")
	card, err := f.svc.RecordInvoices(context.Background(), 1, deal)
	if err != nil {
		t.Fatal(err)
	}
	if li := card.Groups[0].Invoices[0]; li.Status != app.StatusDeleted {
		t.Errorf("status = %q, want deleted", li.Status)
	}
}

func TestCardDoesNotAskDisconnectedCompanies(t *testing.T) {
	f := newFixture(t)
	f.link(t, f.us, "1")
	f.us.State = app.Disconnected
	mustConnection(t, f.store, f.us)
	card, err := f.svc.RecordInvoices(context.Background(), 1, deal)
	if err != nil {
		t.Fatal(err)
	}
	if f.qbo.calls[f.us.ID] != 0 {
		t.Error("a disconnected company was asked")
	}
	if g := card.Groups[0]; !g.Stale || g.Notice == "" || g.Invoices[0].Known {
		t.Errorf("group = %+v", g)
	}
}

func TestCardActions(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	exp := f.now.Add(24 * time.Hour)

	f.hs.quotes = []app.Quote{{Number: "Q-1003", Status: "DRAFT", ExpiresAt: exp}, {Number: "Q-1004", Status: app.QuoteApprovalNotNeeded, ExpiresAt: f.now.Add(-time.Hour)}}
	card, err := f.svc.RecordInvoices(ctx, 1, deal)
	if err != nil {
		t.Fatal(err)
	}
	create := card.Actions[0]
	if !create.Allowed || create.Reason == "" {
		t.Errorf("no invoiceable quote: want allowed with a reason, got %+v", create)
	}
	for _, want := range []string{"Q-1003 is a draft", "Q-1004 expired on"} {
		if !strings.Contains(create.Reason, want) {
			t.Errorf("reason %q lacks %q", create.Reason, want)
		}
	}
	if _, err := f.svc.RecordInvoices(ctx, 1, deal); err != nil {
		t.Fatal(err)
	}
	if f.hs.calls != 1 {
		t.Errorf("quotes were read %d times within their cache lifetime, want 1", f.hs.calls)
	}

	contact := app.ObjectRef{Type: app.Contacts, ID: "5"}
	card, _ = f.svc.RecordInvoices(ctx, 1, contact)
	if a := card.Actions[0]; !a.Allowed || a.Reason != "" {
		t.Errorf("contact: %+v", a)
	}

	other, err := f.svc.RecordInvoices(ctx, 2, deal) // a portal without connections
	if err != nil {
		t.Fatal(err)
	}
	if a := other.Actions[0]; a.Allowed || a.Reason != "Connect a QuickBooks company first." {
		t.Errorf("no connection: %+v", a)
	}
	if len(other.Groups) != 0 || len(other.Connections) != 0 {
		t.Error("another portal's card shows this portal's data")
	}
}

func TestCardIsKeptInMemoryForCardTTL(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.svc = app.New(app.Deps{
		Store: f.store, Cache: redis.NewInProcess(100, redis.Options{}), QuickBooks: f.qbo, HubSpot: f.hs,
		CardTTL: 2 * time.Second,
		Now:     func() time.Time { return f.now },
	})
	f.link(t, f.us, "1")
	if _, err := f.svc.RecordInvoices(ctx, 1, deal); err != nil {
		t.Fatal(err)
	}
	// A write this process did not make (another replica's) ...
	f.link(t, f.us, "3")
	card, err := f.svc.RecordInvoices(ctx, 1, deal)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(card.Groups[0].Invoices); n != 1 {
		t.Fatalf("within CardTTL the card must come from memory: %d invoices", n)
	}
	// ... shows once CardTTL has passed.
	f.now = f.now.Add(3 * time.Second)
	card, err = f.svc.RecordInvoices(ctx, 1, deal)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(card.Groups[0].Invoices); n != 2 {
		t.Fatalf("after CardTTL: %d invoices, want 2", n)
	}
	if f.qbo.calls[f.us.ID] != 2 {
		t.Errorf("QuickBooks calls = %d, want one per cold read", f.qbo.calls[f.us.ID])
	}
}
