package sandbox_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// The fakes sit under every test, benchmark and demo request of the service,
// so their own cost must stay far below the latency they simulate. Limits
// are off here: the benchmarks measure the fakes, not their throttles.

func unthrottledQBO(b *testing.B) *http.Client {
	srv := qbofake.New(qbofake.Options{RequestsPerMinute: -1, MaxConcurrent: -1, BatchRequestsPerMinute: -1})
	srv.SeedDemo()
	b.Cleanup(srv.Close)
	return &http.Client{Transport: srv.Transport()}
}

func unthrottledHubSpot(b *testing.B) *http.Client {
	srv := hubspotfake.New(hubspotfake.Options{RateLimit: -1, SearchPerSecond: -1, DailyLimit: -1})
	srv.SeedDemo()
	return &http.Client{Transport: srv.Transport()}
}

func do(b *testing.B, c *http.Client, method, rawURL, token, contentType, body string) {
	req, err := http.NewRequestWithContext(context.Background(), method, rawURL, strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s %s: %d", method, rawURL, resp.StatusCode)
	}
}

const usRealm = "https://quickbooks.api.intuit.com/v3/company/9130357766900001"

// BenchmarkQBOInvoiceQuery is the card's cold read: one Id IN (...) query.
func BenchmarkQBOInvoiceQuery(b *testing.B) {
	c := unthrottledQBO(b)
	q := url.QueryEscape("SELECT * FROM Invoice WHERE Id IN ('1','2','3','5','7','8')")
	for b.Loop() {
		do(b, c, http.MethodGet, usRealm+"/query?minorversion=75&query="+q, "qbo-sandbox-access-us", "", "")
	}
}

// BenchmarkQBOInvoiceCreate creates a two-line taxed invoice per iteration.
func BenchmarkQBOInvoiceCreate(b *testing.B) {
	c := unthrottledQBO(b)
	body := `{"CustomerRef":{"value":"1"},"Line":[` +
		`{"DetailType":"SalesItemLineDetail","Amount":300,"SalesItemLineDetail":{"ItemRef":{"value":"1"},"Qty":4,"UnitPrice":75,"TaxCodeRef":{"value":"NON"}}},` +
		`{"DetailType":"SalesItemLineDetail","Amount":98,"SalesItemLineDetail":{"ItemRef":{"value":"4"},"Qty":2,"UnitPrice":49,"TaxCodeRef":{"value":"TAX"}}}]}`
	for b.Loop() {
		do(b, c, http.MethodPost, usRealm+"/invoice?minorversion=75", "qbo-sandbox-access-us", "application/json", body)
	}
}

// BenchmarkHubSpotDealWithAssociations reads a deal with its contacts and
// companies, as the invoice draft does.
func BenchmarkHubSpotDealWithAssociations(b *testing.B) {
	c := unthrottledHubSpot(b)
	for b.Loop() {
		do(b, c, http.MethodGet, "https://api.hubapi.com/crm/v3/objects/deals/1011?properties=dealname,amount,deal_currency_code&associations=contacts,companies",
			"hs-sandbox-token-portal-1", "", "")
	}
}

// BenchmarkHubSpotSearch searches contacts by email.
func BenchmarkHubSpotSearch(b *testing.B) {
	c := unthrottledHubSpot(b)
	body := `{"filterGroups":[{"filters":[{"propertyName":"email","operator":"EQ","value":"ap@acme.example"}]}],"properties":["email","firstname"],"limit":10}`
	for b.Loop() {
		do(b, c, http.MethodPost, "https://api.hubapi.com/crm/v3/objects/contacts/search", "hs-sandbox-token-portal-1", "application/json", body)
	}
}
