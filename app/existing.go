package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

// Search and add of invoices made in QuickBooks, preview, send and unlink.

const (
	searchPageSize = 25
	searchTTL      = 30 * time.Second
	maxAddAtOnce   = 100
	maxPDFBytes    = 10 << 20
)

var qboID = regexp.MustCompile(`^[0-9]{1,20}$`)

// FoundInvoice is one search result.
type FoundInvoice struct {
	Invoice Invoice
	Status  InvoiceStatus
	Overdue bool
	// LinkID is set when the invoice is already linked to the record the
	// rep searches from.
	LinkID string
	WebURL string
}

// InvoiceSearchPage is one page of a search, newest first.
type InvoiceSearchPage struct {
	Connection Connection
	Page       int
	More       bool
	Invoices   []FoundInvoice
}

// SearchInvoices finds a company's invoices by number, customer name or
// email, or amount; with q empty, all of them. Results are cached for 30 s
// per company and query, so turning pages costs no QBO call. record, when
// set, is where the rep searches from: results say if they are linked there.
func (s *Service) SearchInvoices(ctx context.Context, portalID int64, connectionID, q string, page int, record *ObjectRef) (*InvoiceSearchPage, error) {
	q = strings.TrimSpace(q)
	switch {
	case strings.ContainsRune(q, '\\'):
		return nil, Errorf(Invalid, "The search text cannot contain a backslash.")
	case len([]rune(q)) > 100:
		return nil, Errorf(Invalid, "The search text is longer than 100 characters.")
	case page < 1:
		return nil, Errorf(Invalid, "Pages start at 1.")
	}
	_, conn, err := s.portalAndConnection(ctx, portalID, connectionID)
	if err != nil {
		return nil, err
	}
	var found []Invoice
	more := false
	if q == "" {
		key := fmt.Sprintf("all:%d", page)
		found, err = cachedSearch(ctx, s, conn, key, func(ctx context.Context) ([]Invoice, error) {
			return s.qbo.QueryInvoices(ctx, conn, InvoiceFilter{}, (page-1)*searchPageSize, searchPageSize+1)
		})
		if err != nil {
			return nil, fmt.Errorf("search invoices: %w", err)
		}
		if more = len(found) > searchPageSize; more {
			found = found[:searchPageSize]
		}
	} else {
		all, err := cachedSearch(ctx, s, conn, "q:"+q, func(ctx context.Context) ([]Invoice, error) {
			return s.searchByText(ctx, conn, q)
		})
		if err != nil {
			return nil, fmt.Errorf("search invoices: %w", err)
		}
		start := min((page-1)*searchPageSize, len(all))
		end := min(start+searchPageSize, len(all))
		found, more = all[start:end], end < len(all)
	}

	linked := map[string]string{}
	if record != nil {
		links, err := s.store.Links(ctx, portalID, *record)
		if err != nil {
			return nil, fmt.Errorf("search invoices: %w", err)
		}
		for _, l := range links {
			if l.ConnectionID == conn.ID {
				linked[l.InvoiceID] = l.ID
			}
		}
	}
	today := Today(s.now(), conn.TimeZone)
	res := &InvoiceSearchPage{Connection: withoutTokens(conn), Page: page, More: more, Invoices: []FoundInvoice{}}
	for _, inv := range found {
		res.Invoices = append(res.Invoices, FoundInvoice{Invoice: inv, Status: inv.Status(today), Overdue: inv.Overdue(today),
			LinkID: linked[inv.ID], WebURL: s.invoiceWebURL(inv.ID)})
	}
	return res, nil
}

func cachedSearch(ctx context.Context, s *Service, conn Connection, query string, load func(context.Context) ([]Invoice, error)) ([]Invoice, error) {
	sum := sha256.Sum256([]byte(query))
	var out []Invoice
	raw, err := s.cache.GetOrLoad(ctx, CacheKey(conn.RealmID, "invoice-search", hex.EncodeToString(sum[:12])), searchTTL,
		func(ctx context.Context) ([]byte, error) {
			v, err := load(ctx)
			if err != nil {
				return nil, err
			}
			return json.Marshal(v)
		})
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decode cached search: %w", err)
	}
	return out, nil
}

// searchByText asks QuickBooks once per way q can match (number, amount,
// customers whose name or email contains q), in parallel, and merges the
// answers newest first.
func (s *Service) searchByText(ctx context.Context, conn Connection, q string) ([]Invoice, error) {
	var filters []InvoiceFilter
	if !strings.ContainsAny(q, " \t") && len([]rune(q)) <= maxDocNumber {
		filters = append(filters, InvoiceFilter{DocNumber: q})
	}
	if amount, err := ParseMoney(strings.TrimPrefix(q, "$")); err == nil && amount > 0 {
		filters = append(filters, InvoiceFilter{Amount: &amount})
	}
	customers, err := s.customers(ctx, conn)
	if err != nil {
		return nil, err
	}
	var ids []string
	lower := strings.ToLower(q)
	for _, c := range customers {
		if len(ids) == 1000 { // QBO's IN list and MAXRESULTS bound
			break
		}
		if containsFold([]string{c.DisplayName, c.CompanyName, c.Email}, lower) {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) > 0 {
		filters = append(filters, InvoiceFilter{CustomerIDs: ids})
	}
	results := make([][]Invoice, len(filters))
	errs := make([]error, len(filters))
	var wg sync.WaitGroup
	for i, f := range filters {
		wg.Go(func() { results[i], errs[i] = s.qbo.QueryInvoices(ctx, conn, f, 0, 1000) })
	}
	wg.Wait()
	seen := map[string]bool{}
	var all []Invoice
	for i := range filters {
		if errs[i] != nil {
			return nil, errs[i]
		}
		for _, inv := range results[i] {
			if !seen[inv.ID] {
				seen[inv.ID] = true
				all = append(all, inv)
			}
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].TxnDate != all[j].TxnDate {
			return all[j].TxnDate.Before(all[i].TxnDate)
		}
		return laterID(all[i].ID, all[j].ID)
	})
	return all, nil
}

// AddedInvoice is one invoice of an add.
type AddedInvoice struct {
	Invoice LinkedInvoice
	Added   bool // false: it was linked to the record already
}

// AddResult is the answer to adding invoices to a record.
type AddResult struct {
	Invoices       []AddedInvoice
	DealProperties DealPropertiesResult
}

// AddInvoices links existing QBO invoices of one of the portal's companies
// to a record, with one QBO read for all of them, storing their state so the
// next card view needs none. Adding an invoice twice is a no-op, reported.
func (s *Service) AddInvoices(ctx context.Context, portalID int64, obj ObjectRef, connectionID string, invoiceIDs []string) (*AddResult, error) {
	ids, err := checkInvoiceIDs(invoiceIDs)
	if err != nil {
		return nil, err
	}
	portal, conn, err := s.portalAndConnection(ctx, portalID, connectionID)
	if err != nil {
		return nil, err
	}
	invoices, err := s.qbo.Invoices(ctx, conn, ids)
	if err != nil {
		return nil, fmt.Errorf("add invoices to %s: %w", obj, err)
	}
	byID := make(map[string]Invoice, len(invoices))
	for _, inv := range invoices {
		byID[inv.ID] = inv
	}
	var missing []string
	for _, id := range ids {
		if _, ok := byID[id]; !ok {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		return nil, Errorf(NotFound, "QuickBooks company %s has no invoice with id %s; nothing was added.", conn.CompanyName, strings.Join(missing, ", "))
	}
	now := s.now()
	snaps := make([]Snapshot, 0, len(ids))
	for _, id := range ids {
		snaps = append(snaps, Snapshot{ConnectionID: conn.ID, Invoice: byID[id], FetchedAt: now})
	}
	if err := s.store.SaveSnapshots(ctx, snaps); err != nil {
		return nil, fmt.Errorf("add invoices to %s: %w", obj, err)
	}
	today := Today(now, conn.TimeZone)
	res := &AddResult{}
	for _, id := range ids {
		link, added, err := s.store.AddLink(ctx, InvoiceLink{PortalID: portalID, Object: obj, ConnectionID: conn.ID, InvoiceID: id, Origin: OriginAdded})
		if err != nil {
			return nil, fmt.Errorf("add invoices to %s: %w", obj, err)
		}
		inv := byID[id]
		res.Invoices = append(res.Invoices, AddedInvoice{Added: added, Invoice: LinkedInvoice{Link: link, Invoice: inv, Known: true,
			Status: inv.Status(today), Overdue: inv.Overdue(today), FetchedAt: now, WebURL: s.invoiceWebURL(id)}})
	}
	s.cards.forget(cardKey(portalID, obj))
	if obj.Type == Deals {
		res.DealProperties = s.refreshDealProperties(ctx, portal, obj.ID)
	}
	return res, nil
}

func checkInvoiceIDs(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, Errorf(Invalid, "Please fix: invoiceIds: choose at least one invoice.")
	}
	if len(in) > maxAddAtOnce {
		return nil, Errorf(Invalid, "Please fix: invoiceIds: at most %d invoices at once.", maxAddAtOnce)
	}
	seen := map[string]bool{}
	var ids, bad []string
	for i, id := range in {
		if !qboID.MatchString(id) {
			bad = append(bad, fmt.Sprintf("invoiceIds[%d]: %q is not a QuickBooks id", i, truncateRunes(id, 30)))
			continue
		}
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	if len(bad) > 0 {
		return nil, Errorf(Invalid, "Please fix: %s.", strings.Join(bad, "; "))
	}
	return ids, nil
}

func truncateRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// UnlinkInvoice removes one link from a record (never the invoice in
// QuickBooks) and, on a deal, rewrites its properties from the links left,
// or clears them. No QBO call.
func (s *Service) UnlinkInvoice(ctx context.Context, portalID int64, obj ObjectRef, linkID string) (DealPropertiesResult, error) {
	if err := s.store.DeleteLink(ctx, portalID, obj, linkID); err != nil {
		return DealPropertiesResult{}, fmt.Errorf("unlink from %s: %w", obj, err)
	}
	s.cards.forget(cardKey(portalID, obj))
	if obj.Type != Deals {
		return DealPropertiesResult{}, nil
	}
	portal, err := s.store.Portal(ctx, portalID)
	if err != nil {
		return DealPropertiesResult{}, fmt.Errorf("unlink from %s: %w", obj, err)
	}
	res := s.refreshDealProperties(ctx, portal, obj.ID)
	if !res.Written {
		// The invoice just unlinked may be what the properties show: when the
		// deal's latest invoice left is in another currency, clear them
		// rather than keep the unlinked one's values.
		cleared := s.clearDealProperties(ctx, portal, obj.ID)
		cleared.Reason = res.Reason + " " + cleared.Reason
		return cleared, nil
	}
	return res, nil
}

// linkedInvoice checks that an invoice of one of the portal's companies is
// linked to at least one of its records: preview and send act on those only.
func (s *Service) linkedInvoice(ctx context.Context, portalID int64, connectionID, invoiceID string) (Portal, Connection, []InvoiceLink, error) {
	if !qboID.MatchString(invoiceID) {
		return Portal{}, Connection{}, nil, Errorf(Invalid, "%q is not a QuickBooks invoice id.", truncateRunes(invoiceID, 30))
	}
	portal, conn, err := s.portalAndConnection(ctx, portalID, connectionID)
	if err != nil {
		return Portal{}, Connection{}, nil, err
	}
	links, err := s.store.InvoiceLinks(ctx, portalID, conn.ID, invoiceID)
	if err != nil {
		return Portal{}, Connection{}, nil, err
	}
	if len(links) == 0 {
		return Portal{}, Connection{}, nil, Errorf(NotFound, "Invoice %s is not on any of your records; add it to one first.", invoiceID)
	}
	return portal, conn, links, nil
}

// InvoicePDF returns a linked invoice's PDF (one QBO call) and its link in
// QuickBooks' web app.
func (s *Service) InvoicePDF(ctx context.Context, portalID int64, connectionID, invoiceID string) ([]byte, string, error) {
	_, conn, _, err := s.linkedInvoice(ctx, portalID, connectionID, invoiceID)
	if err != nil {
		return nil, "", err
	}
	pdf, err := s.qbo.InvoicePDF(ctx, conn, invoiceID, maxPDFBytes)
	if err != nil {
		return nil, "", fmt.Errorf("preview invoice %s: %w", invoiceID, err)
	}
	return pdf, s.invoiceWebURL(invoiceID), nil
}

// SendResult is a sent invoice as the card shows it, and the deal
// properties that followed.
type SendResult struct {
	Invoice        LinkedInvoice
	DealProperties []DealPropertiesResult // one per linked deal
}

// SendInvoice emails a linked invoice from QuickBooks (to email, or to its
// billing email), stores its new state and updates the cards and deals it
// is on. With key, a repeat returns QBO's first answer instead of emailing
// again.
func (s *Service) SendInvoice(ctx context.Context, portalID int64, connectionID, invoiceID, email, key string) (*SendResult, error) {
	portal, conn, links, err := s.linkedInvoice(ctx, portalID, connectionID, invoiceID)
	if err != nil {
		return nil, err
	}
	rid := ""
	if key != "" {
		rid = RequestID(portalID, key, "send:"+invoiceID+":"+strings.ToLower(strings.TrimSpace(email)))
	}
	inv, err := s.qbo.SendInvoice(ctx, conn, invoiceID, strings.TrimSpace(email), rid)
	if err != nil {
		return nil, fmt.Errorf("send invoice %s: %w", invoiceID, err)
	}
	now := s.now()
	if err := s.store.SaveSnapshots(ctx, []Snapshot{{ConnectionID: conn.ID, Invoice: inv, FetchedAt: now}}); err != nil {
		return nil, fmt.Errorf("send invoice %s: %w", invoiceID, err)
	}
	today := Today(now, conn.TimeZone)
	res := &SendResult{Invoice: LinkedInvoice{Link: links[0], Invoice: inv, Known: true, Status: inv.Status(today),
		Overdue: inv.Overdue(today), FetchedAt: now, WebURL: s.invoiceWebURL(invoiceID)}}
	for _, l := range links {
		s.cards.forget(cardKey(portalID, l.Object))
		if l.Object.Type == Deals {
			res.DealProperties = append(res.DealProperties, s.refreshDealProperties(ctx, portal, l.Object.ID))
		}
	}
	return res, nil
}

// laterID orders QBO ids numerically.
func laterID(a, b string) bool {
	if len(a) != len(b) {
		return len(a) > len(b)
	}
	return a > b
}
