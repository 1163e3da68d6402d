package server

import (
	"net/http"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// searchQuery reads ?q=, bounded so a lookup stays a lookup.
func searchQuery(c echo.Context) (string, error) {
	q := c.QueryParam("q")
	if utf8.RuneCountInString(q) > 100 {
		return "", app.Errorf(app.Invalid, "The search text is longer than 100 characters.")
	}
	return q, nil
}

type itemJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	SKU         string `json:"sku,omitempty"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"`
	UnitPrice   string `json:"unitPrice"`
	Taxable     bool   `json:"taxable"`
	TaxCodeID   string `json:"taxCodeId,omitempty"`
}

func (s *Server) handleItems(c echo.Context) error {
	q, err := searchQuery(c)
	if err != nil {
		return err
	}
	items, err := s.svc.SearchItems(c.Request().Context(), callerOf(c).PortalID, c.Param("id"), q)
	if err != nil {
		return err
	}
	out := make([]itemJSON, 0, len(items))
	for _, it := range items {
		out = append(out, itemJSON{ID: it.ID, Name: it.Name, SKU: it.SKU, Description: it.Description, Type: it.Type,
			UnitPrice: it.UnitPrice.String(), Taxable: it.Taxable, TaxCodeID: it.TaxCodeID})
	}
	return c.JSON(http.StatusOK, map[string]any{"items": out})
}

type customerJSON struct {
	ID          string `json:"id"`
	DisplayName string `json:"displayName"`
	CompanyName string `json:"companyName,omitempty"`
	Email       string `json:"email,omitempty"`
	Currency    string `json:"currency,omitempty"`
	TermID      string `json:"termId,omitempty"`
}

func (s *Server) handleCustomers(c echo.Context) error {
	q, err := searchQuery(c)
	if err != nil {
		return err
	}
	customers, err := s.svc.SearchCustomers(c.Request().Context(), callerOf(c).PortalID, c.Param("id"), q)
	if err != nil {
		return err
	}
	out := make([]customerJSON, 0, len(customers))
	for _, cu := range customers {
		out = append(out, toCustomerJSON(cu))
	}
	return c.JSON(http.StatusOK, map[string]any{"customers": out})
}

func (s *Server) handleTaxCodes(c echo.Context) error {
	codes, err := s.svc.TaxCodes(c.Request().Context(), callerOf(c).PortalID, c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]taxCodeJSON, 0, len(codes))
	for _, t := range codes {
		out = append(out, taxCodeJSON{ID: t.ID, Name: t.Name})
	}
	return c.JSON(http.StatusOK, map[string]any{"taxCodes": out})
}

func (s *Server) handleTerms(c echo.Context) error {
	terms, err := s.svc.Terms(c.Request().Context(), callerOf(c).PortalID, c.Param("id"))
	if err != nil {
		return err
	}
	out := make([]termJSON, 0, len(terms))
	for _, t := range terms {
		out = append(out, toTermJSON(t))
	}
	return c.JSON(http.StatusOK, map[string]any{"terms": out})
}

// newCustomerRequest is the body of POST /api/v1/connections/{id}/customers.
type newCustomerRequest struct {
	IdempotencyKey string `json:"idempotencyKey"`
	newCustomerBody
	Currency string `json:"currency,omitempty"`
}

func toCustomerJSON(cu app.Customer) customerJSON {
	return customerJSON{ID: cu.ID, DisplayName: cu.DisplayName, CompanyName: cu.CompanyName, Email: cu.Email,
		Currency: cu.Currency, TermID: cu.TermID}
}

// handleCustomerCreate creates a customer in the company for the card's
// create form: 201 with it; the same key and body again answer the same
// customer.
func (s *Server) handleCustomerCreate(c echo.Context) error {
	var body newCustomerRequest
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	if n := len([]rune(body.IdempotencyKey)); n < 8 || n > 100 {
		return app.Errorf(app.Invalid, "Please fix: idempotencyKey: 8 to 100 characters are required.")
	}
	nc := app.NewCustomer{DisplayName: body.DisplayName, CompanyName: body.CompanyName, GivenName: body.GivenName,
		FamilyName: body.FamilyName, Email: body.Email, Phone: body.Phone, Currency: body.Currency}
	cu, err := s.svc.CreateCustomer(c.Request().Context(), callerOf(c).PortalID, c.Param("id"), body.IdempotencyKey, nc)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]any{"customer": toCustomerJSON(cu)})
}
