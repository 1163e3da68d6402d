package qbofake

import (
	"math/big"
	"strconv"
)

// computeInvoice checks and numbers the lines and computes the SubTotal
// line, discount, tax, TotalAmt and Balance (reference §1.2, §1.5).
//
// Rules: Amount must equal round(Qty × UnitPrice, 2) (6070); US lines carry
// TAX or NON (6100) and are taxed at the rates of the transaction's tax
// group; non-US lines must carry a real, active tax code (our choice of
// error: 6000, the code QBO uses for "Make sure all your transactions have a
// VAT rate") and are taxed per code, GlobalTaxCalculation defaulting to
// TaxExcluded. A discount line reduces the total, and the taxable base only
// when ApplyTaxAfterDiscount is set.
func (w *work) computeInvoice(inv *Invoice, prev *Invoice) *qboError {
	lines, e := w.checkLines(inv, prev)
	if e != nil {
		return e
	}
	var subtotal, discount Money
	var discountLine *Line
	for i := range lines {
		l := &lines[i]
		if l.DetailType == "SalesItemLineDetail" {
			subtotal += *l.Amount
		}
		if l.DetailType == "DiscountLineDetail" {
			discountLine = l
		}
	}
	if discountLine != nil {
		d := discountLine.DiscountLineDetail
		if d.PercentBased {
			amt := percentOf(subtotal, d.DiscountPercent)
			discountLine.Amount = &amt
		} else {
			d.DiscountPercent = ""
		}
		if discountLine.Amount == nil {
			return errRequired("Amount")
		}
		discount = *discountLine.Amount
		if discount < 0 || discount > subtotal {
			return errBusiness("The discount can't be more than the subtotal.")
		}
	}
	if !w.r.us() && inv.GlobalTaxCalculation == "" {
		inv.GlobalTaxCalculation = "TaxExcluded"
	}
	if w.r.us() {
		inv.GlobalTaxCalculation = "" // "not for US" (reference §1.2)
	}
	tax, e := w.computeTax(inv, lines, subtotal, discount)
	if e != nil {
		return e
	}
	inv.TxnTaxDetail = tax
	lines = append(lines, Line{Amount: moneyPtr(subtotal), DetailType: "SubTotalLineDetail", SubTotalLineDetail: &struct{}{}})
	inv.Line = lines
	inv.TotalAmt = subtotal - discount
	if inv.GlobalTaxCalculation != "TaxInclusive" {
		inv.TotalAmt += tax.TotalTax
	}
	inv.Balance = inv.TotalAmt
	inv.HomeTotalAmt = w.homeAmount(inv, inv.TotalAmt)
	return nil
}

// checkLines validates each input line by DetailType, drops SubTotal lines
// (QBO computes its own) and numbers the rest: existing numeric Ids are
// kept, new lines get the next free Id, LineNum is the position.
func (w *work) checkLines(inv *Invoice, prev *Invoice) ([]Line, *qboError) {
	var lines []Line
	sales, discounts := 0, 0
	for _, in := range inv.Line {
		l := in
		switch l.DetailType {
		case "SubTotalLineDetail":
			continue
		case "SalesItemLineDetail":
			if e := w.salesLine(&l, inv); e != nil {
				return nil, e
			}
			sales++
		case "DescriptionOnly":
			l.Amount = nil
			if l.DescriptionLineDetail == nil {
				l.DescriptionLineDetail = &DescriptionLineDetail{}
			}
			l.DescriptionLineDetail.TaxCodeRef = refOrNil(l.DescriptionLineDetail.TaxCodeRef)
			sales++
		case "DiscountLineDetail":
			if l.DiscountLineDetail == nil {
				l.DiscountLineDetail = &DiscountLineDetail{}
			}
			d := l.DiscountLineDetail
			d.DiscountAccountRef, d.ClassRef, d.TaxCodeRef = refOrNil(d.DiscountAccountRef), refOrNil(d.ClassRef), refOrNil(d.TaxCodeRef)
			discounts++
		case "GroupLineDetail":
			return nil, errBusiness("Group items are not supported by the sandbox fake.")
		case "":
			return nil, errRequired("DetailType")
		default:
			return nil, errInvalidEnum(l.DetailType)
		}
		clearOtherDetails(&l)
		lines = append(lines, l)
	}
	if sales == 0 {
		return nil, errRequired("Line")
	}
	if discounts > 1 {
		return nil, errBusiness("An invoice can have only one discount line.")
	}
	if len(lines) > 750 {
		return nil, errBusiness("An invoice can have at most 750 lines.")
	}
	numberLines(lines)
	return lines, nil
}

// clearOtherDetails keeps only the detail that DetailType names.
func clearOtherDetails(l *Line) {
	keep := l.DetailType
	if keep != "SalesItemLineDetail" {
		l.SalesItemLineDetail = nil
	}
	if keep != "DiscountLineDetail" {
		l.DiscountLineDetail = nil
	}
	if keep != "DescriptionOnly" {
		l.DescriptionLineDetail = nil
	}
	l.SubTotalLineDetail, l.TaxLineDetail = nil, nil
	l.GroupLineDetail, l.AccountBasedExpenseLineDetail, l.ItemBasedExpenseLineDetail = nil, nil, nil
	l.LineEx, l.LinkedTxn = nil, nil
}

func numberLines(lines []Line) {
	used := map[string]bool{}
	max := 0
	for _, l := range lines {
		if n, err := strconv.Atoi(l.Id); err == nil && n > 0 && !used[l.Id] {
			used[l.Id] = true
			if n > max {
				max = n
			}
		}
	}
	seen := map[string]bool{}
	for i := range lines {
		l := &lines[i]
		if n, err := strconv.Atoi(l.Id); err != nil || n <= 0 || seen[l.Id] {
			max++
			l.Id = strconv.Itoa(max)
		}
		seen[l.Id] = true
		l.LineNum = i + 1
	}
}

// salesLine validates a SalesItemLineDetail line: the item must exist and
// be active, Amount must match Qty × UnitPrice, and the tax code must suit
// the company's country.
func (w *work) salesLine(l *Line, inv *Invoice) *qboError {
	if l.SalesItemLineDetail == nil {
		return errRequired("SalesItemLineDetail")
	}
	d := *l.SalesItemLineDetail
	l.SalesItemLineDetail = &d
	d.ItemRef, d.ClassRef, d.ItemAccountRef = refOrNil(d.ItemRef), refOrNil(d.ClassRef), refOrNil(d.ItemAccountRef)
	d.TaxCodeRef, d.TaxInclusiveAmt, d.DiscountAmt, d.DiscountRate = refOrNil(d.TaxCodeRef), nil, nil, ""
	if d.ItemRef == nil {
		return errRequired("ItemRef")
	}
	item, e := w.refItem(d.ItemRef)
	if e != nil {
		return e
	}
	d.ItemRef = &Ref{Value: item.Id, Name: item.Name}
	switch {
	case d.Qty != "" && d.UnitPrice != "":
		want := mulMoney(d.Qty, d.UnitPrice)
		if l.Amount == nil {
			l.Amount = &want
		} else if *l.Amount != want {
			return errAmount(*l.Amount)
		}
	case d.Qty != "" && l.Amount == nil:
		d.UnitPrice = item.UnitPrice
		amt := mulMoney(d.Qty, d.UnitPrice)
		l.Amount = &amt
	case l.Amount == nil:
		return errRequired("Amount")
	}
	if w.r.us() {
		return w.usTaxCode(&d, item)
	}
	if inv.GlobalTaxCalculation == "NotApplicable" {
		d.TaxCodeRef = nil
		return nil
	}
	if d.TaxCodeRef == nil {
		return errBusiness("Make sure all your transactions have a " + w.r.taxWord() + " rate before you save.")
	}
	tc, e := w.refTaxCode(d.TaxCodeRef)
	if e != nil {
		return e
	}
	d.TaxCodeRef = &Ref{Value: tc.Id}
	return nil
}

// usTaxCode applies the US rule: TAX or NON only (6100); absent means the
// item's Taxable flag decides.
func (w *work) usTaxCode(d *SalesItemLineDetail, item *Item) *qboError {
	code := "NON"
	if item.Taxable != nil && *item.Taxable {
		code = "TAX"
	}
	if d.TaxCodeRef != nil {
		code = d.TaxCodeRef.Value
		if code != "TAX" && code != "NON" {
			return errUSTaxCode(code)
		}
	}
	d.TaxCodeRef = &Ref{Value: code}
	return nil
}

// taxWord names sales tax the way each country's QBO does in messages.
func (r *realm) taxWord() string {
	switch r.country() {
	case "GB", "IE", "FR":
		return "VAT"
	case "CA":
		return "GST/HST"
	case "AU", "NZ", "SG":
		return "GST"
	}
	return "tax"
}

// computeTax builds TxnTaxDetail.
func (w *work) computeTax(inv *Invoice, lines []Line, subtotal, discount Money) (*TxnTaxDetail, *qboError) {
	// The fraction of each line's amount that stays taxable after discount.
	keep := big.NewRat(1, 1)
	if inv.ApplyTaxAfterDiscount && discount > 0 && subtotal > 0 {
		keep = big.NewRat(int64(subtotal-discount), int64(subtotal))
	}
	net := func(m Money) Money { return moneyFromRat(new(big.Rat).Mul(m.rat(), keep)) }

	if w.r.us() {
		return w.usTax(inv, lines, net)
	}
	out := &TxnTaxDetail{}
	if inv.GlobalTaxCalculation == "NotApplicable" {
		return out, nil
	}
	var order []string
	base := map[string]Money{}
	for _, l := range lines {
		if l.DetailType != "SalesItemLineDetail" {
			continue
		}
		code := l.SalesItemLineDetail.TaxCodeRef.Value
		if _, ok := base[code]; !ok {
			order = append(order, code)
		}
		base[code] += net(*l.Amount)
	}
	for _, code := range order {
		tc, _ := w.r.taxCodes.get(code)
		for _, rate := range w.r.rates(tc) {
			amount, taxable := base[code], base[code]
			tax := percentOf(amount, rate.RateValue)
			if inv.GlobalTaxCalculation == "TaxInclusive" {
				// amount holds tax: net = gross / (1 + rate).
				g := new(big.Rat).Quo(amount.rat(), new(big.Rat).Add(big.NewRat(1, 1), new(big.Rat).Quo(rate.RateValue.rat(), big.NewRat(100, 1))))
				taxable = moneyFromRat(g)
				tax = amount - taxable
			}
			out.TaxLine = append(out.TaxLine, taxLine(rate, tax, taxable))
			out.TotalTax += tax
		}
	}
	return out, nil
}

// usTax taxes the TAX lines at the rates of the transaction's tax group:
// TxnTaxDetail.TxnTaxCodeRef if the client sent one, else
// Preferences.TaxPrefs.TaxGroupCodeRef when sales tax is set up. Sandbox
// companies do not run Automated Sales Tax (reference §1.5, T1).
func (w *work) usTax(inv *Invoice, lines []Line, net func(Money) Money) (*TxnTaxDetail, *qboError) {
	var group *Ref
	if inv.TxnTaxDetail != nil {
		group = refOrNil(inv.TxnTaxDetail.TxnTaxCodeRef)
	}
	if group == nil && w.r.prefs.TaxPrefs.UsingSalesTax {
		group = w.r.prefs.TaxPrefs.TaxGroupCodeRef
	}
	var taxable Money
	for _, l := range lines {
		if l.DetailType == "SalesItemLineDetail" && l.SalesItemLineDetail.TaxCodeRef.Value == "TAX" {
			taxable += net(*l.Amount)
		}
	}
	out := &TxnTaxDetail{}
	if group == nil || taxable == 0 {
		return out, nil
	}
	tc, e := w.refTaxCode(group)
	if e != nil {
		return nil, e
	}
	out.TxnTaxCodeRef = &Ref{Value: tc.Id}
	for _, rate := range w.r.rates(tc) {
		tax := percentOf(taxable, rate.RateValue)
		out.TaxLine = append(out.TaxLine, taxLine(rate, tax, taxable))
		out.TotalTax += tax
	}
	return out, nil
}

func taxLine(rate *TaxRate, tax, taxable Money) Line {
	return Line{
		Amount:     moneyPtr(tax),
		DetailType: "TaxLineDetail",
		TaxLineDetail: &TaxLineDetail{
			TaxRateRef:       &Ref{Value: rate.Id},
			PercentBased:     true,
			TaxPercent:       rate.RateValue,
			NetAmountTaxable: moneyPtr(taxable),
		},
	}
}

func moneyPtr(m Money) *Money { return &m }

// voidInvoice zeroes every amount and quantity and prepends "Voided" to
// PrivateNote (reference §1.2, R1 void/invoice.yml). EmailStatus is kept.
func voidInvoice(inv *Invoice) {
	zero := func() *Money { return moneyPtr(0) }
	for i := range inv.Line {
		l := &inv.Line[i]
		if l.Amount != nil {
			l.Amount = zero()
		}
		if d := l.SalesItemLineDetail; d != nil && d.Qty != "" {
			d.Qty = "0"
		}
	}
	if t := inv.TxnTaxDetail; t != nil {
		t.TotalTax = 0
		for i := range t.TaxLine {
			t.TaxLine[i].Amount = zero()
			if d := t.TaxLine[i].TaxLineDetail; d != nil && d.NetAmountTaxable != nil {
				d.NetAmountTaxable = zero()
			}
		}
	}
	inv.TotalAmt, inv.Balance = 0, 0
	if inv.HomeTotalAmt != nil {
		inv.HomeTotalAmt = zero()
	}
	if inv.HomeBalance != nil {
		inv.HomeBalance = zero()
	}
	if inv.PrivateNote == "" {
		inv.PrivateNote = "Voided"
	} else {
		inv.PrivateNote = "Voided - " + inv.PrivateNote // separator is our choice [?]
	}
}
