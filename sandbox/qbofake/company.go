package qbofake

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// Company describes a QBO company (realm) to add to the fake.
type Company struct {
	RealmID     string
	CompanyName string
	LegalName   string // default CompanyName
	// Country decides US (TAX/NON line codes) or non-US tax rules
	// (reference §1.5, §1.8). Default "US".
	Country string
	// Currency is the home currency. Default by country (USD, CAD, GBP, …).
	Currency string
	// TimeZone is an IANA zone (CompanyInfo.DefaultTimeZone); it decides
	// "today" and every timestamp's offset. Default by country.
	TimeZone string
	// CustomTxnNumbers is Preferences.SalesFormsPrefs.CustomTxnNumbers: when
	// true QBO leaves DocNumber empty instead of numbering (reference §1.7).
	CustomTxnNumbers bool
	MultiCurrency    bool
	// DefaultTermID is Preferences.SalesFormsPrefs.DefaultTerms, one of the
	// four terms every company starts with ("1" Due on receipt, "2" Net 15,
	// "3" Net 30, "4" Net 60); "" means none.
	DefaultTermID string
	Email         string
	Address       *Address
	// AccessToken and RefreshToken, when set, are seeded tokens for this
	// realm. A seeded access token never expires; the refresh token works
	// until it is used (it then rotates) or revoked.
	AccessToken, RefreshToken string
	// UserName names the "other user" in 5010 Stale Object messages.
	// Default "Sandbox Admin".
	UserName string
	// TaxCodes are the company's tax codes with their rates. US companies
	// always have the pseudo codes TAX and NON besides these.
	TaxCodes []TaxCodeSpec
	// TaxGroupCodeID, for US companies, is Preferences.TaxPrefs.TaxGroupCodeRef:
	// the tax group applied to TAX lines. Setting it turns UsingSalesTax on.
	TaxGroupCodeID string
}

// TaxCodeSpec seeds a tax code and its sales rates.
type TaxCodeSpec struct {
	ID, Name, Description string
	Rates                 []TaxRateSpec
	// TaxGroup marks a combined code; US codes are always groups.
	TaxGroup bool
	Inactive bool
}

// TaxRateSpec seeds one tax rate; Percent is decimal text ("8", "13", "0").
type TaxRateSpec struct {
	ID, Name, Percent string
}

// countryDefaults gives currency and time zone for common QBO countries.
var countryDefaults = map[string][2]string{
	"US": {"USD", "America/Los_Angeles"},
	"CA": {"CAD", "America/Toronto"},
	"GB": {"GBP", "Europe/London"},
	"AU": {"AUD", "Australia/Sydney"},
	"NZ": {"NZD", "Pacific/Auckland"},
	"IE": {"EUR", "Europe/Dublin"},
	"FR": {"EUR", "Europe/Paris"},
	"IN": {"INR", "Asia/Kolkata"},
}

// currencyNames are the names QBO prints in CurrencyRef.
var currencyNames = map[string]string{
	"USD": "United States Dollar",
	"CAD": "Canadian Dollar",
	"GBP": "British Pound Sterling",
	"EUR": "Euro",
	"AUD": "Australian Dollar",
	"NZD": "New Zealand Dollar",
	"INR": "Indian Rupee",
	"MXN": "Mexican Peso",
	"JPY": "Japanese Yen",
	"CHF": "Swiss Franc",
	"SGD": "Singapore Dollar",
	"ZAR": "South African Rand",
}

// realm is one company's data. mu guards everything in it.
type realm struct {
	mu   sync.Mutex
	id   string
	loc  *time.Location
	user string

	info  *CompanyInfo
	prefs *Preferences

	customers table[*Customer]
	vendors   table[*Vendor]
	employees table[*Employee]
	items     table[*Item]
	terms     table[*Term]
	taxCodes  table[*TaxCode]
	taxRates  table[*TaxRate]
	invoices  table[*Invoice]
	payments  table[*Payment]

	seq        map[string]int
	tombstones []tombstone
}

func (r *realm) country() string { return r.info.Country }
func (r *realm) us() bool        { return r.info.Country == "US" }
func (r *realm) home() string    { return r.prefs.CurrencyPrefs.HomeCurrency.Value }

// AddCompany adds (or replaces) a company. Like a new QBO company it starts
// with Preferences, CompanyInfo and the four standard terms; US companies
// also get the pseudo tax codes TAX and NON (reference §1.5). Seeding fires
// no webhooks.
func (s *Server) AddCompany(c Company) {
	c = companyDefaults(c)
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		s.log.Warn("qbofake: unknown time zone, using UTC", "realm", c.RealmID, "tz", c.TimeZone, "err", err)
		loc = time.UTC
	}
	r := &realm{id: c.RealmID, loc: loc, user: c.UserName, seq: map[string]int{}}
	w := &work{s: s, r: r, now: s.now().In(loc), quiet: true}
	w.seedCompany(c)

	s.mu.Lock()
	if _, exists := s.realms[c.RealmID]; !exists {
		s.realmOrder = append(s.realmOrder, c.RealmID)
	}
	s.realms[c.RealmID] = r
	s.mu.Unlock()

	if c.AccessToken != "" || c.RefreshToken != "" {
		s.auth.seed(c.RealmID, c.AccessToken, c.RefreshToken, s.now())
	}
}

func companyDefaults(c Company) Company {
	if c.Country == "" {
		c.Country = "US"
	}
	c.Country = strings.ToUpper(c.Country)
	def, ok := countryDefaults[c.Country]
	if !ok {
		def = [2]string{"USD", "UTC"}
	}
	if c.Currency == "" {
		c.Currency = def[0]
	}
	c.Currency = strings.ToUpper(c.Currency)
	if c.TimeZone == "" {
		c.TimeZone = def[1]
	}
	if c.CompanyName == "" {
		c.CompanyName = "Sandbox Company " + c.RealmID
	}
	if c.LegalName == "" {
		c.LegalName = c.CompanyName
	}
	if c.UserName == "" {
		c.UserName = "Sandbox Admin"
	}
	return c
}

// seedCompany builds the objects every company starts with.
func (w *work) seedCompany(c Company) {
	r := w.r
	r.info = &CompanyInfo{
		CompanyName:          c.CompanyName,
		LegalName:            c.LegalName,
		CompanyAddr:          c.Address,
		LegalAddr:            c.Address,
		CompanyStartDate:     dateOf(w.now.AddDate(-1, 0, 0)),
		FiscalYearStartMonth: "January",
		Country:              c.Country,
		DefaultTimeZone:      c.TimeZone,
		SupportedLanguages:   "en",
		NameValue: []NameValue{
			{Name: "NeoEnabled", Value: "true"},
			{Name: "IndustryType", Value: "Professional Services"},
			{Name: "SubscriptionStatus", Value: "SUBSCRIBED"},
			{Name: "OfferingSku", Value: "QuickBooks Online Plus"},
		},
	}
	if c.Email != "" {
		r.info.Email = &EmailAddress{Address: c.Email}
		r.info.CustomerCommunicationEmailAddr = &EmailAddress{Address: c.Email}
	}
	w.stamp(&r.info.Base, "1")

	r.prefs = &Preferences{
		SalesFormsPrefs: &SalesFormsPrefs{
			CustomTxnNumbers: c.CustomTxnNumbers, AllowDeposit: true, AllowDiscount: true,
			ETransactionEnabledStatus: "Enabled",
		},
		TaxPrefs:      &TaxPrefs{UsingSalesTax: c.TaxGroupCodeID != "" || (c.Country != "US" && len(c.TaxCodes) > 0)},
		CurrencyPrefs: &CurrencyPrefs{MultiCurrencyEnabled: c.MultiCurrency, HomeCurrency: &Ref{Value: c.Currency}},
	}
	w.stamp(&r.prefs.Base, "1")

	for i, t := range []struct {
		name string
		days int
	}{{"Due on receipt", 0}, {"Net 15", 15}, {"Net 30", 30}, {"Net 60", 60}} {
		term := &Term{Name: t.name, Type: "STANDARD", DueDays: intPtr(t.days),
			DiscountPercent: "0", DiscountDays: intPtr(0), Active: boolPtr(true)}
		id := strconv.Itoa(i + 1)
		r.reserveID(spaceTerm, id)
		w.stamp(&term.Base, id)
		r.terms.put(term)
	}
	if c.DefaultTermID != "" {
		r.prefs.SalesFormsPrefs.DefaultTerms = &Ref{Value: c.DefaultTermID}
	}

	if c.Country == "US" {
		meta := newMeta(w.now)
		r.taxCodes.put(&TaxCode{Name: "TAX", Description: "TAX", Taxable: true, Id: "TAX", MetaData: meta})
		r.taxCodes.put(&TaxCode{Name: "NON", Description: "NON", Id: "NON", MetaData: meta})
	}
	for _, spec := range c.TaxCodes {
		w.seedTaxCode(spec, c.Country == "US")
	}
	if c.TaxGroupCodeID != "" {
		r.prefs.TaxPrefs.TaxGroupCodeRef = &Ref{Value: c.TaxGroupCodeID}
	}
}

func (w *work) seedTaxCode(spec TaxCodeSpec, us bool) {
	r := w.r
	list := &TaxRateList{TaxRateDetail: []TaxRateDetail{}}
	for i, rs := range spec.Rates {
		rate := &TaxRate{RateValue: dec(rs.Percent), Name: rs.Name, Description: rs.Name,
			AgencyRef: &Ref{Value: "1"}, SpecialTaxType: "NONE", DisplayType: "ReadOnly", Active: boolPtr(true)}
		r.reserveID(spaceTaxRate, rs.ID)
		w.stamp(&rate.Base, rs.ID)
		r.taxRates.put(rate)
		list.TaxRateDetail = append(list.TaxRateDetail, TaxRateDetail{
			TaxRateRef: &Ref{Value: rs.ID, Name: rs.Name}, TaxTypeApplicable: "TaxOnAmount", TaxOrder: i})
	}
	tc := &TaxCode{
		SyncToken: "0", Domain: "QBO", TaxGroup: spec.TaxGroup || us, Name: spec.Name,
		Taxable: true, PurchaseTaxRateList: &TaxRateList{TaxRateDetail: []TaxRateDetail{}},
		Sparse: boolPtr(false), Active: boolPtr(!spec.Inactive), Description: spec.Description,
		Id: spec.ID, SalesTaxRateList: list, MetaData: newMeta(w.now),
	}
	if tc.Description == "" {
		tc.Description = spec.Name
	}
	r.reserveID(spaceTaxCode, spec.ID)
	r.taxCodes.put(tc)
}

// realm returns the realm with id, or nil.
func (s *Server) realm(id string) *realm {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.realms[id]
}

// firstRealm is the realm added first, which /connect/oauth2 connects when
// the caller names none.
func (s *Server) firstRealm() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.realmOrder) == 0 {
		return ""
	}
	return s.realmOrder[0]
}
