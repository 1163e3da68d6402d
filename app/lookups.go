package app

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// QBO lookups go through the shared cache (Redis across replicas), keyed
// v1:<realm>:<kind>, so a warm draft costs no QBO read. Our own writes
// invalidate what they change; webhooks will too (issue 8).

const (
	kindCustomers  = "customers"
	kindItems      = "items"
	kindTaxCodes   = "taxcodes"
	kindTerms      = "terms"
	kindCompany    = "company"
	kindDocNumbers = "docnumbers"
)

// ttlDocNumbers is short: other users number invoices in QuickBooks too.
const ttlDocNumbers = time.Minute

func cachedLookup[T any](ctx context.Context, s *Service, conn Connection, kind string, ttl time.Duration, load func(context.Context) (T, error)) (T, error) {
	var out T
	raw, err := s.cache.GetOrLoad(ctx, CacheKey(conn.RealmID, kind), ttl, func(ctx context.Context) ([]byte, error) {
		v, err := load(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
	if err != nil {
		return out, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return out, fmt.Errorf("decode cached %s of realm %s: %w", kind, conn.RealmID, err)
	}
	return out, nil
}

func (s *Service) customers(ctx context.Context, conn Connection) ([]Customer, error) {
	return cachedLookup(ctx, s, conn, kindCustomers, TTLLookup, func(ctx context.Context) ([]Customer, error) {
		return s.qbo.Customers(ctx, conn)
	})
}

func (s *Service) items(ctx context.Context, conn Connection) ([]Item, error) {
	return cachedLookup(ctx, s, conn, kindItems, TTLLookup, func(ctx context.Context) ([]Item, error) {
		return s.qbo.Items(ctx, conn)
	})
}

func (s *Service) taxCodes(ctx context.Context, conn Connection) ([]TaxCode, error) {
	return cachedLookup(ctx, s, conn, kindTaxCodes, TTLTaxCode, func(ctx context.Context) ([]TaxCode, error) {
		return s.qbo.TaxCodes(ctx, conn)
	})
}

func (s *Service) terms(ctx context.Context, conn Connection) ([]Term, error) {
	return cachedLookup(ctx, s, conn, kindTerms, TTLLookup, func(ctx context.Context) ([]Term, error) {
		return s.qbo.Terms(ctx, conn)
	})
}

func (s *Service) company(ctx context.Context, conn Connection) (Company, error) {
	return cachedLookup(ctx, s, conn, kindCompany, TTLLookup, func(ctx context.Context) (Company, error) {
		return s.qbo.Company(ctx, conn)
	})
}

func (s *Service) recentDocNumbers(ctx context.Context, conn Connection) ([]string, error) {
	return cachedLookup(ctx, s, conn, kindDocNumbers, ttlDocNumbers, func(ctx context.Context) ([]string, error) {
		return s.qbo.RecentDocNumbers(ctx, conn, 20)
	})
}

// forgetLookups drops cached lookups after our own write changed them; a
// failure is logged (the entries lapse with their TTL).
func (s *Service) forgetLookups(ctx context.Context, conn Connection, kinds ...string) {
	if err := s.dropLookups(ctx, conn, kinds...); err != nil {
		s.log.WarnContext(ctx, "invalidate cached lookups", "realm", conn.RealmID, "kinds", kinds, "err", err)
	}
}

// dropLookups drops cached lookups that QuickBooks reported changed. The
// cache is shared by every replica, so one Delete reaches them all; when
// it fails the error is Unavailable, so the change is retried rather than
// leave every replica reading the old list.
func (s *Service) dropLookups(ctx context.Context, conn Connection, kinds ...string) error {
	keys := make([]string, len(kinds))
	for i, k := range kinds {
		keys[i] = CacheKey(conn.RealmID, k)
	}
	if err := s.cache.Delete(ctx, keys...); err != nil {
		return Wrapf(err, Unavailable, "The cached QuickBooks lists could not be updated; the change will be applied again.")
	}
	return nil
}
