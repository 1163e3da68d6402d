package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/redis"
)

func connectionIDs(cs []app.Connection) string {
	var ids []string
	for _, c := range cs {
		ids = append(ids, c.CompanyName)
	}
	return strings.Join(ids, ",")
}

func wantAppError(t *testing.T, what string, err error, code app.Code, inMessage ...string) {
	t.Helper()
	if got := app.ErrorCode(err); got != code {
		t.Fatalf("%s: code %q (%v), want %q", what, got, err, code)
	}
	for _, s := range inMessage {
		if !strings.Contains(app.ErrorMessage(err), s) {
			t.Errorf("%s: message %q lacks %q", what, app.ErrorMessage(err), s)
		}
	}
}

func TestSettingsDefaultToTheOldestConnectedCompany(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v, err := f.svc.Settings(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if connectionIDs(v.Connections) != "US,CA" || v.DefaultConnectionID != f.us.ID || !v.DefaultImplicit {
		t.Errorf("view = %s, default %q implicit %v; want US,CA with US implicit", connectionIDs(v.Connections), v.DefaultConnectionID, v.DefaultImplicit)
	}
	for _, c := range v.Connections {
		if c.Tokens != (app.Tokens{}) {
			t.Errorf("connection %s carries tokens", c.CompanyName)
		}
	}
	d := app.DefaultPortalSettings(1)
	if v.Contacts != d.Contacts || v.Products != d.Products || v.Invoices != d.Invoices || !v.UpdatedAt.IsZero() {
		t.Errorf("sync = %+v %+v %+v, want the defaults", v.Contacts, v.Products, v.Invoices)
	}
	if d.Contacts.Enabled || d.Invoices.OnDelete != app.DeleteKeep || d.Products.OnDelete != app.DeleteNothing || d.Contacts.OnCreateOrUpdate != app.WriteCreateOrUpdate {
		t.Errorf("defaults = %+v", d)
	}

	// The oldest company disconnected: the next connected one is the default.
	f.us.State = app.Disconnected
	mustConnection(t, f.store, f.us)
	if v, _ := f.svc.Settings(ctx, 1); v.DefaultConnectionID != f.ca.ID || !v.DefaultImplicit {
		t.Errorf("with US disconnected: default %q, want CA", v.DefaultConnectionID)
	}
	card, err := f.svc.RecordInvoices(ctx, 1, deal)
	if err != nil {
		t.Fatal(err)
	}
	if got := connectionIDs(card.Connections); got != "CA,US" {
		t.Errorf("card connections = %s, want the default (CA) first", got)
	}

	// No company at all: no default.
	if v, _ := f.svc.Settings(ctx, 2); v.DefaultConnectionID != "" || v.DefaultImplicit || len(v.Connections) != 0 {
		t.Errorf("a portal without companies: %+v", v)
	}
}

func TestSetDefaultConnection(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Cards kept in memory: the change must show at once all the same.
	f.svc = app.New(app.Deps{
		Store: f.store, Cache: redis.NewInProcess(100, redis.Options{}), QuickBooks: f.qbo, HubSpot: f.hs,
		CardTTL: time.Minute, Now: func() time.Time { return f.now },
	})
	contact := app.ObjectRef{Type: app.Contacts, ID: "5"}
	for _, obj := range []app.ObjectRef{deal, contact} {
		if card, err := f.svc.RecordInvoices(ctx, 1, obj); err != nil || connectionIDs(card.Connections) != "US,CA" {
			t.Fatalf("card before: %v", err)
		}
	}

	v, err := f.svc.SetDefaultConnection(ctx, 1, f.ca.ID)
	if err != nil {
		t.Fatal(err)
	}
	if v.DefaultConnectionID != f.ca.ID || v.DefaultImplicit || connectionIDs(v.Connections) != "US,CA" || v.UpdatedAt.IsZero() {
		t.Errorf("view = default %q implicit %v, %s", v.DefaultConnectionID, v.DefaultImplicit, connectionIDs(v.Connections))
	}
	for _, obj := range []app.ObjectRef{deal, contact} {
		card, err := f.svc.RecordInvoices(ctx, 1, obj)
		if err != nil {
			t.Fatal(err)
		}
		if got := connectionIDs(card.Connections); got != "CA,US" {
			t.Errorf("%s card connections = %s, want CA first at once", obj, got)
		}
	}

	other := mustConnection(t, f.store, app.Connection{PortalID: 2, RealmID: "300", CompanyName: "GB", State: app.Connected})
	_, err = f.svc.SetDefaultConnection(ctx, 1, other.ID)
	wantAppError(t, "another portal's company", err, app.NotFound)
	_, err = f.svc.SetDefaultConnection(ctx, 1, "nope")
	wantAppError(t, "an unknown company", err, app.NotFound)

	// A company that needs reconnecting may be the default, and stays it.
	f.us.State = app.NeedsReconnect
	mustConnection(t, f.store, f.us)
	if v, err := f.svc.SetDefaultConnection(ctx, 1, f.us.ID); err != nil || v.DefaultConnectionID != f.us.ID || v.DefaultImplicit {
		t.Errorf("needs reconnect: %+v, %v", v.DefaultConnectionID, err)
	}
	// A disconnected one cannot; a disconnected default falls back.
	f.ca.State = app.Disconnected
	mustConnection(t, f.store, f.ca)
	_, err = f.svc.SetDefaultConnection(ctx, 1, f.ca.ID)
	wantAppError(t, "a disconnected company", err, app.Invalid, `"CA" is disconnected`)
	f.us.State = app.Disconnected
	mustConnection(t, f.store, f.us)
	if v, _ := f.svc.Settings(ctx, 1); v.DefaultConnectionID != "" {
		t.Errorf("every company disconnected: default %q, want none", v.DefaultConnectionID)
	}

	// "" forgets the choice.
	f.us.State = app.Connected
	mustConnection(t, f.store, f.us)
	if v, err := f.svc.SetDefaultConnection(ctx, 1, ""); err != nil || v.DefaultConnectionID != f.us.ID || !v.DefaultImplicit {
		t.Errorf("cleared: %q implicit %v, %v", v.DefaultConnectionID, v.DefaultImplicit, err)
	}
}

func TestSetSync(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	start := f.now
	on := app.SyncSettings{Enabled: true, OnCreateOrUpdate: app.WriteUpdateOnly, OnDelete: app.DeleteArchive,
		EnabledAt: start.Add(-48 * time.Hour)} // a caller's EnabledAt is ignored
	v, err := f.svc.SetSync(ctx, 1, "contacts", on)
	if err != nil {
		t.Fatal(err)
	}
	if c := v.Contacts; !c.Enabled || c.OnCreateOrUpdate != app.WriteUpdateOnly || c.OnDelete != app.DeleteArchive || !c.EnabledAt.Equal(start) {
		t.Errorf("contacts on = %+v, want enabled at %v", c, start)
	}
	if v.Products != app.DefaultPortalSettings(1).Products {
		t.Errorf("products changed: %+v", v.Products)
	}

	f.now = start.Add(time.Hour)
	v, _ = f.svc.SetSync(ctx, 1, "contacts", app.SyncSettings{Enabled: true, OnCreateOrUpdate: app.WriteNothing, OnDelete: app.DeleteKeep})
	if c := v.Contacts; !c.EnabledAt.Equal(start) || c.OnDelete != app.DeleteKeep {
		t.Errorf("still on = %+v, want enabledAt kept", c)
	}
	v, _ = f.svc.SetSync(ctx, 1, "contacts", app.SyncSettings{OnCreateOrUpdate: app.WriteNothing, OnDelete: app.DeleteKeep})
	if c := v.Contacts; c.Enabled || !c.EnabledAt.Equal(start) {
		t.Errorf("off = %+v, want enabledAt kept", c)
	}
	f.now = start.Add(2 * time.Hour)
	v, _ = f.svc.SetSync(ctx, 1, "contacts", on)
	if c := v.Contacts; !c.EnabledAt.Equal(f.now) {
		t.Errorf("on again = %+v, want enabled at %v", c, f.now)
	}

	cases := []struct {
		name, object string
		set          app.SyncSettings
		message      []string
	}{
		{"unknown kind", "deals", on, []string{`"deals"`, "contacts, products or invoices"}},
		{"bad write choice", "invoices", app.SyncSettings{OnCreateOrUpdate: "create_only", OnDelete: app.DeleteKeep},
			[]string{"Invoice sync", `"create_only"`, "QuickBooks invoice is created or updated", "create_or_update, update_only or nothing"}},
		{"bad delete choice", "products", app.SyncSettings{OnCreateOrUpdate: app.WriteNothing, OnDelete: "delete"},
			[]string{"Product sync", `"delete"`, "QuickBooks product or service is deleted", "archive, keep or nothing"}},
		{"no write choice", "contacts", app.SyncSettings{OnDelete: app.DeleteKeep}, []string{"Contact sync", "choose what happens"}},
		{"no delete choice", "contacts", app.SyncSettings{OnCreateOrUpdate: app.WriteNothing}, []string{"Contact sync", "onDelete"}},
	}
	for _, c := range cases {
		_, err := f.svc.SetSync(ctx, 1, c.object, c.set)
		wantAppError(t, c.name, err, app.Invalid, c.message...)
	}

	// Turning a sync on needs a company to sync with; changing it while off does not.
	_, err = f.svc.SetSync(ctx, 2, "invoices", on)
	wantAppError(t, "no company", err, app.NotConnected, "Invoice sync")
	if _, err := f.svc.SetSync(ctx, 2, "invoices", app.SyncSettings{OnCreateOrUpdate: app.WriteNothing, OnDelete: app.DeleteNothing}); err != nil {
		t.Errorf("choices while off: %v", err)
	}
	if v, _ := f.svc.Settings(ctx, 1); v.Invoices != app.DefaultPortalSettings(1).Invoices {
		t.Errorf("portal one's invoices changed by portal two: %+v", v.Invoices)
	}
}
