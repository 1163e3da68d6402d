package server_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/redis"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/server"
)

const (
	gbRealm         = "9130357766900003"
	settingsRoute   = "/api/v1/settings"
	defaultConnPath = "/api/v1/settings/default-connection"
	syncRoute       = "/api/v1/settings/sync/{object}"
)

type syncAnswer struct {
	Enabled                    bool
	OnCreateOrUpdate, OnDelete string
	EnabledAt                  string
}

type settingsAnswer struct {
	Connections               []struct{ ID, RealmID, State string }
	DefaultConnectionID       *string
	DefaultConnectionImplicit bool
	Sync                      struct{ Contacts, Products, Invoices syncAnswer }
	UpdatedAt                 string
}

func (s settingsAnswer) defaultID() string {
	if s.DefaultConnectionID == nil {
		return ""
	}
	return *s.DefaultConnectionID
}

// send is call with a JSON body.
func (ts *testServer) send(t *testing.T, c *hubspotfake.CardClient, method, path, route string, body any) answer {
	t.Helper()
	resp, err := c.Do(context.Background(), method, ts.url+path, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkAgainstOpenAPI(t, method, route, resp.StatusCode, raw)
	return answer{resp.StatusCode, raw}
}

func (ts *testServer) settings(t *testing.T, portal int64) settingsAnswer {
	t.Helper()
	a := ts.call(t, card(portal), "GET", settingsRoute, settingsRoute)
	if a.status != http.StatusOK {
		t.Fatalf("GET settings of %d: %d %s", portal, a.status, a.body)
	}
	var got settingsAnswer
	a.decode(t, &got)
	return got
}

func (ts *testServer) setDefault(t *testing.T, portal int64, id string) (settingsAnswer, answer) {
	t.Helper()
	a := ts.send(t, card(portal), "PUT", defaultConnPath, defaultConnPath, map[string]any{"connectionId": id})
	var got settingsAnswer
	if a.status == http.StatusOK {
		a.decode(t, &got)
	}
	return got, a
}

func (ts *testServer) setSync(t *testing.T, portal int64, object string, body any) (settingsAnswer, answer) {
	t.Helper()
	a := ts.send(t, card(portal), "PUT", "/api/v1/settings/sync/"+object, syncRoute, body)
	var got settingsAnswer
	if a.status == http.StatusOK {
		a.decode(t, &got)
	}
	return got, a
}

func wantError(t *testing.T, what string, a answer, status int, code string, inMessage ...string) {
	t.Helper()
	if a.status != status || a.errorCode(t) != code {
		t.Errorf("%s: %d %s, want %d %s", what, a.status, a.body, status, code)
		return
	}
	for _, s := range inMessage {
		if !bytes.Contains(a.body, []byte(s)) {
			t.Errorf("%s: message %s lacks %q", what, a.body, s)
		}
	}
}

func TestSettingsDefaults(t *testing.T) {
	ts := newTestServer(t)
	a := ts.call(t, card(portal1), "GET", settingsRoute, settingsRoute)
	if a.status != http.StatusOK {
		t.Fatalf("GET settings: %d %s", a.status, a.body)
	}
	for _, c := range ts.conns {
		if bytes.Contains(a.body, []byte(c.Tokens.Refresh)) || bytes.Contains(a.body, []byte(c.Tokens.Access)) {
			t.Fatalf("the settings carry a token: %s", a.body)
		}
	}
	var got settingsAnswer
	a.decode(t, &got)
	us := ts.conns[usRealm].ID
	if len(got.Connections) != 2 || got.Connections[0].ID != us || got.Connections[1].RealmID != caRealm {
		t.Errorf("connections = %+v, want US then CA", got.Connections)
	}
	if got.defaultID() != us || !got.DefaultConnectionImplicit {
		t.Errorf("default = %q (implicit %v), want the oldest connected company %s, implicit", got.defaultID(), got.DefaultConnectionImplicit, us)
	}
	want := map[string]syncAnswer{
		"contacts": {OnCreateOrUpdate: "create_or_update", OnDelete: "nothing"},
		"products": {OnCreateOrUpdate: "create_or_update", OnDelete: "nothing"},
		"invoices": {OnCreateOrUpdate: "create_or_update", OnDelete: "keep"},
	}
	for name, s := range map[string]syncAnswer{"contacts": got.Sync.Contacts, "products": got.Sync.Products, "invoices": got.Sync.Invoices} {
		if s != want[name] {
			t.Errorf("%s = %+v, want %+v", name, s, want[name])
		}
	}
	if got.UpdatedAt != "" {
		t.Errorf("updatedAt = %q for a portal that never saved", got.UpdatedAt)
	}
}

func TestSetDefaultConnection(t *testing.T) {
	ts := newTestServer(t)
	us, ca := ts.conns[usRealm].ID, ts.conns[caRealm].ID

	// The card, kept in memory for its CardTTL, must show the change at once.
	ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1011/invoices", cardPath)
	got, a := ts.setDefault(t, portal1, ca)
	if a.status != http.StatusOK || got.defaultID() != ca || got.DefaultConnectionImplicit || got.UpdatedAt == "" {
		t.Fatalf("set CA: %d %s", a.status, a.body)
	}
	if got.Connections[0].ID != us {
		t.Errorf("the settings list companies oldest first, got %+v", got.Connections)
	}
	var c cardAnswer
	ts.call(t, card(portal1), "GET", "/api/v1/records/deals/1011/invoices", cardPath).decode(t, &c)
	if len(c.Connections) != 2 || c.Connections[0].ID != ca || c.Connections[1].ID != us {
		t.Errorf("card connections = %+v, want the default (CA) first", c.Connections)
	}
	if len(c.Groups) != 1 || c.Groups[0].Connection.RealmID != usRealm {
		t.Errorf("card groups = %+v, want the US group untouched", c.Groups)
	}

	// Another portal's company, or an unknown one, is not found; the choice stays.
	_, a = ts.setDefault(t, portal1, ts.conns[gbRealm].ID)
	wantError(t, "another portal's connection", a, http.StatusNotFound, "not_found")
	_, a = ts.setDefault(t, portal1, "no-such-connection")
	wantError(t, "an unknown connection", a, http.StatusNotFound, "not_found")
	if d := ts.settings(t, portal1).defaultID(); d != ca {
		t.Errorf("default after refused changes = %q, want %s", d, ca)
	}

	// Bodies are strict.
	a = ts.send(t, card(portal1), "PUT", defaultConnPath, defaultConnPath, map[string]any{})
	wantError(t, "no connectionId", a, http.StatusBadRequest, "invalid", "connectionId")
	a = ts.send(t, card(portal1), "PUT", defaultConnPath, defaultConnPath, map[string]any{"connectionId": ca, "portalId": portal2})
	wantError(t, "an unknown field", a, http.StatusBadRequest, "invalid", "portalId")
	a = ts.send(t, card(portal1), "PUT", defaultConnPath, defaultConnPath, map[string]any{"connectionId": 7})
	wantError(t, "a number", a, http.StatusBadRequest, "invalid", "connectionId")

	// A disconnected default no longer counts; it cannot be chosen again.
	if a := ts.call(t, card(portal1), "DELETE", "/api/v1/connections/"+ca, "/api/v1/connections/{id}"); a.status != http.StatusOK {
		t.Fatalf("disconnect CA: %d %s", a.status, a.body)
	}
	if got := ts.settings(t, portal1); got.defaultID() != us || !got.DefaultConnectionImplicit {
		t.Errorf("after disconnecting the default: %q (implicit %v), want US, implicit", got.defaultID(), got.DefaultConnectionImplicit)
	}
	_, a = ts.setDefault(t, portal1, ca)
	wantError(t, "a disconnected company", a, http.StatusBadRequest, "invalid", "disconnected")

	// "" forgets the choice.
	if _, a := ts.setDefault(t, portal1, us); a.status != http.StatusOK {
		t.Fatalf("set US: %d %s", a.status, a.body)
	}
	got, a = ts.setDefault(t, portal1, "")
	if a.status != http.StatusOK || got.defaultID() != us || !got.DefaultConnectionImplicit {
		t.Errorf("clear: %d %s", a.status, a.body)
	}
}

func TestSetSync(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 11, 9, 30, 0, 0, time.UTC)
	ts := newTestServer(t, withClock(func() time.Time { mu.Lock(); defer mu.Unlock(); return now }))
	on := map[string]any{"enabled": true, "onCreateOrUpdate": "update_only", "onDelete": "archive"}
	got, a := ts.setSync(t, portal1, "contacts", on)
	if a.status != http.StatusOK {
		t.Fatalf("turn contacts on: %d %s", a.status, a.body)
	}
	contacts := got.Sync.Contacts
	if !contacts.Enabled || contacts.OnCreateOrUpdate != "update_only" || contacts.OnDelete != "archive" ||
		contacts.EnabledAt != "2026-03-11T09:30:00Z" {
		t.Fatalf("contacts = %+v, want on since now", contacts)
	}
	if got.Sync.Products.Enabled || got.Sync.Invoices.OnDelete != "keep" {
		t.Errorf("other kinds changed: %+v", got.Sync)
	}

	// Staying on keeps enabledAt; turning off keeps it too.
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	got, _ = ts.setSync(t, portal1, "contacts", map[string]any{"enabled": true, "onCreateOrUpdate": "create_or_update", "onDelete": "keep"})
	if c := got.Sync.Contacts; c.EnabledAt != contacts.EnabledAt || c.OnDelete != "keep" {
		t.Errorf("still on: %+v, want enabledAt %s kept", c, contacts.EnabledAt)
	}
	got, _ = ts.setSync(t, portal1, "contacts", map[string]any{"enabled": false, "onCreateOrUpdate": "nothing", "onDelete": "nothing"})
	if c := got.Sync.Contacts; c.Enabled || c.EnabledAt != contacts.EnabledAt || c.OnCreateOrUpdate != "nothing" {
		t.Errorf("off: %+v, want off with enabledAt %s kept", c, contacts.EnabledAt)
	}
	got, _ = ts.setSync(t, portal1, "contacts", on)
	if c := got.Sync.Contacts; !c.Enabled || c.EnabledAt != "2026-03-11T10:30:00Z" {
		t.Errorf("on again: %+v, want enabledAt now", c)
	}

	// Refusals name what is wrong.
	_, a = ts.setSync(t, portal1, "deals", on)
	wantError(t, "an unknown kind", a, http.StatusBadRequest, "invalid", `\"deals\"`, "contacts, products or invoices")
	_, a = ts.setSync(t, portal1, "invoices", map[string]any{"enabled": true, "onCreateOrUpdate": "create_only", "onDelete": "keep"})
	wantError(t, "a bad onCreateOrUpdate", a, http.StatusBadRequest, "invalid", "Invoice sync", `\"create_only\"`, "create_or_update, update_only or nothing")
	_, a = ts.setSync(t, portal1, "products", map[string]any{"enabled": true, "onCreateOrUpdate": "nothing", "onDelete": "delete"})
	wantError(t, "a bad onDelete", a, http.StatusBadRequest, "invalid", "Product sync", `\"delete\"`, "archive, keep or nothing")
	_, a = ts.setSync(t, portal1, "products", map[string]any{"enabled": true, "onCreateOrUpdate": "", "onDelete": "keep"})
	wantError(t, "an empty onCreateOrUpdate", a, http.StatusBadRequest, "invalid", "Product sync", "created or updated")
	_, a = ts.setSync(t, portal1, "products", map[string]any{"onCreateOrUpdate": "nothing", "onDelete": "keep"})
	wantError(t, "no enabled", a, http.StatusBadRequest, "invalid", "enabled")
	_, a = ts.setSync(t, portal1, "products", map[string]any{"enabled": "yes", "onCreateOrUpdate": "nothing", "onDelete": "keep"})
	wantError(t, "enabled as a string", a, http.StatusBadRequest, "invalid", "enabled")
	if s := ts.settings(t, portal1).Sync; s.Products.Enabled || s.Invoices.Enabled {
		t.Errorf("a refused change was stored: %+v", s)
	}

	// A portal without a connected company cannot turn a sync on.
	const lonely = 20000009
	ts.fakes.HubSpot.AddPortal(hubspotfake.Portal{ID: lonely, APIToken: "hs-lonely-token", Users: []hubspotfake.User{{ID: 7, SuperAdmin: true}}})
	if err := ts.store.SavePortal(context.Background(), app.Portal{ID: lonely, Currency: "USD", TimeZone: "US/Eastern",
		Tokens: app.Tokens{Access: "hs-lonely-token", Refresh: "hs-lonely-refresh", AccessExpiresAt: time.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	_, a = ts.setSync(t, lonely, "invoices", on)
	wantError(t, "no company", a, http.StatusFailedDependency, "not_connected", "Invoice sync")
	if got, a := ts.setSync(t, lonely, "invoices", map[string]any{"enabled": false, "onCreateOrUpdate": "nothing", "onDelete": "nothing"}); a.status != http.StatusOK || got.Sync.Invoices.OnDelete != "nothing" {
		t.Errorf("choices while off, without a company: %d %s", a.status, a.body)
	}
}

func TestSettingsAreThePortals(t *testing.T) {
	ts := newTestServer(t)
	ca, gb := ts.conns[caRealm].ID, ts.conns[gbRealm].ID
	if _, a := ts.setDefault(t, portal1, ca); a.status != http.StatusOK {
		t.Fatal(a.status, string(a.body))
	}
	ts.setSync(t, portal1, "invoices", map[string]any{"enabled": true, "onCreateOrUpdate": "update_only", "onDelete": "archive"})

	got := ts.settings(t, portal2)
	if len(got.Connections) != 1 || got.Connections[0].ID != gb || got.defaultID() != gb || !got.DefaultConnectionImplicit {
		t.Errorf("portal two sees %+v, want only its own company as the implicit default", got)
	}
	if got.Sync.Invoices.Enabled || got.UpdatedAt != "" {
		t.Errorf("portal two sees portal one's sync: %+v", got.Sync)
	}
	_, a := ts.setDefault(t, portal2, ca)
	wantError(t, "portal two choosing portal one's company", a, http.StatusNotFound, "not_found")
	ts.setSync(t, portal2, "invoices", map[string]any{"enabled": false, "onCreateOrUpdate": "nothing", "onDelete": "nothing"})
	if mine := ts.settings(t, portal1); mine.defaultID() != ca || !mine.Sync.Invoices.Enabled || mine.Sync.Invoices.OnDelete != "archive" {
		t.Errorf("portal one's settings changed by portal two: %+v", mine)
	}
}

func TestSettingsNeedASignature(t *testing.T) {
	ts := newTestServer(t)
	q := "?appId=3000001&portalId=20000001&userId=7"
	resp, err := http.Get(ts.url + settingsRoute + q)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	checkAgainstOpenAPI(t, "GET", settingsRoute, resp.StatusCode, body)
	if a := (answer{resp.StatusCode, body}); a.status != http.StatusUnauthorized || a.errorCode(t) != "unauthorized" {
		t.Errorf("unsigned GET: %d %s", a.status, a.body)
	}

	req, _ := http.NewRequest("PUT", ts.url+defaultConnPath+q, strings.NewReader(`{"connectionId":"`+ts.conns[caRealm].ID+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	checkAgainstOpenAPI(t, "PUT", defaultConnPath, resp.StatusCode, body)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("unsigned PUT: %d %s", resp.StatusCode, body)
	}

	wrong := &hubspotfake.CardClient{AppID: appID, PortalID: portal1, ClientSecret: "another-secret", NoRetry: true}
	a := ts.send(t, wrong, "PUT", "/api/v1/settings/sync/contacts", syncRoute,
		map[string]any{"enabled": true, "onCreateOrUpdate": "nothing", "onDelete": "nothing"})
	wantError(t, "wrong secret", a, http.StatusUnauthorized, "unauthorized")
	if got := ts.settings(t, portal1); got.UpdatedAt != "" || got.DefaultConnectionImplicit != true {
		t.Errorf("an unsigned request changed the settings: %+v", got)
	}
}

// TestSettingsSurviveANewServer saves settings through one server and reads
// them through another over the same store, as after a restart or on
// another replica: nothing lives in a process.
func TestSettingsSurviveANewServer(t *testing.T) {
	ts := newTestServer(t)
	ca := ts.conns[caRealm].ID
	ts.setDefault(t, portal1, ca)
	before, _ := ts.setSync(t, portal1, "products", map[string]any{"enabled": true, "onCreateOrUpdate": "update_only", "onDelete": "archive"})

	other := ts.anotherServer(t)
	after := other.settings(t, portal1)
	if after.defaultID() != ca || after.DefaultConnectionImplicit || after.Sync != before.Sync || after.UpdatedAt != before.UpdatedAt {
		t.Errorf("on a new server: %+v, want %+v", after, before)
	}
}

// anotherServer starts a second service and server over ts's store, with
// nothing else shared.
func (ts *testServer) anotherServer(t *testing.T) *testServer {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	// HubSpot answers who is an admin, but offers no invoice object.
	svc := app.New(app.Deps{Store: ts.store, Cache: redis.NewInProcess(100, redis.Options{Logger: log}), HubSpot: ts.hs, Logger: log})
	srv := server.New(svc, log, server.NewMetrics(), server.Config{
		PublicBaseURL: base, HubSpotAppID: appID, HubSpotClientSecret: secret,
	})
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	other := *ts
	other.url = base
	return &other
}

// TestInvoiceSyncNeedsHubSpotInvoices: a server not given HubSpot's
// invoice object refuses to turn invoice sync on, or to map its fields,
// with a clear error; the other kinds are unaffected.
func TestInvoiceSyncNeedsHubSpotInvoices(t *testing.T) {
	ts := newTestServer(t)
	other := ts.anotherServer(t)
	on := map[string]any{"enabled": true, "onCreateOrUpdate": "create_or_update", "onDelete": "keep"}
	_, a := other.setSync(t, portal1, "invoices", on)
	wantError(t, "invoice sync on", a, http.StatusServiceUnavailable, "unavailable", "Invoice sync is not available")
	a = other.send(t, card(portal1), "PUT", "/api/v1/settings/sync/invoices/mapping", "/api/v1/settings/sync/invoices/mapping",
		map[string]any{"fields": []any{map[string]any{"qbo": "DocNumber", "hubspot": "hs_number"}}})
	wantError(t, "invoice mapping", a, http.StatusServiceUnavailable, "unavailable", "Invoice sync is not available")
	if _, a := other.setSync(t, portal1, "contacts", on); a.status != http.StatusOK {
		t.Errorf("contacts: %d %s", a.status, a.body)
	}
	if got := ts.settings(t, portal1); got.Sync.Invoices.Enabled {
		t.Errorf("invoice sync turned on: %+v", got.Sync.Invoices)
	}
	// The server that has it turns it on.
	if _, a := ts.setSync(t, portal1, "invoices", on); a.status != http.StatusOK {
		t.Errorf("invoice sync on: %d %s", a.status, a.body)
	}
}
