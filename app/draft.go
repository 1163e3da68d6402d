package app

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// InvoiceRequest is what the card posts to create an invoice, and what a
// draft proposes: a draft whose Missing list is empty can be posted back
// unchanged with an idempotency key.
type InvoiceRequest struct {
	ConnectionID string
	QuoteID      string // empty: from scratch
	Customer     CustomerChoice
	DocNumber    string
	TxnDate      Date
	DueDate      Date
	TermID       string
	BillEmail    string
	Message      string // shown to the customer (CustomerMemo)
	Lines        []RequestLine
}

// CustomerChoice is an existing QBO customer (ID) or one to create (New).
type CustomerChoice struct {
	ID  string
	New *NewCustomer
}

// RequestLine is one invoice line as the card sends it.
type RequestLine struct {
	ItemID      string
	Description string
	Quantity    Quantity
	UnitPrice   Money
	TaxCodeID   string // US: TAX or NON (empty: from the item); elsewhere required
}

// Draft is a prefilled invoice for a record, with what the rep may still
// have to choose.
type Draft struct {
	Connection Connection
	Source     string // "quote" or "scratch"
	Quote      *Quote // the quote the lines come from
	Quotes     []QuoteOption
	Candidates []CustomerCandidate
	Lines      []DraftLine
	TaxCodes   []TaxCode // the company's, when lines need one (outside the US)
	Terms      []Term
	// DocNumberRequired is set when the company numbers invoices itself
	// (custom transaction numbers); Invoice.DocNumber then holds a suggestion.
	DocNumberRequired bool
	InvoiceCurrency   string
	DealCurrency      string
	// DealPropertiesNote says in advance why deal properties will not be
	// written, or is empty when they will be (or the record is no deal).
	DealPropertiesNote string
	// MultiCurrencyNote says, when the company works only in its home
	// currency, that the record's (the quote's, else the deal's) cannot be
	// invoiced; empty otherwise.
	MultiCurrencyNote string
	Invoice           InvoiceRequest
	Missing           []string // field paths still to fill, e.g. "customer", "lines[1].itemId"
}

// QuoteOption is one of the record's quotes and whether it can be invoiced.
type QuoteOption struct {
	Quote       Quote
	Invoiceable bool
	Reason      string
}

// CustomerCandidate is a QBO customer that may be the invoice's, and why.
type CustomerCandidate struct {
	Customer Customer
	Reason   string
	score    int
}

// DraftLine is one HubSpot line item and the QBO item it maps to.
type DraftLine struct {
	LineItem LineItem
	ItemID   string // empty when no item matched
	ItemName string
	Match    string // "sku", "name" or "" (the rep picks an item)
}

// hubSpotSide is what the draft reads of the record in HubSpot.
type hubSpotSide struct {
	contactEmail, contactFirst, contactLast, contactPhone string
	companyName                                           string
	dealCurrency                                          string
	quotes                                                []Quote
	lineItems                                             []LineItem // the deal's own, for a scratch invoice
}

// qboSide is what the draft reads of the company (cached).
type qboSide struct {
	company   Company
	customers []Customer
	items     []Item
	taxCodes  []TaxCode
	terms     []Term
	recentNos []string
}

// InvoiceDraft prefills an invoice for a record from one of its quotes (or,
// with quoteID empty, from scratch), matching HubSpot's contact, company and
// line items to the company's QBO customers and items. HubSpot reads and
// cached QBO lookups run in parallel.
func (s *Service) InvoiceDraft(ctx context.Context, portalID int64, obj ObjectRef, connectionID, quoteID string) (*Draft, error) {
	portal, conn, err := s.portalAndConnection(ctx, portalID, connectionID)
	if err != nil {
		return nil, err
	}
	var (
		hs                  hubSpotSide
		qb                  qboSide
		quoteLines          []LineItem
		hsErr, qbErr, liErr error
		wg                  sync.WaitGroup
	)
	wg.Go(func() { hs, hsErr = s.readHubSpotSide(ctx, portal, obj) })
	wg.Go(func() { qb, qbErr = s.readQBOSide(ctx, conn) })
	if quoteID != "" {
		// Read beside the rest; whether the quote may be used is decided below.
		wg.Go(func() { quoteLines, liErr = s.quoteLineItems(ctx, portal, quoteID) })
	}
	wg.Wait()
	for _, err := range []error{hsErr, qbErr} {
		if err != nil {
			return nil, fmt.Errorf("invoice draft for %s: %w", obj, err)
		}
	}

	d := &Draft{Connection: withoutTokens(conn), Source: "scratch", Terms: qb.terms}
	now := s.now()
	for _, q := range hs.quotes {
		ok, why := q.Invoiceable(now)
		d.Quotes = append(d.Quotes, QuoteOption{Quote: q, Invoiceable: ok, Reason: why})
	}
	lineItems := hs.lineItems
	if quoteID != "" {
		q, err := pickQuote(d.Quotes, quoteID)
		if err != nil {
			return nil, err
		}
		if liErr != nil {
			return nil, fmt.Errorf("invoice draft from quote %s: %w", quoteID, liErr)
		}
		d.Source, d.Quote, lineItems = "quote", &q, quoteLines
	}

	d.Candidates = matchCustomers(qb.customers, hs)
	inv := InvoiceRequest{ConnectionID: conn.ID, QuoteID: quoteID}
	var chosen *Customer
	if len(d.Candidates) > 0 && (len(d.Candidates) == 1 || d.Candidates[0].score > d.Candidates[1].score) {
		chosen = &d.Candidates[0].Customer
		inv.Customer.ID = chosen.ID
	} else if len(d.Candidates) == 0 {
		nc, err := s.proposeCustomer(ctx, conn, qb.customers, hs)
		if err != nil {
			return nil, fmt.Errorf("invoice draft for %s: %w", obj, err)
		}
		inv.Customer.New = nc
	}
	if inv.Customer.ID == "" && inv.Customer.New == nil {
		d.Missing = append(d.Missing, "customer")
	}

	nonUS := conn.Country != "US"
	if nonUS {
		d.TaxCodes = qb.taxCodes
	}
	for i, li := range lineItems {
		dl := matchItem(li, qb.items)
		d.Lines = append(d.Lines, dl)
		rl := RequestLine{ItemID: dl.ItemID, Description: lineDescription(li), Quantity: li.Quantity, UnitPrice: li.NetUnitPrice()}
		if item, ok := findItem(qb.items, dl.ItemID); ok {
			rl.TaxCodeID = defaultTaxCode(item, nonUS)
		}
		if rl.ItemID == "" {
			d.Missing = append(d.Missing, fmt.Sprintf("lines[%d].itemId", i))
		}
		// What create would refuse must not pass as complete here.
		if rl.Quantity <= 0 || int64(rl.Quantity)*int64(rl.UnitPrice)%100 != 0 {
			d.Missing = append(d.Missing, fmt.Sprintf("lines[%d].quantity", i))
		}
		if nonUS && rl.TaxCodeID == "" {
			d.Missing = append(d.Missing, fmt.Sprintf("lines[%d].taxCodeId", i))
		}
		inv.Lines = append(inv.Lines, rl)
	}
	if len(inv.Lines) == 0 {
		d.Missing = append(d.Missing, "lines")
	}

	inv.TxnDate = Today(now, conn.TimeZone)
	inv.TermID = qb.company.DefaultTermID
	if chosen != nil && chosen.TermID != "" {
		inv.TermID = chosen.TermID
	}
	inv.DueDate = dueDate(inv.TxnDate, inv.TermID, qb.terms)
	inv.BillEmail = hs.contactEmail
	if chosen != nil && chosen.Email != "" {
		inv.BillEmail = chosen.Email
	}
	if conn.CustomTxnNumbers {
		d.DocNumberRequired = true
		inv.DocNumber = NextDocNumber(qb.recentNos)
		if inv.DocNumber == "" {
			d.Missing = append(d.Missing, "docNumber")
		}
	}

	d.InvoiceCurrency = conn.Currency
	if chosen != nil && chosen.Currency != "" {
		d.InvoiceCurrency = chosen.Currency
	}
	if obj.Type == Deals {
		d.DealCurrency = hs.dealCurrency
		if d.DealCurrency == "" {
			d.DealCurrency = portal.Currency
		}
		if d.DealCurrency != "" && d.InvoiceCurrency != d.DealCurrency {
			d.DealPropertiesNote = fmt.Sprintf("The invoice will be in %s and the deal is in %s, so the deal's QuickBooks properties will not be updated.", d.InvoiceCurrency, d.DealCurrency)
		}
	}
	// The record's prices are in the quote's currency, else the deal's.
	recordCurrency := d.DealCurrency
	if d.Quote != nil && d.Quote.Currency != "" {
		recordCurrency = d.Quote.Currency
	}
	if recordCurrency != "" && recordCurrency != conn.Currency && !multiCurrency(conn, qb.company) {
		d.MultiCurrencyNote = homeCurrencyOnly(conn, recordCurrency)
		if d.Quote != nil {
			d.MultiCurrencyNote += " Until then, create the invoice from scratch."
		} else {
			// Said before a source is picked too: a quote in that currency
			// cannot be invoiced either.
			d.MultiCurrencyNote += fmt.Sprintf(" Until then, only an invoice from scratch can be made, in %s at the prices shown.", conn.Currency)
		}
	}
	d.Invoice = inv
	return d, nil
}

// multiCurrency says whether the company can invoice in other currencies
// than its home one: the stored flag, or the company's cached preferences
// for a connection stored before the flag was (those rows read as off until
// a reconnect or a Preferences change). Once on, QuickBooks never turns it
// off, so neither can be on wrongly.
func multiCurrency(conn Connection, company Company) bool {
	return conn.MultiCurrency || company.MultiCurrency
}

// homeCurrencyOnly tells a rep that the company cannot invoice in currency
// until multicurrency is on.
func homeCurrencyOnly(conn Connection, currency string) string {
	return fmt.Sprintf("%s works only in %s; turn on multicurrency in QuickBooks to invoice in %s.", conn.CompanyName, conn.Currency, currency)
}

func withoutTokens(c Connection) Connection {
	c.Tokens = Tokens{}
	return c
}

// portalAndConnection loads the caller's portal and one of its connections,
// which must be usable.
func (s *Service) portalAndConnection(ctx context.Context, portalID int64, connectionID string) (Portal, Connection, error) {
	if connectionID == "" {
		return Portal{}, Connection{}, Errorf(Invalid, "Choose a QuickBooks company (connectionId).")
	}
	portal, err := s.store.Portal(ctx, portalID)
	if err != nil {
		return Portal{}, Connection{}, err
	}
	conn, err := s.store.Connection(ctx, portalID, connectionID)
	if err != nil {
		return Portal{}, Connection{}, err
	}
	switch conn.State {
	case Disconnected:
		return Portal{}, Connection{}, Errorf(NotConnected, "QuickBooks company %s is disconnected; connect it again.", conn.CompanyName)
	case NeedsReconnect:
		return Portal{}, Connection{}, Errorf(NotConnected, "Reconnect QuickBooks company %s.", conn.CompanyName)
	}
	return portal, conn, nil
}

func pickQuote(opts []QuoteOption, quoteID string) (Quote, error) {
	for _, o := range opts {
		if o.Quote.ID == quoteID {
			if !o.Invoiceable {
				return Quote{}, Errorf(Invalid, "%s", o.Reason)
			}
			return o.Quote, nil
		}
	}
	return Quote{}, Errorf(NotFound, "Quote %s is not one of this deal's quotes.", quoteID)
}

func (s *Service) quoteLineItems(ctx context.Context, portal Portal, quoteID string) ([]LineItem, error) {
	ids, err := s.hubspot.Associated(ctx, portal, ObjectRef{Type: "quotes", ID: quoteID}, "line_items")
	if err != nil {
		return nil, err
	}
	return s.hubspot.LineItems(ctx, portal, ids)
}

// readHubSpotSide reads the record's contact, company, currency, quotes and
// line items, independent reads in parallel.
func (s *Service) readHubSpotSide(ctx context.Context, portal Portal, obj ObjectRef) (hubSpotSide, error) {
	var (
		hs   hubSpotSide
		mu   sync.Mutex
		errs = make([]error, 0, 4)
		wg   sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	contact := func(id string) {
		p, err := s.hubspot.Record(ctx, portal, ObjectRef{Type: Contacts, ID: id}, "email", "firstname", "lastname", "phone", "company")
		if err != nil {
			fail(err)
			return
		}
		mu.Lock()
		hs.contactEmail, hs.contactFirst, hs.contactLast, hs.contactPhone = p["email"], p["firstname"], p["lastname"], p["phone"]
		if hs.companyName == "" {
			hs.companyName = p["company"]
		}
		mu.Unlock()
	}
	company := func(id string) {
		p, err := s.hubspot.Record(ctx, portal, ObjectRef{Type: Companies, ID: id}, "name")
		if err != nil {
			fail(err)
			return
		}
		mu.Lock()
		hs.companyName = p["name"]
		mu.Unlock()
	}
	primary := func(to string, read func(string)) {
		ids, err := s.hubspot.Associated(ctx, portal, obj, to)
		if err != nil {
			fail(err)
			return
		}
		if len(ids) > 0 {
			read(ids[0])
		}
	}
	switch obj.Type {
	case Deals:
		// The deal and what it links to in one read, then the linked
		// records in parallel: five calls where separate association reads
		// took nine.
		p, linked, err := s.hubspot.RecordWith(ctx, portal, obj, []string{"dealname", "deal_currency_code"},
			[]string{"contacts", "companies", "quotes", "line_items"})
		if err != nil {
			return hs, err
		}
		hs.dealCurrency = p["deal_currency_code"]
		if ids := linked["contacts"]; len(ids) > 0 {
			wg.Go(func() { contact(ids[0]) })
		}
		if ids := linked["companies"]; len(ids) > 0 {
			wg.Go(func() { company(ids[0]) })
		}
		if ids := linked["quotes"]; len(ids) > 0 {
			wg.Go(func() {
				q, err := s.hubspot.Quotes(ctx, portal, ids)
				if err != nil {
					fail(err)
					return
				}
				mu.Lock()
				hs.quotes = q
				mu.Unlock()
			})
		}
		if ids := linked["line_items"]; len(ids) > 0 {
			wg.Go(func() {
				items, err := s.hubspot.LineItems(ctx, portal, ids)
				if err != nil {
					fail(err)
					return
				}
				mu.Lock()
				hs.lineItems = items
				mu.Unlock()
			})
		}
	case Contacts:
		wg.Go(func() { contact(obj.ID) })
		wg.Go(func() { primary("companies", company) })
	case Companies:
		wg.Go(func() { company(obj.ID) })
		wg.Go(func() { primary("contacts", contact) }) // company() overwrites a contact's company text
	}
	wg.Wait()
	if len(errs) > 0 {
		return hs, errs[0]
	}
	return hs, nil
}

// readQBOSide reads the company's cached lookups in parallel.
func (s *Service) readQBOSide(ctx context.Context, conn Connection) (qboSide, error) {
	var (
		qb   qboSide
		errs [6]error
		wg   sync.WaitGroup
	)
	wg.Go(func() { qb.company, errs[0] = s.company(ctx, conn) })
	wg.Go(func() { qb.customers, errs[1] = s.customers(ctx, conn) })
	wg.Go(func() { qb.items, errs[2] = s.items(ctx, conn) })
	wg.Go(func() { qb.taxCodes, errs[3] = s.taxCodes(ctx, conn) })
	wg.Go(func() { qb.terms, errs[4] = s.terms(ctx, conn) })
	if conn.CustomTxnNumbers {
		wg.Go(func() { qb.recentNos, errs[5] = s.recentDocNumbers(ctx, conn) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return qb, err
		}
	}
	return qb, nil
}

// matchCustomers ranks QBO customers against the HubSpot contact and
// company: by primary email first, then display and company name.
func matchCustomers(customers []Customer, hs hubSpotSide) []CustomerCandidate {
	contactName := strings.TrimSpace(hs.contactFirst + " " + hs.contactLast)
	var out []CustomerCandidate
	for _, c := range customers {
		var score int
		var reasons []string
		if hs.contactEmail != "" && strings.EqualFold(c.Email, hs.contactEmail) {
			score += 100
			reasons = append(reasons, fmt.Sprintf("email %s matches", c.Email))
		}
		if hs.companyName != "" && strings.EqualFold(c.DisplayName, hs.companyName) {
			score += 60
			reasons = append(reasons, fmt.Sprintf("display name matches company %q", hs.companyName))
		} else if hs.companyName != "" && strings.EqualFold(c.CompanyName, hs.companyName) {
			score += 50
			reasons = append(reasons, fmt.Sprintf("company name matches %q", hs.companyName))
		}
		if contactName != "" && strings.EqualFold(c.DisplayName, contactName) {
			score += 40
			reasons = append(reasons, fmt.Sprintf("display name matches contact %q", contactName))
		}
		if score > 0 {
			out = append(out, CustomerCandidate{Customer: c, Reason: strings.Join(reasons, "; "), score: score})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].score != out[j].score {
			return out[i].score > out[j].score
		}
		return out[i].Customer.DisplayName < out[j].Customer.DisplayName
	})
	return out
}

// proposeCustomer prefills a new customer from HubSpot whose display name
// is free among QBO's customers, vendors and employees.
func (s *Service) proposeCustomer(ctx context.Context, conn Connection, customers []Customer, hs hubSpotSide) (*NewCustomer, error) {
	name := hs.companyName
	if name == "" {
		name = strings.TrimSpace(hs.contactFirst + " " + hs.contactLast)
	}
	if name == "" {
		name = hs.contactEmail
	}
	if name == "" {
		return nil, nil
	}
	nc := &NewCustomer{CompanyName: hs.companyName, GivenName: hs.contactFirst, FamilyName: hs.contactLast,
		Email: hs.contactEmail, Phone: hs.contactPhone}
	taken := func(n string) (bool, error) {
		for _, c := range customers {
			if strings.EqualFold(c.DisplayName, n) {
				return true, nil
			}
		}
		held, err := s.qbo.NameInUse(ctx, conn, n)
		return held != "", err
	}
	base := cleanDisplayName(name)
	candidate := base
	for i := 2; i <= 10; i++ {
		used, err := taken(candidate)
		if err != nil {
			return nil, err
		}
		if !used {
			nc.DisplayName = candidate
			return nc, nil
		}
		candidate = fmt.Sprintf("%s (%d)", base, i)
	}
	nc.DisplayName = "" // the rep names the customer
	return nc, nil
}

// cleanDisplayName removes what QBO refuses in names (colon, tab, newline)
// and fits its 100 characters.
func cleanDisplayName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ':', '\t', '\n', '\r':
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 90 {
		s = string(r[:90])
	}
	return s
}

// matchItem maps a HubSpot line item to a QBO item by SKU, then by name.
func matchItem(li LineItem, items []Item) DraftLine {
	dl := DraftLine{LineItem: li}
	if sku := strings.TrimSpace(li.SKU); sku != "" {
		for _, it := range items {
			if it.SKU != "" && strings.EqualFold(it.SKU, sku) {
				dl.ItemID, dl.ItemName, dl.Match = it.ID, it.Name, "sku"
				return dl
			}
		}
	}
	for _, it := range items {
		if strings.EqualFold(strings.TrimSpace(it.Name), strings.TrimSpace(li.Name)) {
			dl.ItemID, dl.ItemName, dl.Match = it.ID, it.Name, "name"
			return dl
		}
	}
	return dl
}

func findItem(items []Item, id string) (Item, bool) {
	for _, it := range items {
		if it.ID == id {
			return it, true
		}
	}
	return Item{}, false
}

// defaultTaxCode is a line's tax code from its item: TAX or NON in the US,
// the item's sales tax code elsewhere.
func defaultTaxCode(item Item, nonUS bool) string {
	if nonUS {
		return item.TaxCodeID
	}
	if item.Taxable {
		return "TAX"
	}
	return "NON"
}

func lineDescription(li LineItem) string {
	d := li.Description
	if d == "" {
		d = li.Name
	}
	if li.UnitDiscount > 0 || li.DiscountPercent > 0 {
		d += fmt.Sprintf(" (list price %s, discount applied)", li.UnitPrice)
	}
	return d
}

// dueDate is the term's due date, or 30 days after the invoice date when
// there is no term (QBO's own default, reference/quickbooks.md 1.2).
func dueDate(txn Date, termID string, terms []Term) Date {
	for _, t := range terms {
		if t.ID == termID {
			return t.DueDate(txn)
		}
	}
	return DateOf(txn.Time().AddDate(0, 0, 30))
}

// NextDocNumber suggests the number after the company's latest ones: the
// highest trailing number among them plus one, keeping its prefix and zero
// padding ("MLS-0003" -> "MLS-0004"). It returns "" when none ends in digits.
func NextDocNumber(recent []string) string {
	best, bestN := "", int64(-1)
	for _, d := range recent {
		i := len(d)
		for i > 0 && d[i-1] >= '0' && d[i-1] <= '9' {
			i--
		}
		if i == len(d) {
			continue
		}
		n, err := strconv.ParseInt(d[i:], 10, 64)
		if err == nil && n > bestN {
			best, bestN = d, n
		}
	}
	if bestN < 0 {
		return ""
	}
	i := len(best)
	for i > 0 && best[i-1] >= '0' && best[i-1] <= '9' {
		i--
	}
	digits := best[i:]
	next := strconv.FormatInt(bestN+1, 10)
	if len(next) < len(digits) {
		next = strings.Repeat("0", len(digits)-len(next)) + next
	}
	return best[:i] + next
}
