package ratelimit

import (
	"context"
	"time"
)

// Budget is one key's allowance.
type Budget struct {
	// Requests may begin within any Per; zero or less means no rate cap.
	Requests int
	Per      time.Duration
	// Concurrent may be in flight at once; zero or less means no cap.
	Concurrent int
}

func (b Budget) limitsRate() bool { return b.Requests > 0 && b.Per > 0 }

// A Limiter admits requests within budgets.
type Limiter interface {
	// Acquire waits until a request under key fits b, and returns the
	// function to call once the request's answer has been read (it may be
	// called more than once). It fails only with ctx's error. Calls for
	// one key should give one budget (Local sizes a key's concurrency cap
	// on its first call).
	Acquire(ctx context.Context, key string, b Budget) (release func(), err error)
}
