package qbofake

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// cdcLimit is QBO's cap on objects per CDC answer (reference §5.1).
const cdcLimit = 1000

// cdcExcluded are entities CDC does not cover (reference §5.1, C1).
var cdcExcluded = map[string]bool{"TaxCode": true, "TaxRate": true, "CompanyInfo": true}

// serveCDC answers GET …/cdc?entities=Invoice,Customer&changedSince=…
// (reference §5.1): for each entity asked, the full objects changed since
// then, oldest first, followed by the deleted ones as
// {"status":"Deleted","domain":"QBO","Id":…,"MetaData":{"LastUpdatedTime":…}}.
// At most 1000 objects are returned, across all entities asked, filled in
// the order the entities are named (how QBO splits its cap among entities
// is [?]); within an entity the oldest changes are kept, deletions counted
// by their time like the others, so a caller that asks again from the
// newest LastUpdatedTime it got misses nothing. changedSince older
// than Options.CDCMaxAge (30 days) is clamped to it, our choice for a [?].
// An entity with no changes answers an empty {} (our choice, after §1.9).
func (s *Server) serveCDC(w http.ResponseWriter, r *http.Request, rl *realm, _ []byte) {
	q := r.URL.Query()
	names, sinceText := q.Get("entities"), q.Get("changedSince")
	if strings.TrimSpace(names) == "" {
		s.writeFault(w, rl, errRequired("entities"))
		return
	}
	if sinceText == "" {
		s.writeFault(w, rl, errRequired("changedSince"))
		return
	}
	since, ok := parseSince(sinceText, rl.loc)
	if !ok {
		s.writeFault(w, rl, errBusiness("changedSince must be a date or a date and time with offset, e.g. 2015-12-23T09:00:00-07:00."))
		return
	}
	if max := s.opt.CDCMaxAge; max > 0 {
		if floor := s.now().Add(-max); since.Before(floor) {
			since = floor
		}
	}
	var ks []*kind
	for _, n := range strings.Split(names, ",") {
		k := kindByName(strings.TrimSpace(n))
		if k == nil || cdcExcluded[k.name] {
			s.writeFault(w, rl, errBusiness("Change data capture is not supported for entity "+strings.TrimSpace(n)+"."))
			return
		}
		ks = append(ks, k)
	}

	rl.mu.Lock()
	var b bytes.Buffer
	b.WriteString(`{"CDCResponse":[{"QueryResponse":[`)
	left := cdcLimit
	for i, k := range ks {
		if i > 0 {
			b.WriteByte(',')
		}
		objs := changedSince(rl, k, since, left)
		left -= len(objs)
		if len(objs) == 0 {
			b.WriteString(`{}`)
			continue
		}
		b.WriteString(`{"` + k.name + `":[`)
		for j, o := range objs {
			if j > 0 {
				b.WriteByte(',')
			}
			b.Write(mustJSON(o))
		}
		b.WriteString(`],"startPosition":1,"maxResults":` + strconv.Itoa(len(objs)) + `}`)
	}
	b.WriteString(`]}],"time":"` + s.wireTime(rl) + `"}`)
	rl.mu.Unlock()
	s.writeJSON(w, b.Bytes())
}

// changedSince lists k's live objects updated at or after since, oldest
// first, then its deletions in the same window, oldest first: at most limit
// objects, the oldest ones, whether live or deleted. (Cutting the deletions
// first, since they come last, would drop deletions older than live
// changes kept, and a caller continuing from the newest LastUpdatedTime it
// got would never see them.)
func changedSince(rl *realm, k *kind, since time.Time, limit int) []any {
	type dated struct {
		at  time.Time
		id  string
		obj any
	}
	var live, dead []dated
	for _, o := range rl.list(k) {
		b := o.base()
		if b.MetaData == nil {
			continue
		}
		if at := b.MetaData.LastUpdatedTime.Time; !at.Before(since) {
			live = append(live, dated{at, b.Id, o})
		}
	}
	for _, t := range rl.tombstones {
		at := t.at.In(rl.loc).Truncate(time.Second)
		if t.entity == k.name && !at.Before(since) {
			dead = append(dead, dated{at, t.id, &deletedStub{Domain: "QBO", Status: "Deleted", Id: t.id,
				MetaData: &deletedMeta{LastUpdatedTime: Timestamp{at}}}})
		}
	}
	byTime := func(a, b dated) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return compareIDs(a.id, b.id)
	}
	slices.SortStableFunc(live, byTime)
	slices.SortStableFunc(dead, byTime)
	// Keep the oldest limit of both lists, live first on equal times.
	nl, nd := 0, 0
	for nl+nd < limit && (nl < len(live) || nd < len(dead)) {
		if nd == len(dead) || nl < len(live) && !live[nl].at.After(dead[nd].at) {
			nl++
		} else {
			nd++
		}
	}
	out := make([]any, 0, nl+nd)
	for _, d := range live[:nl] {
		out = append(out, d.obj)
	}
	for _, d := range dead[:nd] {
		out = append(out, d.obj)
	}
	return out
}

// parseSince reads changedSince: RFC 3339, a datetime without offset, or a
// bare date; the last two are taken in the company's time zone.
func parseSince(s string, loc *time.Location) (time.Time, bool) {
	s = strings.ReplaceAll(s, " ", "+") // an unescaped + in the offset arrives as a space
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02T15:04:05", layoutDate, "2006-01-02T15:04:05-0700"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
