package app

import (
	"context"
	"fmt"
	"time"
)

// The app's settings page, per HubSpot portal: which QuickBooks company the
// card offers first, and what contact, product and invoice sync do. The
// choices mirror HubSpot's legacy QuickBooks integration (DESIGN.md section
// 8): sync runs from QuickBooks to HubSpot, and for each kind of record the
// admin says what a create or update in QuickBooks does in HubSpot, and what
// a delete does.

// SyncObject is a kind of record the sync keeps in step.
type SyncObject string

// The synced kinds: QuickBooks customers to HubSpot contacts, products and
// services to HubSpot products, invoices to HubSpot invoices.
const (
	SyncContacts SyncObject = "contacts"
	SyncProducts SyncObject = "products"
	SyncInvoices SyncObject = "invoices"
)

// SyncObjects lists the synced kinds in the order the settings page shows
// them.
var SyncObjects = []SyncObject{SyncContacts, SyncProducts, SyncInvoices}

// ParseSyncObject checks a synced kind from a URL.
func ParseSyncObject(s string) (SyncObject, error) {
	switch o := SyncObject(s); o {
	case SyncContacts, SyncProducts, SyncInvoices:
		return o, nil
	}
	return "", Errorf(Invalid, "There is no %q sync; choose contacts, products or invoices.", truncateRunes(s, 40))
}

// label names the sync in a rep's words, for messages.
func (o SyncObject) label() string {
	switch o {
	case SyncContacts:
		return "Contact sync"
	case SyncProducts:
		return "Product sync"
	}
	return "Invoice sync"
}

// source names the QuickBooks records the sync reads, for messages.
func (o SyncObject) source() string {
	switch o {
	case SyncContacts:
		return "QuickBooks customer"
	case SyncProducts:
		return "QuickBooks product or service"
	}
	return "QuickBooks invoice"
}

// WriteChoice is what the sync does in HubSpot when the QuickBooks record
// is created or updated.
type WriteChoice string

// The write choices.
const (
	WriteCreateOrUpdate WriteChoice = "create_or_update" // create the HubSpot record, or update its match
	WriteUpdateOnly     WriteChoice = "update_only"      // update a matching HubSpot record; never create one
	WriteNothing        WriteChoice = "nothing"          // ignore creates and updates
)

// DeleteChoice is what the sync does in HubSpot when the QuickBooks record
// is deleted (for an invoice, also voided).
type DeleteChoice string

// The delete choices.
const (
	DeleteArchive DeleteChoice = "archive" // archive the HubSpot record
	DeleteKeep    DeleteChoice = "keep"    // keep the HubSpot record and mark it (an invoice shows voided or deleted)
	DeleteNothing DeleteChoice = "nothing" // ignore deletes
)

// SyncSettings say whether one kind of record syncs and what changes in
// QuickBooks do in HubSpot.
type SyncSettings struct {
	Enabled          bool
	OnCreateOrUpdate WriteChoice
	OnDelete         DeleteChoice
	// EnabledAt is when the sync was last turned on: it syncs records
	// created or updated in QuickBooks since then, never the backlog. The
	// service sets it when the sync goes from off to on and keeps it
	// otherwise, also while off (the page can say "on from ... to ..." and
	// turning it on again starts afresh). Zero when never turned on.
	EnabledAt time.Time
}

// PortalSettings are one portal's settings as stored.
type PortalSettings struct {
	PortalID int64
	// DefaultConnectionID is the QuickBooks company the admin chose as the
	// default; "" when none was chosen (see SettingsView for the effective
	// default).
	DefaultConnectionID string
	Contacts            SyncSettings
	Products            SyncSettings
	Invoices            SyncSettings
	// InvoiceFields is the admin's mapping of QuickBooks invoice fields to
	// HubSpot invoice properties (invoicesync.go); nil until one is saved,
	// meaning DefaultInvoiceFields. Saved apart from Invoices, so changing
	// the mapping and the switches at once never undo each other.
	InvoiceFields []FieldMapping
	// ContactFields and ProductFields are the contact and product sync
	// mappings (contactsync.go, productsync.go); nil until one is saved,
	// meaning DefaultContactFields and DefaultProductFields.
	ContactFields []FieldMapping
	ProductFields []FieldMapping
	// UpdatedAt is the last time any setting was saved; zero when never.
	UpdatedAt time.Time
}

// FieldMapping sends one QuickBooks field to one HubSpot property.
type FieldMapping struct {
	QBO     QBOField // a field of the catalogue (QBOFields)
	HubSpot string   // the internal name of a HubSpot property
}

// DefaultPortalSettings are the settings of a portal that never saved any:
// every sync off; contacts and products create or update and ignore
// deletes; invoices create or update and keep (and mark) deleted ones, so
// a deal's invoice history never silently disappears.
func DefaultPortalSettings(portalID int64) PortalSettings {
	return PortalSettings{
		PortalID: portalID,
		Contacts: SyncSettings{OnCreateOrUpdate: WriteCreateOrUpdate, OnDelete: DeleteNothing},
		Products: SyncSettings{OnCreateOrUpdate: WriteCreateOrUpdate, OnDelete: DeleteNothing},
		Invoices: SyncSettings{OnCreateOrUpdate: WriteCreateOrUpdate, OnDelete: DeleteKeep},
	}
}

// Sync returns the settings of one kind of record, to read or change; nil
// for a kind this release does not know.
func (p *PortalSettings) Sync(o SyncObject) *SyncSettings {
	switch o {
	case SyncContacts:
		return &p.Contacts
	case SyncProducts:
		return &p.Products
	case SyncInvoices:
		return &p.Invoices
	}
	return nil
}

// validate checks the choices of one kind's settings; the message names
// the sync and the choices there are.
func (s SyncSettings) validate(o SyncObject) error {
	switch s.OnCreateOrUpdate {
	case WriteCreateOrUpdate, WriteUpdateOnly, WriteNothing:
	case "":
		return Errorf(Invalid, "%s: choose what happens when a %s is created or updated (onCreateOrUpdate: create_or_update, update_only or nothing).",
			o.label(), o.source())
	default:
		return Errorf(Invalid, "%s: %q is not a choice for when a %s is created or updated; choose create_or_update, update_only or nothing.",
			o.label(), truncateRunes(string(s.OnCreateOrUpdate), 40), o.source())
	}
	switch s.OnDelete {
	case DeleteArchive, DeleteKeep, DeleteNothing:
	case "":
		return Errorf(Invalid, "%s: choose what happens when a %s is deleted (onDelete: archive, keep or nothing).",
			o.label(), o.source())
	default:
		return Errorf(Invalid, "%s: %q is not a choice for when a %s is deleted; choose archive, keep or nothing.",
			o.label(), truncateRunes(string(s.OnDelete), 40), o.source())
	}
	return nil
}

// SettingsView is what the settings page shows.
type SettingsView struct {
	// Connections are the portal's QuickBooks companies, oldest first,
	// without tokens.
	Connections []Connection
	// DefaultConnectionID is the effective default company: the admin's
	// choice while it is not disconnected, else the oldest connected
	// company; "" when there is none.
	DefaultConnectionID string
	// DefaultImplicit is set when DefaultConnectionID is the oldest
	// connected company rather than the admin's choice.
	DefaultImplicit bool
	Contacts        SyncSettings
	Products        SyncSettings
	Invoices        SyncSettings
	// InvoiceFields is the invoice field mapping in force: the saved one,
	// else DefaultInvoiceFields (then InvoiceFieldsDefault is set).
	InvoiceFields        []FieldMapping
	InvoiceFieldsDefault bool
	// ContactFields and ProductFields are the contact and product
	// mappings in force (…Default: the defaults).
	ContactFields        []FieldMapping
	ContactFieldsDefault bool
	ProductFields        []FieldMapping
	ProductFieldsDefault bool
	// ProductUnmapped lists the writable HubSpot product properties no
	// QuickBooks field goes to; read only while product sync is on, nil
	// when unknown.
	ProductUnmapped []string
	UpdatedAt       time.Time
}

// Settings returns the portal's settings page: its companies, the default
// one and the sync settings (defaults for what was never saved).
func (s *Service) Settings(ctx context.Context, portalID int64) (SettingsView, error) {
	conns, err := s.store.Connections(ctx, portalID)
	if err != nil {
		return SettingsView{}, fmt.Errorf("settings of portal %d: list connections: %w", portalID, err)
	}
	ps, err := s.store.PortalSettings(ctx, portalID)
	if err != nil {
		return SettingsView{}, fmt.Errorf("settings of portal %d: %w", portalID, err)
	}
	for i := range conns {
		conns[i].Tokens = Tokens{} // the view goes to the settings page
	}
	v := SettingsView{Connections: conns, Contacts: ps.Contacts, Products: ps.Products, Invoices: ps.Invoices, UpdatedAt: ps.UpdatedAt}
	v.InvoiceFields, v.InvoiceFieldsDefault = invoiceFieldsOf(ps)
	v.ContactFields, v.ContactFieldsDefault = contactCatalogue.fieldsOf(ps)
	v.ProductFields, v.ProductFieldsDefault = productCatalogue.fieldsOf(ps)
	if ps.Products.Enabled {
		v.ProductUnmapped = s.unmappedProductProperties(ctx, portalID, v.ProductFields)
	}
	v.DefaultConnectionID, v.DefaultImplicit = effectiveDefault(conns, ps.DefaultConnectionID)
	return v, nil
}

// SetDefaultConnection makes one of the portal's companies the default,
// the one the card offers first; "" forgets the choice, so the oldest
// connected company is the default again. A company of another portal is
// NotFound; a disconnected one is refused. A company that needs
// reconnecting may be chosen: it is still the admin's company, and
// reconnecting keeps its id.
func (s *Service) SetDefaultConnection(ctx context.Context, portalID int64, connectionID string) (SettingsView, error) {
	if connectionID != "" {
		conn, err := s.store.Connection(ctx, portalID, connectionID)
		if err != nil {
			return SettingsView{}, fmt.Errorf("set default connection of portal %d: %w", portalID, err)
		}
		if conn.State == Disconnected {
			return SettingsView{}, Errorf(Invalid, "QuickBooks company %s is disconnected, so it cannot be the default; reconnect it first or choose a connected company.",
				companyName(conn))
		}
	}
	if err := s.store.SaveDefaultConnection(ctx, portalID, connectionID); err != nil {
		return SettingsView{}, fmt.Errorf("set default connection of portal %d: %w", portalID, err)
	}
	// Every card of the portal lists the default first: drop the ones
	// this process keeps, so the admin sees the change at once (other
	// replicas show it within their CardTTL).
	s.cards.forgetPrefix(fmt.Sprintf("%d:", portalID))
	s.log.InfoContext(ctx, "default connection set", "portal", portalID, "connection", connectionID)
	return s.Settings(ctx, portalID)
}

// SetSync replaces one kind's sync settings: object is contacts, products
// or invoices. EnabledAt is the service's: now when the sync goes from off
// to on, kept otherwise. Turning a sync on needs a QuickBooks company to
// sync with (the effective default); changing the choices of a sync that
// is already on does not, so a disconnected company never traps the admin.
func (s *Service) SetSync(ctx context.Context, portalID int64, object string, set SyncSettings) (SettingsView, error) {
	o, err := ParseSyncObject(object)
	if err != nil {
		return SettingsView{}, err
	}
	if err := set.validate(o); err != nil {
		return SettingsView{}, err
	}
	ps, err := s.store.PortalSettings(ctx, portalID)
	if err != nil {
		return SettingsView{}, fmt.Errorf("set %s sync of portal %d: %w", o, portalID, err)
	}
	was := *ps.Sync(o)
	set.EnabledAt = was.EnabledAt
	if set.Enabled && !was.Enabled {
		conns, err := s.store.Connections(ctx, portalID)
		if err != nil {
			return SettingsView{}, fmt.Errorf("set %s sync of portal %d: list connections: %w", o, portalID, err)
		}
		if id, _ := effectiveDefault(conns, ps.DefaultConnectionID); id == "" {
			return SettingsView{}, Errorf(NotConnected, "%s needs a connected QuickBooks company: connect one in the app settings first.", o.label())
		}
		if o == SyncInvoices {
			if _, _, err := s.invoiceSync(); err != nil {
				return SettingsView{}, err
			}
		}
		set.EnabledAt = s.now()
	}
	if err := s.store.SaveSyncSettings(ctx, portalID, o, set); err != nil {
		return SettingsView{}, fmt.Errorf("set %s sync of portal %d: %w", o, portalID, err)
	}
	s.log.InfoContext(ctx, "sync settings saved", "portal", portalID, "object", string(o), "enabled", set.Enabled,
		"on_create_or_update", string(set.OnCreateOrUpdate), "on_delete", string(set.OnDelete))
	return s.Settings(ctx, portalID)
}

// effectiveDefault is the company the card offers first: the admin's
// choice while it is not disconnected (a company that needs reconnecting
// stays the default: switching companies behind the admin's back would
// send invoices to the wrong books), else the oldest connected one, which
// is implicit. "" when the portal has no usable company.
func effectiveDefault(conns []Connection, chosen string) (id string, implicit bool) {
	if chosen != "" {
		for _, c := range conns {
			if c.ID == chosen && c.State != Disconnected {
				return c.ID, false
			}
		}
	}
	for _, c := range conns {
		if c.State == Connected {
			return c.ID, true
		}
	}
	return "", false
}

// defaultFirst returns conns with the effective default moved to the
// front; the others keep their order.
func defaultFirst(conns []Connection, chosen string) []Connection {
	id, _ := effectiveDefault(conns, chosen)
	if id == "" || len(conns) < 2 || conns[0].ID == id {
		return conns
	}
	out := make([]Connection, 0, len(conns))
	for _, c := range conns {
		if c.ID == id {
			out = append(out, c)
		}
	}
	for _, c := range conns {
		if c.ID != id {
			out = append(out, c)
		}
	}
	return out
}

func companyName(c Connection) string {
	if c.CompanyName != "" {
		return fmt.Sprintf("%q", c.CompanyName)
	}
	return c.RealmID
}
