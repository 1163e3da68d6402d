package app

import (
	"context"
	"time"
)

// Store is the durable state: portals, connections with their encrypted
// tokens, invoice links and invoice snapshots. Every query is scoped by
// portal or connection; nothing reads across tenants.
type Store interface {
	// Ping reports whether the store can be reached (for /readyz).
	Ping(ctx context.Context) error

	// SavePortal creates or updates a portal.
	SavePortal(ctx context.Context, p Portal) error
	// Portal returns one portal; NotFound if it never installed.
	Portal(ctx context.Context, id int64) (Portal, error)

	// SaveConnection creates the connection of (PortalID, RealmID) or updates
	// it, keeping its ID; it returns the stored connection.
	SaveConnection(ctx context.Context, c Connection) (Connection, error)
	// Connections lists a portal's connections, oldest first.
	Connections(ctx context.Context, portalID int64) ([]Connection, error)
	// Connection returns one of the portal's connections; NotFound when it
	// does not exist or belongs to another portal (which is not revealed).
	Connection(ctx context.Context, portalID int64, id string) (Connection, error)
	// SaveTokens replaces a connection's tokens; NotFound if it is gone.
	SaveTokens(ctx context.Context, connectionID string, t Tokens) error

	// SpendOAuthState records that the signed OAuth state with nonce,
	// issued to portalID and valid until expiresAt, was used; it reports
	// whether this call spent it (false: spent before). Concurrent calls
	// with one nonce spend it exactly once.
	SpendOAuthState(ctx context.Context, nonce string, portalID int64, expiresAt time.Time) (bool, error)

	// Links lists the invoice links of one record, oldest first.
	Links(ctx context.Context, portalID int64, obj ObjectRef) ([]InvoiceLink, error)
	// AddLink stores a link unless the same invoice is already linked to the
	// record; it returns the stored link and whether it is new. NotFound if
	// the connection is not the portal's.
	AddLink(ctx context.Context, l InvoiceLink) (InvoiceLink, bool, error)
	// InvoiceLinks lists the portal's links to one invoice of a connection,
	// on any record; none when the invoice is not linked in this portal.
	InvoiceLinks(ctx context.Context, portalID int64, connectionID, invoiceID string) ([]InvoiceLink, error)
	// DeleteLink removes one link of a record; NotFound if there is none.
	DeleteLink(ctx context.Context, portalID int64, obj ObjectRef, linkID string) error

	// Snapshots returns the stored snapshots of a connection's invoices,
	// keyed by invoice id; ids without one are absent.
	Snapshots(ctx context.Context, connectionID string, invoiceIDs []string) (map[string]Snapshot, error)
	// SaveSnapshots stores snapshots, replacing ones of the same invoices
	// fetched earlier; a snapshot fetched before the stored one is dropped,
	// so a slow read never overwrites a fresher one.
	SaveSnapshots(ctx context.Context, snaps []Snapshot) error

	// StartAttempt stores a, unless an attempt is already stored under
	// (a.PortalID, a.Key): then it returns that one and created is false.
	// Concurrent calls with one key store exactly one attempt.
	StartAttempt(ctx context.Context, a Attempt) (stored Attempt, created bool, err error)
	// ClaimAttempt takes the hold on the portal's unfinished attempt under
	// key until the given time, unless another caller holds it; it reports
	// whether the caller now holds it. A finished attempt is never claimed.
	ClaimAttempt(ctx context.Context, portalID int64, key string, until time.Time) (bool, error)
	// MarkAttemptSent records what the portal's unfinished attempt under
	// key is about to send QuickBooks (JSON); the first payload stays.
	// NotFound when there is no unfinished attempt under key.
	MarkAttemptSent(ctx context.Context, portalID int64, key string, sent []byte) error
	// ReleaseAttempt gives up the hold on an unfinished attempt.
	ReleaseAttempt(ctx context.Context, portalID int64, key string) error
	// FinishAttempt records the answer of the portal's attempt under key;
	// NotFound if there is none.
	FinishAttempt(ctx context.Context, portalID int64, key string, result []byte) error

	// PortalSettings returns the portal's settings: what was saved, and
	// DefaultPortalSettings for what never was.
	PortalSettings(ctx context.Context, portalID int64) (PortalSettings, error)
	// SaveDefaultConnection stores the portal's default connection, ""
	// for none; NotFound if the connection is not the portal's. The
	// default and each kind's sync settings are saved apart, so two admins
	// changing different settings at once never undo each other.
	SaveDefaultConnection(ctx context.Context, portalID int64, connectionID string) error
	// SaveSyncSettings replaces one kind's sync settings, as given
	// (EnabledAt included).
	SaveSyncSettings(ctx context.Context, portalID int64, object SyncObject, s SyncSettings) error
}

// Attempt is one create request from the card, stored before any call to
// QuickBooks so that a retry, a double click or a crash never makes a second
// invoice: the QBO requestids derive from (PortalID, Key).
type Attempt struct {
	PortalID     int64
	Key          string // the card's idempotencyKey, 8 to 100 characters
	BodyHash     string // hex SHA-256 of the request; the same key with another body is a conflict
	Object       ObjectRef
	ConnectionID string
	Result       []byte // the answer, JSON, once the create finished; nil before
	Sent         []byte // what was sent QuickBooks, JSON (MarkAttemptSent); nil before
	CreatedAt    time.Time
	FinishedAt   time.Time
}
