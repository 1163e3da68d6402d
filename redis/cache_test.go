package redis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The contract suite: every test runs against both backends.

const ttl = time.Minute

func TestHitAfterMiss(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		ctx := t.Context()
		key := tc.key("customer", "1")
		l := value(`{"Id":"1"}`)
		for i := range 2 {
			got, err := tc.GetOrLoad(ctx, key, ttl, l.load)
			if err != nil || string(got) != `{"Id":"1"}` {
				t.Fatalf("call %d: GetOrLoad = %q, %v", i, got, err)
			}
		}
		if n := l.count(); n != 1 {
			t.Errorf("load called %d times, want 1", n)
		}
		if diff := cmp.Diff(map[string]int{"miss": 1, "hit": 1}, tc.results.counts()); diff != "" {
			t.Errorf("Observe (-want +got):\n%s", diff)
		}
	})
}

func TestExpiry(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		ctx := t.Context()
		key := tc.key("item", "1")
		const short = 80 * time.Millisecond
		l := value("v")
		tc.GetOrLoad(ctx, key, short, l.load)
		tc.GetOrLoad(ctx, key, short, l.load)
		if n := l.count(); n != 1 {
			t.Fatalf("before expiry: load called %d times, want 1", n)
		}
		tc.expire(t, key, short)
		if got, err := tc.GetOrLoad(ctx, key, short, l.load); err != nil || string(got) != "v" {
			t.Fatalf("after expiry: GetOrLoad = %q, %v", got, err)
		}
		if n := l.count(); n != 2 {
			t.Errorf("after expiry: load called %d times, want 2", n)
		}
	})
}

func TestZeroTTLIsNotStored(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		key := tc.key("item", "1")
		l := value("v")
		tc.GetOrLoad(t.Context(), key, 0, l.load)
		tc.GetOrLoad(t.Context(), key, 0, l.load)
		if n := l.count(); n != 2 {
			t.Errorf("load called %d times, want 2", n)
		}
	})
}

func TestDelete(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		ctx := t.Context()
		a, b := tc.key("term", "a"), tc.key("term", "b")
		la, lb := value("a"), value("b")
		tc.GetOrLoad(ctx, a, ttl, la.load)
		tc.GetOrLoad(ctx, b, ttl, lb.load)

		if err := tc.Delete(ctx, a, b, tc.key("term", "never-stored")); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		if err := tc.Delete(ctx); err != nil {
			t.Fatalf("Delete of no keys: %v", err)
		}
		tc.GetOrLoad(ctx, a, ttl, la.load)
		tc.GetOrLoad(ctx, b, ttl, lb.load)
		if la.count() != 2 || lb.count() != 2 {
			t.Errorf("loads after Delete: a %d, b %d; want 2 each", la.count(), lb.count())
		}
	})
}

type loadError struct{ msg string }

func (e *loadError) Error() string { return e.msg }

func TestLoadErrorIsReturnedAndNotCached(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		ctx := t.Context()
		key := tc.key("customer", "1")
		want := &loadError{"qbo: throttled"}
		l := &loader{fn: func(context.Context) ([]byte, error) { return nil, fmt.Errorf("fetch customer: %w", want) }}
		for i := range 2 {
			got, err := tc.GetOrLoad(ctx, key, ttl, l.load)
			if !errors.Is(err, want) || err.Error() != "fetch customer: qbo: throttled" || got != nil {
				t.Fatalf("call %d: GetOrLoad = %q, %v; want load's error unchanged", i, got, err)
			}
		}
		if n := l.count(); n != 2 {
			t.Errorf("load called %d times, want 2 (errors are not cached)", n)
		}
		if w := tc.logs.warnings(t); len(w) != 0 {
			t.Errorf("load errors are the caller's to log, got warnings %v", w)
		}
	})
}

func TestSingleFlight(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		const callers = 50
		key := tc.key("preferences")
		// load returns only once every caller is waiting on it.
		l := &loader{fn: func(context.Context) ([]byte, error) {
			if !waitFor(func() bool { return tc.waiting(key) == callers }) {
				return nil, fmt.Errorf("only %d of %d callers joined", tc.waiting(key), callers)
			}
			return []byte("prefs"), nil
		}}
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for range callers {
			wg.Go(func() {
				got, err := tc.GetOrLoad(t.Context(), key, ttl, l.load)
				if err == nil && string(got) != "prefs" {
					err = fmt.Errorf("got %q", got)
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := l.count(); n != 1 {
			t.Errorf("load called %d times, want 1", n)
		}
		if got := tc.results.counts()["miss"]; got != callers {
			t.Errorf("Observe saw %d misses, want %d", got, callers)
		}
	})
}

func TestSingleFlightSharesError(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		key := tc.key("item", "1")
		want := errors.New("qbo down")
		release := make(chan struct{})
		l := &loader{fn: func(context.Context) ([]byte, error) { <-release; return nil, want }}
		errs := make(chan error, 2)
		for range 2 {
			go func() {
				_, err := tc.GetOrLoad(t.Context(), key, ttl, l.load)
				errs <- err
			}()
		}
		waitFor(func() bool { return tc.waiting(key) == 2 })
		close(release)
		for range 2 {
			if err := recv(t, errs); err != want {
				t.Errorf("GetOrLoad error = %v, want %v", err, want)
			}
		}
		if n := l.count(); n != 1 {
			t.Errorf("load called %d times, want 1", n)
		}
	})
}

func TestDifferentKeysLoadIndependently(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		ctx := t.Context()
		a, b := tc.key("customer", "a"), tc.key("customer", "b")
		release := make(chan struct{})
		defer close(release)
		slow := &loader{fn: func(context.Context) ([]byte, error) { <-release; return []byte("a"), nil }}
		go tc.GetOrLoad(ctx, a, ttl, slow.load)
		waitFor(func() bool { return tc.waiting(a) == 1 })

		// b loads while a's load is still blocked.
		got, err := tc.GetOrLoad(ctx, b, ttl, value("b").load)
		if err != nil || string(got) != "b" {
			t.Fatalf("GetOrLoad(b) = %q, %v", got, err)
		}
	})
}

func TestCancelledCallerDoesNotCancelSharedLoad(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		key := tc.key("taxcode", "all")
		release := make(chan struct{})
		loadCtxErr := make(chan error, 1)
		l := &loader{fn: func(ctx context.Context) ([]byte, error) {
			<-release
			loadCtxErr <- ctx.Err()
			return []byte("codes"), nil
		}}

		// The first caller starts the load, the second joins it.
		ctx1, cancel1 := context.WithCancel(t.Context())
		defer cancel1()
		first := make(chan error, 1)
		go func() {
			_, err := tc.GetOrLoad(ctx1, key, ttl, l.load)
			first <- err
		}()
		waitFor(func() bool { return tc.waiting(key) == 1 })
		type result struct {
			val []byte
			err error
		}
		second := make(chan result, 1)
		go func() {
			v, err := tc.GetOrLoad(t.Context(), key, ttl, l.load)
			second <- result{v, err}
		}()
		waitFor(func() bool { return tc.waiting(key) == 2 })

		// The first gives up at once; the load goes on for the second.
		cancel1()
		if err := recv(t, first); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller got %v, want context.Canceled", err)
		}
		close(release)
		if err := recv(t, loadCtxErr); err != nil {
			t.Errorf("load's context ended with %v while a caller still waited", err)
		}
		if r := recv(t, second); r.err != nil || string(r.val) != "codes" {
			t.Errorf("remaining caller got %q, %v", r.val, r.err)
		}
		if n := l.count(); n != 1 {
			t.Errorf("load called %d times, want 1", n)
		}
	})
}

func TestLoadIsCancelledWhenEveryCallerLeaves(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		key := tc.key("customer", "1")
		cancelled := make(chan struct{})
		hang := &loader{fn: func(ctx context.Context) ([]byte, error) {
			select {
			case <-ctx.Done():
				close(cancelled)
				return nil, ctx.Err()
			case <-time.After(5 * time.Second):
				return nil, errors.New("load was never cancelled")
			}
		}}
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			_, err := tc.GetOrLoad(ctx, key, ttl, hang.load)
			done <- err
		}()
		waitFor(func() bool { return tc.waiting(key) == 1 })
		cancel()
		if err := recv(t, done); !errors.Is(err, context.Canceled) {
			t.Errorf("GetOrLoad = %v, want context.Canceled", err)
		}
		recv(t, cancelled)

		// The abandoned flight is gone: the next caller loads afresh.
		if got, err := tc.GetOrLoad(t.Context(), key, ttl, value("fresh").load); err != nil || string(got) != "fresh" {
			t.Errorf("next GetOrLoad = %q, %v", got, err)
		}
	})
}

func TestDeleteDuringLoadIsNotUndone(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		ctx := t.Context()
		key := tc.key("customer", "1")
		release := make(chan struct{})
		stale := &loader{fn: func(context.Context) ([]byte, error) { <-release; return []byte("before write"), nil }}
		done := make(chan []byte, 1)
		go func() {
			v, _ := tc.GetOrLoad(ctx, key, ttl, stale.load)
			done <- v
		}()
		waitFor(func() bool { return tc.waiting(key) == 1 })

		// Our own write to QBO invalidates the key while the read is in flight.
		if err := tc.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		close(release)
		if got := recv(t, done); string(got) != "before write" {
			t.Errorf("waiting caller got %q", got)
		}
		if got, _ := tc.GetOrLoad(ctx, key, ttl, value("after write").load); string(got) != "after write" {
			t.Errorf("after Delete, GetOrLoad = %q; the in-flight load was stored", got)
		}
	})
}

func TestLoadPanicReachesCaller(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		key := tc.key("item", "1")
		defer func() {
			r := recover()
			if s, _ := r.(string); !strings.Contains(s, "boom") || !strings.Contains(s, "load of item panicked") {
				t.Errorf("recovered %v, want load's panic", r)
			}
		}()
		tc.GetOrLoad(t.Context(), key, ttl, func(context.Context) ([]byte, error) { panic("boom") })
		t.Error("GetOrLoad returned; want a panic")
	})
}

func TestCancelledContext(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		l := value("v")
		if _, err := tc.GetOrLoad(ctx, tc.key("item", "1"), ttl, l.load); !errors.Is(err, context.Canceled) {
			t.Errorf("GetOrLoad = %v, want context.Canceled", err)
		}
		if l.count() != 0 || len(tc.results.counts()) != 0 || len(tc.logs.warnings(t)) != 0 {
			t.Errorf("a cancelled caller loaded (%d), observed %v or logged", l.count(), tc.results.counts())
		}
	})
}

func TestPing(t *testing.T) {
	forEachCache(t, func(t *testing.T, tc *testCache) {
		if err := tc.Ping(t.Context()); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

func TestKindOf(t *testing.T) {
	for key, want := range map[string]string{
		"v1:123:customer:42": "customer",
		"v1:123:preferences": "preferences",
		"v1:123":             "unknown",
		"v1:123::x":          "unknown",
		"":                   "unknown",
	} {
		if got := kindOf(key); got != want {
			t.Errorf("kindOf(%q) = %q, want %q", key, got, want)
		}
	}
}
