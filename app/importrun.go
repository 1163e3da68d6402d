package app

import (
	"context"
	"slices"
	"time"
)

// The import runner, shared by every kind (import.go): the run over pages
// and batches, storing the progress after each part done. A kind
// (importkind.go) brings its pager and its writer.

// importBase is what one process's run of an import keeps, whatever the
// kind: the lease, the import as stored, and how the run reports.
type importBase struct {
	s        *Service
	st       ImportStore
	owner    string
	imp      Import
	progress func(ImportProgress)
	sliced   bool
	sliceEnd time.Time
	conn     Connection
}

// sliceOver reports whether a sliced run should start no more work.
func (b *importBase) sliceOver() bool {
	return b.sliced && !b.sliceEnd.IsZero() && b.s.now().After(b.sliceEnd)
}

// importRun is one process's run of an import of one kind.
type importRun[T any] struct {
	*importBase
	kind  importKind[T]
	pages recordPages[T]
	w     importWriter[T]
}

// page is one query's records not done yet, and whether the query filled
// its page (more may follow).
type page[T any] struct {
	rows []Created[T]
	full bool
	err  error
}

// run works the import; finished is true once it is done or failed.
func (r *importRun[T]) run(ctx context.Context) (bool, error) {
	if err := r.retry(ctx, func() error { return r.prepare(ctx) }); err != nil {
		return r.stop(ctx, err)
	}
	cursor, skip := r.imp.Cursor, idSet(r.imp.CursorIDs)
	var cur page[T]
	if err := r.retry(ctx, func() error {
		cur = r.fetch(ctx, cursor, skip)
		return cur.err
	}); err != nil {
		return r.stop(ctx, err)
	}
	for {
		if len(cur.rows) == 0 {
			return r.finish(ctx)
		}
		// The next page is read while this one is written (the cursor
		// after this page is known now): HubSpot's rate window, not
		// QuickBooks' answer time, sets the pace.
		var next chan page[T]
		pctx, stopPrefetch := context.WithCancel(ctx)
		if cur.full {
			next = make(chan page[T], 1)
			nc, ns := advance(cursor, skip, cur.rows, r.kind.id)
			go func() { next <- r.fetch(pctx, nc, ns) }()
			cursor, skip = nc, ns
		}
		for batch := range slices.Chunk(cur.rows, r.kind.batch) {
			if r.sliceOver() {
				stopPrefetch()
				return false, nil
			}
			left, err := r.batch(ctx, batch)
			if err != nil {
				stopPrefetch()
				return r.stop(ctx, err)
			}
			if left > 0 { // the slice ran out within the batch
				stopPrefetch()
				return false, nil
			}
		}
		if next == nil {
			stopPrefetch()
			return r.finish(ctx)
		}
		cur = <-next
		stopPrefetch()
		if cur.err != nil {
			if err := r.retry(ctx, func() error {
				cur = r.fetch(ctx, cursor, skip)
				return cur.err
			}); err != nil {
				return r.stop(ctx, err)
			}
		}
	}
}

// prepare reads what the run needs, and counts the records the first
// time.
func (r *importRun[T]) prepare(ctx context.Context) error {
	conn, err := r.s.store.Connection(ctx, r.imp.PortalID, r.imp.ConnectionID)
	if ErrorCode(err) == NotFound {
		return &importFailure{Errorf(NotFound, "The QuickBooks company of this import was removed from the app.")}
	}
	if err != nil {
		return err
	}
	r.conn = conn
	if err := r.s.importable(ctx, conn, r.imp.Object); err != nil {
		if Retryable(err) {
			return err
		}
		return &importFailure{err}
	}
	if err := r.w.prepare(ctx); err != nil {
		return err
	}
	if r.imp.Total == 0 && r.imp.Done == 0 {
		n, err := r.pages.count(ctx, conn)
		if err != nil {
			return err
		}
		r.imp.Total = n
		return r.save(ctx, nil)
	}
	return nil
}

// batch writes rows through the kind's writer, retrying a transient
// failure, and stores the progress after each part done. It answers how
// many rows are left when the slice's time ran out within the batch.
func (r *importRun[T]) batch(ctx context.Context, rows []Created[T]) (int, error) {
	err := r.retry(ctx, func() error {
		w, err := r.w.write(ctx, rows)
		if w.done > 0 {
			if serr := r.commit(ctx, rows[:w.done], w); serr != nil {
				return serr
			}
			rows = rows[w.done:]
		}
		return err
	})
	return len(rows), err
}

// commit stores the progress after rows (in CreateTime order) are done,
// with their new mapping rows, and logs the batch.
func (r *importRun[T]) commit(ctx context.Context, rows []Created[T], w importWritten) error {
	r.imp.Cursor, r.imp.CursorIDs = advanceIDs(r.imp.Cursor, r.imp.CursorIDs, rows, r.kind.id)
	r.imp.Done += len(rows)
	r.imp.Failures, r.imp.Error = 0, ""
	if err := r.save(ctx, w.pairs); err != nil {
		return err
	}
	r.w.saved(w.pairs)
	r.report()
	r.s.recordSync(ctx, r.logEntry(ActionImported, OutcomeSucceeded, importBatchSentence(r.imp.Object, len(rows), w.tally)))
	return nil
}
