package qbofake

import (
	"encoding/json"
	"strconv"
	"strings"
)

// kind describes an entity the fake serves: its QBO name, its lower-case
// path segment (reference §1.1 "Entity path segment") and the operations
// QBO allows on it.
type kind struct {
	name, path                       string
	create, update, del, void, query bool
}

var kinds = []*kind{
	{name: "Invoice", path: "invoice", create: true, update: true, del: true, void: true, query: true},
	{name: "Customer", path: "customer", create: true, update: true, query: true},
	{name: "Vendor", path: "vendor", create: true, update: true, query: true},
	{name: "Employee", path: "employee", create: true, update: true, query: true},
	{name: "Item", path: "item", create: true, update: true, query: true},
	{name: "Term", path: "term", create: true, update: true, query: true},
	{name: "Payment", path: "payment", create: true, update: true, del: true, void: true, query: true},
	{name: "TaxCode", path: "taxcode", query: true},
	{name: "TaxRate", path: "taxrate", query: true},
	{name: "Preferences", path: "preferences", update: true, query: true},
	{name: "CompanyInfo", path: "companyinfo", update: true, query: true},
}

// kindByName finds a kind by path segment or entity name, in any case.
func kindByName(s string) *kind {
	for _, k := range kinds {
		if strings.EqualFold(k.path, s) || strings.EqualFold(k.name, s) {
			return k
		}
	}
	return nil
}

// writeOpts carries the query parameters that shape a write.
type writeOpts struct {
	invoice invoiceOpts
}

// write performs create, update, delete or void on kind k from a JSON body
// and returns the object QBO would answer with.
func (w *work) write(k *kind, op string, raw []byte, opt writeOpts) (any, *qboError) {
	allowed := map[string]bool{"create": k.create, "update": k.update, "delete": k.del, "void": k.void}
	if !allowed[op] {
		return nil, errUnsupportedOp(capitalize(op))
	}
	r := w.r
	switch op {
	case "create":
		switch k.name {
		case "Invoice":
			out, e := createIn(w, raw, &r.invoices, spaceTxn, k.name, func(in, _ *Invoice) (*Invoice, *qboError) {
				return w.saveInvoice(in, nil, opt.invoice)
			})
			if e == nil {
				w.refreshBalance(out.CustomerRef.Value)
			}
			return out, e
		case "Customer":
			return createIn(w, raw, &r.customers, spaceNames, k.name, w.saveCustomer)
		case "Vendor":
			return createIn(w, raw, &r.vendors, spaceNames, k.name, w.saveVendor)
		case "Employee":
			return createIn(w, raw, &r.employees, spaceNames, k.name, w.saveEmployee)
		case "Item":
			return createIn(w, raw, &r.items, spaceItem, k.name, w.saveItem)
		case "Term":
			return createIn(w, raw, &r.terms, spaceTerm, k.name, w.saveTerm)
		case "Payment":
			out, e := createIn(w, raw, &r.payments, spaceTxn, k.name, w.savePayment)
			if e == nil {
				w.applyPayment(out, +1)
			}
			return out, e
		}
	case "update":
		return w.update(k, raw, opt)
	case "delete":
		return w.remove(k, raw)
	case "void":
		return w.void(k, raw)
	}
	return nil, errUnsupportedOp(capitalize(op))
}

func (w *work) update(k *kind, raw []byte, opt writeOpts) (any, *qboError) {
	r := w.r
	switch k.name {
	case "Invoice":
		prev, out, e := updateIn(w, raw, &r.invoices, k.name, false, func(in, prev *Invoice) (*Invoice, *qboError) {
			return w.saveInvoice(in, prev, opt.invoice)
		})
		if e == nil {
			w.refreshBalance(prev.CustomerRef.Value)
			w.refreshBalance(out.CustomerRef.Value)
		}
		return out, e
	case "Customer":
		prev, out, e := updateIn(w, raw, &r.customers, k.name, false, w.saveCustomer)
		if e == nil {
			out.Balance, out.BalanceWithJobs = prev.Balance, prev.BalanceWithJobs
			w.renameRefs(k.name, out.Id, out.DisplayName)
		}
		return out, e
	case "Vendor":
		prev, out, e := updateIn(w, raw, &r.vendors, k.name, false, w.saveVendor)
		if e == nil {
			out.Balance = prev.Balance
		}
		return out, e
	case "Employee":
		_, out, e := updateIn(w, raw, &r.employees, k.name, false, w.saveEmployee)
		return out, e
	case "Item":
		_, out, e := updateIn(w, raw, &r.items, k.name, false, w.saveItem)
		if e == nil {
			w.renameRefs(k.name, out.Id, out.Name)
		}
		return out, e
	case "Term":
		_, out, e := updateIn(w, raw, &r.terms, k.name, false, w.saveTerm)
		return out, e
	case "Payment":
		prev, ok := r.payments.get(peekID(raw))
		_, out, e := updateIn(w, raw, &r.payments, k.name, false, w.savePayment)
		if e == nil && ok {
			w.applyPayment(prev, -1)
			w.applyPayment(out, +1)
		}
		return out, e
	case "Preferences":
		out, e := updateSingleton(w, raw, k.name, true, r.prefs, w.savePreferences)
		if e == nil {
			r.prefs = out
		}
		return out, e
	case "CompanyInfo":
		out, e := updateSingleton(w, raw, k.name, false, r.info, w.saveCompanyInfo)
		if e == nil {
			r.info = out
		}
		return out, e
	}
	return nil, errUnsupportedOp("Update")
}

// remove deletes an invoice or payment: QBO answers with a stub
// {"domain":"QBO","status":"Deleted","Id":…}, and deleting again is 610
// (reference §1.2).
func (w *work) remove(k *kind, raw []byte) (any, *qboError) {
	r := w.r
	var id string
	switch k.name {
	case "Invoice":
		prev, e := checkedTarget(raw, &r.invoices, w.r.user)
		if e != nil {
			return nil, e
		}
		id = prev.Id
		w.detachPayments(id)
		r.invoices.remove(id)
		w.refreshBalance(prev.CustomerRef.Value)
	case "Payment":
		prev, e := checkedTarget(raw, &r.payments, w.r.user)
		if e != nil {
			return nil, e
		}
		id = prev.Id
		w.applyPayment(prev, -1)
		r.payments.remove(id)
	default:
		return nil, errUnsupportedOp("Delete")
	}
	r.tombstones = append(r.tombstones, tombstone{entity: k.name, id: id, at: w.now})
	w.changed(k.name, id, opDelete)
	return &deletedStub{Domain: "QBO", Status: "Deleted", Id: id}, nil
}

// void voids an invoice or payment (reference §1.2 "Void").
func (w *work) void(k *kind, raw []byte) (any, *qboError) {
	r := w.r
	switch k.name {
	case "Invoice":
		prev, e := checkedTarget(raw, &r.invoices, w.r.user)
		if e != nil {
			return nil, e
		}
		w.detachPayments(prev.Id)
		out := cloneJSON(prev)
		voidInvoice(out)
		out.LinkedTxn = []LinkedTxn{}
		w.bump(&out.Base)
		r.invoices.put(out)
		w.refreshBalance(out.CustomerRef.Value)
		w.changed(k.name, out.Id, opVoid)
		return out, nil
	case "Payment":
		prev, e := checkedTarget(raw, &r.payments, w.r.user)
		if e != nil {
			return nil, e
		}
		w.applyPayment(prev, -1)
		out := cloneJSON(prev)
		voidPayment(out)
		w.bump(&out.Base)
		r.payments.put(out)
		w.changed(k.name, out.Id, opVoid)
		return out, nil
	}
	return nil, errUnsupportedOp("Void")
}

// createIn decodes a create body strictly, validates it with save, gives it
// the next id in space and stores it.
func createIn[T any, P interface {
	*T
	stored
}](w *work, raw []byte, tbl *table[P], space, entity string, save func(in, prev P) (P, *qboError)) (P, *qboError) {
	in := P(new(T))
	if e := decodeStrict(raw, in); e != nil {
		return nil, e
	}
	out, e := save(in, nil)
	if e != nil {
		return nil, e
	}
	id := w.r.nextID(space)
	w.stamp(out.base(), id)
	tbl.put(out)
	w.changed(entity, id, opCreate)
	return out, nil
}

// updateIn performs a full or sparse update (reference §1.2 "Sparse
// update"): Id and SyncToken are required (2020), an unknown Id is 610, a
// stale SyncToken 5010. A sparse body is laid over the stored object; a
// full body replaces every writable field.
func updateIn[T any, P interface {
	*T
	stored
}](w *work, raw []byte, tbl *table[P], entity string, deep bool, save func(in, prev P) (P, *qboError)) (prev, out P, e *qboError) {
	in := P(new(T))
	if e := decodeStrict(raw, in); e != nil {
		return nil, nil, e
	}
	prev, e = checkVersion(in.base(), tbl, w.r.user)
	if e != nil {
		return nil, nil, e
	}
	if in.base().Sparse {
		in = overlay(prev, raw, deep)
	}
	out, e = save(in, prev)
	if e != nil {
		return nil, nil, e
	}
	pb, ob := prev.base(), out.base()
	*ob = *pb
	w.bump(ob)
	tbl.put(out)
	w.changed(entity, ob.Id, opUpdate)
	return prev, out, nil
}

// updateSingleton updates Preferences or CompanyInfo, whose Id is "1".
func updateSingleton[T any, P interface {
	*T
	stored
}](w *work, raw []byte, entity string, deep bool, prev P, save func(in, prev P) (P, *qboError)) (P, *qboError) {
	in := P(new(T))
	if e := decodeStrict(raw, in); e != nil {
		return nil, e
	}
	b, pb := in.base(), prev.base()
	switch {
	case b.Id == "":
		return nil, errRequired("Id")
	case b.Id != pb.Id:
		return nil, errObjectNotFound()
	case b.SyncToken == "":
		return nil, errRequired("SyncToken")
	case b.SyncToken != pb.SyncToken:
		return nil, errStale(w.r.user)
	}
	if b.Sparse {
		in = overlay(prev, raw, deep)
	}
	out, e := save(in, prev)
	if e != nil {
		return nil, e
	}
	ob := out.base()
	*ob = *pb
	w.bump(ob)
	w.changed(entity, ob.Id, opUpdate)
	return out, nil
}

// checkedTarget reads {Id, SyncToken} from a delete or void body (the body
// may be the whole object, as rwestlund/quickbooks-go sends) and checks them.
func checkedTarget[T any, P interface {
	*T
	stored
}](raw []byte, tbl *table[P], user string) (P, *qboError) {
	in := P(new(T))
	if e := decodeStrict(raw, in); e != nil {
		return nil, e
	}
	return checkVersion(in.base(), tbl, user)
}

func checkVersion[P stored](b *Base, tbl *table[P], user string) (P, *qboError) {
	var zero P
	if b.Id == "" {
		return zero, errRequired("Id")
	}
	prev, ok := tbl.get(b.Id)
	if !ok {
		return zero, errObjectNotFound()
	}
	if b.SyncToken == "" {
		return zero, errRequired("SyncToken")
	}
	if b.SyncToken != prev.base().SyncToken {
		return zero, errStale(user)
	}
	return prev, nil
}

// overlay lays a sparse body over the stored object: each top-level
// property sent replaces the stored one (deep merges nested objects too,
// for Preferences). Arrays such as Line are replaced whole.
//
// A property sent as null counts as not sent: Jackson reads null and absent
// alike, so QBO cannot tell them apart. So, by our choice, does a blank
// object ({} or one holding only empty values) and Go's zero date, which
// rwestlund/quickbooks-go puts in every sparse update (reference §8
// defect 5); otherwise its UpdateInvoice would wipe CustomerRef and TxnDate.
func overlay[T any, P interface{ *T }](prev P, raw []byte, deep bool) P {
	var base, patch map[string]any
	_ = json.Unmarshal(mustJSON(prev), &base)
	_ = json.Unmarshal(raw, &patch)
	merge(base, patch, deep)
	out := P(new(T))
	_ = json.Unmarshal(mustJSON(base), out)
	return out
}

func merge(dst, src map[string]any, deep bool) {
	for k, v := range src {
		if blank(v) {
			continue
		}
		if deep {
			if sm, ok := v.(map[string]any); ok {
				if dm, ok := dst[k].(map[string]any); ok {
					merge(dm, sm, deep)
					continue
				}
			}
		}
		dst[k] = v
	}
}

// blank reports whether a sparse-update value means "not sent": null, a
// zero date, or an object whose values are all blank or empty strings.
func blank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.HasPrefix(x, "0001-01-01")
	case map[string]any:
		for _, e := range x {
			if s, ok := e.(string); ok && s == "" {
				continue
			}
			if !blank(e) {
				return false
			}
		}
		return true
	}
	return false
}

// cloneJSON deep-copies an object through its JSON form.
func cloneJSON[T any](v *T) *T {
	out := new(T)
	if err := json.Unmarshal(mustJSON(v), out); err != nil {
		panic("qbofake: clone: " + err.Error())
	}
	return out
}

// peekID reads "Id" from a body without validating it.
func peekID(raw []byte) string {
	var v struct{ Id json.RawMessage }
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	var s string
	if json.Unmarshal(v.Id, &s) == nil {
		return s
	}
	return strings.Trim(string(v.Id), `"`)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// read returns one object by id: a missing id is 610 and a malformed one
// 2030 (reference §1.10, R1 error/500.yml).
func (r *realm) read(k *kind, id string) (any, *qboError) {
	if k.name == "CompanyInfo" {
		if id != r.id && id != r.info.Id {
			return nil, errObjectNotFound()
		}
		return r.info, nil
	}
	if k.name == "Preferences" {
		return r.prefs, nil
	}
	if _, err := strconv.Atoi(id); err != nil && !(k.name == "TaxCode" && (id == "TAX" || id == "NON")) {
		return nil, errInvalidID(id)
	}
	var (
		v  any
		ok bool
	)
	switch k.name {
	case "Invoice":
		v, ok = getAny(&r.invoices, id)
	case "Customer":
		v, ok = getAny(&r.customers, id)
	case "Vendor":
		v, ok = getAny(&r.vendors, id)
	case "Employee":
		v, ok = getAny(&r.employees, id)
	case "Item":
		v, ok = getAny(&r.items, id)
	case "Term":
		v, ok = getAny(&r.terms, id)
	case "Payment":
		v, ok = getAny(&r.payments, id)
	case "TaxCode":
		v, ok = getAny(&r.taxCodes, id)
	case "TaxRate":
		v, ok = getAny(&r.taxRates, id)
	}
	if !ok {
		return nil, errObjectNotFound()
	}
	return v, nil
}

func getAny[P stored](t *table[P], id string) (any, bool) {
	v, ok := t.get(id)
	return v, ok
}

// list returns every stored object of kind k (for query and CDC), ordered
// by Id.
func (r *realm) list(k *kind) []stored {
	switch k.name {
	case "Invoice":
		return asStored(r.invoices.all())
	case "Customer":
		return asStored(r.customers.all())
	case "Vendor":
		return asStored(r.vendors.all())
	case "Employee":
		return asStored(r.employees.all())
	case "Item":
		return asStored(r.items.all())
	case "Term":
		return asStored(r.terms.all())
	case "Payment":
		return asStored(r.payments.all())
	case "TaxCode":
		return asStored(r.taxCodes.all())
	case "TaxRate":
		return asStored(r.taxRates.all())
	case "Preferences":
		return []stored{r.prefs}
	case "CompanyInfo":
		return []stored{r.info}
	}
	return nil
}

func asStored[P stored](vs []P) []stored {
	out := make([]stored, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}
