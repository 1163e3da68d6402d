package qbofake

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFidelity compares the fake's answers with golden files written from
// reference/quickbooks.md, and asserts the reference facts explicitly, since
// a golden file alone could bless a wrong shape. Each case runs on a fresh
// seeded fake with a fixed clock.
func TestFidelity(t *testing.T) {
	us, ca, gb := DemoRealmUS, DemoRealmCA, DemoRealmGB
	cases := []struct {
		name  string
		run   func(f *fixture) *result
		check func(t *testing.T, f *fixture, r *result)
	}{
		// Entities.
		{"invoice_read", func(f *fixture) *result {
			return f.api("GET", us, "/invoice/"+f.id(us, "invoices", "partially_paid")+"?minorversion=75", "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Invoice.domain", "QBO")
			wantEqual(t, r, "Invoice.sparse", "false")
			wantEqual(t, r, "Invoice.TotalAmt", "297.00")
			wantEqual(t, r, "Invoice.Balance", "197.00")
			wantEqual(t, r, "Invoice.TxnTaxDetail.TotalTax", "22.00")
			wantEqual(t, r, "Invoice.TxnTaxDetail.TxnTaxCodeRef.value", "2")
			wantEqual(t, r, "Invoice.Line.1.DetailType", "SubTotalLineDetail")
			wantEqual(t, r, "Invoice.LinkedTxn.0.TxnType", "Payment")
			wantEqual(t, r, "time", "2025-03-10T10:30:00.000-07:00")
			if r.header.Get("Qbo-Version") == "" {
				t.Error("no Qbo-Version header")
			}
		}},
		{"invoice_create_minimal", func(f *fixture) *result {
			// The minimal form recorded live (reference §1.2, R1 create/invoice.yml).
			return f.api("POST", us, "/invoice?minorversion=75", `{"Line":[{"Amount":100.0,"DetailType":"SalesItemLineDetail",
				"SalesItemLineDetail":{"ItemRef":{"value":"`+f.id(us, "items", "design")+`","name":"Services"}}}],
				"CustomerRef":{"value":"`+f.id(us, "customers", "amy")+`"}}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Invoice.SyncToken", "0")
			wantEqual(t, r, "Invoice.DocNumber", "1007")
			wantEqual(t, r, "Invoice.TxnDate", "2025-03-10")
			wantEqual(t, r, "Invoice.CurrencyRef.value", "USD")
			wantEqual(t, r, "Invoice.LinkedTxn", "[]")
			wantEqual(t, r, "Invoice.Line.0.SalesItemLineDetail.TaxCodeRef.value", "NON")
			wantEqual(t, r, "Invoice.Line.1.Amount", "100.00")
			wantEqual(t, r, "Invoice.TxnTaxDetail.TotalTax", "0")
			wantEqual(t, r, "Invoice.CustomerRef.name", "Amy's Bird Sanctuary")
			wantEqual(t, r, "Invoice.EmailStatus", "NotSet")
			wantEqual(t, r, "Invoice.Balance", "100.00")
			wantEqual(t, r, "Invoice.DueDate", "2025-03-25") // Amy's term: Net 15
		}},
		{"invoice_create_card", func(f *fixture) *result {
			// The shape the card sends (reference §1.2).
			return f.api("POST", us, "/invoice", `{"CustomerRef":{"value":"`+f.id(us, "customers", "acme")+`"},
				"TxnDate":"2025-03-01","SalesTermRef":{"value":"3"},"BillEmail":{"Address":"ap@acme.example"},
				"CustomerMemo":{"value":"Thank you for your business"},
				"Line":[{"DetailType":"SalesItemLineDetail","Amount":300.00,"Description":"Design hours",
				"SalesItemLineDetail":{"ItemRef":{"value":"`+f.id(us, "items", "design")+`"},"Qty":4,"UnitPrice":75,"TaxCodeRef":{"value":"NON"}}},
				{"DetailType":"SalesItemLineDetail","Amount":98,"SalesItemLineDetail":{"ItemRef":{"value":"`+f.id(us, "items", "hosting")+`"},"Qty":2,"UnitPrice":49}},
				{"DetailType":"DescriptionOnly","Description":"Thanks!"}]}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Invoice.DueDate", "2025-03-31")
			wantEqual(t, r, "Invoice.Line.1.SalesItemLineDetail.TaxCodeRef.value", "TAX") // item is taxable
			wantEqual(t, r, "Invoice.TxnTaxDetail.TotalTax", "7.84")
			wantEqual(t, r, "Invoice.TotalAmt", "405.84")
			wantEqual(t, r, "Invoice.Line.3.DetailType", "SubTotalLineDetail")
			wantEqual(t, r, "Invoice.Line.3.Amount", "398.00")
		}},
		{"invoice_update_sparse", func(f *fixture) *result {
			id := f.id(us, "invoices", "awaiting_send")
			return f.api("POST", us, "/invoice", `{"Id":"`+id+`","SyncToken":"0","sparse":true,"DueDate":"2025-04-30"}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Invoice.SyncToken", "1")
			wantEqual(t, r, "Invoice.DueDate", "2025-04-30")
			wantEqual(t, r, "Invoice.TotalAmt", "300.00") // untouched fields kept
			wantEqual(t, r, "Invoice.MetaData.CreateTime", "2025-03-10T09:00:00-07:00")
			wantEqual(t, r, "Invoice.MetaData.LastUpdatedTime", "2025-03-10T10:30:00-07:00")
		}},
		{"invoice_update_full", func(f *fixture) *result {
			id := f.id(us, "invoices", "awaiting_send")
			return f.api("POST", us, "/invoice", `{"Id":"`+id+`","SyncToken":"0","CustomerRef":{"value":"`+f.id(us, "customers", "acme")+`"},
				"Line":[{"Id":"1","DetailType":"SalesItemLineDetail","Amount":375,"SalesItemLineDetail":{"ItemRef":{"value":"`+f.id(us, "items", "design")+`"},"Qty":5,"UnitPrice":75}}]}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Invoice.SyncToken", "1")
			wantEqual(t, r, "Invoice.TotalAmt", "375.00")
			wantEqual(t, r, "Invoice.DocNumber", "1001")
		}},
		{"invoice_void", func(f *fixture) *result {
			id := f.id(us, "invoices", "sent")
			return f.api("POST", us, "/invoice?operation=void", `{"Id":"`+id+`","SyncToken":"1"}`)
		}, func(t *testing.T, f *fixture, r *result) {
			// reference §1.2 "Void", R1 void/invoice.yml.
			wantStatus(t, r, 200)
			wantEqual(t, r, "Invoice.SyncToken", "2")
			wantEqual(t, r, "Invoice.PrivateNote", "Voided")
			wantEqual(t, r, "Invoice.Line.0.Amount", "0")
			wantEqual(t, r, "Invoice.TotalAmt", "0")
			wantEqual(t, r, "Invoice.Balance", "0")
			wantEqual(t, r, "Invoice.EmailStatus", "EmailSent")
		}},
		{"invoice_delete", func(f *fixture) *result {
			id := f.id(us, "invoices", "awaiting_send")
			return f.api("POST", us, "/invoice?operation=delete", `{"Id":"`+id+`","SyncToken":"0"}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			m := decode(t, r.body)
			inv, _ := m["Invoice"].(map[string]any)
			if len(inv) != 3 || inv["status"] != "Deleted" || inv["domain"] != "QBO" || inv["Id"] != f.id(us, "invoices", "awaiting_send") {
				t.Errorf("delete answer = %v, want exactly domain, status Deleted and Id", inv)
			}
		}},
		{"invoice_delete_twice", func(f *fixture) *result {
			id := f.id(us, "invoices", "awaiting_send")
			f.api("POST", us, "/invoice?operation=delete", `{"Id":"`+id+`","SyncToken":"0"}`)
			return f.api("POST", us, "/invoice?operation=delete", `{"Id":"`+id+`","SyncToken":"0"}`)
		}, func(t *testing.T, f *fixture, r *result) {
			e := wantFault(t, r, "610")
			if e["element"] != "" {
				t.Errorf(`610 element = %v, want ""`, e["element"])
			}
		}},
		{"invoice_send", func(f *fixture) *result {
			return f.api("POST", us, "/invoice/"+f.id(us, "invoices", "awaiting_send")+"/send?sendTo=cfo%40acme.example", "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Invoice.EmailStatus", "EmailSent")
			wantEqual(t, r, "Invoice.BillEmail.Address", "cfo@acme.example")
			wantEqual(t, r, "Invoice.DeliveryInfo.DeliveryType", "Email")
			wantEqual(t, r, "Invoice.SyncToken", "1")
		}},
		{"invoice_pdf", func(f *fixture) *result {
			return f.api("GET", us, "/invoice/"+f.id(us, "invoices", "partially_paid")+"/pdf", "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			if ct := r.header.Get("Content-Type"); ct != "application/pdf" {
				t.Errorf("Content-Type = %q", ct)
			}
			checkPDF(t, r.body, "1003", "Amy's Bird Sanctuary", "297.00")
		}},
		{"customer_create", func(f *fixture) *result {
			return f.api("POST", us, "/customer", `{"DisplayName":"Doe5, Jane"}`) // R1 create/customer.yml
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			for path, want := range map[string]string{
				"Customer.Taxable": "true", "Customer.Job": "false", "Customer.BillWithParent": "false",
				"Customer.Balance": "0", "Customer.PreferredDeliveryMethod": "Print", "Customer.Active": "true",
				"Customer.FullyQualifiedName": "Doe5, Jane", "Customer.PrintOnCheckName": "Doe5, Jane",
				"Customer.DefaultTaxCodeRef.value": "2", "Customer.CurrencyRef.name": "United States Dollar",
			} {
				wantEqual(t, r, path, want)
			}
		}},
		{"customer_read", func(f *fixture) *result {
			return f.api("GET", us, "/customer/"+f.id(us, "customers", "acme"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Customer.Balance", "300.00")
		}},
		{"customer_update_sparse", func(f *fixture) *result {
			id := f.id(us, "customers", "globex")
			return f.api("POST", us, "/customer", `{"DisplayName":"Globex Corporation","PrimaryPhone":{"FreeFormNumber":"(415) 444-1234"},"Id":"`+id+`","SyncToken":"0","sparse":true}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Customer.SyncToken", "1")
			wantEqual(t, r, "Customer.DisplayName", "Globex Corporation")
			wantEqual(t, r, "Customer.PrimaryEmailAddr.Address", "billing@globex.example")
		}},
		{"vendor_create", func(f *fixture) *result {
			return f.api("POST", us, "/vendor", `{"DisplayName":"Boraski Family Store"}`) // R1 batch/basic.yml
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Vendor.Vendor1099", "false")
			wantEqual(t, r, "Vendor.PrintOnCheckName", "Boraski Family Store")
		}},
		{"employee_read", func(f *fixture) *result {
			return f.api("GET", us, "/employee/"+f.id(us, "employees", "emily"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Employee.DisplayName", "Emily Platt")
		}},
		{"item_read", func(f *fixture) *result {
			return f.api("GET", us, "/item/"+f.id(us, "items", "rock_fountain"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Item.Type", "Inventory")
			wantEqual(t, r, "Item.UnitPrice", "275")
		}},
		{"item_create", func(f *fixture) *result {
			return f.api("POST", us, "/item", `{"Name":"Garden Design","Type":"Service","IncomeAccountRef":{"value":"1"}}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Item.FullyQualifiedName", "Garden Design")
			wantEqual(t, r, "Item.Active", "true")
		}},
		{"term_read", func(f *fixture) *result { return f.api("GET", us, "/term/4", "") },
			func(t *testing.T, f *fixture, r *result) {
				wantStatus(t, r, 200)
				wantEqual(t, r, "Term.Name", "Net 60")
				wantEqual(t, r, "Term.DueDays", "60")
			}},
		{"taxcode_read_pseudo", func(f *fixture) *result { return f.api("GET", us, "/taxcode/TAX", "") },
			func(t *testing.T, f *fixture, r *result) {
				wantStatus(t, r, 200)
				tc, _ := decode(t, r.body)["TaxCode"].(map[string]any)
				for _, k := range []string{"SyncToken", "domain", "sparse"} {
					if _, ok := tc[k]; ok {
						t.Errorf("pseudo TaxCode TAX has %q; reference §1.5 says it has none", k)
					}
				}
			}},
		{"taxcode_read_group", func(f *fixture) *result { return f.api("GET", us, "/taxcode/2", "") },
			func(t *testing.T, f *fixture, r *result) {
				wantStatus(t, r, 200)
				wantEqual(t, r, "TaxCode.TaxGroup", "true")
				wantEqual(t, r, "TaxCode.SalesTaxRateList.TaxRateDetail.0.TaxRateRef.value", "3")
			}},
		{"taxrate_read", func(f *fixture) *result { return f.api("GET", ca, "/taxrate/6", "") },
			func(t *testing.T, f *fixture, r *result) {
				wantStatus(t, r, 200)
				wantEqual(t, r, "TaxRate.RateValue", "13")
				wantEqual(t, r, "time", "2025-03-10T13:30:00.000-04:00")
			}},
		{"taxcode_create_unsupported", func(f *fixture) *result {
			return f.api("POST", us, "/taxcode", `{"Name":"X"}`)
		}, func(t *testing.T, f *fixture, r *result) { wantFault(t, r, "500") }},
		{"payment_create", func(f *fixture) *result {
			inv := f.id(us, "invoices", "awaiting_send")
			return f.api("POST", us, "/payment", `{"CustomerRef":{"value":"`+f.id(us, "customers", "acme")+`"},"TotalAmt":120,
				"Line":[{"Amount":100,"LinkedTxn":[{"TxnId":"`+inv+`","TxnType":"Invoice"}]}]}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Payment.UnappliedAmt", "20.00")
			wantEqual(t, r, "Payment.Line.0.LinkedTxn.0.TxnType", "Invoice")
		}},
		{"payment_read", func(f *fixture) *result {
			return f.api("GET", us, "/payment/"+f.id(us, "payments", "partially_paid"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Payment.TotalAmt", "100.00")
			wantEqual(t, r, "Payment.Line.0.LinkedTxn.0.TxnId", f.id(us, "invoices", "partially_paid"))
		}},
		{"payment_void", func(f *fixture) *result {
			return f.api("POST", us, "/payment?operation=void", `{"Id":"`+f.id(us, "payments", "paid")+`","SyncToken":"0"}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Payment.TotalAmt", "0")
			wantEqual(t, r, "Payment.SyncToken", "1")
			wantEqual(t, f.api("GET", us, "/invoice/"+f.id(us, "invoices", "paid"), ""), "Invoice.Balance", "105.84")
		}},
		{"payment_delete", func(f *fixture) *result {
			return f.api("POST", us, "/payment?operation=delete", `{"Id":"`+f.id(us, "payments", "paid")+`","SyncToken":"0"}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Payment.status", "Deleted")
		}},
		{"term_create", func(f *fixture) *result {
			return f.api("POST", us, "/term", `{"Name":"Net 45","DueDays":45}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Term.Type", "STANDARD")
			wantEqual(t, r, "Term.Id", "5")
		}},
		{"item_update_sparse", func(f *fixture) *result {
			return f.api("POST", us, "/item", `{"Id":"`+f.id(us, "items", "design")+`","SyncToken":"0","sparse":true,"UnitPrice":80}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Item.UnitPrice", "80")
			wantEqual(t, r, "Item.Sku", "DES-HR")
			wantEqual(t, r, "Item.SyncToken", "1")
		}},
		{"vendor_read", func(f *fixture) *result {
			return f.api("GET", us, "/vendor/"+f.id(us, "vendors", "acme_supplies"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Vendor.DisplayName", "Acme Supplies")
		}},
		{"employee_create", func(f *fixture) *result {
			return f.api("POST", us, "/employee", `{"GivenName":"Ravi","FamilyName":"Shah","PrimaryEmailAddr":{"Address":"ravi@northwind.example"}}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Employee.DisplayName", "Ravi Shah")
		}},
		{"preferences_update_sparse", func(f *fixture) *result {
			return f.api("POST", us, "/preferences", `{"Id":"1","SyncToken":"0","sparse":true,"SalesFormsPrefs":{"CustomTxnNumbers":true}}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Preferences.SalesFormsPrefs.CustomTxnNumbers", "true")
			wantEqual(t, r, "Preferences.SalesFormsPrefs.DefaultTerms.value", "3")
			wantEqual(t, r, "Preferences.SyncToken", "1")
		}},
		{"companyinfo_update_sparse", func(f *fixture) *result {
			return f.api("POST", us, "/companyinfo", `{"Id":"1","SyncToken":"0","sparse":true,"LegalName":"Northwind Traders Inc."}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "CompanyInfo.LegalName", "Northwind Traders Inc.")
			wantEqual(t, r, "CompanyInfo.CompanyName", "Northwind Traders (US)")
		}},
		{"preferences_read", func(f *fixture) *result { return f.api("GET", ca, "/preferences", "") },
			func(t *testing.T, f *fixture, r *result) {
				wantStatus(t, r, 200)
				wantEqual(t, r, "Preferences.SalesFormsPrefs.CustomTxnNumbers", "true")
				wantEqual(t, r, "Preferences.CurrencyPrefs.HomeCurrency.value", "CAD")
				wantEqual(t, r, "Preferences.SalesFormsPrefs.DefaultTerms.value", "3")
			}},
		{"companyinfo_read", func(f *fixture) *result { return f.api("GET", gb, "/companyinfo/"+gb, "") },
			func(t *testing.T, f *fixture, r *result) {
				wantStatus(t, r, 200)
				wantEqual(t, r, "CompanyInfo.Country", "GB")
				wantEqual(t, r, "CompanyInfo.DefaultTimeZone", "Europe/London")
				wantEqual(t, r, "time", "2025-03-10T17:30:00.000+00:00")
			}},
		{"ca_invoice_create", func(f *fixture) *result {
			// Non-US: a tax code per line, GlobalTaxCalculation defaulted,
			// DocNumber absent because CustomTxnNumbers is on (§1.5, §1.7).
			return f.api("POST", ca, "/invoice", `{"CustomerRef":{"value":"`+f.id(ca, "customers", "maple")+`"},
				"Line":[{"DetailType":"SalesItemLineDetail","Amount":190,"SalesItemLineDetail":{"ItemRef":{"value":"`+f.id(ca, "items", "consulting")+`"},"Qty":1,"UnitPrice":190,"TaxCodeRef":{"value":"5"}}},
				{"DetailType":"SalesItemLineDetail","Amount":25,"SalesItemLineDetail":{"ItemRef":{"value":"`+f.id(ca, "items", "shipping")+`"},"Qty":1,"UnitPrice":25,"TaxCodeRef":{"value":"4"}}}]}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			m := decode(t, r.body)
			if _, ok := m["Invoice"].(map[string]any)["DocNumber"]; ok {
				t.Error("DocNumber present although CustomTxnNumbers is on")
			}
			wantEqual(t, r, "Invoice.GlobalTaxCalculation", "TaxExcluded")
			wantEqual(t, r, "Invoice.TxnTaxDetail.TotalTax", "25.95") // 24.70 + 1.25
			wantEqual(t, r, "Invoice.TotalAmt", "240.95")
		}},
		{"gb_invoice_read", func(f *fixture) *result {
			return f.api("GET", gb, "/invoice/"+f.id(gb, "invoices", "sent"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "Invoice.TotalAmt", "960.00")
			wantEqual(t, r, "Invoice.CurrencyRef.value", "GBP")
		}},

		// Fault shapes.
		{"fault_2010_unknown_property", func(f *fixture) *result {
			return f.api("POST", us, "/invoice", `{"BadJson":true}`) // R1 error/400_json.yml
		}, func(t *testing.T, f *fixture, r *result) {
			e := wantFault(t, r, "2010")
			if _, ok := e["element"]; ok {
				t.Error("2010 carries an element key; the recording has none")
			}
			if d := str(e["Detail"]); !strings.HasPrefix(d, `Property Name:Unrecognized field "BadJson" (class com.intuit.schema.finance.v3.Invoice), not marked as ignorable`) {
				t.Errorf("Detail = %s", d)
			}
		}},
		{"fault_2010_nested", func(f *fixture) *result {
			return f.api("POST", us, "/customer", `{"DisplayName":"X","BillAddr":{"Street":"1 Main"}}`)
		}, func(t *testing.T, f *fixture, r *result) {
			e := wantFault(t, r, "2010")
			if !strings.Contains(str(e["Detail"]), "com.intuit.schema.finance.v3.PhysicalAddress") {
				t.Errorf("Detail does not name the nested class: %s", e["Detail"])
			}
		}},
		{"fault_401_unknown_token", func(f *fixture) *result {
			return f.apiToken("GET", us, "/customer/1", "", "not-a-token")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 401)
			m := decode(t, r.body)
			if _, ok := m["fault"]; !ok || m["Fault"] != nil {
				t.Error("401 body must use lower-case keys (fault, not Fault)")
			}
			if got := str(at(m, "fault.error.0.code")); got != "3200" {
				t.Errorf("code = %s", got)
			}
			if got := str(at(m, "fault.type")); got != "AUTHENTICATION" {
				t.Errorf("type = %s", got)
			}
			if got := str(m["time"]); got != "1741627800000" {
				t.Errorf("time = %s, want epoch ms", got)
			}
			if at(m, "fault.error.0.element") != nil {
				t.Error("element must be null")
			}
		}},
		{"fault_401_expired", func(f *fixture) *result {
			tok := decode(f.t, f.form("https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
				map[string][]string{"grant_type": {"refresh_token"}, "refresh_token": {"qbo-sandbox-refresh-us"}}).body)
			f.clock.Advance(3600 * time.Second)
			return f.apiToken("GET", us, "/customer/1", "", str(tok["access_token"]))
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 401)
			if d := str(at(decode(t, r.body), "fault.error.0.detail")); !strings.HasPrefix(d, "Token expired: ") {
				t.Errorf("detail = %s", d)
			}
		}},
		{"fault_403_other_realm", func(f *fixture) *result {
			return f.apiToken("GET", ca, "/customer/1", "", f.realm(us).AccessToken)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 403)
			wantEqual(t, r, "fault.error.0.code", "3100")
		}},
		{"fault_429_xml", func(f *fixture) *result {
			for i := 0; i < 500; i++ {
				f.api("GET", us, "/term/1", "")
			}
			return f.api("GET", us, "/term/1", "")
		}, func(t *testing.T, f *fixture, r *result) {
			checkThrottled(t, r)
		}},
		{"fault_5010_stale", func(f *fixture) *result {
			return f.api("POST", us, "/customer", `{"Id":"`+f.id(us, "customers", "acme")+`","SyncToken":"7","sparse":true,"Notes":"x"}`)
		}, func(t *testing.T, f *fixture, r *result) {
			e := wantFault(t, r, "5010")
			if str(e["Message"]) != "Stale Object Error" {
				t.Errorf("Message = %v", e["Message"])
			}
		}},
		{"fault_6240_duplicate_name", func(f *fixture) *result {
			return f.api("POST", us, "/customer", `{"DisplayName":"Acme Supplies"}`) // a vendor's name
		}, func(t *testing.T, f *fixture, r *result) {
			e := wantFault(t, r, "6240")
			if _, ok := e["element"]; ok {
				t.Error("6240 carries an element key; the recording has none (§1.3)")
			}
			if str(e["Detail"]) != "The name supplied already exists. : null" {
				t.Errorf("Detail = %v", e["Detail"])
			}
		}},
		{"fault_6140_duplicate_docnumber", func(f *fixture) *result {
			return f.api("POST", us, "/invoice", `{"DocNumber":"1001","CustomerRef":{"value":"`+f.id(us, "customers", "acme")+`"},
				"Line":[{"DetailType":"SalesItemLineDetail","Amount":75,"SalesItemLineDetail":{"ItemRef":{"value":"`+f.id(us, "items", "design")+`"}}}]}`)
		}, func(t *testing.T, f *fixture, r *result) {
			e := wantFault(t, r, "6140")
			if !strings.Contains(str(e["Detail"]), "DocNumber=1001 is assigned to TxnType=Invoice with TxnId="+f.id(us, "invoices", "awaiting_send")) {
				t.Errorf("Detail = %v", e["Detail"])
			}
		}},
		{"fault_2500_invalid_reference", func(f *fixture) *result {
			return f.api("POST", us, "/invoice", `{"CustomerRef":{"value":"999"},
				"Line":[{"DetailType":"SalesItemLineDetail","Amount":75,"SalesItemLineDetail":{"ItemRef":{"value":"1"}}}]}`)
		}, func(t *testing.T, f *fixture, r *result) { wantFault(t, r, "2500") }},
		{"fault_610_inactive_reference", func(f *fixture) *result {
			return f.api("POST", us, "/invoice", `{"CustomerRef":{"value":"`+f.id(us, "customers", "initech")+`"},
				"Line":[{"DetailType":"SalesItemLineDetail","Amount":75,"SalesItemLineDetail":{"ItemRef":{"value":"1"}}}]}`)
		}, func(t *testing.T, f *fixture, r *result) { wantFault(t, r, "610") }},
		{"fault_610_read_missing", func(f *fixture) *result { return f.api("GET", us, "/invoice/9999", "") },
			func(t *testing.T, f *fixture, r *result) { wantFault(t, r, "610") }},
		{"fault_6070_amount", func(f *fixture) *result {
			return f.api("POST", us, "/invoice", `{"CustomerRef":{"value":"1"},
				"Line":[{"DetailType":"SalesItemLineDetail","Amount":1000,"SalesItemLineDetail":{"ItemRef":{"value":"1"},"Qty":7,"UnitPrice":225}}]}`)
		}, func(t *testing.T, f *fixture, r *result) {
			e := wantFault(t, r, "6070")
			if str(e["Detail"]) != "Amount is not equal to UnitPrice * Qty. Supplied value:1,000" {
				t.Errorf("Detail = %v", e["Detail"])
			}
		}},
		{"fault_6100_us_taxcode", func(f *fixture) *result {
			return f.api("POST", us, "/invoice", `{"CustomerRef":{"value":"1"},
				"Line":[{"DetailType":"SalesItemLineDetail","Amount":75,"SalesItemLineDetail":{"ItemRef":{"value":"1"},"TaxCodeRef":{"value":"2"}}}]}`)
		}, func(t *testing.T, f *fixture, r *result) {
			e := wantFault(t, r, "6100")
			if !strings.Contains(str(e["Detail"]), "Valid line TaxCodes for US should be TAX or NON") {
				t.Errorf("Detail = %v", e["Detail"])
			}
		}},
		{"fault_2020_required", func(f *fixture) *result {
			return f.api("POST", us, "/invoice", `{"Line":[{"DetailType":"SalesItemLineDetail","Amount":75,"SalesItemLineDetail":{"ItemRef":{"value":"1"}}}]}`)
		}, func(t *testing.T, f *fixture, r *result) {
			e := wantFault(t, r, "2020")
			if e["element"] != "CustomerRef" {
				t.Errorf("element = %v", e["element"])
			}
		}},
		{"fault_2030_invalid_id", func(f *fixture) *result { return f.api("GET", us, "/customer/1.5", "") },
			func(t *testing.T, f *fixture, r *result) {
				e := wantFault(t, r, "2030")
				if e["element"] != "Id" {
					t.Errorf("element = %v", e["element"])
				}
			}},
		{"fault_500_unsupported_path", func(f *fixture) *result { return f.api("GET", us, "/customer/1/5", "") },
			func(t *testing.T, f *fixture, r *result) { wantFault(t, r, "500") }},

		// Query (§1.9, §2).
		{"query_escaped_quote", func(f *fixture) *result {
			return f.api("GET", us, q(`SELECT * FROM Customer WHERE DisplayName = 'Amy\'s Bird Sanctuary'`), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "QueryResponse.Customer.0.Id", f.id(us, "customers", "amy"))
			wantEqual(t, r, "QueryResponse.maxResults", "1")
			wantEqual(t, r, "QueryResponse.startPosition", "1")
		}},
		{"query_empty", func(f *fixture) *result {
			return f.api("GET", us, q("SELECT * FROM Invoice WHERE DocNumber = 'nope'"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			if qr, _ := decode(t, r.body)["QueryResponse"].(map[string]any); len(qr) != 0 {
				t.Errorf("QueryResponse = %v, want {} with no entity key", qr)
			}
		}},
		{"query_paging", func(f *fixture) *result {
			return f.api("GET", us, q("select * from Invoice ORDERBY DocNumber MAXRESULTS 4 STARTPOSITION 3"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "QueryResponse.startPosition", "3")
			wantEqual(t, r, "QueryResponse.maxResults", "4") // rows returned
			wantEqual(t, r, "QueryResponse.Invoice.0.DocNumber", "1003")
		}},
		{"query_paging_last_page", func(f *fixture) *result {
			return f.api("GET", us, q("select * from Invoice ORDERBY DocNumber MAXRESULTS 4 STARTPOSITION 5"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantEqual(t, r, "QueryResponse.maxResults", "2") // fewer than asked: rows returned
		}},
		{"query_in", func(f *fixture) *result {
			return f.api("GET", us, q("SELECT * FROM Customer WHERE Id IN ('1', '3', '4') AND Active IN (true, false)"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantEqual(t, r, "QueryResponse.maxResults", "3") // Initech is inactive but Active is named
		}},
		{"query_active_default", func(f *fixture) *result {
			return f.api("GET", us, q("SELECT * FROM Customer"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantEqual(t, r, "QueryResponse.maxResults", "3") // Initech left out
		}},
		{"query_like", func(f *fixture) *result {
			return f.api("GET", us, q("SELECT * FROM Item WHERE Name LIKE '%hours%'"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantEqual(t, r, "QueryResponse.Item.0.Sku", "DES-HR")
			wantEqual(t, r, "QueryResponse.maxResults", "1")
		}},
		{"query_count", func(f *fixture) *result {
			return f.api("GET", us, q("SELECT COUNT(*) FROM Invoice WHERE Balance > '0'"), "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "QueryResponse.totalCount", "4")
		}},
		{"query_post_text", func(f *fixture) *result {
			h := http.Header{"Authorization": {"Bearer " + f.realm(us).AccessToken}, "Content-Type": {"application/text"}}
			return f.raw("POST", "https://sandbox-quickbooks.api.intuit.com/v3/company/"+us+"/query", "select * from Term where Name = 'Net 15'", h)
		}, func(t *testing.T, f *fixture, r *result) {
			wantEqual(t, r, "QueryResponse.Term.0.Id", "2")
		}},
		{"query_error_syntax", func(f *fixture) *result {
			return f.api("GET", us, q("SELECT * FROM Customer WHERE Id = '1' OR Id = '2'"), "")
		}, func(t *testing.T, f *fixture, r *result) { wantFault(t, r, "4000") }},
		{"query_error_not_filterable", func(f *fixture) *result {
			return f.api("GET", us, q("SELECT * FROM Invoice WHERE PrivateNote = 'x'"), "")
		}, func(t *testing.T, f *fixture, r *result) { wantFault(t, r, "4001") }},

		// CDC and batch.
		{"cdc", func(f *fixture) *result {
			id := f.id(us, "invoices", "awaiting_send")
			f.api("POST", us, "/invoice?operation=delete", `{"Id":"`+id+`","SyncToken":"0"}`)
			return f.api("GET", us, "/cdc?entities=Invoice,Customer,Payment&changedSince=2025-03-04T00:00:00-08:00", "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			m := decode(t, r.body)
			inv := at(m, "CDCResponse.0.QueryResponse.0.Invoice").([]any)
			last := inv[len(inv)-1].(map[string]any)
			if last["status"] != "Deleted" || last["Id"] != f.id(us, "invoices", "awaiting_send") {
				t.Errorf("last CDC invoice = %v, want the deleted one", last)
			}
			if qr := at(m, "CDCResponse.0.QueryResponse.1").(map[string]any); len(qr) != 0 {
				t.Errorf("customers changed in window: %v", qr)
			}
		}},
		{"batch", func(f *fixture) *result {
			// reference §4 "Batch wire format" (R1 batch/basic.yml).
			return f.api("POST", us, "/batch", `{"BatchItemRequest":[
				{"bId":"bid1","operation":"create","Vendor":{"DisplayName":"Boraski Family Store"}},
				{"bId":"bid2","operation":"delete","Invoice":{"Id":"129","SyncToken":"0"}},
				{"bId":"bid3","operation":"update","Customer":{"sparse":true,"Id":"1","SyncToken":"9","Notes":"n"}},
				{"bId":"bid4","Query":"select * from Invoice where TotalAmt > '300.00'"},
				{"bId":"bid5","operation":"update","optionsData":"void","Invoice":{"Id":"`+f.id(us, "invoices", "awaiting_send")+`","SyncToken":"0"}}]}`)
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "BatchItemResponse.0.bId", "bid1")
			wantEqual(t, r, "BatchItemResponse.1.Fault.Error.0.code", "610")
			wantEqual(t, r, "BatchItemResponse.2.Fault.Error.0.code", "5010")
			wantEqual(t, r, "BatchItemResponse.3.QueryResponse.maxResults", "1")
			wantEqual(t, r, "BatchItemResponse.4.Invoice.PrivateNote", "Voided")
		}},
		{"batch_too_big", func(f *fixture) *result {
			items := make([]string, 31)
			for i := range items {
				items[i] = `{"bId":"b","Query":"select * from Term"}`
			}
			return f.api("POST", us, "/batch", `{"BatchItemRequest":[`+strings.Join(items, ",")+`]}`)
		}, func(t *testing.T, f *fixture, r *result) { wantFault(t, r, "1040") }},

		// OAuth (§6).
		{"oauth_discovery_sandbox", func(f *fixture) *result {
			return f.raw("GET", "https://developer.api.intuit.com/.well-known/openid_sandbox_configuration", "", http.Header{})
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "token_endpoint", "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer")
			wantEqual(t, r, "revocation_endpoint", "https://developer.api.intuit.com/v2/oauth2/tokens/revoke")
			wantEqual(t, r, "authorization_endpoint", "https://appcenter.intuit.com/connect/oauth2")
		}},
		{"oauth_discovery_local", func(f *fixture) *result {
			// Served on a port, the document points at the fake itself.
			w := httptest.NewRecorder()
			f.srv.ServeHTTP(w, httptest.NewRequest("GET", "http://qbo.local:8080/.well-known/openid_configuration", nil))
			return &result{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "token_endpoint", "http://qbo.local:8080/oauth2/v1/tokens/bearer")
			wantEqual(t, r, "userinfo_endpoint", "http://qbo.local:8080/v1/openid_connect/userinfo")
		}},
		{"fault_401_revoked", func(f *fixture) *result {
			f.form("https://developer.api.intuit.com/v2/oauth2/tokens/revoke", map[string][]string{"token": {"qbo-sandbox-refresh-us"}})
			return f.api("GET", us, "/term/1", "")
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 401)
			wantEqual(t, r, "fault.type", "AUTHENTICATION")
		}},
		{"oauth_refresh", func(f *fixture) *result {
			return f.form("https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
				map[string][]string{"grant_type": {"refresh_token"}, "refresh_token": {"qbo-sandbox-refresh-us"}})
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 200)
			wantEqual(t, r, "token_type", "bearer")
			wantEqual(t, r, "expires_in", "3600")
			wantEqual(t, r, "x_refresh_token_expires_in", "8726400")
		}},
		{"oauth_invalid_grant", func(f *fixture) *result {
			return f.form("https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
				map[string][]string{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}})
		}, func(t *testing.T, f *fixture, r *result) {
			wantStatus(t, r, 400)
			if string(r.body) != `{"error":"invalid_grant"}` {
				t.Errorf("body = %s", r.body)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			r := c.run(f)
			c.check(t, f, r)
			golden(t, c.name, r)
		})
	}
}

// checkThrottled asserts the 429 XML shape of reference §1.10.
func checkThrottled(t *testing.T, r *result) {
	t.Helper()
	wantStatus(t, r, http.StatusTooManyRequests)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
		t.Errorf("429 Content-Type = %q, want XML", ct)
	}
	for _, s := range []string{`<IntuitResponse time="`, `xmlns="http://schema.intuit.com/finance/v3"`,
		`<Fault type="SERVICE">`, `<Error code="3001">`, "message=ThrottleExceeded; errorCode=003001; statusCode=429"} {
		if !strings.Contains(string(r.body), s) {
			t.Errorf("429 body lacks %q:\n%s", s, r.body)
		}
	}
}

// checkPDF asserts a PDF is well formed: header, trailer and every xref
// offset pointing at its object, and that it shows the given texts.
func checkPDF(t *testing.T, doc []byte, texts ...string) {
	t.Helper()
	if !bytes.HasPrefix(doc, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(doc, []byte("%%EOF\n")) {
		t.Fatalf("not a PDF 1.4 document: %q…", doc[:min(20, len(doc))])
	}
	i := bytes.LastIndex(doc, []byte("startxref\n"))
	var xref int
	if _, err := fmt.Sscan(string(doc[i+len("startxref\n"):]), &xref); err != nil || !bytes.HasPrefix(doc[xref:], []byte("xref\n")) {
		t.Fatalf("startxref does not point at the xref table")
	}
	lines := strings.Split(string(doc[xref:]), "\n")
	var n int
	fmt.Sscan(strings.Fields(lines[1])[1], &n)
	for obj := 1; obj < n; obj++ {
		off, _ := strconv.Atoi(lines[2+obj][:10]) // not Sscan: it reads leading zeros as octal
		if want := []byte(strconv.Itoa(obj) + " 0 obj"); !bytes.HasPrefix(doc[off:], want) {
			t.Errorf("xref entry %d points at %q", obj, doc[off:off+10])
		}
	}
	for _, s := range texts {
		if !bytes.Contains(doc, []byte(pdfString(s))) {
			t.Errorf("PDF does not show %q", s)
		}
	}
}
