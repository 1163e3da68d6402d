package app

import (
	"fmt"
	"time"
)

// Portal is a HubSpot account that installed the app.
type Portal struct {
	ID          int64
	State       PortalState // "" is saved as PortalInstalled
	Currency    string      // the portal's company currency
	TimeZone    string
	Tokens      Tokens // HubSpot OAuth tokens; encrypted at rest
	InstalledAt time.Time
}

// PortalState says whether the app can reach a portal's HubSpot account.
type PortalState string

// The portal states.
const (
	PortalInstalled      PortalState = "installed"
	PortalNeedsReinstall PortalState = "needs_reinstall" // HubSpot refused the refresh token; no tokens kept
	PortalUninstalled    PortalState = "uninstalled"     // uninstalled through this app; no tokens kept
)

// Tokens are OAuth tokens. The store encrypts them at rest; they never reach
// logs, errors or the card.
type Tokens struct {
	Access           string
	Refresh          string
	AccessExpiresAt  time.Time
	RefreshExpiresAt time.Time
}

// String keeps tokens out of logs and errors even when a whole struct is
// printed.
func (Tokens) String() string { return "Tokens{REDACTED}" }

// GoString does the same for %#v.
func (Tokens) GoString() string { return "app.Tokens{REDACTED}" }

// ConnectionState says whether a QuickBooks company can be reached.
type ConnectionState string

// The connection states.
const (
	Connected      ConnectionState = "connected"
	NeedsReconnect ConnectionState = "needs_reconnect" // the refresh token was refused
	Disconnected   ConnectionState = "disconnected"    // the admin disconnected it; links stay
)

// Connection joins a HubSpot portal to one QuickBooks Online company (realm).
type Connection struct {
	ID               string // ours, stable across reconnects
	PortalID         int64
	RealmID          string
	CompanyName      string
	Country          string // ISO 3166 alpha-2, e.g. US, CA, GB
	Currency         string // home currency
	TimeZone         string // IANA zone of the company; "today" for due dates
	CustomTxnNumbers bool   // SalesFormsPrefs.CustomTxnNumbers
	MultiCurrency    bool   // CurrencyPrefs.MultiCurrencyEnabled: invoices in other currencies than Currency
	State            ConnectionState
	Tokens           Tokens
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// ObjectType is a CRM record type the card sits on.
type ObjectType string

// The record types of the card.
const (
	Deals     ObjectType = "deals"
	Contacts  ObjectType = "contacts"
	Companies ObjectType = "companies"
)

// ParseObjectType checks a record type from a URL.
func ParseObjectType(s string) (ObjectType, error) {
	switch t := ObjectType(s); t {
	case Deals, Contacts, Companies:
		return t, nil
	}
	return "", Errorf(Invalid, "The record type %q is not supported; use deals, contacts or companies.", s)
}

// ObjectRef names one CRM record.
type ObjectRef struct {
	Type ObjectType
	ID   string // HubSpot record id, digits
}

func (o ObjectRef) String() string { return fmt.Sprintf("%s/%s", o.Type, o.ID) }

// LinkOrigin says how an invoice came to be linked to a record.
type LinkOrigin string

// The link origins.
const (
	OriginCreated LinkOrigin = "created" // created from the card
	OriginAdded   LinkOrigin = "added"   // an existing QBO invoice added by a rep
)

// InvoiceLink ties one QBO invoice to one CRM record of a portal.
type InvoiceLink struct {
	ID           string
	PortalID     int64
	Object       ObjectRef
	ConnectionID string
	InvoiceID    string
	Origin       LinkOrigin
	CreatedAt    time.Time
}

// Snapshot is the last state of a linked invoice read from QBO, so a warm
// card view costs no QBO read.
type Snapshot struct {
	ConnectionID string
	Invoice      Invoice
	FetchedAt    time.Time
}
