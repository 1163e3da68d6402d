package quickbooks

import (
	"context"
	"encoding/json"
	"fmt"
	"math/bits"
	"net/http"
	"net/url"
	"strings"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Creates: our own request types, never the library's entities (reference
// 8 defect 5: they marshal zero dates, empty {} refs and RFC 3339
// datetimes). Every optional field is omitempty and every reference a
// pointer, so what is not set is not sent; dates are YYYY-MM-DD strings;
// amounts and quantities are json.Number built from app.Money and
// app.Quantity, exact decimals that never pass through a float.

// maxRequestID is QBO's limit on requestid (reference 1.1).
const maxRequestID = 50

// ref is a reference to another QBO object: {"value":"58"}.
type ref struct {
	Value string `json:"value"`
}

// refTo returns a reference to id, or nil for "" (never an empty ref).
func refTo(id string) *ref {
	if id == "" {
		return nil
	}
	return &ref{Value: id}
}

type emailAddr struct {
	Address string
}

type phone struct {
	FreeFormNumber string
}

type memo struct {
	Value string `json:"value"`
}

// customerCreate is the body of POST customer (reference 1.3).
type customerCreate struct {
	DisplayName      string     `json:",omitempty"`
	CompanyName      string     `json:",omitempty"`
	GivenName        string     `json:",omitempty"`
	FamilyName       string     `json:",omitempty"`
	PrimaryEmailAddr *emailAddr `json:",omitempty"`
	PrimaryPhone     *phone     `json:",omitempty"`
	CurrencyRef      *ref       `json:",omitempty"`
}

// invoiceCreate is the body of POST invoice, in the shape of reference 1.2.
type invoiceCreate struct {
	CustomerRef  ref
	DocNumber    string     `json:",omitempty"`
	TxnDate      string     `json:",omitempty"` // YYYY-MM-DD
	DueDate      string     `json:",omitempty"` // YYYY-MM-DD
	SalesTermRef *ref       `json:",omitempty"`
	BillEmail    *emailAddr `json:",omitempty"`
	CustomerMemo *memo      `json:",omitempty"`
	CurrencyRef  *ref       `json:",omitempty"`
	// GlobalTaxCalculation is required outside the US and not for the US
	// (reference 1.2, 1.5).
	GlobalTaxCalculation string `json:",omitempty"`
	EmailStatus          string // NotSet: a draft, never e-mailed
	Line                 []lineCreate
}

type lineCreate struct {
	DetailType          string // SalesItemLineDetail
	Amount              json.Number
	Description         string `json:",omitempty"`
	SalesItemLineDetail salesItemLineDetail
}

type salesItemLineDetail struct {
	ItemRef    ref
	Qty        json.Number
	UnitPrice  json.Number
	TaxCodeRef *ref `json:",omitempty"`
}

// checkRequestID requires the idempotency key of a create: without one a
// create could not be retried safely (doc.go, "Idempotent").
func checkRequestID(kind, requestID string) error {
	if requestID == "" || len(requestID) > maxRequestID {
		return app.Errorf(app.Invalid, "Creating a QuickBooks %s needs a request id of 1 to %d characters.", kind, maxRequestID)
	}
	return nil
}

// CreateCustomer creates a customer with POST customer?requestid=…; a
// repeat of requestID gets QBO's first answer, so a lost answer is retried
// safely. Every field is trimmed and sent only when set. The display name
// (or, without one, the given and family names) must not hold ':', a tab
// or a line break (reference 1.3). Errors: Invalid (bad input, before any
// call, or a QBO validation fault); Conflict when the name is taken by a
// customer, vendor or employee (6240); NotConnected, Unavailable, Internal.
func (c *Client) CreateCustomer(ctx context.Context, conn app.Connection, nc app.NewCustomer, requestID string) (app.Customer, error) {
	if err := checkRequestID("customer", requestID); err != nil {
		return app.Customer{}, err
	}
	body, name, err := customerBody(nc)
	if err != nil {
		return app.Customer{}, err
	}
	var resp struct{ Customer customer }
	err = c.do(ctx, conn, http.MethodPost, "customer", url.Values{"requestid": {requestID}}, body, &resp)
	if err != nil {
		return app.Customer{}, reword(err, customerCreateFault(name))
	}
	if resp.Customer.ID == "" {
		return app.Customer{}, undecodable("POST /v3/company/"+conn.RealmID+"/customer", fmt.Errorf("no Customer in the answer"))
	}
	return resp.Customer.toApp(conn), nil
}

// customerBody builds and checks the create body; name is the display name
// QBO will give the customer (DisplayName, else the name parts, as QBO
// builds it).
func customerBody(nc app.NewCustomer) (customerCreate, string, error) {
	body := customerCreate{
		DisplayName: strings.TrimSpace(nc.DisplayName),
		CompanyName: strings.TrimSpace(nc.CompanyName),
		GivenName:   strings.TrimSpace(nc.GivenName),
		FamilyName:  strings.TrimSpace(nc.FamilyName),
		CurrencyRef: refTo(strings.TrimSpace(nc.Currency)),
	}
	if e := strings.TrimSpace(nc.Email); e != "" {
		body.PrimaryEmailAddr = &emailAddr{Address: e}
	}
	if p := strings.TrimSpace(nc.Phone); p != "" {
		body.PrimaryPhone = &phone{FreeFormNumber: p}
	}
	name := body.DisplayName
	if name == "" {
		name = strings.TrimSpace(body.GivenName + " " + body.FamilyName)
	}
	switch {
	case name == "":
		return body, "", app.Errorf(app.Invalid, "A QuickBooks customer needs a display name.")
	case strings.ContainsAny(name, ":\t\r\n"):
		return body, "", app.Errorf(app.Invalid, "A QuickBooks customer name cannot contain a colon, a tab or a line break.")
	}
	return body, name, nil
}

// CreateInvoice creates a draft invoice (EmailStatus NotSet: never
// e-mailed) with POST invoice?requestid=…, idempotent like CreateCustomer,
// and returns it as Invoices reads it. Lines are SalesItemLineDetail lines
// whose Amount is line.Amount(), which must be exact to the cent (QBO
// refuses an Amount other than Qty × UnitPrice, 6070). Outside the US
// (conn.Country other than "US") GlobalTaxCalculation is TaxExcluded and
// every line needs a tax code; in the US a line's code is TAX, NON or
// empty (the item decides). These rules are checked before any call.
// Without DocNumber QBO numbers the invoice, unless custom transaction
// numbers are on: then it has no number (reference 1.2). Errors: Invalid,
// before any call or from QBO's validation; Conflict for a number already
// used (6140); NotFound when the customer, an item, the term or a tax code
// is inactive or deleted (610); NotConnected, Unavailable, Internal.
func (c *Client) CreateInvoice(ctx context.Context, conn app.Connection, ni app.NewInvoice, requestID string) (app.Invoice, error) {
	if err := checkRequestID("invoice", requestID); err != nil {
		return app.Invoice{}, err
	}
	body, err := invoiceBody(conn, ni)
	if err != nil {
		return app.Invoice{}, err
	}
	var resp struct{ Invoice invoice }
	err = c.do(ctx, conn, http.MethodPost, "invoice", url.Values{"requestid": {requestID}}, body, &resp)
	if err != nil {
		return app.Invoice{}, reword(err, invoiceCreateFault(body))
	}
	op := "POST /v3/company/" + conn.RealmID + "/invoice"
	if resp.Invoice.ID == "" {
		return app.Invoice{}, undecodable(op, fmt.Errorf("no Invoice in the answer"))
	}
	inv, err := resp.Invoice.toApp()
	if err != nil {
		return app.Invoice{}, undecodable(op, err)
	}
	return inv, nil
}

// maxLines is QBO's limit on the lines of a taxable invoice (reference 1.2).
const maxLines = 750

// maxDocNumber is QBO's limit on DocNumber (reference 1.2).
const maxDocNumber = 21

// invoiceBody builds and checks the create body.
func invoiceBody(conn app.Connection, ni app.NewInvoice) (invoiceCreate, error) {
	us := isUS(conn)
	body := invoiceCreate{
		CustomerRef:  ref{Value: ni.CustomerID},
		DocNumber:    strings.TrimSpace(ni.DocNumber),
		TxnDate:      ni.TxnDate.String(),
		DueDate:      ni.DueDate.String(),
		SalesTermRef: refTo(ni.TermID),
		CurrencyRef:  refTo(strings.TrimSpace(ni.Currency)),
		EmailStatus:  "NotSet",
	}
	if e := strings.TrimSpace(ni.BillEmail); e != "" {
		body.BillEmail = &emailAddr{Address: e}
	}
	if m := strings.TrimSpace(ni.CustomerMemo); m != "" {
		body.CustomerMemo = &memo{Value: m}
	}
	if !us {
		body.GlobalTaxCalculation = "TaxExcluded"
	}
	if err := checkID("customer", ni.CustomerID); err != nil {
		return body, err
	}
	if ni.TermID != "" {
		if err := checkID("term", ni.TermID); err != nil {
			return body, err
		}
	}
	if n := len([]rune(body.DocNumber)); n > maxDocNumber {
		return body, app.Errorf(app.Invalid, "An invoice number can have at most %d characters; %q has %d.", maxDocNumber, clip(body.DocNumber, 40), n)
	}
	switch {
	case len(ni.Lines) == 0:
		return body, app.Errorf(app.Invalid, "An invoice needs at least one line.")
	case len(ni.Lines) > maxLines:
		return body, app.Errorf(app.Invalid, "An invoice can have at most %d lines; this one has %d.", maxLines, len(ni.Lines))
	}
	for i, l := range ni.Lines {
		n := i + 1
		if err := checkID("product or service", l.ItemID); err != nil {
			return body, app.Errorf(app.Invalid, "Line %d: %s", n, app.ErrorMessage(err))
		}
		tax := strings.TrimSpace(l.TaxCodeID)
		switch {
		case us && tax != "" && tax != "TAX" && tax != "NON":
			return body, app.Errorf(app.Invalid, "Line %d: a US company's tax code must be TAX or NON.", n)
		case !us && tax == "":
			return body, app.Errorf(app.Invalid, "Line %d: a tax code is required for companies outside the US.", n)
		case !us:
			if err := checkID("tax code", tax); err != nil {
				return body, app.Errorf(app.Invalid, "Line %d: %s", n, app.ErrorMessage(err))
			}
		}
		if err := exactAmount(l); err != nil {
			return body, app.Errorf(app.Invalid, "Line %d: %s", n, app.ErrorMessage(err))
		}
		body.Line = append(body.Line, lineCreate{
			DetailType:  "SalesItemLineDetail",
			Amount:      json.Number(l.Amount().String()),
			Description: strings.TrimSpace(l.Description),
			SalesItemLineDetail: salesItemLineDetail{
				ItemRef:    ref{Value: l.ItemID},
				Qty:        json.Number(l.Quantity.String()),
				UnitPrice:  json.Number(l.UnitPrice.String()),
				TaxCodeRef: refTo(tax),
			},
		})
	}
	return body, nil
}

// exactAmount checks that Quantity × UnitPrice is a whole number of cents
// that fits an int64, so line.Amount() is exact and QBO's Amount = Qty ×
// UnitPrice rule (6070) holds.
func exactAmount(l app.InvoiceLine) error {
	q, p := int64(l.Quantity), int64(l.UnitPrice)
	hi, lo := bits.Mul64(absU(q), absU(p))
	if hi != 0 || lo > 1<<62 {
		return app.Errorf(app.Invalid, "%s × %s is too large an amount.", l.Quantity, l.UnitPrice)
	}
	if (q*p)%100 != 0 {
		return app.Errorf(app.Invalid, "%s × %s does not come to whole cents; QuickBooks needs the line amount to equal quantity × unit price.", l.Quantity, l.UnitPrice)
	}
	return nil
}

func absU(v int64) uint64 {
	if v < 0 {
		return uint64(-v)
	}
	return uint64(v)
}
