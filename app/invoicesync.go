package app

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Invoice sync (issue 8): while a portal's invoice sync is on (settings.go,
// SyncInvoices), its QuickBooks invoices flow into HubSpot's invoice object
// (reference/hubspot.md 4.1, type 0-53), linked to a record or not.
//
//   - What flows: invoices created or updated in QuickBooks at or after
//     the sync's EnabledAt (MetaData.LastUpdatedTime, which QuickBooks
//     keeps to the second, so EnabledAt counts from its whole second).
//     OnCreateOrUpdate create_or_update creates the HubSpot invoice or
//     updates the one it made before; update_only only updates one it made
//     before; nothing ignores them. A deleted or voided invoice follows
//     OnDelete: archive archives the HubSpot invoice, keep keeps it and
//     marks it (hs_invoice_status voided), nothing leaves it.
//   - Where it runs: in the background sync (sync.go), from the webhook
//     and reconcile changes of invoices (applyInvoiceChange) and from the
//     overdue sweep (sweepConnection); never from a card request.
//   - One HubSpot invoice per QuickBooks invoice: see upsertHubSpotInvoice.

// InvoiceKeyProperty is the custom invoice property (hasUniqueValue) that
// names the QuickBooks invoice a HubSpot invoice was made from, as
// "<realm>:<invoice id>" (InvoiceKey). HubSpot refuses a second invoice
// with a key in use, and finds one by it without its search index.
const InvoiceKeyProperty = "qbo_invoice_key"

// InvoiceKey is the InvoiceKeyProperty value of a QuickBooks invoice. It is
// unique within a portal, which may connect several companies (realms).
func InvoiceKey(realmID, invoiceID string) string { return realmID + ":" + invoiceID }

// QBOField is a QuickBooks invoice field the invoice sync can send to a
// HubSpot invoice property.
type QBOField string

// The catalogue of QuickBooks invoice fields (QBOFields).
const (
	FieldDocNumber    QBOField = "DocNumber"
	FieldTxnDate      QBOField = "TxnDate"
	FieldDueDate      QBOField = "DueDate"
	FieldTotalAmt     QBOField = "TotalAmt"
	FieldBalance      QBOField = "Balance"
	FieldAmountPaid   QBOField = "AmountPaid" // TotalAmt − Balance
	FieldCustomerName QBOField = "CustomerName"
	FieldBillEmail    QBOField = "BillEmail"
	FieldCustomerMemo QBOField = "CustomerMemo"
	FieldPrivateNote  QBOField = "PrivateNote"
	FieldStatus       QBOField = "Status" // the card's status (InvoiceStatus)
	FieldCurrency     QBOField = "Currency"
)

// QBOFields is the catalogue, in the order the settings page lists it.
var QBOFields = []QBOField{FieldDocNumber, FieldTxnDate, FieldDueDate, FieldTotalAmt, FieldBalance, FieldAmountPaid,
	FieldCustomerName, FieldBillEmail, FieldCustomerMemo, FieldPrivateNote, FieldStatus, FieldCurrency}

// fieldKind is what a QuickBooks field holds, which decides the HubSpot
// property types it can go to.
type fieldKind int

const (
	kindText fieldKind = iota
	kindAmount
	kindDate
	kindStatus
)

func (f QBOField) kind() fieldKind {
	switch f {
	case FieldTxnDate, FieldDueDate:
		return kindDate
	case FieldTotalAmt, FieldBalance, FieldAmountPaid:
		return kindAmount
	case FieldStatus:
		return kindStatus
	}
	return kindText
}

// words names what the field holds and where it can go, for messages.
func (k fieldKind) words() (what, rule string) {
	switch k {
	case kindAmount:
		return "an amount", "amounts go to number or text properties"
	case kindDate:
		return "a date", "dates go to date, date-time or text properties"
	case kindStatus:
		return "the invoice status", "the status goes to text properties, or to dropdowns whose options cover every status"
	}
	return "text", "text goes to text properties"
}

// DefaultInvoiceFields is the mapping used until an admin saves one: the
// fields HubSpot's own QuickBooks sync fills (reference/hubspot.md 4.1).
func DefaultInvoiceFields() []FieldMapping {
	return []FieldMapping{
		{FieldDocNumber, "hs_number"},
		{FieldCurrency, "hs_currency"},
		{FieldTxnDate, "hs_invoice_date"},
		{FieldDueDate, "hs_due_date"},
		{FieldTotalAmt, "hs_amount_billed"},
		{FieldBalance, "hs_balance_due"},
		{FieldStatus, "hs_invoice_status"},
	}
}

// isDefaultPair reports whether f is one of DefaultInvoiceFields: those
// are HubSpot's own properties for the field, accepted whatever type the
// account reports for them (HubSpot may make hs_currency a dropdown).
func isDefaultPair(f FieldMapping) bool {
	for _, d := range DefaultInvoiceFields() {
		if d == f {
			return true
		}
	}
	return false
}

// invoiceFieldsOf is the mapping in force for a portal, and whether it is
// the default.
func invoiceFieldsOf(ps PortalSettings) ([]FieldMapping, bool) {
	if ps.InvoiceFields == nil {
		return DefaultInvoiceFields(), true
	}
	return ps.InvoiceFields, false
}

// HubSpotProperty is a HubSpot property definition, as far as the mapping
// cares.
type HubSpotProperty struct {
	Name      string
	Label     string
	Type      string   // string, number, date, datetime, enumeration, bool
	FieldType string   // text, select, ...
	Options   []string // enumeration option values
	// ReadOnly: the value cannot be written (read-only or calculated).
	ReadOnly bool
}

// InvoiceObjects is what invoice sync needs of HubSpot's invoice object,
// for one portal. Errors are classified as HubSpot's (hubspot.go).
type InvoiceObjects interface {
	// InvoiceProperties lists the portal's invoice properties, HubSpot's
	// and custom ones (GET /crm/v3/properties/invoices).
	InvoiceProperties(ctx context.Context, portal Portal) ([]HubSpotProperty, error)
	// EnsureInvoiceKeyProperty creates, if missing, the unique invoice
	// property InvoiceKeyProperty; safe to call again.
	EnsureInvoiceKeyProperty(ctx context.Context, portal Portal) error
	// FindInvoiceByKey returns the id of the live HubSpot invoice whose
	// InvoiceKeyProperty is key; "" when there is none.
	FindInvoiceByKey(ctx context.Context, portal Portal, key string) (string, error)
	// CreateInvoice creates an invoice with properties (hs_currency
	// required) and returns its id; Conflict when a unique value, the key,
	// is already another invoice's.
	CreateInvoice(ctx context.Context, portal Portal, properties map[string]string) (string, error)
	// UpdateInvoice writes properties of an invoice; "" clears one.
	// NotFound when the invoice is gone (archived in HubSpot included).
	UpdateInvoice(ctx context.Context, portal Portal, id string, properties map[string]string) error
	// ArchiveInvoice archives an invoice; an invoice already gone is not
	// an error.
	ArchiveInvoice(ctx context.Context, portal Portal, id string) error
	// AssociateInvoice associates the invoice with a deal, contact or
	// company (HUBSPOT_DEFINED 176, 178, 180); doing it twice is harmless.
	// NotFound when either record is gone.
	AssociateInvoice(ctx context.Context, portal Portal, invoiceID string, to ObjectRef) error
	// FindContactByEmail returns the contact whose email is email, and its
	// primary company when it has one; "" when there is none. It never
	// creates a contact.
	FindContactByEmail(ctx context.Context, portal Portal, email string) (contactID, primaryCompanyID string, err error)
}

// InvoiceSyncStore is what invoice sync keeps. The store (store.Store)
// implements it beside Store; it is asserted from Deps.Store rather than
// added to Store, so the card's stores and test doubles need not change.
type InvoiceSyncStore interface {
	// HubSpotInvoiceID returns the HubSpot invoice made from a QuickBooks
	// invoice of the connection; "" when none was.
	HubSpotInvoiceID(ctx context.Context, connectionID, invoiceID string) (string, error)
	// SaveHubSpotInvoiceID records (or replaces) which HubSpot invoice
	// was made from a QuickBooks invoice; NotFound when the connection is
	// gone.
	SaveHubSpotInvoiceID(ctx context.Context, connectionID, invoiceID, hubspotID string) error
	// HubSpotInvoiceIDs lists the connection's recorded pairs, QuickBooks
	// invoice id to HubSpot invoice id.
	HubSpotInvoiceIDs(ctx context.Context, connectionID string) (map[string]string, error)
	// SaveFieldMapping replaces the portal's field mapping of one synced
	// kind (only invoices today); PortalSettings reads it back.
	SaveFieldMapping(ctx context.Context, portalID int64, object SyncObject, fields []FieldMapping) error
}

// invoiceSync returns invoice sync's adapters; Unavailable when this
// server was not given them.
func (s *Service) invoiceSync() (InvoiceObjects, InvoiceSyncStore, error) {
	is, ok := s.store.(InvoiceSyncStore)
	if s.invoices == nil || !ok {
		return nil, nil, Errorf(Unavailable, "Invoice sync is not available on this server: it is not connected to HubSpot's invoices.")
	}
	return s.invoices, is, nil
}

// maxInvoiceFields bounds a mapping: the catalogue has 12 fields, and each
// may go to a few properties.
const maxInvoiceFields = 50

// SetInvoiceMapping replaces the portal's invoice field mapping with
// fields, after checking each pair against the portal's HubSpot invoice
// properties, read afresh: the QuickBooks field must be in the catalogue,
// the property must exist and be writable, their types must agree (an
// amount goes to a number or text property, a date to a date, date-time or
// text property, the status to a text property or to a dropdown whose
// options cover every status, anything to text, nothing to yes/no), and
// no property may take two fields. The first refused pair is named, both
// sides, in the Invalid error.
func (s *Service) SetInvoiceMapping(ctx context.Context, portalID int64, fields []FieldMapping) (SettingsView, error) {
	objs, is, err := s.invoiceSync()
	if err != nil {
		return SettingsView{}, err
	}
	if len(fields) == 0 {
		return SettingsView{}, Errorf(Invalid, "Map at least one QuickBooks field to a HubSpot invoice property (to go back to the defaults, send them).")
	}
	if len(fields) > maxInvoiceFields {
		return SettingsView{}, Errorf(Invalid, "A mapping holds at most %d fields; this one has %d.", maxInvoiceFields, len(fields))
	}
	portal, err := s.store.Portal(ctx, portalID)
	if ErrorCode(err) == NotFound || err == nil && portal.State != PortalInstalled && portal.State != "" {
		return SettingsView{}, Errorf(NotConnected, "The app is not installed in this HubSpot account, so its invoice properties cannot be read; install it again.")
	}
	if err != nil {
		return SettingsView{}, fmt.Errorf("set invoice mapping of portal %d: %w", portalID, err)
	}
	props, err := s.invoiceProperties(ctx, objs, portal, true)
	if err != nil {
		return SettingsView{}, fmt.Errorf("set invoice mapping of portal %d: read HubSpot's invoice properties: %w", portalID, err)
	}
	if err := validateInvoiceFields(fields, props); err != nil {
		return SettingsView{}, err
	}
	if err := is.SaveFieldMapping(ctx, portalID, SyncInvoices, fields); err != nil {
		return SettingsView{}, fmt.Errorf("set invoice mapping of portal %d: %w", portalID, err)
	}
	s.log.InfoContext(ctx, "invoice field mapping saved", "portal", portalID, "fields", len(fields))
	return s.Settings(ctx, portalID)
}

// validateInvoiceFields checks a mapping against the portal's invoice
// properties, by name.
func validateInvoiceFields(fields []FieldMapping, props map[string]HubSpotProperty) error {
	taken := map[string]QBOField{}
	for _, f := range fields {
		known := false
		for _, q := range QBOFields {
			known = known || q == f.QBO
		}
		if !known {
			names := make([]string, len(QBOFields))
			for i, q := range QBOFields {
				names[i] = string(q)
			}
			return Errorf(Invalid, "There is no QuickBooks invoice field %q; choose one of %s.", truncateRunes(string(f.QBO), 40), strings.Join(names, ", "))
		}
		if f.QBO == FieldCustomerMemo {
			return Errorf(Invalid, "QuickBooks field CustomerMemo cannot go to HubSpot property %s yet: the app does not read the customer memo from QuickBooks.",
				propertyWords(props, f.HubSpot))
		}
		p, ok := props[f.HubSpot]
		if !ok {
			return Errorf(Invalid, "QuickBooks field %s cannot go to HubSpot property %q: HubSpot has no invoice property of that name.",
				f.QBO, truncateRunes(f.HubSpot, 100))
		}
		if prev, dup := taken[f.HubSpot]; dup {
			return Errorf(Invalid, "HubSpot property %s is mapped twice (from QuickBooks fields %s and %s); each property takes one QuickBooks field.",
				propertyWords(props, f.HubSpot), prev, f.QBO)
		}
		taken[f.HubSpot] = f.QBO
		if err := checkFieldPair(f, p); err != nil {
			return err
		}
	}
	return nil
}

// propertyWords names a property as a rep sees it: "Invoice number"
// (hs_number).
func propertyWords(props map[string]HubSpotProperty, name string) string {
	if p, ok := props[name]; ok && p.Label != "" && p.Label != name {
		return fmt.Sprintf("%q (%s)", p.Label, name)
	}
	return fmt.Sprintf("%q", truncateRunes(name, 100))
}

// typeWords names a HubSpot property type in a rep's words.
func typeWords(t string) string {
	switch t {
	case "string":
		return "a text property"
	case "number":
		return "a number property"
	case "date":
		return "a date property"
	case "datetime":
		return "a date-time property"
	case "enumeration":
		return "a dropdown property"
	case "bool":
		return "a yes/no property"
	}
	return fmt.Sprintf("a property of type %q", t)
}

// allStatuses are the statuses a Status field writes, voided and deleted
// included (keep marks them).
var allStatuses = []InvoiceStatus{StatusAwaitingSend, StatusSent, StatusPartiallyPaid, StatusPaid, StatusOverdue, StatusVoided, StatusDeleted}

// checkFieldPair checks that one QuickBooks field can go to a property.
func checkFieldPair(f FieldMapping, p HubSpotProperty) error {
	prop := propertyWords(map[string]HubSpotProperty{p.Name: p}, p.Name)
	if p.Name == InvoiceKeyProperty {
		return Errorf(Invalid, "QuickBooks field %s cannot go to HubSpot property %s: the app keeps that property for itself, to find each invoice's HubSpot copy.", f.QBO, prop)
	}
	if isDefaultPair(f) {
		return nil
	}
	if p.ReadOnly {
		return Errorf(Invalid, "QuickBooks field %s cannot go to HubSpot property %s: HubSpot computes that property, so it cannot be written.", f.QBO, prop)
	}
	k := f.QBO.kind()
	ok := false
	switch p.Type {
	case "string":
		ok = true
	case "number":
		ok = k == kindAmount
	case "date", "datetime":
		ok = k == kindDate
	case "enumeration":
		if k == kindStatus {
			for _, st := range allStatuses {
				if _, has := statusOption(st, p); !has {
					return Errorf(Invalid, "QuickBooks field Status cannot go to HubSpot property %s: its options have no value for the status %q (add an option %q or %q).",
						prop, st.Label(), string(st), hubspotInvoiceStatus(st))
				}
			}
			ok = true
		}
	}
	if !ok {
		what, rule := k.words()
		return Errorf(Invalid, "QuickBooks field %s (%s) cannot go to HubSpot property %s, %s: %s.",
			f.QBO, what, prop, typeWords(p.Type), rule)
	}
	return nil
}

// hubspotInvoiceStatus is HubSpot's invoice status (hs_invoice_status:
// draft, open, paid, voided; reference/hubspot.md 4.1) for ours. HubSpot
// has no overdue or partly paid: those stay open; it has no deleted, so a
// deleted invoice kept in HubSpot shows voided.
func hubspotInvoiceStatus(st InvoiceStatus) string {
	switch st {
	case StatusAwaitingSend:
		return "draft"
	case StatusPaid:
		return "paid"
	case StatusVoided, StatusDeleted:
		return "voided"
	}
	return "open"
}

// statusOption is the value a status takes in a property: for a text
// property the status code; for a dropdown the option equal to the code
// (a custom "overdue" option gets overdue), else the one equal to HubSpot's
// status for it (hs_invoice_status's open). ok is false when the dropdown
// has neither.
func statusOption(st InvoiceStatus, p HubSpotProperty) (string, bool) {
	if p.Type != "enumeration" {
		return string(st), true
	}
	for _, want := range []string{string(st), hubspotInvoiceStatus(st)} {
		for _, o := range p.Options {
			if o == want {
				return o, true
			}
		}
		for _, o := range p.Options {
			if strings.EqualFold(o, want) {
				return o, true
			}
		}
	}
	return "", false
}

// invoicePropertiesTTL is how long a portal's invoice property definitions
// are reused by the sync; a mapping save reads them afresh.
const invoicePropertiesTTL = 5 * time.Minute

// invoiceProperties reads the portal's invoice properties by name, through
// the cache (shared by replicas); fresh skips it.
func (s *Service) invoiceProperties(ctx context.Context, objs InvoiceObjects, portal Portal, fresh bool) (map[string]HubSpotProperty, error) {
	key := CacheKey("hubspot-"+strconv.FormatInt(portal.ID, 10), "invoiceproperties")
	if fresh {
		if err := s.cache.Delete(ctx, key); err != nil {
			s.log.WarnContext(ctx, "forget cached invoice properties", "portal", portal.ID, "err", err)
		}
	}
	raw, err := s.cache.GetOrLoad(ctx, key, invoicePropertiesTTL, func(ctx context.Context) ([]byte, error) {
		props, err := objs.InvoiceProperties(ctx, portal)
		if err != nil {
			return nil, err
		}
		return json.Marshal(props)
	})
	if err != nil {
		return nil, err
	}
	var list []HubSpotProperty
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("decode cached invoice properties of portal %d: %w", portal.ID, err)
	}
	out := make(map[string]HubSpotProperty, len(list))
	for _, p := range list {
		out[p.Name] = p
	}
	return out, nil
}

// invoiceValues are the property values the mapping gives an invoice.
// Empty values are kept ("" clears a property on update). A field whose
// property is gone from HubSpot since the mapping was saved is left out.
func invoiceValues(fields []FieldMapping, props map[string]HubSpotProperty, inv Invoice, conn Connection, portal Portal, today Date) map[string]string {
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		p, ok := props[f.HubSpot]
		if !ok {
			continue
		}
		if v, ok := fieldValue(f.QBO, p, inv, inv.Status(today), conn, portal); ok {
			out[f.HubSpot] = v
		}
	}
	return out
}

// fieldValue is one field's value in the property's format: amounts as
// "197.00"; dates as YYYY-MM-DD in date and text properties, and as the
// epoch milliseconds of that day's midnight in the portal's time zone in
// date-time ones (so HubSpot shows the same day); the status per
// statusOption. ok is false for a value that cannot be written.
func fieldValue(f QBOField, p HubSpotProperty, inv Invoice, st InvoiceStatus, conn Connection, portal Portal) (string, bool) {
	date := func(d Date) (string, bool) {
		if d.IsZero() || p.Type != "datetime" {
			return d.String(), true
		}
		midnight := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, location(portal.TimeZone))
		return strconv.FormatInt(midnight.UnixMilli(), 10), true
	}
	switch f {
	case FieldDocNumber:
		return inv.DocNumber, true
	case FieldTxnDate:
		return date(inv.TxnDate)
	case FieldDueDate:
		return date(inv.DueDate)
	case FieldTotalAmt:
		return inv.Total.String(), true
	case FieldBalance:
		return inv.Balance.String(), true
	case FieldAmountPaid:
		return inv.AmountPaid().String(), true
	case FieldCustomerName:
		return inv.CustomerName, true
	case FieldBillEmail:
		return inv.BillEmail, true
	case FieldPrivateNote:
		return inv.PrivateNote, true
	case FieldStatus:
		return statusOption(st, p)
	case FieldCurrency:
		return invoiceCurrency(inv, conn), true
	}
	return "", false // CustomerMemo: not read from QuickBooks yet
}

func invoiceCurrency(inv Invoice, conn Connection) string {
	if inv.Currency != "" {
		return inv.Currency
	}
	return conn.Currency
}

// syncInvoice is invoice sync's part of applying a change to one of the
// connection's invoices. inv is the invoice's state when the caller read
// it already; otherwise it comes from the change (CDC) or from QuickBooks.
// It does nothing unless the portal's invoice sync is on, and reads
// nothing before knowing so. What it did, or why it failed, goes to the
// sync log (synclog.go).
func (s *Service) syncInvoice(ctx context.Context, conn Connection, ch EntityChange, inv *Invoice) error {
	n := &invoiceNote{}
	err := s.syncInvoiceNoted(ctx, conn, ch, &inv, n)
	s.recordInvoiceSync(ctx, conn, ch, inv, n, err)
	return err
}

func (s *Service) syncInvoiceNoted(ctx context.Context, conn Connection, ch EntityChange, invp **Invoice, n *invoiceNote) error {
	inv := *invp
	defer func() { *invp = inv }()
	ps, err := s.store.PortalSettings(ctx, conn.PortalID)
	if err != nil {
		return err
	}
	set := ps.Invoices
	if !set.Enabled {
		return nil
	}
	objs, is, err := s.invoiceSync()
	if err != nil {
		// Turned on through a server that has it: this one cannot follow.
		s.log.WarnContext(ctx, "invoice sync is on but this server cannot write HubSpot invoices", "portal", conn.PortalID)
		return nil
	}
	n.inScope = true
	if inv == nil {
		switch {
		case ch.Invoice != nil:
			inv = ch.Invoice
			// Kept for the overdue sweep, which reads no QuickBooks.
			if err := s.store.SaveSnapshots(ctx, []Snapshot{{ConnectionID: conn.ID, Invoice: *inv, FetchedAt: s.now()}}); err != nil {
				return err
			}
		case ch.Deleted:
			inv = &Invoice{ID: ch.EntityID, Deleted: true}
		default:
			snaps, err := s.refreshSnapshots(ctx, conn, []string{ch.EntityID})
			if err != nil {
				return err
			}
			sn := snaps[ch.EntityID]
			inv = &sn.Invoice
		}
	}
	changed := inv.UpdatedAt
	if changed.IsZero() {
		changed = ch.LastUpdated
	}
	// QuickBooks' times have whole seconds: an invoice changed in the
	// second the sync was turned on counts as changed after it.
	if !changed.IsZero() && changed.Before(set.EnabledAt.Truncate(time.Second)) {
		n.inScope = false // before the sync: not its record
		return nil
	}
	portal, err := s.store.Portal(ctx, conn.PortalID)
	if err != nil {
		return err
	}
	if portal.State != PortalInstalled && portal.State != "" {
		n.inScope = false
		return nil // HubSpot cannot be written until the app is installed again
	}
	today := Today(s.now(), conn.TimeZone)
	fields, _ := invoiceFieldsOf(ps)
	if st := inv.Status(today); inv.Deleted || st == StatusVoided {
		return s.retireHubSpotInvoice(ctx, objs, is, portal, conn, *inv, st, set.OnDelete, fields, n)
	}
	if set.OnCreateOrUpdate == WriteNothing {
		n.set(ActionSkipped, OutcomeSkipped, "", fmt.Sprintf("%s was left out: invoice sync is set to do nothing when an invoice is created or updated.", invoiceWords(inv, inv.ID)))
		return nil
	}
	return s.upsertHubSpotInvoice(ctx, objs, is, portal, conn, *inv, set.OnCreateOrUpdate, fields, today, n)
}

// upsertHubSpotInvoice writes an invoice's mapped values to its HubSpot
// invoice, creating it under create_or_update when there is none, and
// associates it.
//
// One HubSpot invoice per QuickBooks invoice, across retries and replicas:
// HubSpot and our store cannot be written in one transaction, so the
// create itself is made findable. Each invoice we create carries its
// InvoiceKey in InvoiceKeyProperty, a property with hasUniqueValue, which
// HubSpot keeps unique and reads back by idProperty at once (search would
// lag behind writes). Before creating, the invoice is looked up by its
// key; a create that still collides (another replica created it in
// between, or the adapter retried a create whose answer was lost and the
// first had landed) is refused 409 Conflict, and the invoice the key names
// is used instead. The store's record (HubSpotInvoiceID) then saves that
// lookup on every later change; it is written after the create, so a crash
// in between costs one lookup, never a second invoice.
func (s *Service) upsertHubSpotInvoice(ctx context.Context, objs InvoiceObjects, is InvoiceSyncStore, portal Portal, conn Connection,
	inv Invoice, write WriteChoice, fields []FieldMapping, today Date, n *invoiceNote) error {
	props, err := s.invoiceProperties(ctx, objs, portal, false)
	if err != nil {
		return err
	}
	values := invoiceValues(fields, props, inv, conn, portal, today)
	id, err := is.HubSpotInvoiceID(ctx, conn.ID, inv.ID)
	if err != nil {
		return err
	}
	words := invoiceWords(&inv, inv.ID)
	if id != "" {
		n.hubspotID = id
		switch err := objs.UpdateInvoice(ctx, portal, id, values); {
		case ErrorCode(err) == NotFound:
			id = "" // archived or deleted in HubSpot: made again below under create_or_update
		case err != nil:
			return err
		default:
			n.set(ActionUpdated, OutcomeSucceeded, id, fmt.Sprintf("%s was updated in HubSpot.", words))
		}
	}
	if id == "" {
		if write != WriteCreateOrUpdate {
			// update_only: only invoices the sync made before
			n.set(ActionSkipped, OutcomeSkipped, "", fmt.Sprintf("%s was left out: it is not in HubSpot, and invoice sync only updates invoices it copied before.", words))
			return nil
		}
		if id, err = s.findOrCreateHubSpotInvoice(ctx, objs, portal, InvoiceKey(conn.RealmID, inv.ID), values, invoiceCurrency(inv, conn)); err != nil {
			return err
		}
		n.hubspotID = id
		if err := is.SaveHubSpotInvoiceID(ctx, conn.ID, inv.ID, id); err != nil {
			return err
		}
		n.set(ActionCreated, OutcomeSucceeded, id, fmt.Sprintf("%s was copied to HubSpot.", words))
		s.log.InfoContext(ctx, "hubspot invoice made", "portal", portal.ID, "connection", conn.ID, "invoice", inv.ID, "hubspot_invoice", id)
	}
	return s.associateHubSpotInvoice(ctx, objs, portal, conn, inv, id)
}

// findOrCreateHubSpotInvoice returns the HubSpot invoice under key,
// updated with values, or creates it (see upsertHubSpotInvoice).
func (s *Service) findOrCreateHubSpotInvoice(ctx context.Context, objs InvoiceObjects, portal Portal, key string, values map[string]string, currency string) (string, error) {
	if err := objs.EnsureInvoiceKeyProperty(ctx, portal); err != nil {
		return "", err
	}
	found := func() (string, error) {
		id, err := objs.FindInvoiceByKey(ctx, portal, key)
		if err != nil || id == "" {
			return id, err
		}
		return id, objs.UpdateInvoice(ctx, portal, id, values)
	}
	if id, err := found(); err != nil || id != "" {
		return id, err
	}
	id, err := objs.CreateInvoice(ctx, portal, createProperties(values, key, currency))
	if ErrorCode(err) == Conflict {
		id, ferr := found()
		if ferr != nil || id != "" {
			return id, ferr
		}
	}
	return id, err
}

// createProperties are the properties a HubSpot invoice is created with:
// the mapped values that are not empty, its key, and hs_currency, which
// HubSpot requires on create (the invoice's currency when the mapping
// gives none).
func createProperties(values map[string]string, key, currency string) map[string]string {
	create := make(map[string]string, len(values)+2)
	for k, v := range values {
		if v != "" {
			create[k] = v
		}
	}
	create[InvoiceKeyProperty] = key
	if create["hs_currency"] == "" {
		create["hs_currency"] = currency
	}
	return create
}

// retireHubSpotInvoice applies OnDelete to the HubSpot invoice of a
// QuickBooks invoice that was deleted or voided. Only an invoice the sync
// made is touched: one that never flowed has nothing to archive or mark.
func (s *Service) retireHubSpotInvoice(ctx context.Context, objs InvoiceObjects, is InvoiceSyncStore, portal Portal, conn Connection,
	inv Invoice, st InvoiceStatus, del DeleteChoice, fields []FieldMapping, n *invoiceNote) error {
	words, what := invoiceWords(&inv, inv.ID), "voided"
	if inv.Deleted {
		what = "deleted"
	}
	if del != DeleteArchive && del != DeleteKeep {
		n.set(ActionSkipped, OutcomeSkipped, "", fmt.Sprintf("%s was %s; invoice sync is set to leave HubSpot as it is.", words, what))
		return nil
	}
	id, err := is.HubSpotInvoiceID(ctx, conn.ID, inv.ID)
	if err != nil {
		return err
	}
	if id == "" {
		n.set(ActionSkipped, OutcomeSkipped, "", fmt.Sprintf("%s was %s; it was never copied to HubSpot, so there is nothing to change.", words, what))
		return nil
	}
	n.hubspotID = id
	if del == DeleteArchive {
		s.log.InfoContext(ctx, "hubspot invoice archived", "portal", portal.ID, "invoice", inv.ID, "hubspot_invoice", id, "status", string(st))
		if err := objs.ArchiveInvoice(ctx, portal, id); err != nil {
			return err
		}
		n.set(ActionArchived, OutcomeSucceeded, id, fmt.Sprintf("%s was %s; its HubSpot invoice was archived.", words, what))
		return nil
	}
	props, err := s.invoiceProperties(ctx, objs, portal, false)
	if err != nil {
		return err
	}
	if err := objs.UpdateInvoice(ctx, portal, id, retiredValues(st, fields, props)); err != nil && ErrorCode(err) != NotFound {
		return err
	}
	n.set(ActionMarked, OutcomeSucceeded, id, fmt.Sprintf("%s was %s; its HubSpot invoice was kept and marked voided.", words, what))
	return nil
}

// retiredValues are what OnDelete keep writes to the HubSpot invoice of a
// voided or deleted QuickBooks invoice: it stays, with its amounts as they
// were, marked voided. HubSpot's hs_invoice_status has no "deleted", so a
// deleted QuickBooks invoice is marked voided too; a Status mapped
// elsewhere gets "deleted" where its options have it.
func retiredValues(st InvoiceStatus, fields []FieldMapping, props map[string]HubSpotProperty) map[string]string {
	values := map[string]string{"hs_invoice_status": hubspotInvoiceStatus(st)}
	for _, f := range fields {
		if p, ok := props[f.HubSpot]; ok && f.QBO == FieldStatus && f.HubSpot != "hs_invoice_status" {
			if v, ok := statusOption(st, p); ok {
				values[f.HubSpot] = v
			}
		}
	}
	return values
}

// associateHubSpotInvoice associates the HubSpot invoice with every deal
// the QuickBooks invoice is linked to, and with the contact whose email is
// the invoice's (BillEmail, else its customer's) and that contact's
// primary company. No contact is ever created here; a record gone from
// HubSpot is skipped.
func (s *Service) associateHubSpotInvoice(ctx context.Context, objs InvoiceObjects, portal Portal, conn Connection, inv Invoice, id string) error {
	to, err := s.linkedDeals(ctx, conn, inv.ID)
	if err != nil {
		return err
	}
	email, err := s.invoiceEmail(ctx, conn, inv)
	if err != nil {
		return err
	}
	if email != "" {
		contact, company, err := objs.FindContactByEmail(ctx, portal, email)
		if err != nil {
			return err
		}
		if contact != "" {
			to = append(to, ObjectRef{Type: Contacts, ID: contact})
		}
		if company != "" {
			to = append(to, ObjectRef{Type: Companies, ID: company})
		}
	}
	for _, rec := range to {
		if err := objs.AssociateInvoice(ctx, portal, id, rec); err != nil {
			if ErrorCode(err) != NotFound {
				return err
			}
			s.log.InfoContext(ctx, "hubspot invoice not associated: record gone", "portal", portal.ID, "hubspot_invoice", id, "record", rec.String())
		}
	}
	return nil
}

// linkedDeals are the deals the QuickBooks invoice is linked to in the
// connection's portal, once each, by id.
func (s *Service) linkedDeals(ctx context.Context, conn Connection, invoiceID string) ([]ObjectRef, error) {
	links, err := s.store.InvoiceLinks(ctx, conn.PortalID, conn.ID, invoiceID)
	if err != nil {
		return nil, err
	}
	var to []ObjectRef
	seen := map[ObjectRef]bool{}
	for _, l := range links {
		if l.Object.Type == Deals && !seen[l.Object] {
			seen[l.Object] = true
			to = append(to, l.Object)
		}
	}
	sort.Slice(to, func(i, j int) bool { return to[i].ID < to[j].ID })
	return to, nil
}

// invoiceEmail is the address whose HubSpot contact an invoice is
// associated with: the invoice's BillEmail, else its customer's (from the
// cached customer list); "" when neither has one.
func (s *Service) invoiceEmail(ctx context.Context, conn Connection, inv Invoice) (string, error) {
	email := firstEmail(inv.BillEmail)
	if email == "" && inv.CustomerID != "" {
		customers, err := s.customers(ctx, conn)
		if err != nil {
			return "", err
		}
		for _, c := range customers {
			if c.ID == inv.CustomerID {
				email = firstEmail(c.Email)
			}
		}
	}
	return email, nil
}

// firstEmail is the first address of a QuickBooks email field, which may
// hold several separated by commas.
func firstEmail(s string) string {
	first, _, _ := strings.Cut(strings.ReplaceAll(s, ";", ","), ",")
	return strings.TrimSpace(first)
}

// sweepSyncedInvoices is invoice sync's part of the overdue sweep: the
// HubSpot invoices of the connection's synced invoices that turned overdue
// since the last sweep (since; zero before the first) get their Status
// properties again. HubSpot's hs_invoice_status has no overdue (it stays
// open) and a partly paid invoice stays partially_paid, so only a property
// whose value changes is written: a custom dropdown with an "overdue"
// option, or a text property. The invoices' state is their snapshot.
func (s *Service) sweepSyncedInvoices(ctx context.Context, conn Connection, today, since Date) error {
	ps, err := s.store.PortalSettings(ctx, conn.PortalID)
	if err != nil || !ps.Invoices.Enabled || ps.Invoices.OnCreateOrUpdate == WriteNothing {
		return err
	}
	objs, is, err := s.invoiceSync()
	if err != nil {
		return nil
	}
	fields, _ := invoiceFieldsOf(ps)
	var statusFields []FieldMapping
	for _, f := range fields {
		if f.QBO == FieldStatus {
			statusFields = append(statusFields, f)
		}
	}
	if len(statusFields) == 0 {
		return nil
	}
	pairs, err := is.HubSpotInvoiceIDs(ctx, conn.ID)
	if err != nil || len(pairs) == 0 {
		return err
	}
	ids := make([]string, 0, len(pairs))
	for id := range pairs {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	snaps, err := s.store.Snapshots(ctx, conn.ID, ids)
	if err != nil {
		return err
	}
	portal, err := s.store.Portal(ctx, conn.PortalID)
	if err != nil || portal.State != PortalInstalled && portal.State != "" {
		return err
	}
	var props map[string]HubSpotProperty
	for _, id := range ids {
		sn, ok := snaps[id]
		inv := sn.Invoice
		if !ok || inv.Deleted || !inv.Overdue(today) || !since.IsZero() && inv.Overdue(since) {
			continue
		}
		if props == nil {
			if props, err = s.invoiceProperties(ctx, objs, portal, false); err != nil {
				return err
			}
		}
		before := since
		if before.IsZero() {
			before = inv.DueDate // the last day it was not overdue
		}
		was, now := inv.Status(before), inv.Status(today)
		values := map[string]string{}
		for _, f := range statusFields {
			p, ok := props[f.HubSpot]
			if !ok {
				continue
			}
			old, _ := statusOption(was, p)
			if v, ok := statusOption(now, p); ok && v != old {
				values[f.HubSpot] = v
			}
		}
		if len(values) == 0 {
			continue
		}
		if err := objs.UpdateInvoice(ctx, portal, pairs[id], values); err != nil && ErrorCode(err) != NotFound {
			return fmt.Errorf("invoice %s: %w", id, err)
		}
	}
	return nil
}
