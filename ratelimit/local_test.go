package ratelimit

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// admissions records when requests were admitted, from any goroutine.
type admissions struct {
	mu    sync.Mutex
	times []time.Time
}

func (a *admissions) add() {
	a.mu.Lock()
	a.times = append(a.times, time.Now())
	a.mu.Unlock()
}

// mostInAWindow is the most admissions within any span of per.
func (a *admissions) mostInAWindow(per time.Duration) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	ts := append([]time.Time(nil), a.times...)
	sortTimes(ts)
	most := 0
	j := 0
	for i := range ts {
		for ts[i].Sub(ts[j]) >= per {
			j++
		}
		most = max(most, i-j+1)
	}
	return most
}

func (a *admissions) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.times)
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

// hammer has workers goroutines per limiter acquire key under b until
// for elapses, holding each admission for hold, and records admissions
// and the most held at once.
func hammer(t *testing.T, limiters []Limiter, workers int, key string, b Budget, hold, dur time.Duration) (*admissions, int) {
	t.Helper()
	var adm admissions
	var held, most atomic.Int64
	ctx, cancel := context.WithTimeout(t.Context(), dur)
	defer cancel()
	var wg sync.WaitGroup
	for _, l := range limiters {
		for range workers {
			wg.Go(func() {
				for {
					release, err := l.Acquire(ctx, key, b)
					if err != nil {
						if !errors.Is(err, context.DeadlineExceeded) {
							t.Errorf("Acquire: %v", err)
						}
						return
					}
					adm.add()
					n := held.Add(1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					time.Sleep(hold)
					held.Add(-1)
					release()
				}
			})
		}
	}
	wg.Wait()
	return &adm, int(most.Load())
}

func TestLocalKeepsTheWindow(t *testing.T) {
	t.Parallel()
	b := Budget{Requests: 5, Per: 300 * time.Millisecond}
	adm, _ := hammer(t, []Limiter{NewLocal()}, 4, "k", b, 0, time.Second)
	if most := adm.mostInAWindow(b.Per); most > b.Requests {
		t.Errorf("%d admissions within %v, want at most %d", most, b.Per, b.Requests)
	}
	// A second's worth of windows: at least three full ones.
	if n := adm.count(); n < 3*b.Requests {
		t.Errorf("%d admissions in a second, want at least %d", n, 3*b.Requests)
	}
}

func TestLocalCapsConcurrency(t *testing.T) {
	t.Parallel()
	b := Budget{Concurrent: 2}
	adm, most := hammer(t, []Limiter{NewLocal()}, 6, "k", b, 10*time.Millisecond, 300*time.Millisecond)
	if most != 2 {
		t.Errorf("%d held at once, want 2", most)
	}
	if adm.count() < 20 {
		t.Errorf("%d admissions, want the slots kept busy", adm.count())
	}
}

func TestLocalKeysAreApart(t *testing.T) {
	t.Parallel()
	l := NewLocal()
	b := Budget{Requests: 1, Per: time.Hour}
	if _, err := l.Acquire(t.Context(), "a", b); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Acquire(t.Context(), "b", b); err != nil {
		t.Fatalf("key b waited for key a: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := l.Acquire(ctx, "a", b); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a second request of a = %v, want to wait until the context ends", err)
	}
}

// TestLocalCountsARequestUntilItsAnswer: a request's place in the window
// is kept from its release, not its admission.
func TestLocalCountsARequestUntilItsAnswer(t *testing.T) {
	t.Parallel()
	l := NewLocal()
	b := Budget{Requests: 1, Per: 100 * time.Millisecond}
	release, err := l.Acquire(t.Context(), "k", b)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	release()
	start := time.Now()
	if _, err := l.Acquire(t.Context(), "k", b); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 80*time.Millisecond {
		t.Errorf("the next request waited %v, want about the window after the release", waited)
	}
}
