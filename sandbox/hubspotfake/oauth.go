package hubspotfake

import (
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// grant is what an install authorizes: a portal, the installing user and
// the scopes.
type grant struct {
	portalID  int64
	userID    int64
	user      string
	hubDomain string
	scopes    []string
}

type authCode struct {
	grant
	redirectURI string
	used        bool
}

type accessToken struct {
	grant
	expires time.Time
}

type refreshToken struct {
	grant
	revoked bool
}

type oauthState struct {
	codes   map[string]*authCode
	access  map[string]*accessToken
	refresh map[string]*refreshToken
}

func newOAuthState() oauthState {
	return oauthState{
		codes:   make(map[string]*authCode),
		access:  make(map[string]*accessToken),
		refresh: make(map[string]*refreshToken),
	}
}

// oauthError is the body of a v1 token endpoint error:
// {"status":"BAD_AUTH_CODE","message","correlationId"}.
type oauthError struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	CorrelationID string `json:"correlationId"`
}

func errOAuth(status, message string) *apiError {
	return &apiError{status: http.StatusBadRequest, body: &oauthError{Status: status, Message: message, CorrelationID: newUUID()}}
}

// handleAuthorize is GET https://app.hubspot.com/oauth/authorize (and
// /oauth/{portalId}/authorize): it installs the app at once, as if the user
// had clicked "Connect app", and redirects to redirect_uri with code and
// state (reference §4.6). Fake-only query options: portalId picks the
// installing portal (default the first added); deny=1 answers as a user who
// declined (error=access_denied).
func (s *Server) handleAuthorize(c *call) {
	q := c.r.URL.Query()
	fail := func(msg string) {
		c.w.Header().Set("Content-Type", "text/html; charset=utf-8")
		c.w.WriteHeader(http.StatusBadRequest)
		_, _ = c.w.Write([]byte("<!doctype html><title>Authorization failed</title><p>" + html.EscapeString(msg) + "</p>\n"))
	}
	if q.Get("client_id") != s.opt.ClientID {
		fail("Unknown client_id " + q.Get("client_id") + ".")
		return
	}
	redirect, err := url.Parse(q.Get("redirect_uri"))
	if q.Get("redirect_uri") == "" || err != nil || !allowedRedirect(redirect) {
		fail("redirect_uri must be an absolute HTTPS URL (http is allowed only for localhost).")
		return
	}
	scopes := strings.Fields(q.Get("scope"))
	for _, required := range s.opt.RequiredScopes {
		if !slices.Contains(scopes, required) {
			fail("The scope parameter is missing the required scope " + required + ".")
			return
		}
	}
	for _, optional := range strings.Fields(q.Get("optional_scope")) {
		if !slices.Contains(scopes, optional) {
			scopes = append(scopes, optional)
		}
	}
	portalParam := c.r.PathValue("portalId")
	if portalParam == "" {
		portalParam = q.Get("portalId")
	}
	s.mu.Lock()
	var pt *portal
	if portalParam != "" {
		id, _ := strconv.ParseInt(portalParam, 10, 64)
		pt = s.portals[id]
	} else if len(s.portalOrder) > 0 {
		pt = s.portals[s.portalOrder[0]]
	}
	code := ""
	if pt != nil && q.Get("deny") == "" {
		code = randomHex(16)
		s.oauth.codes[code] = &authCode{grant: grant{portalID: pt.ID, userID: pt.UserID, user: pt.UserEmail,
			hubDomain: pt.Domain, scopes: scopes}, redirectURI: q.Get("redirect_uri")}
	}
	s.mu.Unlock()
	if pt == nil {
		fail("No portal " + portalParam + " to install the app in.")
		return
	}
	back := redirect.Query()
	if code != "" {
		back.Set("code", code)
	} else {
		back.Set("error", "access_denied")
		back.Set("error_description", "The user declined to connect the app.")
	}
	if st := q.Get("state"); st != "" {
		back.Set("state", st)
	}
	redirect.RawQuery = back.Encode()
	c.w.Header().Set("Location", redirect.String())
	c.w.WriteHeader(http.StatusFound)
}

// allowedRedirect: HTTPS, or HTTP on a loopback host (reference §4.6:
// "http only for localhost"; 127.0.0.1 and ::1 count as localhost here).
func allowedRedirect(u *url.URL) bool {
	switch u.Scheme {
	case "https":
		return u.Host != ""
	case "http":
		h := u.Hostname()
		return h == "localhost" || h == "127.0.0.1" || h == "::1"
	}
	return false
}

// tokenResponse is {token_type:"bearer", access_token, refresh_token, expires_in}.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// handleToken is POST /oauth/v1/token, form-encoded: grant_type
// authorization_code (a code is good once) or refresh_token (the refresh
// token is kept; a new access token is minted each time).
func (s *Server) handleToken(c *call) {
	if err := c.r.ParseForm(); err != nil {
		c.fail(errOAuth("BAD_REQUEST", "the body must be form-encoded"))
		return
	}
	f := c.r.PostForm
	if f.Get("client_id") != s.opt.ClientID {
		c.fail(errOAuth("BAD_CLIENT_ID", "missing or unknown client id"))
		return
	}
	if f.Get("client_secret") != s.opt.ClientSecret {
		c.fail(errOAuth("BAD_CLIENT_SECRET", "missing or invalid client secret"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var g grant
	var refresh string
	switch f.Get("grant_type") {
	case "authorization_code":
		code := s.oauth.codes[f.Get("code")]
		if code == nil || code.used {
			c.fail(errOAuth("BAD_AUTH_CODE", "missing or unknown auth code"))
			return
		}
		if f.Get("redirect_uri") != code.redirectURI {
			c.fail(errOAuth("BAD_REDIRECT_URI", "redirect_uri does not match the redirect_uri of the authorization request"))
			return
		}
		code.used = true
		g = code.grant
		refresh = "na1-" + newUUID()
		s.oauth.refresh[refresh] = &refreshToken{grant: g}
	case "refresh_token":
		refresh = f.Get("refresh_token")
		rt := s.oauth.refresh[refresh]
		if rt == nil || rt.revoked {
			c.fail(errOAuth("BAD_REFRESH_TOKEN", "missing or unknown refresh token"))
			return
		}
		g = rt.grant
	default:
		c.fail(errOAuth("BAD_GRANT_TYPE", "unsupported grant_type "+strconv.Quote(f.Get("grant_type"))))
		return
	}
	access := "hs-oauth-" + randomHex(32)
	s.oauth.access[access] = &accessToken{grant: g, expires: c.now.Add(s.opt.AccessTokenTTL)}
	c.json(http.StatusOK, tokenResponse{TokenType: "bearer", RefreshToken: refresh, AccessToken: access,
		ExpiresIn: int(s.opt.AccessTokenTTL / time.Second)})
}

// handleAccessTokenInfo is GET /oauth/v1/access-tokens/{token}; unknown and
// expired tokens are 404.
func (s *Server) handleAccessTokenInfo(c *call) {
	token := c.r.PathValue("token")
	s.mu.Lock()
	at := s.oauth.access[token]
	s.mu.Unlock()
	if at == nil || !c.now.Before(at.expires) {
		c.fail(errNotFound("Token not found"))
		return
	}
	c.json(http.StatusOK, struct {
		Token     string   `json:"token"`
		User      string   `json:"user"`
		HubDomain string   `json:"hub_domain"`
		Scopes    []string `json:"scopes"`
		HubID     int64    `json:"hub_id"`
		AppID     int64    `json:"app_id"`
		ExpiresIn int      `json:"expires_in"`
		UserID    int64    `json:"user_id"`
		TokenType string   `json:"token_type"`
	}{token, at.user, at.hubDomain, at.scopes, at.portalID, s.opt.AppID,
		int(at.expires.Sub(c.now) / time.Second), at.userID, "access"})
}

// handleRefreshTokenInfo is GET /oauth/v1/refresh-tokens/{token}.
func (s *Server) handleRefreshTokenInfo(c *call) {
	token := c.r.PathValue("token")
	s.mu.Lock()
	rt := s.oauth.refresh[token]
	s.mu.Unlock()
	if rt == nil || rt.revoked {
		c.fail(errNotFound("Token not found"))
		return
	}
	c.json(http.StatusOK, struct {
		Token     string   `json:"token"`
		User      string   `json:"user"`
		HubDomain string   `json:"hub_domain"`
		Scopes    []string `json:"scopes"`
		HubID     int64    `json:"hub_id"`
		ClientID  string   `json:"client_id"`
		UserID    int64    `json:"user_id"`
		TokenType string   `json:"token_type"`
	}{token, rt.user, rt.hubDomain, rt.scopes, rt.portalID, s.opt.ClientID, rt.userID, "refresh"})
}

// handleRevoke is DELETE /oauth/v1/refresh-tokens/{token}: 204. The
// refresh token stops working; access tokens already minted live until
// they expire, and the app stays installed (reference §4.6).
func (s *Server) handleRevoke(c *call) {
	token := c.r.PathValue("token")
	s.mu.Lock()
	rt := s.oauth.refresh[token]
	if rt != nil {
		rt.revoked = true
	}
	s.mu.Unlock()
	if rt == nil {
		c.fail(errNotFound("Token not found"))
		return
	}
	c.w.WriteHeader(http.StatusNoContent)
}
