package qbofake

// TaxCode is QBO's TaxCode, read and query only: QBO creates tax codes
// through its TaxService, never POST /taxcode (reference §1.5). The US
// pseudo codes TAX and NON carry no SyncToken, domain or sparse, which is
// why this type does not embed Base.
type TaxCode struct {
	SyncToken           string       `json:"SyncToken,omitempty"`
	Domain              string       `json:"domain,omitempty"`
	TaxGroup            bool         `json:"TaxGroup"`
	Name                string       `json:"Name,omitempty"`
	Taxable             bool         `json:"Taxable"`
	PurchaseTaxRateList *TaxRateList `json:"PurchaseTaxRateList,omitempty"`
	Sparse              *bool        `json:"sparse,omitempty"`
	Active              *bool        `json:"Active,omitempty"`
	Hidden              *bool        `json:"Hidden,omitempty"`
	Description         string       `json:"Description,omitempty"`
	Id                  string       `json:"Id"`
	SalesTaxRateList    *TaxRateList `json:"SalesTaxRateList,omitempty"`
	TaxCodeConfigType   string       `json:"TaxCodeConfigType,omitempty"`
	MetaData            *MetaData    `json:"MetaData,omitempty"`

	stub Base // backs base() for the table; never printed
}

func (t *TaxCode) base() *Base {
	t.stub.Id, t.stub.SyncToken, t.stub.MetaData = t.Id, t.SyncToken, t.MetaData
	return &t.stub
}

func (t *TaxCode) active() bool { return t.Active == nil || *t.Active }

// pseudo reports whether t is the US TAX or NON code.
func (t *TaxCode) pseudo() bool { return t.Id == "TAX" || t.Id == "NON" }

// TaxRateList lists the rates of a tax code.
type TaxRateList struct {
	TaxRateDetail []TaxRateDetail `json:"TaxRateDetail"`
}

// TaxRateDetail points a tax code at one rate.
type TaxRateDetail struct {
	TaxRateRef        *Ref   `json:"TaxRateRef,omitempty"`
	TaxTypeApplicable string `json:"TaxTypeApplicable,omitempty"`
	TaxOrder          int    `json:"TaxOrder"`
}

// TaxRate is QBO's TaxRate, read and query only (reference §1.5).
type TaxRate struct {
	RateValue      Decimal `json:"RateValue"`
	AgencyRef      *Ref    `json:"AgencyRef,omitempty"`
	Name           string  `json:"Name,omitempty"`
	Description    string  `json:"Description,omitempty"`
	SpecialTaxType string  `json:"SpecialTaxType,omitempty"`
	DisplayType    string  `json:"DisplayType,omitempty"`
	Active         *bool   `json:"Active,omitempty"`
	Base                   // domain, sparse, Id, SyncToken, MetaData
}

func (t *TaxRate) active() bool { return t.Active == nil || *t.Active }

// rates returns the sales tax rates of a tax code, in TaxOrder.
func (r *realm) rates(tc *TaxCode) []*TaxRate {
	if tc.SalesTaxRateList == nil {
		return nil
	}
	var out []*TaxRate
	for _, d := range tc.SalesTaxRateList.TaxRateDetail {
		if d.TaxRateRef == nil {
			continue
		}
		if tr, ok := r.taxRates.get(d.TaxRateRef.Value); ok {
			out = append(out, tr)
		}
	}
	return out
}
