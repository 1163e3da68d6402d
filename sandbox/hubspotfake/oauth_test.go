package hubspotfake_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

const (
	clientID     = "sandbox-hubspot-client-id"
	clientSecret = "sandbox-hubspot-client-secret"
	redirectURI  = "https://backend.example/oauth/hubspot/callback"
)

// authorize runs the authorize step and returns the redirect it answered.
func (f *fixture) authorize(t *testing.T, path string, q url.Values) (exchange, *url.URL) {
	t.Helper()
	e := f.doURL("", "GET", "https://app.hubspot.com"+path+"?"+q.Encode(), nil)
	if e.status != http.StatusFound {
		return e, nil
	}
	loc, err := url.Parse(e.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return e, loc
}

func authorizeQuery(extra ...string) url.Values {
	q := url.Values{"client_id": {clientID}, "scope": {"oauth crm.objects.deals.read"}, "redirect_uri": {redirectURI}, "state": {"st-1"}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return q
}

type tokens struct {
	TokenType    string `json:"token_type"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

func (f *fixture) token(form url.Values) exchange {
	f.t.Helper()
	return f.do("", "POST", "/oauth/v1/token", form.Encode())
}

// install runs the whole authorization-code flow for a portal.
func (f *fixture) install(t *testing.T, portal int64) tokens {
	t.Helper()
	_, loc := f.authorize(t, "/oauth/authorize", authorizeQuery("portalId", strings.TrimSpace(jsonNumber(portal))))
	if loc == nil {
		t.Fatal("authorize did not redirect")
	}
	e := f.token(url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "client_secret": {clientSecret},
		"redirect_uri": {redirectURI}, "code": {loc.Query().Get("code")}})
	e.want(t, http.StatusOK)
	var tk tokens
	if err := json.Unmarshal(e.body, &tk); err != nil {
		t.Fatal(err)
	}
	return tk
}

func jsonNumber(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestOAuthAuthorizationCodeFlow(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	q := authorizeQuery("optional_scope", "crm.objects.invoices.read")
	q.Set("redirect_uri", redirectURI+"?keep=1")
	e, loc := f.authorize(t, "/oauth/authorize", q)
	golden(t, "oauth_authorize_redirect", e)
	if loc == nil {
		t.Fatalf("authorize answered %d %s", e.status, e.body)
	}
	code := loc.Query().Get("code")
	if loc.Scheme+"://"+loc.Host+loc.Path != redirectURI || loc.Query().Get("state") != "st-1" || code == "" || loc.Query().Get("keep") != "1" {
		t.Fatalf("redirect = %s", loc)
	}

	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "client_secret": {clientSecret},
		"redirect_uri": {redirectURI + "?keep=1"}, "code": {code}}
	e = f.token(form)
	e.want(t, http.StatusOK)
	golden(t, "oauth_token_authorization_code", e)
	var tk tokens
	if err := json.Unmarshal(e.body, &tk); err != nil {
		t.Fatal(err)
	}
	if tk.TokenType != "bearer" || tk.ExpiresIn != 1800 || tk.AccessToken == "" || tk.RefreshToken == "" || len(tk.AccessToken) > 512 {
		t.Errorf("tokens = %+v", tk)
	}

	// A code is good once.
	e = f.token(form)
	golden(t, "oauth_error_bad_auth_code", e)
	e.want(t, http.StatusBadRequest)
	if v := e.json(t); v["status"] != "BAD_AUTH_CODE" || v["message"] == "" || !uuidRe.MatchString(v["correlationId"].(string)) {
		t.Errorf("reused code: %s", e.body)
	}

	// The access token reads the installing portal (the first by default).
	e = f.do(tk.AccessToken, "GET", "/account-info/v3/details", nil)
	e.want(t, http.StatusOK)
	if e.json(t)["portalId"] != 20000001.0 {
		t.Errorf("OAuth token reads %s", e.body)
	}

	// Token info.
	e = f.do("", "GET", "/oauth/v1/access-tokens/"+tk.AccessToken, nil)
	e.want(t, http.StatusOK)
	golden(t, "oauth_access_token_info", e)
	want := map[string]any{"token": tk.AccessToken, "user": "admin@northwind.example", "hub_domain": "northwind.example",
		"scopes": []any{"oauth", "crm.objects.deals.read", "crm.objects.invoices.read"}, "hub_id": 20000001.0, "app_id": 3000001.0,
		"expires_in": 1800.0, "user_id": 7000001.0, "token_type": "access"}
	if diff := cmp.Diff(want, e.json(t)); diff != "" {
		t.Errorf("token info (-want +got):\n%s", diff)
	}

	// Refresh: a new access token, the same refresh token.
	f.clock.Advance(20 * time.Minute)
	e = f.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "client_secret": {clientSecret}, "refresh_token": {tk.RefreshToken}})
	e.want(t, http.StatusOK)
	golden(t, "oauth_token_refresh", e)
	var tk2 tokens
	_ = json.Unmarshal(e.body, &tk2)
	if tk2.AccessToken == tk.AccessToken || tk2.RefreshToken != tk.RefreshToken || tk2.ExpiresIn != 1800 {
		t.Errorf("refreshed tokens = %+v", tk2)
	}
	e = f.do("", "GET", "/oauth/v1/refresh-tokens/"+tk.RefreshToken, nil)
	e.want(t, http.StatusOK)
	if v := e.json(t); v["hub_id"] != 20000001.0 || v["client_id"] != clientID || v["token_type"] != "refresh" {
		t.Errorf("refresh token info = %s", e.body)
	}

	// The first access token expires after 30 minutes; the second still works.
	f.clock.Advance(11 * time.Minute)
	e = f.do(tk.AccessToken, "GET", "/account-info/v3/details", nil)
	golden(t, "error_401_expired_token", e)
	v := envelope(t, e, http.StatusUnauthorized, "INVALID_AUTHENTICATION")
	if v["message"] != "The OAuth token used to make this call expired 1 minute(s) ago." {
		t.Errorf("expired message = %v", v["message"])
	}
	envelope(t, f.do("", "GET", "/oauth/v1/access-tokens/"+tk.AccessToken, nil), 404, "OBJECT_NOT_FOUND")
	f.do(tk2.AccessToken, "GET", "/account-info/v3/details", nil).want(t, http.StatusOK)

	// Revoking the refresh token stops refreshes; the access token lives on.
	f.do("", "DELETE", "/oauth/v1/refresh-tokens/"+tk.RefreshToken, nil).want(t, http.StatusNoContent)
	e = f.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "client_secret": {clientSecret}, "refresh_token": {tk.RefreshToken}})
	golden(t, "oauth_error_bad_refresh_token", e)
	e.want(t, http.StatusBadRequest)
	if e.json(t)["status"] != "BAD_REFRESH_TOKEN" {
		t.Errorf("refresh after revoke: %s", e.body)
	}
	f.do(tk2.AccessToken, "GET", "/account-info/v3/details", nil).want(t, http.StatusOK)
	envelope(t, f.do("", "DELETE", "/oauth/v1/refresh-tokens/"+tk.RefreshToken+"x", nil), 404, "OBJECT_NOT_FOUND")
}

func TestOAuthPortalChoiceAndErrors(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{RequiredScopes: []string{"oauth"}, ExpiredTokenCategory: "EXPIRED_AUTHENTICATION"})

	// Account-specific authorize URL, and the portalId option.
	for _, path := range []string{"/oauth/20000002/authorize", "/oauth/authorize?portalId=20000002"} {
		q := authorizeQuery()
		p := path
		if before, after, ok := strings.Cut(path, "?"); ok {
			p = before
			extra, _ := url.ParseQuery(after)
			for k, v := range extra {
				q[k] = v
			}
		}
		_, loc := f.authorize(t, p, q)
		if loc == nil {
			t.Fatalf("%s did not redirect", path)
		}
		e := f.token(url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "client_secret": {clientSecret},
			"redirect_uri": {redirectURI}, "code": {loc.Query().Get("code")}})
		var tk tokens
		_ = json.Unmarshal(e.body, &tk)
		if v := f.do(tk.AccessToken, "GET", "/account-info/v3/details", nil).json(t); v["portalId"] != 20000002.0 {
			t.Errorf("%s installed in %v", path, v["portalId"])
		}
	}

	// A declined install.
	_, loc := f.authorize(t, "/oauth/authorize", authorizeQuery("deny", "1"))
	if loc == nil || loc.Query().Get("error") != "access_denied" || loc.Query().Get("code") != "" || loc.Query().Get("state") != "st-1" {
		t.Errorf("declined redirect = %v", loc)
	}

	// Authorize errors are pages, not redirects.
	for name, q := range map[string]url.Values{
		"unknown client":        authorizeQuery("client_id", "nope"),
		"http redirect":         authorizeQuery("redirect_uri", "http://backend.example/cb"),
		"missing scope":         authorizeQuery("scope", "crm.objects.deals.read"),
		"unknown portal":        authorizeQuery("portalId", "1"),
		"missing redirect":      authorizeQuery("redirect_uri", ""),
		"relative redirect uri": authorizeQuery("redirect_uri", "/cb"),
	} {
		if e, loc := f.authorize(t, "/oauth/authorize", q); e.status != http.StatusBadRequest || loc != nil {
			t.Errorf("%s: %d", name, e.status)
		}
	}
	if _, loc := f.authorize(t, "/oauth/authorize", authorizeQuery("redirect_uri", "http://localhost:8080/cb")); loc == nil {
		t.Error("http://localhost redirects are allowed")
	}

	// Token endpoint errors.
	_, loc = f.authorize(t, "/oauth/authorize", authorizeQuery())
	good := url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "client_secret": {clientSecret},
		"redirect_uri": {redirectURI}, "code": {loc.Query().Get("code")}}
	for _, tc := range []struct {
		field, value, status string
	}{
		{"client_id", "nope", "BAD_CLIENT_ID"},
		{"client_secret", "nope", "BAD_CLIENT_SECRET"},
		{"redirect_uri", "https://other.example/cb", "BAD_REDIRECT_URI"},
		{"code", "nope", "BAD_AUTH_CODE"},
		{"grant_type", "password", "BAD_GRANT_TYPE"},
	} {
		form := url.Values{}
		for k, v := range good {
			form[k] = v
		}
		form.Set(tc.field, tc.value)
		e := f.token(form)
		e.want(t, http.StatusBadRequest)
		if got := e.json(t)["status"]; got != tc.status {
			t.Errorf("bad %s: status %v, want %s", tc.field, got, tc.status)
		}
	}
	// The good code still works after those failures.
	f.token(good).want(t, http.StatusOK)

	// The expired-token category is configurable.
	tk := f.install(t, portal1)
	f.clock.Advance(31 * time.Minute)
	envelope(t, f.do(tk.AccessToken, "GET", "/account-info/v3/details", nil), 401, "EXPIRED_AUTHENTICATION")
}

func TestAppUninstallEndsTheGrant(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	tk := f.install(t, 20000001)
	other := f.install(t, 20000002)

	f.do(tk.AccessToken, "DELETE", "/appinstalls/2026-03/external-install", nil).want(t, http.StatusNoContent)
	envelope(t, f.do(tk.AccessToken, "GET", "/account-info/v3/details", nil), http.StatusUnauthorized, "INVALID_AUTHENTICATION")
	e := f.token(url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "client_secret": {clientSecret}, "refresh_token": {tk.RefreshToken}})
	e.want(t, http.StatusBadRequest)
	if e.json(t)["status"] != "BAD_REFRESH_TOKEN" {
		t.Errorf("refresh after uninstall: %s", e.body)
	}
	// Another portal's install is untouched; an unauthenticated call is 401.
	f.do(other.AccessToken, "GET", "/account-info/v3/details", nil).want(t, http.StatusOK)
	envelope(t, f.do("", "DELETE", "/appinstalls/v3/external-install", nil), http.StatusUnauthorized, "INVALID_AUTHENTICATION")
	if n := f.srv.Counters().Count(hubspotfake.RouteAppUninstall, ""); n != 2 {
		t.Errorf("uninstall counted %d times, want 2", n)
	}
}
