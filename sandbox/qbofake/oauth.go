package qbofake

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// OAuth 2.0 of reference §6: discovery documents, the authorize page
// (which consents at once and redirects), the token endpoint (code
// exchange once only, refresh with rotation) and revocation.

// discovery is the OpenID discovery document, fields as in Intuit's own
// fixture (reference §6 "Discovery fixture").
type discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	JwksURI                           string   `json:"jwks_uri"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
}

// endpoints returns the discovery document for the host that was asked.
// Reached through Transport (an *.intuit.com host) it is Intuit's real
// document; served on a port it points at the fake's own base URL, so a
// client configured with that URL works end to end.
func endpoints(r *http.Request, sandbox bool) discovery {
	d := discovery{
		Issuer:                            "https://oauth.platform.intuit.com/op/v1",
		AuthorizationEndpoint:             "https://appcenter.intuit.com/connect/oauth2",
		TokenEndpoint:                     "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
		UserinfoEndpoint:                  "https://accounts.platform.intuit.com/v1/openid_connect/userinfo",
		RevocationEndpoint:                "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
		JwksURI:                           "https://oauth.platform.intuit.com/op/v1/jwks",
		ResponseTypesSupported:            []string{"code"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		ScopesSupported:                   []string{"openid", "email", "profile", "address", "phone"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post", "client_secret_basic"},
		ClaimsSupported:                   []string{"aud", "exp", "iat", "iss", "realmid", "sub"},
	}
	if sandbox {
		d.UserinfoEndpoint = "https://sandbox-accounts.platform.intuit.com/v1/openid_connect/userinfo"
	}
	if base := localBase(r); base != "" {
		d.Issuer = base + "/op/v1"
		d.AuthorizationEndpoint = base + "/connect/oauth2"
		d.TokenEndpoint = base + "/oauth2/v1/tokens/bearer"
		d.UserinfoEndpoint = base + "/v1/openid_connect/userinfo"
		d.RevocationEndpoint = base + "/v2/oauth2/tokens/revoke"
		d.JwksURI = base + "/op/v1/jwks"
	}
	return d
}

// localBase is "http://<host>" when the request did not come for an Intuit
// host, else "".
func localBase(r *http.Request) string {
	host := r.Host
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.ToLower(name)
	if name == "intuit.com" || strings.HasSuffix(name, ".intuit.com") || host == "" {
		return ""
	}
	return "http://" + host
}

func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	s.counters.Add(RouteOAuthDiscovery, "")
	if s.faults.Apply(RouteOAuthDiscovery, "", w, r) {
		return
	}
	if r.Method != http.MethodGet {
		s.oauthError(w, http.StatusMethodNotAllowed, "invalid_request")
		return
	}
	d := endpoints(r, strings.Contains(r.URL.Path, "sandbox"))
	s.writeRaw(w, http.StatusOK, "application/json", mustJSON(d))
}

// serveAuthorize is /connect/oauth2. There is no login page: the fake
// consents at once and redirects to redirect_uri with code, state and
// realmId (reference §6 "Redirect"). Extensions of the fake: realmId=
// chooses which company to connect (default: the first added), and
// decision=deny simulates the user refusing (error=access_denied).
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	realmID := q.Get("realmId")
	if realmID == "" {
		realmID = s.firstRealm()
	}
	s.counters.Add(RouteOAuthAuthorize, realmID)
	if s.faults.Apply(RouteOAuthAuthorize, realmID, w, r) {
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case q.Get("client_id") != s.opt.ClientID:
		s.writeRaw(w, http.StatusBadRequest, "text/plain; charset=utf-8", []byte("invalid_client: unknown client_id\n"))
		return
	case err != nil || q.Get("redirect_uri") == "" || !redirect.IsAbs():
		s.writeRaw(w, http.StatusBadRequest, "text/plain; charset=utf-8", []byte("invalid_request: redirect_uri must be an absolute URL\n"))
		return
	case s.realm(realmID) == nil:
		s.writeRaw(w, http.StatusBadRequest, "text/plain; charset=utf-8", []byte("invalid_request: no such company (realmId)\n"))
		return
	}
	back := redirect.Query()
	back.Set("state", q.Get("state"))
	scope := q.Get("scope")
	switch {
	case q.Get("response_type") != "code":
		back.Set("error", "unsupported_response_type")
	case !strings.Contains(scope, "com.intuit.quickbooks.accounting") && !strings.Contains(scope, "com.intuit.quickbooks.payment"):
		back.Set("error", "invalid_scope")
	case q.Get("decision") == "deny":
		back.Set("error", "access_denied")
	default:
		code := s.auth.newCode(authCode{realm: realmID, redirectURI: q.Get("redirect_uri"), scope: scope,
			clientID: s.opt.ClientID, expires: s.now().Add(codeTTL)})
		back.Set("code", code)
		back.Set("realmId", realmID)
	}
	redirect.RawQuery = back.Encode()
	w.Header().Set("Location", redirect.String())
	w.WriteHeader(http.StatusFound)
}

// tokenResponse is the token endpoint's answer, fields in the order of
// reference §6 "Token response".
type tokenResponse struct {
	TokenType              string `json:"token_type"`
	ExpiresIn              int64  `json:"expires_in"`
	RefreshToken           string `json:"refresh_token"`
	XRefreshTokenExpiresIn int64  `json:"x_refresh_token_expires_in"`
	AccessToken            string `json:"access_token"`
	IDToken                string `json:"id_token,omitempty"`
}

// serveToken is the token endpoint: HTTP Basic client auth (or client
// credentials in the form), grant_type authorization_code (once only) or
// refresh_token (rotates; the old refresh token is then invalid_grant).
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	form := readForm(r)
	grantType := form.Get("grant_type")
	presented := form.Get("code")
	if presented == "" {
		presented = form.Get("refresh_token")
	}
	tenant := s.auth.realmOf(presented)
	s.counters.Add(RouteOAuthToken, tenant)
	if s.faults.Apply(RouteOAuthToken, tenant, w, r) {
		return
	}
	if r.Method != http.MethodPost {
		s.oauthError(w, http.StatusMethodNotAllowed, "invalid_request")
		return
	}
	if !s.clientOK(r, form) {
		s.oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	now, ttl := s.now(), s.opt.AccessTokenTTL
	var (
		out issued
		ok  bool
	)
	switch grantType {
	case "authorization_code":
		out, ok = s.auth.exchange(form.Get("code"), form.Get("redirect_uri"), s.opt.ClientID, now, ttl)
	case "refresh_token":
		out, ok = s.auth.refreshGrant(form.Get("refresh_token"), now, ttl)
	default:
		s.oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	if !ok {
		s.oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	resp := tokenResponse{
		TokenType:              "bearer",
		ExpiresIn:              int64(out.accessTTL / time.Second),
		RefreshToken:           out.refresh,
		XRefreshTokenExpiresIn: int64(out.refreshLeft / time.Second),
		AccessToken:            out.access,
	}
	if strings.Contains(out.scope, "openid") {
		resp.IDToken = s.idToken(r, out.realm, now)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeRaw(w, http.StatusOK, "application/json", mustJSON(resp))
}

// serveRevoke revokes the grant of a refresh or access token, sent as the
// form field token= or a JSON {"token":…} body. Like RFC 7009 it answers
// 200 for unknown tokens too.
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	token := ""
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var v struct {
			Token string `json:"token"`
		}
		_ = json.Unmarshal(body, &v)
		token = v.Token
	} else if vals, err := url.ParseQuery(string(body)); err == nil {
		token = vals.Get("token")
	}
	tenant := s.auth.realmOf(token)
	s.counters.Add(RouteOAuthRevoke, tenant)
	if s.faults.Apply(RouteOAuthRevoke, tenant, w, r) {
		return
	}
	if r.Method != http.MethodPost {
		s.oauthError(w, http.StatusMethodNotAllowed, "invalid_request")
		return
	}
	if !s.clientOK(r, url.Values{}) {
		s.oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	if token == "" {
		s.oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	s.auth.revoke(token)
	w.WriteHeader(http.StatusOK)
}

// serveUserInfo answers the OpenID userinfo endpoint for tokens with the
// openid scope.
func (s *Server) serveUserInfo(w http.ResponseWriter, r *http.Request) {
	realmID, scope, ok := s.auth.userScope(bearer(r), s.now())
	s.counters.Add(RouteOAuthUserInfo, realmID)
	if s.faults.Apply(RouteOAuthUserInfo, realmID, w, r) {
		return
	}
	if !ok || !strings.Contains(scope, "openid") {
		s.oauthError(w, http.StatusUnauthorized, "invalid_token")
		return
	}
	email := "admin@" + realmID + ".sandbox.example"
	if rl := s.realm(realmID); rl != nil {
		rl.mu.Lock()
		if rl.info.Email != nil {
			email = rl.info.Email.Address
		}
		rl.mu.Unlock()
	}
	s.writeRaw(w, http.StatusOK, "application/json", mustJSON(map[string]any{
		"sub": "qbofake-user-" + realmID, "email": email, "emailVerified": true,
		"givenName": "Sandbox", "familyName": "Admin",
	}))
}

func (s *Server) oauthError(w http.ResponseWriter, status int, code string) {
	s.writeRaw(w, status, "application/json", mustJSON(map[string]string{"error": code}))
}

// clientOK checks the app's credentials: HTTP Basic (what Intuit documents)
// or client_id/client_secret form fields (client_secret_post).
func (s *Server) clientOK(r *http.Request, form url.Values) bool {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}
	return subtle.ConstantTimeCompare([]byte(id), []byte(s.opt.ClientID)) == 1 &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.opt.ClientSecret)) == 1
}

func readForm(r *http.Request) url.Values {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return url.Values{}
	}
	return vals
}

// idToken is a JWT-shaped OpenID token. It is not signed (the fake has no
// keys; jwks is empty), so clients must not verify it.
func (s *Server) idToken(r *http.Request, realmID string, now time.Time) string {
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"RS256","kid":"qbofake"}`))
	payload := enc.EncodeToString(mustJSON(map[string]any{
		"sub": "qbofake-user-" + realmID, "aud": []string{s.opt.ClientID}, "realmid": realmID,
		"iss": endpoints(r, false).Issuer, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"auth_time": now.Unix(),
	}))
	return header + "." + payload + "." + enc.EncodeToString([]byte("unsigned"))
}
