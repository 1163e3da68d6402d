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
// At most 1000 objects are returned; the rest is cut, oldest kept, so the
// caller can continue from the last LastUpdatedTime. changedSince older
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
		objs := changedSince(rl, k, since)
		if len(objs) > left {
			objs = objs[:left]
		}
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
// first, then its deletions in the same window.
func changedSince(rl *realm, k *kind, since time.Time) []any {
	type dated struct {
		at  time.Time
		id  string
		obj any
	}
	var live []dated
	for _, o := range rl.list(k) {
		b := o.base()
		if b.MetaData == nil {
			continue
		}
		if at := b.MetaData.LastUpdatedTime.Time; !at.Before(since) {
			live = append(live, dated{at, b.Id, o})
		}
	}
	slices.SortStableFunc(live, func(a, b dated) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return compareIDs(a.id, b.id)
	})
	out := make([]any, 0, len(live))
	for _, d := range live {
		out = append(out, d.obj)
	}
	for _, t := range rl.tombstones {
		if t.entity == k.name && !t.at.Before(since) {
			out = append(out, &deletedStub{Domain: "QBO", Status: "Deleted", Id: t.id,
				MetaData: &deletedMeta{LastUpdatedTime: Timestamp{t.at.In(rl.loc).Truncate(time.Second)}}})
		}
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
