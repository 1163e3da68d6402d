package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Running an import in this process, under its lease: one process at a
// time works an import, renewing its lease every few seconds; a process
// that dies lets it lapse, and another takes over from the stored cursor.

// errBusy is in the chain of errImportBusy.
var errBusy = errors.New("import busy")

// errImportBusy is the Conflict of an import another process is working.
func errImportBusy() error {
	return Wrapf(errBusy, Conflict, "Another process is working on this import right now; it goes on there.")
}

// RunImport works an import in this process until it is done, calling
// progress (when not nil) after every batch. It resumes from the stored
// cursor. It returns nil once done; for a failed import an error whose
// message says why; Conflict while another process works on it (try
// again later); ctx's error when interrupted (the import stays unfinished
// and resumes where it stopped).
func (s *Service) RunImport(ctx context.Context, importID string, progress func(ImportProgress)) error {
	_, err := s.runImport(ctx, importID, progress, false)
	return err
}

// RunImportSlice works an import for a bounded slice of time, for the job
// queue: when ctx has a deadline it starts no batch (nor, within a batch of
// customers or items, no record) after two thirds of the time left, and
// reports finished false when work remains (the job then runs again). A
// transient failure is returned for the queue's backoff; a final one fails
// the import and reports it finished (the failure is in the import, not
// the job). Conflict while another process works on it.
func (s *Service) RunImportSlice(ctx context.Context, importID string) (finished bool, err error) {
	finished, err = s.runImport(ctx, importID, nil, true)
	var fe *importFailure
	if errors.As(err, &fe) {
		return true, nil
	}
	return finished, err
}

// importFailure is the error of an import that failed for good.
type importFailure struct{ err error }

func (e *importFailure) Error() string { return e.err.Error() }
func (e *importFailure) Unwrap() error { return e.err }

// errLeaseLost ends a run whose lease another process took.
var errLeaseLost = errors.New("import lease lost")

func (s *Service) runImport(ctx context.Context, importID string, progress func(ImportProgress), sliced bool) (bool, error) {
	st, err := s.importStore()
	if err != nil {
		return false, err
	}
	owner := newOwner()
	imp, ok, err := st.ClaimImport(ctx, importID, owner, s.now().Add(importLease))
	if err != nil {
		return false, fmt.Errorf("claim import %s: %w", importID, err)
	}
	if imp.State.Finished() {
		if imp.State == ImportFailed {
			return true, &importFailure{Errorf(Invalid, "%s", imp.Error)}
		}
		return true, nil
	}
	if !ok {
		return false, errImportBusy()
	}
	kind, err := importerOf(imp.Object)
	if err != nil {
		if rerr := st.ReleaseImport(ctx, importID, owner); rerr != nil {
			s.log.WarnContext(ctx, "release import", "import", importID, "err", rerr)
		}
		return false, fmt.Errorf("import %s: %w", importID, err)
	}
	rctx, cancel := context.WithCancelCause(WithBackgroundPriority(ctx))
	defer cancel(nil)
	beat := make(chan struct{})
	go func() {
		defer close(beat)
		t := time.NewTicker(importHeartbeat)
		defer t.Stop()
		for {
			select {
			case <-rctx.Done():
				return
			case <-t.C:
				held, err := st.RenewImport(rctx, importID, owner, s.now().Add(importLease))
				if err == nil && !held {
					cancel(errLeaseLost)
					return
				}
				if err != nil && rctx.Err() == nil {
					s.log.WarnContext(rctx, "renew import lease", "import", importID, "err", err)
				}
			}
		}
	}()
	b := &importBase{s: s, st: st, owner: owner, imp: imp, progress: progress, sliced: sliced}
	if dl, has := ctx.Deadline(); has && sliced {
		b.sliceEnd = s.now().Add(time.Until(dl) * 2 / 3)
	}
	finished, err := kind.work(rctx, b)
	cancel(nil)
	<-beat
	if errors.Is(context.Cause(rctx), errLeaseLost) && ctx.Err() == nil {
		return false, errImportBusy()
	}
	if !b.imp.State.Finished() {
		rel, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		if rerr := st.ReleaseImport(rel, importID, owner); rerr != nil {
			s.log.WarnContext(ctx, "release import", "import", importID, "err", rerr)
		}
		stop()
	}
	return finished, err
}

// newOwner names one run of an import, for its lease.
func newOwner() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
