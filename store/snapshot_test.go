package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

func invoice(id string, balance app.Money) app.Invoice {
	return app.Invoice{
		ID:           id,
		SyncToken:    "3",
		DocNumber:    "INV-" + id,
		CustomerID:   "58",
		CustomerName: "Amy's Bird Sanctuary",
		BillEmail:    "birds@intuit.com",
		Currency:     "USD",
		TxnDate:      app.Date{Year: 2024, Month: time.February, Day: 29},
		DueDate:      app.Date{Year: 2024, Month: time.March, Day: 30},
		Total:        92233720368547758, // far beyond float64's exact integers
		Balance:      balance,
		EmailStatus:  "EmailSent",
		PrivateNote:  "Voided ünïcode 'quoted' \"note\"",
		Deleted:      true,
		UpdatedAt:    time.Date(2024, 3, 1, 9, 8, 7, 654321000, paris),
	}
}

func TestSnapshots(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c1 := mustSaveConnection(t, s, 1, "111")
		c2 := mustSaveConnection(t, s, 1, "222")
		fetched := time.Date(2024, 3, 5, 8, 0, 0, 1, paris)

		full := app.Snapshot{ConnectionID: c1.ID, Invoice: invoice("130", -307), FetchedAt: fetched}
		bare := app.Snapshot{ConnectionID: c1.ID, Invoice: app.Invoice{ID: "131"}, FetchedAt: fetched} // zero dates, money, times
		other := app.Snapshot{ConnectionID: c2.ID, Invoice: invoice("132", 0), FetchedAt: fetched}
		if err := s.SaveSnapshots(ctx, []app.Snapshot{full, bare, other}); err != nil {
			t.Fatalf("SaveSnapshots: %v", err)
		}

		got, err := s.Snapshots(ctx, c1.ID, []string{"130", "131", "132", "999"})
		if err != nil {
			t.Fatalf("Snapshots: %v", err)
		}
		want := map[string]app.Snapshot{"130": full, "131": bare} // 132 is another connection's, 999 unknown
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Snapshots (-want +got):\n%s", diff)
		}

		empty, err := s.Snapshots(ctx, c1.ID, nil)
		if err != nil || empty == nil || len(empty) != 0 {
			t.Errorf("Snapshots(no ids) = %v, %v; want an empty map", empty, err)
		}

		// More ids than one query takes.
		ids := make([]string, 1234)
		for i := range ids {
			ids[i] = fmt.Sprint(10000 + i)
		}
		ids[0], ids[700], ids[1233] = "131", "130", "132"
		got, err = s.Snapshots(ctx, c2.ID, ids)
		if err != nil {
			t.Fatalf("Snapshots(1234 ids): %v", err)
		}
		if diff := cmp.Diff(map[string]app.Snapshot{"132": other}, got); diff != "" {
			t.Errorf("Snapshots(1234 ids) (-want +got):\n%s", diff)
		}
	})
}

func TestSaveSnapshotsReplaces(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		c := mustSaveConnection(t, s, 1, "111")
		t1 := time.Date(2024, 3, 5, 8, 0, 0, 0, time.UTC)

		save := func(snap app.Snapshot) {
			t.Helper()
			if err := s.SaveSnapshots(ctx, []app.Snapshot{snap}); err != nil {
				t.Fatalf("SaveSnapshots: %v", err)
			}
		}
		read := func() app.Snapshot {
			t.Helper()
			got, err := s.Snapshots(ctx, c.ID, []string{"130"})
			if err != nil {
				t.Fatalf("Snapshots: %v", err)
			}
			return got["130"]
		}

		v1 := app.Snapshot{ConnectionID: c.ID, Invoice: invoice("130", 5000), FetchedAt: t1}
		save(v1)
		v2 := v1
		v2.Invoice.Balance, v2.Invoice.SyncToken, v2.Invoice.Deleted = 0, "4", false
		v2.FetchedAt = t1.Add(time.Second)
		save(v2)
		if diff := cmp.Diff(v2, read()); diff != "" {
			t.Errorf("after a newer snapshot (-want +got):\n%s", diff)
		}

		// A snapshot fetched before the stored one is stale: it is dropped.
		stale := v1
		stale.FetchedAt = t1.Add(time.Millisecond)
		save(stale)
		if diff := cmp.Diff(v2, read()); diff != "" {
			t.Errorf("after a stale snapshot (-want +got):\n%s", diff)
		}

		// A zero FetchedAt means now (the test clock is after t1).
		v3 := v2
		v3.FetchedAt, v3.Invoice.DocNumber = time.Time{}, "INV-130-B"
		save(v3)
		got := read()
		if got.Invoice.DocNumber != "INV-130-B" || got.FetchedAt.Before(clockStart) {
			t.Errorf("after a snapshot fetched now: doc %q fetched %v", got.Invoice.DocNumber, got.FetchedAt)
		}
		if n := countRows(t, s, "invoice_snapshots"); n != 1 {
			t.Errorf("%d snapshot rows, want 1", n)
		}
	})
}
