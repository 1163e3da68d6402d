package queue

import (
	"errors"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// TestImportJobRunsSlicesUntilFinished: an import job runs its slices one
// after another (snoozed, not retried: no attempt is spent), is recorded
// once however often it is enqueued, waits while another process holds
// the import, and retries a transient failure.
func TestImportJobRunsSlicesUntilFinished(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, cfg store.Config) {
		s := openStore(t, cfg)
		busy := app.Errorf(app.Conflict, "Another process is working on this import right now; it goes on there.")
		h := &fakeHandlers{importFn: func(n int, id string) (bool, error) {
			switch id {
			case "slices":
				return n == 4, nil // three slices leave work, the fourth finishes
			case "flaky":
				if n == 1 {
					return false, app.Wrapf(errors.New("HTTP 503"), app.Unavailable, "HubSpot is not answering.")
				}
				return true, nil
			case "held":
				return false, busy
			}
			return true, nil
		}}
		logger, _ := newLogger()
		q := openQueue(t, s, h, testOptions(logger))
		for _, id := range []string{"slices", "slices", "flaky", "held"} {
			if err := q.EnqueueImport(t.Context(), id); err != nil {
				t.Fatalf("EnqueueImport(%s): %v", id, err)
			}
		}
		if got := jobStates(t, s, kindImport); len(got) != 3 {
			t.Fatalf("import jobs = %v, want one per import", got)
		}
		if err := q.EnqueueImport(t.Context(), ""); err == nil {
			t.Error("an import job without an id was accepted")
		}
		start(t, q)
		waitFor(t, 10*time.Second, "four slices", func() bool { return h.importRuns("slices") == 4 })
		waitFor(t, 10*time.Second, "the flaky import's retry", func() bool { return h.importRuns("flaky") == 2 })
		db, _ := s.Shared()
		waitFor(t, 5*time.Second, "two jobs completed", func() bool {
			var done int
			db.QueryRowContext(t.Context(), `SELECT COUNT(*) FROM river_job WHERE kind = $1 AND state = 'completed'`, kindImport).Scan(&done)
			return done == 2
		})
		time.Sleep(5 * testPoll)
		if n := h.importRuns("slices"); n != 4 {
			t.Errorf("the finished import ran %d slices, want 4", n)
		}
		if n := h.importRuns("held"); n != 1 {
			t.Errorf("a held import ran %d times within its 15 s wait, want 1", n)
		}
		var st string
		if err := db.QueryRowContext(t.Context(), `SELECT state FROM river_job WHERE kind = $1 AND CAST(args AS TEXT) LIKE '%held%'`,
			kindImport).Scan(&st); err != nil || st != "scheduled" {
			t.Errorf("held import's job is %q (%v), want scheduled (snoozed)", st, err)
		}
		var attempt int
		if err := db.QueryRowContext(t.Context(), `SELECT attempt FROM river_job WHERE kind = $1 AND CAST(args AS TEXT) LIKE '%slices%'`,
			kindImport).Scan(&attempt); err != nil || attempt > 1 {
			t.Errorf("the sliced import's job used %d attempts (%v), want snoozes that spend none", attempt, err)
		}
	})
}
