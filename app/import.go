package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Historical import (issue 8): invoice sync copies what changes from the
// moment it is turned on (EnabledAt); an import copies a company's
// existing invoices, all of them, whatever their age, the way invoice sync
// would (the portal's mapping and OnCreateOrUpdate: under update_only only
// invoices already in HubSpot are updated; a voided invoice already in
// HubSpot follows OnDelete; one never copied is left out, as the live
// sync leaves it).
//
//   - Order: QuickBooks' invoices by MetaData.CreateTime, which never
//     changes, paged with WHERE MetaData.CreateTime >= <cursor>. The
//     cursor is the whole second of the last invoice done, kept with the
//     ids done in that second (QuickBooks times have whole seconds, so
//     several invoices may share one): a page skips those ids. No offset
//     paging, so invoices deleted meanwhile shift nothing, updates move
//     nothing, and invoices created meanwhile come last (newer
//     CreateTime). Only when a whole page is invoices already done in the
//     cursor's second (over 1000 created in one second) does it page by
//     STARTPOSITION within that second.
//   - HubSpot at its rate limit: per batch of up to 100 invoices (HubSpot's
//     batch size) one batch update of the invoices mapped before, one
//     batch read by qbo_invoice_key of the others (a create whose mapping
//     row was lost is found, never made twice), one batch create, and per
//     record type one batch association (deals, contacts, companies); the
//     contacts behind new e-mail addresses cost one batch read of contacts
//     by email and one of their companies. So 10,000 invoices cost a few
//     hundred calls. The HubSpot adapter waits for room in the portal's
//     rate window before each call; the import's calls are marked
//     background (WithBackgroundPriority) and leave a tenth of the window
//     to the card.
//   - Crash-safe: after each batch is written to HubSpot, the mapping rows,
//     the cursor and the count are stored in one transaction
//     (ImportStore.SaveImportProgress). A crash repeats at most the batch
//     in flight, whose invoices HubSpot then finds by key. One process
//     works an import at a time, holding a lease renewed every few seconds.
//   - Failures: a transient error (a service busy or down) is retried, the
//     import still unfinished, with its message in Error; after
//     maxImportFailures in a row, or at once for one retrying cannot fix
//     (a refused connection, invoice sync turned off, a value HubSpot
//     refuses), the import fails with a sentence saying why. Starting again
//     makes a new import that goes on from the failed one's cursor.

// ImportState is where an import stands.
type ImportState string

// The states of an import. Queued and running imports are unfinished; a
// connection has at most one unfinished import.
const (
	ImportQueued  ImportState = "queued"  // waiting for a worker (or resumed later after a crash)
	ImportRunning ImportState = "running" // a process holds it and works on it
	ImportDone    ImportState = "done"
	ImportFailed  ImportState = "failed"
)

// Finished reports whether the import will do no more.
func (s ImportState) Finished() bool { return s == ImportDone || s == ImportFailed }

// Import is one historical import of a connection's invoices, as stored.
type Import struct {
	ID           string
	PortalID     int64
	ConnectionID string
	State        ImportState
	// Total is how many invoices the company had when the import counted
	// them; once done, Done (invoices created or deleted meanwhile are
	// counted in or out).
	Total int
	// Done is how many invoices were processed (written to HubSpot, or
	// left out by the portal's choices), in CreateTime order.
	Done int
	// Cursor is the CreateTime (a whole second) of the last invoice done;
	// zero before the first. CursorIDs are the ids done in that second.
	Cursor    time.Time
	CursorIDs []string
	// Error says, in a sentence for a person, why a failed import stopped,
	// or what an unfinished one is retrying.
	Error string
	// Failures counts the transient failures in a row since the last
	// progress.
	Failures int
	// Samples are recent (time, Done) pairs, for the rate.
	Samples    []ProgressSample
	CreatedAt  time.Time
	StartedAt  time.Time // first claimed; zero while never run
	UpdatedAt  time.Time
	FinishedAt time.Time
}

// ProgressSample is Done at a time.
type ProgressSample struct {
	At   time.Time
	Done int
}

// ImportStore keeps imports (store.Store implements it; asserted from
// Deps.Store like InvoiceSyncStore).
type ImportStore interface {
	// CreateImport stores imp as a new queued import of its connection,
	// unless the connection has an unfinished one: then it returns that
	// one and created is false. NotFound when the connection is not the
	// portal's.
	CreateImport(ctx context.Context, imp Import) (stored Import, created bool, err error)
	// Import reads one import; NotFound when there is none.
	Import(ctx context.Context, id string) (Import, error)
	// LatestImport is the connection's most recent import; NotFound when
	// it never had one.
	LatestImport(ctx context.Context, portalID int64, connectionID string) (Import, error)
	// LatestImports lists the most recent import of each of the portal's
	// connections that had one.
	LatestImports(ctx context.Context, portalID int64) ([]Import, error)
	// ClaimImport makes owner the import's only worker until until: when it
	// is unfinished and no other owner's lease is live, it sets the state
	// running (and StartedAt, the first time) and reports true. Either way
	// it returns the import as stored.
	ClaimImport(ctx context.Context, id, owner string, until time.Time) (Import, bool, error)
	// RenewImport extends owner's lease; false when owner lost it.
	RenewImport(ctx context.Context, id, owner string, until time.Time) (bool, error)
	// ReleaseImport ends owner's lease; a running import goes back to
	// queued.
	ReleaseImport(ctx context.Context, id, owner string) error
	// SaveImportProgress stores imp's progress (State, Total, Done,
	// Cursor, CursorIDs, Error, Failures, Samples, FinishedAt) and the
	// HubSpot invoices made from the connection's invoices (QuickBooks id
	// to HubSpot id, as SaveHubSpotInvoiceID) in one transaction, only
	// while owner holds the lease (Conflict otherwise, nothing stored). A
	// finished state ends the lease.
	SaveImportProgress(ctx context.Context, imp Import, owner string, hubspotIDs map[string]string) error
}

// ImportJobs runs imports in the background (queue.Queue implements it;
// asserted from Deps.Jobs).
type ImportJobs interface {
	// EnqueueImport records a job that works the import until it is
	// finished; one job per unfinished import.
	EnqueueImport(ctx context.Context, importID string) error
}

// CreatedInvoice is an invoice with its MetaData.CreateTime.
type CreatedInvoice struct {
	Invoice   Invoice
	CreatedAt time.Time
}

// InvoicePager pages through a company's invoices for an import
// (quickbooks.Client implements it: Deps.InvoicePager, else Deps.QuickBooks
// when it does).
type InvoicePager interface {
	// CountInvoices counts the company's invoices (SELECT COUNT(*)).
	CountInvoices(ctx context.Context, conn Connection) (int, error)
	// InvoicesCreatedSince reads up to limit (1..1000) invoices created at
	// or after since (all when zero), oldest first by CreateTime, from the
	// 1-based position start of that order.
	InvoicesCreatedSince(ctx context.Context, conn Connection, since time.Time, start, limit int) ([]CreatedInvoice, error)
}

// ContactMatch is the HubSpot contact with an e-mail address and its
// primary company ("" for none).
type ContactMatch struct {
	ContactID        string
	PrimaryCompanyID string
}

// InvoiceAssociation pairs a HubSpot record (deal, contact or company) with
// a HubSpot invoice.
type InvoiceAssociation struct {
	RecordID  string
	InvoiceID string
}

// InvoiceBatches are HubSpot's batch calls an import makes, each taking up
// to 100 inputs per request (the adapter splits larger ones). The HubSpot
// adapter implements it beside InvoiceObjects, and it is asserted from
// Deps.InvoiceObjects. Errors are classified as InvoiceObjects' are.
type InvoiceBatches interface {
	// FindInvoicesByKeys reads the live invoices whose InvoiceKeyProperty
	// is one of keys (batch read by idProperty): key to invoice id; keys
	// without one are absent.
	FindInvoicesByKeys(ctx context.Context, portal Portal, keys []string) (map[string]string, error)
	// CreateInvoices creates invoices, each with its InvoiceKeyProperty
	// and hs_currency, and answers key to id. Conflict (and nothing made,
	// HubSpot's batch create is all or nothing) when a key is in use.
	CreateInvoices(ctx context.Context, portal Portal, invoices []map[string]string) (map[string]string, error)
	// UpdateInvoices writes properties of invoices by id and answers the
	// ids HubSpot does not have (archived or deleted there).
	UpdateInvoices(ctx context.Context, portal Portal, updates map[string]map[string]string) (missing []string, err error)
	// FindContactsByEmails finds the contacts with the addresses (batch
	// read by idProperty email) and their primary companies, keyed by the
	// address in lower case; addresses without a contact are absent. It
	// never creates a contact.
	FindContactsByEmails(ctx context.Context, portal Portal, emails []string) (map[string]ContactMatch, error)
	// AssociateInvoices associates invoices with records of type from
	// (deals 176, contacts 178, companies 180: the pair's default type);
	// a pair naming a record gone from HubSpot is skipped.
	AssociateInvoices(ctx context.Context, portal Portal, from ObjectType, pairs []InvoiceAssociation) error
}

// backgroundKey marks a context whose upstream calls are background work.
type backgroundKey struct{}

// WithBackgroundPriority marks ctx's upstream calls as background work: an
// adapter with a rate limiter gives them only part of the budget, leaving
// the rest to a rep's requests.
func WithBackgroundPriority(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

// BackgroundPriority reports whether ctx was marked by
// WithBackgroundPriority.
func BackgroundPriority(ctx context.Context) bool {
	b, _ := ctx.Value(backgroundKey{}).(bool)
	return b
}

// ImportProgress is an import as the settings page and the CLI show it.
type ImportProgress struct {
	ID           string
	ConnectionID string
	State        ImportState
	Done, Total  int
	// RatePerSecond is the invoices per second over the last minutes
	// (while unfinished), or over the whole run (once finished).
	RatePerSecond float64
	// ETA is the time left at that rate; negative when unknown.
	ETA        time.Duration
	Error      string
	StartedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
}

// Import tuning.
const (
	importPage        = 1000 // invoices per QuickBooks query (its maximum)
	importBatch       = 100  // invoices per HubSpot batch (its maximum)
	importLease       = 15 * time.Second
	importHeartbeat   = 5 * time.Second
	maxImportFailures = 8
	maxImportBackoff  = time.Minute
	rateWindow        = 2 * time.Minute
	sampleEvery       = 5 * time.Second
	sampleKeep        = 5 * time.Minute
)

// importDeps are the adapters an import needs; Unavailable without them.
type importDeps struct {
	st      ImportStore
	pager   InvoicePager
	objs    InvoiceObjects
	is      InvoiceSyncStore
	batches InvoiceBatches
}

func (s *Service) importDeps() (importDeps, error) {
	objs, is, err := s.invoiceSync()
	if err != nil {
		return importDeps{}, err
	}
	d := importDeps{objs: objs, is: is, pager: s.pager}
	if d.pager == nil {
		d.pager, _ = s.qbo.(InvoicePager)
	}
	d.st, _ = s.store.(ImportStore)
	d.batches, _ = objs.(InvoiceBatches)
	if d.st == nil || d.pager == nil || d.batches == nil {
		return importDeps{}, Errorf(Unavailable, "Importing invoices is not available on this server.")
	}
	return d, nil
}

// StartImport starts importing a connection's existing QuickBooks invoices
// into HubSpot and answers its progress (202 on the settings page). It
// needs the portal's invoice sync on and set to create or update, and the
// company connected. When the connection has an unfinished import, that
// one is answered (and its job enqueued again, which resumes one whose
// process died) rather than a second started. After a failed import the
// new one goes on from where that one stopped.
func (s *Service) StartImport(ctx context.Context, portalID int64, connectionID string) (ImportProgress, error) {
	d, err := s.importDeps()
	if err != nil {
		return ImportProgress{}, err
	}
	jobs, _ := s.jobs.(ImportJobs)
	if jobs == nil {
		return ImportProgress{}, Errorf(Unavailable, "Imports run in the background sync, which is not running on this server.")
	}
	if connectionID == "" {
		return ImportProgress{}, Errorf(Invalid, "Choose the QuickBooks company whose invoices to import (connectionId).")
	}
	conn, err := s.store.Connection(ctx, portalID, connectionID)
	if err != nil {
		return ImportProgress{}, fmt.Errorf("start import of connection %s: %w", connectionID, err)
	}
	if err := s.importable(ctx, conn); err != nil {
		return ImportProgress{}, err
	}
	fresh := Import{PortalID: portalID, ConnectionID: conn.ID, State: ImportQueued}
	prev, err := d.st.LatestImport(ctx, portalID, conn.ID)
	switch {
	case err == nil && prev.State == ImportFailed:
		// Everything before its cursor is in HubSpot: go on from there.
		fresh.Total, fresh.Done, fresh.Cursor, fresh.CursorIDs = prev.Total, prev.Done, prev.Cursor, prev.CursorIDs
	case err != nil && ErrorCode(err) != NotFound:
		return ImportProgress{}, fmt.Errorf("start import of connection %s: %w", conn.ID, err)
	}
	imp, created, err := d.st.CreateImport(ctx, fresh)
	if err != nil {
		return ImportProgress{}, fmt.Errorf("start import of connection %s: %w", conn.ID, err)
	}
	if err := jobs.EnqueueImport(ctx, imp.ID); err != nil {
		return ImportProgress{}, fmt.Errorf("start import of connection %s: %w", conn.ID, err)
	}
	if created {
		s.log.InfoContext(ctx, "invoice import started", "portal", portalID, "connection", conn.ID, "import", imp.ID,
			"resumes_at", imp.Done)
	}
	return progressOf(imp, s.now()), nil
}

// importable checks what an import needs of the connection, its portal
// and its settings, with a message that says what to do.
func (s *Service) importable(ctx context.Context, conn Connection) error {
	if conn.State != Connected {
		return Errorf(NotConnected, "QuickBooks company %s is not connected, so its invoices cannot be read; reconnect it in the app settings first.", companyName(conn))
	}
	portal, err := s.store.Portal(ctx, conn.PortalID)
	if ErrorCode(err) == NotFound || err == nil && portal.State != PortalInstalled && portal.State != "" {
		return Errorf(NotConnected, "The app is not installed in this HubSpot account, so no invoice can be written there; install it again.")
	}
	if err != nil {
		return err
	}
	ps, err := s.store.PortalSettings(ctx, conn.PortalID)
	if err != nil {
		return err
	}
	switch {
	case !ps.Invoices.Enabled:
		return Errorf(Invalid, "Turn invoice sync on before importing invoices: the import copies existing QuickBooks invoices into HubSpot the way invoice sync does.")
	case ps.Invoices.OnCreateOrUpdate == WriteNothing:
		return Errorf(Invalid, "Invoice sync is set to do nothing when a QuickBooks invoice is created or updated, so an import would change nothing; choose create_or_update (or update_only, to update only invoices already in HubSpot) first.")
	}
	return nil
}

// ImportStatus is the progress of the connection's latest import;
// NotFound when it never had one.
func (s *Service) ImportStatus(ctx context.Context, portalID int64, connectionID string) (ImportProgress, error) {
	d, err := s.importDeps()
	if err != nil {
		return ImportProgress{}, err
	}
	if _, err := s.store.Connection(ctx, portalID, connectionID); err != nil {
		return ImportProgress{}, err
	}
	imp, err := d.st.LatestImport(ctx, portalID, connectionID)
	if ErrorCode(err) == NotFound {
		return ImportProgress{}, Errorf(NotFound, "No invoice import was started for this QuickBooks company.")
	}
	if err != nil {
		return ImportProgress{}, fmt.Errorf("import status of connection %s: %w", connectionID, err)
	}
	return progressOf(imp, s.now()), nil
}

// LatestImports is the progress of each of the portal's connections'
// latest import, for the settings page; none on a server without imports.
func (s *Service) LatestImports(ctx context.Context, portalID int64) ([]ImportProgress, error) {
	d, err := s.importDeps()
	if err != nil {
		return nil, nil
	}
	imps, err := d.st.LatestImports(ctx, portalID)
	if err != nil {
		return nil, fmt.Errorf("imports of portal %d: %w", portalID, err)
	}
	out := make([]ImportProgress, len(imps))
	now := s.now()
	for i, imp := range imps {
		out[i] = progressOf(imp, now)
	}
	return out, nil
}

// errBusy is in the chain of errImportBusy.
var errBusy = errors.New("import busy")

// errImportBusy is the Conflict of an import another process is working.
func errImportBusy() error {
	return Wrapf(errBusy, Conflict, "Another process is working on this import right now; it goes on there.")
}

// RunImport works an import in this process until it is done, calling
// progress (when not nil) after every batch. It resumes from the stored
// cursor. It returns nil once done; for a failed import an error whose
// message says why; Conflict while another process works on it (try
// again later); ctx's error when interrupted (the import stays unfinished
// and resumes where it stopped).
func (s *Service) RunImport(ctx context.Context, importID string, progress func(ImportProgress)) error {
	_, err := s.runImport(ctx, importID, progress, false)
	return err
}

// RunImportSlice works an import for a bounded slice of time, for the job
// queue: when ctx has a deadline it starts no batch after two thirds of
// the time left, and reports finished false when work remains (the job
// then runs again). A transient failure is returned for the queue's
// backoff; a final one fails the import and reports it finished (the
// failure is in the import, not the job). Conflict while another process
// works on it.
func (s *Service) RunImportSlice(ctx context.Context, importID string) (finished bool, err error) {
	finished, err = s.runImport(ctx, importID, nil, true)
	var fe *importFailure
	if errors.As(err, &fe) {
		return true, nil
	}
	return finished, err
}

// importFailure is the error of an import that failed for good.
type importFailure struct{ err error }

func (e *importFailure) Error() string { return e.err.Error() }
func (e *importFailure) Unwrap() error { return e.err }

// errLeaseLost ends a run whose lease another process took.
var errLeaseLost = errors.New("import lease lost")

func (s *Service) runImport(ctx context.Context, importID string, progress func(ImportProgress), sliced bool) (bool, error) {
	d, err := s.importDeps()
	if err != nil {
		return false, err
	}
	owner := newOwner()
	imp, ok, err := d.st.ClaimImport(ctx, importID, owner, s.now().Add(importLease))
	if err != nil {
		return false, fmt.Errorf("claim import %s: %w", importID, err)
	}
	if imp.State.Finished() {
		if imp.State == ImportFailed {
			return true, &importFailure{Errorf(Invalid, "%s", imp.Error)}
		}
		return true, nil
	}
	if !ok {
		return false, errImportBusy()
	}
	rctx, cancel := context.WithCancelCause(WithBackgroundPriority(ctx))
	defer cancel(nil)
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		t := time.NewTicker(importHeartbeat)
		defer t.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-t.C:
				held, err := d.st.RenewImport(rctx, importID, owner, s.now().Add(importLease))
				if err == nil && !held {
					cancel(errLeaseLost)
					return
				}
				if err != nil && rctx.Err() == nil {
					s.log.WarnContext(rctx, "renew import lease", "import", importID, "err", err)
				}
			}
		}
	}()
	r := &importRun{s: s, importDeps: d, owner: owner, imp: imp, progress: progress, sliced: sliced}
	if dl, has := ctx.Deadline(); has && sliced {
		r.sliceEnd = s.now().Add(time.Until(dl) * 2 / 3)
	}
	finished, err := r.run(rctx)
	cancel(nil)
	<-beat
	if errors.Is(context.Cause(rctx), errLeaseLost) && ctx.Err() == nil {
		return false, errImportBusy()
	}
	if !r.imp.State.Finished() {
		rel, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if rerr := d.st.ReleaseImport(rel, importID, owner); rerr != nil {
			s.log.WarnContext(ctx, "release import", "import", importID, "err", rerr)
		}
		stop()
	}
	return finished, err
}

// newOwner names one run of an import, for its lease.
func newOwner() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// importRun is one process's run of an import.
type importRun struct {
	s *Service
	importDeps
	owner    string
	imp      Import
	progress func(ImportProgress)
	sliced   bool
	sliceEnd time.Time

	conn     Connection
	portal   Portal
	set      SyncSettings
	fields   []FieldMapping
	props    map[string]HubSpotProperty
	mapped   map[string]string       // QuickBooks invoice id -> HubSpot invoice id
	contacts map[string]ContactMatch // lower-case e-mail -> contact; zero when none
}

// page is one query's invoices not done yet, and whether the query filled
// its page (more may follow).
type page struct {
	rows []CreatedInvoice
	full bool
	err  error
}

// run works the import; finished is true once it is done or failed.
func (r *importRun) run(ctx context.Context) (bool, error) {
	if err := r.retry(ctx, func() error { return r.prepare(ctx) }); err != nil {
		return r.stop(ctx, err)
	}
	cursor, skip := r.imp.Cursor, idSet(r.imp.CursorIDs)
	var cur page
	if err := r.retry(ctx, func() error {
		cur = r.fetch(ctx, cursor, skip)
		return cur.err
	}); err != nil {
		return r.stop(ctx, err)
	}
	for {
		if len(cur.rows) == 0 {
			return r.finish(ctx)
		}
		// The next page is read while this one is written (the cursor
		// after this page is known now): HubSpot's rate window, not
		// QuickBooks' answer time, sets the pace.
		var next chan page
		pctx, stopPrefetch := context.WithCancel(ctx)
		if cur.full {
			next = make(chan page, 1)
			nc, ns := advance(cursor, skip, cur.rows)
			go func() { next <- r.fetch(pctx, nc, ns) }()
			cursor, skip = nc, ns
		}
		for batch := range slices.Chunk(cur.rows, importBatch) {
			if r.sliced && !r.sliceEnd.IsZero() && r.s.now().After(r.sliceEnd) {
				stopPrefetch()
				return false, nil
			}
			if err := r.retry(ctx, func() error { return r.batch(ctx, batch) }); err != nil {
				stopPrefetch()
				return r.stop(ctx, err)
			}
		}
		if next == nil {
			stopPrefetch()
			return r.finish(ctx)
		}
		cur = <-next
		stopPrefetch()
		if cur.err != nil {
			if err := r.retry(ctx, func() error {
				cur = r.fetch(ctx, cursor, skip)
				return cur.err
			}); err != nil {
				return r.stop(ctx, err)
			}
		}
	}
}

// prepare reads what the run needs and counts the invoices the first time.
func (r *importRun) prepare(ctx context.Context) error {
	conn, err := r.s.store.Connection(ctx, r.imp.PortalID, r.imp.ConnectionID)
	if ErrorCode(err) == NotFound {
		return &importFailure{Errorf(NotFound, "The QuickBooks company of this import was removed from the app.")}
	}
	if err != nil {
		return err
	}
	r.conn = conn
	if err := r.s.importable(ctx, conn); err != nil {
		if Retryable(err) {
			return err
		}
		return &importFailure{err}
	}
	if r.portal, err = r.s.store.Portal(ctx, conn.PortalID); err != nil {
		return err
	}
	ps, err := r.s.store.PortalSettings(ctx, conn.PortalID)
	if err != nil {
		return err
	}
	r.set = ps.Invoices
	r.fields, _ = invoiceFieldsOf(ps)
	if r.props, err = r.s.invoiceProperties(ctx, r.objs, r.portal, false); err != nil {
		return err
	}
	if r.set.OnCreateOrUpdate == WriteCreateOrUpdate {
		if err := r.objs.EnsureInvoiceKeyProperty(ctx, r.portal); err != nil {
			return err
		}
	}
	if r.mapped, err = r.is.HubSpotInvoiceIDs(ctx, conn.ID); err != nil {
		return err
	}
	r.contacts = map[string]ContactMatch{}
	if r.imp.Total == 0 && r.imp.Done == 0 {
		n, err := r.pager.CountInvoices(ctx, conn)
		if err != nil {
			return err
		}
		r.imp.Total = n
		return r.save(ctx, nil)
	}
	return nil
}

// fetch reads the invoices created at or after cursor that are not done
// (skip: the ids done in cursor's second). A page that is all done
// invoices of cursor's second is passed by its position within it.
func (r *importRun) fetch(ctx context.Context, cursor time.Time, skip map[string]bool) page {
	start := 1
	for {
		rows, err := r.pager.InvoicesCreatedSince(ctx, r.conn, cursor, start, importPage)
		if err != nil {
			return page{err: err}
		}
		var undone []CreatedInvoice
		for _, row := range rows {
			sec := row.CreatedAt.Truncate(time.Second)
			if !cursor.IsZero() && (sec.Before(cursor) || sec.Equal(cursor) && skip[row.Invoice.ID]) {
				continue
			}
			undone = append(undone, row)
		}
		full := len(rows) == importPage
		if len(undone) > 0 || !full {
			return page{rows: undone, full: full}
		}
		start += len(rows)
	}
}

// advance is the cursor and skip set after rows (in CreateTime order)
// are done.
func advance(cursor time.Time, skip map[string]bool, rows []CreatedInvoice) (time.Time, map[string]bool) {
	out := map[string]bool{}
	for id := range skip {
		out[id] = true
	}
	for _, row := range rows {
		sec := row.CreatedAt.Truncate(time.Second)
		if sec.After(cursor) {
			cursor, out = sec, map[string]bool{}
		}
		if sec.Equal(cursor) {
			out[row.Invoice.ID] = true
		}
	}
	return cursor, out
}

func idSet(ids []string) map[string]bool {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}

// retry runs fn until it succeeds, retrying a transient failure (after a
// backoff in a full run; in a slice the job's own backoff does) until
// maxImportFailures in a row; a failure retrying cannot fix is final. A
// lost lease and the end of ctx are returned as they are.
func (r *importRun) retry(ctx context.Context, fn func() error) error {
	for {
		err := fn()
		var fe *importFailure
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil, errors.Is(err, errBusy), errors.As(err, &fe):
			return err
		case !Retryable(err):
			return &importFailure{err}
		}
		r.imp.Failures++
		r.imp.Error = ErrorMessage(err)
		r.s.log.WarnContext(ctx, "invoice import: transient failure", "import", r.imp.ID, "failures", r.imp.Failures, "err", err)
		if r.imp.Failures >= maxImportFailures {
			return &importFailure{err}
		}
		if serr := r.save(ctx, nil); serr != nil {
			return serr
		}
		r.report()
		if r.sliced {
			return err
		}
		wait := min(time.Duration(1<<min(r.imp.Failures, 10))*time.Second, maxImportBackoff)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// stop ends a run on err: a final failure fails the import; anything else
// leaves it unfinished.
func (r *importRun) stop(ctx context.Context, err error) (bool, error) {
	var fe *importFailure
	if !errors.As(err, &fe) || ctx.Err() != nil {
		return false, err
	}
	r.imp.State = ImportFailed
	r.imp.FinishedAt = r.s.now()
	r.imp.Error = failureSentence(r.imp, fe.err)
	r.s.log.WarnContext(ctx, "invoice import failed", "import", r.imp.ID, "connection", r.imp.ConnectionID,
		"done", r.imp.Done, "total", r.imp.Total, "err", fe.err)
	if serr := r.save(ctx, nil); serr != nil {
		return false, serr
	}
	r.report()
	msg := r.imp.Error
	if !strings.Contains(msg, "Start it again") {
		msg += " Retry to start it again."
	}
	r.s.recordSync(ctx, r.logEntry(ActionFailed, OutcomeFailed, msg))
	return true, &importFailure{Errorf(ErrorCode(fe.err), "%s", r.imp.Error)}
}

// failureSentence says why an import stopped and what to do.
func failureSentence(imp Import, err error) string {
	msg := strings.TrimSpace(ErrorMessage(err))
	if !strings.HasSuffix(msg, ".") {
		msg += "."
	}
	if imp.Done == 0 {
		return "The import stopped before any invoice was copied: " + msg
	}
	return fmt.Sprintf("The import stopped after %s of %s invoices: %s Start it again to go on from there.",
		groupDigits(imp.Done), groupDigits(max(imp.Total, imp.Done)), msg)
}

// finish marks the import done.
func (r *importRun) finish(ctx context.Context) (bool, error) {
	r.imp.State = ImportDone
	r.imp.FinishedAt = r.s.now()
	r.imp.Total = r.imp.Done // invoices created or deleted meanwhile counted in or out
	r.imp.Error, r.imp.Failures = "", 0
	if err := r.save(ctx, nil); err != nil {
		return false, err
	}
	r.s.log.InfoContext(ctx, "invoice import done", "import", r.imp.ID, "connection", r.imp.ConnectionID, "invoices", r.imp.Done)
	r.report()
	return true, nil
}

// save stores the import's progress and the new mapping rows; a lost lease
// ends the run.
func (r *importRun) save(ctx context.Context, pairs map[string]string) error {
	now := r.s.now()
	r.imp.Samples = addSample(r.imp.Samples, ProgressSample{At: now, Done: r.imp.Done})
	err := r.st.SaveImportProgress(ctx, r.imp, r.owner, pairs)
	if ErrorCode(err) == Conflict {
		return errImportBusy()
	}
	if err == nil {
		r.imp.UpdatedAt = now
	}
	return err
}

// report tells the progress callback.
func (r *importRun) report() {
	if r.progress != nil {
		r.progress(progressOf(r.imp, r.s.now()))
	}
}

// addSample keeps samples at least sampleEvery apart within sampleKeep
// (and one older), the newest last: a last sample less than sampleEvery
// after the one before it is replaced.
func addSample(samples []ProgressSample, s ProgressSample) []ProgressSample {
	if n := len(samples); n > 1 && samples[n-1].At.Sub(samples[n-2].At) < sampleEvery {
		samples = samples[:n-1]
	}
	samples = append(samples, s)
	cut := 0
	for cut < len(samples)-2 && s.At.Sub(samples[cut+1].At) > sampleKeep {
		cut++
	}
	return slices.Clone(samples[cut:])
}

// batch writes up to importBatch invoices to HubSpot, associates them, and
// stores the progress after them.
func (r *importRun) batch(ctx context.Context, rows []CreatedInvoice) error {
	today := Today(r.s.now(), r.conn.TimeZone)
	write := r.set.OnCreateOrUpdate
	updates := map[string]map[string]string{} // HubSpot id -> values
	updatedQBO := map[string]int{}            // HubSpot id -> row index
	written := map[string]string{}            // QuickBooks id -> HubSpot id, to associate
	pairs := map[string]string{}              // new mapping rows
	var creates []int                         // row indexes
	var archives []string
	retired := 0 // voided or deleted ones archived or marked, for the sync log
	values := make([]map[string]string, len(rows))
	for i, row := range rows {
		inv := row.Invoice
		id := r.mapped[inv.ID]
		if st := inv.Status(today); inv.Deleted || st == StatusVoided {
			// As the live sync: OnDelete applies to an invoice copied
			// before; one never copied stays out.
			switch {
			case id == "":
			case r.set.OnDelete == DeleteKeep:
				updates[id], updatedQBO[id] = retiredValues(st, r.fields, r.props), i
				retired++
			case r.set.OnDelete == DeleteArchive:
				archives = append(archives, id)
				retired++
			}
			continue
		}
		values[i] = invoiceValues(r.fields, r.props, inv, r.conn, r.portal, today)
		switch {
		case id != "":
			updates[id], updatedQBO[id] = values[i], i
			written[inv.ID] = id
		case write == WriteCreateOrUpdate:
			creates = append(creates, i)
		}
	}
	if len(updates) > 0 {
		missing, err := r.batches.UpdateInvoices(ctx, r.portal, updates)
		if err != nil {
			return err
		}
		for _, id := range missing {
			// Archived or deleted in HubSpot: made again under
			// create_or_update, as the live sync does.
			i := updatedQBO[id]
			delete(written, rows[i].Invoice.ID)
			if values[i] != nil && write == WriteCreateOrUpdate {
				creates = append(creates, i)
			}
		}
	}
	for _, id := range archives {
		if err := r.objs.ArchiveInvoice(ctx, r.portal, id); err != nil {
			return err
		}
	}
	if len(creates) > 0 {
		made, err := r.findOrCreate(ctx, rows, values, creates)
		if err != nil {
			return err
		}
		for qid, hid := range made {
			pairs[qid], written[qid] = hid, hid
		}
	}
	if err := r.associate(ctx, rows, written); err != nil {
		return err
	}
	snaps := make([]Snapshot, len(rows))
	now := r.s.now()
	for i, row := range rows {
		snaps[i] = Snapshot{ConnectionID: r.conn.ID, Invoice: row.Invoice, FetchedAt: now}
	}
	if err := r.s.store.SaveSnapshots(ctx, snaps); err != nil {
		return err
	}
	r.imp.Cursor, r.imp.CursorIDs = advanceIDs(r.imp.Cursor, r.imp.CursorIDs, rows)
	r.imp.Done += len(rows)
	r.imp.Failures, r.imp.Error = 0, ""
	if err := r.save(ctx, pairs); err != nil {
		return err
	}
	for qid, hid := range pairs {
		r.mapped[qid] = hid
	}
	r.report()
	r.s.recordSync(ctx, r.logEntry(ActionImported, OutcomeSucceeded, importBatchSentence(len(rows), len(pairs), len(written)-len(pairs), retired)))
	return nil
}

// logEntry is the sync log's entry (synclog.go) of this import: one per
// batch, and one when it fails for good, whose retry starts it again.
func (r *importRun) logEntry(action SyncAction, outcome SyncOutcome, message string) SyncLogEntry {
	return SyncLogEntry{PortalID: r.imp.PortalID, ConnectionID: r.imp.ConnectionID, Object: SyncInvoices,
		Action: action, Outcome: outcome, Message: message, At: r.s.now(), Source: SourceImport, RealmID: r.conn.RealmID}
}

// importBatchSentence sums up a batch for the sync log.
func importBatchSentence(rows, created, updated, retired int) string {
	return fmt.Sprintf("Import: %d invoices processed: %d copied to HubSpot, %d updated, %d voided or deleted ones archived or marked, %d left out.",
		rows, created, updated, retired, rows-created-updated-retired)
}

// advanceIDs is advance on the stored form of the cursor.
func advanceIDs(cursor time.Time, ids []string, rows []CreatedInvoice) (time.Time, []string) {
	c, set := advance(cursor, idSet(ids), rows)
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return c, out
}

// findOrCreate makes the HubSpot invoices of rows[creates]: first looked
// up by key (a create whose mapping row was lost, or made by the live sync
// meanwhile, is found and updated), the rest created in one batch. A
// create that collides on a key (made meanwhile elsewhere) is looked up
// again. It answers QuickBooks id to HubSpot id.
func (r *importRun) findOrCreate(ctx context.Context, rows []CreatedInvoice, values []map[string]string, creates []int) (map[string]string, error) {
	made := map[string]string{}
	byKey := map[string]int{}
	for _, i := range creates {
		byKey[InvoiceKey(r.conn.RealmID, rows[i].Invoice.ID)] = i
	}
	lookup := func() error {
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		found, err := r.batches.FindInvoicesByKeys(ctx, r.portal, keys)
		if err != nil {
			return err
		}
		updates := map[string]map[string]string{}
		for key, id := range found {
			i, ok := byKey[key]
			if !ok {
				continue
			}
			updates[id] = values[i]
			made[rows[i].Invoice.ID] = id
			delete(byKey, key)
		}
		if len(updates) > 0 {
			_, err = r.batches.UpdateInvoices(ctx, r.portal, updates)
		}
		return err
	}
	if err := lookup(); err != nil {
		return nil, err
	}
	for attempt := 1; len(byKey) > 0; attempt++ {
		keys := make([]string, 0, len(byKey))
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		inputs := make([]map[string]string, len(keys))
		for n, key := range keys {
			inv := rows[byKey[key]].Invoice
			inputs[n] = createProperties(values[byKey[key]], key, invoiceCurrency(inv, r.conn))
		}
		created, err := r.batches.CreateInvoices(ctx, r.portal, inputs)
		if ErrorCode(err) == Conflict && attempt < 3 {
			if err := lookup(); err != nil {
				return nil, err
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		for key, id := range created {
			if i, ok := byKey[key]; ok {
				made[rows[i].Invoice.ID] = id
			}
		}
		break
	}
	return made, nil
}

// associate associates the written invoices as the live sync does
// (associateHubSpotInvoice): with their linked deals, and the contact of
// their e-mail and its primary company, one batch per record type.
// Contacts are looked up once per address per run.
func (r *importRun) associate(ctx context.Context, rows []CreatedInvoice, written map[string]string) error {
	if len(written) == 0 {
		return nil
	}
	pairs := map[ObjectType][]InvoiceAssociation{}
	emails := map[string]string{} // HubSpot invoice id -> lower-case address
	var unknown []string
	for _, row := range rows {
		inv := row.Invoice
		hid, ok := written[inv.ID]
		if !ok {
			continue
		}
		deals, err := r.s.linkedDeals(ctx, r.conn, inv.ID)
		if err != nil {
			return err
		}
		for _, d := range deals {
			pairs[Deals] = append(pairs[Deals], InvoiceAssociation{RecordID: d.ID, InvoiceID: hid})
		}
		email, err := r.s.invoiceEmail(ctx, r.conn, inv)
		if err != nil {
			return err
		}
		if email = strings.ToLower(email); email != "" {
			emails[hid] = email
			if _, seen := r.contacts[email]; !seen && !slices.Contains(unknown, email) {
				unknown = append(unknown, email)
			}
		}
	}
	if len(unknown) > 0 {
		found, err := r.batches.FindContactsByEmails(ctx, r.portal, unknown)
		if err != nil {
			return err
		}
		for _, e := range unknown {
			r.contacts[e] = found[e] // zero: no contact, not asked again this run
		}
	}
	hids := make([]string, 0, len(emails))
	for hid := range emails {
		hids = append(hids, hid)
	}
	sort.Strings(hids)
	for _, hid := range hids {
		m := r.contacts[emails[hid]]
		if m.ContactID != "" {
			pairs[Contacts] = append(pairs[Contacts], InvoiceAssociation{RecordID: m.ContactID, InvoiceID: hid})
		}
		if m.PrimaryCompanyID != "" {
			pairs[Companies] = append(pairs[Companies], InvoiceAssociation{RecordID: m.PrimaryCompanyID, InvoiceID: hid})
		}
	}
	for _, t := range []ObjectType{Deals, Contacts, Companies} {
		if len(pairs[t]) == 0 {
			continue
		}
		if err := r.batches.AssociateInvoices(ctx, r.portal, t, pairs[t]); err != nil {
			return err
		}
	}
	return nil
}

// progressOf is an import's progress at now.
func progressOf(imp Import, now time.Time) ImportProgress {
	p := ImportProgress{ID: imp.ID, ConnectionID: imp.ConnectionID, State: imp.State, Done: imp.Done,
		Total: max(imp.Total, imp.Done), ETA: -1, Error: imp.Error, StartedAt: imp.StartedAt,
		UpdatedAt: imp.UpdatedAt, FinishedAt: imp.FinishedAt}
	if imp.State.Finished() {
		p.RatePerSecond = round1(rateOf(imp.Samples, imp.Done, imp.FinishedAt))
		if imp.State == ImportDone {
			p.ETA = 0
		}
		return p
	}
	p.RatePerSecond = round1(rateOf(imp.Samples, imp.Done, now))
	if p.RatePerSecond > 0 {
		p.ETA = time.Duration(float64(p.Total-p.Done) / p.RatePerSecond * float64(time.Second)).Round(time.Second)
	}
	return p
}

// rateOf is the invoices per second from the newest sample at or before
// rateWindow ago (else the oldest sample) to (now, done).
func rateOf(samples []ProgressSample, done int, now time.Time) float64 {
	if len(samples) == 0 {
		return 0
	}
	from := samples[0]
	for _, s := range samples {
		if !s.At.After(now.Add(-rateWindow)) {
			from = s
		}
	}
	d := now.Sub(from.At).Seconds()
	if d < 1 || done <= from.Done {
		return 0
	}
	return float64(done-from.Done) / d
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// groupDigits writes n with thousands separators: 10,000.
func groupDigits(n int) string {
	if n < 0 {
		return "-" + groupDigits(-n)
	}
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
