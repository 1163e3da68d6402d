package qbofake

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Invoice is QBO's Invoice (reference §1.2). Field order follows the
// recorded create/void answers (R1 create/invoice.yml, void/invoice.yml);
// fields those recordings lack sit where Intuit's samples put them.
type Invoice struct {
	AllowIPNPayment              bool            `json:"AllowIPNPayment"`
	AllowOnlinePayment           bool            `json:"AllowOnlinePayment"`
	AllowOnlineCreditCardPayment bool            `json:"AllowOnlineCreditCardPayment"`
	AllowOnlineACHPayment        bool            `json:"AllowOnlineACHPayment"`
	Base                                         // domain, sparse, Id, SyncToken, MetaData
	CustomField                  []CustomField   `json:"CustomField,omitempty"`
	DocNumber                    string          `json:"DocNumber,omitempty"`
	TxnDate                      Date            `json:"TxnDate,omitempty"`
	DepartmentRef                *Ref            `json:"DepartmentRef,omitempty"`
	CurrencyRef                  *Ref            `json:"CurrencyRef,omitempty"`
	ExchangeRate                 Decimal         `json:"ExchangeRate,omitempty"`
	PrivateNote                  string          `json:"PrivateNote,omitempty"`
	LinkedTxn                    []LinkedTxn     `json:"LinkedTxn"`
	Line                         []Line          `json:"Line,omitempty"`
	TxnTaxDetail                 *TxnTaxDetail   `json:"TxnTaxDetail,omitempty"`
	CustomerRef                  *Ref            `json:"CustomerRef,omitempty"`
	CustomerMemo                 *MemoRef        `json:"CustomerMemo,omitempty"`
	BillAddr                     *Address        `json:"BillAddr,omitempty"`
	ShipAddr                     *Address        `json:"ShipAddr,omitempty"`
	FreeFormAddress              *bool           `json:"FreeFormAddress,omitempty"`
	ClassRef                     *Ref            `json:"ClassRef,omitempty"`
	SalesTermRef                 *Ref            `json:"SalesTermRef,omitempty"`
	DueDate                      Date            `json:"DueDate,omitempty"`
	ShipMethodRef                *Ref            `json:"ShipMethodRef,omitempty"`
	ShipDate                     Date            `json:"ShipDate,omitempty"`
	TrackingNum                  string          `json:"TrackingNum,omitempty"`
	GlobalTaxCalculation         string          `json:"GlobalTaxCalculation,omitempty"`
	TotalAmt                     Money           `json:"TotalAmt"`
	HomeTotalAmt                 *Money          `json:"HomeTotalAmt,omitempty"`
	ApplyTaxAfterDiscount        bool            `json:"ApplyTaxAfterDiscount"`
	PrintStatus                  string          `json:"PrintStatus,omitempty"`
	EmailStatus                  string          `json:"EmailStatus,omitempty"`
	BillEmail                    *EmailAddress   `json:"BillEmail,omitempty"`
	BillEmailCc                  *EmailAddress   `json:"BillEmailCc,omitempty"`
	BillEmailBcc                 *EmailAddress   `json:"BillEmailBcc,omitempty"`
	DeliveryInfo                 *DeliveryInfo   `json:"DeliveryInfo,omitempty"`
	Balance                      Money           `json:"Balance"`
	HomeBalance                  *Money          `json:"HomeBalance,omitempty"`
	Deposit                      *Money          `json:"Deposit,omitempty"`
	DepositToAccountRef          *Ref            `json:"DepositToAccountRef,omitempty"`
	TxnSource                    string          `json:"TxnSource,omitempty"`
	InvoiceLink                  string          `json:"InvoiceLink,omitempty"`
	PONumber                     string          `json:"PONumber,omitempty"`
	SalesRepRef                  *Ref            `json:"SalesRepRef,omitempty"`
	PaymentMethodRef             *Ref            `json:"PaymentMethodRef,omitempty"`
	PaymentRefNum                string          `json:"PaymentRefNum,omitempty"`
	RemitToRef                   *Ref            `json:"RemitToRef,omitempty"`
	InvoiceEx                    json.RawMessage `json:"InvoiceEx,omitempty"`
}

// Line is a transaction line. Which detail applies is named by DetailType;
// the other detail fields are accepted on input (rwestlund/quickbooks-go
// sends several empty ones on every line) and dropped.
type Line struct {
	Id                            string                 `json:"Id,omitempty"`
	LineNum                       int                    `json:"LineNum,omitempty"`
	Description                   string                 `json:"Description,omitempty"`
	Amount                        *Money                 `json:"Amount,omitempty"`
	DetailType                    string                 `json:"DetailType,omitempty"`
	SalesItemLineDetail           *SalesItemLineDetail   `json:"SalesItemLineDetail,omitempty"`
	DiscountLineDetail            *DiscountLineDetail    `json:"DiscountLineDetail,omitempty"`
	SubTotalLineDetail            *struct{}              `json:"SubTotalLineDetail,omitempty"`
	DescriptionLineDetail         *DescriptionLineDetail `json:"DescriptionLineDetail,omitempty"`
	TaxLineDetail                 *TaxLineDetail         `json:"TaxLineDetail,omitempty"`
	GroupLineDetail               json.RawMessage        `json:"GroupLineDetail,omitempty"`
	AccountBasedExpenseLineDetail json.RawMessage        `json:"AccountBasedExpenseLineDetail,omitempty"`
	ItemBasedExpenseLineDetail    json.RawMessage        `json:"ItemBasedExpenseLineDetail,omitempty"`
	LinkedTxn                     []LinkedTxn            `json:"LinkedTxn,omitempty"`
	LineEx                        json.RawMessage        `json:"LineEx,omitempty"`
	CustomField                   []CustomField          `json:"CustomField,omitempty"`
}

// SalesItemLineDetail is the detail of a product or service line.
type SalesItemLineDetail struct {
	ItemRef         *Ref            `json:"ItemRef,omitempty"`
	ClassRef        *Ref            `json:"ClassRef,omitempty"`
	UnitPrice       Decimal         `json:"UnitPrice,omitempty"`
	Qty             Decimal         `json:"Qty,omitempty"`
	ItemAccountRef  *Ref            `json:"ItemAccountRef,omitempty"`
	TaxCodeRef      *Ref            `json:"TaxCodeRef,omitempty"`
	ServiceDate     Date            `json:"ServiceDate,omitempty"`
	TaxInclusiveAmt *Money          `json:"TaxInclusiveAmt,omitempty"`
	DiscountRate    Decimal         `json:"DiscountRate,omitempty"`
	DiscountAmt     *Money          `json:"DiscountAmt,omitempty"`
	MarkupInfo      json.RawMessage `json:"MarkupInfo,omitempty"`
}

// DiscountLineDetail is a discount on the lines above it.
type DiscountLineDetail struct {
	PercentBased       bool    `json:"PercentBased"`
	DiscountPercent    Decimal `json:"DiscountPercent,omitempty"`
	DiscountAccountRef *Ref    `json:"DiscountAccountRef,omitempty"`
	ClassRef           *Ref    `json:"ClassRef,omitempty"`
	TaxCodeRef         *Ref    `json:"TaxCodeRef,omitempty"`
}

// DescriptionLineDetail is the detail of a DescriptionOnly line.
type DescriptionLineDetail struct {
	ServiceDate Date `json:"ServiceDate,omitempty"`
	TaxCodeRef  *Ref `json:"TaxCodeRef,omitempty"`
}

// TxnTaxDetail is the computed tax of a transaction (reference §1.2).
type TxnTaxDetail struct {
	TxnTaxCodeRef *Ref   `json:"TxnTaxCodeRef,omitempty"`
	TotalTax      Money  `json:"TotalTax"`
	TaxLine       []Line `json:"TaxLine,omitempty"`
}

// TaxLineDetail is one rate's share of the tax.
type TaxLineDetail struct {
	TaxRateRef          *Ref    `json:"TaxRateRef,omitempty"`
	PercentBased        bool    `json:"PercentBased"`
	TaxPercent          Decimal `json:"TaxPercent,omitempty"`
	NetAmountTaxable    *Money  `json:"NetAmountTaxable,omitempty"`
	TaxInclusiveAmount  *Money  `json:"TaxInclusiveAmount,omitempty"`
	OverrideDeltaAmount *Money  `json:"OverrideDeltaAmount,omitempty"`
}

// DeliveryInfo records the last e-mail delivery (set by /send).
type DeliveryInfo struct {
	DeliveryType string     `json:"DeliveryType,omitempty"`
	DeliveryTime *Timestamp `json:"DeliveryTime,omitempty"`
}

// Enumerations of reference §1.2 (X1 EmailStatusEnum, PrintStatusEnum).
var (
	emailStatuses = map[string]bool{"NotSet": true, "NeedToSend": true, "EmailSent": true}
	printStatuses = map[string]bool{"NotSet": true, "NeedToPrint": true, "PrintComplete": true}
	globalTaxCalc = map[string]bool{"TaxExcluded": true, "TaxInclusive": true, "NotApplicable": true}
)

// invoiceOpts are the query parameters that change how an invoice is saved.
type invoiceOpts struct {
	allowDuplicateDocNum bool // ?include=allowduplicatedocnum (reference §1.2)
}

// saveInvoice validates and completes an invoice create (prev == nil) or
// update. It fills what QBO fills (reference §1.2): DocNumber, TxnDate,
// DueDate, CurrencyRef, addresses and BillEmail from the customer, line
// ids, the SubTotal line, tax, TotalAmt and Balance.
func (w *work) saveInvoice(in *Invoice, prev *Invoice, opt invoiceOpts) (*Invoice, *qboError) {
	inv := *in
	inv.Base = Base{}
	inv.TotalAmt, inv.Balance, inv.HomeTotalAmt, inv.HomeBalance = 0, 0, nil, nil
	inv.LinkedTxn, inv.DeliveryInfo, inv.InvoiceLink = nil, nil, ""
	for _, p := range []**Ref{&inv.CustomerRef, &inv.DepartmentRef, &inv.CurrencyRef, &inv.ClassRef,
		&inv.SalesTermRef, &inv.ShipMethodRef, &inv.DepositToAccountRef, &inv.SalesRepRef,
		&inv.PaymentMethodRef, &inv.RemitToRef} {
		*p = refOrNil(*p)
	}
	inv.BillAddr, inv.ShipAddr = addrOrNil(inv.BillAddr), addrOrNil(inv.ShipAddr)
	inv.BillEmail, inv.CustomerMemo = emailOrNil(inv.BillEmail), memoOrNil(inv.CustomerMemo)
	inv.BillEmailCc, inv.BillEmailBcc = emailOrNil(inv.BillEmailCc), emailOrNil(inv.BillEmailBcc)

	if inv.CustomerRef == nil {
		return nil, errRequired("CustomerRef")
	}
	cust, e := w.refCustomer(inv.CustomerRef)
	if e != nil {
		return nil, e
	}
	inv.CustomerRef = &Ref{Value: cust.Id, Name: cust.DisplayName}
	if e := w.invoiceEnums(&inv); e != nil {
		return nil, e
	}
	if e := w.invoiceDates(&inv, cust); e != nil {
		return nil, e
	}
	if e := w.invoiceCurrency(&inv, cust); e != nil {
		return nil, e
	}
	if e := w.invoiceDocNumber(&inv, prev, opt); e != nil {
		return nil, e
	}
	if n := len([]rune(inv.PrivateNote)); n > 4000 {
		return nil, errLength(4000, n)
	}
	if inv.BillAddr == nil {
		inv.BillAddr = cust.BillAddr
	}
	if inv.ShipAddr == nil {
		inv.ShipAddr = cust.ShipAddr
	}
	if inv.BillEmail == nil {
		inv.BillEmail = cust.PrimaryEmailAddr
	}
	if inv.EmailStatus == "NeedToSend" && inv.BillEmail == nil {
		return nil, errRequired("BillEmail")
	}
	if e := w.computeInvoice(&inv, prev); e != nil {
		return nil, e
	}
	if prev != nil {
		// Payments stay applied across edits (reference §1.2 LinkedTxn).
		paid := prev.TotalAmt - prev.Balance
		if paid > inv.TotalAmt {
			return nil, errBusiness("The invoice total can't be less than the payments applied to it.")
		}
		inv.Balance = inv.TotalAmt - paid
		inv.LinkedTxn = append([]LinkedTxn(nil), prev.LinkedTxn...)
		inv.DeliveryInfo = prev.DeliveryInfo
	}
	inv.HomeBalance = w.homeAmount(&inv, inv.Balance)
	if inv.LinkedTxn == nil {
		inv.LinkedTxn = []LinkedTxn{}
	}
	return &inv, nil
}

// invoiceEnums defaults and checks the status enums (2170 when unknown).
func (w *work) invoiceEnums(inv *Invoice) *qboError {
	if inv.EmailStatus == "" {
		inv.EmailStatus = "NotSet"
	}
	if !emailStatuses[inv.EmailStatus] {
		return errInvalidEnum(inv.EmailStatus)
	}
	if inv.PrintStatus == "" {
		inv.PrintStatus = "NotSet"
		if c, ok := w.r.customers.get(inv.CustomerRef.Value); ok && c.PreferredDeliveryMethod == "Print" {
			inv.PrintStatus = "NeedToPrint" // as recorded for a Print customer (R1 create/invoice.yml)
		}
	}
	if !printStatuses[inv.PrintStatus] {
		return errInvalidEnum(inv.PrintStatus)
	}
	if inv.GlobalTaxCalculation != "" && !globalTaxCalc[inv.GlobalTaxCalculation] {
		return errInvalidEnum(inv.GlobalTaxCalculation)
	}
	return nil
}

// invoiceDates fills TxnDate (today in the company's zone) and DueDate from
// SalesTermRef, else the customer's term, else Preferences' DefaultTerms,
// else TxnDate+30 (reference §1.2).
func (w *work) invoiceDates(inv *Invoice, cust *Customer) *qboError {
	if inv.TxnDate == "" {
		inv.TxnDate = dateOf(w.now)
	}
	term := inv.SalesTermRef
	if term == nil && cust.SalesTermRef != nil {
		term = cust.SalesTermRef
	}
	if term == nil {
		term = w.r.prefs.SalesFormsPrefs.DefaultTerms
	}
	if term != nil {
		t, e := w.refTerm(term)
		if e != nil {
			return e
		}
		inv.SalesTermRef = &Ref{Value: t.Id, Name: t.Name}
		if inv.DueDate == "" {
			inv.DueDate = t.dueDate(inv.TxnDate)
		}
	}
	if inv.DueDate == "" {
		inv.DueDate = inv.TxnDate.addDays(30)
	}
	return nil
}

// invoiceCurrency defaults CurrencyRef to the customer's currency (itself
// the home currency by default) and checks multicurrency rules.
func (w *work) invoiceCurrency(inv *Invoice, cust *Customer) *qboError {
	cur := inv.CurrencyRef
	if cur == nil {
		cur = cust.CurrencyRef
	}
	ref, e := w.currencyRef(cur)
	if e != nil {
		return e
	}
	if cust.CurrencyRef != nil && ref.Value != cust.CurrencyRef.Value {
		return errBusiness("The transaction currency must match the customer's currency " + cust.CurrencyRef.Value + ".")
	}
	inv.CurrencyRef = ref
	if ref.Value == w.r.home() {
		inv.ExchangeRate = ""
		return nil
	}
	if inv.ExchangeRate == "" {
		// QBO looks the rate up; the fake has no rate table, so 1 unless given.
		inv.ExchangeRate = "1"
	}
	return nil
}

// invoiceDocNumber assigns the next number when QBO numbers invoices, keeps
// DocNumber absent when CustomTxnNumbers is on, and enforces uniqueness
// (6140) unless ?include=allowduplicatedocnum (reference §1.2, §1.7).
func (w *work) invoiceDocNumber(inv *Invoice, prev *Invoice, opt invoiceOpts) *qboError {
	inv.DocNumber = strings.TrimSpace(inv.DocNumber)
	if inv.DocNumber == "" && prev != nil {
		inv.DocNumber = prev.DocNumber // our choice: a full update keeps the number
	}
	if inv.DocNumber == "" && !w.r.prefs.SalesFormsPrefs.CustomTxnNumbers {
		inv.DocNumber = w.r.nextDocNumber()
	}
	if inv.DocNumber == "" {
		return nil
	}
	if n := len([]rune(inv.DocNumber)); n > 21 {
		return errLength(21, n)
	}
	if opt.allowDuplicateDocNum {
		return nil
	}
	for _, other := range w.r.invoices.all() {
		if (prev == nil || other.Id != prev.Id) && other.DocNumber == inv.DocNumber {
			return errDuplicateDocNumber(inv.DocNumber, "Invoice", other.Id)
		}
	}
	return nil
}

// nextDocNumber is one more than the highest numeric DocNumber, from 1001.
func (r *realm) nextDocNumber() string {
	next := 1001
	for _, inv := range r.invoices.all() {
		if n, err := strconv.Atoi(inv.DocNumber); err == nil && n >= next {
			next = n + 1
		}
	}
	return strconv.Itoa(next)
}

// homeAmount converts an amount to the home currency when the invoice is in
// a foreign one (HomeTotalAmt, HomeBalance; reference §1.2).
func (w *work) homeAmount(inv *Invoice, m Money) *Money {
	if inv.CurrencyRef == nil || inv.CurrencyRef.Value == w.r.home() {
		return nil
	}
	h := mulMoney(Decimal(m.String()), inv.ExchangeRate)
	if m == 0 {
		h = 0
	}
	return &h
}
