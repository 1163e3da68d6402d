package qbofake

import (
	"encoding/json"
	"fmt"
	"time"
)

// The demo companies of the shared seed (/tmp/seedspec.md "QBO companies").
// Realm ids and tokens are fixed; every other id is assigned in a fixed
// order, so it is the same on every run, and returned in Demo.
const (
	DemoRealmUS = "9130357766900001"
	DemoRealmCA = "9130357766900002"
	DemoRealmGB = "9130357766900003"
)

// Demo describes what SeedDemo loaded, for tests, the demo and the README:
// the companies in seed order (US, CA, GB).
type Demo struct {
	Realms []DemoRealm `json:"realms"`
}

// DemoRealm is one seeded company. Records maps kind ("invoices",
// "customers", "items", "taxCodes", "terms", "payments", "vendors",
// "employees") to label to QBO Id.
type DemoRealm struct {
	RealmID          string                       `json:"realmId"`
	CompanyName      string                       `json:"companyName"`
	Country          string                       `json:"country"`
	Currency         string                       `json:"currency"`
	CustomTxnNumbers bool                         `json:"customTxnNumbers"`
	MultiCurrency    bool                         `json:"multiCurrency"`
	TimeZone         string                       `json:"timeZone"`
	AccessToken      string                       `json:"accessToken"`
	RefreshToken     string                       `json:"refreshToken"`
	PortalID         int64                        `json:"portalId"`
	Records          map[string]map[string]string `json:"records"`
}

// Realm returns the seeded company with realm id realmID.
func (d Demo) Realm(realmID string) (DemoRealm, bool) {
	for _, r := range d.Realms {
		if r.RealmID == realmID {
			return r, true
		}
	}
	return DemoRealm{}, false
}

// ID returns the Id of a seeded record, or "" if there is none.
func (d Demo) ID(realmID, kind, label string) string {
	r, _ := d.Realm(realmID)
	return r.Records[kind][label]
}

// SeedDemo adds the three demo companies with their customers, items, tax
// codes, terms, invoices and payments, dated relative to the clock, and
// returns their ids. Seeding fires no webhooks.
func (s *Server) SeedDemo() Demo {
	var demo Demo
	for _, d := range []struct {
		company Company
		portal  int64
		build   func(*seeder)
	}{
		{usCompany(), 20000001, seedUS},
		{caCompany(), 20000001, seedCA},
		{gbCompany(), 20000002, seedGB},
	} {
		c := companyDefaults(d.company)
		s.AddCompany(c)
		rl := s.realm(c.RealmID)
		sd := &seeder{s: s, rl: rl, now: s.now().In(rl.loc), records: map[string]map[string]string{}}
		rl.mu.Lock()
		sd.record("terms", "due_on_receipt", "1")
		sd.record("terms", "net15", "2")
		sd.record("terms", "net30", "3")
		sd.record("terms", "net60", "4")
		d.build(sd)
		rl.mu.Unlock()
		demo.Realms = append(demo.Realms, DemoRealm{
			RealmID: c.RealmID, CompanyName: c.CompanyName, Country: c.Country, Currency: c.Currency,
			CustomTxnNumbers: c.CustomTxnNumbers, MultiCurrency: c.MultiCurrency, TimeZone: c.TimeZone, AccessToken: c.AccessToken,
			RefreshToken: c.RefreshToken, PortalID: d.portal, Records: sd.records,
		})
	}
	return demo
}

func usCompany() Company {
	return Company{
		RealmID: DemoRealmUS, CompanyName: "Northwind Traders (US)", Country: "US", Currency: "USD",
		TimeZone: "America/Los_Angeles", DefaultTermID: "3", Email: "books@northwind.example",
		Address:     &Address{Line1: "100 Market St.", City: "San Francisco", CountrySubDivisionCode: "CA", PostalCode: "94105", Country: "USA"},
		AccessToken: "qbo-sandbox-access-us", RefreshToken: "qbo-sandbox-refresh-us",
		TaxCodes:       []TaxCodeSpec{{ID: "2", Name: "California", Rates: []TaxRateSpec{{ID: "3", Name: "California", Percent: "8"}}}},
		TaxGroupCodeID: "2",
	}
}

func caCompany() Company {
	return Company{
		RealmID: DemoRealmCA, CompanyName: "Maple Leaf Supplies Ltd", Country: "CA", Currency: "CAD",
		TimeZone: "America/Toronto", CustomTxnNumbers: true, DefaultTermID: "3", Email: "books@mapleleaf.example",
		Address:     &Address{Line1: "200 King St. W", City: "Toronto", CountrySubDivisionCode: "ON", PostalCode: "M5H 3T4", Country: "CAN"},
		AccessToken: "qbo-sandbox-access-ca", RefreshToken: "qbo-sandbox-refresh-ca",
		TaxCodes: []TaxCodeSpec{
			{ID: "4", Name: "GST", Rates: []TaxRateSpec{{ID: "5", Name: "GST", Percent: "5"}}},
			{ID: "5", Name: "HST ON", Rates: []TaxRateSpec{{ID: "6", Name: "HST ON", Percent: "13"}}},
			{ID: "6", Name: "Exempt", Rates: []TaxRateSpec{{ID: "7", Name: "Exempt", Percent: "0"}}},
			{ID: "7", Name: "Zero-rated", Rates: []TaxRateSpec{{ID: "8", Name: "Zero-rated", Percent: "0"}}},
		},
	}
}

func gbCompany() Company {
	return Company{
		RealmID: DemoRealmGB, CompanyName: "Thames Consulting Ltd", Country: "GB", Currency: "GBP",
		TimeZone: "Europe/London", DefaultTermID: "3", Email: "books@thames.example",
		Address:     &Address{Line1: "1 Embankment Pl.", City: "London", PostalCode: "WC2N 6NN", Country: "GBR"},
		AccessToken: "qbo-sandbox-access-gb", RefreshToken: "qbo-sandbox-refresh-gb",
		TaxCodes: []TaxCodeSpec{
			{ID: "8", Name: "20.0% S", Rates: []TaxRateSpec{{ID: "9", Name: "20.0% S", Percent: "20"}}},
			{ID: "9", Name: "No VAT", Rates: []TaxRateSpec{{ID: "10", Name: "No VAT", Percent: "0"}}},
		},
	}
}

func seedUS(sd *seeder) {
	sd.record("taxCodes", "TAX", "TAX")
	sd.record("taxCodes", "NON", "NON")
	sd.record("taxCodes", "california", "2")
	sd.at(-90, 9)
	acme := sd.create("customers", "acme", "Customer", obj{
		"DisplayName": "Acme Corporation", "CompanyName": "Acme Corporation", "GivenName": "Alice", "FamilyName": "Buyer",
		"PrimaryEmailAddr": obj{"Address": "ap@acme.example"}, "SalesTermRef": obj{"value": "3"},
		"BillAddr": obj{"Line1": "1 Acme Way", "City": "Oakland", "CountrySubDivisionCode": "CA", "PostalCode": "94607"},
	})
	amy := sd.create("customers", "amy", "Customer", obj{
		"DisplayName": "Amy's Bird Sanctuary", "PrimaryEmailAddr": obj{"Address": "amy@birds.example"},
		"SalesTermRef": obj{"value": "2"},
		"BillAddr":     obj{"Line1": "4581 Finch St.", "City": "Bayshore", "CountrySubDivisionCode": "CA", "PostalCode": "94326"},
	})
	globex := sd.create("customers", "globex", "Customer", obj{
		"DisplayName": "Globex LLC", "CompanyName": "Globex LLC", "PrimaryEmailAddr": obj{"Address": "billing@globex.example"},
	})
	sd.create("customers", "initech", "Customer", obj{
		"DisplayName": "Initech", "CompanyName": "Initech", "Active": false, "PrimaryEmailAddr": obj{"Address": "info@initech.example"},
	})
	sd.create("vendors", "acme_supplies", "Vendor", obj{"DisplayName": "Acme Supplies", "CompanyName": "Acme Supplies"})
	sd.create("employees", "emily", "Employee", obj{"GivenName": "Emily", "FamilyName": "Platt"})
	services := obj{"value": "1", "name": "Services"}
	design := sd.create("items", "design", "Item", obj{"Name": "Design hours", "Type": "Service", "Sku": "DES-HR",
		"UnitPrice": 75, "Taxable": false, "Description": "Design hours", "IncomeAccountRef": services})
	consulting := sd.create("items", "consulting", "Item", obj{"Name": "Consulting", "Type": "Service",
		"UnitPrice": 150, "Taxable": false, "Description": "Consulting", "IncomeAccountRef": services})
	fountain := sd.create("items", "rock_fountain", "Item", obj{"Name": "Rock Fountain", "Type": "Inventory", "Sku": "RF-100",
		"UnitPrice": 275, "Taxable": true, "Description": "Rock Fountain",
		"IncomeAccountRef":  obj{"value": "79", "name": "Sales of Product Income"},
		"ExpenseAccountRef": obj{"value": "80", "name": "Cost of Goods Sold"},
		"AssetAccountRef":   obj{"value": "81", "name": "Inventory Asset"},
		"InvStartDate":      string(dateOf(sd.now.AddDate(0, 0, -90))), "QtyOnHand": 10, "TrackQtyOnHand": true})
	hosting := sd.create("items", "hosting", "Item", obj{"Name": "Hosting (monthly)", "Type": "Service", "Sku": "HOST-M",
		"UnitPrice": 49, "Taxable": true, "Description": "Hosting (monthly)", "IncomeAccountRef": services})
	sd.create("items", "legacy_widget", "Item", obj{"Name": "Legacy widget", "Type": "NonInventory", "Active": false})

	sd.invoice("awaiting_send", 0, 30, acme, "", line(design, 4, 75, ""))
	sd.send(sd.invoice("sent", -5, 10, globex, "", line(consulting, 2, 150, "")))
	partial := sd.invoice("partially_paid", -10, 5, amy, "", line(fountain, 1, 275, "TAX"))
	sd.pay("partially_paid", amy, partial, 10000)
	paid := sd.invoice("paid", -40, -10, acme, "", line(hosting, 2, 49, "TAX"))
	sd.send(paid)
	sd.pay("paid", acme, paid, 10584)
	sd.send(sd.invoice("overdue", -45, -15, globex, "", line(consulting, 4, 150, "")))
	sd.void(sd.invoice("voided", -20, 10, acme, "", line(design, 1, 75, "")))
}

func seedCA(sd *seeder) {
	sd.record("taxCodes", "gst", "4")
	sd.record("taxCodes", "hst_on", "5")
	sd.record("taxCodes", "exempt", "6")
	sd.record("taxCodes", "zero_rated", "7")
	sd.at(-90, 9)
	acme := sd.create("customers", "acme", "Customer", obj{
		"DisplayName": "Acme Corporation", "CompanyName": "Acme Corporation",
		"PrimaryEmailAddr": obj{"Address": "ap@acme.example"}, "CurrencyRef": obj{"value": "CAD"},
	})
	maple := sd.create("customers", "maple", "Customer", obj{
		"DisplayName": "Maple Syrup Co.", "CompanyName": "Maple Syrup Co.", "PrimaryEmailAddr": obj{"Address": "orders@maplesyrup.example"},
	})
	services := obj{"value": "1", "name": "Services"}
	design := sd.create("items", "design", "Item", obj{"Name": "Design hours", "Type": "Service", "Sku": "DES-HR",
		"UnitPrice": 95, "Description": "Design hours", "SalesTaxCodeRef": obj{"value": "5"}, "IncomeAccountRef": services})
	consulting := sd.create("items", "consulting", "Item", obj{"Name": "Consulting", "Type": "Service",
		"UnitPrice": 190, "Description": "Consulting", "SalesTaxCodeRef": obj{"value": "5"}, "IncomeAccountRef": services})
	shipping := sd.create("items", "shipping", "Item", obj{"Name": "Shipping", "Type": "Service",
		"UnitPrice": 25, "Description": "Shipping", "SalesTaxCodeRef": obj{"value": "7"}, "IncomeAccountRef": services})

	sd.invoice("awaiting_send", 0, 30, maple, "MLS-0001", line(design, 10, 95, "5"))
	paid := sd.invoice("paid", -30, -1, acme, "MLS-0002", line(consulting, 1, 190, "5"))
	sd.pay("paid", acme, paid, 21470)
	sd.send(sd.invoice("overdue", -60, -30, maple, "MLS-0003", line(shipping, 2, 25, "7")))
}

func seedGB(sd *seeder) {
	sd.record("taxCodes", "standard_20", "8")
	sd.record("taxCodes", "no_vat", "9")
	sd.at(-90, 9)
	bigben := sd.create("customers", "bigben", "Customer", obj{
		"DisplayName": "Big Ben Holdings", "CompanyName": "Big Ben Holdings", "PrimaryEmailAddr": obj{"Address": "accounts@bigben.example"},
	})
	advisory := sd.create("items", "advisory", "Item", obj{"Name": "Advisory day", "Type": "Service", "Sku": "ADV-D",
		"UnitPrice": 800, "Description": "Advisory day", "SalesTaxCodeRef": obj{"value": "8"},
		"IncomeAccountRef": obj{"value": "1", "name": "Services"}})
	sd.send(sd.invoice("sent", 0, 20, bigben, "2001", line(advisory, 1, 800, "8")))
}

type obj = map[string]any

// line is one SalesItemLineDetail line; taxCode "" lets the item decide
// (US) and is otherwise a tax code id.
func line(itemID string, qty, price int, taxCode string) obj {
	detail := obj{"ItemRef": obj{"value": itemID}, "Qty": qty, "UnitPrice": price}
	if taxCode != "" {
		detail["TaxCodeRef"] = obj{"value": taxCode}
	}
	return obj{"DetailType": "SalesItemLineDetail", "Amount": Money(qty * price * 100), "SalesItemLineDetail": detail}
}

// seeder creates records through the same validation as the API, with the
// realm's lock held and notifications off, at chosen points in the past.
type seeder struct {
	s       *Server
	rl      *realm
	now     time.Time // the seed's "now", in the realm's zone
	clock   time.Time // when the next record is made
	records map[string]map[string]string
}

func (sd *seeder) record(kind, label, id string) {
	if sd.records[kind] == nil {
		sd.records[kind] = map[string]string{}
	}
	sd.records[kind][label] = id
}

// at sets the time of the next records: days from today at hour o'clock
// local time, never later than now.
func (sd *seeder) at(days, hour int) {
	y, m, d := sd.now.Date()
	t := time.Date(y, m, d+days, hour, 0, 0, 0, sd.rl.loc)
	if t.After(sd.now) {
		t = sd.now
	}
	sd.clock = t
}

func (sd *seeder) work() *work {
	return &work{s: sd.s, r: sd.rl, now: sd.clock, quiet: true}
}

func (sd *seeder) must(v any, e *qboError) any {
	if e != nil {
		panic(fmt.Sprintf("qbofake: demo seed of realm %s: %v", sd.rl.id, e))
	}
	return v
}

// create makes one record from JSON-shaped input and records its id.
func (sd *seeder) create(kind, label, entity string, in obj) string {
	v := sd.must(sd.work().write(kindByName(entity), "create", mustJSON(in), writeOpts{}))
	id := v.(stored).base().Id
	sd.record(kind, label, id)
	return id
}

// invoice creates an invoice dated days from today, due dueDays from today.
func (sd *seeder) invoice(label string, days, dueDays int, customerID, docNumber string, lines ...obj) string {
	sd.at(days, 9)
	in := obj{
		"CustomerRef": obj{"value": customerID}, "Line": lines,
		"TxnDate": string(dateOf(sd.now.AddDate(0, 0, days))),
		"DueDate": string(dateOf(sd.now.AddDate(0, 0, dueDays))),
	}
	if docNumber != "" {
		in["DocNumber"] = docNumber
	}
	if !sd.rl.us() {
		in["GlobalTaxCalculation"] = "TaxExcluded"
	}
	return sd.create("invoices", label, "Invoice", in)
}

// later moves the clock one hour past the last record, never past now.
func (sd *seeder) later() {
	t := sd.clock.Add(time.Hour)
	if t.After(sd.now) {
		t = sd.now
	}
	sd.clock = t
}

func (sd *seeder) send(invoiceID string) {
	sd.later()
	sd.must(sd.work().send(invoiceID, ""))
}

func (sd *seeder) void(invoiceID string) {
	sd.later()
	inv, _ := sd.rl.invoices.get(invoiceID)
	body, _ := json.Marshal(obj{"Id": inv.Id, "SyncToken": inv.SyncToken})
	sd.must(sd.work().write(kindByName("Invoice"), "void", body, writeOpts{}))
}

// pay applies a payment of cents to one invoice and records it under label.
func (sd *seeder) pay(label, customerID, invoiceID string, cents int64) {
	sd.later()
	amount := Money(cents)
	sd.create("payments", label, "Payment", obj{
		"CustomerRef": obj{"value": customerID}, "TotalAmt": amount,
		"Line": []obj{{"Amount": amount, "LinkedTxn": []obj{{"TxnId": invoiceID, "TxnType": "Invoice"}}}},
	})
}
