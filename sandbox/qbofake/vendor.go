package qbofake

// Vendor and Employee are minimal: the fake keeps them so the DisplayName
// rule, which spans customers, vendors and employees (reference §1.3), can
// be exercised. Field order follows the recorded vendor (R1 batch/basic.yml).

// Vendor is QBO's Vendor.
type Vendor struct {
	BillAddr         *Address      `json:"BillAddr,omitempty"`
	Balance          Money         `json:"Balance"`
	Vendor1099       bool          `json:"Vendor1099"`
	CurrencyRef      *Ref          `json:"CurrencyRef,omitempty"`
	Base                           // domain, sparse, Id, SyncToken, MetaData
	Title            string        `json:"Title,omitempty"`
	GivenName        string        `json:"GivenName,omitempty"`
	MiddleName       string        `json:"MiddleName,omitempty"`
	FamilyName       string        `json:"FamilyName,omitempty"`
	Suffix           string        `json:"Suffix,omitempty"`
	CompanyName      string        `json:"CompanyName,omitempty"`
	DisplayName      string        `json:"DisplayName,omitempty"`
	PrintOnCheckName string        `json:"PrintOnCheckName,omitempty"`
	Active           *bool         `json:"Active,omitempty"`
	PrimaryPhone     *Phone        `json:"PrimaryPhone,omitempty"`
	Mobile           *Phone        `json:"Mobile,omitempty"`
	Fax              *Phone        `json:"Fax,omitempty"`
	PrimaryEmailAddr *EmailAddress `json:"PrimaryEmailAddr,omitempty"`
	WebAddr          *WebAddr      `json:"WebAddr,omitempty"`
	TermRef          *Ref          `json:"TermRef,omitempty"`
	AcctNum          string        `json:"AcctNum,omitempty"`
	TaxIdentifier    string        `json:"TaxIdentifier,omitempty"`
}

func (v *Vendor) active() bool { return v.Active == nil || *v.Active }

func (w *work) saveVendor(in *Vendor, prev *Vendor) (*Vendor, *qboError) {
	v := *in
	v.Base, v.Balance = Base{}, 0
	v.BillAddr, v.PrimaryPhone = addrOrNil(v.BillAddr), phoneOrNil(v.PrimaryPhone)
	v.Mobile, v.Fax = phoneOrNil(v.Mobile), phoneOrNil(v.Fax)
	v.PrimaryEmailAddr, v.WebAddr = emailOrNil(v.PrimaryEmailAddr), webOrNil(v.WebAddr)
	v.TermRef = refOrNil(v.TermRef)
	name, e := displayName(v.DisplayName, v.Title, v.GivenName, v.MiddleName, v.FamilyName, v.Suffix)
	if e != nil && v.CompanyName != "" {
		name, e = v.CompanyName, nil
	}
	if e != nil && prev != nil {
		name, e = prev.DisplayName, nil
	}
	if e != nil {
		return nil, e
	}
	id := ""
	if prev != nil {
		id = prev.Id
	}
	if e := w.checkDisplayName(name, "Vendor", id); e != nil {
		return nil, e
	}
	v.DisplayName = name
	if v.PrintOnCheckName == "" {
		v.PrintOnCheckName = name
	}
	v.Active = boolOr(v.Active, prev == nil || prev.active())
	cur, e := w.currencyRef(refOrNil(v.CurrencyRef))
	if e != nil {
		return nil, e
	}
	v.CurrencyRef = cur
	return &v, nil
}

// Employee is QBO's Employee.
type Employee struct {
	BillableTime     bool          `json:"BillableTime"`
	Base                           // domain, sparse, Id, SyncToken, MetaData
	Title            string        `json:"Title,omitempty"`
	GivenName        string        `json:"GivenName,omitempty"`
	MiddleName       string        `json:"MiddleName,omitempty"`
	FamilyName       string        `json:"FamilyName,omitempty"`
	Suffix           string        `json:"Suffix,omitempty"`
	DisplayName      string        `json:"DisplayName,omitempty"`
	PrintOnCheckName string        `json:"PrintOnCheckName,omitempty"`
	Active           *bool         `json:"Active,omitempty"`
	PrimaryPhone     *Phone        `json:"PrimaryPhone,omitempty"`
	PrimaryEmailAddr *EmailAddress `json:"PrimaryEmailAddr,omitempty"`
	EmployeeNumber   string        `json:"EmployeeNumber,omitempty"`
	HiredDate        Date          `json:"HiredDate,omitempty"`
}

func (e *Employee) active() bool { return e.Active == nil || *e.Active }

func (w *work) saveEmployee(in *Employee, prev *Employee) (*Employee, *qboError) {
	m := *in
	m.Base = Base{}
	m.PrimaryPhone, m.PrimaryEmailAddr = phoneOrNil(m.PrimaryPhone), emailOrNil(m.PrimaryEmailAddr)
	if prev == nil && m.GivenName == "" && m.FamilyName == "" {
		return nil, errRequired("GivenName")
	}
	name, e := displayName(m.DisplayName, m.Title, m.GivenName, m.MiddleName, m.FamilyName, m.Suffix)
	if e != nil && prev != nil {
		name, e = prev.DisplayName, nil
	}
	if e != nil {
		return nil, e
	}
	id := ""
	if prev != nil {
		id = prev.Id
	}
	if e := w.checkDisplayName(name, "Employee", id); e != nil {
		return nil, e
	}
	m.DisplayName = name
	if m.PrintOnCheckName == "" {
		m.PrintOnCheckName = name
	}
	m.Active = boolOr(m.Active, prev == nil || prev.active())
	return &m, nil
}
