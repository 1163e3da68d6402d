package qbofake

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const tokenURL = "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"
const revokeURL = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"

func (f *fixture) refresh(token string) *result {
	f.t.Helper()
	return f.form(tokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {token}})
}

// TestTokenRotation: each refresh returns a new refresh token and the old
// one is then invalid_grant; revoking makes the access token get the 401
// gateway body (reference §6, §1.10).
func TestTokenRotation(t *testing.T) {
	f := newFixture(t)
	us := DemoRealmUS
	r := f.refresh("qbo-sandbox-refresh-us")
	wantStatus(t, r, 200)
	tok := decode(t, r.body)
	access, refresh := str(tok["access_token"]), str(tok["refresh_token"])
	if refresh == "qbo-sandbox-refresh-us" || !strings.HasPrefix(refresh, "AB11") {
		t.Fatalf("refresh token not rotated: %s", refresh)
	}
	if _, ok := tok["id_token"]; ok {
		t.Error("id_token without the openid scope")
	}

	old := f.refresh("qbo-sandbox-refresh-us")
	wantStatus(t, old, 400)
	if string(old.body) != `{"error":"invalid_grant"}` {
		t.Errorf("old refresh token body = %s", old.body)
	}
	wantStatus(t, f.apiToken("GET", us, "/term/1", "", access), 200)

	r2 := f.refresh(refresh)
	wantStatus(t, r2, 200)
	refresh2 := str(decode(t, r2.body)["refresh_token"])
	if refresh2 == refresh {
		t.Error("second refresh did not rotate")
	}
	wantStatus(t, f.refresh(refresh), 400)

	// Revoke with the refresh token: the grant's access tokens die too.
	rv := f.form(revokeURL, url.Values{"token": {refresh2}})
	wantStatus(t, rv, 200)
	r401 := f.apiToken("GET", us, "/term/1", "", access)
	wantStatus(t, r401, 401)
	if got := str(at(decode(t, r401.body), "fault.error.0.code")); got != "3200" {
		t.Errorf("revoked token code = %s", got)
	}
	wantStatus(t, f.refresh(refresh2), 400)
}

// TestRevokeAccessToken: revoking by access token (JSON body) kills the
// grant; the seeded token of another realm is untouched.
func TestRevokeAccessToken(t *testing.T) {
	f := newFixture(t)
	h := http.Header{"Content-Type": {"application/json"}}
	req, _ := http.NewRequest("POST", revokeURL, nil)
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	h.Set("Authorization", req.Header.Get("Authorization"))
	wantStatus(t, f.raw("POST", revokeURL, `{"token":"qbo-sandbox-access-us"}`, h), 200)
	wantStatus(t, f.api("GET", DemoRealmUS, "/term/1", ""), 401)
	wantStatus(t, f.refresh("qbo-sandbox-refresh-us"), 400)
	wantStatus(t, f.api("GET", DemoRealmCA, "/term/1", ""), 200)
}

// TestAccessTokenExpiry: minted access tokens expire after
// Options.AccessTokenTTL of the fake clock; seeded ones never do.
func TestAccessTokenExpiry(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.AccessTokenTTL = time.Minute })
	r := f.refresh("qbo-sandbox-refresh-us")
	tok := decode(t, r.body)
	if str(tok["expires_in"]) != "60" {
		t.Errorf("expires_in = %v", tok["expires_in"])
	}
	access := str(tok["access_token"])
	f.clock.Advance(59 * time.Second)
	wantStatus(t, f.apiToken("GET", DemoRealmUS, "/term/1", "", access), 200)
	f.clock.Advance(time.Second)
	r401 := f.apiToken("GET", DemoRealmUS, "/term/1", "", access)
	wantStatus(t, r401, 401)
	if !strings.Contains(string(r401.body), "Token expired: ") {
		t.Errorf("body = %s", r401.body)
	}
	f.clock.Advance(1000 * time.Hour)
	wantStatus(t, f.api("GET", DemoRealmCA, "/term/1", ""), 200)
}

// TestAuthorizeFlow: /connect/oauth2 redirects with code, state and the
// chosen realmId; the code works once and only with its redirect_uri.
func TestAuthorizeFlow(t *testing.T) {
	f := newFixture(t)
	noFollow := &http.Client{Transport: f.srv.Transport(),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	authorize := func(extra url.Values) *url.URL {
		t.Helper()
		v := url.Values{"client_id": {DefaultClientID}, "response_type": {"code"},
			"scope": {"com.intuit.quickbooks.accounting openid"}, "redirect_uri": {"https://app.example/callback"}, "state": {"xyz"}}
		for k, vs := range extra {
			v[k] = vs
		}
		resp, err := noFollow.Get("https://appcenter.intuit.com/connect/oauth2?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound {
			t.Fatalf("authorize status = %d", resp.StatusCode)
		}
		loc, _ := url.Parse(resp.Header.Get("Location"))
		return loc
	}
	loc := authorize(url.Values{"realmId": {DemoRealmCA}})
	if loc.Host != "app.example" || loc.Query().Get("state") != "xyz" || loc.Query().Get("realmId") != DemoRealmCA {
		t.Fatalf("redirect = %s", loc)
	}
	code := loc.Query().Get("code")

	wrong := f.form(tokenURL, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"https://evil.example/cb"}})
	wantStatus(t, wrong, 400)
	ok := f.form(tokenURL, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"https://app.example/callback"}})
	wantStatus(t, ok, 200)
	tok := decode(t, ok.body)
	if str(tok["id_token"]) == "<nil>" {
		t.Error("no id_token although openid was asked")
	}
	again := f.form(tokenURL, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {"https://app.example/callback"}})
	wantStatus(t, again, 400)

	access := str(tok["access_token"])
	wantStatus(t, f.apiToken("GET", DemoRealmCA, "/term/1", "", access), 200)
	wantStatus(t, f.apiToken("GET", DemoRealmUS, "/term/1", "", access), 403)

	// Without realmId the first company added is connected.
	if got := authorize(nil).Query().Get("realmId"); got != DemoRealmUS {
		t.Errorf("default realm = %s", got)
	}
	if got := authorize(url.Values{"scope": {"openid"}}).Query().Get("error"); got != "invalid_scope" {
		t.Errorf("error = %q, want invalid_scope", got)
	}
	if got := authorize(url.Values{"decision": {"deny"}}).Query().Get("error"); got != "access_denied" {
		t.Errorf("error = %q, want access_denied", got)
	}

	// Bad client credentials.
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	req, _ := http.NewRequest("POST", tokenURL, nil)
	req.SetBasicAuth(DefaultClientID, "wrong")
	h.Set("Authorization", req.Header.Get("Authorization"))
	bad := f.raw("POST", tokenURL, "grant_type=refresh_token&refresh_token=qbo-sandbox-refresh-us", h)
	wantStatus(t, bad, 401)
	if string(bad.body) != `{"error":"invalid_client"}` {
		t.Errorf("body = %s", bad.body)
	}
}

// TestListen: served on a port, discovery points at the listener, and a
// client that knows only the base URL goes through OAuth and the data API.
func TestListen(t *testing.T) {
	srv := New(Options{})
	defer srv.Close()
	srv.SeedDemo()
	ls, err := srv.Listen("")
	if err != nil {
		t.Fatal(err)
	}
	defer ls.Close(context.Background())
	client := &http.Client{Transport: &http.Transport{}} // not http.DefaultTransport, which TestMain replaces
	resp, err := client.Get(ls.URL + "/.well-known/openid_sandbox_configuration")
	if err != nil {
		t.Fatal(err)
	}
	var d discovery
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d.TokenEndpoint != ls.URL+"/oauth2/v1/tokens/bearer" || d.AuthorizationEndpoint != ls.URL+"/connect/oauth2" ||
		d.RevocationEndpoint != ls.URL+"/v2/oauth2/tokens/revoke" {
		t.Fatalf("discovery does not point at the listener: %+v", d)
	}
	req, _ := http.NewRequest("POST", d.TokenEndpoint, strings.NewReader("grant_type=refresh_token&refresh_token=qbo-sandbox-refresh-gb"))
	req.SetBasicAuth(DefaultClientID, DefaultClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok tokenResponse
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	req, _ = http.NewRequest("GET", ls.URL+"/v3/company/"+DemoRealmGB+"/companyinfo/"+DemoRealmGB, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Thames Consulting Ltd") {
		t.Fatalf("companyinfo via listener: %d %s", resp.StatusCode, body)
	}
}
