package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/logtest"
)

// testCache is one backend under test with what the contract suite needs to
// drive and inspect it.
type testCache struct {
	*Cache
	realm   string // random, so each test has its own key space
	results *results
	logs    *logBuffer
	// expire returns once the entry stored under key with ttl has expired.
	expire func(t *testing.T, key string, ttl time.Duration)
}

// key returns a versioned key in this test's key space.
func (tc *testCache) key(kind string, parts ...string) string {
	return app.CacheKey(tc.realm, kind, parts...)
}

// forEachCache runs fn against the in-process backend and against Redis, in
// parallel with other tests (each has its own key space). The Redis subtest
// skips when Redis is unreachable, and fails if CI=true.
func forEachCache(t *testing.T, fn func(t *testing.T, tc *testCache)) {
	t.Helper()
	t.Parallel()
	t.Run("inprocess", func(t *testing.T) {
		t.Parallel()
		clock := &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
		tc := newTestCache(t)
		tc.Cache = NewInProcess(100, tc.options(clock.now))
		tc.expire = func(t *testing.T, _ string, ttl time.Duration) { clock.advance(ttl) }
		fn(t, tc)
	})
	t.Run("redis", func(t *testing.T) {
		t.Parallel()
		raw := openRedis(t)
		tc := newTestCache(t)
		c, err := Dial(t.Context(), redisURL(), tc.options(nil))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		t.Cleanup(func() { deleteRealm(t, raw, tc.realm) })
		tc.Cache = c
		tc.expire = func(t *testing.T, key string, ttl time.Duration) {
			t.Helper()
			time.Sleep(ttl)
			if !waitFor(func() bool { return raw.Exists(context.Background(), key).Val() == 0 }) {
				t.Fatalf("%s still in Redis long after its ttl %v", key, ttl)
			}
		}
		fn(t, tc)
	})
}

func newTestCache(t *testing.T) *testCache {
	var b [6]byte
	rand.Read(b[:])
	return &testCache{realm: "test-" + hex.EncodeToString(b[:]), results: &results{}, logs: &logBuffer{}}
}

// options wires the cache's logger and Observe to tc. OpTimeout is generous
// so a slow -race run cannot turn a hit into an error; the outage tests use
// the default.
func (tc *testCache) options(now func() time.Time) Options {
	return Options{Logger: tc.logs.Logger(), Observe: tc.results.observe, Now: now, OpTimeout: time.Second}
}

func redisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379"
}

// redisUp probes Redis once per test binary, so a missing Redis costs one
// timeout rather than one per test.
var redisUp = sync.OnceValue(func() error {
	o, err := goredis.ParseURL(redisURL())
	if err != nil {
		return fmt.Errorf("TEST_REDIS_URL: %w", err)
	}
	o.MaxRetries = -1
	client := goredis.NewClient(o)
	defer client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("no Redis at %s (start one or set TEST_REDIS_URL): %w", o.Addr, err)
	}
	return nil
})

// openRedis returns a client for inspecting Redis directly, or skips the
// test (fails it under CI=true) if Redis does not answer.
func openRedis(t *testing.T) *goredis.Client {
	t.Helper()
	if err := redisUp(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	o, err := goredis.ParseURL(redisURL())
	if err != nil {
		t.Fatal(err)
	}
	o.ContextTimeoutEnabled = true
	client := goredis.NewClient(o)
	t.Cleanup(func() { client.Close() })
	return client
}

// deleteRealm removes every key the test wrote.
func deleteRealm(t *testing.T, client *goredis.Client, realm string) {
	ctx := context.Background()
	iter := client.Scan(ctx, 0, app.CacheKey(realm, "*"), 100).Iterator()
	for iter.Next(ctx) {
		client.Del(ctx, iter.Val())
	}
	if err := iter.Err(); err != nil {
		t.Errorf("clean up %s: %v", realm, err)
	}
}

// waitFor polls cond for up to 5 s.
func waitFor(cond func() bool) bool {
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// recv takes one value from ch, failing the test after 5 s.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(5 * time.Second):
		t.Fatal("timed out waiting for a result")
		panic("unreachable")
	}
}

// loader is a load function that counts its calls.
type loader struct {
	mu    sync.Mutex
	calls int
	fn    func(ctx context.Context) ([]byte, error)
}

func (l *loader) load(ctx context.Context) ([]byte, error) {
	l.mu.Lock()
	l.calls++
	l.mu.Unlock()
	return l.fn(ctx)
}

func (l *loader) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls
}

func value(s string) *loader {
	return &loader{fn: func(context.Context) ([]byte, error) { return []byte(s), nil }}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// results records what Observe saw.
type results struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *results) observe(result string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = make(map[string]int)
	}
	r.n[result]++
}

func (r *results) counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := make(map[string]int)
	for k, v := range r.n {
		m[k] = v
	}
	return m
}

// logBuffer captures JSON log lines and reads back the warnings.
type logBuffer struct{ logtest.Buffer }

// warnings returns the Warn records logged so far.
func (b *logBuffer) warnings(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(b.String()) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["level"] == "WARN" {
			out = append(out, rec)
		}
	}
	return out
}
