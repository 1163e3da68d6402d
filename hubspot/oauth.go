package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The install's OAuth calls (reference/hubspot.md 4.6 and 4.4), through the
// same HTTP client, retries, classification and Observe as the CRM calls.
// Tokens travel only in form bodies, Authorization headers and the
// access-token info path; ops name that path {token}, and errors never
// hold a token.

// tokenAnswer is the v1 token endpoint's answer.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int64  `json:"expires_in"`
}

// ExchangeCode implements app.HubSpot: POST /oauth/v1/token with
// grant_type authorization_code. AccessExpiresAt is now + expires_in.
func (c *Client) ExchangeCode(ctx context.Context, code, redirectURI string) (app.Tokens, error) {
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"client_id":     {c.clientID},
		"client_secret": {c.clientSecret},
		"redirect_uri":  {redirectURI},
		"code":          {code},
	}
	cl := call{op: "POST /oauth/v1/token", noun: "authorization code", verb: "exchange", token: code}
	var ans tokenAnswer
	start := c.now()
	err := c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		return c.sendJSON(ctx, http.MethodPost, "/oauth/v1/token", "", strings.NewReader(form.Encode()), &ans)
	})
	if err != nil {
		return app.Tokens{}, err
	}
	if ans.AccessToken == "" || ans.RefreshToken == "" || ans.ExpiresIn <= 0 {
		return app.Tokens{}, app.Errorf(app.Internal, "HubSpot answered the code exchange without tokens.")
	}
	return app.Tokens{Access: ans.AccessToken, Refresh: ans.RefreshToken,
		AccessExpiresAt: start.Add(time.Duration(ans.ExpiresIn) * time.Second)}, nil
}

// AccountInfo implements app.HubSpot: GET /oauth/v1/access-tokens/{token}
// for hub_id, then GET /account-info/v3/details for the currency and time
// zone; the two must name the same portal.
func (c *Client) AccountInfo(ctx context.Context, tokens app.Tokens) (int64, string, string, error) {
	if tokens.Access == "" {
		return 0, "", "", app.Errorf(app.NotConnected, "There is no HubSpot access token to read the account with.")
	}
	info := call{op: "GET /oauth/v1/access-tokens/{token}", noun: "access token", token: tokens.Access}
	var tok struct {
		HubID int64 `json:"hub_id"`
	}
	err := c.do(ctx, info, func(ctx context.Context) (*http.Response, error) {
		return c.sendJSON(ctx, http.MethodGet, "/oauth/v1/access-tokens/"+url.PathEscape(tokens.Access), "", nil, &tok)
	})
	if err != nil {
		return 0, "", "", err
	}
	details := call{op: "GET /account-info/v3/details", noun: "account", portal: tok.HubID, token: tokens.Access}
	var acct struct {
		PortalID        int64  `json:"portalId"`
		CompanyCurrency string `json:"companyCurrency"`
		TimeZone        string `json:"timeZone"`
	}
	err = c.do(ctx, details, func(ctx context.Context) (*http.Response, error) {
		return c.sendJSON(ctx, http.MethodGet, "/account-info/v3/details", tokens.Access, nil, &acct)
	})
	if err != nil {
		return 0, "", "", err
	}
	if tok.HubID <= 0 || acct.PortalID != tok.HubID {
		return 0, "", "", app.Errorf(app.Internal, "HubSpot named different accounts for the new token (%d and %d).", tok.HubID, acct.PortalID)
	}
	return tok.HubID, acct.CompanyCurrency, acct.TimeZone, nil
}

// sendJSON is getJSON for any method: a non-nil body is sent
// form-encoded, bearer (when set) authorizes, and a 2xx answer is decoded
// into v. Only the access-token info call puts a token in the path, and
// its op hides it.
func (c *Client) sendJSON(ctx context.Context, method, path, bearer string, body io.Reader, v any) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, scrubURLError(err, path)
	}
	return readAnswer(resp, v)
}

// readAnswer reads an answer into memory (up to maxBody), leaves it
// readable on resp, and decodes a 2xx body into v when v is not nil; a
// body that does not decode is a *badBody.
func readAnswer(resp *http.Response, v any) (*http.Response, error) {
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	if err != nil || resp.StatusCode >= 300 || v == nil {
		return resp, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return resp, &badBody{err}
	}
	return resp, nil
}

// scrubURLError keeps a token in the request path out of a transport
// error, which prints the URL; it stays a *url.Error so it is retried.
func scrubURLError(err error, path string) error {
	if ue, ok := err.(*url.Error); ok && strings.HasPrefix(path, "/oauth/v1/access-tokens/") {
		return &url.Error{Op: ue.Op, URL: "/oauth/v1/access-tokens/{token}", Err: ue.Err}
	}
	return err
}
