package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// lineReader lets the test read stdout line by line while run writes it.
type lineReader struct {
	pr *io.PipeReader
	pw *io.PipeWriter
	sc *bufio.Scanner
}

func newLineReader() *lineReader {
	pr, pw := io.Pipe()
	return &lineReader{pr: pr, pw: pw, sc: bufio.NewScanner(pr)}
}

func (l *lineReader) next(t *testing.T) string {
	t.Helper()
	line := make(chan string, 1)
	go func() {
		if l.sc.Scan() {
			line <- l.sc.Text()
		}
		close(line)
	}()
	select {
	case s, ok := <-line:
		if !ok {
			t.Fatal("sandbox printed no more lines")
		}
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox printed nothing within 10s")
	}
	return ""
}

func TestSandboxServesBothFakesOnLoopback(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := newLineReader()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"sandbox"}, noEnv, out.pw, &stderr) }()

	qboLine, hsLine := out.next(t), out.next(t)
	qboURL, ok := strings.CutPrefix(qboLine, "QBO_API_BASE_URL=")
	if !ok || !strings.HasPrefix(qboURL, "http://127.0.0.1:") {
		t.Fatalf("first line = %q, want QBO_API_BASE_URL=http://127.0.0.1:PORT", qboLine)
	}
	hsURL, ok := strings.CutPrefix(hsLine, "HUBSPOT_API_BASE_URL=")
	if !ok || !strings.HasPrefix(hsURL, "http://127.0.0.1:") {
		t.Fatalf("second line = %q, want HUBSPOT_API_BASE_URL=http://127.0.0.1:PORT", hsLine)
	}

	// A client written by anyone: plain HTTP with the seeded credentials.
	var company struct {
		CompanyInfo struct{ Country, CompanyName string }
	}
	getJSON(t, qboURL+"/v3/company/9130357766900001/companyinfo/9130357766900001?minorversion=75",
		"qbo-sandbox-access-us", &company)
	if company.CompanyInfo.Country != "US" {
		t.Errorf("QBO companyinfo country = %q, want US", company.CompanyInfo.Country)
	}
	var account struct {
		PortalID        int64  `json:"portalId"`
		CompanyCurrency string `json:"companyCurrency"`
	}
	getJSON(t, hsURL+"/account-info/v3/details", "hs-sandbox-token-portal-1", &account)
	if account.PortalID != 20000001 || account.CompanyCurrency != "USD" {
		t.Errorf("HubSpot account = %+v, want portal 20000001 in USD", account)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run returned %v after cancel; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("sandbox did not stop after its context was cancelled")
	}
}

func getJSON(t *testing.T, url, token string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: decode %s: %v", url, body, err)
	}
}

func TestSandboxSeedJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"sandbox", "--seed-json"}, noEnv, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v; stderr: %s", err, stderr.String())
	}
	var seed struct {
		Portals []struct {
			PortalID int64                        `json:"portalId"`
			APIToken string                       `json:"apiToken"`
			Currency string                       `json:"currency"`
			Records  map[string]map[string]string `json:"records"`
		} `json:"portals"`
		Realms []struct {
			RealmID          string                       `json:"realmId"`
			Country          string                       `json:"country"`
			Currency         string                       `json:"currency"`
			AccessToken      string                       `json:"accessToken"`
			CustomTxnNumbers bool                         `json:"customTxnNumbers"`
			PortalID         int64                        `json:"portalId"`
			Records          map[string]map[string]string `json:"records"`
		} `json:"realms"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &seed); err != nil {
		t.Fatalf("seed is not one JSON document: %v\n%s", err, stdout.String())
	}
	if len(seed.Portals) < 2 {
		t.Fatalf("seed has %d portals, want at least 2", len(seed.Portals))
	}
	if p := seed.Portals[0]; p.PortalID != 20000001 || p.APIToken != "hs-sandbox-token-portal-1" {
		t.Errorf("portal one = %d/%s", p.PortalID, p.APIToken)
	}
	for _, status := range []string{"published", "approved", "draft", "expired"} {
		if seed.Portals[0].Records["quotes"][status] == "" {
			t.Errorf("portal one has no %s quote id", status)
		}
	}
	countries := map[string]bool{}
	custom := false
	for _, r := range seed.Realms {
		if r.AccessToken == "" || r.RealmID == "" {
			t.Errorf("realm %+v lacks an id or token", r)
		}
		if r.PortalID == 20000001 {
			countries[r.Country] = true
		}
		custom = custom || r.CustomTxnNumbers
	}
	if !countries["US"] || len(countries) < 2 {
		t.Errorf("portal one's realms are in %v, want a US and a non-US company", countries)
	}
	if !custom {
		t.Error("no realm has custom transaction numbers on")
	}
	us := seed.Realms[0]
	for _, status := range []string{"awaiting_send", "sent", "partially_paid", "paid", "overdue", "voided"} {
		if us.Records["invoices"][status] == "" {
			t.Errorf("US realm has no %s invoice id", status)
		}
	}
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"nope"}, noEnv, &stdout, &stderr); err != errUsage {
		t.Fatalf("err = %v, want errUsage", err)
	}
	if !strings.Contains(stderr.String(), `unknown command "nope"`) {
		t.Errorf("stderr = %q", stderr.String())
	}
}

func noEnv(string) (string, bool) { return "", false }
