package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/pause"
)

// Defaults of SharedOptions.
const (
	DefaultOpTimeout  = 100 * time.Millisecond
	DefaultLease      = 15 * time.Second
	DefaultRetryAfter = time.Second
)

// Key prefixes in Redis (redis_rate adds its own "rate:" before ours).
const (
	ratePrefix = "hq:rl:"
	slotPrefix = "hq:slots:"
)

// SharedOptions tunes a Shared limiter; zero fields take the defaults.
type SharedOptions struct {
	// OpTimeout bounds each Redis call.
	OpTimeout time.Duration
	// Lease is how long a concurrency slot stays taken without renewal: a
	// holder renews it every Lease/3, so a replica that dies mid-request
	// frees its slots within Lease.
	Lease time.Duration
	// RetryAfter is how long Local stands in after Redis failed before
	// Redis is tried again.
	RetryAfter time.Duration
	Logger     *slog.Logger
}

// Shared is a Limiter whose budgets live in Redis, shared by every replica
// that uses the same Redis; see the package documentation.
type Shared struct {
	client *goredis.Client
	rate   *redis_rate.Limiter
	local  *Local
	opt    SharedOptions
	log    *slog.Logger

	mu        sync.Mutex
	downUntil time.Time // Local stands in until then
	down      bool      // the last Redis call failed (for logging the switch once)
}

// NewShared returns a Shared over client, which the caller keeps and closes.
// The client should have ContextTimeoutEnabled, so OpTimeout holds.
func NewShared(client *goredis.Client, opt SharedOptions) *Shared {
	if opt.OpTimeout <= 0 {
		opt.OpTimeout = DefaultOpTimeout
	}
	if opt.Lease <= 0 {
		opt.Lease = DefaultLease
	}
	if opt.RetryAfter <= 0 {
		opt.RetryAfter = DefaultRetryAfter
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	return &Shared{client: client, rate: redis_rate.NewLimiter(client), local: NewLocal(), opt: opt, log: opt.Logger}
}

// Acquire implements Limiter over Redis, and over Local while Redis fails.
func (s *Shared) Acquire(ctx context.Context, key string, b Budget) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.standingIn() {
		return s.local.Acquire(ctx, key, b)
	}
	release, err := s.acquire(ctx, key, b)
	if err == nil {
		s.up()
		return release, nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return nil, cerr
	}
	s.fail(err)
	return s.local.Acquire(ctx, key, b)
}

// acquire takes a slot, then waits for the rate; an error is Redis's.
func (s *Shared) acquire(ctx context.Context, key string, b Budget) (func(), error) {
	freeSlot := func() {}
	if b.Concurrent > 0 {
		var err error
		if freeSlot, err = s.takeSlot(ctx, key, b.Concurrent); err != nil {
			return nil, err
		}
	}
	if b.limitsRate() {
		if err := s.waitRate(ctx, key, b); err != nil {
			freeSlot()
			return nil, err
		}
	}
	return freeSlot, nil
}

// gcra is the redis_rate limit of b: a burst of up to ten, then an even
// pace, chosen so that no window of b.Per ever holds more than b.Requests
// admissions (a window holds the burst plus Per divided by the pace), with
// 2% slack for the time a request takes to reach the upstream.
func gcra(b Budget) redis_rate.Limit {
	burst := min(10, max(1, b.Requests/10))
	return redis_rate.Limit{Rate: b.Requests - burst + 1, Burst: burst, Period: b.Per + b.Per/50}
}

// waitRate waits until Redis admits one request under key.
func (s *Shared) waitRate(ctx context.Context, key string, b Budget) error {
	limit := gcra(b)
	for {
		opCtx, cancel := context.WithTimeout(ctx, s.opt.OpTimeout)
		res, err := s.rate.Allow(opCtx, ratePrefix+key, limit)
		cancel()
		if err != nil {
			return fmt.Errorf("ratelimit: rate of %s: %w", key, err)
		}
		if res.Allowed > 0 {
			return nil
		}
		// A little jitter, so replicas waiting for one key do not all ask
		// again at the same instant.
		wait := res.RetryAfter + time.Duration(mrand.Int64N(int64(2*time.Millisecond)))
		if err := pause.For(ctx, wait); err != nil {
			return err
		}
	}
}

// takeSlotScript leases one of ARGV[1] slots of KEYS[1] for ARGV[2] ms to
// ARGV[3], after dropping expired leases; 1 when taken, 0 when all are
// held. Times are Redis's.
var takeSlotScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
  return 1
end
return 0
`)

// renewSlotScript extends ARGV[2]'s lease of KEYS[1] by ARGV[1] ms, if it
// still holds one.
var renewSlotScript = goredis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[1]), ARGV[2])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
  return 1
end
return 0
`)

// takeSlot waits for a slot of key and returns the function that frees it.
// The lease is renewed while the slot is held.
func (s *Shared) takeSlot(ctx context.Context, key string, capacity int) (func(), error) {
	member := leaseID()
	rkey := slotPrefix + key
	lease := s.opt.Lease.Milliseconds()
	backoff := 2 * time.Millisecond
	for {
		opCtx, cancel := context.WithTimeout(ctx, s.opt.OpTimeout)
		got, err := takeSlotScript.Run(opCtx, s.client, []string{rkey}, capacity, lease, member).Int()
		cancel()
		if err != nil {
			// Redis may have taken the slot before the answer was lost:
			// give it back rather than leave it held for a lease.
			go s.free(rkey, member)
			return nil, fmt.Errorf("ratelimit: slot of %s: %w", key, err)
		}
		if got == 1 {
			break
		}
		if err := pause.For(ctx, backoff+time.Duration(mrand.Int64N(int64(backoff)))); err != nil {
			return nil, err
		}
		backoff = min(2*backoff, 50*time.Millisecond)
	}
	stop := make(chan struct{})
	go s.renew(rkey, member, stop)
	var once sync.Once
	return func() {
		once.Do(func() {
			close(stop)
			s.free(rkey, member)
		})
	}, nil
}

// free gives member's slot of rkey back; when Redis cannot take it, the
// lease lapses on its own.
func (s *Shared) free(rkey, member string) {
	ctx, cancel := context.WithTimeout(context.Background(), s.opt.OpTimeout)
	defer cancel()
	if err := s.client.ZRem(ctx, rkey, member).Err(); err != nil {
		s.log.Debug("ratelimit: slot not freed; its lease will lapse", "key", rkey, "err", err)
	}
}

// renew keeps member's lease of rkey until stop is closed.
func (s *Shared) renew(rkey, member string, stop <-chan struct{}) {
	t := time.NewTicker(s.opt.Lease / 3)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), s.opt.OpTimeout)
			err := renewSlotScript.Run(ctx, s.client, []string{rkey}, s.opt.Lease.Milliseconds(), member).Err()
			cancel()
			if err != nil {
				s.log.Debug("ratelimit: lease not renewed", "key", rkey, "err", err)
			}
		}
	}
}

func leaseID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// standingIn reports whether Local stands in for Redis now.
func (s *Shared) standingIn() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return time.Now().Before(s.downUntil)
}

// fail records a Redis failure: Local stands in for RetryAfter.
func (s *Shared) fail(err error) {
	s.mu.Lock()
	s.downUntil = time.Now().Add(s.opt.RetryAfter)
	first := !s.down
	s.down = true
	s.mu.Unlock()
	if first {
		s.log.Warn("ratelimit: Redis failed; each replica keeps the limits on its own until it answers",
			"err", err)
	}
}

// up records that Redis answered.
func (s *Shared) up() {
	s.mu.Lock()
	was := s.down
	s.down = false
	s.mu.Unlock()
	if was {
		s.log.Info("ratelimit: Redis answers again; limits are shared")
	}
}
