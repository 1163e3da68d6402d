package redis

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	neturl "net/url"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// New returns a Cache over client, which it owns from now on (Close closes
// it). Each call is bounded by opt.OpTimeout, which go-redis honours only if
// the client was built with ContextTimeoutEnabled (Dial sets it); without it
// a hung Redis stalls a call for the client's own timeouts, so New warns.
func New(client *goredis.Client, opt Options) *Cache {
	c := newCache(newRemote(client, opt.OpTimeout), opt)
	if !client.Options().ContextTimeoutEnabled {
		c.log.Warn("redis client has ContextTimeoutEnabled off: a hung Redis stalls each call for the client's own timeouts (seconds), not OpTimeout")
	}
	return c
}

// Dial parses url (redis://[user:password@]host:port/db, rediss:// for TLS)
// and returns a Cache over a new client that honours OpTimeout. It pings
// Redis once under ctx; if that fails it logs a warning and still returns the
// Cache, since Redis being down is a miss, not a reason not to start. Only a
// bad url is an error.
func Dial(ctx context.Context, url string, opt Options) (*Cache, error) {
	client, err := NewClient(url)
	if err != nil {
		return nil, err
	}
	c := New(client, opt)
	if err := c.Ping(ctx); err != nil {
		c.log.Warn("redis unreachable at start; serving misses until it answers", "addr", client.Options().Addr, "err", err)
	}
	return c, nil
}

// NewClient parses url (as Dial) and returns a client that honours its
// callers' context deadlines (ContextTimeoutEnabled). It does not connect.
// A bad url's error never quotes the url, which may hold a password.
//
// go-redis prints its own pool failures to stderr, a line per failed dial
// while Redis is down; they are logged at Debug through slog instead, since
// the cache and the limiter each warn once about an outage in their words.
func NewClient(url string) (*goredis.Client, error) {
	quietOnce.Do(func() { goredis.SetLogger(debugLogger{}) })
	o, err := goredis.ParseURL(url)
	if uerr := (*neturl.Error)(nil); errors.As(err, &uerr) {
		err = uerr.Err // url.Error quotes the whole url, password included
	}
	if err != nil {
		return nil, fmt.Errorf("redis: parse url: %w", err)
	}
	o.ContextTimeoutEnabled = true
	return goredis.NewClient(o), nil
}

// remote stores values in Redis, bounding each call by timeout.
type remote struct {
	client  *goredis.Client
	timeout time.Duration
}

func newRemote(client *goredis.Client, timeout time.Duration) *remote {
	if timeout <= 0 {
		timeout = DefaultOpTimeout
	}
	return &remote{client: client, timeout: timeout}
}

func (r *remote) get(ctx context.Context, key string) ([]byte, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	val, err := r.client.Get(ctx, key).Bytes()
	switch {
	case errors.Is(err, goredis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("redis get: %w", err)
	}
	return val, true, nil
}

// set stores val with an expiry; go-redis sends SET PX, or EX for whole
// seconds.
func (r *remote) set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.client.Set(ctx, key, val, ttl).Err(); err != nil {
		return fmt.Errorf("redis set: %w", err)
	}
	return nil
}

func (r *remote) del(ctx context.Context, keys ...string) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.client.Del(ctx, keys...).Err(); err != nil {
		return fmt.Errorf("redis del: %w", err)
	}
	return nil
}

func (r *remote) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis ping: %w", err)
	}
	return nil
}

func (r *remote) close() error { return r.client.Close() }

// answered reports whether err is a reply from Redis (WRONGTYPE, LOADING…)
// rather than a failure to reach it in time.
func answered(err error) bool {
	var rerr goredis.Error
	return errors.As(err, &rerr)
}

var quietOnce sync.Once

// debugLogger passes go-redis's own messages to slog's default logger at
// Debug.
type debugLogger struct{}

func (debugLogger) Printf(ctx context.Context, format string, v ...any) {
	slog.DebugContext(ctx, "redis client: "+fmt.Sprintf(format, v...))
}
