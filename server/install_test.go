package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// startInstall hits the install route as the marketplace's link would and
// returns the authorize URL it redirects to.
func (ts *testServer) startInstall(t *testing.T) string {
	t.Helper()
	c := http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(ts.url + "/oauth/hubspot/install")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	u, err := url.Parse(loc)
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("install: %d, Location %q", resp.StatusCode, loc)
	}
	q := u.Query()
	if u.Host != "app.hubspot.com" || u.Path != "/oauth/authorize" || q.Get("client_id") != "sandbox-hubspot-client-id" ||
		q.Get("scope") != app.HubSpotScopes || q.Get("redirect_uri") != ts.url+"/oauth/hubspot/callback" || q.Get("state") == "" {
		t.Fatalf("authorize URL = %s", loc)
	}
	return loc
}

// authorizeHubSpot follows the authorize URL at the HubSpot fake (which
// installs at once) and returns where it sends the browser back to.
func (ts *testServer) authorizeHubSpot(t *testing.T, authorizeURL string, extra url.Values) string {
	t.Helper()
	return ts.followAuthorize(t, authorizeURL, extra, "/oauth/hubspot/callback")
}

// portalUntouched checks portal two still has its seeded token.
func (ts *testServer) portalUntouched(t *testing.T, seeded app.Portal) {
	t.Helper()
	p, err := ts.store.Portal(context.Background(), portal2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Tokens.Access != seeded.Tokens.Access || p.Tokens.Refresh != seeded.Tokens.Refresh {
		t.Errorf("portal two's tokens changed")
	}
	if ts.fakes.HubSpot.HasProperty(portal2, "deals", app.DealPropStatus) {
		t.Errorf("the deal properties were created")
	}
}

func TestInstallEndToEnd(t *testing.T) {
	ts := newTestServer(t)
	ctx := context.Background()
	seeded, err := ts.store.Portal(ctx, portal2)
	if err != nil {
		t.Fatal(err)
	}
	if ts.fakes.HubSpot.HasProperty(portal2, "deals", app.DealPropStatus) {
		t.Fatal("the deal properties exist before the install")
	}
	start := time.Now()
	back := ts.authorizeHubSpot(t, ts.startInstall(t), url.Values{"portalId": {"20000002"}})
	status, page := getPage(t, back)
	if status != 200 || !strings.Contains(page, "Installed for HubSpot account 20000002. Add the Integrated invoices card to your deal, contact and company records.") {
		t.Fatalf("callback: %d %s", status, page)
	}
	p, err := ts.store.Portal(ctx, portal2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Currency != "GBP" || p.TimeZone != "Europe/London" {
		t.Errorf("portal = currency %q, time zone %q; want GBP, Europe/London", p.Currency, p.TimeZone)
	}
	if p.Tokens.Access == "" || p.Tokens.Access == seeded.Tokens.Access || p.Tokens.Refresh == "" {
		t.Errorf("the install's tokens were not saved")
	}
	if exp := p.Tokens.AccessExpiresAt; exp.Before(start.Add(29*time.Minute)) || exp.After(time.Now().Add(31*time.Minute)) {
		t.Errorf("access expires at %v, want about 30 minutes from now", exp)
	}
	for _, prop := range []string{app.DealPropStatus, app.DealPropNumber, app.DealPropDueDate} {
		if !ts.fakes.HubSpot.HasProperty(portal2, "deals", prop) {
			t.Errorf("deal property %s missing after the install", prop)
		}
	}
	// The saved tokens work for the card.
	if a := ts.call(t, card(portal2), "GET", "/api/v1/connections", "/api/v1/connections"); a.status != 200 {
		t.Errorf("card after install: %d %s", a.status, a.body)
	}
}

func TestInstallCallbackRefusesBadStates(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ts := newTestServer(t, withClock(clock))
	seeded, err := ts.store.Portal(context.Background(), portal2)
	if err != nil {
		t.Fatal(err)
	}
	withState := func(back, state string) string {
		u, _ := url.Parse(back)
		q := u.Query()
		q.Set("state", state)
		u.RawQuery = q.Encode()
		return u.String()
	}
	stateOf := func(back string) string { u, _ := url.Parse(back); return u.Query().Get("state") }

	back := ts.authorizeHubSpot(t, ts.startInstall(t), url.Values{"portalId": {"20000002"}})
	state := stateOf(back)
	// A QuickBooks connect state is genuine but for another flow.
	connectState := stateOf(ts.startConnect(t, portal2))
	forged := []string{
		"",
		"garbage",
		state[:len(state)-2] + "AA", // MAC changed
		"20000002" + state[1:],      // bound to a portal
		connectState,                // a connect state
		strings.Replace(state, "0.0.", "0.1.", 1), // fields changed
	}
	for _, f := range forged {
		if status, page := getPage(t, withState(back, f)); status != 400 || !strings.Contains(page, "not valid") {
			t.Errorf("forged state %q: %d %s", f, status, page)
		}
	}
	ts.portalUntouched(t, seeded)

	// Expired: 11 minutes after the install started.
	mu.Lock()
	now = now.Add(11 * time.Minute)
	mu.Unlock()
	if status, page := getPage(t, back); status != 400 || !strings.Contains(page, "expired") {
		t.Errorf("expired state: %d %s", status, page)
	}
	ts.portalUntouched(t, seeded)

	// Replayed: the first use installs, the second is refused.
	back = ts.authorizeHubSpot(t, ts.startInstall(t), url.Values{"portalId": {"20000002"}})
	if status, page := getPage(t, back); status != 200 {
		t.Fatalf("first use: %d %s", status, page)
	}
	installed, err := ts.store.Portal(context.Background(), portal2)
	if err != nil {
		t.Fatal(err)
	}
	if status, page := getPage(t, back); status != 400 || !strings.Contains(page, "already used") {
		t.Errorf("replayed state: %d %s", status, page)
	}
	again, err := ts.store.Portal(context.Background(), portal2)
	if err != nil || again.Tokens.Access != installed.Tokens.Access {
		t.Errorf("the replay changed the portal: %v", err)
	}
}

func TestInstallAccessDeniedStoresNothing(t *testing.T) {
	ts := newTestServer(t)
	seeded, err := ts.store.Portal(context.Background(), portal2)
	if err != nil {
		t.Fatal(err)
	}
	back := ts.authorizeHubSpot(t, ts.startInstall(t), url.Values{"portalId": {"20000002"}, "deny": {"1"}})
	status, page := getPage(t, back)
	if status != 400 || !strings.Contains(page, "declined") || !strings.Contains(page, "Nothing was changed") {
		t.Errorf("access_denied: %d %s", status, page)
	}
	ts.portalUntouched(t, seeded)
}
