package app

import (
	"context"
	"strings"
)

// maxSearchResults bounds a lookup answer; the card shows a short list.
const maxSearchResults = 50

// connectionLookup returns one of the portal's usable connections.
func (s *Service) connectionLookup(ctx context.Context, portalID int64, connectionID string) (Connection, error) {
	_, conn, err := s.portalAndConnection(ctx, portalID, connectionID)
	return conn, err
}

// SearchItems finds the company's products and services whose name, SKU or
// description contains q (all of them when q is empty), from the cache.
func (s *Service) SearchItems(ctx context.Context, portalID int64, connectionID, q string) ([]Item, error) {
	conn, err := s.connectionLookup(ctx, portalID, connectionID)
	if err != nil {
		return nil, err
	}
	items, err := s.items(ctx, conn)
	if err != nil {
		return nil, err
	}
	return filter(items, q, func(it Item) []string { return []string{it.Name, it.SKU, it.Description} }), nil
}

// SearchCustomers finds the company's customers whose display name, company
// name or email contains q, from the cache.
func (s *Service) SearchCustomers(ctx context.Context, portalID int64, connectionID, q string) ([]Customer, error) {
	conn, err := s.connectionLookup(ctx, portalID, connectionID)
	if err != nil {
		return nil, err
	}
	customers, err := s.customers(ctx, conn)
	if err != nil {
		return nil, err
	}
	return filter(customers, q, func(c Customer) []string { return []string{c.DisplayName, c.CompanyName, c.Email} }), nil
}

// TaxCodes lists the company's tax codes, from the cache.
func (s *Service) TaxCodes(ctx context.Context, portalID int64, connectionID string) ([]TaxCode, error) {
	conn, err := s.connectionLookup(ctx, portalID, connectionID)
	if err != nil {
		return nil, err
	}
	return s.taxCodes(ctx, conn)
}

// Terms lists the company's payment terms, from the cache.
func (s *Service) Terms(ctx context.Context, portalID int64, connectionID string) ([]Term, error) {
	conn, err := s.connectionLookup(ctx, portalID, connectionID)
	if err != nil {
		return nil, err
	}
	return s.terms(ctx, conn)
}

// filter keeps the rows one of whose fields contains q, case-insensitively,
// at most maxSearchResults of them.
func filter[T any](rows []T, q string, fields func(T) []string) []T {
	q = strings.ToLower(strings.TrimSpace(q))
	out := make([]T, 0, min(len(rows), maxSearchResults))
	for _, r := range rows {
		if len(out) == maxSearchResults {
			break
		}
		if q == "" || containsFold(fields(r), q) {
			out = append(out, r)
		}
	}
	return out
}

func containsFold(fields []string, lowerQ string) bool {
	for _, f := range fields {
		if strings.Contains(strings.ToLower(f), lowerQ) {
			return true
		}
	}
	return false
}
