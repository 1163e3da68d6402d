package quickbooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	qb "github.com/rwestlund/quickbooks-go"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// DefaultRevokeURL is Intuit's revocation endpoint (reference 6).
const DefaultRevokeURL = "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"

// ExchangeCode trades an authorization code for tokens at the token
// endpoint (reference 6: POST, HTTP Basic client credentials,
// grant_type=authorization_code with the authorize request's redirect_uri).
// A code is good once: it is never retried after QBO answered, only on
// 429/5xx/transport failures, where QBO did not spend it. invalid_grant
// (used, expired, another redirect) is Invalid.
func (c *Client) ExchangeCode(ctx context.Context, code, redirectURI string) (app.Tokens, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}.Encode()
	op := "POST " + c.tokenPath()
	for attempt, retries := 1, 0; ; attempt++ {
		resp, body, err := c.postForm(ctx, c.cfg.TokenURL, op, form)
		err = classifyToken(resp, body, err)
		if err == nil {
			var bt qb.BearerToken
			if derr := json.Unmarshal(body, &bt); derr != nil || bt.AccessToken == "" || bt.RefreshToken == "" {
				if derr == nil {
					derr = errors.New("no access_token or refresh_token")
				}
				return app.Tokens{}, undecodable(op, derr)
			}
			return c.tokensFrom(bt, ""), nil
		}
		ue := upstream(err)
		ue.Op, ue.Attempts = op, attempt
		if app.ErrorCode(err) == app.NotConnected { // invalid_grant: the code, not a connection
			return app.Tokens{}, app.Wrapf(ue, app.Invalid,
				"QuickBooks refused the authorization (it was used or has expired). Start again from the HubSpot card.")
		}
		if werr := c.retryWait(ctx, err, resp, &retries, true); werr != nil {
			return app.Tokens{}, werr
		}
	}
}

// Revoke revokes token, a refresh or access token, and with it the grant
// (reference 6: POST revocation endpoint, HTTP Basic, form token=). Intuit
// answers 200 for tokens it does not know; 429/5xx are retried.
func (c *Client) Revoke(ctx context.Context, token string) error {
	form := url.Values{"token": {token}}.Encode()
	op := "POST " + pathOf(c.cfg.RevokeURL, "revoke endpoint")
	for attempt, retries := 1, 0; ; attempt++ {
		resp, body, err := c.postForm(ctx, c.cfg.RevokeURL, op, form)
		err = classifyToken(resp, body, err)
		if err == nil {
			return nil
		}
		ue := upstream(err)
		ue.Op, ue.Attempts = op, attempt
		if werr := c.retryWait(ctx, err, resp, &retries, true); werr != nil {
			return werr
		}
	}
}

// postForm posts a form to one of the OAuth endpoints with the app's
// credentials (HTTP Basic) and reads the answer.
func (c *Client) postForm(ctx context.Context, endpoint, op, form string) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form))
	if err != nil {
		return nil, nil, fmt.Errorf("quickbooks: build %s request: %w", op, err)
	}
	req.SetBasicAuth(c.cfg.ClientID, c.cfg.ClientSecret)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, redactURL(err, op)
	}
	defer resp.Body.Close()
	body, err := readBody(resp.Body, maxBody)
	return resp, body, redactURL(err, op)
}

func pathOf(rawURL, fallback string) string {
	if u, err := url.Parse(rawURL); err == nil && u.Path != "" {
		return u.Path
	}
	return fallback
}
