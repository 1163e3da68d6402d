package quickbooks

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestLimiterWindow: the (N+1)th request of a window waits until the
// oldest leaves it; a caller whose context ends stops waiting.
func TestLimiterWindow(t *testing.T) {
	l := newLimiter(3, 10)
	l.window = 150 * time.Millisecond
	ctx := context.Background()
	start := time.Now()
	for range 3 {
		release, err := l.acquire(ctx, "1")
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("the first three waited %v", d)
	}
	// Another realm has its own window.
	release, err := l.acquire(ctx, "2")
	if err != nil {
		t.Fatal(err)
	}
	release()

	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(short, "1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("acquire over the limit with a short deadline: %v", err)
	}
	release, err = l.acquire(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	release()
	if d := time.Since(start); d < 140*time.Millisecond {
		t.Errorf("the fourth request went after %v, before the window freed a place", d)
	}
}

// TestLimiterSlots: at most MaxConcurrent requests of a realm at once.
func TestLimiterSlots(t *testing.T) {
	l := newLimiter(100, 2)
	ctx := context.Background()
	r1, _ := l.acquire(ctx, "1")
	r2, _ := l.acquire(ctx, "1")
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := l.acquire(short, "1"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("third concurrent acquire: %v", err)
	}
	got := make(chan error, 1)
	go func() {
		r, err := l.acquire(ctx, "1")
		if err == nil {
			r()
		}
		got <- err
	}()
	time.Sleep(10 * time.Millisecond)
	select {
	case <-got:
		t.Fatal("a third request ran while two were in flight")
	default:
	}
	r1()
	r1() // releasing twice frees one slot only
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	r2()
	cancelled, cancelNow := context.WithCancel(ctx)
	cancelNow()
	if _, err := l.acquire(cancelled, "1"); !errors.Is(err, context.Canceled) {
		t.Errorf("acquire with a cancelled context: %v", err)
	}
}

func TestBackoff(t *testing.T) {
	for n := range 12 {
		ceil := min(DefaultRetryBase<<n, maxBackoff)
		for range 50 {
			if d := backoff(DefaultRetryBase, n); d < 0 || d > ceil {
				t.Fatalf("backoff(%d) = %v, want within [0, %v]", n, d, ceil)
			}
		}
	}
}
