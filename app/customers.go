package app

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
)

// Limits of a new customer's fields (QuickBooks' Customer: DisplayName and
// the name parts to 100 characters, a phone's FreeFormNumber to 30).
const (
	maxCustomerName  = 100
	maxCustomerPhone = 30
)

// CreateCustomer creates a customer in one of the portal's QuickBooks
// companies, for the card's create form. It is idempotent by key: QBO's
// requestid derives from the portal, the key and the request, so a retry
// (a double click, HubSpot's retry after a 5xx) answers the customer made
// first, and a name QuickBooks already has is a conflict that names it.
func (s *Service) CreateCustomer(ctx context.Context, portalID int64, connectionID, key string, nc NewCustomer) (Customer, error) {
	conn, err := s.connectionLookup(ctx, portalID, connectionID)
	if err != nil {
		return Customer{}, err
	}
	nc = trimCustomer(nc)
	problems := newCustomerProblems("", nc)
	if nc.Currency != "" && nc.Currency != conn.Currency {
		company, err := s.company(ctx, conn)
		if err != nil {
			return Customer{}, err
		}
		if !multiCurrency(conn, company) {
			problems = append(problems, fmt.Sprintf("currency: %s works only in %s; turn on multicurrency in QuickBooks for a customer in %s",
				conn.CompanyName, conn.Currency, nc.Currency))
		}
	}
	if len(problems) > 0 {
		return Customer{}, Errorf(Invalid, "Please fix: %s.", strings.Join(problems, "; "))
	}
	body, err := json.Marshal(nc)
	if err != nil {
		return Customer{}, fmt.Errorf("hash new customer: %w", err)
	}
	sum := sha256.Sum256(body)
	created, err := s.qbo.CreateCustomer(ctx, conn, nc, RequestID(portalID, key+"\x00"+hex.EncodeToString(sum[:]), "new-customer"))
	if err != nil {
		return Customer{}, err
	}
	s.forgetLookups(ctx, conn, kindCustomers)
	return created, nil
}

// trimCustomer trims the spaces around a new customer's fields.
func trimCustomer(nc NewCustomer) NewCustomer {
	for _, f := range []*string{&nc.DisplayName, &nc.CompanyName, &nc.GivenName, &nc.FamilyName, &nc.Email, &nc.Phone, &nc.Currency} {
		*f = strings.TrimSpace(*f)
	}
	nc.Currency = strings.ToUpper(nc.Currency)
	return nc
}

// newCustomerProblems lists what QuickBooks would refuse in a new customer,
// each with its field path under prefix ("customer.new." in an invoice).
func newCustomerProblems(prefix string, nc NewCustomer) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, prefix+fmt.Sprintf(format, args...)) }
	name := strings.TrimSpace(nc.DisplayName)
	switch {
	case name == "":
		add("displayName: a name is required")
	case strings.ContainsAny(name, ":\t\n\r"):
		add("displayName: QuickBooks names cannot contain a colon, tab or line break")
	case len([]rune(name)) > maxCustomerName:
		add("displayName: at most %d characters", maxCustomerName)
	}
	for _, f := range []struct{ path, v string }{{"companyName", nc.CompanyName}, {"givenName", nc.GivenName}, {"familyName", nc.FamilyName}} {
		if len([]rune(f.v)) > maxCustomerName {
			add("%s: at most %d characters", f.path, maxCustomerName)
		}
	}
	if e := strings.TrimSpace(nc.Email); e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e || len(e) > maxCustomerName {
			add("email: %q is not an e-mail address", e)
		}
	}
	if len([]rune(strings.TrimSpace(nc.Phone))) > maxCustomerPhone {
		add("phone: at most %d characters", maxCustomerPhone)
	}
	if c := strings.TrimSpace(nc.Currency); c != "" && !isCurrencyCode(c) {
		add("currency: %q is not a three-letter currency code", c)
	}
	return problems
}

// isCurrencyCode reports whether c looks like an ISO 4217 code.
func isCurrencyCode(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
