package qbofake

import (
	"strconv"
	"time"
)

// work is one unit of change to a realm, done under the realm's lock: an
// API call, a batch item, or a seed step. It stamps objects with one "now"
// and collects the change notifications to send once the lock is released.
type work struct {
	s       *Server
	r       *realm
	now     time.Time // in the realm's time zone
	quiet   bool      // seeding: no notifications
	changes []change
}

// change is one notification: entity kind, id and QBO operation name.
type change struct {
	entity, id, op string
	at             time.Time
}

// Operation names of the legacy webhook payload (reference §5.2).
const (
	opCreate  = "Create"
	opUpdate  = "Update"
	opDelete  = "Delete"
	opVoid    = "Void"
	opEmailed = "Emailed"
)

func (s *Server) begin(r *realm) *work {
	return &work{s: s, r: r, now: s.now().In(r.loc)}
}

// changed records a notification, once per entity, id and operation.
func (w *work) changed(entity, id, op string) {
	if w.quiet {
		return
	}
	for _, c := range w.changes {
		if c.entity == entity && c.id == id && c.op == op {
			return
		}
	}
	w.changes = append(w.changes, change{entity: entity, id: id, op: op, at: w.now})
}

// stamp gives a new object its identity: domain, Id, SyncToken "0" and
// MetaData (reference §1.1 "Every object also carries").
func (w *work) stamp(b *Base, id string) {
	b.Domain, b.Sparse, b.Id, b.SyncToken, b.MetaData = "QBO", false, id, "0", newMeta(w.now)
}

// bump records a write: SyncToken+1 and a new LastUpdatedTime.
func (w *work) bump(b *Base) {
	n, _ := strconv.Atoi(b.SyncToken)
	b.SyncToken = strconv.Itoa(n + 1)
	meta := &MetaData{LastUpdatedTime: Timestamp{w.now.Truncate(time.Second)}}
	if b.MetaData != nil {
		meta.CreateTime = b.MetaData.CreateTime
	} else {
		meta.CreateTime = meta.LastUpdatedTime
	}
	b.MetaData = meta
	b.Sparse = false
}

// The ref* helpers resolve a reference: an id that never existed is 2500
// Invalid Reference Id, an inactive or deleted object is 610 Object Not
// Found (reference §3).

func (w *work) refCustomer(ref *Ref) (*Customer, *qboError) {
	c, ok := w.r.customers.get(ref.Value)
	if !ok {
		if w.r.deleted("Customer", ref.Value) {
			return nil, errObjectNotFound()
		}
		return nil, errInvalidRef("Names", ref.Value)
	}
	if !c.active() {
		return nil, errObjectNotFound()
	}
	return c, nil
}

func (w *work) refItem(ref *Ref) (*Item, *qboError) {
	it, ok := w.r.items.get(ref.Value)
	if !ok {
		return nil, errInvalidRef("Items", ref.Value)
	}
	if !it.active() {
		return nil, errObjectNotFound()
	}
	return it, nil
}

func (w *work) refTerm(ref *Ref) (*Term, *qboError) {
	t, ok := w.r.terms.get(ref.Value)
	if !ok {
		return nil, errInvalidRef("SalesTerms", ref.Value)
	}
	if !t.active() {
		return nil, errObjectNotFound()
	}
	return t, nil
}

func (w *work) refTaxCode(ref *Ref) (*TaxCode, *qboError) {
	tc, ok := w.r.taxCodes.get(ref.Value)
	if !ok {
		return nil, errInvalidRef("TaxCodes", ref.Value)
	}
	if !tc.active() {
		return nil, errObjectNotFound()
	}
	return tc, nil
}

func (w *work) refInvoice(id string) (*Invoice, *qboError) {
	inv, ok := w.r.invoices.get(id)
	if !ok {
		if w.r.deleted("Invoice", id) {
			return nil, errObjectNotFound()
		}
		return nil, errInvalidRef("Transactions", id)
	}
	return inv, nil
}

// currencyRef resolves a currency, defaulting to the home currency. A
// foreign currency needs multicurrency turned on (reference §1.2 CurrencyRef).
func (w *work) currencyRef(ref *Ref) (*Ref, *qboError) {
	code := w.r.home()
	if ref != nil && ref.Value != "" {
		code = ref.Value
	}
	name, ok := currencyNames[code]
	if !ok {
		return nil, errInvalidRef("Currencies", code)
	}
	if code != w.r.home() && !w.r.prefs.CurrencyPrefs.MultiCurrencyEnabled {
		return nil, errBusiness("Multicurrency is not turned on, so " + code + " can't be used.")
	}
	return &Ref{Value: code, Name: name}, nil
}

// refreshBalance recomputes a customer's Balance from its open invoices and
// BalanceWithJobs up its parent chain. QBO keeps these as read-only
// derived fields and does not bump the customer's SyncToken for them.
func (w *work) refreshBalance(customerID string) {
	for id := customerID; id != ""; {
		c, ok := w.r.customers.get(id)
		if !ok {
			return
		}
		var own Money
		for _, inv := range w.r.invoices.all() {
			if inv.CustomerRef != nil && inv.CustomerRef.Value == c.Id {
				own += inv.Balance
			}
		}
		withJobs := own
		for _, child := range w.r.customers.all() {
			if child.ParentRef != nil && child.ParentRef.Value == c.Id {
				withJobs += child.BalanceWithJobs
			}
		}
		c.Balance, c.BalanceWithJobs = own, withJobs
		id = ""
		if c.ParentRef != nil {
			id = c.ParentRef.Value
		}
	}
}

// renameRefs keeps the names inside references current when a customer or
// item is renamed, as QBO prints the current name.
func (w *work) renameRefs(entity, id, name string) {
	for _, inv := range w.r.invoices.all() {
		if entity == "Customer" && inv.CustomerRef != nil && inv.CustomerRef.Value == id {
			inv.CustomerRef.Name = name
		}
		if entity == "Item" {
			for i := range inv.Line {
				if d := inv.Line[i].SalesItemLineDetail; d != nil && d.ItemRef != nil && d.ItemRef.Value == id {
					d.ItemRef.Name = name
				}
			}
		}
	}
	if entity == "Customer" {
		for _, p := range w.r.payments.all() {
			if p.CustomerRef != nil && p.CustomerRef.Value == id {
				p.CustomerRef.Name = name
			}
		}
	}
}

// detachPayments takes an invoice out of every payment applied to it
// (before a delete or void): the payment keeps its money as unapplied.
func (w *work) detachPayments(invoiceID string) {
	for _, p := range w.r.payments.all() {
		amt := appliedTo(p, invoiceID)
		if amt == 0 {
			continue
		}
		var lines []PaymentLine
		for _, l := range p.Line {
			if len(l.LinkedTxn) == 1 && l.LinkedTxn[0].TxnId == invoiceID {
				continue
			}
			lines = append(lines, l)
		}
		if lines == nil {
			lines = []PaymentLine{}
		}
		p.Line = lines
		un := amt
		if p.UnappliedAmt != nil {
			un += *p.UnappliedAmt
		}
		p.UnappliedAmt = &un
		w.bump(&p.Base)
		w.changed("Payment", p.Id, opUpdate)
	}
}
