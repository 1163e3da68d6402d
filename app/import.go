package app

import (
	"context"
	"time"
)

// Historical import (issues 8 and 9): a sync copies what changes from the
// moment it is turned on (EnabledAt); an import copies a company's existing
// records of one kind, all of them, whatever their age, the way that sync
// would: invoices into HubSpot invoices (importinvoices.go), customers into
// contacts and companies, and products and services (items) into products
// (importrecords.go). Each kind follows its sync's settings and matching
// (OnCreateOrUpdate, OnDelete for a voided or inactive record already in
// HubSpot, the field mapping, the stored pairs), so an import never makes a
// record the sync would not have made, nor a second one.
//
// One runner works every kind (importrun.go), the kind supplying how to
// page its records and how to write a batch of them:
//
//   - Order: QuickBooks' records by MetaData.CreateTime, which never
//     changes, paged with WHERE MetaData.CreateTime >= <cursor>
//     (importpaging.go). The cursor is the whole second of the last record
//     done, kept with the ids done in that second (QuickBooks times have
//     whole seconds, so several records may share one): a page skips those
//     ids. No offset paging, so records deleted meanwhile shift nothing,
//     updates move nothing, and records created meanwhile come last (newer
//     CreateTime). Only when a whole page is records already done in the
//     cursor's second (over 1000 created in one second) does it page by
//     STARTPOSITION within that second.
//   - HubSpot at its rate limit: the import's calls are marked background
//     (WithBackgroundPriority): the HubSpot adapter waits for room in the
//     portal's rate window before each call and leaves a tenth of it to
//     the card.
//   - Crash-safe: after each batch (or the part of one a slice had time
//     for) is written to HubSpot, the cursor, the count and the batch's
//     mapping rows are stored in one transaction
//     (ImportStore.SaveImportProgress). A crash repeats at most the batch
//     in flight, whose records HubSpot then finds by their unique key,
//     email or stored pair. One process works an import at a time,
//     holding a lease renewed every few seconds.
//   - Failures: a transient error (a service busy or down) is retried, the
//     import still unfinished, with its message in Error; after
//     maxImportFailures in a row, or at once for one retrying cannot fix
//     (a refused connection, the sync turned off, a value HubSpot refuses),
//     the import fails with a sentence saying why. Starting again makes a
//     new import that goes on from the failed one's cursor.
//   - The sync log (synclog.go) gets one summary entry per batch and one
//     failed entry when an import fails for good, whose retry starts it
//     again.

// ImportState is where an import stands.
type ImportState string

// The states of an import. Queued and running imports are unfinished; a
// connection has at most one unfinished import of each kind.
const (
	ImportQueued  ImportState = "queued"  // waiting for a worker (or resumed later after a crash)
	ImportRunning ImportState = "running" // a process holds it and works on it
	ImportDone    ImportState = "done"
	ImportFailed  ImportState = "failed"
)

// Finished reports whether the import will do no more.
func (s ImportState) Finished() bool { return s == ImportDone || s == ImportFailed }

// Import is one historical import of a connection's records of one kind,
// as stored.
type Import struct {
	ID           string
	PortalID     int64
	ConnectionID string
	// Object is what is imported: SyncInvoices, SyncContacts (customers) or
	// SyncProducts (items).
	Object SyncObject
	State  ImportState
	// Total is how many records the company had when the import counted
	// them; once done, Done (records created or deleted meanwhile are
	// counted in or out).
	Total int
	// Done is how many records were processed (written to HubSpot, or
	// left out by the portal's choices), in CreateTime order.
	Done int
	// Cursor is the CreateTime (a whole second) of the last record done;
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
	// CreateImport stores imp as a new queued import of its connection and
	// object, unless the connection has an unfinished import of that
	// object: then it returns that one and created is false. NotFound when
	// the connection is not the portal's.
	CreateImport(ctx context.Context, imp Import) (stored Import, created bool, err error)
	// Import reads one import; NotFound when there is none.
	Import(ctx context.Context, id string) (Import, error)
	// LatestImport is the connection's most recent import of object;
	// NotFound when it never had one.
	LatestImport(ctx context.Context, portalID int64, connectionID string, object SyncObject) (Import, error)
	// LatestImports lists the most recent import of each object of each of
	// the portal's connections that had one.
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
	// Cursor, CursorIDs, Error, Failures, Samples, FinishedAt) and, for an
	// invoice import, the HubSpot invoices made from the connection's
	// invoices (QuickBooks id to HubSpot id, as SaveHubSpotInvoiceID) in
	// one transaction, only while owner holds the lease (Conflict
	// otherwise, nothing stored). A finished state ends the lease.
	SaveImportProgress(ctx context.Context, imp Import, owner string, hubspotIDs map[string]string) error
}

// ImportJobs runs imports in the background (queue.Queue implements it;
// asserted from Deps.Jobs).
type ImportJobs interface {
	// EnqueueImport records a job that works the import until it is
	// finished; one job per unfinished import.
	EnqueueImport(ctx context.Context, importID string) error
}

// Created is a QuickBooks record with its MetaData.CreateTime, as an
// import pages them.
type Created[T any] struct {
	Record    T
	CreatedAt time.Time
}

// CreatedInvoice is an invoice with its CreateTime.
type CreatedInvoice = Created[Invoice]

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

// RecordPager pages through a company's customers and items, inactive ones
// included, as InvoicePager does invoices (quickbooks.Client implements it:
// asserted from Deps.InvoicePager, else Deps.QuickBooks). Rows carry what
// RecordReader's single reads carry (Inactive, UpdatedAt, a customer's
// phone and billing address).
type RecordPager interface {
	CountCustomers(ctx context.Context, conn Connection) (int, error)
	CustomersCreatedSince(ctx context.Context, conn Connection, since time.Time, start, limit int) ([]Created[Customer], error)
	CountItems(ctx context.Context, conn Connection) (int, error)
	ItemsCreatedSince(ctx context.Context, conn Connection, since time.Time, start, limit int) ([]Created[Item], error)
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
	Object       SyncObject
	State        ImportState
	Done, Total  int
	// RatePerSecond is the records per second over the last minutes
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
	importPage        = 1000 // records per QuickBooks query (its maximum)
	importLease       = 15 * time.Second
	importHeartbeat   = 5 * time.Second
	maxImportFailures = 8
	maxImportBackoff  = time.Minute
	rateWindow        = 2 * time.Minute
	sampleEvery       = 5 * time.Second
	sampleKeep        = 5 * time.Minute
)

// RecordNouns name the QuickBooks records an import of o copies, for a
// person: one and many ("customer", "customers").
func (o SyncObject) RecordNouns() (one, many string) {
	switch o {
	case SyncContacts:
		return "customer", "customers"
	case SyncProducts:
		return "product", "products"
	}
	return "invoice", "invoices"
}
