package app

import (
	"context"
	"time"
)

// Keeping the books in step (issue 8): QuickBooks tells us what changed,
// by webhook (near real time, best effort) and by change data capture
// (CDC, a periodic reconcile that heals whatever webhooks missed); a
// durable queue runs the work; the use cases in sync.go apply it.

// Entities QuickBooks reports changes of that the service acts on.
const (
	EntityInvoice     = "Invoice"
	EntityPayment     = "Payment"
	EntityCustomer    = "Customer"
	EntityItem        = "Item"
	EntityTerm        = "Term"
	EntityPreferences = "Preferences"
)

// Change operations, as QuickBooks' webhooks name them.
const (
	OpCreate  = "Create"
	OpUpdate  = "Update"
	OpDelete  = "Delete"
	OpMerge   = "Merge"
	OpVoid    = "Void"
	OpEmailed = "Emailed"
)

// Change is one notification that an entity of a QuickBooks company
// changed. It carries no field values: the entity is read again when the
// change is applied, so changes applied late or twice do no harm.
type Change struct {
	RealmID     string
	Entity      string    // EntityInvoice, ...
	EntityID    string    // QuickBooks Id
	Operation   string    // OpCreate, ...
	LastUpdated time.Time // when QuickBooks changed it; orders the changes of one entity
	DeletedID   string    // for a merge: the entity merged away
}

// Jobs is the durable work queue (an adapter over a queue library on the
// store's database). Work handed to it survives a crash of the process and
// runs on some replica, retried with backoff until it succeeds or fails
// for good.
type Jobs interface {
	// EnqueueChanges records changes for ApplyChange; it returns once they
	// are durable. A change already recorded (same realm, entity, id,
	// operation and LastUpdated) is recorded once.
	EnqueueChanges(ctx context.Context, changes []Change) error
}

// ChangeSet is what CDC reports for one company since a time.
type ChangeSet struct {
	// Time is QuickBooks' clock when it answered: the next reconcile asks
	// for changes since it (less an overlap).
	Time time.Time
	// Changes are the changed entities, oldest change first per entity
	// kind. Invoices carry their full state (Invoice set), payments the
	// invoices they pay (InvoiceIDs), so applying them costs no more reads.
	Changes []EntityChange
}

// EntityChange is one entity CDC reports as changed.
type EntityChange struct {
	Entity      string
	EntityID    string
	LastUpdated time.Time
	Deleted     bool
	Invoice     *Invoice // EntityInvoice, not deleted
	InvoiceIDs  []string // EntityPayment, not deleted: the invoices it pays
	// ReadAt is when QuickBooks was asked (our clock), so a snapshot read
	// later by another path wins over Invoice; zero means now.
	ReadAt time.Time
}

// SyncState is what the background work remembers per connection.
type SyncState struct {
	// CDCSince is where the next reconcile starts; zero before the first.
	CDCSince time.Time
	// SweptThrough is the company-local date the overdue sweep last ran
	// for; zero before the first.
	SweptThrough Date
}

// ChangeFeed is what the sync reads of QuickBooks, beyond QuickBooks.
type ChangeFeed interface {
	// Changes reports, through CDC, what changed among entities in the
	// connection's company since since (QuickBooks keeps 30 days). The
	// implementation pages past QuickBooks' 1,000 objects per answer, so the
	// set is complete up to ChangeSet.Time.
	Changes(ctx context.Context, conn Connection, entities []string, since time.Time) (ChangeSet, error)
	// PaymentInvoices returns the ids of the invoices a payment applies to
	// (its lines' LinkedTxn of type Invoice); NotFound when QuickBooks no
	// longer has the payment.
	PaymentInvoices(ctx context.Context, conn Connection, paymentID string) ([]string, error)
}

// SyncStore is the durable state of the background sync. Unlike Store's
// card queries it reads across portals: a webhook names only a realm, and
// reconcile and the overdue sweep visit every connection.
type SyncStore interface {
	// ConnectionsOfRealm lists every portal's connections to the realm,
	// oldest first; none when no portal connected it.
	ConnectionsOfRealm(ctx context.Context, realmID string) ([]Connection, error)
	// ActiveConnections lists every connection in state Connected, of every
	// portal, oldest first.
	ActiveConnections(ctx context.Context) ([]Connection, error)
	// ConnectionByID returns one connection of any portal; NotFound when
	// there is none.
	ConnectionByID(ctx context.Context, connectionID string) (Connection, error)
	// SaveCompanySettings replaces a connection's company fields (name,
	// country, currency, time zone, custom numbers) from c, only while the
	// connection is Connected; its tokens and state are never touched, so a
	// refresh or a disconnect meanwhile stands.
	SaveCompanySettings(ctx context.Context, c Connection) error
	// LinkedInvoiceIDs lists, once each, the ids of the connection's
	// invoices linked to any record.
	LinkedInvoiceIDs(ctx context.Context, connectionID string) ([]string, error)
	// LinksOfInvoices lists the links of a connection's invoices, on any
	// record of its portal, in one query (ids: at most 1,000).
	LinksOfInvoices(ctx context.Context, connectionID string, invoiceIDs []string) ([]InvoiceLink, error)

	// SyncState returns what the sync remembers of a connection; the zero
	// SyncState when nothing is stored yet.
	SyncState(ctx context.Context, connectionID string) (SyncState, error)
	// SaveCDCSince stores where the connection's next reconcile starts.
	SaveCDCSince(ctx context.Context, connectionID string, since time.Time) error
	// SaveSweptThrough stores the date the connection's overdue sweep ran
	// for.
	SaveSweptThrough(ctx context.Context, connectionID string, d Date) error

	// EntityVersion is the LastUpdated of the newest change applied to an
	// entity of the connection's company; zero when none was.
	EntityVersion(ctx context.Context, connectionID, entity, entityID string) (time.Time, error)
	// SaveEntityVersion records that a change at lastUpdated was applied;
	// a stored later time is kept, so the version never moves back.
	SaveEntityVersion(ctx context.Context, connectionID, entity, entityID string, lastUpdated time.Time) error

	// WebhookReceived reports whether a webhook body with digest was
	// accepted at or after since.
	WebhookReceived(ctx context.Context, digest string, since time.Time) (bool, error)
	// RememberWebhook records that a body with digest was accepted at at,
	// and forgets the bodies accepted before forgetBefore.
	RememberWebhook(ctx context.Context, digest string, at, forgetBefore time.Time) error
}
