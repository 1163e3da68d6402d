package quickbooks

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Change data capture (reference 5.1) and the payment read behind
// app.ChangeFeed.

var _ app.ChangeFeed = (*Client)(nil)

const (
	// cdcMaxAge is how far back QBO's CDC reaches (reference 5.1).
	cdcMaxAge = 30 * 24 * time.Hour
	// cdcSkew keeps a clamped changedSince inside QBO's window although our
	// clock and QBO's differ a little: whether QBO refuses or clamps an
	// older value is unverified (reference 5.1 [?]).
	cdcSkew = 10 * time.Minute
	// cdcLimit is the most objects QBO returns in one CDC answer
	// (reference 4, 5.1).
	cdcLimit = 1000
	// cdcMaxCalls bounds the CDC calls of one Changes: a guard against a
	// server that never stops answering full pages, far above what 30 days
	// of a company's changes need (each call pages past up to 1,000).
	cdcMaxCalls = 200
	// layoutSince is changedSince: a datetime with a numeric offset, as
	// Intuit documents it (2015-12-23T09:00:00-07:00), "+00:00" for UTC.
	layoutSince = "2006-01-02T15:04:05-07:00"
	// cdcMaxBody caps one CDC answer: up to 1,000 full objects, invoices
	// with all their lines, so more than a list page's maxBody. A larger
	// answer is Internal, as any oversized answer.
	cdcMaxBody = 64 << 20
)

// Changes reports what changed among entities (app.Entity* names) in the
// connection's company since since, through GET cdc?entities=…&changedSince=…
// on the request path every read takes (token refresh, per-realm limits,
// retries, classification). Changes are grouped by entity in the order of
// entities, oldest first within one; an entity changed more than once is
// reported once, in its newest state. Invoices carry their state (mapped as
// Invoices maps them), payments the ids of the invoices their lines link
// (InvoiceIDs, empty but not nil for an unapplied payment), other entities
// their id and time only; a deleted object is Deleted, with neither.
//
// Window. QBO keeps 30 days of changes. A since older than that (the zero
// time included) is clamped to now−30 days+10 minutes (the margin keeps the
// request inside QBO's window despite clock skew) and a warning is logged:
// changes before it are not reported, so the caller must then refresh what
// it holds by other means (app.Service.Reconcile reads every linked invoice
// again). We clamp rather than send the older value because what QBO does
// with one is unverified (reference 5.1 [?]).
//
// Paging. QBO answers at most 1,000 objects per call (reference 5.1;
// whether per entity or in all together is unverified, the fake counts all
// together, and both are handled). The first call asks for every entity;
// when it comes back with fewer in all, the set is complete. When it is full, each entity
// is then asked on its own, from the newest LastUpdatedTime it had (from
// since if it had none: it may have been cut to nothing), and again from
// the newest time of each full answer until one is not full. Objects seen
// twice (asking from a time includes it) keep their newest state. This
// relies on QBO keeping the oldest changes when it cuts, as the fake does;
// an entity with 1,000 or more changes in one second cannot be paged (a
// second call from that time would bring the same objects): that is
// Internal, and so is a 201st call.
//
// Time is the earliest "time" of the answers: everything changed before it
// is in the set (later answers add changes up to their own time, which the
// next reconcile asks for again).
//
// Errors: Internal for an unusable entity name or answer; NotConnected,
// Unavailable and others as classify maps QBO's answers.
func (c *Client) Changes(ctx context.Context, conn app.Connection, entities []string, since time.Time) (app.ChangeSet, error) {
	kinds, err := cdcKinds(entities)
	if err != nil {
		return app.ChangeSet{}, err
	}
	if floor := c.now().Add(-cdcMaxAge + cdcSkew); since.Before(floor) {
		c.log.WarnContext(ctx, "quickbooks: CDC since is older than QuickBooks keeps; clamped, earlier changes are not reported",
			"connection", conn.ID, "realm", conn.RealmID, "since", since, "clamped_to", floor)
		since = floor
	}
	acc := newChangeAcc(kinds)
	calls := 0
	ask := func(names []string, from time.Time) (*cdcPage, error) {
		if calls++; calls > cdcMaxCalls {
			return nil, app.Errorf(app.Internal, "QuickBooks kept reporting changes after %d pages of 1,000; the change feed stopped.", cdcMaxCalls)
		}
		p, err := c.cdcPage(ctx, conn, names, from)
		if err != nil {
			return nil, err
		}
		acc.add(p)
		return p, nil
	}

	first, err := ask(kinds, since)
	if err != nil {
		return app.ChangeSet{}, err
	}
	if first.total >= cdcLimit {
		for _, k := range kinds {
			from := since
			if t, ok := first.newest[k]; ok && t.After(from) {
				from = t
			}
			for {
				p, err := ask([]string{k}, from)
				if err != nil {
					return app.ChangeSet{}, err
				}
				if p.total < cdcLimit {
					break
				}
				next, ok := p.newest[k]
				if !ok || !next.After(from) {
					return app.ChangeSet{}, app.Wrapf(
						fmt.Errorf("CDC %s: %d objects at or after %s, none later", k, p.total, from.Format(time.RFC3339)),
						app.Internal, "QuickBooks reported 1,000 or more %s changes at one moment (%s); the change feed cannot page past them.",
						k, from.Format(time.RFC3339))
				}
				from = next
			}
		}
	}
	return acc.result(), nil
}

// cdcKinds checks the entity names (they go in the URL, comma separated)
// and drops repeats.
func cdcKinds(entities []string) ([]string, error) {
	var kinds []string
	for _, e := range entities {
		if !identifier.MatchString(e) || strings.Contains(e, ".") {
			return nil, app.Errorf(app.Internal, "%q is not a QuickBooks entity name.", clip(e, 40))
		}
		if !slices.Contains(kinds, e) {
			kinds = append(kinds, e)
		}
	}
	if len(kinds) == 0 {
		return nil, app.Errorf(app.Internal, "A QuickBooks change feed needs at least one entity.")
	}
	return kinds, nil
}

// cdcPage is one CDC answer, decoded.
type cdcPage struct {
	time    time.Time
	total   int                  // objects in the answer, every entity
	changes []app.EntityChange   // in answer order
	newest  map[string]time.Time // per entity asked: its newest LastUpdatedTime
}

// cdcAnswer is the CDC envelope (reference 5.1): one QueryResponse element
// per entity asked, each {"<Entity>":[…],"startPosition":1,"maxResults":n}
// or {} when nothing changed.
type cdcAnswer struct {
	CDCResponse []struct {
		QueryResponse []map[string]json.RawMessage
	}
	Time string `json:"time"`
}

// cdcObject is what every CDC object carries; a deleted one only this
// ({"status":"Deleted","domain":"QBO","Id":…,"MetaData":{…}}).
type cdcObject struct {
	ID       string `json:"Id"`
	Status   string `json:"status"`
	MetaData struct {
		LastUpdatedTime string
	}
}

// payment is the part of a QBO Payment we read: its lines' links.
type payment struct {
	ID   string `json:"Id"`
	Line []struct {
		LinkedTxn []struct {
			TxnID   string `json:"TxnId"`
			TxnType string
		}
	}
}

// invoiceIDs lists, once each in order, the invoices p's lines link.
func (p payment) invoiceIDs() []string {
	ids := []string{}
	for _, l := range p.Line {
		for _, t := range l.LinkedTxn {
			if t.TxnType == "Invoice" && t.TxnID != "" && !slices.Contains(ids, t.TxnID) {
				ids = append(ids, t.TxnID)
			}
		}
	}
	return ids
}

// cdcPage makes one CDC call for kinds from since and decodes it.
func (c *Client) cdcPage(ctx context.Context, conn app.Connection, kinds []string, since time.Time) (*cdcPage, error) {
	q := url.Values{
		"entities":     {strings.Join(kinds, ",")},
		"changedSince": {since.Format(layoutSince)}, // the + of an offset is escaped by Encode
	}
	var raw []byte
	if err := c.call(ctx, conn, request{method: http.MethodGet, path: "cdc", query: q, raw: &raw, limit: cdcMaxBody}); err != nil {
		return nil, err
	}
	op := "GET /v3/company/" + conn.RealmID + "/cdc"
	p, err := decodeCDC(raw, kinds)
	if err != nil {
		return nil, undecodable(op, err)
	}
	return p, nil
}

// decodeCDC reads one CDC answer. Entities not asked for are ignored; a
// name QBO spells in another case is matched.
func decodeCDC(body []byte, kinds []string) (*cdcPage, error) {
	var a cdcAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, err
	}
	p := &cdcPage{newest: map[string]time.Time{}}
	var err error
	if p.time, err = time.Parse(time.RFC3339Nano, a.Time); err != nil {
		return nil, fmt.Errorf("CDC time %q: %w", clip(a.Time, 40), err)
	}
	for _, r := range a.CDCResponse {
		for _, qr := range r.QueryResponse {
			for key, val := range qr {
				k := kindOf(key, kinds)
				if k == "" {
					continue
				}
				var objs []json.RawMessage
				if err := json.Unmarshal(val, &objs); err != nil {
					return nil, fmt.Errorf("CDC %s: %w", key, err)
				}
				p.total += len(objs)
				for _, o := range objs {
					ch, err := decodeCDCObject(k, o)
					if err != nil {
						return nil, err
					}
					p.changes = append(p.changes, ch)
					if ch.LastUpdated.After(p.newest[k]) {
						p.newest[k] = ch.LastUpdated
					}
				}
			}
		}
	}
	return p, nil
}

// kindOf is the asked entity that key names; "" for envelope fields
// (startPosition, maxResults, totalCount) and entities not asked for.
func kindOf(key string, kinds []string) string {
	for _, k := range kinds {
		if strings.EqualFold(k, key) {
			return k
		}
	}
	return ""
}

// decodeCDCObject reads one object of entity k.
func decodeCDCObject(k string, raw json.RawMessage) (app.EntityChange, error) {
	var o cdcObject
	if err := json.Unmarshal(raw, &o); err != nil {
		return app.EntityChange{}, fmt.Errorf("CDC %s: %w", k, err)
	}
	if o.ID == "" {
		return app.EntityChange{}, fmt.Errorf("CDC %s: an object without Id", k)
	}
	ch := app.EntityChange{Entity: k, EntityID: o.ID, Deleted: o.Status == "Deleted"}
	if s := o.MetaData.LastUpdatedTime; s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return app.EntityChange{}, fmt.Errorf("CDC %s %s LastUpdatedTime: %w", k, o.ID, err)
		}
		ch.LastUpdated = t
	}
	if ch.Deleted {
		return ch, nil
	}
	switch k {
	case app.EntityInvoice:
		var in invoice
		if err := json.Unmarshal(raw, &in); err != nil {
			return app.EntityChange{}, fmt.Errorf("CDC invoice %s: %w", o.ID, err)
		}
		inv, err := in.toApp()
		if err != nil {
			return app.EntityChange{}, err
		}
		ch.Invoice = &inv
	case app.EntityPayment:
		var p payment
		if err := json.Unmarshal(raw, &p); err != nil {
			return app.EntityChange{}, fmt.Errorf("CDC payment %s: %w", o.ID, err)
		}
		ch.InvoiceIDs = p.invoiceIDs()
	}
	return ch, nil
}

// changeAcc merges CDC pages: one change per entity and id, the newest
// (on equal times the one received last, which is no older), and the
// earliest answer time.
type changeAcc struct {
	kinds []string
	byKey map[[2]string]app.EntityChange
	time  time.Time
}

func newChangeAcc(kinds []string) *changeAcc {
	return &changeAcc{kinds: kinds, byKey: map[[2]string]app.EntityChange{}}
}

func (a *changeAcc) add(p *cdcPage) {
	if a.time.IsZero() || p.time.Before(a.time) {
		a.time = p.time
	}
	for _, ch := range p.changes {
		key := [2]string{ch.Entity, ch.EntityID}
		if old, ok := a.byKey[key]; ok && ch.LastUpdated.Before(old.LastUpdated) {
			continue
		}
		a.byKey[key] = ch
	}
}

// result orders the changes by entity (as asked), then oldest first, then
// by id.
func (a *changeAcc) result() app.ChangeSet {
	out := app.ChangeSet{Time: a.time, Changes: make([]app.EntityChange, 0, len(a.byKey))}
	for _, ch := range a.byKey {
		out.Changes = append(out.Changes, ch)
	}
	rank := make(map[string]int, len(a.kinds))
	for i, k := range a.kinds {
		rank[k] = i
	}
	slices.SortFunc(out.Changes, func(x, y app.EntityChange) int {
		return cmp.Or(
			cmp.Compare(rank[x.Entity], rank[y.Entity]),
			x.LastUpdated.Compare(y.LastUpdated),
			compareNumeric(x.EntityID, y.EntityID),
		)
	})
	return out
}

// compareNumeric orders ids of digits by value (shorter first), others
// after them as text.
func compareNumeric(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}

// PaymentInvoices reads the payment (GET payment/{id}) and returns, once
// each in order, the ids of the invoices its lines link (LinkedTxn of type
// Invoice); none is an empty slice. NotFound when QBO answers 610 (the
// payment was deleted or never existed); Invalid for an id not digits,
// before any call.
func (c *Client) PaymentInvoices(ctx context.Context, conn app.Connection, paymentID string) ([]string, error) {
	if err := checkID("payment", paymentID); err != nil {
		return nil, err
	}
	var resp struct {
		Payment *payment
	}
	err := c.do(ctx, conn, http.MethodGet, "payment/"+paymentID, nil, nil, &resp)
	if err != nil {
		return nil, reword(err, func(ue *UpstreamError) string {
			if ue.Code == "610" {
				return fmt.Sprintf("Payment %s no longer exists in QuickBooks.", paymentID)
			}
			return ""
		})
	}
	if resp.Payment == nil {
		return nil, undecodable("GET /v3/company/"+conn.RealmID+"/payment/{id}", fmt.Errorf("no Payment in the answer"))
	}
	return resp.Payment.invoiceIDs(), nil
}
