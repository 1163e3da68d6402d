// Package redis implements app.Cache twice: over Redis (New, Dial), shared by
// every replica, and as an in-process LRU with a TTL (NewInProcess), used when
// REDIS_URL is unset.
//
// # Keys
//
// Keys are used exactly as given. app builds them versioned and scoped by
// realm, v1:<realm>:<kind>:<parts> (app.CacheKey); this package reads the
// kind from the third field only to label its logs. Values are opaque bytes,
// stored with an expiry (SET with PX or EX in Redis); a ttl of zero or less
// means "load but do not store".
//
// # Single-flight
//
// Concurrent misses for one key in one process share one call of load, and
// all of them get its value or its error. The load runs on a context that
// keeps the first caller's values but not its cancellation: a caller that
// gives up returns its context's error at once while the others keep
// waiting, and the load is cancelled only when every caller has gone. If a
// key is deleted while its load is in flight, the callers already waiting get
// the loaded value but it is not stored, so an invalidation cannot be undone
// by a load that started before it. If load panics, every waiting caller
// panics with its value and stack.
//
// # Outages
//
// The cache is an optimisation (house rule 12). Each Redis call is bounded by
// Options.OpTimeout (100ms by default), so a Redis that is down or hangs
// costs a card at most that. A failed lookup is logged once at Warn, with the
// key's kind but never its value, counted as "error", and treated as a miss:
// load runs and its value is returned. If the lookup failed for want of a
// connection or of time, the value is not written back (the write would
// most likely fail too); if Redis answered with an error, the write replaces
// the bad entry. A failed write is only logged. GetOrLoad returns only load's
// errors, unchanged and never cached, or the caller's context error when the
// caller gives up. Delete and Ping return Redis's errors for the caller to
// log or report.
//
// # Not done
//
//   - No single-flight across replicas: N replicas missing one key at once
//     make up to N loads.
//   - No invalidation fan-out: replicas share one Redis, so one Delete is
//     seen by all of them. The in-process cache is per replica, so a Delete
//     reaches only the replica that makes it; run one replica without Redis,
//     or rely on the TTL.
//   - No client-side cache in front of Redis, no compression, no metrics
//     beyond Options.Observe.
package redis
