package fakekit

import (
	"sync"
	"time"
)

// Window is a sliding-window rate limit: at most Limit requests per key in
// any span of Per. The zero Limit disables it. Now defaults to time.Now.
// Safe for concurrent use.
type Window struct {
	Limit int
	Per   time.Duration
	Now   func() time.Time

	mu   sync.Mutex
	hits map[string][]time.Time
}

// Allow records a request for key if the window has room. It returns
// whether the request is allowed, how many requests remain in the window
// after it, and how long until the oldest counted request leaves the window.
func (w *Window) Allow(key string) (ok bool, remaining int, reset time.Duration) {
	if w.Limit <= 0 {
		return true, 0, 0
	}
	now := time.Now()
	if w.Now != nil {
		now = w.Now()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.hits == nil {
		w.hits = make(map[string][]time.Time)
	}
	cut := now.Add(-w.Per)
	h := w.hits[key]
	i := 0
	for i < len(h) && !h[i].After(cut) {
		i++
	}
	h = h[i:]
	if len(h) >= w.Limit {
		w.hits[key] = h
		return false, 0, h[0].Add(w.Per).Sub(now)
	}
	h = append(h, now)
	w.hits[key] = h
	return true, w.Limit - len(h), h[0].Add(w.Per).Sub(now)
}

// Reset forgets every counted request.
func (w *Window) Reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.hits = nil
}

// Slots limits how many requests per key run at once. The zero Limit
// disables it. Safe for concurrent use.
type Slots struct {
	Limit int

	mu    sync.Mutex
	inUse map[string]int
}

// Acquire takes a slot for key without waiting. When ok is true the caller
// must call release once the request is done.
func (s *Slots) Acquire(key string) (release func(), ok bool) {
	if s.Limit <= 0 {
		return func() {}, true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inUse == nil {
		s.inUse = make(map[string]int)
	}
	if s.inUse[key] >= s.Limit {
		return nil, false
	}
	s.inUse[key]++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.inUse[key]--
		})
	}, true
}
