package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// hubspotID is a CRM record id: digits only.
var hubspotID = regexp.MustCompile(`^[0-9]{1,20}$`)

// recordFrom reads and checks the record of a /records/{objectType}/{objectId} route.
func recordFrom(c echo.Context) (app.ObjectRef, error) {
	t, err := app.ParseObjectType(c.Param("objectType"))
	if err != nil {
		return app.ObjectRef{}, err
	}
	id := c.Param("objectId")
	if !hubspotID.MatchString(id) {
		return app.ObjectRef{}, app.Errorf(app.Invalid, "The record id %q is not a HubSpot id (digits only).", truncate(id, 40))
	}
	return app.ObjectRef{Type: t, ID: id}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// connectionJSON is a QuickBooks company as the card sees it; tokens never
// leave the service.
type connectionJSON struct {
	ID               string `json:"id"`
	RealmID          string `json:"realmId"`
	CompanyName      string `json:"companyName"`
	Country          string `json:"country"`
	Currency         string `json:"currency"`
	CustomTxnNumbers bool   `json:"customTxnNumbers"`
	MultiCurrency    bool   `json:"multiCurrency"`
	State            string `json:"state"`
}

func toConnectionJSON(c app.Connection) connectionJSON {
	return connectionJSON{
		ID: c.ID, RealmID: c.RealmID, CompanyName: c.CompanyName, Country: c.Country,
		Currency: c.Currency, CustomTxnNumbers: c.CustomTxnNumbers, MultiCurrency: c.MultiCurrency, State: string(c.State),
	}
}

type connectionsResponse struct {
	Connections []connectionJSON `json:"connections"`
}

func (s *Server) handleConnections(c echo.Context) error {
	conns, err := s.svc.Connections(c.Request().Context(), callerOf(c).PortalID)
	if err != nil {
		return err
	}
	resp := connectionsResponse{Connections: make([]connectionJSON, 0, len(conns))}
	for _, conn := range conns {
		resp.Connections = append(resp.Connections, toConnectionJSON(conn))
	}
	return c.JSON(http.StatusOK, resp)
}

// recordInvoicesResponse is the card's whole view of one record.
type recordInvoicesResponse struct {
	Record      recordJSON       `json:"record"`
	Connections []connectionJSON `json:"connections"`
	Groups      []groupJSON      `json:"groups"`
	Actions     []actionJSON     `json:"actions"`
}

type recordJSON struct {
	ObjectType string `json:"objectType"`
	ObjectID   string `json:"objectId"`
}

type groupJSON struct {
	Connection connectionJSON `json:"connection"`
	Today      string         `json:"today"`
	Stale      bool           `json:"stale"`
	Notice     string         `json:"notice,omitempty"`
	Invoices   []invoiceJSON  `json:"invoices"`
}

// invoiceJSON carries money as decimal strings ("297.00"), never floats.
type invoiceJSON struct {
	LinkID       string `json:"linkId"`
	InvoiceID    string `json:"invoiceId"`
	Origin       string `json:"origin"`
	Known        bool   `json:"known"`
	Number       string `json:"number,omitempty"`
	CustomerName string `json:"customerName,omitempty"`
	BillEmail    string `json:"billEmail,omitempty"`
	Currency     string `json:"currency,omitempty"`
	Total        string `json:"total,omitempty"`
	Balance      string `json:"balance,omitempty"`
	AmountPaid   string `json:"amountPaid,omitempty"`
	InvoiceDate  string `json:"invoiceDate,omitempty"`
	DueDate      string `json:"dueDate,omitempty"`
	Status       string `json:"status,omitempty"`
	StatusLabel  string `json:"statusLabel,omitempty"`
	Overdue      bool   `json:"overdue"`
	WebURL       string `json:"webUrl,omitempty"`
	FetchedAt    string `json:"fetchedAt,omitempty"`
}

type actionJSON struct {
	Name    string `json:"name"`
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason,omitempty"`
}

func (s *Server) handleRecordInvoices(c echo.Context) error {
	obj, err := recordFrom(c)
	if err != nil {
		return err
	}
	card, err := s.svc.RecordInvoices(c.Request().Context(), callerOf(c).PortalID, obj)
	if err != nil {
		return err
	}
	body, err := s.rendered.get(card, func() ([]byte, error) { return json.Marshal(toRecordInvoicesResponse(card)) })
	if err != nil {
		return fmt.Errorf("encode card: %w", err)
	}
	return c.JSONBlob(http.StatusOK, body)
}

// renderCache keeps the JSON of recently served cards. The app hands the
// same *RecordCard to every view within its CardTTL, so each is encoded
// once. Two generations of at most renderGeneration entries bound it.
type renderCache struct {
	mu        sync.Mutex
	cur, prev map[*app.RecordCard][]byte
}

const renderGeneration = 1024

func (r *renderCache) get(card *app.RecordCard, render func() ([]byte, error)) ([]byte, error) {
	r.mu.Lock()
	body, ok := r.cur[card]
	if !ok {
		body, ok = r.prev[card]
	}
	r.mu.Unlock()
	if ok {
		return body, nil
	}
	body, err := render()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.cur) >= renderGeneration || r.cur == nil {
		r.prev, r.cur = r.cur, make(map[*app.RecordCard][]byte, renderGeneration)
	}
	r.cur[card] = body
	return body, nil
}

func toRecordInvoicesResponse(card *app.RecordCard) recordInvoicesResponse {
	resp := recordInvoicesResponse{
		Record:      recordJSON{ObjectType: string(card.Record.Type), ObjectID: card.Record.ID},
		Connections: make([]connectionJSON, 0, len(card.Connections)),
		Groups:      make([]groupJSON, 0, len(card.Groups)),
		Actions:     make([]actionJSON, 0, len(card.Actions)),
	}
	for _, conn := range card.Connections {
		resp.Connections = append(resp.Connections, toConnectionJSON(conn))
	}
	for _, g := range card.Groups {
		gj := groupJSON{Connection: toConnectionJSON(g.Connection), Today: g.Today.String(),
			Stale: g.Stale, Notice: g.Notice, Invoices: make([]invoiceJSON, 0, len(g.Invoices))}
		for _, li := range g.Invoices {
			gj.Invoices = append(gj.Invoices, toInvoiceJSON(li))
		}
		resp.Groups = append(resp.Groups, gj)
	}
	for _, a := range card.Actions {
		resp.Actions = append(resp.Actions, actionJSON{Name: a.Name, Allowed: a.Allowed, Reason: a.Reason})
	}
	return resp
}

func toInvoiceJSON(li app.LinkedInvoice) invoiceJSON {
	j := invoiceJSON{
		LinkID: li.Link.ID, InvoiceID: li.Link.InvoiceID, Origin: string(li.Link.Origin),
		Known: li.Known, WebURL: li.WebURL,
	}
	if !li.Known {
		return j
	}
	inv := li.Invoice
	j.Number, j.CustomerName, j.BillEmail, j.Currency = inv.DocNumber, inv.CustomerName, inv.BillEmail, inv.Currency
	j.Total, j.Balance, j.AmountPaid = inv.Total.String(), inv.Balance.String(), inv.AmountPaid().String()
	j.InvoiceDate, j.DueDate = inv.TxnDate.String(), inv.DueDate.String()
	j.Status, j.StatusLabel, j.Overdue = string(li.Status), li.Status.Label(), li.Overdue
	j.FetchedAt = li.FetchedAt.UTC().Format(time.RFC3339)
	return j
}
