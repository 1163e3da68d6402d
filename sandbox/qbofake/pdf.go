package qbofake

import (
	"bytes"
	"fmt"
	"strings"
)

// invoicePDF renders an invoice as a one-page PDF 1.4, written by hand: the
// standard Helvetica fonts (no embedding), one content stream, and a cross
// reference table whose offsets are computed from the bytes written, so any
// PDF reader opens it. It shows the company, the invoice number, dates,
// customer, lines and totals; a voided invoice is marked VOID.
func invoicePDF(rl *realm, inv *Invoice) []byte {
	var c contentStream
	cur := ""
	if inv.CurrencyRef != nil {
		cur = " " + inv.CurrencyRef.Value
	}
	y := 740.0
	c.text("F2", 18, 50, y, rl.info.CompanyName)
	c.text("F2", 24, 430, y, "INVOICE")
	y -= 40
	number := inv.DocNumber
	if number == "" {
		number = "(no number)"
	}
	c.text("F1", 11, 50, y, "Invoice no.: "+number)
	c.text("F1", 11, 330, y, "Date: "+string(inv.TxnDate))
	y -= 16
	if inv.CustomerRef != nil {
		c.text("F1", 11, 50, y, "Bill to: "+inv.CustomerRef.Name)
	}
	c.text("F1", 11, 330, y, "Due: "+string(inv.DueDate))
	y -= 16
	if inv.BillEmail != nil {
		c.text("F1", 11, 50, y, inv.BillEmail.Address)
	}
	if strings.HasPrefix(inv.PrivateNote, "Voided") {
		c.text("F2", 28, 400, y, "VOID")
	}
	y -= 32
	c.text("F2", 11, 50, y, "Description")
	c.text("F2", 11, 330, y, "Qty")
	c.text("F2", 11, 390, y, "Rate")
	c.text("F2", 11, 470, y, "Amount")
	y -= 6
	c.line(50, y, 562, y)
	y -= 16
	for _, l := range inv.Line {
		if l.DetailType == "SubTotalLineDetail" || y < 140 {
			continue
		}
		desc := l.Description
		qty, rate := "", ""
		if d := l.SalesItemLineDetail; d != nil {
			if desc == "" && d.ItemRef != nil {
				desc = d.ItemRef.Name
			}
			qty, rate = string(d.Qty), string(d.UnitPrice)
		}
		if l.DetailType == "DiscountLineDetail" && desc == "" {
			desc = "Discount"
		}
		c.text("F1", 10, 50, y, clipText(desc, 48))
		c.text("F1", 10, 330, y, qty)
		c.text("F1", 10, 390, y, rate)
		if l.Amount != nil {
			amount := l.Amount.String()
			if l.DetailType == "DiscountLineDetail" {
				amount = "-" + amount
			}
			c.text("F1", 10, 470, y, amount)
		}
		y -= 15
	}
	y -= 4
	c.line(330, y, 562, y)
	y -= 16
	var subtotal Money
	for _, l := range inv.Line {
		if l.DetailType == "SubTotalLineDetail" && l.Amount != nil {
			subtotal = *l.Amount
		}
	}
	var tax Money
	if inv.TxnTaxDetail != nil {
		tax = inv.TxnTaxDetail.TotalTax
	}
	for _, row := range []struct {
		label string
		m     Money
		bold  bool
	}{{"Subtotal", subtotal, false}, {"Tax", tax, false}, {"Total", inv.TotalAmt, true}, {"Balance due", inv.Balance, true}} {
		font := "F1"
		if row.bold {
			font = "F2"
		}
		c.text(font, 11, 330, y, row.label)
		c.text(font, 11, 470, y, row.m.String()+cur)
		y -= 16
	}
	if inv.CustomerMemo != nil {
		c.text("F1", 10, 50, 90, clipText(inv.CustomerMemo.Value, 90))
	}
	return buildPDF(c.Bytes())
}

// contentStream builds PDF page content operators.
type contentStream struct{ bytes.Buffer }

func (c *contentStream) text(font string, size, x, y float64, s string) {
	fmt.Fprintf(c, "BT /%s %g Tf %g %g Td (%s) Tj ET\n", font, size, x, y, pdfString(s))
}

func (c *contentStream) line(x1, y1, x2, y2 float64) {
	fmt.Fprintf(c, "0.5 w %g %g m %g %g l S\n", x1, y1, x2, y2)
}

// pdfString escapes a string for a PDF literal in WinAnsiEncoding: Latin-1
// passes as single bytes, anything else becomes '?'.
func pdfString(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		case r >= 0xa0 && r <= 0xff:
			fmt.Fprintf(&b, "\\%03o", r)
		default:
			b.WriteByte('?')
		}
	}
	return b.String()
}

func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-3]) + "..."
	}
	return s
}

// buildPDF assembles the document around one page's content.
func buildPDF(content []byte) []byte {
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] " +
			"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objects))
	for i, obj := range objects {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, obj)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
	return b.Bytes()
}
