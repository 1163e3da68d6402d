package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"strings"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/redistest"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/logtest"
)

func testKey(t *testing.T) string {
	var b [6]byte
	rand.Read(b[:])
	key := "test:" + hex.EncodeToString(b[:])
	return key
}

// replicas returns n Shared limiters, each on its own client of one Redis,
// as n replicas would have.
func replicas(t *testing.T, n int, newClient func() *goredis.Client, opt SharedOptions) []Limiter {
	out := make([]Limiter, n)
	for i := range out {
		out[i] = NewShared(newClient(), opt)
	}
	return out
}

// TestSharedWindowHoldsAcrossReplicas: two replicas together stay within
// one budget (each alone would take all of it), and use most of it.
func TestSharedWindowHoldsAcrossReplicas(t *testing.T) {
	t.Parallel()
	redistest.Open(t)
	b := Budget{Requests: 30, Per: 500 * time.Millisecond}
	two := replicas(t, 2, func() *goredis.Client { return redistest.Open(t) }, SharedOptions{})
	adm, _ := hammer(t, two, 4, testKey(t), b, 0, 2*time.Second)
	if most := adm.mostInAWindow(b.Per); most > b.Requests {
		t.Errorf("%d admissions within %v across two replicas, want at most %d", most, b.Per, b.Requests)
	}
	// Four windows' worth: the pacing's slack costs about 10%; at least half
	// must pass even on a loaded machine.
	if n, want := adm.count(), 4*b.Requests/2; n < want {
		t.Errorf("%d admissions in 2 s, want at least %d", n, want)
	}
}

// TestSharedConcurrencyHoldsAcrossReplicas: two replicas never hold more
// slots together than the cap, and keep them busy.
func TestSharedConcurrencyHoldsAcrossReplicas(t *testing.T) {
	t.Parallel()
	redistest.Open(t)
	b := Budget{Concurrent: 3}
	two := replicas(t, 2, func() *goredis.Client { return redistest.Open(t) }, SharedOptions{})
	adm, most := hammer(t, two, 4, testKey(t), b, 20*time.Millisecond, 600*time.Millisecond)
	if most > 3 {
		t.Errorf("%d held at once across two replicas, want at most 3", most)
	}
	if n := adm.count(); n < 30 {
		t.Errorf("%d admissions, want the slots kept busy (about 80)", n)
	}
}

// TestSharedSlotOfADeadReplicaLapses: a slot whose holder stopped renewing
// it (a killed replica) is free again after the lease; a live holder's
// renewed slot is not.
func TestSharedSlotOfADeadReplicaLapses(t *testing.T) {
	t.Parallel()
	c := redistest.Open(t)
	key := testKey(t)
	lease := 300 * time.Millisecond
	// A replica took the only slot and died: nothing renews it.
	if err := takeSlotScript.Run(t.Context(), c, []string{slotPrefix + key}, 1, lease.Milliseconds(), "dead").Err(); err != nil {
		t.Fatal(err)
	}
	l := NewShared(redistest.Open(t), SharedOptions{Lease: lease})
	b := Budget{Concurrent: 1}
	start := time.Now()
	release, err := l.Acquire(t.Context(), key, b)
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < lease/2 || waited > 5*lease {
		t.Errorf("waited %v for the dead replica's slot, want about its lease %v", waited, lease)
	}
	// Held past three leases, the live slot is renewed: others wait.
	ctx, cancel := context.WithTimeout(t.Context(), 3*lease)
	defer cancel()
	if _, err := NewShared(redistest.Open(t), SharedOptions{Lease: lease}).Acquire(ctx, key, b); err == nil {
		t.Error("a second replica took the slot a live holder keeps renewing")
	}
	release()
	if _, err := l.Acquire(t.Context(), key, b); err != nil {
		t.Errorf("after the release: %v", err)
	}
}

// TestSharedStandsInWhileRedisIsDown: with Redis gone, requests are still
// admitted, quickly and within the budget, by this replica alone, with
// one warning; once Redis is back the budget is shared again.
func TestSharedStandsInWhileRedisIsDown(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	var logs syncBuffer
	opt := SharedOptions{RetryAfter: 100 * time.Millisecond, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	l := NewShared(srv.Client(), opt)
	raw := srv.Client()
	key := testKey(t)
	b := Budget{Requests: 1000, Per: time.Second, Concurrent: 5}
	inRedis := func() bool { return raw.Exists(context.Background(), "rate:"+ratePrefix+key).Val() == 1 }

	acquire := func(what string) time.Duration {
		t.Helper()
		start := time.Now()
		release, err := l.Acquire(t.Context(), key, b)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		release()
		return time.Since(start)
	}
	acquire("Redis up")
	if !inRedis() {
		t.Fatal("the budget is not kept in Redis")
	}

	srv.Stop()
	for i := range 20 {
		if took := acquire("Redis down"); took > time.Second {
			t.Errorf("request %d took %v with Redis down, want at most the op timeout", i, took)
		}
	}
	if n := strings.Count(logs.String(), "ratelimit: Redis failed"); n != 1 {
		t.Errorf("%d warnings, want one:\n%s", n, logs.String())
	}

	srv.Restart()
	deadline := time.Now().Add(5 * time.Second)
	for !inRedis() && time.Now().Before(deadline) {
		acquire("Redis back")
		time.Sleep(20 * time.Millisecond)
	}
	if !inRedis() {
		t.Fatal("the budget is not kept in Redis again within 5 s of its return")
	}
	if !strings.Contains(logs.String(), "Redis answers again") {
		t.Errorf("no log of the return:\n%s", logs.String())
	}
}

func TestSharedWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	l := NewShared(redistest.Open(t), SharedOptions{})
	key := testKey(t)
	b := Budget{Requests: 1, Per: time.Hour}
	if _, err := l.Acquire(t.Context(), key, b); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := l.Acquire(ctx, key, b); err != context.DeadlineExceeded {
		t.Errorf("err = %v, want the context's", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v to give up", took)
	}
}

func TestGCRANeverExceedsTheBudget(t *testing.T) {
	for _, b := range []Budget{{Requests: 500, Per: time.Minute}, {Requests: 110, Per: 10 * time.Second},
		{Requests: 99, Per: 10 * time.Second}, {Requests: 5, Per: time.Second}, {Requests: 1, Per: time.Second}} {
		l := gcra(b)
		pace := float64(l.Period) / float64(l.Rate)
		if most := l.Burst + int(float64(b.Per)/pace); most > b.Requests {
			t.Errorf("%+v: %v admits %d per window", b, l, most)
		}
		if rate, best := float64(l.Rate)/l.Period.Seconds(), float64(b.Requests)/b.Per.Seconds(); rate < 0.85*best {
			t.Errorf("%+v: %v paces %.2f/s, below 85%% of %.2f/s", b, l, rate, best)
		}
	}
}

// syncBuffer is a log sink safe for many goroutines.
type syncBuffer = logtest.Buffer
