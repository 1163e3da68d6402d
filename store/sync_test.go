package store_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

func connectionIDs(cs []app.Connection) []string {
	ids := []string{}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestConnectionsOfRealm(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		// Two portals connect realm 111; portal 1's connection is older
		// though saved second. Portal 3 ties with portal 1 on created_at
		// and comes after it, in insertion order.
		later := mustSaveConnection(t, s, 2, "111")
		older := connection(1, "111")
		older.CreatedAt = time.Date(2024, 1, 2, 3, 4, 5, 6, paris)
		first, err := s.SaveConnection(ctx, older)
		if err != nil {
			t.Fatalf("SaveConnection: %v", err)
		}
		tie := connection(3, "111")
		tie.CreatedAt = older.CreatedAt
		tie.State = app.Disconnected // listed whatever its state
		third, err := s.SaveConnection(ctx, tie)
		if err != nil {
			t.Fatalf("SaveConnection: %v", err)
		}
		mustSaveConnection(t, s, 1, "222")

		got, err := s.ConnectionsOfRealm(ctx, "111")
		if err != nil {
			t.Fatalf("ConnectionsOfRealm: %v", err)
		}
		// Whole connections, tokens decrypted, as the portal's own listing gives them.
		if diff := cmp.Diff([]app.Connection{first, third, later}, got); diff != "" {
			t.Errorf("ConnectionsOfRealm(111) (-want +got):\n%s", diff)
		}
		if got[0].Tokens.Refresh != tokens("111").Refresh {
			t.Errorf("refresh token %q, want it decrypted", got[0].Tokens.Refresh)
		}

		none, err := s.ConnectionsOfRealm(ctx, "999")
		if err != nil || none == nil || len(none) != 0 {
			t.Errorf("ConnectionsOfRealm(999) = %v, %v; want an empty list", none, err)
		}
	})
}

func TestActiveConnections(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		none, err := s.ActiveConnections(ctx)
		if err != nil || none == nil || len(none) != 0 {
			t.Fatalf("ActiveConnections on an empty store = %v, %v; want an empty list", none, err)
		}

		a := mustSaveConnection(t, s, 1, "111")
		reconnect := connection(2, "222")
		reconnect.State = app.NeedsReconnect
		if _, err := s.SaveConnection(ctx, reconnect); err != nil {
			t.Fatal(err)
		}
		b := mustSaveConnection(t, s, 2, "111")
		gone := connection(1, "333")
		gone.State = app.Disconnected
		if _, err := s.SaveConnection(ctx, gone); err != nil {
			t.Fatal(err)
		}
		c := mustSaveConnection(t, s, 3, "444")

		got, err := s.ActiveConnections(ctx)
		if err != nil {
			t.Fatalf("ActiveConnections: %v", err)
		}
		if diff := cmp.Diff([]app.Connection{a, b, c}, got); diff != "" {
			t.Errorf("ActiveConnections (-want +got):\n%s", diff)
		}

		// A connection whose refresh token is refused drops out.
		b.State = app.NeedsReconnect
		if _, err := s.SaveConnection(ctx, b); err != nil {
			t.Fatal(err)
		}
		got, err = s.ActiveConnections(ctx)
		if err != nil {
			t.Fatalf("ActiveConnections: %v", err)
		}
		if diff := cmp.Diff([]string{a.ID, c.ID}, connectionIDs(got)); diff != "" {
			t.Errorf("ActiveConnections after b needs reconnect (-want +got):\n%s", diff)
		}
	})
}

func TestLinkedInvoiceIDs(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c1 := mustSaveConnection(t, s, 1, "111")
		c2 := mustSaveConnection(t, s, 1, "222")
		c3 := mustSaveConnection(t, s, 2, "111") // the same realm under another portal
		link := func(portal int64, obj app.ObjectRef, conn, invoice string) {
			t.Helper()
			if _, _, err := s.AddLink(ctx, app.InvoiceLink{PortalID: portal, Object: obj, ConnectionID: conn,
				InvoiceID: invoice, Origin: app.OriginAdded}); err != nil {
				t.Fatalf("AddLink: %v", err)
			}
		}
		deal1 := app.ObjectRef{Type: app.Deals, ID: "1"}
		deal2 := app.ObjectRef{Type: app.Deals, ID: "2"}
		contact := app.ObjectRef{Type: app.Contacts, ID: "5"}
		link(1, deal1, c1.ID, "131")
		link(1, deal1, c1.ID, "130")
		link(1, deal2, c1.ID, "130") // one invoice on three records
		link(1, contact, c1.ID, "130")
		link(1, deal1, c2.ID, "132")
		link(2, deal1, c3.ID, "133")
		link(2, deal1, c3.ID, "130") // the same QuickBooks id, another portal's link

		for _, tc := range []struct {
			conn string
			want []string
		}{
			{c1.ID, []string{"130", "131"}},
			{c2.ID, []string{"132"}},
			{c3.ID, []string{"130", "133"}},
			{"no-such-connection", []string{}},
		} {
			got, err := s.LinkedInvoiceIDs(ctx, tc.conn)
			if err != nil {
				t.Fatalf("LinkedInvoiceIDs(%s): %v", tc.conn, err)
			}
			if got == nil || !cmp.Equal(tc.want, got) {
				t.Errorf("LinkedInvoiceIDs(%s) = %#v, want %#v", tc.conn, got, tc.want)
			}
		}
	})
}

func TestSyncState(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c1 := mustSaveConnection(t, s, 1, "111")
		c2 := mustSaveConnection(t, s, 2, "111")
		state := func(conn string) app.SyncState {
			t.Helper()
			st, err := s.SyncState(ctx, conn)
			if err != nil {
				t.Fatalf("SyncState(%s): %v", conn, err)
			}
			return st
		}
		check := func(what, conn string, want app.SyncState) {
			t.Helper()
			got := state(conn)
			if !got.CDCSince.Equal(want.CDCSince) || got.SweptThrough != want.SweptThrough {
				t.Errorf("%s: SyncState = %+v, want %+v", what, got, want)
			}
		}

		if got := state(c1.ID); got != (app.SyncState{}) {
			t.Errorf("SyncState before any save = %+v, want zero", got)
		}
		if got := state("no-such-connection"); got != (app.SyncState{}) {
			t.Errorf("SyncState of an unknown connection = %+v, want zero", got)
		}

		since := time.Date(2024, 3, 5, 23, 30, 0, 123456789, paris) // the 5th at 22:30 UTC
		if err := s.SaveCDCSince(ctx, c1.ID, since); err != nil {
			t.Fatalf("SaveCDCSince: %v", err)
		}
		check("after SaveCDCSince", c1.ID, app.SyncState{CDCSince: since})
		if got := state(c1.ID).CDCSince; got.Location() != time.UTC {
			t.Errorf("CDCSince in %v, want UTC", got.Location())
		}

		swept := app.Date{Year: 2024, Month: time.February, Day: 29}
		if err := s.SaveSweptThrough(ctx, c1.ID, swept); err != nil {
			t.Fatalf("SaveSweptThrough: %v", err)
		}
		check("after SaveSweptThrough", c1.ID, app.SyncState{CDCSince: since, SweptThrough: swept})

		since2 := since.Add(time.Hour + time.Nanosecond)
		if err := s.SaveCDCSince(ctx, c1.ID, since2); err != nil {
			t.Fatalf("SaveCDCSince: %v", err)
		}
		check("after a second SaveCDCSince", c1.ID, app.SyncState{CDCSince: since2, SweptThrough: swept})

		// A sweep saved first, then a reconcile: each keeps the other.
		swept2 := app.Date{Year: 2024, Month: time.March, Day: 1}
		if err := s.SaveSweptThrough(ctx, c2.ID, swept2); err != nil {
			t.Fatalf("SaveSweptThrough: %v", err)
		}
		check("sweep only", c2.ID, app.SyncState{SweptThrough: swept2})
		if err := s.SaveCDCSince(ctx, c2.ID, since); err != nil {
			t.Fatalf("SaveCDCSince: %v", err)
		}
		check("sweep then reconcile", c2.ID, app.SyncState{CDCSince: since, SweptThrough: swept2})
		check("the other connection", c1.ID, app.SyncState{CDCSince: since2, SweptThrough: swept})

		wantCode(t, "SaveCDCSince of an unknown connection",
			s.SaveCDCSince(ctx, "no-such-connection", since), app.NotFound)
		wantCode(t, "SaveSweptThrough of an unknown connection",
			s.SaveSweptThrough(ctx, "no-such-connection", swept), app.NotFound)
		if n := countRows(t, s, "sync_states"); n != 2 {
			t.Errorf("%d sync_states rows, want 2", n)
		}
	})
}

func TestEntityVersion(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c1 := mustSaveConnection(t, s, 1, "111")
		c2 := mustSaveConnection(t, s, 2, "111")
		version := func(conn, entity, id string) time.Time {
			t.Helper()
			v, err := s.EntityVersion(ctx, conn, entity, id)
			if err != nil {
				t.Fatalf("EntityVersion(%s, %s, %s): %v", conn, entity, id, err)
			}
			return v
		}
		save := func(conn, entity, id string, at time.Time) {
			t.Helper()
			if err := s.SaveEntityVersion(ctx, conn, entity, id, at); err != nil {
				t.Fatalf("SaveEntityVersion(%s, %s, %s, %v): %v", conn, entity, id, at, err)
			}
		}
		want := func(what, conn, entity, id string, at time.Time) {
			t.Helper()
			if got := version(conn, entity, id); !got.Equal(at) {
				t.Errorf("%s: EntityVersion(%s %s) = %v, want %v", what, entity, id, got, at)
			}
		}

		if v := version(c1.ID, app.EntityInvoice, "130"); !v.IsZero() {
			t.Errorf("EntityVersion before any save = %v, want zero", v)
		}

		t2 := time.Date(2024, 3, 5, 10, 0, 0, 500, time.UTC)
		t1 := time.Date(2024, 3, 5, 10, 30, 0, 0, paris) // later on the wall, 09:30 UTC
		save(c1.ID, app.EntityInvoice, "130", t2)
		want("after t2", c1.ID, app.EntityInvoice, "130", t2)
		save(c1.ID, app.EntityInvoice, "130", t1)
		want("t2 then t1", c1.ID, app.EntityInvoice, "130", t2)
		save(c1.ID, app.EntityInvoice, "130", t2.Add(-time.Nanosecond))
		want("t2 then t2-1ns", c1.ID, app.EntityInvoice, "130", t2)
		save(c1.ID, app.EntityInvoice, "130", time.Time{})
		want("t2 then zero", c1.ID, app.EntityInvoice, "130", t2)
		t3 := t2.Add(time.Nanosecond).In(paris)
		save(c1.ID, app.EntityInvoice, "130", t3)
		want("t2 then t2+1ns", c1.ID, app.EntityInvoice, "130", t3)

		// Keyed by connection, entity and id.
		save(c1.ID, app.EntityPayment, "130", t1)
		save(c2.ID, app.EntityInvoice, "130", t1)
		save(c1.ID, app.EntityInvoice, "131", t1)
		want("another entity", c1.ID, app.EntityPayment, "130", t1)
		want("another connection", c2.ID, app.EntityInvoice, "130", t1)
		want("another id", c1.ID, app.EntityInvoice, "131", t1)
		want("unchanged", c1.ID, app.EntityInvoice, "130", t3)

		wantCode(t, "SaveEntityVersion of an unknown connection",
			s.SaveEntityVersion(ctx, "no-such-connection", app.EntityInvoice, "130", t1), app.NotFound)
		if n := countRows(t, s, "entity_versions"); n != 4 {
			t.Errorf("%d entity_versions rows, want 4", n)
		}
	})
}

// TestConcurrentEntityVersions saves versions of one entity from 10
// goroutines in random order, through two stores (two processes on one
// SQLite file, or two replicas): the latest wins.
func TestConcurrentEntityVersions(t *testing.T) {
	t.Parallel()
	forEachConfig(t, func(t *testing.T, cfg store.Config) {
		stores := []*store.Store{mustOpen(t, cfg), mustOpen(t, cfg)}
		c := mustSaveConnection(t, stores[0], 1, "111")
		base := time.Date(2024, 3, 5, 10, 0, 0, 0, paris)
		const goroutines = 10
		order := rand.Perm(goroutines)
		var wg sync.WaitGroup
		errs := make(chan error, goroutines)
		start := make(chan struct{})
		for i, n := range order {
			wg.Go(func() {
				<-start
				at := base.Add(time.Duration(n) * time.Millisecond)
				if err := stores[i%2].SaveEntityVersion(t.Context(), c.ID, app.EntityInvoice, "130", at); err != nil {
					errs <- fmt.Errorf("goroutine %d: %w", i, err)
				}
			})
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		got, err := stores[1].EntityVersion(t.Context(), c.ID, app.EntityInvoice, "130")
		if err != nil {
			t.Fatalf("EntityVersion: %v", err)
		}
		if want := base.Add((goroutines - 1) * time.Millisecond); !got.Equal(want) {
			t.Errorf("EntityVersion = %v, want the latest %v (order %v)", got, want, order)
		}
	})
}

// TestConnectionByIDCompanySettingsAndLinksOfInvoices: the lookups and the
// narrow write the background sync uses.
func TestConnectionByIDCompanySettingsAndLinksOfInvoices(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c := mustSaveConnection(t, s, 1, "9130357766900801")
		got, err := s.ConnectionByID(ctx, c.ID)
		if err != nil || got.RealmID != c.RealmID || got.Tokens.Refresh != c.Tokens.Refresh {
			t.Fatalf("ConnectionByID: %+v, %v", got.RealmID, err)
		}
		if _, err := s.ConnectionByID(ctx, "nope"); app.ErrorCode(err) != app.NotFound {
			t.Errorf("unknown id: %v", err)
		}

		// Company fields change; tokens and state never do.
		rotated := tokens("rotated-meanwhile")
		if err := s.SaveTokens(ctx, c.ID, rotated); err != nil {
			t.Fatal(err)
		}
		update := c // holds the tokens read before the rotation
		if c.MultiCurrency {
			t.Fatal("the fixture already has multicurrency on; this test turns it on")
		}
		update.CompanyName, update.TimeZone, update.State = "Renamed Inc", "Europe/Paris", app.NeedsReconnect
		update.MultiCurrency = true
		if err := s.SaveCompanySettings(ctx, update); err != nil {
			t.Fatal(err)
		}
		got, _ = s.ConnectionByID(ctx, c.ID)
		if got.CompanyName != "Renamed Inc" || got.TimeZone != "Europe/Paris" || !got.MultiCurrency ||
			got.State != app.Connected || got.Tokens.Refresh != rotated.Refresh {
			t.Errorf("after SaveCompanySettings: %s %s multicurrency %v %s, tokens kept %v", got.CompanyName, got.TimeZone,
				got.MultiCurrency, got.State, got.Tokens.Refresh == rotated.Refresh)
		}
		if listed, err := s.Connections(ctx, 1); err != nil || len(listed) != 1 || !listed[0].MultiCurrency {
			t.Errorf("Connections after SaveCompanySettings: %+v %v", listed, err)
		}
		gone := got
		gone.State, gone.Tokens = app.Disconnected, app.Tokens{}
		if _, err := s.SaveConnection(ctx, gone); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveCompanySettings(ctx, update); app.ErrorCode(err) != app.NotFound {
			t.Errorf("a disconnected connection's company settings saved: %v", err)
		}

		// Links of several invoices in one query, this connection's only.
		other := mustSaveConnection(t, s, 1, "9130357766900802")
		for _, l := range []app.InvoiceLink{
			{PortalID: 1, Object: app.ObjectRef{Type: app.Deals, ID: "10"}, ConnectionID: c.ID, InvoiceID: "1", Origin: app.OriginAdded},
			{PortalID: 1, Object: app.ObjectRef{Type: app.Deals, ID: "11"}, ConnectionID: c.ID, InvoiceID: "1", Origin: app.OriginAdded},
			{PortalID: 1, Object: app.ObjectRef{Type: app.Deals, ID: "12"}, ConnectionID: c.ID, InvoiceID: "2", Origin: app.OriginAdded},
			{PortalID: 1, Object: app.ObjectRef{Type: app.Deals, ID: "13"}, ConnectionID: c.ID, InvoiceID: "3", Origin: app.OriginAdded},
			{PortalID: 1, Object: app.ObjectRef{Type: app.Deals, ID: "14"}, ConnectionID: other.ID, InvoiceID: "1", Origin: app.OriginAdded},
		} {
			if _, _, err := s.AddLink(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
		links, err := s.LinksOfInvoices(ctx, c.ID, []string{"1", "2", "99"})
		if err != nil {
			t.Fatal(err)
		}
		var deals []string
		for _, l := range links {
			deals = append(deals, l.Object.ID)
		}
		if strings.Join(deals, ",") != "10,11,12" {
			t.Errorf("links of invoices 1, 2, 99: deals %v, want 10,11,12", deals)
		}
		if none, err := s.LinksOfInvoices(ctx, c.ID, nil); err != nil || len(none) != 0 {
			t.Errorf("no ids: %v %v", none, err)
		}
	})
}
