package qbofake

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// table holds one entity kind of one realm, keyed by Id, with the ids kept
// in order so listing needs no sort (writes scan tables, so this matters).
type table[T stored] struct {
	byID  map[string]T
	order []string // ids sorted by compareIDs
}

func (t *table[T]) get(id string) (T, bool) {
	v, ok := t.byID[id]
	return v, ok
}

func (t *table[T]) put(v T) {
	if t.byID == nil {
		t.byID = make(map[string]T)
	}
	id := v.base().Id
	if _, ok := t.byID[id]; !ok {
		// Ids are mostly assigned in increasing order: append is the usual case.
		i, _ := slices.BinarySearchFunc(t.order, id, compareIDs)
		t.order = slices.Insert(t.order, i, id)
	}
	t.byID[id] = v
}

func (t *table[T]) remove(id string) {
	if _, ok := t.byID[id]; !ok {
		return
	}
	delete(t.byID, id)
	if i, found := slices.BinarySearchFunc(t.order, id, compareIDs); found {
		t.order = slices.Delete(t.order, i, i+1)
	}
}

// all returns the rows ordered by Id: non-numeric ids (TAX, NON) first,
// then numerically. QBO's order for unsorted queries is [?] (reference §2
// "ORDERBY"); ascending Id is what the recorded listings show.
func (t *table[T]) all() []T {
	out := make([]T, 0, len(t.order))
	for _, id := range t.order {
		out = append(out, t.byID[id])
	}
	return out
}

func compareIDs(a, b string) int {
	na, ea := strconv.Atoi(a)
	nb, eb := strconv.Atoi(b)
	switch {
	case ea != nil && eb != nil:
		return cmp.Compare(a, b)
	case ea != nil:
		return -1
	case eb != nil:
		return 1
	}
	return cmp.Compare(na, nb)
}

// tombstone remembers a deleted object for CDC (reference §5.1) and so a
// second delete or a reference to it answers 610.
type tombstone struct {
	entity, id string
	at         time.Time
}

// Id spaces: QBO numbers customers, vendors and employees from one "Names"
// list and transactions from one sequence; other lists count on their own.
const (
	spaceNames   = "names"
	spaceTxn     = "txn"
	spaceItem    = "item"
	spaceTerm    = "term"
	spaceTaxCode = "taxcode"
	spaceTaxRate = "taxrate"
)

// nextID returns the next free id in space.
func (r *realm) nextID(space string) string {
	r.seq[space]++
	return strconv.Itoa(r.seq[space])
}

// reserveID makes sure nextID never hands out id (used when seeding fixed ids).
func (r *realm) reserveID(space, id string) {
	if n, err := strconv.Atoi(id); err == nil && n > r.seq[space] {
		r.seq[space] = n
	}
}

func (r *realm) deleted(entity, id string) bool {
	for _, t := range r.tombstones {
		if t.entity == entity && t.id == id {
			return true
		}
	}
	return false
}
