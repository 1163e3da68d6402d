package qbofake

import (
	"fmt"
	"time"
)

// InvoiceSeed describes the invoices SeedInvoices adds to a company, for
// load tests and benchmarks that need thousands of them.
type InvoiceSeed struct {
	// Count is how many invoices to add.
	Count int
	// CustomerIDs bill the invoices in turn; at least one, each an active
	// customer of the company.
	CustomerIDs []string
	// ItemID is the one line's item, sold 1 to 5 at a time at 100.00 each.
	ItemID string
	// TaxCodeID is the line's tax code: outside the US a real, active code
	// (required there, §1.5); in the US "" lets the item decide.
	TaxCodeID string
	// Start is the MetaData.CreateTime of the first invoice; zero means
	// Count/PerSecond seconds before the fake's now.
	Start time.Time
	// PerSecond invoices share each whole second of CreateTime (QBO's
	// times have whole seconds, so a bulk entry can stamp many alike);
	// default 1.
	PerSecond int
}

// SeedInvoices adds spec.Count invoices to the company realmID, in order,
// through the same validation and numbering as the API's create, but
// without HTTP, limits, faults, counters or webhooks (seeding). Their
// CreateTime (and LastUpdatedTime and TxnDate) advance one second every
// spec.PerSecond invoices from spec.Start. It returns their ids in
// creation order; on a refused invoice it stops and returns the ids made
// so far with the error.
func (s *Server) SeedInvoices(realmID string, spec InvoiceSeed) ([]string, error) {
	rl := s.realm(realmID)
	switch {
	case rl == nil:
		return nil, fmt.Errorf("qbofake: seed invoices: no company %s", realmID)
	case spec.Count < 0 || len(spec.CustomerIDs) == 0 || spec.ItemID == "":
		return nil, fmt.Errorf("qbofake: seed invoices: want a count, customers and an item")
	}
	per := max(spec.PerSecond, 1)
	start := spec.Start
	if start.IsZero() {
		start = s.now().Add(-time.Duration(spec.Count/per+1) * time.Second)
	}
	start = start.Truncate(time.Second)
	rl.mu.Lock()
	defer rl.mu.Unlock()
	ids := make([]string, 0, spec.Count)
	for i := range spec.Count {
		at := start.Add(time.Duration(i/per) * time.Second).In(rl.loc)
		qty := 1 + i%5
		l := line(spec.ItemID, qty, 100, spec.TaxCodeID)
		in := obj{
			"CustomerRef": obj{"value": spec.CustomerIDs[i%len(spec.CustomerIDs)]},
			"Line":        []obj{l},
			"TxnDate":     string(dateOf(at)),
		}
		if !rl.us() {
			in["GlobalTaxCalculation"] = "TaxExcluded"
		}
		w := &work{s: s, r: rl, now: at, quiet: true}
		v, e := w.write(kindByName("Invoice"), "create", mustJSON(in), writeOpts{})
		if e != nil {
			return ids, fmt.Errorf("qbofake: seed invoice %d of realm %s: %v", i+1, realmID, e)
		}
		ids = append(ids, v.(stored).base().Id)
	}
	return ids, nil
}
