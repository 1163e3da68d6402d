package store_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// TestImportLifecycle: one unfinished import per connection, a lease for
// one worker at a time, progress stored with the mapping rows in one
// transaction and only by the lease's owner, then a new import once done.
func TestImportLifecycle(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		a := mustSaveConnection(t, s, 1, "111")
		b := mustSaveConnection(t, s, 1, "222")
		other := mustSaveConnection(t, s, 2, "333")

		if _, err := s.LatestImport(ctx, 1, a.ID, app.SyncInvoices); app.ErrorCode(err) != app.NotFound {
			t.Fatalf("LatestImport before any: %v, want NotFound", err)
		}
		first, created, err := s.CreateImport(ctx, app.Import{PortalID: 1, ConnectionID: a.ID, Object: app.SyncInvoices})
		if err != nil || !created {
			t.Fatalf("CreateImport = %+v, %v, %v", first, created, err)
		}
		if first.ID == "" || first.State != app.ImportQueued || first.CreatedAt.IsZero() || !first.StartedAt.IsZero() || first.CursorIDs == nil {
			t.Errorf("new import = %+v", first)
		}
		again, created, err := s.CreateImport(ctx, app.Import{PortalID: 1, ConnectionID: a.ID, Object: app.SyncInvoices, Done: 5})
		if err != nil || created || again.ID != first.ID {
			t.Errorf("second CreateImport = %s, %v, %v; want the unfinished %s", again.ID, created, err, first.ID)
		}
		_, _, err = s.CreateImport(ctx, app.Import{PortalID: 1, ConnectionID: other.ID, Object: app.SyncInvoices})
		wantCode(t, "another portal's connection", err, app.NotFound)
		_, _, err = s.CreateImport(ctx, app.Import{PortalID: 1, ConnectionID: "nope", Object: app.SyncInvoices})
		wantCode(t, "a missing connection", err, app.NotFound)

		// One worker at a time.
		far := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) // the store's clock starts in 2024
		got, ok, err := s.ClaimImport(ctx, first.ID, "owner-a", far)
		if err != nil || !ok || got.State != app.ImportRunning || got.StartedAt.IsZero() {
			t.Fatalf("claim = %+v, %v, %v", got, ok, err)
		}
		if _, ok, _ := s.ClaimImport(ctx, first.ID, "owner-b", far); ok {
			t.Error("a second owner claimed a held import")
		}
		if held, err := s.RenewImport(ctx, first.ID, "owner-b", far); held || err != nil {
			t.Errorf("renew by a non-owner = %v, %v", held, err)
		}
		if held, err := s.RenewImport(ctx, first.ID, "owner-a", far); !held || err != nil {
			t.Errorf("renew by the owner = %v, %v", held, err)
		}

		// Progress with its mapping rows; a non-owner stores nothing.
		cursor := time.Date(2025, 3, 10, 9, 30, 1, 0, paris)
		got.Total, got.Done, got.Cursor, got.CursorIDs = 250, 100, cursor, []string{"98", "99"}
		got.Samples = []app.ProgressSample{{At: time.UnixMilli(1_700_000_000_000).UTC(), Done: 0}, {At: time.UnixMilli(1_700_000_005_000).UTC(), Done: 100}}
		got.Error, got.Failures = "HubSpot is busy, try again in a minute.", 2
		wantCode(t, "progress by a non-owner", s.SaveImportProgress(ctx, got, "owner-b", map[string]string{"5": "9005"}), app.Conflict)
		if err := s.SaveImportProgress(ctx, got, "owner-a", map[string]string{"7": "9001", "8": "9002"}); err != nil {
			t.Fatal(err)
		}
		pairs, err := s.HubSpotInvoiceIDs(ctx, a.ID)
		if err != nil || !cmp.Equal(pairs, map[string]string{"7": "9001", "8": "9002"}) {
			t.Errorf("mapping rows = %v, %v", pairs, err)
		}
		read, err := s.Import(ctx, first.ID)
		if err != nil {
			t.Fatal(err)
		}
		if read.Total != 250 || read.Done != 100 || !read.Cursor.Equal(cursor) || !cmp.Equal(read.CursorIDs, []string{"98", "99"}) ||
			!cmp.Equal(read.Samples, got.Samples) || read.Error != got.Error || read.Failures != 2 || read.State != app.ImportRunning {
			t.Errorf("stored progress = %+v", read)
		}

		// A release requeues; a lapsed lease can be taken over.
		if err := s.ReleaseImport(ctx, first.ID, "owner-a"); err != nil {
			t.Fatal(err)
		}
		if read, _ := s.Import(ctx, first.ID); read.State != app.ImportQueued {
			t.Errorf("after release: %s", read.State)
		}
		if _, ok, _ := s.ClaimImport(ctx, first.ID, "owner-b", time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)); !ok {
			t.Fatal("claim after release failed")
		}
		got, ok, err = s.ClaimImport(ctx, first.ID, "owner-c", far)
		if err != nil || !ok {
			t.Fatalf("claim over a lapsed lease = %v, %v", ok, err)
		}
		if held, _ := s.RenewImport(ctx, first.ID, "owner-b", far); held {
			t.Error("the lapsed owner still holds the lease")
		}

		// Done: the lease ends, nothing claims it again, and a new import
		// may start.
		got.State, got.FinishedAt, got.Done = app.ImportDone, time.Now(), 250
		if err := s.SaveImportProgress(ctx, got, "owner-c", nil); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := s.ClaimImport(ctx, first.ID, "owner-c", far); ok {
			t.Error("a done import was claimed")
		}
		wantCode(t, "progress after done", s.SaveImportProgress(ctx, got, "owner-c", nil), app.Conflict)
		second, created, err := s.CreateImport(ctx, app.Import{PortalID: 1, ConnectionID: a.ID, Object: app.SyncInvoices, Total: 250, Done: 100,
			Cursor: cursor, CursorIDs: []string{"99"}})
		if err != nil || !created || second.ID == first.ID || second.Done != 100 || !second.Cursor.Equal(cursor) {
			t.Fatalf("new import after done = %+v, %v, %v", second, created, err)
		}
		third, _, err := s.CreateImport(ctx, app.Import{PortalID: 1, ConnectionID: b.ID, Object: app.SyncInvoices})
		if err != nil {
			t.Fatal(err)
		}
		latest, err := s.LatestImport(ctx, 1, a.ID, app.SyncInvoices)
		if err != nil || latest.ID != second.ID {
			t.Errorf("LatestImport = %s, %v; want %s", latest.ID, err, second.ID)
		}
		if _, err := s.LatestImport(ctx, 2, a.ID, app.SyncInvoices); app.ErrorCode(err) != app.NotFound {
			t.Errorf("another portal's LatestImport: %v", err)
		}
		all, err := s.LatestImports(ctx, 1)
		if err != nil || len(all) != 2 || all[0].ID != second.ID || all[1].ID != third.ID {
			t.Errorf("LatestImports = %+v, %v", all, err)
		}
		if none, err := s.LatestImports(ctx, 3); err != nil || len(none) != 0 {
			t.Errorf("LatestImports of a portal without any = %v, %v", none, err)
		}
		if _, err := s.Import(ctx, "nope"); app.ErrorCode(err) != app.NotFound {
			t.Errorf("Import(nope) = %v", err)
		}
	})
}

// TestImportsPerObject: a connection's imports of invoices, customers
// (contacts) and items (products) are apart: each kind has its own
// unfinished import, latest import and place in LatestImports; an unknown
// kind is refused.
func TestImportsPerObject(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		a := mustSaveConnection(t, s, 1, "111")
		made := map[app.SyncObject]string{}
		for _, o := range []app.SyncObject{app.SyncProducts, app.SyncInvoices, app.SyncContacts} {
			imp, created, err := s.CreateImport(ctx, app.Import{PortalID: 1, ConnectionID: a.ID, Object: o})
			if err != nil || !created || imp.Object != o || imp.State != app.ImportQueued {
				t.Fatalf("CreateImport(%s) = %+v, %v, %v; want a new one beside the others", o, imp, created, err)
			}
			made[o] = imp.ID
		}
		again, created, err := s.CreateImport(ctx, app.Import{PortalID: 1, ConnectionID: a.ID, Object: app.SyncContacts})
		if err != nil || created || again.ID != made[app.SyncContacts] || again.Object != app.SyncContacts {
			t.Errorf("second contacts import = %+v, %v, %v; want the unfinished %s", again, created, err, made[app.SyncContacts])
		}
		for o, id := range made {
			if latest, err := s.LatestImport(ctx, 1, a.ID, o); err != nil || latest.ID != id || latest.Object != o {
				t.Errorf("LatestImport(%s) = %+v, %v; want %s", o, latest, err, id)
			}
		}
		all, err := s.LatestImports(ctx, 1)
		if err != nil || len(all) != 3 {
			t.Fatalf("LatestImports = %+v, %v; want one per object", all, err)
		}
		for i, o := range []app.SyncObject{app.SyncContacts, app.SyncInvoices, app.SyncProducts} {
			if all[i].Object != o || all[i].ID != made[o] {
				t.Errorf("LatestImports[%d] = %s %s, want %s %s", i, all[i].Object, all[i].ID, o, made[o])
			}
		}
		for _, o := range []app.SyncObject{"", "deals"} {
			_, _, err := s.CreateImport(ctx, app.Import{PortalID: 1, ConnectionID: a.ID, Object: o})
			wantCode(t, "an import of "+string(o), err, app.Invalid)
		}
	})
}

// TestCreateImportConcurrently: many starts at once make one import.
func TestCreateImportConcurrently(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		a := mustSaveConnection(t, s, 1, "111")
		var wg sync.WaitGroup
		ids := make(chan string, 8)
		for range 8 {
			wg.Go(func() {
				imp, _, err := s.CreateImport(t.Context(), app.Import{PortalID: 1, ConnectionID: a.ID, Object: app.SyncInvoices})
				if err != nil {
					t.Error(err)
					return
				}
				ids <- imp.ID
			})
		}
		wg.Wait()
		close(ids)
		seen := map[string]bool{}
		for id := range ids {
			seen[id] = true
		}
		if len(seen) != 1 {
			t.Errorf("%d imports made, want one", len(seen))
		}
	})
}
