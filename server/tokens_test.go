package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/logtest"
)

const qboTokenURL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"

// expireAccessToken makes the stored access token of a realm's connection
// one that expired a minute ago, as after an idle hour.
func (ts *testServer) expireAccessToken(t *testing.T, realm string) app.Connection {
	t.Helper()
	conn := ts.conns[realm]
	tok := conn.Tokens
	tok.AccessExpiresAt = time.Now().Add(-time.Minute)
	if err := ts.store.SaveTokens(context.Background(), conn.ID, tok); err != nil {
		t.Fatal(err)
	}
	conn.Tokens = tok
	return conn
}

// postToIntuit posts a form to one of the fake Intuit OAuth endpoints with
// the app's client credentials.
func (ts *testServer) postToIntuit(t *testing.T, endpoint string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("sandbox-qbo-client-id", "sandbox-qbo-client-secret")
	resp, err := ts.upstream.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func (ts *testServer) tokenRefreshes(realm string) int {
	return ts.fakes.QBO.Counters().Count(qbofake.RouteOAuthToken, realm)
}

// TestFiftyRequestsOnAnExpiredTokenRefreshOnce: fifty concurrent card
// requests, each needing QuickBooks, on a connection whose access token
// expired, cause one refresh; the rotated tokens are stored and the old
// refresh token is dead at Intuit afterwards.
func TestFiftyRequestsOnAnExpiredTokenRefreshOnce(t *testing.T) {
	ts := newTestServer(t)
	conn := ts.expireAccessToken(t, usRealm)
	before := ts.tokenRefreshes(usRealm)

	var wg sync.WaitGroup
	statuses := make([]int, 50)
	for i := range statuses {
		wg.Go(func() {
			// Distinct searches: none is answered from the cache.
			path := fmt.Sprintf("/api/v1/connections/%s/invoices?q=%d", conn.ID, 100000+i)
			resp, err := card(portal1).Do(context.Background(), "GET", ts.url+path, nil)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Fatalf("request %d: status %d", i, s)
		}
	}
	if n := ts.tokenRefreshes(usRealm) - before; n != 1 {
		t.Fatalf("%d token refreshes for fifty requests, want 1", n)
	}
	stored, err := ts.store.Connection(context.Background(), portal1, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Tokens.Refresh == conn.Tokens.Refresh || !stored.Tokens.AccessExpiresAt.After(time.Now()) {
		t.Fatal("the rotated tokens were not stored")
	}
	status, body := ts.postToIntuit(t, qboTokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {conn.Tokens.Refresh}})
	if status != http.StatusBadRequest || !strings.Contains(body, "invalid_grant") {
		t.Errorf("the old refresh token after rotation: %d %s, want 400 invalid_grant", status, body)
	}
}

// TestRevokedRefreshTokenAsksForReconnect: when Intuit refuses the refresh
// token (the admin revoked the app in QuickBooks), the connection turns to
// needs_reconnect with its tokens erased, the card says "Reconnect
// QuickBooks" without calling Intuit again, and a reconnect mends it.
func TestRevokedRefreshTokenAsksForReconnect(t *testing.T) {
	logs := &lockedBuffer{}
	ts := newTestServer(t, coldCards(), withLogs(logs))
	conn := ts.expireAccessToken(t, usRealm)
	revoke := "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"
	if status, body := ts.postToIntuit(t, revoke, url.Values{"token": {conn.Tokens.Refresh}}); status != http.StatusOK {
		t.Fatalf("revoke at the fake: %d %s", status, body)
	}

	var got cardAnswer
	a := ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1011/invoices", cardPath)
	a.decode(t, &got)
	if a.status != http.StatusOK || len(got.Groups) == 0 || got.Groups[0].Notice != "Reconnect QuickBooks to refresh these invoices." {
		t.Fatalf("card after a refused refresh: %d %s", a.status, a.body)
	}
	stored, err := ts.store.Connection(context.Background(), portal1, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.State != app.NeedsReconnect || stored.Tokens != (app.Tokens{}) {
		t.Fatalf("connection after a refused refresh: %s, tokens erased %v", stored.State, stored.Tokens == (app.Tokens{}))
	}
	refreshes := ts.tokenRefreshes(usRealm)
	draft := ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1011/invoice-draft?connectionId="+conn.ID, "/api/v1/records/{objectType}/{objectId}/invoice-draft")
	if draft.status != http.StatusFailedDependency || draft.errorCode(t) != "not_connected" {
		t.Errorf("draft on a connection to reconnect: %d %s", draft.status, draft.body)
	}
	if got := ts.connections(t, portal1); got.Connections[0].State != "needs_reconnect" {
		t.Errorf("connections list: %+v", got.Connections)
	}
	if n := ts.tokenRefreshes(usRealm); n != refreshes {
		t.Errorf("the dead refresh token was offered again (%d more refreshes)", n-refreshes)
	}

	// The admin reconnects the company: same connection, working again.
	status, page := getPage(t, ts.consent(t, ts.startConnect(t, portal1), url.Values{"realmId": {usRealm}}))
	if status != http.StatusOK || !strings.Contains(page, "is connected") {
		t.Fatalf("reconnect: %d %s", status, page)
	}
	got = cardAnswer{}
	ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1011/invoices", cardPath).decode(t, &got)
	if len(got.Groups) == 0 || got.Groups[0].Stale || got.Groups[0].Notice != "" {
		t.Errorf("card after reconnecting: %+v", got.Groups)
	}
	reconnected, _ := ts.store.Connection(context.Background(), portal1, conn.ID)
	noTokensIn(t, "the logs", logs.String(), conn.Tokens, reconnected.Tokens)
	if !strings.Contains(logs.String(), "quickbooks company connected") {
		t.Error("the logs were not captured")
	}
}

// noTokensIn fails when text holds any of the tokens.
func noTokensIn(t *testing.T, what, text string, tokens ...app.Tokens) {
	t.Helper()
	for _, tk := range tokens {
		for _, v := range []string{tk.Access, tk.Refresh} {
			if v != "" && strings.Contains(text, v) {
				i := strings.Index(text, v)
				start := strings.LastIndex(text[:i], "\n") + 1
				t.Errorf("%s hold a token: %.300s", what, text[start:])
			}
		}
	}
}

// lockedBuffer is a log sink safe for many goroutines.
type lockedBuffer = logtest.Buffer
