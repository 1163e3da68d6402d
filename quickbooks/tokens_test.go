package quickbooks

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// TestExpiredTokenIsRefreshedAndSavedFirst: an access token past its expiry
// is refreshed before the call; the rotated pair is saved before any data
// call and is the one the data calls carry; the old refresh token is dead.
func TestExpiredTokenIsRefreshedAndSavedFirst(t *testing.T) {
	f := newFixture(t)
	us := qbofake.DemoRealmUS
	conn := f.expiredConn(us)
	if _, err := f.client.Company(context.Background(), conn); err != nil {
		t.Fatal(err)
	}
	if n := f.tokenCalls(); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	saved := f.saver.all()
	if len(saved) != 1 {
		t.Fatalf("%d saves, want 1", len(saved))
	}
	s := saved[0]
	if s.connID != conn.ID || s.callsBefore != 0 {
		t.Errorf("saved for %q after %d data calls; want %q before any", s.connID, s.callsBefore, conn.ID)
	}
	if s.tokens.Refresh == "" || s.tokens.Refresh == conn.Tokens.Refresh || s.tokens.Access == conn.Tokens.Access {
		t.Errorf("saved tokens were not rotated")
	}
	if want := f.clock.Now().Add(time.Hour); !s.tokens.AccessExpiresAt.Equal(want) || s.tokens.RefreshExpiresAt.IsZero() {
		t.Errorf("expiries %v / %v, want access at %v", s.tokens.AccessExpiresAt, s.tokens.RefreshExpiresAt, want)
	}
	_, _, bearers := f.rec.snapshot()
	for _, b := range bearers {
		if b != s.tokens.Access {
			t.Errorf("a data call carried a token other than the saved one")
		}
	}

	// A caller still holding the old tokens gets the newest, without a
	// second refresh.
	if _, err := f.client.Invoices(context.Background(), conn, []string{"1"}); err != nil {
		t.Fatal(err)
	}
	if _, _, bearers = f.rec.snapshot(); bearers[len(bearers)-1] != s.tokens.Access || f.tokenCalls() != 1 {
		t.Errorf("old tokens were used or refreshed again")
	}

	// The fake refuses the old refresh token now.
	status, body := f.postForm("/oauth2/v1/tokens/bearer", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {conn.Tokens.Refresh}})
	if status != 400 || !strings.Contains(body, "invalid_grant") {
		t.Errorf("old refresh token: %d %s, want 400 invalid_grant", status, body)
	}
	// So does another process that only has the old tokens.
	otherStore := &saver{dataCalls: func() int { return 0 }}
	otherStore.seed(conn.ID, conn.Tokens)
	other := New(Config{ClientID: qbofake.DefaultClientID, ClientSecret: qbofake.DefaultClientSecret,
		HTTPClient: f.client.http, Now: f.clock.Now, RetryBase: time.Millisecond}, otherStore)
	_, err := other.Company(context.Background(), conn)
	wantErr(t, err, app.NotConnected, msgReconnect)
}

// TestUnauthorizedRefreshesOnceAndRetriesOnce: a 401 on a data call (its
// gateway body echoing the token) refreshes once and repeats the call once.
func TestUnauthorizedRefreshesOnceAndRetriesOnce(t *testing.T) {
	us := qbofake.DemoRealmUS
	t.Run("once", func(t *testing.T) {
		f := newFixture(t)
		conn := f.conn(us)
		f.inject(qbofake.RouteCompanyInfo, gateway401(conn.Tokens.Access, 1))
		got, err := f.client.Company(context.Background(), conn)
		wantErr(t, err, "", "")
		if got.Name == "" {
			t.Error("no company")
		}
		if n, r := f.calls(qbofake.RouteCompanyInfo, us), f.tokenCalls(); n != 2 || r != 1 {
			t.Errorf("%d companyinfo calls and %d refreshes, want 2 and 1", n, r)
		}
		if saved := f.saver.all(); len(saved) != 1 || saved[0].callsBefore != 1 {
			t.Errorf("saves %+v, want one after the refused call", saved)
		}
	})
	t.Run("forever", func(t *testing.T) {
		f := newFixture(t)
		conn := f.conn(us)
		f.inject(qbofake.RouteCompanyInfo, gateway401(conn.Tokens.Access, 0))
		_, err := f.client.Company(context.Background(), conn)
		wantErr(t, err, app.NotConnected, msgReconnect)
		if n, r := f.calls(qbofake.RouteCompanyInfo, us), f.tokenCalls(); n != 2 || r != 1 {
			t.Errorf("%d companyinfo calls and %d refreshes, want 2 and 1", n, r)
		}
		var ue *UpstreamError
		if !errors.As(err, &ue) || ue.Status != 401 || ue.Code != "3200" || ue.FaultType != "AUTHENTICATION" || ue.Detail != "" {
			t.Errorf("upstream = %+v", ue)
		}
	})
}

// TestRevokedConnection: once the grant is revoked, the data call's 401
// leads to a refresh that QBO refuses: NotConnected. The refused refresh
// token is not offered again.
func TestRevokedConnection(t *testing.T) {
	f := newFixture(t)
	us := qbofake.DemoRealmUS
	conn := f.conn(us)
	if status, _ := f.postForm("/v2/oauth2/tokens/revoke", url.Values{"token": {conn.Tokens.Refresh}}); status != 200 {
		t.Fatalf("revoke: %d", status)
	}
	_, err := f.client.Company(context.Background(), conn)
	wantErr(t, err, app.NotConnected, msgReconnect)
	var ue *UpstreamError
	if !errors.As(err, &ue) || ue.Status != 400 || ue.Code != "invalid_grant" {
		t.Errorf("upstream = %+v", ue)
	}
	if n := f.tokenCalls(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	_, err = f.client.Company(context.Background(), f.expiredConn(us))
	wantErr(t, err, app.NotConnected, msgReconnect)
	if n := f.tokenCalls(); n != 1 {
		t.Errorf("the refused refresh token was offered again (%d refreshes)", n)
	}
	if len(f.saver.all()) != 0 {
		t.Error("tokens saved")
	}
}

// TestReconnectReplacesKnownTokens: tokens this process never saw (an admin
// reconnected) replace the ones it holds, even a refused one.
func TestReconnectReplacesKnownTokens(t *testing.T) {
	f := newFixture(t)
	us := qbofake.DemoRealmUS
	stale := f.expiredConn(us)
	stale.Tokens.Refresh = "a-refresh-token-qbo-never-issued"
	f.saver.put(stale.ID, stale.Tokens)
	_, err := f.client.Company(context.Background(), stale)
	wantErr(t, err, app.NotConnected, msgReconnect)
	if got := f.saver.markedOnes(); len(got) != 1 || got[0] != stale.ID {
		t.Errorf("connections marked needs_reconnect: %v, want [%s]", got, stale.ID)
	}
	f.saver.put(stale.ID, f.conn(us).Tokens) // the admin reconnects

	if _, err := f.client.Company(context.Background(), f.conn(us)); err != nil {
		t.Fatalf("after reconnect: %v", err)
	}
}

// TestConcurrentExpiredCallsRefreshOnce: 50 calls on one expired token make
// exactly one refresh and one save; every call then uses the new token.
func TestConcurrentExpiredCallsRefreshOnce(t *testing.T) {
	f := newFixture(t)
	us := qbofake.DemoRealmUS
	conn := f.expiredConn(us)
	var wg sync.WaitGroup
	errc := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			_, err := f.client.Invoices(context.Background(), conn, []string{"1"})
			errc <- err
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Error(err)
		}
	}
	if n := f.tokenCalls(); n != 1 {
		t.Errorf("%d refreshes, want exactly 1", n)
	}
	saved := f.saver.all()
	if len(saved) != 1 {
		t.Fatalf("%d saves, want 1", len(saved))
	}
	_, _, bearers := f.rec.snapshot()
	if len(bearers) != 50 {
		t.Errorf("%d data calls, want 50", len(bearers))
	}
	for _, b := range bearers {
		if b != saved[0].tokens.Access {
			t.Fatal("a data call used a token other than the refreshed one")
		}
	}
}

// TestSaveFailureStopsTheCall: when the rotated tokens cannot be saved the
// call fails and nothing uses them; the next call saves the same tokens
// without spending the refresh token again.
func TestSaveFailureStopsTheCall(t *testing.T) {
	f := newFixture(t)
	us := qbofake.DemoRealmUS
	conn := f.expiredConn(us)
	storeDown := errors.New("store is down")
	f.saver.setFail(storeDown)
	_, err := f.client.Company(context.Background(), conn)
	if !errors.Is(err, storeDown) {
		t.Fatalf("err = %v, want the save error in the chain", err)
	}
	wantErr(t, err, app.Internal, "")
	if n := f.dataCalls(us); n != 0 {
		t.Errorf("%d data calls after a failed save, want 0", n)
	}

	f.saver.setFail(nil)
	if _, err := f.client.Company(context.Background(), conn); err != nil {
		t.Fatalf("after the store is back: %v", err)
	}
	saved := f.saver.all()
	if len(saved) < 2 {
		t.Fatalf("want the tokens saved again after the failures, got %d saves", len(saved))
	}
	for _, sv := range saved {
		if sv.tokens != saved[0].tokens {
			t.Error("the saves differ: the refresh token was spent again")
		}
	}
	if n := f.tokenCalls(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	_, _, bearers := f.rec.snapshot()
	for _, b := range bearers {
		if b != saved[len(saved)-1].tokens.Access {
			t.Error("a data call did not use the saved token")
		}
	}
}

// TestTokenEndpointFaults: the token endpoint's 5xx and 429 are retried;
// invalid_client is our configuration.
func TestTokenEndpointFaults(t *testing.T) {
	cases := []struct {
		name   string
		fault  faultSpec
		code   app.Code
		msg    string
		tokens int
	}{
		{"503 once", faultSpec{Status: 503, Times: 1}, "", "", 2},
		{"429 forever", faultSpec{Status: 429}, app.Unavailable, msgBusy, DefaultMaxRetries + 1},
		{"dropped once", faultSpec{Drop: true, Times: 1}, "", "", 2},
		{"invalid_client", faultSpec{Status: 401, Body: []byte(`{"error":"invalid_client"}`)}, app.Internal, msgAppCreds, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.inject(qbofake.RouteOAuthToken, c.fault)
			_, err := f.client.Company(context.Background(), f.expiredConn(qbofake.DemoRealmUS))
			wantErr(t, err, c.code, c.msg)
			if n := f.tokenCalls(); n != c.tokens {
				t.Errorf("%d token calls, want %d", n, c.tokens)
			}
		})
	}
}

// TestRefreshSurvivesTheCallersCancellation: a caller giving up does not
// abandon a refresh QBO may already have rotated; the tokens are saved.
func TestRefreshSurvivesTheCallersCancellation(t *testing.T) {
	f := newFixture(t)
	f.inject(qbofake.RouteOAuthToken, faultSpec{Latency: 100 * time.Millisecond, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := f.client.Company(ctx, f.expiredConn(qbofake.DemoRealmUS))
	wantErr(t, err, app.Unavailable, msgBusy)
	deadline := time.Now().Add(5 * time.Second)
	for len(f.saver.all()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if len(f.saver.all()) != 1 {
		t.Fatal("the refresh was abandoned")
	}
}

// TestNoTokensInErrorsOrLogs drives refreshes, a 401 whose body echoes the
// token, throttling and a refused refresh, and checks that no token (nor a
// long prefix of one) shows in an error or the debug log.
func TestNoTokensInErrorsOrLogs(t *testing.T) {
	f := newFixture(t)
	us := qbofake.DemoRealmUS
	conn := f.conn(us)
	var errs []error
	f.inject(qbofake.RouteCompanyInfo, gateway401(conn.Tokens.Access, 1))
	f.inject(qbofake.RouteQuery, throttle(1))
	_, err := f.client.Company(context.Background(), conn)
	errs = append(errs, err)
	_, err = f.client.Invoices(context.Background(), conn, []string{"1"})
	errs = append(errs, err)

	saved := f.saver.all()
	if len(saved) == 0 {
		t.Fatal("no refresh happened")
	}
	f.inject(qbofake.RouteQuery, gateway401(saved[0].tokens.Access, 0))
	_, err = f.client.Invoices(context.Background(), conn, []string{"1"})
	errs = append(errs, err)
	other := f.expiredConn(us)
	other.ID, other.Tokens.Refresh = "conn-other", "AB11-a-refresh-token-of-another-connection"
	f.inject(qbofake.RouteOAuthToken, faultSpec{Status: 400, Body: []byte(`{"error":"invalid_grant","error_description":"` + other.Tokens.Refresh + `"}`)})
	_, err = f.client.Company(context.Background(), other)
	wantErr(t, err, app.NotConnected, msgReconnect)
	errs = append(errs, err)

	secrets := []string{conn.Tokens.Access, conn.Tokens.Refresh, other.Tokens.Refresh, qbofake.DefaultClientSecret}
	for _, s := range f.saver.all() {
		secrets = append(secrets, s.tokens.Access, s.tokens.Refresh)
	}
	var texts []string
	texts = append(texts, f.logs.String())
	for _, err := range errs {
		if err != nil {
			texts = append(texts, err.Error(), app.ErrorMessage(err))
		}
	}
	if !strings.Contains(f.logs.String(), "intuit_tid") {
		t.Error("the log has no intuit_tid; is it capturing?")
	}
	for _, text := range texts {
		for _, s := range secrets {
			probe := s
			if len(probe) > 16 {
				probe = probe[:16]
			}
			if strings.Contains(text, probe) {
				t.Errorf("a secret (prefix %q) leaked into: %s", probe[:4], text)
			}
		}
	}
}

// Close waits for a refresh in flight, so main does not close the store
// under it: QBO has rotated the refresh token by then.
func TestCloseWaitsForRefreshesInFlight(t *testing.T) {
	f := newFixture(t)
	us := qbofake.DemoRealmUS
	conn := f.expiredConn(us)
	f.inject(qbofake.RouteOAuthToken, faultSpec{Latency: 400 * time.Millisecond, Times: 1})
	go f.client.Invoices(context.Background(), conn, []string{"1"})
	time.Sleep(100 * time.Millisecond) // the refresh is waiting on the token endpoint
	start := time.Now()
	if err := f.client.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < 150*time.Millisecond {
		t.Errorf("Close returned after %v, before the refresh finished", waited)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	if err := f.client.Close(ctx); err != nil {
		t.Errorf("Close with nothing in flight: %v", err)
	}
}
