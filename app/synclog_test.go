package app

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// logStore is a Store (only Connection answers) that keeps a sync log in
// memory, or refuses every write.
type logStore struct {
	Store
	conn    Connection
	entries []SyncLogEntry
	refuse  bool
}

func (s *logStore) Connection(ctx context.Context, portalID int64, id string) (Connection, error) {
	if portalID != s.conn.PortalID || id != s.conn.ID {
		return Connection{}, Errorf(NotFound, "no such connection")
	}
	return s.conn, nil
}

func (s *logStore) RecordSyncLog(ctx context.Context, entries ...SyncLogEntry) error {
	if s.refuse {
		return errors.New("database is locked")
	}
	s.entries = append(s.entries, entries...)
	return nil
}

func (s *logStore) SyncLogEntries(ctx context.Context, portalID int64, f SyncLogFilter) (SyncLogPage, error) {
	return SyncLogPage{}, nil
}

func (s *logStore) SyncLogEntry(ctx context.Context, portalID int64, id string) (SyncLogEntry, error) {
	for _, e := range s.entries {
		if e.ID == id && e.PortalID == portalID {
			return e, nil
		}
	}
	return SyncLogEntry{}, Errorf(NotFound, "That sync log entry was not found.")
}

func (s *logStore) MarkSyncLogRetried(ctx context.Context, portalID int64, id string, at time.Time) error {
	return nil
}

type versionStore struct {
	SyncStore
	applied time.Time
}

func (v versionStore) EntityVersion(ctx context.Context, connectionID, entity, entityID string) (time.Time, error) {
	return v.applied, nil
}

type recordedJobs struct{ changes []Change }

func (j *recordedJobs) EnqueueChanges(ctx context.Context, changes []Change) error {
	j.changes = append(j.changes, changes...)
	return nil
}

// TestSyncLogNeverFailsTheSync: a log that cannot be written is a warning,
// and what is written is a sentence, never the cause.
func TestSyncLogNeverFailsTheSync(t *testing.T) {
	var logs bytes.Buffer
	st := &logStore{refuse: true}
	s := &Service{store: st, log: slog.New(slog.NewTextHandler(&logs, nil)), now: time.Now}
	conn := Connection{ID: "c1", PortalID: 1, RealmID: "111"}
	ch := EntityChange{Entity: EntityInvoice, EntityID: "42", LastUpdated: time.Now()}
	cause := Wrapf(errors.New("token=secret body={...}"), Invalid, "HubSpot rejected the request: Property values were not valid.")
	s.recordInvoiceSync(t.Context(), conn, ch, &Invoice{DocNumber: "1042"}, &invoiceNote{inScope: true}, cause)
	if !strings.Contains(logs.String(), "sync log not written") {
		t.Errorf("no warning: %s", logs.String())
	}

	st.refuse = false
	s.recordInvoiceSync(t.Context(), conn, ch, &Invoice{DocNumber: "1042"}, &invoiceNote{inScope: true}, cause)
	s.recordInvoiceSync(t.Context(), conn, ch, nil, &invoiceNote{inScope: true}, Errorf(Unavailable, "HubSpot is busy."))
	s.recordInvoiceSync(t.Context(), conn, ch, nil, &invoiceNote{}, cause) // outside the sync: no entry
	if len(st.entries) != 2 {
		t.Fatalf("entries = %+v", st.entries)
	}
	final, busy := st.entries[0], st.entries[1]
	if final.Outcome != OutcomeFailed || final.Message != "QuickBooks invoice 1042 could not be synced to HubSpot: HubSpot rejected the request: Property values were not valid." ||
		final.Source != SourceSync || final.RealmID != "111" || final.Entity != EntityInvoice || final.Operation != OpUpdate || final.QBOID != "42" {
		t.Errorf("final failure = %+v", final)
	}
	if !strings.HasPrefix(busy.Message, "QuickBooks invoice with id 42 could not be synced to HubSpot: HubSpot is busy. The sync tries again by itself") {
		t.Errorf("transient failure = %q", busy.Message)
	}
}

// TestRetryEnqueuesAChangeThatRuns: the retried change is dated now at the
// second, never before the failed change nor the entity's applied
// version; only failures are retried.
func TestRetryEnqueuesAChangeThatRuns(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 700_000_000, time.UTC)
	conn := Connection{ID: "c1", PortalID: 1, RealmID: "111", State: Connected}
	failed := SyncLogEntry{ID: "e1", PortalID: 1, ConnectionID: "c1", Object: SyncInvoices, QBOID: "42", Outcome: OutcomeFailed,
		Source: SourceSync, RealmID: "111", Entity: EntityInvoice, Operation: OpDelete, LastUpdated: now.Add(-time.Hour)}
	done := failed
	done.ID, done.Outcome = "e2", OutcomeSucceeded
	for _, c := range []struct {
		name    string
		applied time.Time
		want    time.Time
	}{
		{"now", time.Time{}, now.Truncate(time.Second)},
		{"a later applied version", now.Add(time.Minute), now.Add(time.Minute)},
	} {
		jobs := &recordedJobs{}
		st := &logStore{conn: conn, entries: []SyncLogEntry{failed, done}}
		s := &Service{store: st, log: slog.New(slog.DiscardHandler), now: func() time.Time { return now },
			jobs: jobs, feed: struct{ ChangeFeed }{}, sync: versionStore{applied: c.applied}}
		e, err := s.RetrySyncLogEntry(t.Context(), 1, "e1")
		if err != nil || !e.RetriedAt.Equal(now) {
			t.Fatalf("%s: retry = %+v, %v", c.name, e, err)
		}
		want := Change{RealmID: "111", Entity: EntityInvoice, EntityID: "42", Operation: OpDelete, LastUpdated: c.want}
		if len(jobs.changes) != 1 || jobs.changes[0] != want {
			t.Errorf("%s: enqueued %+v, want %+v", c.name, jobs.changes, want)
		}
		if _, err := s.RetrySyncLogEntry(t.Context(), 1, "e2"); ErrorCode(err) != Conflict {
			t.Errorf("%s: retry of a success: %v", c.name, err)
		}
		if _, err := s.RetrySyncLogEntry(t.Context(), 2, "e1"); ErrorCode(err) != NotFound {
			t.Errorf("%s: retry from another portal: %v", c.name, err)
		}
	}
}
