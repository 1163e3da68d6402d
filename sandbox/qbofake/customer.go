package qbofake

import "strings"

// Customer is QBO's Customer (reference §1.3), fields in the order QBO prints
// them (R1 create/customer.yml, all/alt_select.yml).
type Customer struct {
	Taxable                 *bool         `json:"Taxable,omitempty"`
	BillAddr                *Address      `json:"BillAddr,omitempty"`
	ShipAddr                *Address      `json:"ShipAddr,omitempty"`
	Notes                   string        `json:"Notes,omitempty"`
	Job                     *bool         `json:"Job,omitempty"`
	BillWithParent          *bool         `json:"BillWithParent,omitempty"`
	ParentRef               *Ref          `json:"ParentRef,omitempty"`
	Level                   int           `json:"Level,omitempty"`
	SalesTermRef            *Ref          `json:"SalesTermRef,omitempty"`
	Balance                 Money         `json:"Balance"`
	BalanceWithJobs         Money         `json:"BalanceWithJobs"`
	CurrencyRef             *Ref          `json:"CurrencyRef,omitempty"`
	PreferredDeliveryMethod string        `json:"PreferredDeliveryMethod,omitempty"`
	ResaleNum               string        `json:"ResaleNum,omitempty"`
	Base                                  // domain, sparse, Id, SyncToken, MetaData
	Title                   string        `json:"Title,omitempty"`
	GivenName               string        `json:"GivenName,omitempty"`
	MiddleName              string        `json:"MiddleName,omitempty"`
	FamilyName              string        `json:"FamilyName,omitempty"`
	Suffix                  string        `json:"Suffix,omitempty"`
	FullyQualifiedName      string        `json:"FullyQualifiedName,omitempty"`
	CompanyName             string        `json:"CompanyName,omitempty"`
	DisplayName             string        `json:"DisplayName,omitempty"`
	PrintOnCheckName        string        `json:"PrintOnCheckName,omitempty"`
	Active                  *bool         `json:"Active,omitempty"`
	PrimaryPhone            *Phone        `json:"PrimaryPhone,omitempty"`
	AlternatePhone          *Phone        `json:"AlternatePhone,omitempty"`
	Mobile                  *Phone        `json:"Mobile,omitempty"`
	Fax                     *Phone        `json:"Fax,omitempty"`
	PrimaryEmailAddr        *EmailAddress `json:"PrimaryEmailAddr,omitempty"`
	WebAddr                 *WebAddr      `json:"WebAddr,omitempty"`
	DefaultTaxCodeRef       *Ref          `json:"DefaultTaxCodeRef,omitempty"`
	CustomerTypeRef         *Ref          `json:"CustomerTypeRef,omitempty"`
	PaymentMethodRef        *Ref          `json:"PaymentMethodRef,omitempty"`
	TaxExemptionReasonId    *string       `json:"TaxExemptionReasonId,omitempty"`
	OpenBalanceDate         Date          `json:"OpenBalanceDate,omitempty"`
}

func (c *Customer) active() bool { return c.Active == nil || *c.Active }

// saveCustomer validates a create (prev == nil) or an update of a customer
// and returns the object to store. Read-only fields on input are ignored,
// as QBO does (reference §1.1).
func (w *work) saveCustomer(in *Customer, prev *Customer) (*Customer, *qboError) {
	c := *in
	c.Base = Base{}
	c.Balance, c.BalanceWithJobs, c.FullyQualifiedName, c.Level = 0, 0, "", 0
	c.BillAddr, c.ShipAddr = addrOrNil(c.BillAddr), addrOrNil(c.ShipAddr)
	c.PrimaryPhone, c.AlternatePhone = phoneOrNil(c.PrimaryPhone), phoneOrNil(c.AlternatePhone)
	c.Mobile, c.Fax = phoneOrNil(c.Mobile), phoneOrNil(c.Fax)
	c.PrimaryEmailAddr, c.WebAddr = emailOrNil(c.PrimaryEmailAddr), webOrNil(c.WebAddr)
	c.ParentRef, c.SalesTermRef = refOrNil(c.ParentRef), refOrNil(c.SalesTermRef)
	c.CurrencyRef, c.DefaultTaxCodeRef = refOrNil(c.CurrencyRef), refOrNil(c.DefaultTaxCodeRef)
	c.CustomerTypeRef, c.PaymentMethodRef = refOrNil(c.CustomerTypeRef), refOrNil(c.PaymentMethodRef)

	name, e := displayName(c.DisplayName, c.Title, c.GivenName, c.MiddleName, c.FamilyName, c.Suffix)
	if e != nil && prev != nil {
		name, e = prev.DisplayName, nil // a full update may omit the name
	}
	if e != nil {
		return nil, e
	}
	c.DisplayName = name
	id := ""
	if prev != nil {
		id = prev.Id
	}
	if e := w.checkDisplayName(name, "Customer", id); e != nil {
		return nil, e
	}

	c.Active = boolOr(c.Active, prev == nil || prev.active())
	c.Job, c.BillWithParent = boolPtr(false), boolOr(c.BillWithParent, false)
	c.FullyQualifiedName = name
	if c.ParentRef != nil {
		parent, e := w.refCustomer(c.ParentRef)
		if e != nil {
			return nil, e
		}
		if parent.Id == id {
			return nil, errBusiness("A customer cannot be its own parent.")
		}
		c.ParentRef = &Ref{Value: parent.Id}
		c.Job, c.Level = boolPtr(true), parent.Level+1
		c.FullyQualifiedName = parent.FullyQualifiedName + ":" + name
	}
	if c.PrintOnCheckName == "" {
		c.PrintOnCheckName = name
		if c.CompanyName != "" && c.ParentRef != nil {
			c.PrintOnCheckName = c.CompanyName
		}
	}
	switch c.PreferredDeliveryMethod {
	case "":
		c.PreferredDeliveryMethod = "Print"
	case "Print", "Email", "None":
	default:
		return nil, errInvalidEnum(c.PreferredDeliveryMethod)
	}

	cur, e := w.currencyRef(c.CurrencyRef)
	if e != nil {
		return nil, e
	}
	if prev != nil && prev.CurrencyRef != nil && cur.Value != prev.CurrencyRef.Value {
		return nil, errBusiness("You can't change the currency of a customer once it's set.")
	}
	c.CurrencyRef = cur

	if c.SalesTermRef != nil {
		t, e := w.refTerm(c.SalesTermRef)
		if e != nil {
			return nil, e
		}
		c.SalesTermRef = &Ref{Value: t.Id}
	}
	if w.r.us() {
		c.Taxable = boolOr(c.Taxable, true)
		if c.DefaultTaxCodeRef == nil && *c.Taxable && w.r.prefs.TaxPrefs.TaxGroupCodeRef != nil {
			c.DefaultTaxCodeRef = &Ref{Value: w.r.prefs.TaxPrefs.TaxGroupCodeRef.Value}
		}
	}
	if c.DefaultTaxCodeRef != nil {
		tc, e := w.refTaxCode(c.DefaultTaxCodeRef)
		if e != nil {
			return nil, e
		}
		c.DefaultTaxCodeRef = &Ref{Value: tc.Id}
	}
	return &c, nil
}

// displayName returns DisplayName, or builds it from the name parts as QBO
// does; with neither it is 6080 (reference §1.3).
func displayName(display string, parts ...string) (string, *qboError) {
	if d := strings.TrimSpace(display); d != "" {
		return d, nil
	}
	var words []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			words = append(words, p)
		}
	}
	if len(words) == 0 {
		return "", errNoName()
	}
	return strings.Join(words, " "), nil
}

// checkDisplayName enforces the name rules of reference §1.3: no ':', tab or
// newline; at most 500 characters; unique across customers, vendors and
// employees (6240). Whether inactive names collide is [?] and follows
// Options.InactiveNamesCollide. Comparison ignores case and surrounding
// space (our choice: QBO's UI treats names that way).
func (w *work) checkDisplayName(name, kind, id string) *qboError {
	if strings.ContainsAny(name, ":\t\n\r") {
		return errInvalidString(name)
	}
	if n := len([]rune(name)); n > 500 {
		return errLength(500, n)
	}
	collide := *w.s.opt.InactiveNamesCollide
	same := func(otherKind, otherID, other string, active bool) bool {
		if otherKind == kind && otherID == id {
			return false
		}
		if !active && !collide {
			return false
		}
		return strings.EqualFold(strings.TrimSpace(other), name)
	}
	for _, c := range w.r.customers.all() {
		if same("Customer", c.Id, c.DisplayName, c.active()) {
			return errDuplicateName()
		}
	}
	for _, v := range w.r.vendors.all() {
		if same("Vendor", v.Id, v.DisplayName, v.active()) {
			return errDuplicateName()
		}
	}
	for _, e := range w.r.employees.all() {
		if same("Employee", e.Id, e.DisplayName, e.active()) {
			return errDuplicateName()
		}
	}
	return nil
}

func boolPtr(b bool) *bool { return &b }

// boolOr returns p if set, else a pointer to def.
func boolOr(p *bool, def bool) *bool {
	if p != nil {
		return p
	}
	return &def
}
