package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

func logEntry(portal int64, qboID string, outcome app.SyncOutcome) app.SyncLogEntry {
	action := app.ActionCreated
	if outcome == app.OutcomeFailed {
		action = app.ActionFailed
	}
	return app.SyncLogEntry{PortalID: portal, ConnectionID: "c1", Object: app.SyncInvoices, QBOID: qboID, HubSpotID: "h" + qboID,
		Action: action, Outcome: outcome, Message: "Invoice " + qboID + ".", Source: app.SourceSync, RealmID: "111",
		Entity: app.EntityInvoice, Operation: app.OpUpdate, LastUpdated: time.Date(2025, 3, 10, 9, 30, 1, 0, time.UTC)}
}

// TestSyncLogPagesAndFilters: newest first, cursor paging without gaps or
// repeats, filters by object and outcome, portal-scoped reads and marks.
func TestSyncLogPagesAndFilters(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		var batch []app.SyncLogEntry
		for i := range 7 {
			o := app.OutcomeSucceeded
			if i%3 == 0 {
				o = app.OutcomeFailed
			}
			batch = append(batch, logEntry(1, fmt.Sprint(i), o))
		}
		other := logEntry(2, "99", app.OutcomeFailed)
		contact := logEntry(1, "c", app.OutcomeSucceeded)
		contact.Object = app.SyncContacts
		if err := s.RecordSyncLog(ctx, batch...); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordSyncLog(ctx, other, contact); err != nil {
			t.Fatal(err)
		}

		var got []string
		before := ""
		for pages := 0; ; pages++ {
			p, err := s.SyncLogEntries(ctx, 1, app.SyncLogFilter{Object: app.SyncInvoices, Before: before, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range p.Entries {
				got = append(got, e.QBOID)
			}
			if p.Next == "" {
				if pages != 2 {
					t.Errorf("%d pages, want 3", pages+1)
				}
				break
			}
			before = p.Next
		}
		if fmt.Sprint(got) != "[6 5 4 3 2 1 0]" {
			t.Errorf("invoices newest first = %v", got)
		}

		p, err := s.SyncLogEntries(ctx, 1, app.SyncLogFilter{Outcome: app.OutcomeFailed, Limit: 50})
		if err != nil || len(p.Entries) != 3 || p.Next != "" {
			t.Fatalf("failed = %+v, %v; want 3 entries", p, err)
		}
		e := p.Entries[0]
		if e.ID == "" || e.QBOID != "6" || e.PortalID != 1 || e.Action != app.ActionFailed || e.Source != app.SourceSync ||
			e.RealmID != "111" || e.Entity != app.EntityInvoice || e.Operation != app.OpUpdate || e.At.IsZero() ||
			!e.LastUpdated.Equal(batch[6].LastUpdated) || !e.RetriedAt.IsZero() || e.HubSpotID != "h6" {
			t.Errorf("entry = %+v", e)
		}
		if p, _ := s.SyncLogEntries(ctx, 1, app.SyncLogFilter{Object: app.SyncContacts}); len(p.Entries) != 1 || p.Entries[0].QBOID != "c" {
			t.Errorf("contacts = %+v", p.Entries)
		}
		_, err = s.SyncLogEntries(ctx, 1, app.SyncLogFilter{Before: "nope"})
		wantCode(t, "a cursor not given", err, app.Invalid)

		// Portal-scoped.
		if p, _ := s.SyncLogEntries(ctx, 2, app.SyncLogFilter{}); len(p.Entries) != 1 || p.Entries[0].QBOID != "99" {
			t.Errorf("portal 2 = %+v", p.Entries)
		}
		_, err = s.SyncLogEntry(ctx, 2, e.ID)
		wantCode(t, "another portal's entry", err, app.NotFound)
		wantCode(t, "marking another portal's entry", s.MarkSyncLogRetried(ctx, 2, e.ID, time.Now()), app.NotFound)
		at := time.Date(2025, 4, 1, 8, 0, 0, 5, time.UTC)
		if err := s.MarkSyncLogRetried(ctx, 1, e.ID, at); err != nil {
			t.Fatal(err)
		}
		read, err := s.SyncLogEntry(ctx, 1, e.ID)
		if err != nil || !read.RetriedAt.Equal(at) || read.Message != "Invoice 6." {
			t.Errorf("read = %+v, %v", read, err)
		}
	})
}

// TestSyncLogIsBounded: a prune keeps a portal's newest rows and drops
// those too old, never another portal's; inserting prunes by itself.
func TestSyncLogIsBounded(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, s *store.Store) {
		ctx := t.Context()
		old := logEntry(1, "old", app.OutcomeSucceeded)
		old.At = clockStart.Add(-40 * 24 * time.Hour) // the store's clock starts at clockStart
		var batch []app.SyncLogEntry
		for i := range 10 {
			batch = append(batch, logEntry(1, fmt.Sprint(i), app.OutcomeSucceeded))
		}
		if err := s.RecordSyncLog(ctx, append([]app.SyncLogEntry{old, logEntry(2, "x", app.OutcomeSucceeded)}, batch...)...); err != nil {
			t.Fatal(err)
		}
		n, err := s.PruneSyncLog(ctx, 1, 6, clockStart.Add(-store.SyncLogMaxAge))
		if err != nil || n != 5 {
			t.Fatalf("pruned %d, %v; want 5 (the old one and four past the newest six)", n, err)
		}
		p, _ := s.SyncLogEntries(ctx, 1, app.SyncLogFilter{})
		if len(p.Entries) != 6 || p.Entries[0].QBOID != "9" || p.Entries[5].QBOID != "4" {
			t.Errorf("left = %+v", p.Entries)
		}
		if n := countRows(t, s, "sync_log"); n != 7 {
			t.Errorf("%d rows, want 7 (portal 2's kept)", n)
		}
		// An old entry goes by itself once inserts reach a prune.
		old.QBOID = "older"
		if err := s.RecordSyncLog(ctx, old); err != nil {
			t.Fatal(err)
		}
		for range store.SyncLogPruneEvery {
			if err := s.RecordSyncLog(ctx, logEntry(1, "n", app.OutcomeSucceeded)); err != nil {
				t.Fatal(err)
			}
		}
		p, _ = s.SyncLogEntries(ctx, 1, app.SyncLogFilter{Limit: app.MaxSyncLogPage})
		for _, e := range p.Entries {
			if e.QBOID == "older" {
				t.Error("an entry older than 30 days survived a prune")
			}
		}
	})
}
