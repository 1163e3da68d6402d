package qbofake

import (
	"net/http"
	"strings"
	"testing"
)

func salesLine(item, amount, qty, price, taxCode string) string {
	detail := `"ItemRef":{"value":"` + item + `"}`
	if qty != "" {
		detail += `,"Qty":` + qty + `,"UnitPrice":` + price
	}
	if taxCode != "" {
		detail += `,"TaxCodeRef":{"value":"` + taxCode + `"}`
	}
	return `{"DetailType":"SalesItemLineDetail","Amount":` + amount + `,"SalesItemLineDetail":{` + detail + `}}`
}

func invoiceWith(customer string, extra string, lines ...string) string {
	if extra != "" {
		extra += ","
	}
	return `{` + extra + `"CustomerRef":{"value":"` + customer + `"},"Line":[` + strings.Join(lines, ",") + `]}`
}

// TestUSTax: US lines carry TAX or NON only (6100); an absent code follows
// the item's Taxable; TAX lines are taxed at the company's tax group rate
// (reference §1.5).
func TestUSTax(t *testing.T) {
	f := newFixture(t)
	us := DemoRealmUS
	design, hosting := f.id(us, "items", "design"), f.id(us, "items", "hosting")
	r := f.api("POST", us, "/invoice", invoiceWith("1", "",
		salesLine(design, "150", "2", "75", "TAX"), salesLine(hosting, "49", "1", "49", "NON"), salesLine(hosting, "98", "2", "49", "")))
	wantStatus(t, r, 200)
	wantEqual(t, r, "Invoice.Line.0.SalesItemLineDetail.TaxCodeRef.value", "TAX")
	wantEqual(t, r, "Invoice.Line.2.SalesItemLineDetail.TaxCodeRef.value", "TAX")
	wantEqual(t, r, "Invoice.TxnTaxDetail.TaxLine.0.TaxLineDetail.NetAmountTaxable", "248.00")
	wantEqual(t, r, "Invoice.TxnTaxDetail.TotalTax", "19.84")
	wantEqual(t, r, "Invoice.TotalAmt", "316.84")
	if strings.Contains(string(r.body), "GlobalTaxCalculation") {
		t.Error("GlobalTaxCalculation printed for a US company")
	}
	for _, code := range []string{"2", "GST", "tax"} {
		wantFault(t, f.api("POST", us, "/invoice", invoiceWith("1", "", salesLine(design, "75", "", "", code))), "6100")
	}
}

// TestNonUSTax: every line needs a real, active tax code (6000 when absent,
// 2500 when unknown, 610 when inactive); GlobalTaxCalculation defaults to
// TaxExcluded (reference §1.5, T2).
func TestNonUSTax(t *testing.T) {
	f := newFixture(t)
	gb := DemoRealmGB
	advisory, bigben := f.id(gb, "items", "advisory"), f.id(gb, "customers", "bigben")
	e := wantFault(t, f.api("POST", gb, "/invoice", invoiceWith(bigben, "", salesLine(advisory, "800", "1", "800", ""))), "6000")
	if !strings.Contains(str(e["Detail"]), "VAT rate") {
		t.Errorf("Detail = %v", e["Detail"])
	}
	wantFault(t, f.api("POST", gb, "/invoice", invoiceWith(bigben, "", salesLine(advisory, "800", "1", "800", "99"))), "2500")
	wantFault(t, f.api("POST", gb, "/invoice", invoiceWith(bigben, "", salesLine(advisory, "800", "1", "800", "TAX"))), "2500")

	r := f.api("POST", gb, "/invoice", invoiceWith(bigben, "", salesLine(advisory, "800", "1", "800", "8"), salesLine(advisory, "400", "0.5", "800", "9")))
	wantStatus(t, r, 200)
	wantEqual(t, r, "Invoice.GlobalTaxCalculation", "TaxExcluded")
	wantEqual(t, r, "Invoice.TxnTaxDetail.TotalTax", "160.00")
	wantEqual(t, r, "Invoice.TotalAmt", "1360.00")
	wantEqual(t, r, "Invoice.DocNumber", "2002")

	r = f.api("POST", gb, "/invoice", invoiceWith(bigben, `"GlobalTaxCalculation":"TaxInclusive"`, salesLine(advisory, "960", "1", "960", "8")))
	wantStatus(t, r, 200)
	wantEqual(t, r, "Invoice.TotalAmt", "960.00")
	wantEqual(t, r, "Invoice.TxnTaxDetail.TotalTax", "160.00")

	// An inactive tax code answers 610.
	clock := &fakeClock{t: fixedNow}
	srv := New(Options{Now: clock.Now})
	defer srv.Close()
	srv.AddCompany(Company{RealmID: "42", Country: "AU", AccessToken: "t42",
		TaxCodes: []TaxCodeSpec{{ID: "10", Name: "GST", Rates: []TaxRateSpec{{ID: "11", Name: "GST", Percent: "10"}}},
			{ID: "12", Name: "Old", Inactive: true, Rates: []TaxRateSpec{{ID: "13", Name: "Old", Percent: "5"}}}}})
	f2 := &fixture{t: t, srv: srv, clock: clock, client: &http.Client{Transport: srv.Transport()}}
	wantStatus(t, f2.apiToken("POST", "42", "/customer", `{"DisplayName":"Sydney Co"}`, "t42"), 200)
	wantStatus(t, f2.apiToken("POST", "42", "/item", `{"Name":"Day","IncomeAccountRef":{"value":"1"}}`, "t42"), 200)
	wantFault(t, f2.apiToken("POST", "42", "/invoice", invoiceWith("1", "", salesLine("1", "100", "", "", "12")), "t42"), "610")
	r = f2.apiToken("POST", "42", "/invoice", invoiceWith("1", "", salesLine("1", "100", "", "", "10")), "t42")
	wantEqual(t, r, "Invoice.TotalAmt", "110.00")
	wantEqual(t, r, "Invoice.CurrencyRef.value", "AUD")
}

// TestInvoiceNumbering: QBO numbers invoices unless CustomTxnNumbers is on;
// DocNumber is unique unless include=allowduplicatedocnum (reference §1.2, §1.7).
func TestInvoiceNumbering(t *testing.T) {
	f := newFixture(t)
	ca := DemoRealmCA
	maple, design := f.id(ca, "customers", "maple"), f.id(ca, "items", "design")
	line := salesLine(design, "95", "1", "95", "5")
	wantFault(t, f.api("POST", ca, "/invoice", invoiceWith(maple, `"DocNumber":"MLS-0001"`, line)), "6140")
	wantStatus(t, f.api("POST", ca, "/invoice?include=allowduplicatedocnum", invoiceWith(maple, `"DocNumber":"MLS-0001"`, line)), 200)
	wantFault(t, f.api("POST", ca, "/invoice", invoiceWith(maple, `"DocNumber":"0123456789012345678901"`, line)), "2050")

	// Turning CustomTxnNumbers off makes QBO number again.
	wantStatus(t, f.api("POST", ca, "/preferences", `{"Id":"1","SyncToken":"0","sparse":true,"SalesFormsPrefs":{"CustomTxnNumbers":false}}`), 200)
	prefs := f.api("GET", ca, "/preferences", "")
	wantEqual(t, prefs, "Preferences.SalesFormsPrefs.DefaultTerms.value", "3") // a sparse update keeps the rest
	r := f.api("POST", ca, "/invoice", invoiceWith(maple, "", line))
	wantEqual(t, r, "Invoice.DocNumber", "1001")
}

// TestInvoiceDefaults: DueDate from the term chain, discount lines, and a
// foreign currency with home amounts.
func TestInvoiceDefaults(t *testing.T) {
	f := newFixture(t)
	us := DemoRealmUS
	design := f.id(us, "items", "design")
	globex := f.id(us, "customers", "globex") // no term: DefaultTerms (Net 30)
	r := f.api("POST", us, "/invoice", invoiceWith(globex, `"TxnDate":"2025-02-01"`, salesLine(design, "75", "1", "75", "")))
	wantEqual(t, r, "Invoice.DueDate", "2025-03-03")
	r = f.api("POST", us, "/invoice", invoiceWith(globex, `"TxnDate":"2025-02-01","SalesTermRef":{"value":"1"}`, salesLine(design, "75", "1", "75", "")))
	wantEqual(t, r, "Invoice.DueDate", "2025-02-01")
	wantFault(t, f.api("POST", us, "/invoice", invoiceWith(globex, `"SalesTermRef":{"value":"77"}`, salesLine(design, "75", "1", "75", ""))), "2500")
	// Qty without price takes the item's price; read-only fields are ignored.
	r = f.api("POST", us, "/invoice", invoiceWith(globex, `"TotalAmt":1,"Balance":1,"Id":"","MetaData":{"CreateTime":"2001-01-01T00:00:00Z"}`,
		`{"DetailType":"SalesItemLineDetail","SalesItemLineDetail":{"ItemRef":{"value":"`+design+`"},"Qty":2}}`,
		`{"DetailType":"DiscountLineDetail","DiscountLineDetail":{"PercentBased":true,"DiscountPercent":10}}`))
	wantStatus(t, r, 200)
	wantEqual(t, r, "Invoice.Line.0.Amount", "150.00")
	wantEqual(t, r, "Invoice.Line.1.Amount", "15.00")
	wantEqual(t, r, "Invoice.TotalAmt", "135.00")
	wantEqual(t, r, "Invoice.MetaData.CreateTime", "2025-03-10T10:30:00-07:00")
	wantFault(t, f.api("POST", us, "/invoice", invoiceWith(globex, "", `{"DetailType":"DiscountLineDetail","Amount":5,"DiscountLineDetail":{}}`)), "2020")

	// Foreign currency needs multicurrency; then home amounts appear.
	wantFault(t, f.api("POST", us, "/customer", `{"DisplayName":"Euro GmbH","CurrencyRef":{"value":"EUR"}}`), "6000")
	wantStatus(t, f.api("POST", us, "/preferences", `{"Id":"1","SyncToken":"0","sparse":true,"CurrencyPrefs":{"MultiCurrencyEnabled":true}}`), 200)
	c := f.api("POST", us, "/customer", `{"DisplayName":"Euro GmbH","CurrencyRef":{"value":"EUR"}}`)
	wantStatus(t, c, 200)
	eur := str(at(decode(t, c.body), "Customer.Id"))
	r = f.api("POST", us, "/invoice", invoiceWith(eur, `"ExchangeRate":1.1`, salesLine(design, "100", "", "", "")))
	wantStatus(t, r, 200)
	wantEqual(t, r, "Invoice.CurrencyRef.value", "EUR")
	wantEqual(t, r, "Invoice.HomeTotalAmt", "110.00")
	wantEqual(t, r, "Invoice.HomeBalance", "110.00")
}

// TestNameRules: DisplayName unique across customers, vendors and employees
// (6240), no ':' or control characters, built from name parts, and the
// inactive-name option (reference §1.3).
func TestNameRules(t *testing.T) {
	f := newFixture(t)
	us := DemoRealmUS
	wantFault(t, f.api("POST", us, "/customer", `{"DisplayName":"emily platt"}`), "6240") // an employee, any case
	wantFault(t, f.api("POST", us, "/vendor", `{"DisplayName":"Globex LLC"}`), "6240")
	wantFault(t, f.api("POST", us, "/employee", `{"GivenName":"Acme","FamilyName":"Supplies"}`), "6240")
	wantFault(t, f.api("POST", us, "/customer", `{"DisplayName":"Initech"}`), "6240") // inactive still collides
	wantFault(t, f.api("POST", us, "/customer", `{"DisplayName":"Parent:Child"}`), "2040")
	wantFault(t, f.api("POST", us, "/customer", "{\"DisplayName\":\"Tab\\tName\"}"), "2040")
	wantFault(t, f.api("POST", us, "/customer", `{"Notes":"no name"}`), "6080")
	r := f.api("POST", us, "/customer", `{"Title":"Dr.","GivenName":"Jane","FamilyName":"Roe"}`)
	wantEqual(t, r, "Customer.DisplayName", "Dr. Jane Roe")
	wantFault(t, f.api("POST", us, "/item", `{"Name":"consulting","Type":"Service","IncomeAccountRef":{"value":"1"}}`), "6240")
	wantFault(t, f.api("POST", us, "/item", `{"Name":"No Account","Type":"Service"}`), "2020")

	// Renaming a customer renames it inside its invoices.
	acme := f.id(us, "customers", "acme")
	wantStatus(t, f.api("POST", us, "/customer", `{"Id":"`+acme+`","SyncToken":"0","sparse":true,"DisplayName":"Acme Inc"}`), 200)
	wantEqual(t, f.api("GET", us, "/invoice/"+f.id(us, "invoices", "awaiting_send"), ""), "Invoice.CustomerRef.name", "Acme Inc")

	f = newFixture(t, func(o *Options) { o.InactiveNamesCollide = boolPtr(false) })
	wantStatus(t, f.api("POST", us, "/customer", `{"DisplayName":"Initech"}`), 200)
}

// TestUpdateRules: Id and SyncToken are required on update (2020), unknown
// ids are 610, stale tokens 5010; entity paths match in any case.
func TestUpdateRules(t *testing.T) {
	f := newFixture(t)
	us := DemoRealmUS
	wantFault(t, f.api("POST", us, "/customer?operation=update", `{"DisplayName":"X"}`), "2020")
	wantFault(t, f.api("POST", us, "/customer", `{"Id":"1","DisplayName":"X"}`), "2020")
	wantFault(t, f.api("POST", us, "/customer", `{"Id":"999","SyncToken":"0","DisplayName":"X"}`), "610")
	wantFault(t, f.api("POST", us, "/invoice?operation=void", `{"Id":"1","SyncToken":"5"}`), "5010")
	wantFault(t, f.api("POST", us, "/customer?operation=delete", `{"Id":"1","SyncToken":"0"}`), "500")
	wantStatus(t, f.api("GET", us, "/Customer/1", ""), 200)
	wantStatus(t, f.api("GET", us, "/INVOICE/1", ""), 200)

	// Deactivating a customer is a sparse update; then it cannot be used.
	wantStatus(t, f.api("POST", us, "/customer", `{"Id":"3","SyncToken":"0","sparse":true,"Active":false}`), 200)
	wantFault(t, f.api("POST", us, "/invoice", invoiceWith("3", "", salesLine("1", "75", "", "", ""))), "610")
	wantFault(t, f.api("POST", us, "/invoice", invoiceWith("1", "", salesLine(f.id(us, "items", "legacy_widget"), "75", "", "", ""))), "610")
}
