package app

import (
	"context"
	"fmt"
	"time"
)

// What the import runner (importrun.go) needs of one kind of record: its
// QuickBooks reads and its HubSpot writer (importinvoices.go,
// importrecords.go).

// importKind is one kind of record an import copies.
type importKind[T any] struct {
	object SyncObject
	batch  int // records per batch written to HubSpot
	id     func(*T) string
	// pager binds the kind's QuickBooks reads; false when this server has
	// none.
	pager func(s *Service) (recordPages[T], bool)
	// available is Unavailable when this server cannot write the kind.
	available func(s *Service) error
	// writer makes the kind's writer for one run.
	writer func(b *importBase) importWriter[T]
}

// recordPages are a kind's QuickBooks reads.
type recordPages[T any] struct {
	count func(ctx context.Context, conn Connection) (int, error)
	since func(ctx context.Context, conn Connection, since time.Time, start, limit int) ([]Created[T], error)
}

// importWriter writes a kind's records to HubSpot, for one run.
type importWriter[T any] interface {
	// prepare reads what the run needs (settings, properties) once the
	// connection is known; it runs again after a transient failure.
	prepare(ctx context.Context) error
	// write writes rows (in CreateTime order) and reports how many of them,
	// from the first, are done: all of them unless err is not nil or the
	// slice's time ran out between two records.
	write(ctx context.Context, rows []Created[T]) (importWritten, error)
	// saved is told the pairs stored with the progress of done rows.
	saved(pairs map[string]string)
}

// importWritten is what a writer did with the first done rows of a batch.
type importWritten struct {
	done  int
	pairs map[string]string // invoices: the new mapping rows, stored with the progress
	tally importTally
}

// importTally counts a batch's outcomes for the sync log; the rest of
// the batch was left out.
type importTally struct{ created, updated, retired int }

func (k importKind[T]) ready(s *Service) error {
	if err := k.available(s); err != nil {
		return err
	}
	if _, ok := k.pager(s); !ok {
		_, many := k.object.RecordNouns()
		return Errorf(Unavailable, "Importing %s is not available on this server.", many)
	}
	_, err := s.importStore()
	return err
}

func (k importKind[T]) work(ctx context.Context, b *importBase) (bool, error) {
	pages, ok := k.pager(b.s)
	if !ok {
		return false, k.ready(b.s)
	}
	r := &importRun[T]{importBase: b, kind: k, pages: pages}
	r.w = k.writer(b)
	return r.run(ctx)
}

// importBatchSentence sums up a batch for the sync log.
func importBatchSentence(o SyncObject, rows int, t importTally) string {
	_, many := o.RecordNouns()
	retired := "inactive ones"
	if o == SyncInvoices {
		retired = "voided or deleted ones"
	}
	return fmt.Sprintf("Import: %d %s processed: %d copied to HubSpot, %d updated, %d %s archived or marked, %d left out.",
		rows, many, t.created, t.updated, t.retired, retired, rows-t.created-t.updated-t.retired)
}
