package hubspot_test

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/hubspot"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// clock is a settable test clock.
type clock struct{ t atomic.Pointer[time.Time] }

func newClock(t time.Time) *clock { c := &clock{}; c.set(t); return c }
func (c *clock) set(t time.Time)  { c.t.Store(&t) }
func (c *clock) now() time.Time   { return *c.t.Load() }

// saver records saved tokens and how many data calls the fake had served
// when each save happened. RefreshPortalTokens runs under one lock with the
// tokens last stored (the installed ones first), as the store does.
type saver struct {
	lock      sync.Mutex // the refresh lock
	mu        sync.Mutex
	saved     []app.Tokens
	dataCalls []int
	srv       *hubspotfake.Server
	stored    app.Tokens
	marked    bool // a refused refresh marked the portal needs_reinstall
}

func (s *saver) RefreshPortalTokens(ctx context.Context, portalID int64, refresh app.RefreshFunc) (app.Tokens, error) {
	s.lock.Lock()
	defer s.lock.Unlock()
	s.mu.Lock()
	stored := s.stored
	s.mu.Unlock()
	t, err := refresh(ctx, stored)
	switch {
	case app.ErrorCode(err) == app.NotConnected && stored.Refresh != "":
		s.mu.Lock()
		s.stored, s.marked = app.Tokens{}, true
		s.mu.Unlock()
	case err != nil || t == stored:
	default:
		if serr := s.SavePortalTokens(ctx, portalID, t); serr != nil {
			return app.Tokens{}, serr
		}
	}
	return t, err
}

func (s *saver) SavePortalTokens(_ context.Context, portalID int64, t app.Tokens) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if portalID != portal1.ID {
		return app.Errorf(app.NotFound, "no portal %d", portalID)
	}
	s.saved = append(s.saved, t)
	s.stored = t
	s.dataCalls = append(s.dataCalls, s.srv.Counters().Count(hubspotfake.RouteObjectsGet, ""))
	return nil
}

type oauthFixture struct {
	srv            *hubspotfake.Server
	fakeClock, own *clock
	saver          *saver
	client         *hubspot.Client
	dealID         string
}

// newOAuthFixture installs the app in portal1 through the fake's
// /oauth/authorize and /oauth/v1/token, and returns portal1 with those
// tokens.
func newOAuthFixture(t *testing.T) (*oauthFixture, app.Portal) {
	t.Helper()
	f := &oauthFixture{fakeClock: newClock(now), own: newClock(now)}
	f.srv = hubspotfake.New(hubspotfake.Options{Now: f.fakeClock.now})
	demo := f.srv.SeedDemo()
	dp, _ := demo.Portal(portal1.ID)
	for _, id := range dp.Records["deals"] {
		f.dealID = id
		break
	}
	f.saver = &saver{srv: f.srv}
	hc := &http.Client{Transport: f.srv.Transport(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	f.client = hubspot.New(hubspot.Config{HTTPClient: hc, RetryBase: time.Millisecond, Now: f.own.now,
		ClientID: "sandbox-hubspot-client-id", ClientSecret: "sandbox-hubspot-client-secret"}, f.saver)
	t.Cleanup(func() {
		if err := f.client.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})

	redirect := "https://app.example.com/oauth/hubspot/callback"
	q := url.Values{"client_id": {"sandbox-hubspot-client-id"}, "redirect_uri": {redirect},
		"scope": {"crm.objects.deals.read"}, "portalId": {"20000001"}}
	resp, err := hc.Get("https://app.hubspot.com/oauth/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tokens, err := f.client.ExchangeCode(context.Background(), loc.Query().Get("code"), redirect)
	if err != nil {
		t.Fatal(err)
	}
	p := portal1
	p.Tokens = tokens
	f.saver.stored = tokens // the install stored them
	return f, p
}

func (f *oauthFixture) refreshes() int {
	return f.srv.Counters().Count(hubspotfake.RouteOAuthToken, "")
}

// expire moves both clocks past the access token's lifetime.
func (f *oauthFixture) expire() {
	f.fakeClock.set(now.Add(31 * time.Minute))
	f.own.set(now.Add(31 * time.Minute))
}

func TestRefreshExpiredToken(t *testing.T) {
	f, p := newOAuthFixture(t)
	before := f.refreshes() // the code exchange
	f.expire()
	if _, err := f.client.Record(context.Background(), p, deal(f.dealID)); err != nil {
		t.Fatalf("Record with an expired token: %v", err)
	}
	if n := f.refreshes() - before; n != 1 {
		t.Errorf("refreshes = %d, want 1", n)
	}
	if len(f.saver.saved) != 1 {
		t.Fatalf("saved %d times, want 1", len(f.saver.saved))
	}
	got := f.saver.saved[0]
	if got.Access == "" || got.Access == p.Tokens.Access || got.Refresh != p.Tokens.Refresh ||
		!got.AccessExpiresAt.Equal(now.Add(31*time.Minute).Add(30*time.Minute)) {
		t.Errorf("saved tokens: new access %v, same refresh %v, expiry %v",
			got.Access != p.Tokens.Access, got.Refresh == p.Tokens.Refresh, got.AccessExpiresAt)
	}
	if f.saver.dataCalls[0] != 0 {
		t.Errorf("saved after %d data calls, want before any", f.saver.dataCalls[0])
	}
	// The stale tokens, passed again, are not refreshed again.
	if _, err := f.client.Record(context.Background(), p, deal(f.dealID)); err != nil {
		t.Fatal(err)
	}
	if n := f.refreshes() - before; n != 1 {
		t.Errorf("refreshes after a second call = %d, want 1", n)
	}
}

func TestRefreshSingleFlight(t *testing.T) {
	f, p := newOAuthFixture(t)
	before := f.refreshes()
	f.expire()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := f.client.Record(context.Background(), p, deal(f.dealID))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := f.refreshes() - before; n != 1 {
		t.Errorf("refreshes = %d, want 1", n)
	}
	if len(f.saver.saved) != 1 {
		t.Errorf("saved %d times, want 1", len(f.saver.saved))
	}
}

func TestRefreshRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		spoil func(t *testing.T, f *oauthFixture, p *app.Portal)
	}{
		{"revoked", func(t *testing.T, f *oauthFixture, p *app.Portal) {
			req, _ := http.NewRequest(http.MethodDelete, "https://api.hubapi.com/oauth/v1/refresh-tokens/"+p.Tokens.Refresh, nil)
			resp, err := (&http.Client{Transport: f.srv.Transport()}).Do(req)
			if err != nil || resp.StatusCode != http.StatusNoContent {
				t.Fatalf("revoke: %v %v", resp, err)
			}
			resp.Body.Close()
		}},
		{"unknown", func(t *testing.T, f *oauthFixture, p *app.Portal) {
			p.Tokens.Refresh = "na1-unknown"
			f.saver.stored = p.Tokens // the store holds it too: the refresh token is the stored one
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, p := newOAuthFixture(t)
			tc.spoil(t, f, &p)
			f.expire()
			before := f.refreshes()
			_, err := f.client.Record(context.Background(), p, deal(f.dealID))
			checkErr(t, err, app.NotConnected, "HubSpot refused this app's access; reinstall the app.")
			if len(f.saver.saved) != 0 {
				t.Errorf("saved %d times, want 0", len(f.saver.saved))
			}
			if !f.saver.marked {
				t.Error("a refused refresh must mark the portal needs_reinstall")
			}
			// A refused refresh token is not offered again.
			_, err = f.client.Record(context.Background(), p, deal(f.dealID))
			checkErr(t, err, app.NotConnected, "")
			if n := f.refreshes() - before; n != 1 {
				t.Errorf("refreshes = %d, want 1", n)
			}
			for _, tok := range []string{p.Tokens.Access, p.Tokens.Refresh} {
				if containsToken(err, tok) {
					t.Errorf("error holds a token: %v", err)
				}
			}
		})
	}
}

func TestPrivateAppTokenNeverRefreshed(t *testing.T) {
	f, _ := newOAuthFixture(t)
	before := f.refreshes()
	f.own.set(now.Add(365 * 24 * time.Hour))
	f.fakeClock.set(now.Add(365 * 24 * time.Hour))
	if _, err := f.client.Record(context.Background(), portal1, deal(f.dealID)); err != nil {
		t.Fatal(err)
	}
	// A private-app token HubSpot refuses is not refreshed either.
	bad := portal1
	bad.Tokens.Access = "hs-private-app-revoked"
	_, err := f.client.Record(context.Background(), bad, deal(f.dealID))
	checkErr(t, err, app.NotConnected, "")
	if n := f.refreshes() - before; n != 0 {
		t.Errorf("refreshes = %d, want 0", n)
	}
}

func TestRefreshOn401(t *testing.T) {
	f, p := newOAuthFixture(t)
	before := f.refreshes()
	// HubSpot thinks the token expired; our clock does not.
	f.fakeClock.set(now.Add(31 * time.Minute))
	if _, err := f.client.Record(context.Background(), p, deal(f.dealID)); err != nil {
		t.Fatalf("Record after a 401: %v", err)
	}
	if n := f.refreshes() - before; n != 1 {
		t.Errorf("refreshes = %d, want 1", n)
	}
	if n := f.srv.Counters().Count(hubspotfake.RouteObjectsGet, ""); n != 2 {
		t.Errorf("data calls = %d, want 2 (the 401 and one retry)", n)
	}
	if len(f.saver.saved) != 1 || f.saver.dataCalls[0] != 1 {
		t.Errorf("saves %d (after %v data calls), want 1 after the 401", len(f.saver.saved), f.saver.dataCalls)
	}
}

func containsToken(err error, tok string) bool {
	return tok != "" && err != nil && len(err.Error()) >= len(tok) && contains(err.Error(), tok)
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
