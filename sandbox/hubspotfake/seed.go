package hubspotfake

import (
	"strconv"
	"strings"
	"time"
)

// Demo is what SeedDemo loaded: the OAuth app and, per portal, its
// credentials and the ids of its records by kind ("deals", "quotes",
// "contacts", "companies", "products", "lineItems") and label.
type Demo struct {
	AppID    int64        `json:"appId"`
	ClientID string       `json:"clientId"`
	Portals  []DemoPortal `json:"portals"`
}

// DemoPortal is one seeded portal.
type DemoPortal struct {
	PortalID             int64                        `json:"portalId"`
	Name                 string                       `json:"name"`
	Currency             string                       `json:"currency"`
	AdditionalCurrencies []string                     `json:"additionalCurrencies"`
	TimeZone             string                       `json:"timeZone"`
	APIToken             string                       `json:"apiToken"`
	Records              map[string]map[string]string `json:"records"`
}

// Portal returns the seeded portal with the given id.
func (d Demo) Portal(id int64) (DemoPortal, bool) {
	for _, p := range d.Portals {
		if p.PortalID == id {
			return p, true
		}
	}
	return DemoPortal{}, false
}

// SeedDemo loads the demo seed shared by tests, benchmarks and the demo
// (the "HubSpot portals" section of the seed spec): portals 20000001
// (Northwind Traders, USD + CAD, US/Pacific) and 20000002 (Thames Partners,
// GBP, Europe/London) with their companies, contacts, products, deals,
// quotes and line items, associated as the spec says. Dates are relative to
// the fake's clock, in each portal's time zone.
//
// Record ids come from the fake's one counter (the first record of a fresh
// fake is 1001), in the order of this function, so they are the same on
// every run of a fresh fake. Line item labels are "deal.<deal label>.<n>"
// and "quote.<quote label>.<n>". Calling SeedDemo again returns the first
// result and adds nothing.
func (s *Server) SeedDemo() Demo {
	s.seedMu.Lock()
	defer s.seedMu.Unlock()
	s.mu.Lock()
	if s.demo != nil {
		d := *s.demo
		s.mu.Unlock()
		return d
	}
	s.mu.Unlock()

	s.AddPortal(Portal{ID: 20000001, Name: "Northwind Traders", Currency: "USD", AdditionalCurrencies: []string{"CAD"},
		TimeZone: "US/Pacific", APIToken: "hs-sandbox-token-portal-1", Domain: "northwind.example",
		UserEmail: "admin@northwind.example", Users: demoUsers("northwind.example")})
	s.AddPortal(Portal{ID: 20000002, Name: "Thames Partners", Currency: "GBP",
		TimeZone: "Europe/London", APIToken: "hs-sandbox-token-portal-2", Domain: "thamespartners.example",
		UserEmail: "admin@thamespartners.example", Users: demoUsers("thamespartners.example")})

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.opt.Now()
	demo := Demo{AppID: s.opt.AppID, ClientID: s.opt.ClientID}
	for _, seed := range []func(*seeder){seedNorthwind, seedThames} {
		b := &seeder{s: s, now: now, records: map[string]map[string]string{}}
		seed(b)
		p := b.pt.Portal
		demo.Portals = append(demo.Portals, DemoPortal{PortalID: p.ID, Name: p.Name, Currency: p.Currency,
			AdditionalCurrencies: append([]string{}, p.AdditionalCurrencies...), TimeZone: p.TimeZone,
			APIToken: p.APIToken, Records: b.records})
	}
	s.demo = &demo
	return demo
}

// demoUsers are the demo accounts' users besides the installer: users 1
// (the card preview's and the card command's) and 7 (the tests' signed
// client) are super admins who also work deals; user 8 is a sales rep
// without admin rights.
func demoUsers(domain string) []User {
	return []User{
		{ID: 1, Email: "owner@" + domain, SuperAdmin: true},
		{ID: 7, Email: "rep@" + domain, SuperAdmin: true},
		{ID: 8, Email: "sales@" + domain, RoleIDs: []string{"sales-rep"}},
	}
}

func seedNorthwind(b *seeder) {
	b.pt = b.s.portals[20000001]
	acme := b.company("acme", "Acme Corporation", "acme.example")
	newco := b.company("newco", "NewCo Labs", "newco.example")
	maple := b.company("maple", "Maple Syrup Co.", "maplesyrup.example")
	alice := b.contact("alice", "Alice", "Buyer", "ap@acme.example", acme)
	bob := b.contact("bob", "Bob", "Newman", "bob@newco.example", newco)
	amy := b.contact("amy", "Amy", "Sanders", "amy@birds.example", nil)
	carla := b.contact("carla", "Carla", "Maple", "orders@maplesyrup.example", maple)
	design := b.product("design", "Design hours", "DES-HR", "75")
	consulting := b.product("consulting", "Consulting", "", "150")
	support := b.product("support", "Premium support", "SUP-P", "500")

	deal := b.deal("with_quotes", "Acme website redesign", "USD", "600", alice, acme)
	b.dealLine(deal, "with_quotes", 1, line{product: design, quantity: "4", price: "75", amount: "300"})
	b.dealLine(deal, "with_quotes", 2, line{product: consulting, quantity: "2", price: "150", amount: "300"})
	for _, q := range []struct {
		label, status, number string
		days                  int
	}{
		{"published", "APPROVAL_NOT_NEEDED", "Q-1001", 30},
		{"approved", "APPROVED", "Q-1002", 30},
		{"draft", "DRAFT", "Q-1003", 30},
		{"expired", "APPROVAL_NOT_NEEDED", "Q-1004", -5},
		{"pending_approval", "PENDING_APPROVAL", "Q-1005", 30},
	} {
		quote := b.quote(q.label, "Website redesign", q.status, q.number, "USD", "750", q.days, deal, alice)
		b.quoteLine(quote, q.label, 1, line{product: design, quantity: "4", price: "75", amount: "300"})
		b.quoteLine(quote, q.label, 2, line{product: support, quantity: "1", price: "500", amount: "450", discount: "50"})
	}

	deal = b.deal("no_quotes", "NewCo onboarding", "USD", "1000", bob, newco)
	b.dealLine(deal, "no_quotes", 1, line{product: support, quantity: "2", price: "500", amount: "1000"})

	deal = b.deal("cad", "Maple expansion", "CAD", "1073.50", carla, maple)
	b.dealLine(deal, "cad", 1, line{product: design, quantity: "10", price: "95", amount: "950"})

	b.deal("empty", "Amy bird feeders", "USD", "", amy, nil)
}

func seedThames(b *seeder) {
	b.pt = b.s.portals[20000002]
	bigben := b.company("bigben", "Big Ben Holdings", "bigben.example")
	ben := b.contact("ben", "Ben", "Clock", "accounts@bigben.example", bigben)
	advisory := b.product("advisory", "Advisory day", "ADV-D", "800")
	deal := b.deal("with_quotes", "Big Ben advisory", "GBP", "800", ben, bigben)
	b.dealLine(deal, "with_quotes", 1, line{product: advisory, quantity: "1", price: "800", amount: "800"})
	quote := b.quote("published", "Big Ben advisory", "APPROVAL_NOT_NEEDED", "Q-2001", "GBP", "800", 30, deal, ben)
	b.quoteLine(quote, "published", 1, line{product: advisory, quantity: "1", price: "800", amount: "800"})
}

// seeder adds one portal's records; the caller holds s.mu.
type seeder struct {
	s       *Server
	pt      *portal
	now     time.Time
	records map[string]map[string]string
}

func (b *seeder) add(kind, label, typ string, props map[string]string) *object {
	o := b.s.insert(b.pt, objectTypes[typ], props, b.now)
	if b.records[kind] == nil {
		b.records[kind] = map[string]string{}
	}
	b.records[kind][label] = o.id
	return o
}

func (b *seeder) link(from, to *object, typeID int) {
	b.s.associate(from, to, assocDefByID(from.typ.name, typeID))
}

func (b *seeder) company(label, name, domain string) *object {
	return b.add("companies", label, "companies", map[string]string{"name": name, "domain": domain})
}

// contact adds a contact whose primary company is company (if any).
func (b *seeder) contact(label, first, last, email string, company *object) *object {
	props := map[string]string{"firstname": first, "lastname": last, "email": email}
	if company != nil {
		props["company"] = company.props["name"]
	}
	o := b.add("contacts", label, "contacts", props)
	if company != nil {
		b.link(o, company, 1) // primary contact→company (with 279)
	}
	return o
}

func (b *seeder) product(label, name, sku, price string) *object {
	props := map[string]string{"name": name, "price": price}
	if sku != "" {
		props["hs_sku"] = sku
	}
	return b.add("products", label, "products", props)
}

// deal adds a deal associated with contact and (as primary) company.
func (b *seeder) deal(label, name, currency, amount string, contact, company *object) *object {
	o := b.add("deals", label, "deals", map[string]string{"dealname": name, "deal_currency_code": currency,
		"amount": amount, "pipeline": "default", "dealstage": "appointmentscheduled"})
	b.link(o, contact, 3)
	if company != nil {
		b.link(o, company, 5) // primary deal→company (with 341)
	}
	return o
}

// quote adds a quote expiring days from today (end of that day in the
// portal's time zone), associated with deal and contact. Published quotes
// (APPROVAL_NOT_NEEDED, APPROVED) are locked and have their links, as
// publishing does (reference §4.1).
func (b *seeder) quote(label, title, status, number, currency, amount string, days int, deal, contact *object) *object {
	local := b.now.In(b.pt.loc)
	expires := time.Date(local.Year(), local.Month(), local.Day()+days, 23, 59, 59, 999e6, b.pt.loc)
	props := map[string]string{"hs_title": title, "hs_status": status, "hs_quote_number": number,
		"hs_currency": currency, "hs_quote_amount": amount, "hs_expiration_date": isoMillis(expires),
		"hs_locked": "false", "hs_esign_enabled": "false", "hs_payment_enabled": "false"}
	if status == "APPROVAL_NOT_NEEDED" || status == "APPROVED" {
		slug := strconv.FormatInt(b.pt.ID, 10) + "/" + strings.ToLower(number)
		props["hs_locked"] = "true"
		props["hs_quote_link"] = "https://quotes.hubspot.example/" + slug
		props["hs_pdf_download_link"] = "https://quotes.hubspot.example/" + slug + "/download"
	}
	o := b.add("quotes", label, "quotes", props)
	b.link(deal, o, 63)
	b.link(o, contact, 69)
	return o
}

// line is a line item to seed.
type line struct {
	product                           *object
	quantity, price, amount, discount string
}

func (b *seeder) lineItem(label string, l line) *object {
	props := map[string]string{"name": l.product.props["name"], "quantity": l.quantity, "price": l.price,
		"amount": l.amount, "hs_product_id": l.product.id}
	if sku := l.product.props["hs_sku"]; sku != "" {
		props["hs_sku"] = sku
	}
	if l.discount != "" {
		props["discount"] = l.discount
	}
	return b.add("lineItems", label, "line_items", props)
}

func (b *seeder) dealLine(deal *object, dealLabel string, n int, l line) {
	b.link(deal, b.lineItem("deal."+dealLabel+"."+strconv.Itoa(n), l), 19)
}

func (b *seeder) quoteLine(quote *object, quoteLabel string, n int, l line) {
	b.link(quote, b.lineItem("quote."+quoteLabel+"."+strconv.Itoa(n), l), 67)
}
