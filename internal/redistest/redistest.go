// Package redistest gives tests a real Redis: the shared one the machine
// runs (TEST_REDIS_URL, default redis://127.0.0.1:6379), or a private
// redis-server process a test may stop and start again.
package redistest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/localsvc"
)

// URL is the shared Redis of the tests.
func URL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379"
}

var sharedUp = sync.OnceValue(func() error {
	o, err := goredis.ParseURL(URL())
	if err != nil {
		return fmt.Errorf("TEST_REDIS_URL: %w", err)
	}
	o.MaxRetries = -1
	c := goredis.NewClient(o)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("no Redis at %s (start one or set TEST_REDIS_URL): %w", o.Addr, err)
	}
	return nil
})

// Open returns a new client of the shared Redis, closed when t ends. Without
// a Redis the test fails when CI=true, and is skipped otherwise.
func Open(t testing.TB) *goredis.Client {
	t.Helper()
	if err := sharedUp(); err != nil {
		unavailable(t, err)
	}
	o, err := goredis.ParseURL(URL())
	if err != nil {
		t.Fatal(err)
	}
	return client(t, o)
}

func client(t testing.TB, o *goredis.Options) *goredis.Client {
	o.ContextTimeoutEnabled = true
	c := goredis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

func unavailable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatal(err)
	}
	t.Skip(err)
}

// Server is a private redis-server on a loopback port of its own, keeping
// nothing on disk.
type Server struct {
	*localsvc.Redis
	t testing.TB
}

// Start starts a private redis-server, stopped when t ends. Without the
// redis-server binary the test fails when CI=true, and is skipped otherwise.
func Start(t testing.TB) *Server {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		unavailable(t, fmt.Errorf("redis-server is not installed: %w", err))
	}
	r, err := localsvc.StartRedis(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Kill)
	return &Server{Redis: r, t: t}
}

// Client returns a new client of the server, closed when the test ends.
func (s *Server) Client() *goredis.Client {
	return client(s.t, &goredis.Options{Addr: s.Addr, MaxRetries: -1})
}

// Stop kills the server (SIGKILL: what it held is gone).
func (s *Server) Stop() { s.Kill() }

// Restart starts the server again on its address and waits until it
// answers.
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.Start(); err != nil {
		s.t.Fatal(err)
	}
}
