package fakekit

import (
	"sort"
	"sync"
)

// Counters counts requests per route and tenant (realm or portal), so a
// test can assert, for example, that a warm card view made no QBO reads.
// The zero value is ready to use and safe for concurrent use.
type Counters struct {
	mu sync.Mutex
	n  map[key]int
}

type key struct{ route, tenant string }

// Add counts one request to route for tenant.
func (c *Counters) Add(route, tenant string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = make(map[key]int)
	}
	c.n[key{route, tenant}]++
}

// Count returns how many requests reached route for tenant. An empty route
// sums over all routes, an empty tenant over all tenants.
func (c *Counters) Count(route, tenant string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := 0
	for k, v := range c.n {
		if (route == "" || k.route == route) && (tenant == "" || k.tenant == tenant) {
			total += v
		}
	}
	return total
}

// RouteCount is one row of a Counters snapshot.
type RouteCount struct {
	Route  string `json:"route"`
	Tenant string `json:"tenant"`
	Count  int    `json:"count"`
}

// Snapshot returns every non-zero counter, sorted by route then tenant.
func (c *Counters) Snapshot() []RouteCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]RouteCount, 0, len(c.n))
	for k, v := range c.n {
		out = append(out, RouteCount{Route: k.route, Tenant: k.tenant, Count: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Route != out[j].Route {
			return out[i].Route < out[j].Route
		}
		return out[i].Tenant < out[j].Tenant
	})
	return out
}

// Reset sets every counter to zero.
func (c *Counters) Reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n = nil
}
