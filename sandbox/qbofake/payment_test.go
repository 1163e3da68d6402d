package qbofake

import (
	"testing"
)

// TestPaymentMovesInvoice: a payment lowers the invoice's Balance, adds
// {"TxnId":<payment>,"TxnType":"Payment"} to its LinkedTxn and bumps its
// SyncToken; the customer's Balance follows; deleting or voiding the
// payment moves everything back (reference §1.2 LinkedTxn, §7).
func TestPaymentMovesInvoice(t *testing.T) {
	f := newFixture(t)
	us := DemoRealmUS
	inv := f.id(us, "invoices", "awaiting_send") // 300.00, SyncToken 0
	acme := f.id(us, "customers", "acme")
	pay := func(amount string) *result {
		return f.api("POST", us, "/payment", `{"CustomerRef":{"value":"`+acme+`"},"TotalAmt":`+amount+`,
			"Line":[{"Amount":`+amount+`,"LinkedTxn":[{"TxnId":"`+inv+`","TxnType":"Invoice"}]}]}`)
	}
	read := func() *result { return f.api("GET", us, "/invoice/"+inv, "") }

	p1 := pay("100")
	wantStatus(t, p1, 200)
	pid := str(at(decode(t, p1.body), "Payment.Id"))
	r := read()
	wantEqual(t, r, "Invoice.Balance", "200.00")
	wantEqual(t, r, "Invoice.TotalAmt", "300.00")
	wantEqual(t, r, "Invoice.SyncToken", "1")
	wantEqual(t, r, "Invoice.LinkedTxn.0.TxnId", pid)
	wantEqual(t, r, "Invoice.LinkedTxn.0.TxnType", "Payment")
	wantEqual(t, f.api("GET", us, "/customer/"+acme, ""), "Customer.Balance", "200.00")

	wantFault(t, pay("250"), "6000") // more than the open balance
	p2 := pay("200")
	wantStatus(t, p2, 200)
	wantEqual(t, read(), "Invoice.Balance", "0")
	wantEqual(t, read(), "Invoice.LinkedTxn.1.TxnType", "Payment")

	// Delete the first payment: its 100 is open again and its link gone.
	del := f.api("POST", us, "/payment?operation=delete", `{"Id":"`+pid+`","SyncToken":"0"}`)
	wantStatus(t, del, 200)
	wantEqual(t, del, "Payment.status", "Deleted")
	r = read()
	wantEqual(t, r, "Invoice.Balance", "100.00")
	wantEqual(t, r, "Invoice.SyncToken", "3")
	if links := at(decode(t, r.body), "Invoice.LinkedTxn").([]any); len(links) != 1 {
		t.Errorf("LinkedTxn = %v, want only the second payment", links)
	}

	// Void the second payment.
	p2id := str(at(decode(t, p2.body), "Payment.Id"))
	v := f.api("POST", us, "/payment?operation=void", `{"Id":"`+p2id+`","SyncToken":"0"}`)
	wantStatus(t, v, 200)
	wantEqual(t, v, "Payment.TotalAmt", "0")
	wantEqual(t, read(), "Invoice.Balance", "300.00")
	wantEqual(t, read(), "Invoice.LinkedTxn", "[]")
}

// TestPaymentRules: CustomerRef and TotalAmt are required; an invoice of
// another customer or a missing invoice is refused.
func TestPaymentRules(t *testing.T) {
	f := newFixture(t)
	us := DemoRealmUS
	inv := f.id(us, "invoices", "awaiting_send") // Acme's
	wantFault(t, f.api("POST", us, "/payment", `{"TotalAmt":10}`), "2020")
	wantFault(t, f.api("POST", us, "/payment", `{"CustomerRef":{"value":"1"}}`), "2020")
	wantFault(t, f.api("POST", us, "/payment", `{"CustomerRef":{"value":"`+f.id(us, "customers", "globex")+`"},"TotalAmt":10,
		"Line":[{"Amount":10,"LinkedTxn":[{"TxnId":"`+inv+`","TxnType":"Invoice"}]}]}`), "6000")
	wantFault(t, f.api("POST", us, "/payment", `{"CustomerRef":{"value":"1"},"TotalAmt":10,
		"Line":[{"Amount":10,"LinkedTxn":[{"TxnId":"999","TxnType":"Invoice"}]}]}`), "2500")
	wantFault(t, f.api("POST", us, "/payment", `{"CustomerRef":{"value":"1"},"TotalAmt":5,
		"Line":[{"Amount":10,"LinkedTxn":[{"TxnId":"`+inv+`","TxnType":"Invoice"}]}]}`), "6000")
	// An unapplied payment is fine.
	r := f.api("POST", us, "/payment", `{"CustomerRef":{"value":"1"},"TotalAmt":10}`)
	wantStatus(t, r, 200)
	wantEqual(t, r, "Payment.UnappliedAmt", "10.00")
	wantEqual(t, r, "Payment.Line", "[]")
}

// TestDeleteInvoiceWithPayment: deleting a paid invoice leaves the money on
// the payment as unapplied.
func TestDeleteInvoiceWithPayment(t *testing.T) {
	f := newFixture(t)
	us := DemoRealmUS
	inv := f.id(us, "invoices", "partially_paid")
	r := f.api("GET", us, "/invoice/"+inv, "")
	sync := str(at(decode(t, r.body), "Invoice.SyncToken"))
	wantStatus(t, f.api("POST", us, "/invoice?operation=delete", `{"Id":"`+inv+`","SyncToken":"`+sync+`"}`), 200)
	p := f.api("GET", us, "/payment/"+f.id(us, "payments", "partially_paid"), "")
	wantEqual(t, p, "Payment.UnappliedAmt", "100.00")
	wantEqual(t, p, "Payment.Line", "[]")
	wantFault(t, f.api("GET", us, "/invoice/"+inv, ""), "610")
}
