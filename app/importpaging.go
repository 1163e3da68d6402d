package app

import (
	"context"
	"sort"
	"time"
)

// Paging an import by CreateTime (import.go "Order"): the cursor is the
// whole second of the last record done and the ids done in that second.

// fetch reads the records created at or after cursor that are not done
// (skip: the ids done in cursor's second). A page that is all done
// records of cursor's second is passed by its position within it.
func (r *importRun[T]) fetch(ctx context.Context, cursor time.Time, skip map[string]bool) page[T] {
	start := 1
	for {
		rows, err := r.pages.since(ctx, r.conn, cursor, start, importPage)
		if err != nil {
			return page[T]{err: err}
		}
		var undone []Created[T]
		for _, row := range rows {
			sec := row.CreatedAt.Truncate(time.Second)
			if !cursor.IsZero() && (sec.Before(cursor) || sec.Equal(cursor) && skip[r.kind.id(&row.Record)]) {
				continue
			}
			undone = append(undone, row)
		}
		full := len(rows) == importPage
		if len(undone) > 0 || !full {
			return page[T]{rows: undone, full: full}
		}
		start += len(rows)
	}
}

// advance is the cursor and skip set after rows (in CreateTime order)
// are done.
func advance[T any](cursor time.Time, skip map[string]bool, rows []Created[T], id func(*T) string) (time.Time, map[string]bool) {
	out := map[string]bool{}
	for k := range skip {
		out[k] = true
	}
	for i := range rows {
		sec := rows[i].CreatedAt.Truncate(time.Second)
		if sec.After(cursor) {
			cursor, out = sec, map[string]bool{}
		}
		if sec.Equal(cursor) {
			out[id(&rows[i].Record)] = true
		}
	}
	return cursor, out
}

// advanceIDs is advance on the stored form of the cursor.
func advanceIDs[T any](cursor time.Time, ids []string, rows []Created[T], id func(*T) string) (time.Time, []string) {
	c, set := advance(cursor, idSet(ids), rows, id)
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return c, out
}

func idSet(ids []string) map[string]bool {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		out[id] = true
	}
	return out
}
