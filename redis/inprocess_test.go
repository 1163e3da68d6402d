package redis

import (
	"testing"
	"time"
)

func TestInProcessEvictsLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	c := NewInProcess(2, Options{})
	ctx := t.Context()
	la, lb, lc := value("a"), value("b"), value("c")
	c.GetOrLoad(ctx, "v1:r:item:a", ttl, la.load)
	c.GetOrLoad(ctx, "v1:r:item:b", ttl, lb.load)
	c.GetOrLoad(ctx, "v1:r:item:a", ttl, la.load) // a is now the most recent
	c.GetOrLoad(ctx, "v1:r:item:c", ttl, lc.load) // evicts b

	for _, k := range []struct {
		key  string
		l    *loader
		want int
	}{
		{"v1:r:item:a", la, 1},
		{"v1:r:item:c", lc, 1},
		{"v1:r:item:b", lb, 2}, // evicted, so loaded again
	} {
		c.GetOrLoad(ctx, k.key, ttl, k.l.load)
		if n := k.l.count(); n != k.want {
			t.Errorf("%s: load called %d times, want %d", k.key, n, k.want)
		}
	}
}

func TestInProcessExpiresAtTTL(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(0, 0)}
	c := NewInProcess(10, Options{Now: clock.now})
	l := value("v")
	c.GetOrLoad(t.Context(), "v1:r:term:1", time.Minute, l.load)
	clock.advance(time.Minute - time.Nanosecond)
	c.GetOrLoad(t.Context(), "v1:r:term:1", time.Minute, l.load)
	if n := l.count(); n != 1 {
		t.Fatalf("just before ttl: load called %d times, want 1", n)
	}
	clock.advance(time.Nanosecond)
	c.GetOrLoad(t.Context(), "v1:r:term:1", time.Minute, l.load)
	if n := l.count(); n != 2 {
		t.Errorf("at ttl: load called %d times, want 2", n)
	}
}

func TestInProcessValuesAreCopies(t *testing.T) {
	t.Parallel()
	c := NewInProcess(10, Options{})
	got, _ := c.GetOrLoad(t.Context(), "v1:r:item:1", ttl, value("abc").load)
	got[0] = 'X'
	got, _ = c.GetOrLoad(t.Context(), "v1:r:item:1", ttl, value("zzz").load)
	if string(got) != "abc" {
		t.Errorf("cached value = %q after the caller changed its copy, want abc", got)
	}
}
