package quickbooks

import (
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/ratelimit"
)

// QBO's per-realm limits (reference section 4: 500 requests a minute and
// 10 at once per company and app) are kept by a ratelimit.Limiter before
// each request is sent, so QBO has no reason to answer 429; callers wait,
// bounded by their context, rather than fail. Config.Limiter decides whose
// budget it is: this process's (ratelimit.Local, the default) or every
// replica's (ratelimit.Shared over Redis). A 429 that still comes is
// retried (retry.go).

// realmBudget is the budget of every realm.
func (c *Client) realmBudget() ratelimit.Budget {
	return ratelimit.Budget{Requests: c.cfg.RequestsPerMinute, Per: time.Minute, Concurrent: c.cfg.MaxConcurrent}
}

// limitKey names a realm's budget in the limiter (realm ids are not
// secret).
func limitKey(realmID string) string { return "qbo:" + realmID }
