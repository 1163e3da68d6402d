package hubspotfake_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/internal/fakekit"
)

func TestFaultStatusAndBody(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	path := "/crm/v3/objects/deals/" + f.id("deals", "cad")
	f.srv.Faults().Inject(hubspotfake.RouteObjectsGet, fakekit.Fault{Status: 503, Body: []byte(`{"status":"error","message":"down"}`),
		Header: http.Header{"Content-Type": {"application/json"}}, Times: 1})
	e := f.do(token1, "GET", path, nil)
	if e.status != 503 || string(e.body) != `{"status":"error","message":"down"}` {
		t.Errorf("faulted answer %d %s", e.status, e.body)
	}
	f.do(token1, "GET", path, nil).want(t, http.StatusOK) // Times: 1

	// Per tenant: a fault on portal 2 leaves portal 1 alone.
	f.srv.Faults().Inject(hubspotfake.RouteAccountDetails, fakekit.Fault{Tenant: "20000002", Status: 500})
	f.do(token1, "GET", "/account-info/v3/details", nil).want(t, http.StatusOK)
	f.do(token2, "GET", "/account-info/v3/details", nil).want(t, http.StatusInternalServerError)
	f.srv.Faults().Clear(hubspotfake.RouteAccountDetails)
	f.do(token2, "GET", "/account-info/v3/details", nil).want(t, http.StatusOK)

	// Per object type: "objects.get:deals" leaves contacts alone, and
	// matches the type however the path spells it.
	f.srv.Faults().Inject(hubspotfake.RouteObjectsGet+":deals", fakekit.Fault{Status: 502})
	f.do(token1, "GET", "/crm/v3/objects/0-3/"+f.id("deals", "cad"), nil).want(t, http.StatusBadGateway)
	f.do(token1, "GET", "/crm/v3/objects/contacts/"+f.id("contacts", "alice"), nil).want(t, http.StatusOK)
	f.srv.Faults().Clear("")

	// OAuth routes take faults too.
	f.srv.Faults().Inject(hubspotfake.RouteOAuthToken, fakekit.Fault{Status: 500, Times: 1})
	f.token(nil).want(t, http.StatusInternalServerError)
}

func TestFaultLatencyAndDrop(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	path := "/crm/v3/objects/deals/" + f.id("deals", "cad")

	f.srv.Faults().Inject(hubspotfake.RouteObjectsGet, fakekit.Fault{Latency: 30 * time.Millisecond, Times: 1})
	start := time.Now()
	f.do(token1, "GET", path, nil).want(t, http.StatusOK) // latency only: the request goes through
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("answered after %v, want at least 30ms", d)
	}

	f.srv.Faults().Inject(hubspotfake.RouteObjectsGet, fakekit.Fault{Drop: true, Times: 1})
	req, _ := http.NewRequest("GET", "https://api.hubapi.com"+path, nil)
	req.Header.Set("Authorization", "Bearer "+token1)
	if resp, err := f.http.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a dropped connection returned a response")
	}

	// A latency fault gives up when the client does.
	f.srv.Faults().Inject(hubspotfake.RouteObjectsGet, fakekit.Fault{Latency: time.Minute, Times: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", "https://api.hubapi.com"+path, nil)
	req.Header.Set("Authorization", "Bearer "+token1)
	if resp, err := f.http.Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("expected a timeout")
	}
}

func TestCounters(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{SearchPerSecond: -1})
	deal := f.id("deals", "cad")
	f.do(token1, "GET", "/crm/v3/objects/deals/"+deal, nil)
	f.do(token1, "GET", "/crm/v3/objects/contacts/"+f.id("contacts", "alice"), nil)
	f.do(token1, "POST", "/crm/v3/objects/deals/search", map[string]any{})
	f.do(token2, "GET", "/crm/v3/objects/deals/"+deal, nil) // a 404 is still a request
	f.do(token2, "GET", "/account-info/v3/details", nil)
	f.do("", "GET", "/account-info/v3/details", nil) // 401: no portal
	f.srv.Faults().Inject(hubspotfake.RouteObjectsBatchRead, fakekit.Fault{Status: 500, Times: 1})
	f.do(token1, "POST", "/crm/v3/objects/deals/batch/read", map[string]any{"inputs": []any{}}) // faulted: counted

	want := []fakekit.RouteCount{
		{Route: "account.details", Tenant: "", Count: 1},
		{Route: "account.details", Tenant: "20000002", Count: 1},
		{Route: "objects.batch_read", Tenant: "20000001", Count: 1},
		{Route: "objects.get", Tenant: "20000001", Count: 2},
		{Route: "objects.get", Tenant: "20000002", Count: 1},
		{Route: "objects.search", Tenant: "20000001", Count: 1},
	}
	if diff := cmp.Diff(want, f.srv.Counters().Snapshot()); diff != "" {
		t.Errorf("counters (-want +got):\n%s", diff)
	}
	if n := f.srv.Counters().Count("", "20000001"); n != 4 {
		t.Errorf("portal 1 made %d requests, want 4", n)
	}
}

// TestListen serves the fake on a real loopback port.
func TestListen(t *testing.T) {
	srv := hubspotfake.New(hubspotfake.Options{Now: func() time.Time { return epoch }})
	srv.SeedDemo()
	l, err := srv.Listen("")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(context.Background())
	req, _ := http.NewRequest("GET", l.URL+"/account-info/v3/details", nil)
	req.Header.Set("Authorization", "Bearer "+token1)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("X-HubSpot-RateLimit-Max") != "110" {
		t.Errorf("over TCP: %d %v %s", resp.StatusCode, resp.Header, body)
	}

	// net/http silently retries an idempotent request once when a reused
	// keep-alive connection breaks, which would hide a Times: 1 drop; a
	// fresh connection shows it.
	srv.Faults().Inject(hubspotfake.RouteAccountDetails, fakekit.Fault{Drop: true, Times: 1})
	req, _ = http.NewRequest("GET", l.URL+"/account-info/v3/details", nil)
	req.Header.Set("Authorization", "Bearer "+token1)
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Do(req); err == nil {
		resp.Body.Close()
		t.Error("a dropped connection over TCP returned a response")
	}
}
