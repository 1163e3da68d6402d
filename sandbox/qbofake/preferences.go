package qbofake

import "encoding/json"

// Preferences is the company's single Preferences object, Id "1"
// (reference §1.7). The sections the fake acts on are typed; other
// sections QBO defines are kept verbatim if a client writes them.
type Preferences struct {
	AccountingInfoPrefs     json.RawMessage  `json:"AccountingInfoPrefs,omitempty"`
	ProductAndServicesPrefs json.RawMessage  `json:"ProductAndServicesPrefs,omitempty"`
	SalesFormsPrefs         *SalesFormsPrefs `json:"SalesFormsPrefs,omitempty"`
	EmailMessagesPrefs      json.RawMessage  `json:"EmailMessagesPrefs,omitempty"`
	VendorAndPurchasesPrefs json.RawMessage  `json:"VendorAndPurchasesPrefs,omitempty"`
	TimeTrackingPrefs       json.RawMessage  `json:"TimeTrackingPrefs,omitempty"`
	TaxPrefs                *TaxPrefs        `json:"TaxPrefs,omitempty"`
	CurrencyPrefs           *CurrencyPrefs   `json:"CurrencyPrefs,omitempty"`
	ReportPrefs             json.RawMessage  `json:"ReportPrefs,omitempty"`
	OtherPrefs              json.RawMessage  `json:"OtherPrefs,omitempty"`
	Base                                     // domain, sparse, Id, SyncToken, MetaData
}

// SalesFormsPrefs holds CustomTxnNumbers, which decides whether QBO numbers
// invoices itself (reference §1.2 DocNumber, §1.7), and DefaultTerms.
type SalesFormsPrefs struct {
	CustomField               json.RawMessage `json:"CustomField,omitempty"`
	CustomTxnNumbers          bool            `json:"CustomTxnNumbers"`
	AllowDeposit              bool            `json:"AllowDeposit"`
	AllowDiscount             bool            `json:"AllowDiscount"`
	AllowEstimates            bool            `json:"AllowEstimates"`
	AllowServiceDate          bool            `json:"AllowServiceDate"`
	AllowShipping             bool            `json:"AllowShipping"`
	AutoApplyCredit           *bool           `json:"AutoApplyCredit,omitempty"`
	IPNSupportEnabled         *bool           `json:"IPNSupportEnabled,omitempty"`
	ETransactionEnabledStatus string          `json:"ETransactionEnabledStatus,omitempty"`
	ETransactionAttachPDF     *bool           `json:"ETransactionAttachPDF,omitempty"`
	DefaultTerms              *Ref            `json:"DefaultTerms,omitempty"`
	DefaultCustomerMessage    string          `json:"DefaultCustomerMessage,omitempty"`
	EmailCopyToCompany        *bool           `json:"EmailCopyToCompany,omitempty"`
	UsingPriceLevels          *bool           `json:"UsingPriceLevels,omitempty"`
	UsingProgressInvoicing    *bool           `json:"UsingProgressInvoicing,omitempty"`
}

// TaxPrefs says whether sales tax is set up and which tax group applies by
// default in the US (reference §1.5).
type TaxPrefs struct {
	UsingSalesTax     bool `json:"UsingSalesTax"`
	PartnerTaxEnabled bool `json:"PartnerTaxEnabled"`
	TaxGroupCodeRef   *Ref `json:"TaxGroupCodeRef,omitempty"`
}

// CurrencyPrefs holds the home currency.
type CurrencyPrefs struct {
	MultiCurrencyEnabled bool `json:"MultiCurrencyEnabled"`
	HomeCurrency         *Ref `json:"HomeCurrency,omitempty"`
}

// savePreferences applies an update. Preferences are only ever updated, and
// each top-level section a client sends replaces the stored one; the home
// currency is fixed and multicurrency cannot be turned off again.
func (w *work) savePreferences(in *Preferences, prev *Preferences) (*Preferences, *qboError) {
	p := *in
	p.Base = Base{}
	if p.SalesFormsPrefs == nil {
		p.SalesFormsPrefs = prev.SalesFormsPrefs
	}
	if p.TaxPrefs == nil {
		p.TaxPrefs = prev.TaxPrefs
	}
	if p.CurrencyPrefs == nil {
		p.CurrencyPrefs = prev.CurrencyPrefs
	}
	if p.SalesFormsPrefs.DefaultTerms = refOrNil(p.SalesFormsPrefs.DefaultTerms); p.SalesFormsPrefs.DefaultTerms != nil {
		t, e := w.refTerm(p.SalesFormsPrefs.DefaultTerms)
		if e != nil {
			return nil, e
		}
		p.SalesFormsPrefs.DefaultTerms = &Ref{Value: t.Id}
	}
	home := prev.CurrencyPrefs.HomeCurrency
	if h := refOrNil(p.CurrencyPrefs.HomeCurrency); h != nil && h.Value != home.Value {
		return nil, errBusiness("The home currency can't be changed.")
	}
	if prev.CurrencyPrefs.MultiCurrencyEnabled && !p.CurrencyPrefs.MultiCurrencyEnabled {
		return nil, errBusiness("Multicurrency can't be turned off once it is on.")
	}
	p.CurrencyPrefs.HomeCurrency = home
	if p.TaxPrefs.TaxGroupCodeRef = refOrNil(p.TaxPrefs.TaxGroupCodeRef); p.TaxPrefs.TaxGroupCodeRef != nil {
		if _, e := w.refTaxCode(p.TaxPrefs.TaxGroupCodeRef); e != nil {
			return nil, e
		}
	}
	return &p, nil
}

// CompanyInfo is the company's identity (reference §1.8); its Id is "1".
// Country decides US or non-US tax rules and DefaultTimeZone what "today" is.
type CompanyInfo struct {
	CompanyName                    string        `json:"CompanyName,omitempty"`
	LegalName                      string        `json:"LegalName,omitempty"`
	CompanyAddr                    *Address      `json:"CompanyAddr,omitempty"`
	CustomerCommunicationAddr      *Address      `json:"CustomerCommunicationAddr,omitempty"`
	LegalAddr                      *Address      `json:"LegalAddr,omitempty"`
	CustomerCommunicationEmailAddr *EmailAddress `json:"CustomerCommunicationEmailAddr,omitempty"`
	PrimaryPhone                   *Phone        `json:"PrimaryPhone,omitempty"`
	CompanyStartDate               Date          `json:"CompanyStartDate,omitempty"`
	FiscalYearStartMonth           string        `json:"FiscalYearStartMonth,omitempty"`
	Country                        string        `json:"Country,omitempty"`
	DefaultTimeZone                string        `json:"DefaultTimeZone,omitempty"`
	Email                          *EmailAddress `json:"Email,omitempty"`
	WebAddr                        *WebAddr      `json:"WebAddr,omitempty"`
	SupportedLanguages             string        `json:"SupportedLanguages,omitempty"`
	NameValue                      []NameValue   `json:"NameValue,omitempty"`
	Base                                         // domain, sparse, Id, SyncToken, MetaData
}

// NameValue is one of CompanyInfo's extra attributes.
type NameValue struct {
	Name  string `json:"Name"`
	Value string `json:"Value"`
}

// saveCompanyInfo applies an update; Country and DefaultTimeZone are kept
// from the seeded company, since they drive tax rules and dates.
func (w *work) saveCompanyInfo(in *CompanyInfo, prev *CompanyInfo) (*CompanyInfo, *qboError) {
	c := *in
	c.Base = Base{}
	c.Country, c.DefaultTimeZone = prev.Country, prev.DefaultTimeZone
	if c.CompanyName == "" {
		c.CompanyName = prev.CompanyName
	}
	c.CompanyAddr, c.LegalAddr = addrOrNil(c.CompanyAddr), addrOrNil(c.LegalAddr)
	c.CustomerCommunicationAddr = addrOrNil(c.CustomerCommunicationAddr)
	c.Email, c.WebAddr, c.PrimaryPhone = emailOrNil(c.Email), webOrNil(c.WebAddr), phoneOrNil(c.PrimaryPhone)
	return &c, nil
}
