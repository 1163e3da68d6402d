// Package ratelimit keeps calls to an upstream API within its published
// budgets: at most Budget.Requests begun within any Budget.Per, and at most
// Budget.Concurrent in flight, per key (a QuickBooks realm, a HubSpot
// portal). Callers wait, bounded by their context, rather than fail, so
// the upstream has no reason to answer 429.
//
// Two Limiters implement it:
//
//   - Local keeps the budgets in this process: a sliding log of request
//     times and a semaphore per key. It is exact, and right for one
//     replica.
//   - Shared keeps them in Redis, so every replica draws on one budget: a
//     GCRA rate limit (github.com/go-redis/redis_rate, timed by Redis's own
//     clock, so replicas' clocks need not agree) and a lease semaphore for
//     the concurrency cap. When Redis fails or is too slow, Shared falls
//     back to a Local for a moment, logs the switch once, and tries Redis
//     again; a request is never refused for Redis's sake.
//
// Keys are stored as given (under a prefix), so callers must not put
// secrets in them.
package ratelimit
