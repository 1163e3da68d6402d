package app

import "context"

// The customer and item imports (import.go): a company's customers into
// HubSpot contacts (and their companies), and its products and services
// (items) into HubSpot products. Each record goes through contact or
// product sync's own code (syncCustomerNoted, syncItemNoted) with the
// record as the import's page read it, so it is treated exactly as the
// sync treats a change of it: the same create or update choices and
// OnDelete for an inactive one, the same matching (a contact by email; a
// product by its key, SKU or name; a company by its key or name), the same
// stored pairs, and a unique value on everything created, so a batch
// repeated after a crash finds what it made. Unlike a change, the record's
// age does not matter (an import copies what predates EnabledAt), and it is
// not read again from QuickBooks; a record the sync has meanwhile written
// from a later change is left as the sync wrote it.
//
// HubSpot has no batch form of those choices, so a record costs a few calls
// (a contact: a read by email, a create or update, and for a company name
// a read by key, a search and an association; a product: a read by key or
// a search, a create or update): a batch is recordImportBatch records, and
// a slice that runs out of time stops between two records, the ones done
// stored as progress.

// recordImportBatch is the customers or items per batch (and per entry in
// the sync log).
const recordImportBatch = 50

// customerImport is the import of customers into contacts.
var customerImport = recordImport(customerKind, (*Service).syncCustomerNoted,
	func(p RecordPager) recordPages[Customer] {
		return recordPages[Customer]{count: p.CountCustomers, since: p.CustomersCreatedSince}
	})

// itemImport is the import of items into products.
var itemImport = recordImport(itemKind, (*Service).syncItemNoted,
	func(p RecordPager) recordPages[Item] {
		return recordPages[Item]{count: p.CountItems, since: p.ItemsCreatedSince}
	})

// recordSyncFunc is contact or product sync's writing of one record.
type recordSyncFunc[T any] func(s *Service, ctx context.Context, conn Connection, ch EntityChange, given *T, recp **T, n *recordNote) error

// recordImport is the import of a record kind that sync writes.
func recordImport[T any](k recordKind[T], sync recordSyncFunc[T], pages func(RecordPager) recordPages[T]) importKind[T] {
	return importKind[T]{
		object: k.object, batch: recordImportBatch, id: k.id,
		pager: func(s *Service) (recordPages[T], bool) {
			p := s.recordPager()
			if p == nil {
				return recordPages[T]{}, false
			}
			return pages(p), true
		},
		available: func(s *Service) error {
			_, _, _, err := s.crmSync()
			return err
		},
		writer: func(b *importBase) importWriter[T] { return &recordImportWriter[T]{importBase: b, kind: k, sync: sync} },
	}
}

// recordImportWriter is one run's writing of customers or items.
type recordImportWriter[T any] struct {
	*importBase
	kind recordKind[T]
	sync recordSyncFunc[T]
}

// prepare checks the adapters; each record reads its settings, as the
// sync's changes do.
func (w *recordImportWriter[T]) prepare(context.Context) error {
	_, _, _, err := w.s.crmSync()
	return err
}

// saved has nothing to do: the sync stores each record's pair as it goes.
func (w *recordImportWriter[T]) saved(map[string]string) {}

// write syncs rows one by one, stopping between two when the slice's time
// is up.
func (w *recordImportWriter[T]) write(ctx context.Context, rows []Created[T]) (importWritten, error) {
	var out importWritten
	for i := range rows {
		if i > 0 && w.sliceOver() {
			return out, nil
		}
		action, err := w.one(ctx, &rows[i].Record)
		if err != nil {
			return out, err
		}
		switch action {
		case ActionCreated:
			out.tally.created++
		case ActionUpdated:
			out.tally.updated++
		case ActionArchived, ActionMarked:
			out.tally.retired++
		}
		out.done++
	}
	return out, nil
}

// one syncs a record as the sync applies a change of it
// (applyEntityChange): unless a later change of it is applied already, and
// recording its version after.
func (w *recordImportWriter[T]) one(ctx context.Context, rec *T) (SyncAction, error) {
	id := w.kind.id(rec)
	ch := EntityChange{Entity: w.kind.entity, EntityID: id, LastUpdated: w.kind.updatedAt(rec)}
	versioned := w.s.sync != nil && !ch.LastUpdated.IsZero()
	if versioned {
		applied, err := w.s.sync.EntityVersion(ctx, w.conn.ID, ch.Entity, id)
		if err != nil {
			return "", err
		}
		if ch.LastUpdated.Before(applied) {
			return ActionSkipped, nil // the sync wrote a later change of it
		}
	}
	n := &recordNote{}
	var got *T
	if err := w.sync(w.s, ctx, w.conn, ch, rec, &got, n); err != nil {
		if ctx.Err() != nil {
			return "", err
		}
		return "", Wrapf(err, ErrorCode(err), "%s could not be copied: %s", w.kind.words(rec, id), ErrorMessage(err))
	}
	if !n.inScope {
		// The sync is off, or the app uninstalled, since the run began.
		if err := w.s.importable(ctx, w.conn, w.imp.Object); err != nil {
			return "", err
		}
		return "", Errorf(Unavailable, "%s cannot write to HubSpot on this server right now.", w.kind.object.label())
	}
	if versioned {
		if err := w.s.sync.SaveEntityVersion(ctx, w.conn.ID, ch.Entity, id, ch.LastUpdated); err != nil {
			return "", err
		}
	}
	return n.action, nil
}
