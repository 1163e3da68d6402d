package qbofake

import "encoding/json"

// Payment is QBO's Payment (reference §1.2 LinkedTxn). A payment applied to
// invoices moves their Balance and appears in their LinkedTxn as
// {"TxnId":"<payment>","TxnType":"Payment"}.
type Payment struct {
	CustomerRef         *Ref          `json:"CustomerRef,omitempty"`
	DepositToAccountRef *Ref          `json:"DepositToAccountRef,omitempty"`
	PaymentMethodRef    *Ref          `json:"PaymentMethodRef,omitempty"`
	PaymentRefNum       string        `json:"PaymentRefNum,omitempty"`
	TotalAmt            *Money        `json:"TotalAmt,omitempty"`
	UnappliedAmt        *Money        `json:"UnappliedAmt,omitempty"`
	ProcessPayment      bool          `json:"ProcessPayment"`
	Base                              // domain, sparse, Id, SyncToken, MetaData
	TxnDate             Date          `json:"TxnDate,omitempty"`
	CurrencyRef         *Ref          `json:"CurrencyRef,omitempty"`
	ExchangeRate        Decimal       `json:"ExchangeRate,omitempty"`
	PrivateNote         string        `json:"PrivateNote,omitempty"`
	Line                []PaymentLine `json:"Line"`
}

// PaymentLine applies part of a payment to one transaction.
type PaymentLine struct {
	Amount    *Money          `json:"Amount,omitempty"`
	LinkedTxn []LinkedTxn     `json:"LinkedTxn,omitempty"`
	LineEx    json.RawMessage `json:"LineEx,omitempty"`
}

// savePayment validates a payment create or update without applying it:
// CustomerRef and TotalAmt are required (2020); each line links one invoice
// of the same customer and currency and may not exceed what is open on it;
// the lines may not exceed TotalAmt. prev, on update, is treated as already
// unapplied.
func (w *work) savePayment(in *Payment, prev *Payment) (*Payment, *qboError) {
	p := *in
	p.Base = Base{}
	p.CustomerRef, p.DepositToAccountRef = refOrNil(p.CustomerRef), refOrNil(p.DepositToAccountRef)
	p.PaymentMethodRef, p.CurrencyRef = refOrNil(p.PaymentMethodRef), refOrNil(p.CurrencyRef)
	if p.CustomerRef == nil {
		return nil, errRequired("CustomerRef")
	}
	if p.TotalAmt == nil {
		return nil, errRequired("TotalAmt")
	}
	if *p.TotalAmt < 0 {
		return nil, errBusiness("The payment amount can't be negative.")
	}
	cust, e := w.refCustomer(p.CustomerRef)
	if e != nil {
		return nil, e
	}
	p.CustomerRef = &Ref{Value: cust.Id, Name: cust.DisplayName}
	if p.TxnDate == "" {
		p.TxnDate = dateOf(w.now)
	}
	cur := p.CurrencyRef
	if cur == nil {
		cur = cust.CurrencyRef
	}
	if p.CurrencyRef, e = w.currencyRef(cur); e != nil {
		return nil, e
	}
	if p.CurrencyRef.Value == w.r.home() {
		p.ExchangeRate = ""
	} else if p.ExchangeRate == "" {
		p.ExchangeRate = "1"
	}
	var applied Money
	lines := make([]PaymentLine, 0, len(p.Line))
	for _, l := range p.Line {
		if l.Amount == nil {
			return nil, errRequired("Line.Amount")
		}
		if *l.Amount <= 0 {
			return nil, errBusiness("Each payment line must have a positive Amount.")
		}
		if len(l.LinkedTxn) != 1 {
			return nil, errRequired("LinkedTxn")
		}
		link := l.LinkedTxn[0]
		if link.TxnType != "Invoice" {
			return nil, errBusiness("The sandbox fake applies payments to invoices only; TxnType " + link.TxnType + " is not supported.")
		}
		inv, e := w.refInvoice(link.TxnId)
		if e != nil {
			return nil, e
		}
		if inv.CustomerRef.Value != cust.Id {
			return nil, errBusiness("Invoice " + inv.Id + " belongs to another customer.")
		}
		if inv.CurrencyRef.Value != p.CurrencyRef.Value {
			return nil, errBusiness("Invoice " + inv.Id + " is in another currency.")
		}
		open := inv.Balance + appliedTo(prev, inv.Id)
		if *l.Amount > open {
			return nil, errBusiness("The amount applied to invoice " + inv.Id + " is more than its open balance.")
		}
		applied += *l.Amount
		lines = append(lines, PaymentLine{Amount: l.Amount, LinkedTxn: []LinkedTxn{{TxnId: inv.Id, TxnType: "Invoice"}}})
	}
	if applied > *p.TotalAmt {
		return nil, errBusiness("The amount applied to transactions exceeds the payment amount (TotalAmt).")
	}
	p.Line = lines
	p.UnappliedAmt = moneyPtr(*p.TotalAmt - applied)
	return &p, nil
}

// appliedTo is how much of payment p is applied to invoice id.
func appliedTo(p *Payment, id string) Money {
	if p == nil {
		return 0
	}
	var sum Money
	for _, l := range p.Line {
		for _, t := range l.LinkedTxn {
			if t.TxnType == "Invoice" && t.TxnId == id && l.Amount != nil {
				sum += *l.Amount
			}
		}
	}
	return sum
}

// applyPayment moves the balances of the invoices p is applied to: sign +1
// applies, −1 takes the application back. Each invoice touched gets a new
// SyncToken, an updated LinkedTxn and an Update notification.
func (w *work) applyPayment(p *Payment, sign int) {
	seen := map[string]bool{}
	for _, l := range p.Line {
		for _, t := range l.LinkedTxn {
			inv, ok := w.r.invoices.get(t.TxnId)
			if !ok || t.TxnType != "Invoice" || l.Amount == nil {
				continue
			}
			inv.Balance -= Money(sign) * *l.Amount
			inv.HomeBalance = w.homeAmount(inv, inv.Balance)
			if !seen[inv.Id] {
				seen[inv.Id] = true
				inv.LinkedTxn = withoutLink(inv.LinkedTxn, p.Id)
				if sign > 0 {
					inv.LinkedTxn = append(inv.LinkedTxn, LinkedTxn{TxnId: p.Id, TxnType: "Payment"})
				}
				w.bump(&inv.Base)
				w.changed("Invoice", inv.Id, opUpdate)
			}
		}
	}
	w.refreshBalance(p.CustomerRef.Value)
}

func withoutLink(links []LinkedTxn, paymentID string) []LinkedTxn {
	out := []LinkedTxn{}
	for _, l := range links {
		if !(l.TxnType == "Payment" && l.TxnId == paymentID) {
			out = append(out, l)
		}
	}
	return out
}

// voidPayment zeroes a payment, as voiding does in QBO, after its
// application has been taken back.
func voidPayment(p *Payment) {
	p.TotalAmt, p.UnappliedAmt = moneyPtr(0), moneyPtr(0)
	for i := range p.Line {
		p.Line[i].Amount = moneyPtr(0)
	}
	if p.PrivateNote == "" {
		p.PrivateNote = "Voided"
	} else {
		p.PrivateNote = "Voided - " + p.PrivateNote
	}
}
