package app

import (
	"context"
	"fmt"
	"strings"
)

// Starting an import and reading its progress: the settings page's and
// the sync command's entry points (the runner is importrun.go).

// importer is one kind of import with its record type erased, for the
// entry points (importKind implements it).
type importer interface {
	// ready is Unavailable when this server lacks the kind's adapters.
	ready(s *Service) error
	// work runs an import of the kind that b has claimed.
	work(ctx context.Context, b *importBase) (finished bool, err error)
}

// importerOf is the import of an object; Invalid for an unknown one.
func importerOf(o SyncObject) (importer, error) {
	switch o {
	case SyncInvoices:
		return invoiceImport, nil
	case SyncContacts:
		return customerImport, nil
	case SyncProducts:
		return itemImport, nil
	}
	_, err := ParseSyncObject(string(o))
	return nil, err
}

// importStore is the store's ImportStore; Unavailable without it.
func (s *Service) importStore() (ImportStore, error) {
	st, ok := s.store.(ImportStore)
	if !ok {
		return nil, Errorf(Unavailable, "Imports are not available on this server.")
	}
	return st, nil
}

// invoicePager is Deps.InvoicePager, else QuickBooks when it pages
// invoices; nil when neither does.
func (s *Service) invoicePager() InvoicePager {
	if s.pager != nil {
		return s.pager
	}
	p, _ := s.qbo.(InvoicePager)
	return p
}

// recordPager is Deps.InvoicePager when it also pages customers and
// items, else QuickBooks when it does; nil when neither does.
func (s *Service) recordPager() RecordPager {
	if p, ok := s.pager.(RecordPager); ok {
		return p
	}
	p, _ := s.qbo.(RecordPager)
	return p
}

// StartImport starts importing a connection's existing QuickBooks records
// of one kind (invoices, customers to contacts, items to products) into
// HubSpot and answers its progress (202 on the settings page). It needs
// the portal's sync of that kind on and not set to nothing, and the company
// connected. When the connection has an unfinished import of the kind,
// that one is answered (and its job enqueued again, which resumes one
// whose process died) rather than a second started. After a failed import
// the new one goes on from where that one stopped.
func (s *Service) StartImport(ctx context.Context, portalID int64, object SyncObject, connectionID string) (ImportProgress, error) {
	kind, err := importerOf(object)
	if err != nil {
		return ImportProgress{}, err
	}
	if err := kind.ready(s); err != nil {
		return ImportProgress{}, err
	}
	st, err := s.importStore()
	if err != nil {
		return ImportProgress{}, err
	}
	jobs, _ := s.jobs.(ImportJobs)
	if jobs == nil {
		return ImportProgress{}, Errorf(Unavailable, "Imports run in the background sync, which is not running on this server.")
	}
	_, many := object.RecordNouns()
	if connectionID == "" {
		return ImportProgress{}, Errorf(Invalid, "Choose the QuickBooks company whose %s to import (connectionId).", many)
	}
	conn, err := s.store.Connection(ctx, portalID, connectionID)
	if err != nil {
		return ImportProgress{}, fmt.Errorf("start %s import of connection %s: %w", object, connectionID, err)
	}
	if err := s.importable(ctx, conn, object); err != nil {
		return ImportProgress{}, err
	}
	fresh := Import{PortalID: portalID, ConnectionID: conn.ID, Object: object, State: ImportQueued}
	prev, err := st.LatestImport(ctx, portalID, conn.ID, object)
	switch {
	case err == nil && prev.State == ImportFailed:
		// Everything before its cursor is in HubSpot: go on from there.
		fresh.Total, fresh.Done, fresh.Cursor, fresh.CursorIDs = prev.Total, prev.Done, prev.Cursor, prev.CursorIDs
	case err != nil && ErrorCode(err) != NotFound:
		return ImportProgress{}, fmt.Errorf("start %s import of connection %s: %w", object, conn.ID, err)
	}
	imp, created, err := st.CreateImport(ctx, fresh)
	if err != nil {
		return ImportProgress{}, fmt.Errorf("start %s import of connection %s: %w", object, conn.ID, err)
	}
	if err := jobs.EnqueueImport(ctx, imp.ID); err != nil {
		return ImportProgress{}, fmt.Errorf("start %s import of connection %s: %w", object, conn.ID, err)
	}
	if created {
		s.log.InfoContext(ctx, "import started", "object", string(object), "portal", portalID, "connection", conn.ID,
			"import", imp.ID, "resumes_at", imp.Done)
	}
	return progressOf(imp, s.now()), nil
}

// importable checks what an import of object needs of the connection, its
// portal and its settings, with a message that says what to do.
func (s *Service) importable(ctx context.Context, conn Connection, object SyncObject) error {
	_, many := object.RecordNouns()
	if conn.State != Connected {
		return Errorf(NotConnected, "QuickBooks company %s is not connected, so its %s cannot be read; reconnect it in the app settings first.", companyName(conn), many)
	}
	portal, err := s.store.Portal(ctx, conn.PortalID)
	if ErrorCode(err) == NotFound || err == nil && portal.State != PortalInstalled && portal.State != "" {
		return Errorf(NotConnected, "The app is not installed in this HubSpot account, so nothing can be copied there; install it again.")
	}
	if err != nil {
		return err
	}
	ps, err := s.store.PortalSettings(ctx, conn.PortalID)
	if err != nil {
		return err
	}
	set, sync := ps.Sync(object), strings.ToLower(object.label())
	switch {
	case !set.Enabled:
		return Errorf(Invalid, "Turn %s on before importing %s: the import copies existing QuickBooks %s into HubSpot the way %s does.",
			sync, many, many, sync)
	case set.OnCreateOrUpdate == WriteNothing:
		return Errorf(Invalid, "%s is set to do nothing when a %s is created or updated, so an import would change nothing; choose create_or_update (or update_only, to update only %s already in HubSpot) first.",
			object.label(), object.source(), string(object))
	}
	return nil
}

// ImportStatus is the progress of the connection's latest import of
// object; NotFound when it never had one.
func (s *Service) ImportStatus(ctx context.Context, portalID int64, object SyncObject, connectionID string) (ImportProgress, error) {
	if _, err := importerOf(object); err != nil {
		return ImportProgress{}, err
	}
	st, err := s.importStore()
	if err != nil {
		return ImportProgress{}, err
	}
	if _, err := s.store.Connection(ctx, portalID, connectionID); err != nil {
		return ImportProgress{}, err
	}
	imp, err := st.LatestImport(ctx, portalID, connectionID, object)
	if ErrorCode(err) == NotFound {
		_, many := object.RecordNouns()
		return ImportProgress{}, Errorf(NotFound, "No import of %s was started for this QuickBooks company.", many)
	}
	if err != nil {
		return ImportProgress{}, fmt.Errorf("%s import status of connection %s: %w", object, connectionID, err)
	}
	return progressOf(imp, s.now()), nil
}

// LatestImports is the progress of the latest import of each kind of each
// of the portal's connections, for the settings page; none on a server
// without imports.
func (s *Service) LatestImports(ctx context.Context, portalID int64) ([]ImportProgress, error) {
	st, err := s.importStore()
	if err != nil {
		return nil, nil
	}
	imps, err := st.LatestImports(ctx, portalID)
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
