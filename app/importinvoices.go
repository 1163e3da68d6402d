package app

import (
	"context"
	"maps"
	"slices"
	"strings"
)

// The invoice import (import.go): a company's invoices into HubSpot's
// invoice object, as invoice sync writes them (invoicesync.go), through
// HubSpot's batch calls. Per batch of up to 100 invoices (HubSpot's batch
// size): one batch update of the invoices mapped before, one batch read by
// qbo_invoice_key of the others (a create whose mapping row was lost is
// found, never made twice), one batch create, and per record type one
// batch association (deals, contacts, companies); the contacts behind new
// e-mail addresses cost one batch read of contacts by email and one of
// their companies. So 10,000 invoices cost a few hundred calls. The new
// mapping rows are stored with the batch's progress.

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

// invoiceImport is the import of invoices.
var invoiceImport = importKind[Invoice]{
	object: SyncInvoices, batch: 100, id: func(inv *Invoice) string { return inv.ID },
	pager: func(s *Service) (recordPages[Invoice], bool) {
		p := s.invoicePager()
		if p == nil {
			return recordPages[Invoice]{}, false
		}
		return recordPages[Invoice]{count: p.CountInvoices, since: p.InvoicesCreatedSince}, true
	},
	available: func(s *Service) error {
		_, _, _, err := s.invoiceImportAdapters()
		return err
	},
	writer: func(b *importBase) importWriter[Invoice] { return &invoiceImportWriter{importBase: b} },
}

// invoiceImportAdapters are what an invoice import writes through;
// Unavailable without them.
func (s *Service) invoiceImportAdapters() (InvoiceObjects, InvoiceSyncStore, InvoiceBatches, error) {
	objs, is, err := s.invoiceSync()
	if err != nil {
		return nil, nil, nil, err
	}
	batches, ok := objs.(InvoiceBatches)
	if !ok {
		return nil, nil, nil, Errorf(Unavailable, "Importing invoices is not available on this server.")
	}
	return objs, is, batches, nil
}

// invoiceImportWriter is one run's writing of invoices.
type invoiceImportWriter struct {
	*importBase
	objs     InvoiceObjects
	is       InvoiceSyncStore
	batches  InvoiceBatches
	portal   Portal
	set      SyncSettings
	fields   []FieldMapping
	props    map[string]HubSpotProperty
	mapped   map[string]string       // QuickBooks invoice id -> HubSpot invoice id
	contacts map[string]ContactMatch // lower-case e-mail -> contact; zero when none
}

// prepare reads the portal's invoice sync settings, mapping and invoice
// properties, makes the key property, and reads the mapping rows.
func (r *invoiceImportWriter) prepare(ctx context.Context) error {
	var err error
	if r.objs, r.is, r.batches, err = r.s.invoiceImportAdapters(); err != nil {
		return err
	}
	if r.portal, err = r.s.store.Portal(ctx, r.conn.PortalID); err != nil {
		return err
	}
	ps, err := r.s.store.PortalSettings(ctx, r.conn.PortalID)
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
	if r.mapped, err = r.is.HubSpotInvoiceIDs(ctx, r.conn.ID); err != nil {
		return err
	}
	r.contacts = map[string]ContactMatch{}
	return nil
}

// saved remembers the mapping rows stored with the progress.
func (r *invoiceImportWriter) saved(pairs map[string]string) {
	for qid, hid := range pairs {
		r.mapped[qid] = hid
	}
}

// write writes up to a batch of invoices to HubSpot and associates them;
// the new mapping rows are stored with the progress.
func (r *invoiceImportWriter) write(ctx context.Context, rows []CreatedInvoice) (importWritten, error) {
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
		inv := row.Record
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
			return importWritten{}, err
		}
		for _, id := range missing {
			// Archived or deleted in HubSpot: made again under
			// create_or_update, as the live sync does.
			i := updatedQBO[id]
			delete(written, rows[i].Record.ID)
			if values[i] != nil && write == WriteCreateOrUpdate {
				creates = append(creates, i)
			}
		}
	}
	for _, id := range archives {
		if err := r.objs.ArchiveInvoice(ctx, r.portal, id); err != nil {
			return importWritten{}, err
		}
	}
	if len(creates) > 0 {
		made, err := r.findOrCreate(ctx, rows, values, creates)
		if err != nil {
			return importWritten{}, err
		}
		for qid, hid := range made {
			pairs[qid], written[qid] = hid, hid
		}
	}
	if err := r.associate(ctx, rows, written); err != nil {
		return importWritten{}, err
	}
	snaps := make([]Snapshot, len(rows))
	now := r.s.now()
	for i, row := range rows {
		snaps[i] = Snapshot{ConnectionID: r.conn.ID, Invoice: row.Record, FetchedAt: now}
	}
	if err := r.s.store.SaveSnapshots(ctx, snaps); err != nil {
		return importWritten{}, err
	}
	return importWritten{done: len(rows), pairs: pairs,
		tally: importTally{created: len(pairs), updated: len(written) - len(pairs), retired: retired}}, nil
}

// findOrCreate makes the HubSpot invoices of rows[creates]: first looked
// up by key (a create whose mapping row was lost, or made by the live sync
// meanwhile, is found and updated), the rest created in one batch. A
// create that collides on a key (made meanwhile elsewhere) is looked up
// again. It answers QuickBooks id to HubSpot id.
func (r *invoiceImportWriter) findOrCreate(ctx context.Context, rows []CreatedInvoice, values []map[string]string, creates []int) (map[string]string, error) {
	made := map[string]string{}
	byKey := map[string]int{}
	for _, i := range creates {
		byKey[InvoiceKey(r.conn.RealmID, rows[i].Record.ID)] = i
	}
	lookup := func() error {
		found, err := r.batches.FindInvoicesByKeys(ctx, r.portal, slices.Sorted(maps.Keys(byKey)))
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
			made[rows[i].Record.ID] = id
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
		keys := slices.Sorted(maps.Keys(byKey))
		inputs := make([]map[string]string, len(keys))
		for n, key := range keys {
			inv := rows[byKey[key]].Record
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
				made[rows[i].Record.ID] = id
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
func (r *invoiceImportWriter) associate(ctx context.Context, rows []CreatedInvoice, written map[string]string) error {
	if len(written) == 0 {
		return nil
	}
	pairs := map[ObjectType][]InvoiceAssociation{}
	emails := map[string]string{} // HubSpot invoice id -> lower-case address
	var unknown []string
	for _, row := range rows {
		inv := row.Record
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
	for _, hid := range slices.Sorted(maps.Keys(emails)) {
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
