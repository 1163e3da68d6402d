package server

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// invoiceBody is the create request, and the "invoice" of a draft: money
// and quantities are decimal strings, dates YYYY-MM-DD.
type invoiceBody struct {
	IdempotencyKey string       `json:"idempotencyKey,omitempty"`
	ConnectionID   string       `json:"connectionId"`
	QuoteID        string       `json:"quoteId,omitempty"`
	Customer       customerBody `json:"customer"`
	DocNumber      string       `json:"docNumber,omitempty"`
	TxnDate        string       `json:"txnDate"`
	DueDate        string       `json:"dueDate,omitempty"`
	TermID         string       `json:"termId,omitempty"`
	BillEmail      string       `json:"billEmail,omitempty"`
	Message        string       `json:"message,omitempty"`
	Lines          []lineBody   `json:"lines"`
}

type customerBody struct {
	ID  string           `json:"id,omitempty"`
	New *newCustomerBody `json:"new,omitempty"`
}

type newCustomerBody struct {
	DisplayName string `json:"displayName"`
	CompanyName string `json:"companyName,omitempty"`
	GivenName   string `json:"givenName,omitempty"`
	FamilyName  string `json:"familyName,omitempty"`
	Email       string `json:"email,omitempty"`
	Phone       string `json:"phone,omitempty"`
}

type lineBody struct {
	ItemID      string `json:"itemId"`
	Description string `json:"description,omitempty"`
	Quantity    string `json:"quantity"`
	UnitPrice   string `json:"unitPrice"`
	TaxCodeID   string `json:"taxCodeId,omitempty"`
}

// toInvoiceRequest converts the body, naming every field it cannot read.
func (b invoiceBody) toInvoiceRequest() (app.InvoiceRequest, error) {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	r := app.InvoiceRequest{
		ConnectionID: b.ConnectionID, QuoteID: b.QuoteID, DocNumber: b.DocNumber, TermID: b.TermID,
		BillEmail: strings.TrimSpace(b.BillEmail), Message: b.Message, Customer: app.CustomerChoice{ID: b.Customer.ID},
	}
	if nc := b.Customer.New; nc != nil {
		r.Customer.New = &app.NewCustomer{DisplayName: strings.TrimSpace(nc.DisplayName), CompanyName: nc.CompanyName,
			GivenName: nc.GivenName, FamilyName: nc.FamilyName, Email: nc.Email, Phone: nc.Phone}
	}
	date := func(field, s string) app.Date {
		if s == "" {
			return app.Date{}
		}
		d, err := app.ParseDate(s)
		if err != nil {
			add("%s: %q is not a date (YYYY-MM-DD)", field, s)
		}
		return d
	}
	r.TxnDate, r.DueDate = date("txnDate", b.TxnDate), date("dueDate", b.DueDate)
	for i, l := range b.Lines {
		q, err := app.ParseQuantity(l.Quantity)
		if err != nil {
			add("lines[%d].quantity: %q is not a number with at most two decimals", i, l.Quantity)
		}
		p, err := app.ParseMoney(l.UnitPrice)
		if err != nil {
			add("lines[%d].unitPrice: %q is not an amount with at most two decimals", i, l.UnitPrice)
		}
		r.Lines = append(r.Lines, app.RequestLine{ItemID: l.ItemID, Description: l.Description, Quantity: q, UnitPrice: p, TaxCodeID: l.TaxCodeID})
	}
	if len(problems) > 0 {
		return r, app.Errorf(app.Invalid, "Please fix: %s.", strings.Join(problems, "; "))
	}
	return r, nil
}

func fromInvoiceRequest(r app.InvoiceRequest) invoiceBody {
	b := invoiceBody{
		ConnectionID: r.ConnectionID, QuoteID: r.QuoteID, DocNumber: r.DocNumber, TxnDate: r.TxnDate.String(),
		DueDate: r.DueDate.String(), TermID: r.TermID, BillEmail: r.BillEmail, Message: r.Message,
		Customer: customerBody{ID: r.Customer.ID}, Lines: make([]lineBody, 0, len(r.Lines)),
	}
	if nc := r.Customer.New; nc != nil {
		b.Customer.New = &newCustomerBody{DisplayName: nc.DisplayName, CompanyName: nc.CompanyName, GivenName: nc.GivenName,
			FamilyName: nc.FamilyName, Email: nc.Email, Phone: nc.Phone}
	}
	for _, l := range r.Lines {
		b.Lines = append(b.Lines, lineBody{ItemID: l.ItemID, Description: l.Description, Quantity: l.Quantity.String(),
			UnitPrice: l.UnitPrice.String(), TaxCodeID: l.TaxCodeID})
	}
	return b
}

// draftResponse is a prefilled invoice and what is left to choose.
type draftResponse struct {
	Connection        connectionJSON  `json:"connection"`
	Source            string          `json:"source"`
	Quote             *quoteJSON      `json:"quote,omitempty"`
	Quotes            []quoteJSON     `json:"quotes"`
	Customers         []candidateJSON `json:"customers"`
	Lines             []draftLineJSON `json:"lines"`
	TaxCodes          []taxCodeJSON   `json:"taxCodes"`
	Terms             []termJSON      `json:"terms"`
	DocNumberRequired bool            `json:"docNumberRequired"`
	Currency          draftCurrency   `json:"currency"`
	Invoice           invoiceBody     `json:"invoice"`
	Missing           []string        `json:"missing"`
}

type quoteJSON struct {
	ID          string `json:"id"`
	Number      string `json:"number,omitempty"`
	Title       string `json:"title,omitempty"`
	Status      string `json:"status"`
	ExpiresAt   string `json:"expiresAt,omitempty"`
	Invoiceable bool   `json:"invoiceable"`
	Reason      string `json:"reason,omitempty"`
}

type candidateJSON struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	CompanyName string `json:"companyName,omitempty"`
	Email       string `json:"email,omitempty"`
	Currency    string `json:"currency,omitempty"`
	Reason      string `json:"reason"`
}

type draftLineJSON struct {
	LineItemID string `json:"lineItemId"`
	Name       string `json:"name"`
	SKU        string `json:"sku,omitempty"`
	Quantity   string `json:"quantity"`
	UnitPrice  string `json:"unitPrice"`
	ItemID     string `json:"itemId,omitempty"`
	ItemName   string `json:"itemName,omitempty"`
	Match      string `json:"match,omitempty"`
}

type taxCodeJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type termJSON struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	DueDays int    `json:"dueDays"`
	// DayOfMonthDue and DueNextMonthDays are set for a date-driven term
	// (due on a day of the month); see app.Term.DueDate.
	DayOfMonthDue    int `json:"dayOfMonthDue,omitempty"`
	DueNextMonthDays int `json:"dueNextMonthDays,omitempty"`
}

func toTermJSON(t app.Term) termJSON {
	return termJSON{ID: t.ID, Name: t.Name, DueDays: t.DueDays, DayOfMonthDue: t.DayOfMonthDue, DueNextMonthDays: t.DueNextMonthDays}
}

type draftCurrency struct {
	Invoice            string `json:"invoice"`
	Deal               string `json:"deal,omitempty"`
	DealPropertiesNote string `json:"dealPropertiesNote,omitempty"`
	MultiCurrencyNote  string `json:"multiCurrencyNote,omitempty"`
}

func toQuoteJSON(q app.Quote, ok bool, reason string) quoteJSON {
	j := quoteJSON{ID: q.ID, Number: q.Number, Title: q.Title, Status: q.Status, Invoiceable: ok, Reason: reason}
	if !q.ExpiresAt.IsZero() {
		j.ExpiresAt = q.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return j
}

func (s *Server) handleInvoiceDraft(c echo.Context) error {
	obj, err := recordFrom(c)
	if err != nil {
		return err
	}
	quoteID := c.QueryParam("quoteId")
	if quoteID != "" && !hubspotID.MatchString(quoteID) {
		return app.Errorf(app.Invalid, "The quote id %q is not a HubSpot id (digits only).", truncate(quoteID, 40))
	}
	d, err := s.svc.InvoiceDraft(c.Request().Context(), callerOf(c).PortalID, obj, c.QueryParam("connectionId"), quoteID)
	if err != nil {
		return err
	}
	resp := draftResponse{
		Connection: toConnectionJSON(d.Connection), Source: d.Source, DocNumberRequired: d.DocNumberRequired,
		Quotes: []quoteJSON{}, Customers: []candidateJSON{}, Lines: []draftLineJSON{}, TaxCodes: []taxCodeJSON{}, Terms: []termJSON{},
		Currency: draftCurrency{Invoice: d.InvoiceCurrency, Deal: d.DealCurrency, DealPropertiesNote: d.DealPropertiesNote,
			MultiCurrencyNote: d.MultiCurrencyNote},
		Invoice: fromInvoiceRequest(d.Invoice), Missing: append([]string{}, d.Missing...),
	}
	if d.Quote != nil {
		q := toQuoteJSON(*d.Quote, true, "")
		resp.Quote = &q
	}
	for _, o := range d.Quotes {
		resp.Quotes = append(resp.Quotes, toQuoteJSON(o.Quote, o.Invoiceable, o.Reason))
	}
	for _, cand := range d.Candidates {
		cu := cand.Customer
		resp.Customers = append(resp.Customers, candidateJSON{ID: cu.ID, DisplayName: cu.DisplayName, CompanyName: cu.CompanyName,
			Email: cu.Email, Currency: cu.Currency, Reason: cand.Reason})
	}
	for _, l := range d.Lines {
		resp.Lines = append(resp.Lines, draftLineJSON{LineItemID: l.LineItem.ID, Name: l.LineItem.Name, SKU: l.LineItem.SKU,
			Quantity: l.LineItem.Quantity.String(), UnitPrice: l.LineItem.UnitPrice.String(), ItemID: l.ItemID, ItemName: l.ItemName, Match: l.Match})
	}
	for _, t := range d.TaxCodes {
		resp.TaxCodes = append(resp.TaxCodes, taxCodeJSON{ID: t.ID, Name: t.Name})
	}
	for _, t := range d.Terms {
		resp.Terms = append(resp.Terms, toTermJSON(t))
	}
	return c.JSON(http.StatusOK, resp)
}

// createResponse is the new invoice as the card shows it.
type createResponse struct {
	Invoice         invoiceJSON        `json:"invoice"`
	Links           []linkJSON         `json:"links"`
	CustomerCreated bool               `json:"customerCreated"`
	DealProperties  dealPropertiesJSON `json:"dealProperties"`
	Notices         []string           `json:"notices"`
	Replayed        bool               `json:"replayed"`
}

type linkJSON struct {
	LinkID     string `json:"linkId"`
	ObjectType string `json:"objectType"`
	ObjectID   string `json:"objectId"`
}

type dealPropertiesJSON struct {
	Written bool              `json:"written"`
	Values  map[string]string `json:"values,omitempty"`
	Reason  string            `json:"reason,omitempty"`
}

func (s *Server) handleInvoiceCreate(c echo.Context) error {
	obj, err := recordFrom(c)
	if err != nil {
		return err
	}
	var body invoiceBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if n := len([]rune(body.IdempotencyKey)); n < 8 || n > 100 {
		return app.Errorf(app.Invalid, "Please fix: idempotencyKey: 8 to 100 characters are required.")
	}
	req, err := body.toInvoiceRequest()
	if err != nil {
		return err
	}
	res, err := s.svc.CreateInvoice(c.Request().Context(), callerOf(c).PortalID, obj, body.IdempotencyKey, req)
	if err != nil {
		return err
	}
	resp := createResponse{
		Invoice: toInvoiceJSON(res.Invoice), CustomerCreated: res.CustomerCreated, Replayed: res.Replayed,
		Notices: append([]string{}, res.Notices...), Links: []linkJSON{},
		DealProperties: dealPropertiesJSON{Written: res.DealProperties.Written, Values: res.DealProperties.Values, Reason: res.DealProperties.Reason},
	}
	for _, l := range res.Links {
		resp.Links = append(resp.Links, linkJSON{LinkID: l.ID, ObjectType: string(l.Object.Type), ObjectID: l.Object.ID})
	}
	status := http.StatusCreated
	if res.Replayed {
		status = http.StatusOK
	}
	return c.JSON(status, resp)
}
