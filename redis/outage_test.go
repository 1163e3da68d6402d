package redis

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Redis outages are logged misses: GetOrLoad still answers with load's value
// within about OpTimeout. These tests need no Redis.

// outageBound is how long a GetOrLoad may take while Redis is down or hung:
// the default OpTimeout (100ms) plus slack for a loaded -race run, far below
// go-redis's own 3 s read timeout.
const outageBound = time.Second

func TestRedisDownIsALoggedMiss(t *testing.T) {
	t.Parallel()
	// A port that was just closed refuses connections.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	testOutage(t, addr)
}

func TestRedisHangingIsALoggedMiss(t *testing.T) {
	t.Parallel()
	testOutage(t, hangingServer(t))
}

func testOutage(t *testing.T, addr string) {
	tc := newTestCache(t)
	opt := tc.options(nil)
	opt.OpTimeout = 0 // the default
	c, err := Dial(t.Context(), "redis://"+addr, opt)
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	defer c.Close()
	if err := c.Ping(t.Context()); err == nil {
		t.Error("Ping = nil, want an error")
	}
	before := len(tc.logs.warnings(t)) // Dial's own warning

	const secret = `{"DisplayName":"Acme"}`
	start := time.Now()
	got, err := c.GetOrLoad(t.Context(), tc.key("customer", "42"), ttl, value(secret).load)
	elapsed := time.Since(start)
	if err != nil || string(got) != secret {
		t.Fatalf("GetOrLoad = %q, %v; want load's value", got, err)
	}
	if elapsed > outageBound {
		t.Errorf("GetOrLoad took %v, want under %v", elapsed, outageBound)
	}
	if diff := cmp.Diff(map[string]int{"error": 1}, tc.results.counts()); diff != "" {
		t.Errorf("Observe (-want +got):\n%s", diff)
	}
	w := tc.logs.warnings(t)[before:]
	if len(w) != 1 {
		t.Fatalf("logged %d warnings for one call, want 1: %v", len(w), w)
	}
	if w[0]["kind"] != "customer" || w[0]["err"] == nil {
		t.Errorf("warning = %v, want kind customer and the error", w[0])
	}
	if logs := tc.logs.String(); strings.Contains(logs, "Acme") {
		t.Errorf("logs hold the value:\n%s", logs)
	}

	start = time.Now()
	if err := c.Delete(t.Context(), tc.key("customer", "42")); err == nil {
		t.Error("Delete = nil, want Redis's error")
	}
	if elapsed := time.Since(start); elapsed > outageBound {
		t.Errorf("Delete took %v, want under %v", elapsed, outageBound)
	}
}

// hangingServer accepts connections and never answers, like a Redis that is
// stuck. It returns its address.
func hangingServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func TestRedisWrongTypeIsReplaced(t *testing.T) {
	t.Parallel()
	raw := openRedis(t)
	tc := newTestCache(t)
	c, err := Dial(t.Context(), redisURL(), tc.options(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t.Cleanup(func() { deleteRealm(t, raw, tc.realm) })

	key := tc.key("item", "1")
	if err := raw.HSet(t.Context(), key, "f", "v").Err(); err != nil {
		t.Fatal(err)
	}
	l := value("item")
	for range 2 {
		if got, err := c.GetOrLoad(t.Context(), key, ttl, l.load); err != nil || string(got) != "item" {
			t.Fatalf("GetOrLoad = %q, %v", got, err)
		}
	}
	// Redis answered WRONGTYPE, so the loaded value replaced the bad entry.
	if diff := cmp.Diff(map[string]int{"error": 1, "hit": 1}, tc.results.counts()); diff != "" {
		t.Errorf("Observe (-want +got):\n%s", diff)
	}
	if n := len(tc.logs.warnings(t)); n != 1 {
		t.Errorf("logged %d warnings, want 1", n)
	}
}

func TestDialBadURLHidesPassword(t *testing.T) {
	t.Parallel()
	for _, url := range []string{"redis://user:s3cret@host:notaport", "http://user:s3cret@host:6379"} {
		c, err := Dial(context.Background(), url, Options{})
		if err == nil {
			c.Close()
			t.Errorf("Dial(%q) = nil error", url)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Dial error shows the password: %v", err)
		}
	}
}
