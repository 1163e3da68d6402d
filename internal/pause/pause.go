// Package pause waits for a while unless a context ends first: the one
// sleep every retry and limiter wait uses.
package pause

import (
	"context"
	"time"
)

// For waits for d, or until ctx ends, and returns ctx's error if it ended
// first (also when d is zero or less and ctx has already ended).
func For(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
