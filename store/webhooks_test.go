package store_test

import (
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// TestWebhookReceipts: a remembered body is received from its time on,
// on every store of the database; remembering it again moves its time;
// receipts older than the cut are deleted as new ones are written.
func TestWebhookReceipts(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		ctx := t.Context()
		s, other := mustOpen(t, cfg), mustOpen(t, cfg) // two replicas
		received := func(s *store.Store, digest string, since time.Time) bool {
			t.Helper()
			ok, err := s.WebhookReceived(ctx, digest, since)
			if err != nil {
				t.Fatalf("WebhookReceived(%s): %v", digest, err)
			}
			return ok
		}
		remember := func(digest string, at, forgetBefore time.Time) {
			t.Helper()
			if err := s.RememberWebhook(ctx, digest, at, forgetBefore); err != nil {
				t.Fatalf("RememberWebhook(%s): %v", digest, err)
			}
		}
		day := time.Date(2026, 11, 1, 12, 0, 0, 0, paris)
		long := day.AddDate(-1, 0, 0)

		if received(s, "a", long) {
			t.Fatal("a body never remembered is received")
		}
		remember("a", day, long)
		if !received(s, "a", day) || !received(other, "a", day.Add(-time.Hour)) {
			t.Error("a remembered body is not received from its time on, on both stores")
		}
		if received(s, "a", day.Add(time.Nanosecond)) {
			t.Error("a body is received since after it came")
		}
		if received(s, "b", long) {
			t.Error("another digest is received")
		}

		// Remembered again later: its time moves forward.
		remember("a", day.Add(48*time.Hour), long)
		if !received(s, "a", day.Add(24*time.Hour)) {
			t.Error("remembering a body again did not move its time")
		}

		// A later write forgets what is older than its cut, and only that.
		remember("b", day.Add(72*time.Hour), long)
		remember("c", day.Add(100*24*time.Hour), day.Add(60*time.Hour))
		if n := countRows(t, s, "webhook_receipts"); n != 2 {
			t.Errorf("%d receipts after the cut, want 2 (b and c)", n)
		}
		if received(s, "a", long) || !received(s, "b", long) || !received(s, "c", long) {
			t.Error("the cut forgot the wrong receipts")
		}

		if err := s.RememberWebhook(ctx, "", day, long); err == nil {
			t.Error("RememberWebhook with no digest: no error")
		}
	})
}
