package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
)

// RecordCard is what the Integrated invoices card shows on one record.
type RecordCard struct {
	Record      ObjectRef
	Connections []Connection
	Groups      []InvoiceGroup // one per connection that has invoices linked here
	Actions     []Action
}

// InvoiceGroup is the record's invoices in one QuickBooks company.
type InvoiceGroup struct {
	Connection Connection
	Today      Date // in the company's time zone; statuses are computed on it
	Invoices   []LinkedInvoice
	// Stale is set when QuickBooks could not be asked and older snapshots
	// are shown; Notice says why, in a rep's words.
	Stale  bool
	Notice string
}

// LinkedInvoice is one invoice linked to the record.
type LinkedInvoice struct {
	Link      InvoiceLink
	Invoice   Invoice // zero but for ID when Known is false
	Known     bool    // a snapshot exists
	Status    InvoiceStatus
	Overdue   bool
	FetchedAt time.Time
	WebURL    string // the invoice in QuickBooks' web app
}

// Action is something the rep may do next, or why not.
type Action struct {
	Name    string // "create_invoice" or "add_invoice"
	Allowed bool
	Reason  string // why not, or a hint
}

// Card actions.
const (
	ActionCreateInvoice = "create_invoice"
	ActionAddInvoice    = "add_invoice"
)

// quotesTTL bounds how long a deal's quote list is reused for the card's
// hint; HubSpot allows 110 calls per 10 s per portal for every rep at once.
// quotesWait bounds how long the card waits for HubSpot for a mere hint.
// refreshWait bounds how long the card waits for QuickBooks before showing
// the last known state instead.
const (
	quotesTTL   = time.Minute
	quotesWait  = 2 * time.Second
	refreshWait = 4 * time.Second
)

// RecordInvoices builds the card of one record. Warm, it reads only the
// store, and within CardTTL only this process's memory; for snapshots older
// than SnapshotTTL it makes at most one QBO query per company, companies in
// parallel, and if QBO cannot answer it shows the older snapshots, flagged
// stale, rather than failing. The card returned is shared: read it only.
func (s *Service) RecordInvoices(ctx context.Context, portalID int64, obj ObjectRef) (*RecordCard, error) {
	card, err := s.cards.get(ctx, cardKey(portalID, obj), func(ctx context.Context) (*RecordCard, error) {
		return s.buildCard(ctx, portalID, obj)
	})
	if err != nil {
		return nil, fmt.Errorf("card of %s: %w", obj, err)
	}
	return card, nil
}

func cardKey(portalID int64, obj ObjectRef) string {
	return fmt.Sprintf("%d:%s:%s", portalID, obj.Type, obj.ID)
}

func (s *Service) buildCard(ctx context.Context, portalID int64, obj ObjectRef) (*RecordCard, error) {
	conns, err := s.store.Connections(ctx, portalID)
	if err != nil {
		return nil, err
	}
	links, err := s.store.Links(ctx, portalID, obj)
	if err != nil {
		return nil, err
	}
	settings, err := s.store.PortalSettings(ctx, portalID)
	if err != nil {
		return nil, err
	}
	byConn := make(map[string][]InvoiceLink)
	for _, l := range links {
		byConn[l.ConnectionID] = append(byConn[l.ConnectionID], l)
	}
	var linked []Connection
	for _, conn := range conns {
		if len(byConn[conn.ID]) > 0 {
			linked = append(linked, conn)
		}
	}
	card := &RecordCard{Record: obj}
	groups := make([]InvoiceGroup, len(linked))
	errs := make([]error, len(linked))
	var wg sync.WaitGroup
	for i, conn := range linked {
		wg.Go(func() { groups[i], errs[i] = s.invoiceGroup(ctx, conn, byConn[conn.ID]) })
	}
	wg.Go(func() { card.Actions = s.actions(ctx, portalID, obj, conns) })
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	// The card is kept in memory and handed to the HTTP layer: no tokens.
	for i := range conns {
		conns[i].Tokens = Tokens{}
	}
	for i := range groups {
		groups[i].Connection.Tokens = Tokens{}
	}
	// The create flow offers the portal's default company first; groups
	// keep the oldest-first order.
	card.Connections, card.Groups = defaultFirst(conns, settings.DefaultConnectionID), groups
	return card, nil
}

// invoiceGroup builds one company's part of the card from its snapshots,
// refreshing the stale ones with a single QBO query.
func (s *Service) invoiceGroup(ctx context.Context, conn Connection, links []InvoiceLink) (InvoiceGroup, error) {
	now := s.now()
	g := InvoiceGroup{Connection: conn, Today: Today(now, conn.TimeZone)}
	ids := make([]string, len(links))
	for i, l := range links {
		ids[i] = l.InvoiceID
	}
	snaps, err := s.store.Snapshots(ctx, conn.ID, ids)
	if err != nil {
		return g, err
	}
	var due []string
	for _, l := range links {
		if sn, ok := snaps[l.InvoiceID]; !ok || now.Sub(sn.FetchedAt) >= s.snapshotTTL {
			due = append(due, l.InvoiceID)
		}
	}
	switch {
	case len(due) == 0:
	case conn.State == Disconnected:
		g.Stale, g.Notice = true, "QuickBooks disconnected: showing the last known state."
	case conn.State == NeedsReconnect:
		g.Stale, g.Notice = true, "Reconnect QuickBooks to refresh these invoices."
	default:
		refreshCtx, cancel := context.WithTimeout(ctx, refreshWait)
		fresh, err := s.refreshSnapshots(refreshCtx, conn, due)
		cancel()
		if err != nil {
			s.log.WarnContext(ctx, "card shows stale invoices", "connection", conn.ID, "realm", conn.RealmID, "err", err)
			g.Stale, g.Notice = true, staleNotice(err)
			break
		}
		for id, sn := range fresh {
			snaps[id] = sn
		}
	}
	for _, l := range links {
		li := LinkedInvoice{Link: l, Invoice: Invoice{ID: l.InvoiceID}, WebURL: s.invoiceWebURL(l.InvoiceID)}
		if sn, ok := snaps[l.InvoiceID]; ok {
			li.Invoice, li.Known, li.FetchedAt = sn.Invoice, true, sn.FetchedAt
			li.Status = sn.Invoice.Status(g.Today)
			li.Overdue = sn.Invoice.Overdue(g.Today)
		}
		g.Invoices = append(g.Invoices, li)
	}
	sort.SliceStable(g.Invoices, func(i, j int) bool {
		a, b := g.Invoices[i].Invoice, g.Invoices[j].Invoice
		if a.TxnDate != b.TxnDate {
			return b.TxnDate.Before(a.TxnDate)
		}
		return g.Invoices[i].Link.CreatedAt.After(g.Invoices[j].Link.CreatedAt)
	})
	return g, nil
}

// refreshSnapshots asks QBO for the given invoices and stores what it says.
// An id QBO no longer returns was deleted there.
func (s *Service) refreshSnapshots(ctx context.Context, conn Connection, ids []string) (map[string]Snapshot, error) {
	now := s.now() // before the read: a snapshot read after it started wins
	invoices, err := s.qbo.Invoices(ctx, conn, ids)
	if err != nil {
		return nil, err
	}
	found := make(map[string]Snapshot, len(ids))
	for _, inv := range invoices {
		found[inv.ID] = Snapshot{ConnectionID: conn.ID, Invoice: inv, FetchedAt: now}
	}
	for _, id := range ids {
		if _, ok := found[id]; !ok {
			found[id] = Snapshot{ConnectionID: conn.ID, Invoice: Invoice{ID: id, Deleted: true}, FetchedAt: now}
		}
	}
	list := make([]Snapshot, 0, len(found))
	for _, sn := range found {
		list = append(list, sn)
	}
	if err := s.store.SaveSnapshots(ctx, list); err != nil {
		return nil, fmt.Errorf("save snapshots: %w", err)
	}
	return found, nil
}

func staleNotice(err error) string {
	switch ErrorCode(err) {
	case NotConnected:
		return "Reconnect QuickBooks to refresh these invoices."
	case Unavailable:
		return "QuickBooks is busy; showing the last known state."
	}
	return "QuickBooks could not be reached; showing the last known state."
}

// actions says what the rep can do next on the record, and why not.
func (s *Service) actions(ctx context.Context, portalID int64, obj ObjectRef, conns []Connection) []Action {
	usable := 0
	for _, c := range conns {
		if c.State == Connected {
			usable++
		}
	}
	if usable == 0 {
		reason := "Connect a QuickBooks company first."
		if len(conns) > 0 {
			reason = "Reconnect QuickBooks first."
		}
		return []Action{
			{Name: ActionCreateInvoice, Reason: reason},
			{Name: ActionAddInvoice, Reason: reason},
		}
	}
	create := Action{Name: ActionCreateInvoice, Allowed: true}
	if obj.Type == Deals {
		create.Reason = s.quoteHint(ctx, portalID, obj.ID)
	}
	return []Action{create, {Name: ActionAddInvoice, Allowed: true}}
}

// quoteHint tells the rep whether the deal has a quote to invoice from. It
// never blocks the card: if HubSpot cannot be asked, the hint says so.
func (s *Service) quoteHint(ctx context.Context, portalID int64, dealID string) string {
	ctx, cancel := context.WithTimeout(ctx, quotesWait)
	defer cancel()
	quotes, err := s.dealQuotes(ctx, portalID, dealID)
	if err != nil {
		s.log.WarnContext(ctx, "card could not list quotes", "portal", portalID, "deal", dealID, "err", err)
		return "Quotes could not be checked just now; you can still create an invoice from scratch."
	}
	now := s.now()
	var reasons []string
	for _, q := range quotes {
		ok, why := q.Invoiceable(now)
		if ok {
			return ""
		}
		reasons = append(reasons, why)
	}
	if len(quotes) == 0 {
		return "This deal has no quote; you can create an invoice from scratch."
	}
	return fmt.Sprintf("No quote can be invoiced (%s); you can create an invoice from scratch.", joinReasons(reasons))
}

func joinReasons(rs []string) string {
	if len(rs) > 3 {
		rs = append(rs[:3:3], fmt.Sprintf("and %d more", len(rs)-3))
	}
	return strings.Join(rs, " ")
}

// dealQuotes lists a deal's quotes through the cache.
func (s *Service) dealQuotes(ctx context.Context, portalID int64, dealID string) ([]Quote, error) {
	key := CacheKey(fmt.Sprintf("hubspot-%d", portalID), "deal-quotes", dealID)
	raw, err := s.cache.GetOrLoad(ctx, key, quotesTTL, func(ctx context.Context) ([]byte, error) {
		portal, err := s.store.Portal(ctx, portalID)
		if err != nil {
			return nil, err
		}
		quotes, err := s.hubspot.DealQuotes(ctx, portal, dealID)
		if err != nil {
			return nil, err
		}
		return json.Marshal(quotes)
	})
	if err != nil {
		return nil, err
	}
	var quotes []Quote
	if err := json.Unmarshal(raw, &quotes); err != nil {
		return nil, fmt.Errorf("decode cached quotes: %w", err)
	}
	return quotes, nil
}

// invoiceWebURL links an invoice in QuickBooks' web app. The app opens the
// company the signed-in user last used; QBO has no per-realm deep link.
func (s *Service) invoiceWebURL(invoiceID string) string {
	if s.qboWebURL == "" {
		return ""
	}
	return s.qboWebURL + "/app/invoice?txnId=" + url.QueryEscape(invoiceID)
}
