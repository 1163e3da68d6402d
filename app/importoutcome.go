package app

import (
	"context"
	"errors"
	"strings"
	"time"
)

// How an import run ends or goes on after a failure: retries, a final
// failure with its sentence, done, and the progress stored and reported on
// the way.

// retry runs fn until it succeeds, retrying a transient failure (after a
// backoff in a full run; in a slice the job's own backoff does) until
// maxImportFailures in a row; a failure retrying cannot fix is final. A
// lost lease and the end of ctx are returned as they are.
func (b *importBase) retry(ctx context.Context, fn func() error) error {
	for {
		err := fn()
		var fe *importFailure
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil, errors.Is(err, errBusy), errors.As(err, &fe):
			return err
		case !Retryable(err):
			return &importFailure{err}
		}
		b.imp.Failures++
		b.imp.Error = ErrorMessage(err)
		b.s.log.WarnContext(ctx, "import: transient failure", "import", b.imp.ID, "object", string(b.imp.Object),
			"failures", b.imp.Failures, "err", err)
		if b.imp.Failures >= maxImportFailures {
			return &importFailure{err}
		}
		if serr := b.save(ctx, nil); serr != nil {
			return serr
		}
		b.report()
		if b.sliced {
			return err
		}
		wait := min(time.Duration(1<<min(b.imp.Failures, 10))*time.Second, maxImportBackoff)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// stop ends a run on err: a final failure fails the import; anything else
// leaves it unfinished.
func (b *importBase) stop(ctx context.Context, err error) (bool, error) {
	var fe *importFailure
	if !errors.As(err, &fe) || ctx.Err() != nil {
		return false, err
	}
	b.imp.State = ImportFailed
	b.imp.FinishedAt = b.s.now()
	b.imp.Error = failureSentence(b.imp, fe.err)
	b.s.log.WarnContext(ctx, "import failed", "import", b.imp.ID, "object", string(b.imp.Object), "connection", b.imp.ConnectionID,
		"done", b.imp.Done, "total", b.imp.Total, "err", fe.err)
	if serr := b.save(ctx, nil); serr != nil {
		return false, serr
	}
	b.report()
	msg := b.imp.Error
	if !strings.Contains(msg, "Start it again") {
		msg += " Retry to start it again."
	}
	b.s.recordSync(ctx, b.logEntry(ActionFailed, OutcomeFailed, msg))
	return true, &importFailure{Errorf(ErrorCode(fe.err), "%s", b.imp.Error)}
}

// finish marks the import done.
func (b *importBase) finish(ctx context.Context) (bool, error) {
	b.imp.State = ImportDone
	b.imp.FinishedAt = b.s.now()
	b.imp.Total = b.imp.Done // records created or deleted meanwhile counted in or out
	b.imp.Error, b.imp.Failures = "", 0
	if err := b.save(ctx, nil); err != nil {
		return false, err
	}
	b.s.log.InfoContext(ctx, "import done", "import", b.imp.ID, "object", string(b.imp.Object), "connection", b.imp.ConnectionID,
		"records", b.imp.Done)
	b.report()
	return true, nil
}

// save stores the import's progress and the new mapping rows; a lost lease
// ends the run.
func (b *importBase) save(ctx context.Context, pairs map[string]string) error {
	now := b.s.now()
	b.imp.Samples = addSample(b.imp.Samples, ProgressSample{At: now, Done: b.imp.Done})
	err := b.st.SaveImportProgress(ctx, b.imp, b.owner, pairs)
	if ErrorCode(err) == Conflict {
		return errImportBusy()
	}
	if err == nil {
		b.imp.UpdatedAt = now
	}
	return err
}

// report tells the progress callback.
func (b *importBase) report() {
	if b.progress != nil {
		b.progress(progressOf(b.imp, b.s.now()))
	}
}

// logEntry is the sync log's entry (synclog.go) of this import: one per
// batch, and one when it fails for good, whose retry starts it again.
func (b *importBase) logEntry(action SyncAction, outcome SyncOutcome, message string) SyncLogEntry {
	return SyncLogEntry{PortalID: b.imp.PortalID, ConnectionID: b.imp.ConnectionID, Object: b.imp.Object,
		Action: action, Outcome: outcome, Message: message, At: b.s.now(), Source: SourceImport, RealmID: b.conn.RealmID}
}
