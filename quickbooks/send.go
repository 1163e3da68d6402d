package quickbooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// An invoice's PDF and its e-mail (reference 1.1 paths, 1.2 EmailStatus).

// maxPDFBytes caps InvoicePDF's maxBytes: the PDF is held in memory.
const maxPDFBytes = 1 << 30

// pdfMagic starts every PDF file.
var pdfMagic = []byte("%PDF-")

// InvoicePDF reads the invoice's PDF with GET invoice/{id}/pdf (Accept:
// application/pdf). At most maxBytes+1 bytes are read: a larger PDF is
// Invalid ("The invoice PDF is larger than 10 MB."), never a truncated
// file. An answer that does not start with %PDF- is Internal. The id must
// be digits (Invalid before any call); maxBytes must be positive, and is
// taken as 1 GB above that. Errors: Invalid, NotFound (no such invoice),
// NotConnected, Unavailable, Internal.
func (c *Client) InvoicePDF(ctx context.Context, conn app.Connection, invoiceID string, maxBytes int64) ([]byte, error) {
	if err := checkID("invoice", invoiceID); err != nil {
		return nil, err
	}
	if maxBytes <= 0 {
		return nil, fmt.Errorf("quickbooks: InvoicePDF with maxBytes %d", maxBytes)
	}
	maxBytes = min(maxBytes, maxPDFBytes)
	path := "invoice/" + invoiceID + "/pdf"
	var pdf []byte
	err := c.call(ctx, conn, request{method: http.MethodGet, path: path,
		accept: "application/pdf", raw: &pdf, limit: maxBytes})
	if err != nil {
		if ue := upstream(err); ue.Status == http.StatusOK && errors.Is(err, errBodyTooLarge) {
			return nil, app.Wrapf(ue, app.Invalid, "The invoice PDF is larger than %s.", sizeText(maxBytes))
		}
		return nil, reword(err, invoiceGone)
	}
	if !bytes.HasPrefix(pdf, pdfMagic) {
		return nil, undecodable("GET /v3/company/"+conn.RealmID+"/"+path, fmt.Errorf("answer of %d bytes is not a PDF", len(pdf)))
	}
	return pdf, nil
}

// sizeText says n bytes for a person: "10 MB", "1.5 MB", "512 KB", "100 bytes".
func sizeText(n int64) string {
	unit := func(u int64, name string) string {
		s := strconv.FormatFloat(float64(n)/float64(u), 'f', 1, 64)
		return strings.TrimSuffix(s, ".0") + " " + name
	}
	switch {
	case n >= 1<<20:
		return unit(1<<20, "MB")
	case n >= 1<<10:
		return unit(1<<10, "KB")
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// maxEmail bounds the address SendInvoice sends to (QBO's e-mail fields
// hold 100 characters).
const maxEmail = 100

// SendInvoice e-mails the invoice with POST invoice/{id}/send (no body,
// Content-Type application/octet-stream as Intuit documents it), to email
// (?sendTo=, which QBO also stores as the invoice's BillEmail) or, when
// email is empty, to the invoice's BillEmail. It returns the invoice as QBO
// now has it: EmailStatus EmailSent, a new SyncToken. The address is
// checked loosely before any call (one address: an @, no spaces or control
// characters, at most 100 characters); QBO judges the rest. requestID,
// when set (at most 50 characters), goes as ?requestid=: a repeat returns
// QBO's first answer, so the call is retried after a 5xx or a lost answer;
// without one it is never retried once it may have reached QBO (a second
// e-mail to the customer is worse than an error). Errors: Invalid (bad
// input; no address to send to; QBO refusing the address); NotFound (no
// such invoice); NotConnected, Unavailable, Internal.
func (c *Client) SendInvoice(ctx context.Context, conn app.Connection, invoiceID, email, requestID string) (app.Invoice, error) {
	if err := checkID("invoice", invoiceID); err != nil {
		return app.Invoice{}, err
	}
	to, err := checkSendTo(email)
	if err != nil {
		return app.Invoice{}, err
	}
	if len(requestID) > maxRequestID {
		return app.Invoice{}, app.Errorf(app.Invalid, "A QuickBooks request id has at most %d characters.", maxRequestID)
	}
	q := url.Values{}
	if to != "" {
		q.Set("sendTo", to)
	}
	if requestID != "" {
		q.Set("requestid", requestID)
	}
	path := "invoice/" + invoiceID + "/send"
	var resp struct{ Invoice invoice }
	err = c.call(ctx, conn, request{method: http.MethodPost, path: path, query: q,
		contentType: "application/octet-stream", out: &resp})
	if err != nil {
		return app.Invoice{}, reword(err, invoiceSendFault)
	}
	op := "POST /v3/company/" + conn.RealmID + "/" + path
	if resp.Invoice.ID == "" {
		return app.Invoice{}, undecodable(op, fmt.Errorf("no Invoice in the answer"))
	}
	inv, err := resp.Invoice.toApp()
	if err != nil {
		return app.Invoice{}, undecodable(op, err)
	}
	return inv, nil
}

// checkSendTo trims and loosely checks a send's address; "" stays "" (the
// invoice's BillEmail is used).
func checkSendTo(email string) (string, error) {
	e := strings.TrimSpace(email)
	if e == "" {
		return "", nil
	}
	bad := func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }
	if len(e) > maxEmail || !utf8.ValidString(e) || !strings.Contains(e, "@") || strings.IndexFunc(e, bad) >= 0 {
		return "", app.Errorf(app.Invalid, "%q is not an e-mail address QuickBooks can send the invoice to.", clip(e, maxEmail))
	}
	return e, nil
}

// invoiceGone words 610 for a read of one invoice: invoices are deleted,
// never made inactive.
func invoiceGone(ue *UpstreamError) string {
	if ue.Code == "610" {
		return "This invoice no longer exists in QuickBooks."
	}
	return ""
}

// invoiceSendFault words the faults of a send: 610 as invoiceGone; 2020 on
// BillEmail (no address given and none on the invoice) says what to do.
// 6000 keeps QBO's sentence ("Invalid email address: …").
func invoiceSendFault(ue *UpstreamError) string {
	if ue.Code == "2020" && strings.EqualFold(ue.Element, "BillEmail") {
		return "This invoice has no billing e-mail address in QuickBooks; give an address to send it to."
	}
	return invoiceGone(ue)
}
