package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func mapEnv(m map[string]string) env {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// The demo is the real service on loopback against the fakes: its printed
// copy-paste command must work, through the signed card client.
func TestDemoServesTheSeededCard(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out := newLineReader()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	getenv := mapEnv(map[string]string{"HTTP_ADDR": "127.0.0.1:0", "DEBUG_ADDR": "127.0.0.1:0", "PREVIEW_ADDR": "127.0.0.1:0", "LOG_LEVEL": "warn"})
	go func() { done <- run(ctx, []string{"demo"}, getenv, out.pw, &stderr) }()

	var apiURL, metricsURL, previewURL string
	for metricsURL == "" {
		line := out.next(t)
		if v, ok := strings.CutPrefix(line, "CARD_API_BASE_URL="); ok {
			apiURL = v
		}
		if v, ok := strings.CutPrefix(line, "PREVIEW_URL="); ok {
			previewURL = v
		}
		if v, ok := strings.CutPrefix(line, "Metrics: "); ok {
			metricsURL = v
		}
	}
	go io.Copy(io.Discard, out.pr) // the demo prints more; a full pipe would block it
	var stdout bytes.Buffer
	err := run(context.Background(), []string{"card", "GET", apiURL + "/api/v1/records/deals/1011/invoices"}, noEnv, &stdout, &stderr)
	if err != nil {
		t.Fatalf("card command: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	for _, want := range []string{"HTTP 200", `"status": "awaiting_send"`, `"status": "paid"`, `"status": "voided"`, `"realmId": "9130357766900001"`} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("card answer lacks %s:\n%s", want, stdout.String())
		}
	}

	stdout.Reset()
	err = run(context.Background(), []string{"card", "--portal", "20000002", "GET", apiURL + "/api/v1/connections"}, noEnv, &stdout, &stderr)
	if err != nil || !strings.Contains(stdout.String(), "Thames Consulting Ltd") || strings.Contains(stdout.String(), "Northwind") {
		t.Errorf("portal two's connections: %v\n%s", err, stdout.String())
	}

	stdout.Reset()
	err = run(context.Background(), []string{"card", "GET", apiURL + "/api/v1/records/tickets/1/invoices"}, noEnv, &stdout, &stderr)
	if err == nil || !strings.Contains(stdout.String(), "HTTP 400") {
		t.Errorf("a 400 must fail the card command: %v\n%s", err, stdout.String())
	}

	// The preview's hubspot.fetch stand-in signs and forwards to the card API.
	fetchBody := `{"url":"` + apiURL + `/api/v1/records/deals/1031/invoices","method":"GET"}`
	presp, err := http.Post(previewURL+"/hubspot-fetch", "application/json", strings.NewReader(fetchBody))
	if err != nil {
		t.Fatal(err)
	}
	pbody, _ := io.ReadAll(presp.Body)
	presp.Body.Close()
	if presp.StatusCode != 200 || !strings.Contains(string(pbody), `"realmId":"9130357766900002"`) {
		t.Errorf("preview fetch: %d %s", presp.StatusCode, pbody)
	}

	resp, err := http.Get(metricsURL)
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`http_requests_total{method="GET",route="/api/v1/records/:objectType/:objectId/invoices",status="200"}`,
		`upstream_calls_total{op="GET /v3/company/{id}/query",outcome="ok",service="quickbooks"}`,
		`upstream_calls_total{op="GET /crm/v4/objects/deals/{id}/associations/quotes",outcome="ok",service="hubspot"}`,
		`errors_total{code="invalid"} 1`,
	} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("metrics lack %s", want)
		}
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("demo returned %v after cancel; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("demo did not stop after its context was cancelled")
	}
}

func TestServeRefusesBadConfiguration(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"serve"}, mapEnv(map[string]string{"HUBSPOT_APP_ID": "x"}), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "HUBSPOT_APP_ID must be a positive whole number") || !strings.Contains(err.Error(), "ENCRYPTION_KEY is required") {
		t.Fatalf("err = %v", err)
	}
}
