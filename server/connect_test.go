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
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

const (
	connectRoute    = "/api/v1/connections/quickbooks/connect"
	connectionRoute = "/api/v1/connections/{id}"
	nzRealm         = "9130357766900009"
	auRealm         = "9130357766900010"
)

// startConnect asks for an authorize URL as the card would.
func (ts *testServer) startConnect(t *testing.T, portal int64) string {
	t.Helper()
	a := ts.call(t, card(portal), "POST", connectRoute, connectRoute)
	if a.status != http.StatusOK {
		t.Fatalf("connect: %d %s", a.status, a.body)
	}
	var got struct{ AuthorizeURL string }
	a.decode(t, &got)
	u, err := url.Parse(got.AuthorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Host != "appcenter.intuit.com" || q.Get("client_id") != "sandbox-qbo-client-id" || q.Get("response_type") != "code" ||
		q.Get("scope") != app.QBOScope || q.Get("redirect_uri") != ts.url+"/oauth/quickbooks/callback" || q.Get("state") == "" {
		t.Fatalf("authorize URL = %s", got.AuthorizeURL)
	}
	return got.AuthorizeURL
}

// consent follows the authorize URL at the QBO fake (which consents at
// once) and returns where it sends the browser back to.
func (ts *testServer) consent(t *testing.T, authorizeURL string, extra url.Values) string {
	t.Helper()
	return ts.followAuthorize(t, authorizeURL, extra, "/oauth/quickbooks/callback")
}

// followAuthorize GETs an authorize URL at a fake with extra query values
// and checks it redirects to the server's callback path; it returns the
// redirect, which carries the code and state.
func (ts *testServer) followAuthorize(t *testing.T, authorizeURL string, extra url.Values, callback string) string {
	t.Helper()
	u, _ := url.Parse(authorizeURL)
	q := u.Query()
	for k, v := range extra {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	c := *ts.upstream
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Get(u.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, ts.url+callback+"?") {
		t.Fatalf("authorize: %d, Location %q", resp.StatusCode, loc)
	}
	return loc
}

func getPage(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("callback answered %s, want a page", ct)
	}
	return resp.StatusCode, string(body)
}

type connectionsAnswer struct {
	Connections []connectionAnswer
}

type connectionAnswer struct{ ID, RealmID, CompanyName, Country, Currency, State string }

func (ts *testServer) connections(t *testing.T, portal int64) connectionsAnswer {
	t.Helper()
	var got connectionsAnswer
	ts.call(t, card(portal), "GET", "/api/v1/connections", "/api/v1/connections").decode(t, &got)
	return got
}

// TestConnectTwoCompaniesEndToEnd: an admin connects two more QuickBooks
// companies, one after the other, each through Intuit's consent; each is
// stored with its own tokens and settings and works for the card, and the
// other portal sees none of them.
func TestConnectTwoCompaniesEndToEnd(t *testing.T) {
	ts := newTestServer(t)
	ts.fakes.QBO.AddCompany(qbofake.Company{RealmID: nzRealm, CompanyName: "Kiwi Feeders Ltd", Country: "NZ"})
	ts.fakes.QBO.AddCompany(qbofake.Company{RealmID: auRealm, CompanyName: "Wattle Supplies Pty Ltd", Country: "AU"})

	for _, c := range []struct{ realm, name string }{{nzRealm, "Kiwi Feeders Ltd"}, {auRealm, "Wattle Supplies Pty Ltd"}} {
		back := ts.consent(t, ts.startConnect(t, portal1), url.Values{"realmId": {c.realm}})
		status, page := getPage(t, back)
		if status != 200 || !strings.Contains(page, "QuickBooks company "+c.name+" is connected; you can close this window.") {
			t.Fatalf("callback for %s: %d %s", c.realm, status, page)
		}
	}
	got := ts.connections(t, portal1)
	if len(got.Connections) != 4 {
		t.Fatalf("connections = %+v, want US, CA, NZ and AU", got.Connections)
	}
	nz, au := got.Connections[2], got.Connections[3]
	if nz.RealmID != nzRealm || nz.Country != "NZ" || nz.Currency != "NZD" || nz.State != "connected" || nz.CompanyName != "Kiwi Feeders Ltd" {
		t.Errorf("NZ connection = %+v", nz)
	}
	if au.RealmID != auRealm || au.Country != "AU" || au.Currency != "AUD" || au.State != "connected" {
		t.Errorf("AU connection = %+v", au)
	}
	var refreshTokens []string
	for _, c := range []connectionAnswer{nz, au} {
		stored, err := ts.store.Connection(context.Background(), portal1, c.ID)
		if err != nil || stored.Tokens.Refresh == "" || stored.Tokens.Access == "" || stored.TimeZone == "" {
			t.Errorf("stored connection %s = %v; want tokens and time zone", c.RealmID, err)
		}
		refreshTokens = append(refreshTokens, stored.Tokens.Refresh)
		// Each new company works for the card's lookups with its own tokens.
		if a := ts.call(t, card(portal1), "GET", "/api/v1/connections/"+c.ID+"/terms", ""); a.status != 200 {
			t.Errorf("terms of %s: %d %s", c.RealmID, a.status, a.body)
		}
	}
	if refreshTokens[0] == refreshTokens[1] {
		t.Error("two companies share one refresh token")
	}
	if n := len(ts.connections(t, portal2).Connections); n != 1 {
		t.Errorf("portal two has %d connections, want its own one", n)
	}
}

func TestReconnectKeepsTheConnectionID(t *testing.T) {
	ts := newTestServer(t)
	before := ts.conns[caRealm]
	status, page := getPage(t, ts.consent(t, ts.startConnect(t, portal1), url.Values{"realmId": {caRealm}}))
	if status != 200 || !strings.Contains(page, "is connected") {
		t.Fatalf("callback: %d %s", status, page)
	}
	got := ts.connections(t, portal1)
	if len(got.Connections) != 2 || got.Connections[1].ID != before.ID || got.Connections[1].Currency != "CAD" {
		t.Fatalf("connections after reconnect = %+v, want the CA one under id %s", got.Connections, before.ID)
	}
	stored, err := ts.store.Connection(context.Background(), portal1, before.ID)
	if err != nil || stored.Tokens.Refresh == before.Tokens.Refresh || stored.Tokens.Refresh == "" {
		t.Errorf("reconnect kept the old tokens: %v", err)
	}
}

// nothingStored checks portal one still has its two seeded companies, as
// they were.
func (ts *testServer) nothingStored(t *testing.T) {
	t.Helper()
	conns, err := ts.store.Connections(context.Background(), portal1)
	if err != nil {
		t.Fatal(err)
	}
	if len(conns) != 2 {
		t.Fatalf("%d connections, want the two seeded", len(conns))
	}
	for _, c := range conns {
		if c.Tokens.Refresh != ts.conns[c.RealmID].Tokens.Refresh {
			t.Errorf("connection of realm %s changed", c.RealmID)
		}
	}
}

func TestCallbackRefusesBadStates(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	ts := newTestServer(t, withClock(clock))
	ts.fakes.QBO.AddCompany(qbofake.Company{RealmID: nzRealm, CompanyName: "Kiwi Feeders Ltd", Country: "NZ"})
	withState := func(back, state string) string {
		u, _ := url.Parse(back)
		q := u.Query()
		q.Set("state", state)
		u.RawQuery = q.Encode()
		return u.String()
	}
	stateOf := func(back string) string { u, _ := url.Parse(back); return u.Query().Get("state") }

	back := ts.consent(t, ts.startConnect(t, portal1), url.Values{"realmId": {nzRealm}})
	state := stateOf(back)
	forged := []string{
		"",
		"garbage",
		state[:len(state)-2] + "AA", // MAC changed
		strings.Replace(state, "20000001.", "20000002.", 1), // bound to another portal
		strings.Replace(state, ".", ".9", 2)[:len(state)+1], // fields changed
	}
	for _, f := range forged {
		if status, page := getPage(t, withState(back, f)); status != 400 || !strings.Contains(page, "not valid") {
			t.Errorf("forged state %q: %d %s", f, status, page)
		}
	}
	ts.nothingStored(t)

	// Expired: 11 minutes after the card asked.
	mu.Lock()
	now = now.Add(11 * time.Minute)
	mu.Unlock()
	if status, page := getPage(t, back); status != 400 || !strings.Contains(page, "expired") {
		t.Errorf("expired state: %d %s", status, page)
	}
	ts.nothingStored(t)

	// Replayed: the first use connects, the second is refused.
	back = ts.consent(t, ts.startConnect(t, portal1), url.Values{"realmId": {caRealm}})
	if status, page := getPage(t, back); status != 200 {
		t.Fatalf("first use: %d %s", status, page)
	}
	if status, page := getPage(t, back); status != 400 || !strings.Contains(page, "already used") {
		t.Errorf("replayed state: %d %s", status, page)
	}
}

func TestCallbackAccessDeniedStoresNothing(t *testing.T) {
	ts := newTestServer(t)
	ts.fakes.QBO.AddCompany(qbofake.Company{RealmID: nzRealm, CompanyName: "Kiwi Feeders Ltd", Country: "NZ"})
	back := ts.consent(t, ts.startConnect(t, portal1), url.Values{"realmId": {nzRealm}, "decision": {"deny"}})
	status, page := getPage(t, back)
	if status != 400 || !strings.Contains(page, "declined") || !strings.Contains(page, "Nothing was changed") {
		t.Errorf("access_denied: %d %s", status, page)
	}
	ts.nothingStored(t)
}

func TestDisconnect(t *testing.T) {
	ts := newTestServer(t)
	ca := ts.conns[caRealm]
	path := "/api/v1/connections/" + ca.ID

	// Another portal cannot see, let alone disconnect, it.
	if a := ts.call(t, card(portal2), "DELETE", path, connectionRoute); a.status != 404 || a.errorCode(t) != "not_found" {
		t.Errorf("portal two disconnecting portal one's company: %d %s", a.status, a.body)
	}
	ts.nothingStored(t)

	a := ts.call(t, card(portal1), "DELETE", path, connectionRoute)
	if a.status != 200 {
		t.Fatalf("disconnect: %d %s", a.status, a.body)
	}
	var got struct{ Connection struct{ ID, State string } }
	a.decode(t, &got)
	if got.Connection.ID != ca.ID || got.Connection.State != "disconnected" {
		t.Errorf("disconnect answered %+v", got)
	}
	stored, err := ts.store.Connection(context.Background(), portal1, ca.ID)
	if err != nil || stored.State != app.Disconnected || stored.Tokens.Refresh != "" || stored.Tokens.Access != "" {
		t.Errorf("stored after disconnect: state %s, tokens cleared %v, %v", stored.State, stored.Tokens == (app.Tokens{}), err)
	}

	// The fake refuses the revoked refresh token.
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {ca.Tokens.Refresh}}
	req, _ := http.NewRequest("POST", "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer", strings.NewReader(form.Encode()))
	req.SetBasicAuth("sandbox-qbo-client-id", "sandbox-qbo-client-secret")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := ts.upstream.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "invalid_grant") {
		t.Errorf("revoked refresh token: %d %s", resp.StatusCode, body)
	}

	// Links stay; the card says the company is disconnected.
	var card1 cardAnswer
	ts.call(t, card(portal1), "GET", "/api/v1/records/companies/1001/invoices", cardPath).decode(t, &card1)
	found := false
	for _, g := range card1.Groups {
		if g.Connection.RealmID == caRealm {
			found = true
			if !strings.Contains(g.Notice, "QuickBooks disconnected") || len(g.Invoices) == 0 {
				t.Errorf("CA group after disconnect = %+v", g)
			}
		}
	}
	if !found {
		t.Errorf("the CA group is gone after disconnect: %+v", card1.Groups)
	}
}
