package quickbooks

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/pause"
)

// Retries: bounded, with exponential backoff and full jitter (a random wait
// between 0 and RetryBase·2^n, capped at maxBackoff), on 429, 408, 5xx and
// transport errors (classify decides). A Retry-After header, which QBO does
// not reliably send (reference section 3), raises the wait. Nothing is
// retried once the caller's context is done, and a wait that would outlast
// the context's deadline is not started: the caller gets Unavailable at
// once instead of a sleep that cannot end in an answer.

// maxBackoff caps one wait.
const maxBackoff = 30 * time.Second

// backoff is the wait before retry n (0 for the first retry).
func backoff(base time.Duration, n int) time.Duration {
	if base <= 0 {
		return 0
	}
	ceil := base
	for i := 0; i < n && ceil < maxBackoff; i++ {
		ceil *= 2
	}
	ceil = min(ceil, maxBackoff)
	return rand.N(ceil + 1)
}

// retryAfter reads a Retry-After header in seconds (the HTTP-date form is
// not used by Intuit); 0 when absent or unreadable.
func retryAfter(resp *http.Response) time.Duration {
	if resp == nil {
		return 0
	}
	v := strings.TrimSpace(resp.Header.Get("Retry-After"))
	if v == "" {
		return 0
	}
	secs, err := strconv.Atoi(v)
	if err != nil || secs <= 0 {
		return 0
	}
	return min(time.Duration(secs)*time.Second, maxBackoff)
}

// fitsDeadline reports whether a wait of d leaves ctx time to make a call.
func fitsDeadline(ctx context.Context, d time.Duration) bool {
	deadline, ok := ctx.Deadline()
	return !ok || time.Until(deadline) > d
}

// retryWait decides after a failed attempt whose classified error is err:
// it waits and returns nil when the call should be made again, or returns
// the error to give the caller. retries counts the retries made so far.
func (c *Client) retryWait(ctx context.Context, err error, resp *http.Response, retries *int, idempotent bool) error {
	ue := upstream(err)
	if ctx.Err() != nil {
		return contextError(ctx, err)
	}
	if !ue.retry || !idempotent || *retries >= c.cfg.MaxRetries {
		return err
	}
	wait := max(backoff(c.cfg.RetryBase, *retries), retryAfter(resp))
	if !fitsDeadline(ctx, wait) {
		return err
	}
	c.log.WarnContext(ctx, "quickbooks: retrying", "upstream", ue, "wait", wait)
	if pause.For(ctx, wait) != nil {
		return contextError(ctx, err)
	}
	*retries++
	return nil
}
