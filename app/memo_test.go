package app

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMemo(t *testing.T) {
	now := time.Unix(0, 0)
	m := newMemo[int](time.Second, 2, func() time.Time { return now })
	ctx := context.Background()
	var builds atomic.Int32
	build := func(v int) func(context.Context) (int, error) {
		return func(context.Context) (int, error) { builds.Add(1); return v, nil }
	}

	if v, _ := m.get(ctx, "a", build(1)); v != 1 {
		t.Fatalf("first get = %d", v)
	}
	if v, _ := m.get(ctx, "a", build(2)); v != 1 || builds.Load() != 1 {
		t.Fatalf("within ttl: %d after %d builds, want the kept 1", v, builds.Load())
	}
	now = now.Add(time.Second)
	if v, _ := m.get(ctx, "a", build(3)); v != 3 {
		t.Fatalf("after ttl: %d, want a rebuild", v)
	}

	boom := errors.New("boom")
	if _, err := m.get(ctx, "e", func(context.Context) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if v, err := m.get(ctx, "e", build(4)); err != nil || v != 4 {
		t.Fatalf("an error must not be kept: %d %v", v, err)
	}

	m.get(ctx, "b", build(5)) // three keys, max 2: one goes
	if len(m.vals) > 2 {
		t.Fatalf("memo holds %d entries, max 2", len(m.vals))
	}

	m.forget("b")
	if v, _ := m.get(ctx, "b", build(6)); v != 6 {
		t.Fatalf("after forget: %d, want a rebuild", v)
	}
}

func TestMemoSharesConcurrentBuilds(t *testing.T) {
	m := newMemo[int](time.Minute, 10, time.Now)
	release := make(chan struct{})
	var builds atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			v, err := m.get(context.Background(), "k", func(context.Context) (int, error) {
				builds.Add(1)
				<-release
				return 7, nil
			})
			if err != nil || v != 7 {
				t.Errorf("got %d %v", v, err)
			}
		})
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := builds.Load(); n != 1 {
		t.Fatalf("%d builds for 50 concurrent misses, want 1", n)
	}

	// A caller that gives up gets its ctx error; the build finishes for others.
	slow := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := m.get(ctx, "slow", func(context.Context) (int, error) { <-slow; return 1, nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	close(slow)
	if v, err := m.get(context.Background(), "slow", func(context.Context) (int, error) { return 2, nil }); err != nil || (v != 1 && v != 2) {
		t.Fatalf("got %d %v", v, err)
	}

	// forget during a build: the waiters get the value, nothing is kept.
	hold := make(chan struct{})
	done := make(chan int)
	go func() {
		v, _ := m.get(context.Background(), "f", func(context.Context) (int, error) { <-hold; return 1, nil })
		done <- v
	}()
	time.Sleep(10 * time.Millisecond)
	m.forget("f")
	close(hold)
	if v := <-done; v != 1 {
		t.Fatalf("waiter got %d", v)
	}
	if v, _ := m.get(context.Background(), "f", func(context.Context) (int, error) { return 9, nil }); v != 9 {
		t.Fatalf("a value built before forget was kept: %d", v)
	}
}
