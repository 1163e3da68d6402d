package redis

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

var _ app.Cache = (*Cache)(nil)

// DefaultOpTimeout bounds each Redis call when Options.OpTimeout is zero.
const DefaultOpTimeout = 100 * time.Millisecond

// Options configure a Cache. The zero value is usable.
type Options struct {
	// Logger receives the cache's warnings. Default: slog.Default().
	Logger *slog.Logger
	// Observe, if set, is called once per GetOrLoad that reaches the
	// cache, with "hit", "miss" or "error" (a failed lookup, served as a
	// miss). It must be fast and safe for concurrent use.
	Observe func(result string)
	// Now is the in-process backend's clock for TTLs. Default: time.Now.
	Now func() time.Time
	// OpTimeout bounds each Redis call. Default: DefaultOpTimeout.
	OpTimeout time.Duration
}

// store is one backend: Redis or the in-process LRU. get reports a miss as
// ok == false with a nil error.
type store interface {
	get(ctx context.Context, key string) (val []byte, ok bool, err error)
	set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	del(ctx context.Context, keys ...string) error
	ping(ctx context.Context) error
	close() error
}

// Cache is an app.Cache over Redis or an in-process LRU. It is safe for
// concurrent use.
type Cache struct {
	store   store
	log     *slog.Logger
	observe func(string)

	mu      sync.Mutex
	flights map[string]*flight
}

// flight is one shared call of load for one key.
type flight struct {
	done     chan struct{} // closed once the result is set and stored
	val      []byte
	err      error
	panicked any

	cancel  context.CancelFunc // cancels the load's context
	waiters int                // callers still waiting; guarded by Cache.mu
	deleted bool               // Delete ran during the load; guarded by Cache.mu
}

func newCache(s store, opt Options) *Cache {
	c := &Cache{store: s, log: opt.Logger, observe: opt.Observe, flights: make(map[string]*flight)}
	if c.log == nil {
		c.log = slog.Default()
	}
	if c.observe == nil {
		c.observe = func(string) {}
	}
	return c
}

// GetOrLoad returns the value under key, or calls load, stores its value for
// ttl and returns it. Concurrent misses for key share one call of load. A
// cache failure is logged and served as a miss. The error is load's,
// unchanged, or ctx's if the caller gives up first. The returned slice may be
// shared with other callers and must not be modified.
func (c *Cache) GetOrLoad(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	val, ok, err := c.store.get(ctx, key)
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, ctx.Err() // the caller gave up; not an outage
	case err != nil:
		c.warn("cache get failed; serving as a miss", key, err)
		c.observe("error")
	case ok:
		c.observe("hit")
		return val, nil
	default:
		c.observe("miss")
	}
	return c.loadShared(ctx, key, ttl, load, err == nil || answered(err))
}

// loadShared joins the flight for key, starting it if there is none, and
// waits for its result or for ctx.
func (c *Cache) loadShared(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error), writeBack bool) ([]byte, error) {
	c.mu.Lock()
	f := c.flights[key]
	if f == nil {
		// The load outlives any one caller: keep ctx's values, drop its
		// cancellation, and cancel only when the last caller leaves.
		lctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &flight{done: make(chan struct{}), cancel: cancel}
		c.flights[key] = f
		go c.run(lctx, f, key, ttl, load, writeBack)
	}
	f.waiters++
	c.mu.Unlock()

	select {
	case <-f.done:
		if f.panicked != nil {
			panic(f.panicked)
		}
		return f.val, f.err
	case <-ctx.Done():
		c.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.cancel()
			if c.flights[key] == f {
				delete(c.flights, key) // the next caller starts afresh
			}
		}
		c.mu.Unlock()
		return nil, ctx.Err()
	}
}

// run calls load, stores its value and then hands the result to the waiting
// callers, so a caller that returns can read its own value back.
func (c *Cache) run(ctx context.Context, f *flight, key string, ttl time.Duration, load func(context.Context) ([]byte, error), writeBack bool) {
	defer f.cancel()
	f.call(ctx, key, load)
	if writeBack && f.err == nil && f.panicked == nil && ttl > 0 && !c.deleted(f) {
		sctx := context.WithoutCancel(ctx)
		if err := c.store.set(sctx, key, f.val, ttl); err != nil {
			c.warn("cache set failed", key, err)
		} else if c.deleted(f) {
			// Delete ran during the write and may have come first: undo
			// the write so the invalidation stands.
			if err := c.store.del(sctx, key); err != nil {
				c.warn("cache delete after invalidated load failed", key, err)
			}
		}
	}
	c.mu.Lock()
	if c.flights[key] == f {
		delete(c.flights, key)
	}
	c.mu.Unlock()
	close(f.done)
}

// call sets val and err from load, or panicked if load panics, so that the
// panic reaches the callers rather than killing the process.
func (f *flight) call(ctx context.Context, key string, load func(context.Context) ([]byte, error)) {
	defer func() {
		if r := recover(); r != nil {
			f.panicked = fmt.Sprintf("redis: load of %s panicked: %v\n\n%s", kindOf(key), r, debug.Stack())
		}
	}()
	f.val, f.err = load(ctx)
}

// deleted reports whether Delete dropped f's key while f was running.
func (c *Cache) deleted(f *flight) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return f.deleted
}

// Delete drops keys. A load in flight for one of them still answers its
// waiting callers but is not stored. The error is the backend's.
func (c *Cache) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	c.mu.Lock()
	for _, k := range keys {
		if f := c.flights[k]; f != nil {
			f.deleted = true
			delete(c.flights, k)
		}
	}
	c.mu.Unlock()
	return c.store.del(ctx, keys...)
}

// Ping reports whether the backend can be reached. It is always nil in
// process.
func (c *Cache) Ping(ctx context.Context) error {
	return c.store.ping(ctx)
}

// Close releases the backend, including the Redis client given to New.
func (c *Cache) Close() error {
	return c.store.close()
}

// waiting reports how many callers wait on the flight for key (for tests).
func (c *Cache) waiting(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.flights[key]; f != nil {
		return f.waiters
	}
	return 0
}

// warn logs a cache failure with the key's kind, never the key's value.
func (c *Cache) warn(msg, key string, err error) {
	c.log.Warn(msg, "kind", kindOf(key), "err", err)
}

// kindOf returns the kind field of a key shaped v1:<realm>:<kind>:...
func kindOf(key string) string {
	f := strings.SplitN(key, ":", 4)
	if len(f) < 3 || f[2] == "" {
		return "unknown"
	}
	return f[2]
}
