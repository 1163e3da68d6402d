package app

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Contact sync (issue 9): while a portal's contact sync is on (settings.go,
// SyncContacts), its QuickBooks customers flow into HubSpot contacts, and a
// customer with a CompanyName into a HubSpot company too.
//
//   - What flows: customers created or updated in QuickBooks at or after
//     the sync's EnabledAt (MetaData.LastUpdatedTime, to the second), from
//     the background sync (applyEntityChange: webhooks and reconcile).
//     create_or_update finds the contact by email (never a second one for
//     an address) and creates it when there is none; update_only updates a
//     contact we synced before or one found by email, never creates one;
//     nothing ignores them. A customer without an email is skipped and
//     logged: contacts are matched by email.
//   - Made inactive (QuickBooks' delete of a customer) or deleted: OnDelete
//     archive archives the contact we created or matched; keep keeps it and
//     marks it, ContactStatusProperty = "inactive" (a dropdown made on first
//     use; an active customer's sync writes "active" only once it exists);
//     nothing leaves it.
//   - Companies: a customer with a CompanyName is associated (primary)
//     with the HubSpot company of that name: the one whose
//     CompanyKeyProperty is the name's key (CompanyKey), else one found by
//     name, else, under create_or_update only, a new one carrying the key,
//     so a retried create whose answer was lost finds the first.
//   - The pair customer → contact (and company) is stored per connection
//     (SyncedRecordStore), so an update neither searches nor matches again.
//
// Product sync (productsync.go) follows the same rules with items and
// products; both share this file's mapping machinery.

// ContactStatusProperty is the contact property contact sync's keep marks
// (inactive) and keeps up to date (active) once made.
const ContactStatusProperty = "qbo_customer_status"

// CompanyKeyProperty is the unique company property (hasUniqueValue) every
// company contact sync creates carries: CompanyKey of its name.
const CompanyKeyProperty = "qbo_company_key"

// CompanyKey is the CompanyKeyProperty value of a QuickBooks company's
// customers' CompanyName: "<realm>:<name>", the name in lower case with
// its runs of spaces made one, so "Acme  Corp" and "acme corp" are one
// company.
func CompanyKey(realmID, companyName string) string {
	return realmID + ":" + strings.ToLower(strings.Join(strings.Fields(companyName), " "))
}

// The QuickBooks customer fields contact sync can send (ContactQBOFields).
const (
	CustomerDisplayName QBOField = "DisplayName"
	CustomerGivenName   QBOField = "GivenName"
	CustomerFamilyName  QBOField = "FamilyName"
	CustomerCompanyName QBOField = "CompanyName"
	CustomerEmail       QBOField = "PrimaryEmailAddr"
	CustomerPhone       QBOField = "PrimaryPhone"
	CustomerLine1       QBOField = "BillAddr.Line1"
	CustomerCity        QBOField = "BillAddr.City"
	CustomerRegion      QBOField = "BillAddr.CountrySubDivisionCode"
	CustomerPostalCode  QBOField = "BillAddr.PostalCode"
	CustomerCountry     QBOField = "BillAddr.Country"
)

// ContactQBOFields is the catalogue of customer fields, in the settings
// page's order.
var ContactQBOFields = []QBOField{CustomerDisplayName, CustomerGivenName, CustomerFamilyName, CustomerCompanyName,
	CustomerEmail, CustomerPhone, CustomerLine1, CustomerCity, CustomerRegion, CustomerPostalCode, CustomerCountry}

// DefaultContactFields is the mapping used until an admin saves one, as
// HubSpot's legacy QuickBooks integration maps customers.
func DefaultContactFields() []FieldMapping {
	return []FieldMapping{
		{CustomerEmail, "email"},
		{CustomerGivenName, "firstname"},
		{CustomerFamilyName, "lastname"},
		{CustomerPhone, "phone"},
		{CustomerCompanyName, "company"},
		{CustomerLine1, "address"},
		{CustomerCity, "city"},
		{CustomerRegion, "state"},
		{CustomerPostalCode, "zip"},
		{CustomerCountry, "country"},
	}
}

// Products is HubSpot's product object, which product sync writes.
const Products ObjectType = "products"

// recordCatalogue describes one synced kind of record for its mapping.
type recordCatalogue struct {
	object   SyncObject
	hsType   ObjectType
	noun     string // "contact", "product"
	fields   []QBOField
	kinds    map[QBOField]fieldKind // kindText when absent
	defaults func() []FieldMapping
	reserved []string // properties the app keeps for itself
	// required must stay mapped (contacts are matched by email).
	required FieldMapping
}

var contactCatalogue = recordCatalogue{
	object: SyncContacts, hsType: Contacts, noun: "contact", fields: ContactQBOFields,
	defaults: DefaultContactFields, reserved: []string{ContactStatusProperty},
	required: FieldMapping{CustomerEmail, "email"},
}

func (c recordCatalogue) kind(f QBOField) fieldKind { return c.kinds[f] }

func (c recordCatalogue) known(f QBOField) bool {
	for _, q := range c.fields {
		if q == f {
			return true
		}
	}
	return false
}

func (c recordCatalogue) isDefault(f FieldMapping) bool {
	for _, d := range c.defaults() {
		if d == f {
			return true
		}
	}
	return false
}

// fieldsOf is the mapping in force for a portal, and whether it is the
// default.
func (c recordCatalogue) fieldsOf(ps PortalSettings) ([]FieldMapping, bool) {
	saved := ps.ContactFields
	if c.object == SyncProducts {
		saved = ps.ProductFields
	}
	if saved == nil {
		return c.defaults(), true
	}
	return saved, false
}

// validate checks a mapping against the portal's properties of the kind:
// catalogue fields, existing writable properties, agreeing types (text to
// text properties, amounts to number or text ones), one field per
// property, and the required pair kept.
func (c recordCatalogue) validate(fields []FieldMapping, props map[string]HubSpotProperty) error {
	if len(fields) == 0 {
		return Errorf(Invalid, "Map at least one QuickBooks field to a HubSpot %s property (to go back to the defaults, send them).", c.noun)
	}
	if len(fields) > maxInvoiceFields {
		return Errorf(Invalid, "A mapping holds at most %d fields; this one has %d.", maxInvoiceFields, len(fields))
	}
	taken := map[string]QBOField{}
	hasRequired := c.required.QBO == ""
	for _, f := range fields {
		if !c.known(f.QBO) {
			names := make([]string, len(c.fields))
			for i, q := range c.fields {
				names[i] = string(q)
			}
			return Errorf(Invalid, "There is no %s field %q; choose one of %s.", c.object.source(), truncateRunes(string(f.QBO), 40), strings.Join(names, ", "))
		}
		p, ok := props[f.HubSpot]
		if !ok {
			return Errorf(Invalid, "QuickBooks field %s cannot go to HubSpot property %q: HubSpot has no %s property of that name.",
				f.QBO, truncateRunes(f.HubSpot, 100), c.noun)
		}
		prop := propertyWords(props, f.HubSpot)
		if prev, dup := taken[f.HubSpot]; dup {
			return Errorf(Invalid, "HubSpot property %s is mapped twice (from QuickBooks fields %s and %s); each property takes one QuickBooks field.",
				prop, prev, f.QBO)
		}
		taken[f.HubSpot] = f.QBO
		for _, r := range c.reserved {
			if r == f.HubSpot {
				return Errorf(Invalid, "QuickBooks field %s cannot go to HubSpot property %s: the app keeps that property for itself.", f.QBO, prop)
			}
		}
		hasRequired = hasRequired || f == c.required
		if c.isDefault(f) {
			continue
		}
		if p.ReadOnly {
			return Errorf(Invalid, "QuickBooks field %s cannot go to HubSpot property %s: HubSpot computes that property, so it cannot be written.", f.QBO, prop)
		}
		k := c.kind(f.QBO)
		if !(p.Type == "string" || p.Type == "number" && k == kindAmount) {
			what, rule := k.words()
			return Errorf(Invalid, "QuickBooks field %s (%s) cannot go to HubSpot property %s, %s: %s.",
				f.QBO, what, prop, typeWords(p.Type), rule)
		}
	}
	if !hasRequired {
		return Errorf(Invalid, "The mapping must keep QuickBooks field %s on HubSpot property %q: %ss are matched by it.",
			c.required.QBO, c.required.HubSpot, c.noun)
	}
	return nil
}

// CRMObjects is what contact and product sync need of HubSpot's contacts,
// companies and products, for one portal (the HubSpot adapter implements
// it beside HubSpot; asserted, so test doubles need not). Errors are
// classified as HubSpot's.
type CRMObjects interface {
	// ObjectProperties lists the portal's properties of a type (contacts,
	// companies, products).
	ObjectProperties(ctx context.Context, portal Portal, t ObjectType) ([]HubSpotProperty, error)
	// EnsureSyncProperties creates, if missing, the app's own properties
	// of a type: ContactStatusProperty on contacts; CompanyKeyProperty
	// (unique) on companies; ProductStatusProperty and ProductKeyProperty
	// (unique) on products. Safe to call again.
	EnsureSyncProperties(ctx context.Context, portal Portal, t ObjectType) error
	// ContactByEmail returns the live contact whose email is email (read
	// by idProperty=email, consistent at once); "" when none.
	ContactByEmail(ctx context.Context, portal Portal, email string) (string, error)
	// FindCompany returns the live company whose CompanyKeyProperty is key
	// (read by idProperty, consistent at once), else the oldest whose name
	// is name (search; when name is set); "" when none.
	FindCompany(ctx context.Context, portal Portal, key, name string) (string, error)
	// FindProduct returns the live product whose ProductKeyProperty is key,
	// else the oldest whose hs_sku is sku (when sku is set), else whose
	// name is name; "" when none.
	FindProduct(ctx context.Context, portal Portal, key, sku, name string) (string, error)
	// CreateObject creates a record and returns its id; Conflict when a
	// unique value (a contact's email, a company's or a product's key) is
	// in use.
	CreateObject(ctx context.Context, portal Portal, t ObjectType, properties map[string]string) (string, error)
	// UpdateObject writes properties ("" clears one); NotFound when the
	// record is gone.
	UpdateObject(ctx context.Context, portal Portal, t ObjectType, id string, properties map[string]string) error
	// ArchiveObject archives a record; one already gone is not an error.
	ArchiveObject(ctx context.Context, portal Portal, t ObjectType, id string) error
	// AssociatePrimaryCompany associates a contact with a company as its
	// primary company; repeating it is harmless. NotFound when either is
	// gone.
	AssociatePrimaryCompany(ctx context.Context, portal Portal, contactID, companyID string) error
}

// RecordReader reads one customer or item by id, inactive ones included
// (the QuickBooks adapter implements it beside QuickBooks). NotFound when
// QuickBooks no longer has it.
type RecordReader interface {
	Customer(ctx context.Context, conn Connection, id string) (Customer, error)
	Item(ctx context.Context, conn Connection, id string) (Item, error)
}

// SyncedRecord is what contact or product sync made of one QuickBooks
// record: the HubSpot contact or product, and a customer's company.
type SyncedRecord struct {
	QBOID     string
	HubSpotID string
	CompanyID string // contacts: the HubSpot company; "" when none
	// CompanyName is the CompanyName CompanyID was found or made for.
	CompanyName string
}

// SyncedRecordStore keeps contact and product sync's pairs (store.Store
// implements it; asserted from Deps.Store).
type SyncedRecordStore interface {
	// SyncedRecord returns the pair of a QuickBooks record of the
	// connection; the zero SyncedRecord when none was saved.
	SyncedRecord(ctx context.Context, connectionID string, object SyncObject, qboID string) (SyncedRecord, error)
	// SaveSyncedRecord records (or replaces) a pair; NotFound when the
	// connection is gone.
	SaveSyncedRecord(ctx context.Context, connectionID string, object SyncObject, r SyncedRecord) error
	// SaveFieldMapping replaces the portal's field mapping of one kind.
	SaveFieldMapping(ctx context.Context, portalID int64, object SyncObject, fields []FieldMapping) error
}

// crmSync returns contact and product sync's adapters; Unavailable when
// this server was not given them.
func (s *Service) crmSync() (CRMObjects, RecordReader, SyncedRecordStore, error) {
	objs, ok1 := s.hubspot.(CRMObjects)
	rr, ok2 := s.qbo.(RecordReader)
	st, ok3 := s.store.(SyncedRecordStore)
	if !ok1 || !ok2 || !ok3 {
		return nil, nil, nil, Errorf(Unavailable, "Contact and product sync are not available on this server.")
	}
	return objs, rr, st, nil
}

// recordProperties reads the portal's properties of a type by name,
// through the cache; fresh skips it.
func (s *Service) recordProperties(ctx context.Context, objs CRMObjects, portal Portal, t ObjectType, fresh bool) (map[string]HubSpotProperty, error) {
	key := CacheKey("hubspot-"+strconv.FormatInt(portal.ID, 10), string(t)+"properties")
	if fresh {
		if err := s.cache.Delete(ctx, key); err != nil {
			s.log.WarnContext(ctx, "forget cached properties", "portal", portal.ID, "type", string(t), "err", err)
		}
	}
	raw, err := s.cache.GetOrLoad(ctx, key, invoicePropertiesTTL, func(ctx context.Context) ([]byte, error) {
		props, err := objs.ObjectProperties(ctx, portal, t)
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
		return nil, fmt.Errorf("decode cached %s properties of portal %d: %w", t, portal.ID, err)
	}
	out := make(map[string]HubSpotProperty, len(list))
	for _, p := range list {
		out[p.Name] = p
	}
	return out, nil
}

// setRecordMapping is SetContactMapping and SetProductMapping.
func (s *Service) setRecordMapping(ctx context.Context, portalID int64, cat recordCatalogue, fields []FieldMapping) (SettingsView, error) {
	objs, _, st, err := s.crmSync()
	if err != nil {
		return SettingsView{}, err
	}
	portal, err := s.store.Portal(ctx, portalID)
	if ErrorCode(err) == NotFound || err == nil && portal.State != PortalInstalled && portal.State != "" {
		return SettingsView{}, Errorf(NotConnected, "The app is not installed in this HubSpot account, so its %s properties cannot be read; install it again.", cat.noun)
	}
	if err != nil {
		return SettingsView{}, fmt.Errorf("set %s mapping of portal %d: %w", cat.noun, portalID, err)
	}
	props, err := s.recordProperties(ctx, objs, portal, cat.hsType, true)
	if err != nil {
		return SettingsView{}, fmt.Errorf("set %s mapping of portal %d: read HubSpot's %s properties: %w", cat.noun, portalID, cat.noun, err)
	}
	if err := cat.validate(fields, props); err != nil {
		return SettingsView{}, err
	}
	if err := st.SaveFieldMapping(ctx, portalID, cat.object, fields); err != nil {
		return SettingsView{}, fmt.Errorf("set %s mapping of portal %d: %w", cat.noun, portalID, err)
	}
	s.log.InfoContext(ctx, "field mapping saved", "portal", portalID, "object", string(cat.object), "fields", len(fields))
	return s.Settings(ctx, portalID)
}

// SetContactMapping replaces the portal's contact field mapping, checked
// against its HubSpot contact properties, read afresh (see
// recordCatalogue.validate); the first refused pair is named, both sides.
func (s *Service) SetContactMapping(ctx context.Context, portalID int64, fields []FieldMapping) (SettingsView, error) {
	return s.setRecordMapping(ctx, portalID, contactCatalogue, fields)
}

// mappedValues are the property values the mapping gives a record; a
// property gone from HubSpot since the mapping was saved is left out.
func mappedValues(fields []FieldMapping, props map[string]HubSpotProperty, value func(QBOField) string) map[string]string {
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		if _, ok := props[f.HubSpot]; ok {
			out[f.HubSpot] = value(f.QBO)
		}
	}
	return out
}

// customerValue is one customer field's value.
func customerValue(c Customer, f QBOField) string {
	switch f {
	case CustomerDisplayName:
		return c.DisplayName
	case CustomerGivenName:
		return c.GivenName
	case CustomerFamilyName:
		return c.FamilyName
	case CustomerCompanyName:
		return c.CompanyName
	case CustomerEmail:
		return firstEmail(c.Email)
	case CustomerPhone:
		return c.Phone
	case CustomerLine1:
		return c.BillAddr.Line1
	case CustomerCity:
		return c.BillAddr.City
	case CustomerRegion:
		return c.BillAddr.Region
	case CustomerPostalCode:
		return c.BillAddr.PostalCode
	case CustomerCountry:
		return c.BillAddr.Country
	}
	return ""
}

// recordNote is what contact or product sync decided for one record, for
// the log (invoiceNote's twin).
type recordNote = invoiceNote

// customerWords names a customer for a person.
func customerWords(c *Customer, id string) string {
	if c != nil && c.DisplayName != "" {
		return fmt.Sprintf("QuickBooks customer %q", c.DisplayName)
	}
	return "QuickBooks customer with id " + id
}

// recordScope reads what a contact or product sync needs before acting on
// a change: the settings (nil when the sync is off) and the portal.
func (s *Service) recordScope(ctx context.Context, conn Connection, object SyncObject) (*SyncSettings, PortalSettings, Portal, bool, error) {
	ps, err := s.store.PortalSettings(ctx, conn.PortalID)
	if err != nil {
		return nil, ps, Portal{}, false, err
	}
	set := ps.Sync(object)
	if !set.Enabled {
		return nil, ps, Portal{}, false, nil
	}
	portal, err := s.store.Portal(ctx, conn.PortalID)
	if err != nil {
		return nil, ps, Portal{}, false, err
	}
	if portal.State != PortalInstalled && portal.State != "" {
		return nil, ps, portal, false, nil // HubSpot cannot be written until the app is installed again
	}
	return set, ps, portal, true, nil
}

// beforeEnabled reports whether a record last changed at changed (zero:
// unknown) predates the sync's EnabledAt, counted from its whole second.
func beforeEnabled(changed time.Time, set SyncSettings) bool {
	return !changed.IsZero() && changed.Before(set.EnabledAt.Truncate(time.Second))
}

// syncCustomer is contact sync's part of applying a change to one of the
// connection's customers. It does nothing unless the portal's contact sync
// is on, and reads nothing from QuickBooks before knowing so.
func (s *Service) syncCustomer(ctx context.Context, conn Connection, ch EntityChange) error {
	n := &recordNote{}
	var cust *Customer
	err := s.syncCustomerNoted(ctx, conn, ch, nil, &cust, n)
	s.recordChangeSync(ctx, conn, SyncContacts, EntityCustomer, ch, customerWords(cust, ch.EntityID), n, err)
	return err
}

// syncCustomerNoted syncs one customer, noting what it did in n; given is
// the customer as an import read it (nil: read it now; see
// prepareRecord).
func (s *Service) syncCustomerNoted(ctx context.Context, conn Connection, ch EntityChange, given *Customer, custp **Customer, n *recordNote) error {
	w, ok, err := prepareRecord(ctx, s, conn, ch, customerKind, given, custp, n)
	if err != nil || !ok {
		return err
	}
	cust, words, rec, objs, portal, ps, set, st := w.record, w.words, w.rec, w.objs, w.portal, w.ps, w.set, w.st
	email := firstEmail(cust.Email)
	if email == "" {
		n.set(ActionSkipped, OutcomeSkipped, "", words+" has no email; contacts are matched by email.")
		return nil
	}
	props, err := s.recordProperties(ctx, objs, portal, Contacts, false)
	if err != nil {
		return err
	}
	fields, _ := contactCatalogue.fieldsOf(ps)
	values := mappedValues(fields, props, func(f QBOField) string { return customerValue(*cust, f) })
	values["email"] = email
	if _, ok := props[ContactStatusProperty]; ok {
		values[ContactStatusProperty] = "active"
	}
	id, created := rec.HubSpotID, false
	if id != "" {
		switch err := objs.UpdateObject(ctx, portal, Contacts, id, values); {
		case ErrorCode(err) == NotFound:
			id = "" // archived in HubSpot: matched or made again below
		case err != nil:
			return err
		}
	}
	if id == "" {
		if id, err = objs.ContactByEmail(ctx, portal, email); err != nil {
			return err
		}
		if id != "" {
			if err := objs.UpdateObject(ctx, portal, Contacts, id, values); err != nil {
				return err
			}
		}
	}
	if id == "" {
		if set.OnCreateOrUpdate != WriteCreateOrUpdate {
			n.set(ActionSkipped, OutcomeSkipped, "", words+" was left out: HubSpot has no contact with its email, and contact sync only updates contacts.")
			return nil
		}
		id, created, err = createOnce(ctx, objs, portal, Contacts, nonEmpty(values), values, "its email",
			func() (string, error) { return objs.ContactByEmail(ctx, portal, email) })
		if err != nil {
			return err
		}
	}
	n.hubspotID = id
	rec = SyncedRecord{QBOID: ch.EntityID, HubSpotID: id, CompanyID: rec.CompanyID, CompanyName: rec.CompanyName}
	if err := st.SaveSyncedRecord(ctx, conn.ID, SyncContacts, rec); err != nil {
		return err
	}
	if cust.CompanyName != "" {
		if err := s.associateCustomerCompany(ctx, objs, st, portal, conn, &rec, cust.CompanyName, set.OnCreateOrUpdate); err != nil {
			return err
		}
	}
	if created {
		n.set(ActionCreated, OutcomeSucceeded, id, words+" was copied to a HubSpot contact.")
		s.log.InfoContext(ctx, "hubspot contact made", "portal", portal.ID, "connection", conn.ID, "customer", ch.EntityID, "contact", id)
	} else {
		n.set(ActionUpdated, OutcomeSucceeded, id, words+" was updated in HubSpot.")
	}
	return nil
}

// associateCustomerCompany associates the contact of rec with the HubSpot
// company of the customer's CompanyName (primary): the one recorded for
// that name before, else the one with the name's key, else the one found
// by name, else (create_or_update only) a new one carrying the key; and
// records it.
func (s *Service) associateCustomerCompany(ctx context.Context, objs CRMObjects, st SyncedRecordStore, portal Portal, conn Connection,
	rec *SyncedRecord, name string, write WriteChoice) error {
	if rec.CompanyID != "" && rec.CompanyName == name {
		err := objs.AssociatePrimaryCompany(ctx, portal, rec.HubSpotID, rec.CompanyID)
		if ErrorCode(err) != NotFound {
			return err
		}
	}
	key := CompanyKey(conn.RealmID, name)
	id, err := objs.FindCompany(ctx, portal, key, name)
	if err != nil {
		return err
	}
	if id == "" {
		if write != WriteCreateOrUpdate {
			return nil
		}
		if err := objs.EnsureSyncProperties(ctx, portal, Companies); err != nil {
			return err
		}
		id, _, err = createOnce(ctx, objs, portal, Companies, map[string]string{"name": name, CompanyKeyProperty: key}, nil, "its key",
			func() (string, error) { return objs.FindCompany(ctx, portal, key, "") })
		if err != nil {
			return err
		}
	}
	if err := objs.AssociatePrimaryCompany(ctx, portal, rec.HubSpotID, id); err != nil {
		return err
	}
	rec.CompanyID, rec.CompanyName = id, name
	return st.SaveSyncedRecord(ctx, conn.ID, SyncContacts, *rec)
}

// createOnce creates a record of type t with create, which holds a unique
// value (a contact's email, a company's or product's key). When HubSpot
// refuses it as a duplicate (made meanwhile, or the retry of a create
// whose answer was lost made it), find (by that value, which by names)
// gives the record that has it, and values are written to it: created is
// false then.
func createOnce(ctx context.Context, objs CRMObjects, portal Portal, t ObjectType, create, values map[string]string, by string,
	find func() (string, error)) (id string, created bool, err error) {
	id, err = objs.CreateObject(ctx, portal, t, create)
	if ErrorCode(err) != Conflict {
		return id, err == nil, err
	}
	if id, err = find(); err != nil {
		return "", false, err
	}
	if id == "" {
		return "", false, Errorf(Unavailable, "HubSpot refused the %s as a duplicate but does not find it by %s yet.", objectNoun(t), by)
	}
	if len(values) == 0 {
		return id, false, nil
	}
	return id, false, objs.UpdateObject(ctx, portal, t, id, values)
}

// objectNoun is one record of a HubSpot type, for messages.
func objectNoun(t ObjectType) string {
	if t == Companies {
		return "company"
	}
	return strings.TrimSuffix(string(t), "s")
}

// nonEmpty are the values worth sending on a create.
func nonEmpty(values map[string]string) map[string]string {
	out := make(map[string]string, len(values))
	for k, v := range values {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// retireRecord applies OnDelete to the HubSpot record of a QuickBooks
// customer or item made inactive or deleted. Only a record the sync made
// or matched is touched. keep writes mark, after making the app's
// properties.
func (s *Service) retireRecord(ctx context.Context, objs CRMObjects, portal Portal, t ObjectType, rec SyncedRecord, del DeleteChoice,
	words, what string, mark map[string]string, n *recordNote) error {
	if del != DeleteArchive && del != DeleteKeep {
		n.set(ActionSkipped, OutcomeSkipped, "", fmt.Sprintf("%s was %s; the sync is set to leave HubSpot as it is.", words, what))
		return nil
	}
	if rec.HubSpotID == "" {
		n.set(ActionSkipped, OutcomeSkipped, "", fmt.Sprintf("%s was %s; it was never synced to HubSpot, so there is nothing to change.", words, what))
		return nil
	}
	n.hubspotID = rec.HubSpotID
	if del == DeleteArchive {
		if err := objs.ArchiveObject(ctx, portal, t, rec.HubSpotID); err != nil {
			return err
		}
		n.set(ActionArchived, OutcomeSucceeded, rec.HubSpotID, fmt.Sprintf("%s was %s; its HubSpot %s was archived.", words, what, objectNoun(t)))
		return nil
	}
	if err := objs.EnsureSyncProperties(ctx, portal, t); err != nil {
		return err
	}
	s.forgetRecordProperties(ctx, portal, t)
	if err := objs.UpdateObject(ctx, portal, t, rec.HubSpotID, mark); err != nil && ErrorCode(err) != NotFound {
		return err
	}
	n.set(ActionMarked, OutcomeSucceeded, rec.HubSpotID, fmt.Sprintf("%s was %s; its HubSpot %s was kept and marked inactive.", words, what, objectNoun(t)))
	return nil
}

// forgetRecordProperties drops the cached properties of a type, after the
// app made some.
func (s *Service) forgetRecordProperties(ctx context.Context, portal Portal, t ObjectType) {
	key := CacheKey("hubspot-"+strconv.FormatInt(portal.ID, 10), string(t)+"properties")
	if err := s.cache.Delete(ctx, key); err != nil {
		s.log.WarnContext(ctx, "forget cached properties", "portal", portal.ID, "type", string(t), "err", err)
	}
}

// recordKind is what the shared steps of syncing one QuickBooks record
// kind (customers to contacts, items to products) need to know of it.
type recordKind[T any] struct {
	object     SyncObject
	entity     string // EntityCustomer, EntityItem
	hubspot    ObjectType
	statusProp string // the property "keep" marks inactive
	syncLabel  string // "contact sync"
	recordNoun string // "customer"
	read       func(ctx context.Context, rr RecordReader, conn Connection, id string) (T, error)
	gone       func(id string) T // the record when QuickBooks no longer has it
	inactive   func(*T) bool
	updatedAt  func(*T) time.Time
	words      func(*T, string) string
	id         func(*T) string
}

var customerKind = recordKind[Customer]{
	object: SyncContacts, entity: EntityCustomer, hubspot: Contacts, statusProp: ContactStatusProperty,
	syncLabel: "contact sync", recordNoun: "customer",
	read: func(ctx context.Context, rr RecordReader, conn Connection, id string) (Customer, error) {
		return rr.Customer(ctx, conn, id)
	},
	gone:      func(id string) Customer { return Customer{ID: id, Inactive: true} },
	inactive:  func(c *Customer) bool { return c.Inactive },
	updatedAt: func(c *Customer) time.Time { return c.UpdatedAt },
	words:     customerWords,
	id:        func(c *Customer) string { return c.ID },
}

// recordWork is what the shared steps hand a kind's own writing.
type recordWork[T any] struct {
	record *T
	words  string
	rec    SyncedRecord
	set    *SyncSettings
	ps     PortalSettings
	portal Portal
	objs   CRMObjects
	st     SyncedRecordStore
}

// prepareRecord runs the steps every synced record kind shares: is the
// sync on, read the record (gone when QuickBooks no longer has it), did it
// change since the sync was turned on, what it is mapped to, retire it when
// gone or inactive, and skip when creates and updates do nothing. ok is
// false when nothing is left for the kind's own writing. An import
// (importrecords.go) gives the record as its page read it: it is not read
// again, and its age does not matter.
func prepareRecord[T any](ctx context.Context, s *Service, conn Connection, ch EntityChange, k recordKind[T], given *T, recp **T, n *recordNote) (recordWork[T], bool, error) {
	var w recordWork[T]
	set, ps, portal, ok, err := s.recordScope(ctx, conn, k.object)
	if err != nil || !ok {
		return w, false, err
	}
	objs, rr, st, err := s.crmSync()
	if err != nil {
		s.log.WarnContext(ctx, k.syncLabel+" is on but this server cannot write HubSpot "+string(k.hubspot), "portal", conn.PortalID)
		return w, false, nil
	}
	n.inScope = true
	r := k.gone(ch.EntityID)
	switch {
	case given != nil:
		r = *given
	case !ch.Deleted:
		got, err := k.read(ctx, rr, conn, ch.EntityID)
		switch {
		case ErrorCode(err) == NotFound:
			ch.Deleted = true
		case err != nil:
			return w, false, err
		default:
			r = got
		}
	}
	*recp = &r
	changed := k.updatedAt(&r)
	if changed.IsZero() {
		changed = ch.LastUpdated
	}
	if given == nil && beforeEnabled(changed, *set) {
		n.inScope = false
		return w, false, nil
	}
	words := k.words(&r, ch.EntityID)
	rec, err := st.SyncedRecord(ctx, conn.ID, k.object, ch.EntityID)
	if err != nil {
		return w, false, err
	}
	if ch.Deleted || k.inactive(&r) {
		return w, false, s.retireRecord(ctx, objs, portal, k.hubspot, rec, set.OnDelete, words, "made inactive",
			map[string]string{k.statusProp: "inactive"}, n)
	}
	if set.OnCreateOrUpdate == WriteNothing {
		n.set(ActionSkipped, OutcomeSkipped, "", fmt.Sprintf("%s was left out: %s is set to do nothing when a %s is created or updated.",
			words, k.syncLabel, k.recordNoun))
		return w, false, nil
	}
	return recordWork[T]{record: &r, words: words, rec: rec, set: set, ps: ps, portal: portal, objs: objs, st: st}, true, nil
}
