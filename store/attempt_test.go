package store_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

const attemptKey = "3f1c9a2e-7b4d-4c1e-9f0a-5d2b8e6c4a10"

func attempt(portalID int64, key, body string) app.Attempt {
	return app.Attempt{
		PortalID:     portalID,
		Key:          key,
		BodyHash:     fmt.Sprintf("%064s", body),
		Object:       deal,
		ConnectionID: "0123456789abcdef0123456789abcdef",
	}
}

func TestStartAttempt(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		want := attempt(1, attemptKey, "a1")
		want.CreatedAt = time.Date(2024, 2, 29, 12, 0, 0, 123, paris)
		got, created, err := s.StartAttempt(ctx, want)
		if err != nil || !created {
			t.Fatalf("StartAttempt = %v, %v; want created", created, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("StartAttempt result (-want +got):\n%s", diff)
		}

		// The same key again, with another body: the stored attempt, not a
		// new one, so the caller can tell the bodies differ.
		again := attempt(1, attemptKey, "b2")
		again.ConnectionID, again.Object = "fedcba9876543210fedcba9876543210", app.ObjectRef{Type: app.Contacts, ID: "7"}
		got, created, err = s.StartAttempt(ctx, again)
		if err != nil || created {
			t.Fatalf("StartAttempt again = %v, %v; want not created", created, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("StartAttempt again returned (-want +got):\n%s", diff)
		}

		// Another key is another attempt; a zero CreatedAt means now.
		other, created, err := s.StartAttempt(ctx, attempt(1, attemptKey+"-2", "a1"))
		if err != nil || !created || other.CreatedAt.IsZero() || other.Result != nil || !other.FinishedAt.IsZero() {
			t.Fatalf("StartAttempt(other key) = %+v, %v, %v; want created now, unfinished", other, created, err)
		}
		if n := countRows(t, s, "attempts"); n != 2 {
			t.Errorf("%d attempt rows, want 2", n)
		}
	})
}

func TestStartAttemptKeyLength(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		for _, key := range []string{"", "1234567", strings.Repeat("k", 101)} {
			_, _, err := s.StartAttempt(ctx, attempt(1, key, "a1"))
			wantCode(t, fmt.Sprintf("StartAttempt(key of %d characters)", len(key)), err, app.Invalid)
			if msg := app.ErrorMessage(err); msg != "The idempotency key must be 8 to 100 characters." {
				t.Errorf("StartAttempt(key of %d characters): message %q", len(key), msg)
			}
		}
		// Characters, not bytes: eight two-byte characters are enough, and
		// 100 of them are not too many.
		for _, key := range []string{"12345678", strings.Repeat("k", 100), strings.Repeat("é", 8), strings.Repeat("é", 100)} {
			if _, created, err := s.StartAttempt(ctx, attempt(1, key, "a1")); err != nil || !created {
				t.Errorf("StartAttempt(key of %d bytes) = %v, %v; want created", len(key), created, err)
			}
		}
		if n := countRows(t, s, "attempts"); n != 4 {
			t.Errorf("%d attempt rows, want the 4 valid ones", n)
		}
	})
}

// TestStartAttemptConcurrent starts one key from many goroutines with
// different bodies; on SQLite, two stores share the file, as two processes
// would. Exactly one creates the attempt and all get that one back.
func TestStartAttemptConcurrent(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		stores := []*store.Store{mustOpen(t, cfg), mustOpen(t, cfg)}
		const n = 20
		var (
			wg       sync.WaitGroup
			start    = make(chan struct{})
			attempts [n]app.Attempt
			created  [n]bool
			errs     [n]error
		)
		for i := range n {
			wg.Go(func() {
				<-start
				attempts[i], created[i], errs[i] = stores[i%len(stores)].StartAttempt(t.Context(), attempt(1, attemptKey, fmt.Sprint(i)))
			})
		}
		close(start)
		wg.Wait()
		creators := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("StartAttempt #%d: %v", i, errs[i])
			}
			if created[i] {
				creators++
			}
		}
		if creators != 1 {
			t.Errorf("%d calls created the attempt, want exactly 1", creators)
		}
		for i := range n {
			if diff := cmp.Diff(attempts[0], attempts[i]); diff != "" {
				t.Errorf("StartAttempt #%d saw another attempt than #0 (-#0 +#%d):\n%s", i, i, diff)
			}
		}
		if got := countRows(t, stores[0], "attempts"); got != 1 {
			t.Errorf("%d attempt rows, want 1", got)
		}
	})
}

func TestFinishAttempt(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		started, _, err := s.StartAttempt(ctx, attempt(1, attemptKey, "a1"))
		if err != nil {
			t.Fatalf("StartAttempt: %v", err)
		}
		answer := []byte(`{"invoice":{"id":"130","docNumber":"1037"}}`)
		if err := s.FinishAttempt(ctx, 1, attemptKey, answer); err != nil {
			t.Fatalf("FinishAttempt: %v", err)
		}
		finished, created, err := s.StartAttempt(ctx, attempt(1, attemptKey, "a1"))
		if err != nil || created {
			t.Fatalf("StartAttempt after finish = %v, %v; want the stored attempt", created, err)
		}
		if string(finished.Result) != string(answer) || !finished.FinishedAt.After(started.CreatedAt) {
			t.Errorf("finished attempt: Result %q FinishedAt %v; want %q after %v",
				finished.Result, finished.FinishedAt, answer, started.CreatedAt)
		}
		want := started
		want.Result, want.FinishedAt = answer, finished.FinishedAt
		if diff := cmp.Diff(want, finished); diff != "" {
			t.Errorf("finished attempt (-want +got):\n%s", diff)
		}

		// A second finish, as a retry racing the first would make, keeps
		// the first answer and its time: the answer given is final.
		if err := s.FinishAttempt(ctx, 1, attemptKey, []byte(`{"error":"retry"}`)); err != nil {
			t.Fatalf("FinishAttempt again: %v", err)
		}
		again, _, err := s.StartAttempt(ctx, attempt(1, attemptKey, "a1"))
		if err != nil {
			t.Fatalf("StartAttempt after the second finish: %v", err)
		}
		if diff := cmp.Diff(finished, again); diff != "" {
			t.Errorf("a second finish changed the attempt (-first +now):\n%s", diff)
		}

		err = s.FinishAttempt(ctx, 1, "never-started-key", answer)
		wantCode(t, "FinishAttempt(unknown key)", err, app.NotFound)
		if err := s.FinishAttempt(ctx, 1, attemptKey+"-2", nil); err == nil {
			t.Errorf("FinishAttempt with no result succeeded")
		}
	})
}

func TestAttemptTenantIsolation(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		first, created, err := s.StartAttempt(ctx, attempt(1, attemptKey, "portal-1"))
		if err != nil || !created {
			t.Fatalf("StartAttempt(portal 1) = %v, %v; want created", created, err)
		}

		// Portal 2 cannot finish portal 1's attempt: to it, there is none.
		err = s.FinishAttempt(ctx, 2, attemptKey, []byte(`{"from":"portal 2"}`))
		wantCode(t, "FinishAttempt(portal 2, portal 1's key)", err, app.NotFound)

		// The same key under portal 2 is a separate attempt.
		second, created, err := s.StartAttempt(ctx, attempt(2, attemptKey, "portal-2"))
		if err != nil || !created {
			t.Fatalf("StartAttempt(portal 2, same key) = %v, %v; want created", created, err)
		}
		if second.PortalID != 2 || second.BodyHash == first.BodyHash {
			t.Errorf("portal 2's attempt = %+v; want its own, not portal 1's", second)
		}

		// Finishing one leaves the other unfinished.
		if err := s.FinishAttempt(ctx, 2, attemptKey, []byte(`{"from":"portal 2"}`)); err != nil {
			t.Fatalf("FinishAttempt(portal 2): %v", err)
		}
		got, _, err := s.StartAttempt(ctx, attempt(1, attemptKey, "portal-1"))
		if err != nil {
			t.Fatalf("StartAttempt(portal 1) again: %v", err)
		}
		if diff := cmp.Diff(first, got); diff != "" {
			t.Errorf("portal 1's attempt after portal 2 finished its own (-want +got):\n%s", diff)
		}
		if n := countRows(t, s, "attempts"); n != 2 {
			t.Errorf("%d attempt rows, want 2", n)
		}
	})
}

func TestClaimAttempt(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if _, _, err := s.StartAttempt(ctx, attempt(1, attemptKey, "a1")); err != nil {
			t.Fatal(err)
		}
		// Twenty callers at once: exactly one holds the attempt.
		var wg sync.WaitGroup
		var mu sync.Mutex
		held := 0
		for range 20 {
			wg.Go(func() {
				ok, err := s.ClaimAttempt(ctx, 1, attemptKey, clockStart.Add(time.Hour))
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					held++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if held != 1 {
			t.Fatalf("%d callers hold the attempt, want 1", held)
		}
		// Released, it can be claimed again at once.
		if err := s.ReleaseAttempt(ctx, 1, attemptKey); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.ClaimAttempt(ctx, 1, attemptKey, clockStart.Add(time.Hour)); err != nil || !ok {
			t.Errorf("a released attempt was not claimed: %v %v", ok, err)
		}
		// Another portal's attempt under the same key is its own.
		if ok, err := s.ClaimAttempt(ctx, 2, attemptKey, clockStart.Add(time.Hour)); err != nil || ok {
			t.Errorf("portal 2 claimed portal 1's attempt: %v %v", ok, err)
		}
		// A lapsed hold can be taken over (a crashed holder). The store's clock
		// starts at clockStart and ticks a millisecond a call.
		if _, _, err := s.StartAttempt(ctx, attempt(1, attemptKey+"-2", "a1")); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.ClaimAttempt(ctx, 1, attemptKey+"-2", clockStart.Add(-time.Second)); !ok {
			t.Fatal("first claim refused")
		}
		if ok, err := s.ClaimAttempt(ctx, 1, attemptKey+"-2", clockStart.Add(time.Hour)); err != nil || !ok {
			t.Errorf("a lapsed hold was not taken over: %v %v", ok, err)
		}
		// A finished attempt is never claimed again.
		if err := s.FinishAttempt(ctx, 1, attemptKey+"-2", []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
		if ok, err := s.ClaimAttempt(ctx, 1, attemptKey+"-2", clockStart.Add(time.Hour)); err != nil || ok {
			t.Errorf("a finished attempt was claimed: %v %v", ok, err)
		}
	})
}

// TestMarkAttemptSent: what a create sent QuickBooks is kept with its
// unfinished attempt, the first payload staying; a finished or unknown
// attempt is NotFound.
func TestMarkAttemptSent(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		if _, _, err := s.StartAttempt(ctx, attempt(1, attemptKey, "a1")); err != nil {
			t.Fatalf("StartAttempt: %v", err)
		}
		read := func() app.Attempt {
			t.Helper()
			a, _, err := s.StartAttempt(ctx, attempt(1, attemptKey, "a1"))
			if err != nil {
				t.Fatalf("StartAttempt: %v", err)
			}
			return a
		}
		if a := read(); a.Sent != nil {
			t.Fatalf("a new attempt was sent: %q", a.Sent)
		}
		first := []byte(`{"ConnectionID":"c1","Invoice":{"CustomerID":"1"}}`)
		if err := s.MarkAttemptSent(ctx, 1, attemptKey, first); err != nil {
			t.Fatalf("MarkAttemptSent: %v", err)
		}
		if err := s.MarkAttemptSent(ctx, 1, attemptKey, []byte(`{"other":true}`)); err != nil {
			t.Fatalf("MarkAttemptSent again: %v", err)
		}
		if a := read(); string(a.Sent) != string(first) {
			t.Errorf("sent = %q, want the first payload %q", a.Sent, first)
		}
		// Another portal's attempt under the same key is not this one.
		wantCode(t, "MarkAttemptSent(another portal)", s.MarkAttemptSent(ctx, 2, attemptKey, first), app.NotFound)
		if err := s.FinishAttempt(ctx, 1, attemptKey, []byte(`{}`)); err != nil {
			t.Fatalf("FinishAttempt: %v", err)
		}
		wantCode(t, "MarkAttemptSent(finished)", s.MarkAttemptSent(ctx, 1, attemptKey, first), app.NotFound)
		if a := read(); string(a.Sent) != string(first) {
			t.Errorf("after finishing, sent = %q", a.Sent)
		}
		if err := s.MarkAttemptSent(ctx, 1, attemptKey, nil); err == nil {
			t.Error("MarkAttemptSent with no payload: no error")
		}
	})
}
