package ratelimit

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/pause"
)

// Local is a Limiter for one process. Keys are never forgotten; each costs
// a semaphore and at most Budget.Requests timestamps.
type Local struct {
	mu   sync.Mutex
	keys map[string]*localKey
}

// NewLocal returns an empty Local.
func NewLocal() *Local { return &Local{keys: map[string]*localKey{}} }

// localKey is one key's semaphore and sliding log.
type localKey struct {
	slots chan struct{} // nil: no concurrency cap

	mu   sync.Mutex
	hits []*hit // requests counted in the window, unordered
}

// hit is one request of the window. It is stamped when the request is
// admitted and again when it is released: the upstream counts it when it
// arrives, somewhere in between, so the later stamp keeps the window from
// freeing a place before the upstream's does.
type hit struct{ at time.Time }

func (l *Local) key(k string, b Budget) *localKey {
	l.mu.Lock()
	defer l.mu.Unlock()
	lk := l.keys[k]
	if lk == nil {
		lk = &localKey{}
		if b.Concurrent > 0 {
			lk.slots = make(chan struct{}, b.Concurrent)
		}
		l.keys[k] = lk
	}
	return lk
}

// Acquire implements Limiter: a slot first, then room in the window.
func (l *Local) Acquire(ctx context.Context, key string, b Budget) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k := l.key(key, b)
	if k.slots != nil {
		select {
		case k.slots <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var h *hit
	if b.limitsRate() {
		var err error
		if h, err = k.take(ctx, b.Requests, b.Per); err != nil {
			k.free()
			return nil, err
		}
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			if h != nil {
				k.mu.Lock()
				h.at = time.Now()
				k.mu.Unlock()
			}
			k.free()
		})
	}, nil
}

func (k *localKey) free() {
	if k.slots != nil {
		<-k.slots
	}
}

// take records a request once fewer than limit requests fall within the
// last per, waiting for enough of the oldest to leave it.
func (k *localKey) take(ctx context.Context, limit int, per time.Duration) (*hit, error) {
	for {
		k.mu.Lock()
		now := time.Now()
		cut := now.Add(-per)
		live := k.hits[:0]
		for _, h := range k.hits {
			if h.at.After(cut) {
				live = append(live, h)
			}
		}
		clear(k.hits[len(live):])
		k.hits = live
		if len(k.hits) < limit {
			h := &hit{at: now}
			k.hits = append(k.hits, h)
			k.mu.Unlock()
			return h, nil
		}
		// Wait until all but limit-1 of the live requests are older
		// than per.
		times := make([]time.Time, len(k.hits))
		for i, h := range k.hits {
			times[i] = h.at
		}
		k.mu.Unlock()
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		wait := times[len(times)-limit].Add(per).Sub(now)
		if err := pause.For(ctx, max(wait, time.Millisecond)); err != nil {
			return nil, err
		}
	}
}
