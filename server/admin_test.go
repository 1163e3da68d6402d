package server_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// salesRep is the demo portal's user 8: no admin rights.
func salesRep(portal int64) *hubspotfake.CardClient {
	c := card(portal)
	c.UserID, c.UserEmail = 8, "sales@northwind.example"
	return c
}

// TestOnlySuperAdminsChangeTheSettings: a sales rep reads the card and
// the settings but cannot connect, disconnect, change the sync, import,
// retry or uninstall (403 forbidden, nothing changed); a super admin can.
// HubSpot is asked once a minute per user, and HubSpot down is a 503.
func TestOnlySuperAdminsChangeTheSettings(t *testing.T) {
	ts := newTestServer(t)
	conn := ts.conns[usRealm].ID
	rep := salesRep(portal1)
	changes := []struct {
		method, path, route string
		body                any
	}{
		{"POST", connectRoute, connectRoute, nil},
		{"DELETE", "/api/v1/connections/" + conn, "/api/v1/connections/{id}", nil},
		{"PUT", "/api/v1/settings/default-connection", "/api/v1/settings/default-connection", map[string]any{"connectionId": conn}},
		{"PUT", "/api/v1/settings/sync/contacts", "/api/v1/settings/sync/{object}", map[string]any{"enabled": true}},
		{"PUT", "/api/v1/settings/sync/invoices/mapping", "/api/v1/settings/sync/invoices/mapping", map[string]any{"mappings": []any{}}},
		{"POST", "/api/v1/settings/sync/invoices/import", "/api/v1/settings/sync/{object}/import", map[string]any{"connectionId": conn}},
		{"POST", "/api/v1/settings/sync-log/x/retry", "/api/v1/settings/sync-log/{id}/retry", nil},
		{"POST", "/api/v1/installation/uninstall", "/api/v1/installation/uninstall", map[string]any{"confirm": "uninstall"}},
	}
	for _, c := range changes {
		wantError(t, "a sales rep: "+c.method+" "+c.path, ts.send(t, rep, c.method, c.path, c.route, c.body), http.StatusForbidden, "forbidden", "super admin")
	}
	if a := ts.call(t, rep, "GET", settingsRoute, settingsRoute); a.status != http.StatusOK {
		t.Errorf("a sales rep reading the settings: %d %s", a.status, a.body)
	}
	if a := ts.call(t, rep, "GET", "/api/v1/records/deals/1011/invoices", cardPath); a.status != http.StatusOK {
		t.Errorf("a sales rep's card: %d %s", a.status, a.body)
	}
	if st, err := ts.store.Connection(context.Background(), portal1, conn); err != nil || st.State != "connected" {
		t.Errorf("after the refusals the company is %+v, %v; want it connected", st.State, err)
	}
	asked := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteUserRead, "")
	if asked != 1 {
		t.Errorf("HubSpot was asked about the rep %d times, want once (kept a minute)", asked)
	}

	// A super admin (user 7) may; an unknown user may not.
	a := ts.send(t, card(portal1), "PUT", "/api/v1/settings/default-connection", "/api/v1/settings/default-connection", map[string]any{"connectionId": conn})
	if a.status != http.StatusOK {
		t.Errorf("a super admin: %d %s", a.status, a.body)
	}
	stranger := card(portal1)
	stranger.UserID = 999
	wantError(t, "an unknown user", ts.send(t, stranger, "PUT", "/api/v1/settings/sync/contacts", "/api/v1/settings/sync/{object}", map[string]any{"enabled": true}),
		http.StatusForbidden, "forbidden")

	// HubSpot not answering: the rights cannot be checked, so nothing changes.
	ts.fakes.HubSpot.Faults().Inject(hubspotfake.RouteUserRead, hubspotfake.Fault{Status: 503})
	down := card(portal1)
	down.UserID = 1
	wantError(t, "HubSpot down", ts.send(t, down, "PUT", "/api/v1/settings/sync/contacts", "/api/v1/settings/sync/{object}", map[string]any{"enabled": true}),
		http.StatusServiceUnavailable, "unavailable")
}
