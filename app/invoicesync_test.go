package app

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// invoiceProps are invoice properties as the HubSpot fake lists them, plus
// custom ones.
var invoiceProps = map[string]HubSpotProperty{
	"hs_number":         {Name: "hs_number", Label: "Number", Type: "string", FieldType: "text"},
	"hs_currency":       {Name: "hs_currency", Label: "Currency", Type: "enumeration", FieldType: "select", Options: []string{"USD", "CAD"}},
	"hs_invoice_date":   {Name: "hs_invoice_date", Label: "Invoice date", Type: "datetime", FieldType: "date"},
	"hs_due_date":       {Name: "hs_due_date", Label: "Due date", Type: "datetime", FieldType: "date"},
	"hs_amount_billed":  {Name: "hs_amount_billed", Label: "Amount billed", Type: "number", FieldType: "number"},
	"hs_balance_due":    {Name: "hs_balance_due", Label: "Balance due", Type: "number", FieldType: "number"},
	"hs_invoice_status": {Name: "hs_invoice_status", Label: "Invoice status", Type: "enumeration", FieldType: "select", Options: []string{"draft", "open", "paid", "voided"}},
	"hs_object_id":      {Name: "hs_object_id", Label: "Record ID", Type: "number", FieldType: "number", ReadOnly: true},
	"qbo_invoice_key":   {Name: "qbo_invoice_key", Label: "QuickBooks invoice key", Type: "string", FieldType: "text"},
	"qbo_memo":          {Name: "qbo_memo", Label: "Memo", Type: "string", FieldType: "textarea"},
	"qbo_paid":          {Name: "qbo_paid", Label: "Paid so far", Type: "number", FieldType: "number"},
	"qbo_sent":          {Name: "qbo_sent", Label: "Sent on", Type: "date", FieldType: "date"},
	"qbo_flag":          {Name: "qbo_flag", Label: "Flag", Type: "bool", FieldType: "booleancheckbox", Options: []string{"true", "false"}},
	"qbo_stage": {Name: "qbo_stage", Label: "QuickBooks stage", Type: "enumeration", FieldType: "select",
		Options: []string{"awaiting_send", "sent", "partially_paid", "paid", "overdue", "voided", "deleted"}},
	"qbo_short": {Name: "qbo_short", Label: "Short stage", Type: "enumeration", FieldType: "select", Options: []string{"draft", "open", "paid"}},
}

func TestValidateInvoiceFields(t *testing.T) {
	ok := [][]FieldMapping{
		DefaultInvoiceFields(), // hs_currency is a dropdown here: default pairs pass anyway
		{{FieldAmountPaid, "qbo_paid"}, {FieldTxnDate, "qbo_sent"}, {FieldStatus, "qbo_stage"}, {FieldStatus, "hs_invoice_status"}},
		{{FieldTotalAmt, "qbo_memo"}, {FieldDueDate, "hs_number"}},
		{{FieldPrivateNote, "qbo_memo"}, {FieldDueDate, "hs_invoice_date"}, {FieldBalance, "hs_amount_billed"}},
	}
	for _, fields := range ok {
		if err := validateInvoiceFields(fields, invoiceProps); err != nil {
			t.Errorf("%v: %v", fields, err)
		}
	}
	for _, c := range []struct {
		name   string
		fields []FieldMapping
		want   []string
	}{
		{"unknown QuickBooks field", []FieldMapping{{"Memo", "qbo_memo"}}, []string{`"Memo"`, "DocNumber, TxnDate"}},
		{"unknown property", []FieldMapping{{FieldDocNumber, "qbo_nope"}}, []string{"DocNumber", `"qbo_nope"`, "no invoice property"}},
		{"amount to a date", []FieldMapping{{FieldTotalAmt, "qbo_sent"}}, []string{"TotalAmt (an amount)", `"Sent on" (qbo_sent)`, "a date property", "amounts go to number or text properties"}},
		{"date to a number", []FieldMapping{{FieldDueDate, "qbo_paid"}}, []string{"DueDate (a date)", `"Paid so far" (qbo_paid)`, "dates go to"}},
		{"text to a number", []FieldMapping{{FieldCustomerName, "hs_balance_due"}}, []string{"CustomerName (text)", `"Balance due" (hs_balance_due)`, "text goes to text properties"}},
		{"anything to yes/no", []FieldMapping{{FieldStatus, "qbo_flag"}}, []string{"Status", `"Flag" (qbo_flag)`, "a yes/no property"}},
		{"text to a dropdown", []FieldMapping{{FieldCurrency, "hs_invoice_status"}}, []string{"Currency", "a dropdown property"}},
		{"status without every option", []FieldMapping{{FieldStatus, "qbo_short"}}, []string{"Status", `"Short stage" (qbo_short)`, `"Voided"`, `"voided"`}},
		{"read-only property", []FieldMapping{{FieldDocNumber, "hs_object_id"}}, []string{"DocNumber", `"Record ID" (hs_object_id)`, "cannot be written"}},
		{"the app's key", []FieldMapping{{FieldDocNumber, "qbo_invoice_key"}}, []string{"DocNumber", "qbo_invoice_key", "for itself"}},
		{"a property twice", []FieldMapping{{FieldDocNumber, "hs_number"}, {FieldCustomerName, "hs_number"}}, []string{`"Number" (hs_number)`, "twice", "DocNumber and CustomerName"}},
		{"customer memo", []FieldMapping{{FieldCustomerMemo, "qbo_memo"}}, []string{"CustomerMemo", "does not read"}},
	} {
		err := validateInvoiceFields(c.fields, invoiceProps)
		if ErrorCode(err) != Invalid {
			t.Errorf("%s: %v, want invalid", c.name, err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(ErrorMessage(err), w) {
				t.Errorf("%s: message %q lacks %q", c.name, ErrorMessage(err), w)
			}
		}
	}
}

func TestStatusOption(t *testing.T) {
	status, stage := invoiceProps["hs_invoice_status"], invoiceProps["qbo_stage"]
	for st, want := range map[InvoiceStatus][2]string{
		StatusAwaitingSend:  {"draft", "awaiting_send"},
		StatusSent:          {"open", "sent"},
		StatusPartiallyPaid: {"open", "partially_paid"},
		StatusOverdue:       {"open", "overdue"},
		StatusPaid:          {"paid", "paid"},
		StatusVoided:        {"voided", "voided"},
		StatusDeleted:       {"voided", "deleted"},
	} {
		got1, ok1 := statusOption(st, status)
		got2, ok2 := statusOption(st, stage)
		if !ok1 || !ok2 || got1 != want[0] || got2 != want[1] {
			t.Errorf("%s: hs_invoice_status %q (%v), custom %q (%v); want %v", st, got1, ok1, got2, ok2, want)
		}
	}
	if v, ok := statusOption(StatusOverdue, invoiceProps["qbo_memo"]); !ok || v != "overdue" {
		t.Errorf("text property: %q %v", v, ok)
	}
	if _, ok := statusOption(StatusVoided, invoiceProps["qbo_short"]); ok {
		t.Error("a dropdown without voided took voided")
	}
}

func TestInvoiceValues(t *testing.T) {
	d := func(s string) Date { v, _ := ParseDate(s); return v }
	inv := Invoice{ID: "7", DocNumber: "1007", Currency: "", TxnDate: d("2026-03-01"), DueDate: d("2026-03-31"),
		Total: 60000, Balance: 20000, CustomerName: "Acme", BillEmail: "ap@acme.example", EmailStatus: "EmailSent"}
	conn := Connection{Currency: "USD"}
	portal := Portal{TimeZone: "America/Los_Angeles"}
	fields := append(DefaultInvoiceFields(), FieldMapping{FieldAmountPaid, "qbo_paid"}, FieldMapping{FieldTxnDate, "qbo_sent"},
		FieldMapping{FieldStatus, "qbo_stage"}, FieldMapping{FieldBillEmail, "qbo_memo"}, FieldMapping{FieldDocNumber, "qbo_gone"})
	got := invoiceValues(fields, invoiceProps, inv, conn, portal, d("2026-04-02"))
	want := map[string]string{
		"hs_number": "1007", "hs_currency": "USD",
		// Midnight in Los Angeles (PST, then PDT from 8 March).
		"hs_invoice_date": "1772352000000", "hs_due_date": "1774940400000",
		"hs_amount_billed": "600.00", "hs_balance_due": "200.00", "hs_invoice_status": "open",
		"qbo_paid": "400.00", "qbo_sent": "2026-03-01", "qbo_stage": "partially_paid", "qbo_memo": "ap@acme.example",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["qbo_gone"]; ok || len(got) != len(want) {
		t.Errorf("values = %v", got)
	}
}

// TestHubSpotScopesMatchTheAppConfig: HubSpot refuses an install whose
// scopes differ from the app's requiredScopes.
func TestHubSpotScopesMatchTheAppConfig(t *testing.T) {
	raw, err := os.ReadFile("../extensions/src/app/app-hsmeta.json")
	if err != nil {
		t.Fatal(err)
	}
	var meta struct {
		Config struct {
			Auth struct {
				RequiredScopes []string `json:"requiredScopes"`
			} `json:"auth"`
		} `json:"config"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	ours := strings.Fields(HubSpotScopes)
	theirs := meta.Config.Auth.RequiredScopes
	slices.Sort(ours)
	slices.Sort(theirs)
	if !slices.Equal(ours, theirs) {
		t.Errorf("app.HubSpotScopes %v != app-hsmeta.json requiredScopes %v", ours, theirs)
	}
	for _, s := range []string{"crm.objects.invoices.read", "crm.objects.invoices.write", "crm.schemas.invoices.read", "crm.schemas.invoices.write"} {
		if !slices.Contains(ours, s) {
			t.Errorf("invoice sync needs %s", s)
		}
	}
}
