package tokenflight

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// provider is a token endpoint that rotates refresh tokens, like QBO.
type provider struct {
	mu      sync.Mutex
	n       int
	valid   string // the one refresh token it accepts
	calls   atomic.Int32
	delay   time.Duration
	saved   []app.Tokens
	saveErr error
}

func (p *provider) keeper(now time.Time) *Keeper {
	return &Keeper{
		Name:       "test",
		Generation: func(t app.Tokens) string { return t.Refresh },
		Expired:    func(t app.Tokens) bool { return t.AccessExpiresAt.Before(now) },
		Exchange: func(ctx context.Context, _, refresh string) (app.Tokens, error) {
			p.calls.Add(1)
			time.Sleep(p.delay)
			p.mu.Lock()
			defer p.mu.Unlock()
			if refresh != p.valid {
				return app.Tokens{}, app.Errorf(app.NotConnected, "refused")
			}
			p.n++
			p.valid = fmt.Sprintf("r%d", p.n)
			return app.Tokens{Access: fmt.Sprintf("a%d", p.n), Refresh: p.valid, AccessExpiresAt: now.Add(time.Hour)}, nil
		},
		Save: func(_ context.Context, _ string, t app.Tokens) error {
			p.mu.Lock()
			defer p.mu.Unlock()
			if p.saveErr != nil {
				return p.saveErr
			}
			p.saved = append(p.saved, t)
			return nil
		},
		Refused: app.Errorf(app.NotConnected, "reconnect"),
	}
}

func TestOneRefreshForManyCallersSavedBeforeUse(t *testing.T) {
	now := time.Now()
	p := &provider{valid: "r0", delay: 20 * time.Millisecond}
	k := p.keeper(now)
	expired := app.Tokens{Access: "a0", Refresh: "r0", AccessExpiresAt: now.Add(-time.Minute)}
	var wg sync.WaitGroup
	got := make([]string, 20)
	for i := range got {
		wg.Go(func() {
			tk, err := k.Current(context.Background(), "c1", expired)
			if err != nil {
				t.Error(err)
			}
			got[i] = tk.Access
		})
	}
	wg.Wait()
	if n := p.calls.Load(); n != 1 {
		t.Fatalf("%d refreshes for 20 callers, want 1", n)
	}
	for _, a := range got {
		if a != "a1" {
			t.Fatalf("callers got %v, want a1 for all", got)
		}
	}
	if len(p.saved) != 1 || p.saved[0].Refresh != "r1" {
		t.Errorf("saved %v, want the rotated pair once", p.saved)
	}
	// A caller still holding the replaced tokens gets the newest, no refresh.
	if tk, _ := k.Current(context.Background(), "c1", expired); tk.Access != "a1" || p.calls.Load() != 1 {
		t.Errorf("old tokens: got %s after %d refreshes", tk.Access, p.calls.Load())
	}
}

func TestFailedSaveKeepsTokensAndRefusedTokenIsNotReoffered(t *testing.T) {
	now := time.Now()
	p := &provider{valid: "r0", saveErr: errors.New("store down")}
	k := p.keeper(now)
	expired := app.Tokens{Access: "a0", Refresh: "r0", AccessExpiresAt: now.Add(-time.Minute)}
	if _, err := k.Current(context.Background(), "c1", expired); err == nil {
		t.Fatal("a failed save must fail the call")
	}
	p.saveErr = nil
	tk, err := k.Current(context.Background(), "c1", expired)
	if err != nil || tk.Access != "a1" || p.calls.Load() != 1 {
		t.Fatalf("retry after a failed save: %v %v, %d exchanges (want the kept tokens, no second exchange)", tk, err, p.calls.Load())
	}

	k2 := p.keeper(now)
	revoked := app.Tokens{Access: "x", Refresh: "revoked", AccessExpiresAt: now.Add(-time.Minute)}
	for range 2 {
		if _, err := k2.Current(context.Background(), "c2", revoked); app.ErrorCode(err) != app.NotConnected {
			t.Fatalf("revoked refresh token: %v", err)
		}
	}
	if n := p.calls.Load(); n != 2 {
		t.Errorf("a refused refresh token was offered again: %d exchanges", n)
	}
}

func TestCloseWaitsForRefreshes(t *testing.T) {
	now := time.Now()
	p := &provider{valid: "r0", delay: 100 * time.Millisecond}
	k := p.keeper(now)
	go k.Current(context.Background(), "c1", app.Tokens{Access: "a0", Refresh: "r0", AccessExpiresAt: now.Add(-time.Minute)})
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	if err := k.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 50*time.Millisecond || len(p.saved) != 1 {
		t.Errorf("Close returned after %v with %d saves; want it to wait for the save", time.Since(start), len(p.saved))
	}
}

// sharedStore plays the database that processes share: one lock per
// credential and the stored tokens, as Keeper.Lock expects.
type sharedStore struct {
	mu      sync.Mutex // the lock, held across the refresh
	tokens  app.Tokens
	refused bool // marked as needing the user
	failPut error
}

func (st *sharedStore) lock(ctx context.Context, _ string, refresh func(context.Context, app.Tokens) (app.Tokens, error)) (app.Tokens, error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	t, err := refresh(ctx, st.tokens)
	switch {
	case app.ErrorCode(err) == app.NotConnected && st.tokens.Refresh != "":
		st.tokens, st.refused = app.Tokens{}, true
	case err != nil:
	case st.failPut != nil:
		return app.Tokens{}, st.failPut
	default:
		st.tokens = t
	}
	return t, err
}

func TestProcessesSharingAStoreRefreshOnce(t *testing.T) {
	now := time.Now()
	p := &provider{valid: "r0", delay: 20 * time.Millisecond}
	expired := app.Tokens{Access: "a0", Refresh: "r0", AccessExpiresAt: now.Add(-time.Minute)}
	st := &sharedStore{tokens: expired}
	var keepers []*Keeper
	for range 3 { // three processes, each with its own memory
		k := p.keeper(now)
		k.Lock = st.lock
		keepers = append(keepers, k)
	}
	var wg sync.WaitGroup
	for i := range 30 {
		wg.Go(func() {
			tk, err := keepers[i%3].Current(context.Background(), "c1", expired)
			if err != nil || tk.Access != "a1" {
				t.Errorf("caller %d: %v %v, want a1", i, tk.Access, err)
			}
		})
	}
	wg.Wait()
	if n := p.calls.Load(); n != 1 {
		t.Fatalf("%d refreshes across three processes, want 1", n)
	}
	if st.tokens.Refresh != "r1" || len(p.saved) != 0 {
		t.Errorf("stored %q, Save called %d times; want r1 stored by Lock alone", st.tokens.Refresh, len(p.saved))
	}
}

func TestLockedRefreshRefusedMarksAndFailedStoreIsRetried(t *testing.T) {
	now := time.Now()
	p := &provider{valid: "r0"}
	expired := app.Tokens{Access: "a0", Refresh: "r0", AccessExpiresAt: now.Add(-time.Minute)}
	st := &sharedStore{tokens: expired, failPut: errors.New("database restarting")}
	k := p.keeper(now)
	k.Lock, k.SaveRetries = st.lock, []time.Duration{time.Millisecond}
	if _, err := k.Current(context.Background(), "c1", expired); err == nil {
		t.Fatal("tokens the store did not take must fail the call")
	}
	// The store (not the provider) takes the kept tokens on the next try,
	// under the lock.
	st.failPut = nil
	tk, err := k.Current(context.Background(), "c1", expired)
	if err != nil || tk.Access != "a1" || p.calls.Load() != 1 || st.tokens.Refresh != "r1" {
		t.Fatalf("retry: %v %v after %d exchanges, stored %q; want a1, 1, r1", tk.Access, err, p.calls.Load(), st.tokens.Refresh)
	}

	// A store that comes back during the tries takes them in the same call.
	p2 := &provider{valid: "r0"}
	st2 := &sharedStore{tokens: expired, failPut: errors.New("database restarting")}
	k2 := p2.keeper(now)
	k2.Lock = st2.lock
	k2.SaveRetries = []time.Duration{time.Millisecond, 50 * time.Millisecond}
	go func() { time.Sleep(20 * time.Millisecond); st2.mu.Lock(); st2.failPut = nil; st2.mu.Unlock() }()
	if tk, err := k2.Current(context.Background(), "c1", expired); err != nil || tk.Access != "a1" || st2.tokens.Refresh != "r1" {
		t.Fatalf("store back within the tries: %v %v, stored %q", tk.Access, err, st2.tokens.Refresh)
	}

	revoked := &sharedStore{tokens: app.Tokens{Access: "x", Refresh: "revoked", AccessExpiresAt: now.Add(-time.Minute)}}
	k4 := p.keeper(now)
	k4.Lock = revoked.lock
	if _, err := k4.Current(context.Background(), "c2", revoked.tokens); app.ErrorCode(err) != app.NotConnected {
		t.Fatalf("revoked refresh token: %v", err)
	}
	if !revoked.refused || revoked.tokens.Refresh != "" {
		t.Errorf("a refused refresh must mark the credential and erase its tokens: %+v", revoked)
	}
	// Another process, still holding the dead tokens, does not ask again.
	k3 := p.keeper(now)
	k3.Lock = revoked.lock
	if _, err := k3.Current(context.Background(), "c2", app.Tokens{Access: "x", Refresh: "revoked", AccessExpiresAt: now.Add(-time.Minute)}); app.ErrorCode(err) != app.NotConnected {
		t.Fatalf("second process: %v", err)
	}
	if n := p.calls.Load(); n != 2 {
		t.Errorf("%d exchanges, want 2 (the refused token is not offered by another process)", n)
	}
}
