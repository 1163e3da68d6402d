package hubspot

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxWait caps one wait between attempts. A Retry-After longer than this
// (HubSpot's daily limit, say) ends the call at once: no card waits for it.
const maxWait = 10 * time.Second

// do runs one HubSpot request with bounded retries: send makes one attempt
// and returns the response with its body in memory. 429, 5xx and
// transport errors are retried up to MaxRetries times, honouring
// Retry-After (seconds or an HTTP date) when HubSpot sends it, else after
// an exponential backoff with jitter. A wait that would outlast ctx's
// deadline is not started, and ctx's end stops the retries. The final
// failure is classified in errors.go.
//
// A data call (newCall) is authorized with cl.token on every attempt; if
// HubSpot answers it 401 and the portal has a refresh token, the portal's
// tokens are refreshed (tokens.go) and the call runs once more.
func (c *Client) do(ctx context.Context, cl call, send func(context.Context) (*http.Response, error)) error {
	err, status := c.attempts(ctx, cl, send)
	if status != http.StatusUnauthorized || !cl.data || cl.owner.Tokens.Refresh == "" || ctx.Err() != nil {
		return err
	}
	t, rerr := c.refresh(ctx, cl.owner, cl.token)
	if rerr != nil {
		return rerr
	}
	cl.token = t.Access
	err, _ = c.attempts(ctx, cl, send)
	return err
}

type bearerKey struct{}

// bearer returns the access token do put in ctx for a data call's attempt.
func bearer(ctx context.Context) string {
	s, _ := ctx.Value(bearerKey{}).(string)
	return s
}

// attempts is do without the 401 refresh: it returns the classified error
// and the last HTTP status.
func (c *Client) attempts(ctx context.Context, cl call, send func(context.Context) (*http.Response, error)) (error, int) {
	actx := ctx
	if cl.data {
		actx = authorized(context.WithValue(ctx, bearerKey{}, cl.token), cl.token)
	}
	for attempt := 1; ; attempt++ {
		resp, err := send(actx)
		f := inspect(cl, attempt, resp, err)
		if f == nil {
			c.observe(cl.op, nil)
			return nil, 0
		}
		c.observe(cl.op, classify(cl, f))
		if !f.retryable || attempt > c.maxRetries || ctx.Err() != nil {
			return classify(cl, f), f.Status
		}
		var h http.Header
		if resp != nil {
			h = resp.Header
		}
		wait, ok := c.backoff(ctx, attempt, h, time.Now())
		if !ok {
			return classify(cl, f), f.Status
		}
		c.logRetry(ctx, f.APIError, wait)
		if err := c.sleep(ctx, wait); err != nil {
			if f.Err == nil {
				f.Err = err
			} else {
				f.Err = fmt.Errorf("%w; then %w", f.Err, err)
			}
			return classify(cl, f), f.Status
		}
	}
}

// logRetry logs one retry at Warn: the request and HubSpot's answer, never
// the token (APIError holds none).
func (c *Client) logRetry(ctx context.Context, e *APIError, wait time.Duration) {
	attrs := []slog.Attr{slog.String("op", e.Op), slog.Int64("portal", e.PortalID),
		slog.Int("attempt", e.Attempts), slog.Duration("wait", wait)}
	if e.Status != 0 {
		attrs = append(attrs, slog.Int("status", e.Status))
	}
	for _, kv := range [][2]string{{"category", e.Category}, {"policy", e.PolicyName},
		{"correlationId", e.CorrelationID}, {"message", e.Message}} {
		if kv[1] != "" {
			attrs = append(attrs, slog.String(kv[0], kv[1]))
		}
	}
	if e.Err != nil {
		attrs = append(attrs, slog.String("err", e.Err.Error()))
	}
	c.log.LogAttrs(ctx, slog.LevelWarn, "hubspot call retried", attrs...)
}

// backoff returns how long to wait before the retry after attempt, and
// false when the call should end now instead: Retry-After beyond maxWait,
// or a wait that would end past ctx's deadline.
func (c *Client) backoff(ctx context.Context, attempt int, h http.Header, now time.Time) (time.Duration, bool) {
	wait, ok := retryAfter(h.Get("Retry-After"), now)
	if ok && wait > maxWait {
		return 0, false
	}
	if !ok {
		// Exponential, with "equal jitter": a random wait in [d/2, d].
		d := min(c.retryBase<<min(attempt-1, 20), maxWait)
		wait = d/2 + rand.N(d/2+1)
	}
	if deadline, has := ctx.Deadline(); has && !now.Add(wait).Before(deadline) {
		return 0, false
	}
	return wait, true
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, 86400)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
