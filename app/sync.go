package app

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"
)

// syncReady reports whether the background sync is wired.
func (s *Service) syncReady() bool {
	return s.jobs != nil && s.feed != nil && s.sync != nil
}

// webhookMemory is how long a webhook body is remembered as accepted, so
// that the same body sent again is refused as a replay. It outlasts
// Intuit's redeliveries and CDC's 30 days; a body replayed later still does
// nothing, since every change in it is at or before its entity's version.
const webhookMemory = 35 * 24 * time.Hour

// Webhook is one verified QuickBooks webhook body.
type Webhook struct {
	// Digest identifies the body: the hex SHA-256 of its bytes. The body
	// is what Intuit signs, so a replay carries the same bytes.
	Digest  string
	Changes []Change
}

// AcceptWebhook takes the changes of a verified QuickBooks webhook: those
// of realms no portal connected are dropped with a log line (never an
// error, so QuickBooks does not retry them forever); the rest are handed to
// the durable queue, and AcceptWebhook returns once they are durable.
//
// A body accepted before (within webhookMemory) is a replay: nothing of it
// is queued again and replayed is true. Intuit itself resends a body only
// when it did not get our 200, so a replay is either that (its changes are
// already queued) or someone else's copy. The body is remembered only after
// its changes are durable, so one that failed is not taken for a replay
// when Intuit retries it; a body remembered by neither of two concurrent
// deliveries is queued twice, which the queue records once.
func (s *Service) AcceptWebhook(ctx context.Context, w Webhook) (replayed bool, err error) {
	if !s.syncReady() {
		return false, Errorf(Unavailable, "QuickBooks sync is not running on this server.")
	}
	now := s.now()
	if w.Digest != "" {
		seen, err := s.sync.WebhookReceived(ctx, w.Digest, now.Add(-webhookMemory))
		if err != nil {
			return false, fmt.Errorf("accept webhook: %w", err)
		}
		if seen {
			s.log.InfoContext(ctx, "quickbooks webhook replayed; refused", "digest", w.Digest, "changes", len(w.Changes))
			return true, nil
		}
	}
	if err := s.acceptChanges(ctx, w.Changes); err != nil {
		return false, err
	}
	if w.Digest != "" {
		// The changes are durable: failing to remember the body only lets a
		// replay reach the queue, whose de-duplication and the entity
		// versions make it harmless. Not worth a retry from Intuit.
		if err := s.sync.RememberWebhook(ctx, w.Digest, now, now.Add(-webhookMemory)); err != nil {
			s.log.WarnContext(ctx, "quickbooks webhook accepted but not remembered; a replay would be queued", "digest", w.Digest, "err", err)
		}
	}
	return false, nil
}

// acceptChanges queues the changes of connected realms and drops the rest.
func (s *Service) acceptChanges(ctx context.Context, changes []Change) error {
	known := map[string]bool{}
	var keep []Change
	for _, c := range changes {
		ok, seen := known[c.RealmID]
		if !seen {
			conns, err := s.sync.ConnectionsOfRealm(ctx, c.RealmID)
			if err != nil {
				return fmt.Errorf("accept changes: connections of realm %s: %w", c.RealmID, err)
			}
			ok = len(conns) > 0
			known[c.RealmID] = ok
			if !ok {
				s.log.InfoContext(ctx, "quickbooks webhook for a realm no portal connected; dropped", "realm", c.RealmID)
			}
		}
		if ok {
			keep = append(keep, c)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	if err := s.jobs.EnqueueChanges(ctx, keep); err != nil {
		return fmt.Errorf("accept changes: %w", err)
	}
	return nil
}

// syncEntities are the kinds reconcile asks CDC about.
var syncEntities = []string{EntityInvoice, EntityPayment, EntityCustomer, EntityItem, EntityTerm, EntityPreferences}

// Reconcile timing. CDC keeps 30 days; a cursor older than cdcWindow is
// clamped and the connection's linked invoices are read again in full.
// Each reconcile starts cdcOverlap before the last one's QuickBooks time,
// so a change committed while QuickBooks answered is not missed; changes
// seen twice are skipped by the entity versions.
const (
	cdcWindow  = 30*24*time.Hour - time.Hour
	cdcOverlap = 2 * time.Minute
)

// ApplyChange applies one webhook change to every connected portal of its
// realm. It is idempotent: a change at or before the newest one applied to
// the entity is skipped, and applying re-reads QuickBooks' current state,
// so duplicates and out-of-order deliveries converge. An error means
// "retry later" unless its code says the work can never succeed.
func (s *Service) ApplyChange(ctx context.Context, c Change) error {
	if !s.syncReady() {
		return Errorf(Unavailable, "QuickBooks sync is not running on this server.")
	}
	conns, err := s.sync.ConnectionsOfRealm(ctx, c.RealmID)
	if err != nil {
		return fmt.Errorf("apply change: connections of realm %s: %w", c.RealmID, err)
	}
	ch := EntityChange{Entity: c.Entity, EntityID: c.EntityID, LastUpdated: c.LastUpdated,
		Deleted: c.Operation == OpDelete}
	var errs []error
	for _, conn := range conns {
		if conn.State != Connected {
			continue
		}
		if err := s.applyEntityChange(ctx, conn, ch); err != nil {
			errs = append(errs, fmt.Errorf("apply %s %s of realm %s for portal %d: %w",
				c.Entity, c.EntityID, c.RealmID, conn.PortalID, err))
		}
	}
	return firstRetryable(errs)
}

// firstRetryable returns an error to retry when any is, else the first:
// one portal's lost connection must not stop another's retry.
func firstRetryable(errs []error) error {
	for _, err := range errs {
		if Retryable(err) {
			return err
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// Retryable reports whether work that failed with err may succeed later:
// not when the connection is gone, the input invalid or the object absent.
func Retryable(err error) bool {
	switch ErrorCode(err) {
	case NotConnected, Invalid, NotFound, Forbidden, Conflict:
		return false
	}
	return err != nil
}

// applyEntityChange applies one change to one connection.
func (s *Service) applyEntityChange(ctx context.Context, conn Connection, ch EntityChange) error {
	if !ch.LastUpdated.IsZero() {
		applied, err := s.sync.EntityVersion(ctx, conn.ID, ch.Entity, ch.EntityID)
		if err != nil {
			return err
		}
		// QuickBooks dates changes to the second, so two changes in one
		// second look alike: only a strictly older change is skipped; one
		// at the same second is applied again (a re-read, harmless).
		// Exact duplicates never get here: the queue records them once.
		if !applied.IsZero() && ch.LastUpdated.Before(applied) {
			return nil // a later change is in already
		}
	}
	var err error
	switch ch.Entity {
	case EntityInvoice:
		err = s.applyInvoiceChange(ctx, conn, ch)
	case EntityPayment:
		err = s.applyPaymentChange(ctx, conn, ch)
	case EntityCustomer:
		// The contact is synced even when the cache cannot drop the list
		// (Redis down); the change is then retried for the drop.
		err = errors.Join(s.dropLookups(ctx, conn, kindCustomers), s.syncCustomer(ctx, conn, ch)) // contactsync.go
	case EntityItem:
		err = errors.Join(s.dropLookups(ctx, conn, kindItems), s.syncItem(ctx, conn, ch)) // productsync.go
	case EntityTerm:
		err = s.dropLookups(ctx, conn, kindTerms)
	case EntityPreferences:
		err = s.applyPreferencesChange(ctx, conn)
	default:
		return nil // not a kind the app acts on
	}
	if err != nil {
		return err
	}
	if ch.LastUpdated.IsZero() {
		return nil
	}
	if b := batchOf(ctx); b != nil {
		b.versions = append(b.versions, ch)
		return nil
	}
	return s.sync.SaveEntityVersion(ctx, conn.ID, ch.Entity, ch.EntityID, ch.LastUpdated)
}

// followBatch gathers, during a reconcile, the deals to rewrite and the
// entity versions to record, so that a reconcile of a thousand changes
// writes each deal once, and records the versions only once the deals are
// written (a failure leaves them unrecorded, so the next reconcile redoes
// the work).
type followBatch struct {
	links    []InvoiceLink
	versions []EntityChange
	// carried are the invoices whose whole state the reconcile's CDC
	// answer carries: it was read with the payments in that answer, so a
	// payment need not read them again.
	carried map[string]bool
}

type followBatchKey struct{}

func withBatch(ctx context.Context, b *followBatch) context.Context {
	return context.WithValue(ctx, followBatchKey{}, b)
}

func batchOf(ctx context.Context) *followBatch {
	b, _ := ctx.Value(followBatchKey{}).(*followBatch)
	return b
}

// applyInvoiceChange refreshes a linked invoice's snapshot and the
// properties of the deals it is linked to; then, linked or not, invoice
// sync writes its HubSpot invoice when the portal has it on
// (invoicesync.go).
func (s *Service) applyInvoiceChange(ctx context.Context, conn Connection, ch EntityChange) error {
	links, err := s.store.InvoiceLinks(ctx, conn.PortalID, conn.ID, ch.EntityID)
	if err != nil {
		return err
	}
	var inv *Invoice // the invoice's state, once read here
	if len(links) > 0 {
		if ch.Invoice != nil {
			inv = ch.Invoice
			readAt := ch.ReadAt // when QuickBooks was asked: a later read wins over it
			if readAt.IsZero() {
				readAt = s.now()
			}
			err = s.store.SaveSnapshots(ctx, []Snapshot{{ConnectionID: conn.ID, Invoice: *ch.Invoice, FetchedAt: readAt}})
		} else {
			var snaps map[string]Snapshot
			if snaps, err = s.refreshSnapshots(ctx, conn, []string{ch.EntityID}); err == nil {
				sn := snaps[ch.EntityID]
				inv = &sn.Invoice
			}
		}
		if err != nil {
			return err
		}
		if err := s.followInvoices(ctx, conn, links); err != nil {
			return err
		}
	}
	return s.syncInvoice(ctx, conn, ch, inv)
}

// applyPaymentChange refreshes the linked invoices a payment pays. A
// deleted payment no longer says which invoices it paid, so every linked
// invoice of the connection is read again (one query per 100). In a
// reconcile, the invoices CDC carried in full are not read: their state,
// saved by their own change, was read with the payment (and if the
// reconcile pauses before that change, the next one applies it).
func (s *Service) applyPaymentChange(ctx context.Context, conn Connection, ch EntityChange) error {
	ids := ch.InvoiceIDs
	if ch.Deleted || ids == nil {
		var err error
		if !ch.Deleted {
			ids, err = s.feed.PaymentInvoices(ctx, conn, ch.EntityID)
		}
		if ch.Deleted || ErrorCode(err) == NotFound {
			ids, err = s.sync.LinkedInvoiceIDs(ctx, conn.ID)
		}
		if err != nil {
			return err
		}
	}
	links, err := s.linksOf(ctx, conn, ids)
	if err != nil {
		return err
	}
	var linked []string
	seen := map[string]bool{}
	if b := batchOf(ctx); b != nil {
		seen = maps.Clone(b.carried)
	}
	for _, l := range links {
		if !seen[l.InvoiceID] {
			seen[l.InvoiceID] = true
			linked = append(linked, l.InvoiceID)
		}
	}
	for start := 0; start < len(linked); start += 100 {
		if _, err := s.refreshSnapshots(ctx, conn, linked[start:min(start+100, len(linked))]); err != nil {
			return err
		}
	}
	return s.followInvoices(ctx, conn, links)
}

// linksOf lists the portal's links of the connection's invoices ids, a
// query per 1,000.
func (s *Service) linksOf(ctx context.Context, conn Connection, ids []string) ([]InvoiceLink, error) {
	var links []InvoiceLink
	for start := 0; start < len(ids); start += 1000 {
		ls, err := s.sync.LinksOfInvoices(ctx, conn.ID, ids[start:min(start+1000, len(ids))])
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			if l.PortalID == conn.PortalID {
				links = append(links, l)
			}
		}
	}
	return links, nil
}

// applyPreferencesChange reads the company's settings again (country,
// currency, time zone, custom numbers, multicurrency) and stores them on
// the connection.
func (s *Service) applyPreferencesChange(ctx context.Context, conn Connection) error {
	if err := s.dropLookups(ctx, conn, kindCompany); err != nil {
		return err
	}
	company, err := s.qbo.Company(ctx, conn)
	if err != nil {
		return err
	}
	conn.CompanyName, conn.Country, conn.Currency = company.Name, company.Country, company.Currency
	conn.TimeZone, conn.CustomTxnNumbers = company.TimeZone, company.CustomTxnNumbers
	conn.MultiCurrency = company.MultiCurrency
	// Only the company's fields: the tokens read at the start may have been
	// rotated since (Company itself may have refreshed them), and the admin
	// may have disconnected the company meanwhile.
	if err := s.sync.SaveCompanySettings(ctx, conn); err != nil {
		if ErrorCode(err) == NotFound {
			return nil // disconnected meanwhile: nothing to keep
		}
		return err
	}
	s.cards.forgetPrefix(fmt.Sprintf("%d:", conn.PortalID))
	return nil
}

// followInvoices rewrites the QuickBooks properties of every deal among
// links, once each, and drops the portal's remembered cards. Within a
// reconcile (a followBatch in ctx) it only gathers them.
func (s *Service) followInvoices(ctx context.Context, conn Connection, links []InvoiceLink) error {
	if b := batchOf(ctx); b != nil {
		b.links = append(b.links, links...)
		return nil
	}
	s.cards.forgetPrefix(fmt.Sprintf("%d:", conn.PortalID))
	deals := map[string]bool{}
	for _, l := range links {
		if l.Object.Type == Deals {
			deals[l.Object.ID] = true
		}
	}
	if len(deals) == 0 {
		return nil
	}
	portal, err := s.store.Portal(ctx, conn.PortalID)
	if err != nil {
		return err
	}
	if portal.State != PortalInstalled && portal.State != "" {
		return nil // HubSpot cannot be written until the app is installed again
	}
	ids := make([]string, 0, len(deals))
	for id := range deals {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var errs []error
	for _, id := range ids {
		res := s.refreshDealProperties(ctx, portal, id)
		switch {
		case res.err == nil:
		case Retryable(res.err):
			errs = append(errs, fmt.Errorf("deal %s: %w", id, res.err))
		default:
			// A deal deleted in HubSpot, or a write HubSpot refuses for
			// good: the other deals go on, and the work is not retried.
			s.log.WarnContext(ctx, "deal properties not written; skipped", "portal", conn.PortalID, "deal", id, "err", res.err)
		}
	}
	return errors.Join(errs...)
}

// ReconcileTargets lists the connections a reconcile visits: every
// connected one.
func (s *Service) ReconcileTargets(ctx context.Context) ([]string, error) {
	if !s.syncReady() {
		return nil, nil
	}
	conns, err := s.sync.ActiveConnections(ctx)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(conns))
	for i, c := range conns {
		ids[i] = c.ID
	}
	return ids, nil
}

// activeConnection finds a connected connection by id; ok is false when it
// is gone or no longer connected.
func (s *Service) activeConnection(ctx context.Context, id string) (Connection, bool, error) {
	c, err := s.sync.ConnectionByID(ctx, id)
	switch {
	case ErrorCode(err) == NotFound:
		return Connection{}, false, nil
	case err != nil:
		return Connection{}, false, err
	}
	return c, c.State == Connected, nil
}

// Reconcile applies what CDC reports changed in the connection's company
// since the last reconcile, healing whatever webhooks missed. The cursor
// advances only after every change is applied; a failure leaves it, and
// the next reconcile asks again (applying twice is harmless).
func (s *Service) Reconcile(ctx context.Context, connectionID string) error {
	if !s.syncReady() {
		return Errorf(Unavailable, "QuickBooks sync is not running on this server.")
	}
	conn, ok, err := s.activeConnection(ctx, connectionID)
	if err != nil || !ok {
		return err
	}
	st, err := s.sync.SyncState(ctx, conn.ID)
	if err != nil {
		return err
	}
	now := s.now()
	since := st.CDCSince
	if since.IsZero() {
		since = conn.CreatedAt.Add(-cdcOverlap)
	}
	if since.Before(now.Add(-cdcWindow)) {
		// Older than CDC remembers: read every linked invoice again.
		since = now.Add(-cdcWindow)
		if err := s.refreshAllLinked(ctx, conn); err != nil {
			return err
		}
	}
	readAt := s.now()
	cs, err := s.feed.Changes(ctx, conn, syncEntities, since)
	if err != nil {
		return err
	}
	// Oldest first across kinds, applied a chunk at a time: after each
	// chunk its deals are written, its versions recorded and the cursor
	// moved to the chunk's newest change, so a reconcile with more work
	// than one job's time stops between chunks and the next one goes on
	// from there (changes of the cursor's second are applied again,
	// harmlessly).
	changes := slices.Clone(cs.Changes)
	slices.SortStableFunc(changes, func(a, b EntityChange) int { return a.LastUpdated.Compare(b.LastUpdated) })
	carried := map[string]bool{}
	for _, ch := range changes {
		if ch.Entity == EntityInvoice && ch.Invoice != nil && !ch.Deleted {
			carried[ch.EntityID] = true
		}
	}
	for start := 0; start < len(changes); start += reconcileChunk {
		if start > 0 && timeShort(ctx) {
			s.log.InfoContext(ctx, "reconcile paused; the next one goes on", "connection", conn.ID,
				"applied", start, "of", len(changes))
			return nil
		}
		chunk := changes[start:min(start+reconcileChunk, len(changes))]
		if err := s.reconcileChunk(ctx, conn, chunk, carried, readAt); err != nil {
			return err
		}
		if start+len(chunk) < len(changes) {
			if err := s.saveCursor(ctx, conn, since, chunk[len(chunk)-1].LastUpdated); err != nil {
				return err
			}
		}
	}
	if err := s.saveCursor(ctx, conn, since, cs.Time.Add(-cdcOverlap)); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "reconciled", "connection", conn.ID, "realm", conn.RealmID, "changes", len(cs.Changes))
	return nil
}

// reconcileChunk is how many changes a reconcile applies between saves of
// its progress.
const reconcileChunk = 200

// timeShort reports whether less than a third of ctx's time is left (no
// deadline: never).
func timeShort(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < 20*time.Second
}

// reconcileChunk applies changes, then writes their deals once each and
// records their versions. A change that can never succeed is logged and
// skipped; one that may succeed later fails the chunk, leaving the cursor.
func (s *Service) reconcileChunk(ctx context.Context, conn Connection, changes []EntityChange, carried map[string]bool, readAt time.Time) error {
	batch := &followBatch{carried: carried}
	bctx := withBatch(ctx, batch)
	var errs []error
	for _, ch := range changes {
		ch.ReadAt = readAt
		err := s.applyEntityChange(bctx, conn, ch)
		switch {
		case err == nil:
		case Retryable(err):
			errs = append(errs, fmt.Errorf("reconcile %s %s: %w", ch.Entity, ch.EntityID, err))
		default:
			// It can never succeed: one such change must not hold the
			// connection's reconcile back for good.
			s.log.WarnContext(ctx, "reconcile: change skipped", "connection", conn.ID, "entity", ch.Entity, "id", ch.EntityID, "err", err)
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	if err := s.followInvoices(ctx, conn, batch.links); err != nil {
		return err
	}
	for _, ch := range batch.versions {
		if err := s.sync.SaveEntityVersion(ctx, conn.ID, ch.Entity, ch.EntityID, ch.LastUpdated); err != nil {
			return err
		}
	}
	return nil
}

// saveCursor moves the connection's reconcile cursor to next, never back.
func (s *Service) saveCursor(ctx context.Context, conn Connection, since, next time.Time) error {
	if !next.After(since) {
		return nil
	}
	return s.sync.SaveCDCSince(ctx, conn.ID, next)
}

// refreshAllLinked reads every linked invoice of the connection again and
// rewrites the properties of their deals.
func (s *Service) refreshAllLinked(ctx context.Context, conn Connection) error {
	ids, err := s.sync.LinkedInvoiceIDs(ctx, conn.ID)
	if err != nil {
		return err
	}
	var links []InvoiceLink
	for start := 0; start < len(ids); start += 100 {
		chunk := ids[start:min(start+100, len(ids))]
		if _, err := s.refreshSnapshots(ctx, conn, chunk); err != nil {
			return err
		}
		for _, id := range chunk {
			ls, err := s.store.InvoiceLinks(ctx, conn.PortalID, conn.ID, id)
			if err != nil {
				return err
			}
			links = append(links, ls...)
		}
	}
	return s.followInvoices(ctx, conn, links)
}

// SweepOverdue moves deal properties that time alone changed: an unpaid
// invoice becomes overdue the day after its due date, with no QuickBooks
// event at all, and HubSpot workflows wait for the deal property. Each
// company is swept once per day of its own time zone, soon after its
// midnight (the queue runs the sweep every few minutes; a company whose
// date has not changed since its last sweep is skipped). Only invoices
// that became overdue since the last sweep are touched, and, where invoice
// sync is on, their HubSpot invoices (sweepSyncedInvoices).
func (s *Service) SweepOverdue(ctx context.Context) error {
	if !s.syncReady() {
		return nil
	}
	conns, err := s.sync.ActiveConnections(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, conn := range conns {
		if err := s.sweepConnection(ctx, conn); err != nil {
			errs = append(errs, fmt.Errorf("sweep connection %s: %w", conn.ID, err))
		}
	}
	return firstRetryable(errs)
}

func (s *Service) sweepConnection(ctx context.Context, conn Connection) error {
	today := Today(s.now(), conn.TimeZone)
	st, err := s.sync.SyncState(ctx, conn.ID)
	if err != nil {
		return err
	}
	if st.SweptThrough == today {
		return nil
	}
	ids, err := s.sync.LinkedInvoiceIDs(ctx, conn.ID)
	if err != nil {
		return err
	}
	snaps, err := s.store.Snapshots(ctx, conn.ID, ids)
	if err != nil {
		return err
	}
	var links []InvoiceLink
	turned := 0
	for _, id := range ids {
		sn, ok := snaps[id]
		if !ok || sn.Invoice.Deleted || !sn.Invoice.Overdue(today) ||
			!st.SweptThrough.IsZero() && sn.Invoice.Overdue(st.SweptThrough) {
			continue
		}
		ls, err := s.store.InvoiceLinks(ctx, conn.PortalID, conn.ID, id)
		if err != nil {
			return err
		}
		links = append(links, ls...)
		turned++
	}
	if err := s.followInvoices(ctx, conn, links); err != nil {
		return err
	}
	if err := s.sweepSyncedInvoices(ctx, conn, today, st.SweptThrough); err != nil {
		return err
	}
	if err := s.sync.SaveSweptThrough(ctx, conn.ID, today); err != nil {
		return err
	}
	if turned > 0 {
		s.log.InfoContext(ctx, "overdue sweep", "connection", conn.ID, "date", today.String(), "invoices", turned)
	}
	return nil
}
