package app

import (
	"context"
	"fmt"
	"time"
)

// The sync log (issue 9): every record a sync processed, with its outcome
// and, for a failure, the error in words a person understands, so the
// settings page can list them (newest first, by object and outcome) and
// retry a failure. Writing the log never fails the sync: a write that fails
// is logged as a warning and the sync goes on.
//
//   - Invoice sync (invoicesync.go) writes one entry per invoice change it
//     acts on: created, updated, archived, marked, skipped (a setting
//     leaves it out) or failed. Changes outside the sync (before EnabledAt,
//     a portal that uninstalled) are not entries.
//   - The historical import (import.go) writes one summary entry per batch
//     of up to 100 invoices or 50 customers or items (an entry per record
//     would crowd out the live sync's: an import of 100,000 invoices is
//     1,000 entries), and one failed entry when it stops for good, whose
//     retry starts that import again from where it stopped.
//   - A retry of a sync failure enqueues the change again (Jobs), dated now
//     (at the whole second, never before the entity's applied version), so
//     the queue's de-duplication and the entity versions let it run.

// SyncAction is what a sync did with a record.
type SyncAction string

// The actions.
const (
	ActionCreated  SyncAction = "created"  // a HubSpot record was made
	ActionUpdated  SyncAction = "updated"  // the HubSpot record was written
	ActionArchived SyncAction = "archived" // the HubSpot record was archived
	ActionMarked   SyncAction = "marked"   // kept and marked (an invoice voided)
	ActionSkipped  SyncAction = "skipped"  // the settings leave it out
	ActionImported SyncAction = "imported" // an import batch was written
	ActionFailed   SyncAction = "failed"
)

// SyncOutcome is how processing a record ended.
type SyncOutcome string

// The outcomes.
const (
	OutcomeSucceeded SyncOutcome = "succeeded"
	OutcomeSkipped   SyncOutcome = "skipped"
	OutcomeFailed    SyncOutcome = "failed"
)

// ParseSyncOutcome checks an outcome from a URL.
func ParseSyncOutcome(s string) (SyncOutcome, error) {
	switch o := SyncOutcome(s); o {
	case OutcomeSucceeded, OutcomeSkipped, OutcomeFailed:
		return o, nil
	}
	return "", Errorf(Invalid, "There is no outcome %q; choose succeeded, skipped or failed.", truncateRunes(s, 40))
}

// Where an entry came from, which says how it is retried.
const (
	SourceSync   = "sync"   // a webhook or reconcile change: retried by enqueueing it again
	SourceImport = "import" // a historical import: retried by starting it again
)

// SyncLogEntry is one record processed by a sync.
type SyncLogEntry struct {
	ID           string // set by the store
	PortalID     int64
	ConnectionID string
	Object       SyncObject
	QBOID        string // "" for an import batch
	HubSpotID    string // "" when there is none
	Action       SyncAction
	Outcome      SyncOutcome
	// Message is a sentence for a person; for a failure it carries the
	// error's rep-readable message (ErrorMessage), never its cause.
	Message string
	At      time.Time // the store's clock when zero
	// What a retry needs: the source, and the change (its realm, entity,
	// operation and LastUpdated).
	Source      string
	RealmID     string
	Entity      string
	Operation   string
	LastUpdated time.Time
	// RetriedAt is when a retry was last asked; zero when never.
	RetriedAt time.Time
}

// SyncLogFilter selects a page of a portal's log, newest first.
type SyncLogFilter struct {
	Object  SyncObject  // "" for every object
	Outcome SyncOutcome // "" for every outcome
	// Before is the cursor of the previous page (SyncLogPage.Next); ""
	// for the newest.
	Before string
	Limit  int // 1..MaxSyncLogPage
}

// SyncLogPage is a page of the log and the cursor of the next ("" when
// there is none).
type SyncLogPage struct {
	Entries []SyncLogEntry
	Next    string
}

// Page sizes of the log.
const (
	DefaultSyncLogPage = 50
	MaxSyncLogPage     = 200
)

// SyncLog keeps the sync log (store.Store implements it; asserted from
// Deps.Store like InvoiceSyncStore). Its reads are portal-scoped.
type SyncLog interface {
	// RecordSyncLog stores entries (each gets an id, and the store's time
	// when At is zero), and keeps each portal's log bounded.
	RecordSyncLog(ctx context.Context, entries ...SyncLogEntry) error
	// SyncLogEntries lists a page of the portal's entries, newest first;
	// Invalid for a cursor it did not give.
	SyncLogEntries(ctx context.Context, portalID int64, f SyncLogFilter) (SyncLogPage, error)
	// SyncLogEntry reads one of the portal's entries; NotFound when the
	// portal has none of that id.
	SyncLogEntry(ctx context.Context, portalID int64, id string) (SyncLogEntry, error)
	// MarkSyncLogRetried sets an entry's RetriedAt; NotFound as
	// SyncLogEntry.
	MarkSyncLogRetried(ctx context.Context, portalID int64, id string, at time.Time) error
}

// syncLog returns the log; nil when the store keeps none.
func (s *Service) syncLog() SyncLog {
	sl, _ := s.store.(SyncLog)
	return sl
}

// recordSync writes entries to the log. It never fails: the sync that
// wrote them must not fail for the log's sake.
func (s *Service) recordSync(ctx context.Context, entries ...SyncLogEntry) {
	sl := s.syncLog()
	if sl == nil || len(entries) == 0 {
		return
	}
	if err := sl.RecordSyncLog(context.WithoutCancel(ctx), entries...); err != nil {
		s.log.WarnContext(ctx, "sync log not written", "portal", entries[0].PortalID, "entries", len(entries), "err", err)
	}
}

func errSyncLogUnavailable() error {
	return Errorf(Unavailable, "The sync log is not available on this server.")
}

// ListSyncLog lists a page of the portal's sync log, newest first.
func (s *Service) ListSyncLog(ctx context.Context, portalID int64, f SyncLogFilter) (SyncLogPage, error) {
	sl := s.syncLog()
	if sl == nil {
		return SyncLogPage{}, errSyncLogUnavailable()
	}
	if f.Object != "" {
		if _, err := ParseSyncObject(string(f.Object)); err != nil {
			return SyncLogPage{}, err
		}
	}
	if f.Outcome != "" {
		if _, err := ParseSyncOutcome(string(f.Outcome)); err != nil {
			return SyncLogPage{}, err
		}
	}
	switch {
	case f.Limit == 0:
		f.Limit = DefaultSyncLogPage
	case f.Limit < 0 || f.Limit > MaxSyncLogPage:
		return SyncLogPage{}, Errorf(Invalid, "A page holds 1 to %d entries; %d were asked for.", MaxSyncLogPage, f.Limit)
	}
	p, err := sl.SyncLogEntries(ctx, portalID, f)
	if err != nil {
		if ErrorCode(err) == Invalid {
			return SyncLogPage{}, err
		}
		return SyncLogPage{}, fmt.Errorf("sync log of portal %d: %w", portalID, err)
	}
	return p, nil
}

// RetrySyncLogEntry retries a failed entry of the portal: a sync change is
// enqueued again (it runs in the background and logs a new entry); an
// import is started again from where it stopped. It answers the entry,
// RetriedAt set. NotFound for another portal's entry, Conflict for one
// that did not fail.
func (s *Service) RetrySyncLogEntry(ctx context.Context, portalID int64, id string) (SyncLogEntry, error) {
	sl := s.syncLog()
	if sl == nil {
		return SyncLogEntry{}, errSyncLogUnavailable()
	}
	e, err := sl.SyncLogEntry(ctx, portalID, id)
	if err != nil {
		return SyncLogEntry{}, err
	}
	if e.Outcome != OutcomeFailed {
		return SyncLogEntry{}, Errorf(Conflict, "Only failed entries can be retried; this one %s.", e.Outcome)
	}
	switch e.Source {
	case SourceImport:
		if _, err := s.StartImport(ctx, portalID, e.Object, e.ConnectionID); err != nil {
			return SyncLogEntry{}, err
		}
	default:
		if err := s.retryChange(ctx, portalID, e); err != nil {
			return SyncLogEntry{}, err
		}
	}
	now := s.now()
	if err := sl.MarkSyncLogRetried(ctx, portalID, id, now); err != nil {
		return SyncLogEntry{}, fmt.Errorf("retry sync log entry %s: %w", id, err)
	}
	e.RetriedAt = now
	s.log.InfoContext(ctx, "sync log entry retried", "portal", portalID, "entry", id, "source", e.Source, "qbo_id", e.QBOID)
	return e, nil
}

// retryChange enqueues the entry's change again. Its LastUpdated is now at
// the whole second (a QuickBooks change in that second is still applied
// after it: only strictly older ones are skipped), never before the
// failed change nor the entity's applied version, so the entity version
// does not skip it; and a new time is a new job for the queue, which
// records a change once.
func (s *Service) retryChange(ctx context.Context, portalID int64, e SyncLogEntry) error {
	if !s.syncReady() {
		return Errorf(Unavailable, "QuickBooks sync is not running on this server.")
	}
	if e.RealmID == "" || e.Entity == "" || e.QBOID == "" {
		return Errorf(Conflict, "This entry does not say which QuickBooks record to sync again, so it cannot be retried.")
	}
	conn, err := s.store.Connection(ctx, portalID, e.ConnectionID)
	if ErrorCode(err) == NotFound {
		return Errorf(NotFound, "The QuickBooks company of this entry was removed from the app.")
	}
	if err != nil {
		return fmt.Errorf("retry: connection %s: %w", e.ConnectionID, err)
	}
	if conn.State != Connected {
		return Errorf(NotConnected, "QuickBooks company %s is not connected; reconnect it in the app settings, then retry.", companyName(conn))
	}
	last := s.now().UTC().Truncate(time.Second)
	if e.LastUpdated.After(last) {
		last = e.LastUpdated
	}
	applied, err := s.sync.EntityVersion(ctx, conn.ID, e.Entity, e.QBOID)
	if err != nil {
		return fmt.Errorf("retry: version of %s %s: %w", e.Entity, e.QBOID, err)
	}
	if applied.After(last) {
		last = applied
	}
	op := e.Operation
	if op == "" {
		op = OpUpdate
	}
	c := Change{RealmID: e.RealmID, Entity: e.Entity, EntityID: e.QBOID, Operation: op, LastUpdated: last}
	if err := s.jobs.EnqueueChanges(ctx, []Change{c}); err != nil {
		return fmt.Errorf("retry: %w", err)
	}
	return nil
}

// invoiceNote is what invoice sync decided for one invoice, for the log.
type invoiceNote struct {
	inScope   bool // the sync is on and its adapters are here
	action    SyncAction
	outcome   SyncOutcome
	hubspotID string
	message   string
}

func (n *invoiceNote) set(action SyncAction, outcome SyncOutcome, hubspotID, message string) {
	n.action, n.outcome, n.hubspotID, n.message = action, outcome, hubspotID, message
}

// invoiceWords names a QuickBooks invoice for a person: "QuickBooks
// invoice 1042" by its number, else by its id.
func invoiceWords(inv *Invoice, id string) string {
	if inv != nil && inv.DocNumber != "" {
		return "QuickBooks invoice " + inv.DocNumber
	}
	return "QuickBooks invoice with id " + id
}

// recordInvoiceSync writes invoice sync's entry for one change: the note,
// or the failure err. Nothing for a change outside the sync.
func (s *Service) recordInvoiceSync(ctx context.Context, conn Connection, ch EntityChange, inv *Invoice, n *invoiceNote, err error) {
	s.recordChangeSync(ctx, conn, SyncInvoices, EntityInvoice, ch, invoiceWords(inv, ch.EntityID), n, err)
}

// recordChangeSync writes a sync's entry for one change of the entity
// (named words for a person): the note, or the failure err. Nothing for a
// change outside the sync.
func (s *Service) recordChangeSync(ctx context.Context, conn Connection, object SyncObject, entity string, ch EntityChange, words string, n *invoiceNote, err error) {
	if !n.inScope || err == nil && n.action == "" {
		return
	}
	if err != nil {
		msg := fmt.Sprintf("%s could not be synced to HubSpot: %s", words, ErrorMessage(err))
		if Retryable(err) {
			msg += " The sync tries again by itself for a while; you can also retry it."
		}
		n.set(ActionFailed, OutcomeFailed, n.hubspotID, msg)
	}
	op := OpUpdate
	if ch.Deleted {
		op = OpDelete
	}
	s.recordSync(ctx, SyncLogEntry{
		PortalID: conn.PortalID, ConnectionID: conn.ID, Object: object, QBOID: ch.EntityID, HubSpotID: n.hubspotID,
		Action: n.action, Outcome: n.outcome, Message: n.message, At: s.now(),
		Source: SourceSync, RealmID: conn.RealmID, Entity: entity, Operation: op, LastUpdated: ch.LastUpdated,
	})
}
