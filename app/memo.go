package app

import (
	"context"
	"strings"
	"sync"
	"time"
)

// memo keeps recently built values in this process, typed, for a short
// time: a card opened by many reps at once, or reloaded, is built once per
// TTL with no store read and no decoding. Concurrent misses for one key
// share one build. It is bounded: when full, expired entries go first, then
// the oldest. Errors are never kept.
type memo[T any] struct {
	ttl  time.Duration
	max  int
	now  func() time.Time
	mu   sync.Mutex
	vals map[string]memoEntry[T]
	busy map[string]*memoCall[T]
}

// buildTimeout bounds one shared build; under the server's request timeout.
const buildTimeout = 8 * time.Second

type memoEntry[T any] struct {
	val     T
	expires time.Time
}

type memoCall[T any] struct {
	done chan struct{}
	val  T
	err  error
}

func newMemo[T any](ttl time.Duration, max int, now func() time.Time) *memo[T] {
	return &memo[T]{ttl: ttl, max: max, now: now, vals: map[string]memoEntry[T]{}, busy: map[string]*memoCall[T]{}}
}

// get returns the value under key, building it with build on a miss. A
// caller whose ctx ends stops waiting; the build goes on for the others.
func (m *memo[T]) get(ctx context.Context, key string, build func(context.Context) (T, error)) (T, error) {
	m.mu.Lock()
	if e, ok := m.vals[key]; ok && m.now().Before(e.expires) {
		m.mu.Unlock()
		return e.val, nil
	}
	call, ok := m.busy[key]
	if !ok {
		call = &memoCall[T]{done: make(chan struct{})}
		m.busy[key] = call
		// The build outlives any one caller, but not forever: a hung store
		// must not hold every later view of the record.
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), buildTimeout)
		go func() {
			defer cancel()
			m.run(bctx, key, call, build)
		}()
	}
	m.mu.Unlock()
	select {
	case <-call.done:
		return call.val, call.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

func (m *memo[T]) run(ctx context.Context, key string, call *memoCall[T], build func(context.Context) (T, error)) {
	defer close(call.done)
	call.val, call.err = build(ctx)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.busy[key] != call {
		return // forgotten while building: answer the waiters, keep nothing
	}
	delete(m.busy, key)
	if call.err == nil && m.ttl > 0 {
		m.evict()
		m.vals[key] = memoEntry[T]{val: call.val, expires: m.now().Add(m.ttl)}
	}
}

// evict makes room for one entry; m.mu is held.
func (m *memo[T]) evict() {
	if len(m.vals) < m.max {
		return
	}
	now := m.now()
	var oldest string
	var oldestExp time.Time
	for k, e := range m.vals {
		if !now.Before(e.expires) {
			delete(m.vals, k)
			continue
		}
		if oldest == "" || e.expires.Before(oldestExp) {
			oldest, oldestExp = k, e.expires
		}
	}
	if len(m.vals) >= m.max {
		delete(m.vals, oldest)
	}
}

// forget drops key, and keeps a build already running from storing its
// result, so a write is never hidden behind a value built before it.
func (m *memo[T]) forget(key string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.vals, key)
	delete(m.busy, key)
}

// forgetPrefix is forget for every key that starts with prefix (all the
// cards of one portal). It walks the whole memo, so it is for rare writes
// such as a settings change, not for every request.
func (m *memo[T]) forgetPrefix(prefix string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.vals {
		if strings.HasPrefix(k, prefix) {
			delete(m.vals, k)
		}
	}
	for k := range m.busy {
		if strings.HasPrefix(k, prefix) {
			delete(m.busy, k)
		}
	}
}
