package quickbooks

import (
	"context"
	"sync"
	"time"
)

// limiter keeps this process under QBO's per-realm limits (reference
// section 4: 500 requests a minute and 10 at once per company and app), so
// QBO never has to answer 429. Callers wait, bounded by their context,
// rather than fail.
//
// It is per process: several replicas share a realm's budget only once the
// Redis-backed limiter of a later issue replaces it. Until then each
// replica should be given its share (Config.RequestsPerMinute,
// Config.MaxConcurrent), and a 429 that still comes is retried.
//
// Realms are never forgotten; each costs a semaphore and at most
// RequestsPerMinute timestamps.
type limiter struct {
	perWindow  int
	window     time.Duration // time.Minute; tests shorten it
	concurrent int

	mu     sync.Mutex
	realms map[string]*realmLimit
}

func newLimiter(perMinute, concurrent int) *limiter {
	return &limiter{perWindow: perMinute, window: time.Minute, concurrent: concurrent, realms: map[string]*realmLimit{}}
}

// realmLimit is one realm's semaphore and sliding-window log.
type realmLimit struct {
	slots chan struct{}

	mu   sync.Mutex
	hits []*hit // requests counted in the window, unordered
}

// hit is one request of the window. It is stamped when the request starts
// and stamped again when it ends: QBO counts the request when it arrives,
// somewhere in between, so the later stamp keeps our window from freeing a
// place before QBO's does.
type hit struct{ at time.Time }

func (l *limiter) realm(id string) *realmLimit {
	l.mu.Lock()
	defer l.mu.Unlock()
	r := l.realms[id]
	if r == nil {
		r = &realmLimit{slots: make(chan struct{}, l.concurrent)}
		l.realms[id] = r
	}
	return r
}

// acquire waits for a concurrency slot, then for room in the window. The
// caller must call release when the answer has been read. It fails only
// with ctx's error.
func (l *limiter) acquire(ctx context.Context, realmID string) (release func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r := l.realm(realmID)
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	h, err := r.take(ctx, l.perWindow, l.window)
	if err != nil {
		<-r.slots
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			r.mu.Lock()
			h.at = time.Now()
			r.mu.Unlock()
			<-r.slots
		})
	}, nil
}

// take records a request once fewer than limit requests fall within the
// last window, waiting for the oldest to leave it when needed.
func (r *realmLimit) take(ctx context.Context, limit int, window time.Duration) (*hit, error) {
	for {
		r.mu.Lock()
		now := time.Now()
		cut := now.Add(-window)
		live := r.hits[:0]
		oldest := now
		for _, h := range r.hits {
			if h.at.After(cut) {
				live = append(live, h)
				if h.at.Before(oldest) {
					oldest = h.at
				}
			}
		}
		clear(r.hits[len(live):])
		r.hits = live
		if len(r.hits) < limit {
			h := &hit{at: now}
			r.hits = append(r.hits, h)
			r.mu.Unlock()
			return h, nil
		}
		wait := oldest.Add(window).Sub(now)
		r.mu.Unlock()
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}
