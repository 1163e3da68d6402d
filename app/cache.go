package app

import (
	"context"
	"strings"
	"time"
)

// Cache holds QBO lookups (customers, items, tax codes, terms, preferences)
// that are cheap to lose. It is an optimisation: implementations treat their
// own outages as misses (logged), so the only errors GetOrLoad returns are
// load's, or ctx's when the caller gives up waiting.
type Cache interface {
	// GetOrLoad returns the value under key, or calls load, stores its
	// result for ttl and returns it. Concurrent misses for one key in one
	// process share one load call.
	GetOrLoad(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error)
	// Delete drops keys, e.g. after our own write or a webhook.
	Delete(ctx context.Context, keys ...string) error
	// Ping reports whether the cache can be reached. /readyz reports it but
	// does not fail on it: a cache outage slows the card, never stops it.
	Ping(ctx context.Context) error
}

// cacheVersion prefixes every key, so a change of value format is a new
// key space rather than a decoding error.
const cacheVersion = "v1"

// CacheKey builds a versioned key scoped by realm: v1:<realm>:<kind>:<parts>.
func CacheKey(realmID, kind string, parts ...string) string {
	return strings.Join(append([]string{cacheVersion, realmID, kind}, parts...), ":")
}

// Cache lifetimes. TaxCode and TaxRate have neither webhooks nor CDC
// (reference/quickbooks.md 1.5), so only time refreshes them.
const (
	TTLLookup  = 10 * time.Minute // customers, items, terms, preferences: webhooks invalidate sooner
	TTLTaxCode = time.Hour
)
