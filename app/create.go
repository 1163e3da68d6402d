package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
)

// CreateResult is the answer to a create: the invoice as the card shows it,
// where it was linked, and what happened to the deal's properties.
type CreateResult struct {
	Invoice         LinkedInvoice
	Links           []InvoiceLink
	CustomerCreated bool
	DealProperties  DealPropertiesResult
	Notices         []string // what did not fully work but needs no retry
	// Replayed is set when the idempotency key was seen before and this is
	// the first answer again.
	Replayed bool
}

// DealPropertiesResult says what was written to the deal, or why not.
type DealPropertiesResult struct {
	Written bool
	Values  map[string]string
	Reason  string
	// err is why a write failed (HubSpot or the store); nil when written or
	// left alone for a reason of the deal's own (its currency). The card
	// shows Reason; background sync retries on err.
	err error
}

// Limits of a create (QBO: 750 taxable lines, 4000-character notes; ours are
// tighter so a card request stays small).
const (
	maxLines       = 250
	maxMessage     = 1000
	maxDescription = 4000
	maxDocNumber   = 21
)

// CreateInvoice creates a draft invoice in QuickBooks for a record, links it
// to the record (and, on a deal, to its primary contact and company), and
// writes the deal's properties. It is idempotent by key: the attempt is
// stored before any call to QuickBooks and QBO's requestids derive from
// it, so a double click, a HubSpot retry or a crash in between never makes
// a second customer or invoice; the same key answers the first result, and
// the same key with another request is a conflict.
func (s *Service) CreateInvoice(ctx context.Context, portalID int64, obj ObjectRef, key string, req InvoiceRequest) (*CreateResult, error) {
	body, err := json.Marshal(struct {
		Object  ObjectRef
		Request InvoiceRequest
	}{obj, req})
	if err != nil {
		return nil, fmt.Errorf("hash create request: %w", err)
	}
	sum := sha256.Sum256(body)
	attempt, _, err := s.store.StartAttempt(ctx, Attempt{PortalID: portalID, Key: key, BodyHash: hex.EncodeToString(sum[:]),
		Object: obj, ConnectionID: req.ConnectionID})
	if err != nil {
		return nil, fmt.Errorf("create invoice: %w", err)
	}
	if attempt.BodyHash != hex.EncodeToString(sum[:]) {
		return nil, Errorf(Conflict, "This request reuses the idempotency key of a different invoice; send a new key.")
	}
	if attempt.Result != nil {
		return replay(attempt.Result)
	}
	// One request per key talks to QuickBooks; a second one (a double
	// click, HubSpot's retry) waits for the first one's answer.
	held, err := s.store.ClaimAttempt(ctx, portalID, key, s.now().Add(attemptHold))
	if err != nil {
		return nil, fmt.Errorf("create invoice: %w", err)
	}
	if !held {
		r, takeOver, err := s.awaitAttempt(ctx, portalID, key)
		if !takeOver {
			return r, err
		}
	}

	res, err := s.createInvoice(ctx, portalID, obj, key, req)
	if err != nil {
		// Let a retry go ahead at once; QBO's requestids keep it single.
		if rerr := s.store.ReleaseAttempt(context.WithoutCancel(ctx), portalID, key); rerr != nil {
			s.log.WarnContext(ctx, "release create attempt", "portal", portalID, "err", rerr)
		}
		return nil, fmt.Errorf("create invoice for %s: %w", obj, err)
	}
	stored, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("encode create answer: %w", err)
	}
	// The invoice exists: its answer is stored even if the rep has gone
	// (the request cancelled), so a retry replays it at once rather than
	// wait for the hold to lapse.
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.store.FinishAttempt(fctx, portalID, key, stored); err != nil {
		// The invoice exists and is linked; a retry replays QBO's answers.
		s.log.WarnContext(ctx, "store create answer", "portal", portalID, "err", err)
	}
	return res, nil
}

// attemptHold is how long a create holds its attempt; a holder that
// crashed is taken over after it. Longer than any create takes.
const attemptHold = time.Minute

func replay(stored []byte) (*CreateResult, error) {
	var r CreateResult
	if err := json.Unmarshal(stored, &r); err != nil {
		return nil, fmt.Errorf("decode stored create answer: %w", err)
	}
	r.Replayed = true
	return &r, nil
}

// awaitAttempt waits, within the request's time, for the answer of the
// request that holds the attempt. If that request gives up (an error) or
// crashes first, the caller takes the attempt over (takeOver) and creates
// with the same key: QBO's requestids still keep it to one invoice.
func (s *Service) awaitAttempt(ctx context.Context, portalID int64, key string) (res *CreateResult, takeOver bool, err error) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	wait, cancel := context.WithTimeout(ctx, 8*time.Second)
	defer cancel()
	for {
		select {
		case <-wait.Done():
			return nil, false, Errorf(Conflict, "This invoice is still being created; refresh the card in a moment.")
		case <-tick.C:
		}
		a, _, err := s.store.StartAttempt(ctx, Attempt{PortalID: portalID, Key: key, BodyHash: "-"})
		if err != nil {
			return nil, false, fmt.Errorf("create invoice: %w", err)
		}
		if a.Result != nil {
			r, err := replay(a.Result)
			return r, false, err
		}
		if held, err := s.store.ClaimAttempt(ctx, portalID, key, s.now().Add(attemptHold)); err == nil && held {
			return nil, true, nil
		}
	}
}

// RequestID derives a QBO requestid (at most 50 characters) from an
// attempt, one per kind of call ("customer", "invoice"): a retry of the
// attempt sends the same ids, and QBO answers a repeat with its first answer.
func RequestID(portalID int64, key, call string) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%d\x00%s\x00%s", portalID, key, call)))
	return "hq-" + hex.EncodeToString(sum[:16])
}

// sentInvoice is what a create sent QuickBooks, kept with its attempt
// (Store.MarkAttemptSent) before QuickBooks is asked.
type sentInvoice struct {
	ConnectionID    string
	Invoice         NewInvoice
	CustomerCreated bool
}

// attemptSent returns what an earlier try of the portal's attempt under key
// sent QuickBooks, or nil when none got that far.
func (s *Service) attemptSent(ctx context.Context, portalID int64, key string) (*sentInvoice, error) {
	a, _, err := s.store.StartAttempt(ctx, Attempt{PortalID: portalID, Key: key, BodyHash: "-"})
	if err != nil {
		return nil, fmt.Errorf("read create attempt: %w", err)
	}
	if a.Sent == nil {
		return nil, nil
	}
	var sent sentInvoice
	if err := json.Unmarshal(a.Sent, &sent); err != nil {
		return nil, fmt.Errorf("decode the invoice an earlier try sent: %w", err)
	}
	return &sent, nil
}

// createInvoice creates the invoice of a held attempt. When an earlier try
// of the attempt got as far as sending QuickBooks the invoice, that invoice
// is sent again as it was, unchecked: QuickBooks answers a repeated
// requestid with its first answer, so a retry whose first try created the
// invoice links it, whatever changed since (an item made inactive, a quote
// expired), and one whose first try QuickBooks refused gets the refusal.
func (s *Service) createInvoice(ctx context.Context, portalID int64, obj ObjectRef, key string, req InvoiceRequest) (*CreateResult, error) {
	sent, err := s.attemptSent(ctx, portalID, key)
	if err != nil {
		return nil, err
	}
	connID := req.ConnectionID
	if sent != nil {
		connID = sent.ConnectionID
	}
	portal, conn, err := s.portalAndConnection(ctx, portalID, connID)
	if err != nil {
		return nil, err
	}
	// What the deal's links and properties need from HubSpot does not
	// depend on the invoice: read it while QuickBooks works.
	var (
		related       []ObjectRef
		relatedNotice string
		dealCurrency  string
		currencyErr   error
		pre           sync.WaitGroup
	)
	if obj.Type == Deals {
		pre.Go(func() { related, relatedNotice, dealCurrency, currencyErr = s.dealLinksAndCurrency(ctx, portal, obj) })
	}
	defer pre.Wait()

	if sent == nil {
		if sent, err = s.prepareInvoice(ctx, portal, conn, obj, key, req); err != nil {
			return nil, err
		}
		payload, err := json.Marshal(sent)
		if err != nil {
			return nil, fmt.Errorf("encode the invoice to send: %w", err)
		}
		if err := s.store.MarkAttemptSent(ctx, portalID, key, payload); err != nil {
			return nil, fmt.Errorf("create invoice: %w", err)
		}
	}
	res := &CreateResult{CustomerCreated: sent.CustomerCreated}
	inv, err := s.qbo.CreateInvoice(ctx, conn, sent.Invoice, RequestID(portalID, key, "invoice"))
	if err != nil {
		if c := ErrorCode(err); c == NotFound || c == Invalid {
			// QBO knows something our cached lists do not (an item made
			// inactive, a term deleted): the next draft reads them afresh.
			s.forgetLookups(ctx, conn, kindCustomers, kindItems, kindTerms, kindTaxCodes)
		}
		return nil, err
	}
	s.forgetLookups(ctx, conn, kindDocNumbers)
	now := s.now()
	if err := s.store.SaveSnapshots(ctx, []Snapshot{{ConnectionID: conn.ID, Invoice: inv, FetchedAt: now}}); err != nil {
		return nil, err
	}

	pre.Wait()
	targets := append([]ObjectRef{obj}, related...)
	if relatedNotice != "" {
		res.Notices = append(res.Notices, relatedNotice)
	}
	for _, t := range targets {
		link, _, err := s.store.AddLink(ctx, InvoiceLink{PortalID: portalID, Object: t, ConnectionID: conn.ID, InvoiceID: inv.ID, Origin: OriginCreated})
		if err != nil {
			return nil, err
		}
		res.Links = append(res.Links, link)
		s.cards.forget(cardKey(portalID, t))
	}
	today := Today(now, conn.TimeZone)
	res.Invoice = LinkedInvoice{Link: res.Links[0], Invoice: inv, Known: true, Status: inv.Status(today),
		Overdue: inv.Overdue(today), FetchedAt: now, WebURL: s.invoiceWebURL(inv.ID)}
	if obj.Type == Deals {
		res.DealProperties = s.writeDealProperties(ctx, portal, obj.ID, dealCurrency, currencyErr)
	}
	return res, nil
}

// prepareInvoice checks a create against the company's current state,
// creates its new customer if it has one, and returns the invoice to send.
func (s *Service) prepareInvoice(ctx context.Context, portal Portal, conn Connection, obj ObjectRef, key string, req InvoiceRequest) (*sentInvoice, error) {
	var (
		qb           qboSide
		quotes       []Quote
		qbErr, hsErr error
		wg           sync.WaitGroup
	)
	wg.Go(func() { qb, qbErr = s.readQBOSide(ctx, conn) })
	if req.QuoteID != "" && obj.Type == Deals {
		wg.Go(func() { quotes, hsErr = s.hubspot.DealQuotes(ctx, portal, obj.ID) })
	}
	wg.Wait()
	if qbErr != nil {
		return nil, qbErr
	}
	if hsErr != nil {
		return nil, hsErr
	}
	customer, problems := s.checkRequest(ctx, conn, obj, req, qb, quotes)
	if len(problems) > 0 {
		return nil, Errorf(Invalid, "Please fix: %s.", strings.Join(problems, "; "))
	}

	sent := &sentInvoice{ConnectionID: conn.ID}
	if req.Customer.New != nil {
		nc := *req.Customer.New
		created, err := s.qbo.CreateCustomer(ctx, conn, nc, RequestID(portal.ID, key, "customer"))
		if err != nil {
			return nil, err
		}
		s.forgetLookups(ctx, conn, kindCustomers)
		customer, sent.CustomerCreated = created, true
	}

	sent.Invoice = NewInvoice{
		CustomerID: customer.ID, DocNumber: strings.TrimSpace(req.DocNumber), TxnDate: req.TxnDate, DueDate: req.DueDate,
		TermID: req.TermID, BillEmail: req.BillEmail, CustomerMemo: req.Message, Currency: customer.Currency,
	}
	nonUS := conn.Country != "US"
	for _, l := range req.Lines {
		line := InvoiceLine{ItemID: l.ItemID, Description: l.Description, Quantity: l.Quantity, UnitPrice: l.UnitPrice, TaxCodeID: l.TaxCodeID}
		if line.TaxCodeID == "" {
			item, _ := findItem(qb.items, l.ItemID)
			line.TaxCodeID = defaultTaxCode(item, nonUS)
		}
		sent.Invoice.Lines = append(sent.Invoice.Lines, line)
	}
	return sent, nil
}

// checkRequest re-validates a create against the company's current state;
// the card is not trusted. It returns the invoice's customer (when it
// exists already) and every problem found, each with its field path.
func (s *Service) checkRequest(ctx context.Context, conn Connection, obj ObjectRef, req InvoiceRequest, qb qboSide, quotes []Quote) (Customer, []string) {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	var customer Customer

	var quote *Quote
	if req.QuoteID != "" {
		if obj.Type != Deals {
			add("quoteId: invoices from quotes are made on deals")
		} else if q, ok := findQuote(quotes, req.QuoteID); !ok {
			add("quoteId: quote %s is not one of this deal's quotes", req.QuoteID)
		} else if ok, why := q.Invoiceable(s.now()); !ok {
			add("quoteId: %s", strings.TrimSuffix(why, "."))
		} else {
			quote = &q
		}
	}

	switch c := req.Customer; {
	case c.ID != "" && c.New != nil:
		add("customer: choose an existing customer or a new one, not both")
	case c.ID != "":
		found, ok := findCustomer(qb.customers, c.ID)
		if !ok {
			// Created in QuickBooks since the list was cached? Ask once more.
			s.forgetLookups(ctx, conn, kindCustomers)
			if fresh, err := s.customers(ctx, conn); err == nil {
				found, ok = findCustomer(fresh, c.ID)
			}
		}
		if !ok {
			add("customer.id: QuickBooks has no active customer %s", c.ID)
		}
		customer = found
	case c.New != nil:
		problems = append(problems, newCustomerProblems("customer.new.", *c.New)...)
	default:
		add("customer: choose a QuickBooks customer or create one")
	}

	// A quote's prices are in its currency; QBO bills in the customer's.
	invCurrency := customer.Currency
	if req.Customer.New != nil || invCurrency == "" {
		invCurrency = conn.Currency
	}
	if quote != nil && quote.Currency != "" && invCurrency != "" && quote.Currency != invCurrency {
		advice := fmt.Sprintf("choose a customer in %s or create the invoice from scratch", quote.Currency)
		if invCurrency == conn.Currency && !multiCurrency(conn, qb.company) {
			// No customer in another currency can exist: say what would help.
			advice = fmt.Sprintf("%s works only in %s, so turn on multicurrency in QuickBooks to invoice in %s, or create the invoice from scratch",
				conn.CompanyName, conn.Currency, quote.Currency)
		}
		add("quoteId: quote %s is in %s but the invoice would be in %s; %s", quote.Number, quote.Currency, invCurrency, advice)
	}
	if req.TxnDate.IsZero() {
		add("txnDate: the invoice date is required")
	}
	if !req.DueDate.IsZero() && !req.TxnDate.IsZero() && req.DueDate.Before(req.TxnDate) {
		add("dueDate: the due date %s is before the invoice date %s", req.DueDate, req.TxnDate)
	}
	if req.TermID != "" && !hasTerm(qb.terms, req.TermID) {
		add("termId: QuickBooks has no active payment term %s", req.TermID)
	}
	doc := strings.TrimSpace(req.DocNumber)
	if conn.CustomTxnNumbers && doc == "" {
		add("docNumber: %s numbers its invoices itself; an invoice number is required (next suggested: %s)", conn.CompanyName, orNone(NextDocNumber(qb.recentNos)))
	}
	if len([]rune(doc)) > maxDocNumber {
		add("docNumber: at most %d characters", maxDocNumber)
	}
	if len([]rune(req.Message)) > maxMessage {
		add("message: at most %d characters", maxMessage)
	}
	if req.BillEmail != "" && !strings.Contains(req.BillEmail, "@") {
		add("billEmail: %q is not an email address", req.BillEmail)
	}

	switch n := len(req.Lines); {
	case n == 0:
		add("lines: an invoice needs at least one line")
	case n > maxLines:
		add("lines: at most %d lines, got %d", maxLines, n)
	}
	nonUS := conn.Country != "US"
	for i, l := range req.Lines {
		p := fmt.Sprintf("lines[%d]", i)
		if l.ItemID == "" {
			add("%s.itemId: choose a QuickBooks product or service", p)
		} else if _, ok := findItem(qb.items, l.ItemID); !ok {
			add("%s.itemId: QuickBooks has no active product or service %s", p, l.ItemID)
		}
		if l.Quantity <= 0 {
			add("%s.quantity: must be more than 0", p)
		}
		if l.UnitPrice < 0 {
			add("%s.unitPrice: cannot be negative", p)
		}
		if int64(l.Quantity)*int64(l.UnitPrice)%100 != 0 {
			add("%s: %s × %s has more than two decimals; round the quantity or the price", p, l.Quantity, l.UnitPrice)
		}
		if len([]rune(l.Description)) > maxDescription {
			add("%s.description: at most %d characters", p, maxDescription)
		}
		switch {
		case nonUS && l.TaxCodeID == "":
			add("%s.taxCodeId: a tax code is required for companies outside the US", p)
		case nonUS && !hasTaxCode(qb.taxCodes, l.TaxCodeID):
			add("%s.taxCodeId: QuickBooks has no active tax code %s", p, l.TaxCodeID)
		case !nonUS && l.TaxCodeID != "" && l.TaxCodeID != "TAX" && l.TaxCodeID != "NON":
			add("%s.taxCodeId: US lines are TAX or NON (QuickBooks works out the rate)", p)
		}
	}
	return customer, problems
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func findQuote(qs []Quote, id string) (Quote, bool) {
	for _, q := range qs {
		if q.ID == id {
			return q, true
		}
	}
	return Quote{}, false
}

func findCustomer(cs []Customer, id string) (Customer, bool) {
	for _, c := range cs {
		if c.ID == id {
			return c, true
		}
	}
	return Customer{}, false
}

func hasTerm(ts []Term, id string) bool {
	for _, t := range ts {
		if t.ID == id {
			return true
		}
	}
	return false
}

func hasTaxCode(tcs []TaxCode, id string) bool {
	for _, t := range tcs {
		if t.ID == id {
			return true
		}
	}
	return false
}

// dealLinksAndCurrency reads, in one request, the deal's currency and its
// primary contact and company, so the invoice shows on their cards too.
// HubSpot failing here costs only those links, which the notice reports,
// and the deal's properties (err, which writeDealProperties reports).
func (s *Service) dealLinksAndCurrency(ctx context.Context, portal Portal, deal ObjectRef) (related []ObjectRef, notice, currency string, err error) {
	p, linked, err := s.hubspot.RecordWith(ctx, portal, deal, []string{"deal_currency_code"}, []string{string(Contacts), string(Companies)})
	if err != nil {
		s.log.WarnContext(ctx, "link invoice to the deal's contact and company", "deal", deal.ID, "err", err)
		return nil, "The invoice could not be added to the deal's contact and company cards; add it there from the card.", "", err
	}
	for _, t := range []ObjectType{Contacts, Companies} {
		if ids := linked[string(t)]; len(ids) > 0 {
			related = append(related, ObjectRef{Type: t, ID: ids[0]})
		}
	}
	return related, "", p["deal_currency_code"], nil
}
