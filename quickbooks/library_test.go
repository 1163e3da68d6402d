package quickbooks

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	qb "github.com/rwestlund/quickbooks-go"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// These tests pin which of the library's types decode QBO's real answers
// (as the fake serves them), which the adapter relies on, and the defects
// it goes around.

func (f *fixture) raw(method, path, token string) (int, []byte) {
	f.t.Helper()
	req, _ := http.NewRequest(method, "https://sandbox-quickbooks.api.intuit.com"+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := (&http.Client{Transport: f.srv.Transport()}).Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestLibraryFailureDecodesValidationFaults(t *testing.T) {
	f := newFixture(t)
	us := qbofake.DemoRealmUS
	tok := f.conn(us).Tokens.Access
	for _, path := range []string{"/v3/company/" + us + "/invoice/9999", "/v3/company/" + us + "/invoice/abc"} {
		status, body := f.raw("GET", path, tok)
		var failure qb.Failure
		if err := json.Unmarshal(body, &failure); err != nil || status != 400 || len(failure.Fault.Error) == 0 || failure.Fault.Error[0].Code == "" {
			t.Errorf("%s: %d %s: qb.Failure %+v, %v", path, status, body, failure, err)
		}
	}
}

// Defect 4: the 401 gateway body does not decode into qb.Failure (its
// "time" is epoch milliseconds); decodeGateway reads it.
func TestLibraryFailureCannotReadTheGateway(t *testing.T) {
	f := newFixture(t)
	status, body := f.raw("GET", "/v3/company/"+qbofake.DemoRealmUS+"/preferences", "not-a-token")
	var failure qb.Failure
	if err := json.Unmarshal(body, &failure); status != 401 || err == nil {
		t.Errorf("qb.Failure decoded the gateway body (%d): %v", status, err)
	}
	g, ok := decodeGateway(body)
	if !ok || g.Code != "3200" || g.Type != "AUTHENTICATION" {
		t.Errorf("decodeGateway = %+v, %v", g, ok)
	}
}

func TestLibraryBearerTokenDecodesTheTokenAnswer(t *testing.T) {
	f := newFixture(t)
	status, body := f.postForm("/oauth2/v1/tokens/bearer", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {f.conn(qbofake.DemoRealmUS).Tokens.Refresh}})
	var bt qb.BearerToken
	if err := json.Unmarshal([]byte(body), &bt); err != nil || status != 200 || bt.AccessToken == "" ||
		bt.RefreshToken == "" || bt.ExpiresIn != 3600 || bt.XRefreshTokenExpiresIn <= 0 || !strings.EqualFold(bt.TokenType, "bearer") {
		t.Errorf("qb.BearerToken = %+v, %v", bt.TokenType, err)
	}
}

func TestLibraryCompanyInfoDecodesAndLacksTheZone(t *testing.T) {
	f := newFixture(t)
	us := qbofake.DemoRealmUS
	_, body := f.raw("GET", "/v3/company/"+us+"/companyinfo/"+us, f.conn(us).Tokens.Access)
	var lib struct{ CompanyInfo qb.CompanyInfo }
	var ours struct{ CompanyInfo companyInfo }
	if err := json.Unmarshal(body, &lib); err != nil || lib.CompanyInfo.CompanyName != "Northwind Traders (US)" || lib.CompanyInfo.Country != "US" {
		t.Errorf("qb.CompanyInfo = %+v, %v", lib.CompanyInfo, err)
	}
	if err := json.Unmarshal(body, &ours); err != nil || ours.CompanyInfo.DefaultTimeZone != "America/Los_Angeles" {
		t.Errorf("companyInfo = %+v, %v", ours.CompanyInfo, err)
	}
}

// Defect 6: the library's own escaping doubles the quote, which QBO does
// not document; QuoteLiteral uses the backslash and refuses a backslash.
func TestQuoteLiteralIsNotTheLibrarysEscaping(t *testing.T) {
	lit, err := QuoteLiteral("O'Brien")
	if err != nil || lit != `'O\'Brien'` || strings.Contains(lit, "''") {
		t.Errorf("QuoteLiteral(O'Brien) = %s, %v", lit, err)
	}
}
