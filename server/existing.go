package server

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// foundInvoiceJSON is one search result; linkId is set when it is already
// linked to the record searched from.
type foundInvoiceJSON struct {
	InvoiceID    string `json:"invoiceId"`
	Number       string `json:"number,omitempty"`
	CustomerName string `json:"customerName,omitempty"`
	BillEmail    string `json:"billEmail,omitempty"`
	Currency     string `json:"currency,omitempty"`
	Total        string `json:"total"`
	Balance      string `json:"balance"`
	InvoiceDate  string `json:"invoiceDate,omitempty"`
	DueDate      string `json:"dueDate,omitempty"`
	Status       string `json:"status"`
	StatusLabel  string `json:"statusLabel"`
	Overdue      bool   `json:"overdue"`
	Linked       bool   `json:"linked"`
	LinkID       string `json:"linkId,omitempty"`
	WebURL       string `json:"webUrl,omitempty"`
}

type searchResponse struct {
	Connection connectionJSON     `json:"connection"`
	Page       int                `json:"page"`
	More       bool               `json:"more"`
	Invoices   []foundInvoiceJSON `json:"invoices"`
}

func (s *Server) handleInvoiceSearch(c echo.Context) error {
	page := 1
	if p := c.QueryParam("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1000 {
			return app.Errorf(app.Invalid, "Please fix: page: %q is not a page number (1 to 1000).", truncate(p, 20))
		}
		page = n
	}
	var record *app.ObjectRef
	if t := c.QueryParam("objectType"); t != "" {
		ot, err := app.ParseObjectType(t)
		if err != nil {
			return err
		}
		id := c.QueryParam("objectId")
		if !hubspotID.MatchString(id) {
			return app.Errorf(app.Invalid, "The record id %q is not a HubSpot id (digits only).", truncate(id, 40))
		}
		record = &app.ObjectRef{Type: ot, ID: id}
	}
	res, err := s.svc.SearchInvoices(c.Request().Context(), callerOf(c).PortalID, c.Param("id"), c.QueryParam("q"), page, record)
	if err != nil {
		return err
	}
	resp := searchResponse{Connection: toConnectionJSON(res.Connection), Page: res.Page, More: res.More, Invoices: []foundInvoiceJSON{}}
	for _, f := range res.Invoices {
		inv := f.Invoice
		resp.Invoices = append(resp.Invoices, foundInvoiceJSON{
			InvoiceID: inv.ID, Number: inv.DocNumber, CustomerName: inv.CustomerName, BillEmail: inv.BillEmail, Currency: inv.Currency,
			Total: inv.Total.String(), Balance: inv.Balance.String(), InvoiceDate: inv.TxnDate.String(), DueDate: inv.DueDate.String(),
			Status: string(f.Status), StatusLabel: f.Status.Label(), Overdue: f.Overdue, Linked: f.LinkID != "", LinkID: f.LinkID, WebURL: f.WebURL,
		})
	}
	return c.JSON(http.StatusOK, resp)
}

type addBody struct {
	ConnectionID string   `json:"connectionId"`
	InvoiceIDs   []string `json:"invoiceIds"`
}

type addedJSON struct {
	Added   bool        `json:"added"`
	Invoice invoiceJSON `json:"invoice"`
}

type addResponse struct {
	Invoices       []addedJSON        `json:"invoices"`
	DealProperties dealPropertiesJSON `json:"dealProperties"`
}

func (s *Server) handleInvoiceLinksAdd(c echo.Context) error {
	obj, err := recordFrom(c)
	if err != nil {
		return err
	}
	var body addBody
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	res, err := s.svc.AddInvoices(c.Request().Context(), callerOf(c).PortalID, obj, body.ConnectionID, body.InvoiceIDs)
	if err != nil {
		return err
	}
	resp := addResponse{Invoices: []addedJSON{}, DealProperties: toDealPropertiesJSON(res.DealProperties)}
	status := http.StatusOK // nothing new
	for _, a := range res.Invoices {
		resp.Invoices = append(resp.Invoices, addedJSON{Added: a.Added, Invoice: toInvoiceJSON(a.Invoice)})
		if a.Added {
			status = http.StatusCreated
		}
	}
	return c.JSON(status, resp)
}

func toDealPropertiesJSON(r app.DealPropertiesResult) dealPropertiesJSON {
	return dealPropertiesJSON{Written: r.Written, Values: r.Values, Reason: r.Reason}
}

func (s *Server) handleInvoiceLinkDelete(c echo.Context) error {
	obj, err := recordFrom(c)
	if err != nil {
		return err
	}
	props, err := s.svc.UnlinkInvoice(c.Request().Context(), callerOf(c).PortalID, obj, c.Param("linkId"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]dealPropertiesJSON{"dealProperties": toDealPropertiesJSON(props)})
}

func (s *Server) handleInvoicePDF(c echo.Context) error {
	invoiceID := c.Param("invoiceId")
	pdf, webURL, err := s.svc.InvoicePDF(c.Request().Context(), callerOf(c).PortalID, c.Param("id"), invoiceID)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set("Content-Disposition", `inline; filename="invoice-`+invoiceID+`.pdf"`)
	h.Set("X-QuickBooks-Invoice-Url", webURL)
	h.Set("Cache-Control", "private, no-store")
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

type sendBody struct {
	Email          string `json:"email,omitempty"`
	IdempotencyKey string `json:"idempotencyKey,omitempty"`
}

type sendResponse struct {
	Invoice        invoiceJSON          `json:"invoice"`
	DealProperties []dealPropertiesJSON `json:"dealProperties"`
}

func (s *Server) handleInvoiceSend(c echo.Context) error {
	var body sendBody
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
	}
	if n := len([]rune(body.IdempotencyKey)); n != 0 && (n < 8 || n > 100) {
		return app.Errorf(app.Invalid, "Please fix: idempotencyKey: 8 to 100 characters.")
	}
	res, err := s.svc.SendInvoice(c.Request().Context(), callerOf(c).PortalID, c.Param("id"), c.Param("invoiceId"), body.Email, body.IdempotencyKey)
	if err != nil {
		return err
	}
	resp := sendResponse{Invoice: toInvoiceJSON(res.Invoice), DealProperties: []dealPropertiesJSON{}}
	for _, d := range res.DealProperties {
		resp.DealProperties = append(resp.DealProperties, toDealPropertiesJSON(d))
	}
	return c.JSON(http.StatusOK, resp)
}
