package server_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

const (
	hubspotTokenURL = "https://api.hubapi.com/oauth/v1/token"
	uninstallRoute  = "/api/v1/installation/uninstall"
)

// installPortal2 installs the app in portal two through the OAuth flow, so
// it holds OAuth tokens (the seed gives it a private-app token).
func (ts *testServer) installPortal2(t *testing.T) app.Portal {
	t.Helper()
	status, page := getPage(t, ts.authorizeHubSpot(t, ts.startInstall(t), url.Values{"portalId": {"20000002"}}))
	if status != http.StatusOK || !strings.Contains(page, "Installed for HubSpot account 20000002") {
		t.Fatalf("install: %d %s", status, page)
	}
	p, err := ts.store.Portal(context.Background(), portal2)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// refreshAtHubSpot spends a refresh token at the HubSpot fake.
func (ts *testServer) refreshAtHubSpot(t *testing.T, refresh string) (int, string) {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {"sandbox-hubspot-client-id"},
		"client_secret": {"sandbox-hubspot-client-secret"}, "refresh_token": {refresh}}
	resp, err := ts.upstream.PostForm(hubspotTokenURL, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

type uninstallAnswer struct {
	Portal struct {
		ID    int64
		State string
	}
	Connections []struct{ ID, State string }
}

// TestUninstallEndToEnd: the admin uninstalls from the settings page:
// HubSpot uninstalls the app, the QuickBooks grant is revoked, every token
// is erased, the links stay, other portals are untouched, and a reinstall
// brings the portal back.
func TestUninstallEndToEnd(t *testing.T) {
	logs := &lockedBuffer{}
	ts := newTestServer(t, withLogs(logs))
	ctx := context.Background()
	installed := ts.installPortal2(t)
	gb := ts.conns[gbRealm]
	linksBefore, err := ts.store.Links(ctx, portal2, app.ObjectRef{Type: app.Deals, ID: "1037"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := ts.store.Portal(ctx, portal1)
	if err != nil {
		t.Fatal(err)
	}
	connectBefore := ts.startConnect(t, portal2)

	// Without the confirmation nothing happens.
	for _, body := range []any{nil, map[string]any{}, map[string]any{"confirm": "yes"}} {
		if a := ts.send(t, card(portal2), "POST", uninstallRoute, uninstallRoute, body); a.status != http.StatusBadRequest || a.errorCode(t) != "invalid" {
			t.Errorf("uninstall with body %q: %d %s", body, a.status, a.body)
		}
	}
	if n := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteAppUninstall, ""); n != 0 {
		t.Fatal("an unconfirmed uninstall reached HubSpot")
	}
	// Turn a sync on: the uninstall turns it off.
	if a := ts.send(t, card(portal2), "PUT", "/api/v1/settings/sync/invoices", "/api/v1/settings/sync/{object}",
		map[string]any{"enabled": true, "onCreateOrUpdate": "create_or_update", "onDelete": "keep"}); a.status != http.StatusOK {
		t.Fatalf("turn invoice sync on: %d %s", a.status, a.body)
	}
	var got uninstallAnswer
	a := ts.send(t, card(portal2), "POST", uninstallRoute, uninstallRoute, map[string]any{"confirm": "uninstall"})
	a.decode(t, &got)
	if a.status != http.StatusOK || got.Portal.ID != portal2 || got.Portal.State != "uninstalled" ||
		len(got.Connections) != 1 || got.Connections[0].State != "disconnected" {
		t.Fatalf("uninstall: %d %s", a.status, a.body)
	}
	if n := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteAppUninstall, ""); n != 1 {
		t.Errorf("HubSpot's uninstall API called %d times, want 1", n)
	}
	p, err := ts.store.Portal(ctx, portal2)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ts.store.Connection(ctx, portal2, gb.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.State != app.PortalUninstalled || p.Tokens != (app.Tokens{}) || conn.State != app.Disconnected || conn.Tokens != (app.Tokens{}) {
		t.Errorf("after uninstall: portal %s (tokens erased %v), connection %s (tokens erased %v)",
			p.State, p.Tokens == (app.Tokens{}), conn.State, conn.Tokens == (app.Tokens{}))
	}
	if ps, err := ts.store.PortalSettings(ctx, portal2); err != nil || ps.Invoices.Enabled {
		t.Errorf("invoice sync after uninstall: on %v (%v)", ps.Invoices.Enabled, err)
	}
	// A connect started before the uninstall cannot finish after it.
	if status, page := getPage(t, ts.consent(t, connectBefore, url.Values{"realmId": {gbRealm}})); status != http.StatusBadRequest || !strings.Contains(page, "not installed in this HubSpot account") {
		t.Errorf("connect after uninstall: %d %s", status, page)
	}
	if links, _ := ts.store.Links(ctx, portal2, app.ObjectRef{Type: app.Deals, ID: "1037"}); len(links) != len(linksBefore) || len(links) == 0 {
		t.Errorf("links after uninstall: %d, want the %d kept", len(links), len(linksBefore))
	}
	// The grants are dead at both providers.
	if status, body := ts.refreshAtHubSpot(t, installed.Tokens.Refresh); status != http.StatusBadRequest || !strings.Contains(body, "BAD_REFRESH_TOKEN") {
		t.Errorf("HubSpot refresh after uninstall: %d %s", status, body)
	}
	if status, body := ts.postToIntuit(t, qboTokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {gb.Tokens.Refresh}}); status != http.StatusBadRequest || !strings.Contains(body, "invalid_grant") {
		t.Errorf("QuickBooks refresh after uninstall: %d %s", status, body)
	}
	// Portal one is untouched.
	if p1, _ := ts.store.Portal(ctx, portal1); p1.Tokens.Access != other.Tokens.Access || p1.State != app.PortalInstalled {
		t.Error("portal one changed")
	}
	if got := ts.connections(t, portal1); got.Connections[0].State != "connected" {
		t.Errorf("portal one's connections: %+v", got.Connections)
	}

	// A reinstall brings the portal back.
	back := ts.installPortal2(t)
	if back.State != app.PortalInstalled || back.Tokens.Access == "" {
		t.Errorf("after reinstall: %s, tokens %v", back.State, back.Tokens.Access != "")
	}
	noTokensIn(t, "the logs", logs.String(), installed.Tokens, gb.Tokens, back.Tokens)
	noTokensIn(t, "the uninstall answer", string(a.body), installed.Tokens, gb.Tokens)
	if !strings.Contains(logs.String(), "app uninstalled from the portal") {
		t.Error("the logs were not captured")
	}
}

// TestRefusedHubSpotRefreshAsksForReinstall: when HubSpot refuses the
// portal's refresh token (the app was uninstalled in HubSpot, or its access
// revoked), the portal turns to needs_reinstall with its tokens erased and
// a rep is told to reinstall, without HubSpot being asked again.
func TestRefusedHubSpotRefreshAsksForReinstall(t *testing.T) {
	var mu sync.Mutex
	fakeNow := time.Now()
	ts := newTestServer(t, withFakeClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return fakeNow }))
	ctx := context.Background()
	p := ts.installPortal2(t)
	req, _ := http.NewRequest(http.MethodDelete, "https://api.hubapi.com/oauth/v1/refresh-tokens/"+p.Tokens.Refresh, nil)
	resp, err := ts.upstream.Do(req)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("revoke at the fake: %v %v", resp, err)
	}
	resp.Body.Close()
	// Half an hour on, HubSpot answers the access token 401.
	mu.Lock()
	fakeNow = fakeNow.Add(31 * time.Minute)
	mu.Unlock()

	draft := "/api/v1/records/deals/1037/invoice-draft?connectionId=" + ts.conns[gbRealm].ID
	a := ts.call(t, card(portal2), "GET", draft, "/api/v1/records/{objectType}/{objectId}/invoice-draft")
	if a.status != http.StatusFailedDependency || a.errorCode(t) != "not_connected" || !strings.Contains(string(a.body), "reinstall the app") {
		t.Fatalf("draft with a refused HubSpot refresh: %d %s", a.status, a.body)
	}
	got, err := ts.store.Portal(ctx, portal2)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != app.PortalNeedsReinstall || got.Tokens != (app.Tokens{}) {
		t.Errorf("portal: %s, tokens erased %v; want needs_reinstall, erased", got.State, got.Tokens == (app.Tokens{}))
	}
	refreshes := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteOAuthToken, "")
	if a := ts.call(t, card(portal2), "GET", draft, ""); a.status != http.StatusFailedDependency {
		t.Errorf("second draft: %d %s", a.status, a.body)
	}
	if n := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteOAuthToken, ""); n != refreshes {
		t.Errorf("HubSpot was asked to refresh again (%d more)", n-refreshes)
	}
	if back := ts.installPortal2(t); back.State != app.PortalInstalled {
		t.Errorf("reinstall: %s", back.State)
	}
}
