package queue

import (
	"bufio"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
	"github.com/riverqueue/river"
)

func TestChangesAreDurableThenWorked(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, cfg store.Config) {
		s := openStore(t, cfg)
		h := &fakeHandlers{}
		logger, _ := newLogger()
		q := openQueue(t, s, h, testOptions(logger))

		merged := change("r1", "3")
		merged.Entity, merged.Operation, merged.DeletedID = app.EntityCustomer, app.OpMerge, "9"
		// Another zone, one instant: the handler gets it back in UTC.
		local := change("r2", "1")
		local.LastUpdated = local.LastUpdated.In(time.FixedZone("PST", -8*3600))
		changes := []app.Change{change("r1", "1"), change("r1", "2"), merged, local}
		if err := q.EnqueueChanges(t.Context(), changes); err != nil {
			t.Fatalf("EnqueueChanges: %v", err)
		}
		// Recorded before any worker runs: durable once EnqueueChanges returns.
		if got := jobStates(t, s, kindApplyChange); len(got) != len(changes) {
			t.Fatalf("apply_change jobs before Start = %v, want %d available", got, len(changes))
		}
		if err := q.EnqueueChanges(t.Context(), nil); err != nil {
			t.Fatalf("EnqueueChanges(nil): %v", err)
		}

		start(t, q)
		waitFor(t, 10*time.Second, "every change applied", func() bool { return h.totalCalls() == len(changes) })
		for _, c := range changes {
			if n := h.calls(c); n != 1 {
				t.Errorf("ApplyChange(%+v) ran %d times, want 1", c, n)
			}
		}
		h.mu.Lock()
		for _, c := range h.changes {
			if c.LastUpdated.Location() != time.UTC {
				t.Errorf("LastUpdated %v not in UTC", c.LastUpdated)
			}
		}
		h.mu.Unlock()
		waitFor(t, 5*time.Second, "jobs completed", func() bool {
			st := jobStates(t, s, kindApplyChange)
			return len(st) == len(changes) && allEqual(st, "completed")
		})
	})
}

func TestDuplicateChangeIsWorkedOnce(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, cfg store.Config) {
		s := openStore(t, cfg)
		h := &fakeHandlers{}
		logger, _ := newLogger()
		q := openQueue(t, s, h, testOptions(logger))
		start(t, q)

		a, b := change("r1", "1"), change("r1", "2")
		// A repeat within one call.
		if err := q.EnqueueChanges(t.Context(), []app.Change{a, a}); err != nil {
			t.Fatalf("EnqueueChanges: %v", err)
		}
		waitFor(t, 10*time.Second, "a applied", func() bool { return h.calls(a) == 1 })
		waitFor(t, 5*time.Second, "a completed", func() bool { return allEqual(jobStates(t, s, kindApplyChange), "completed") })

		// A replayed webhook after a was applied, its time in another zone.
		replay := a
		replay.LastUpdated = a.LastUpdated.In(time.FixedZone("CET", 3600))
		if err := q.EnqueueChanges(t.Context(), []app.Change{replay, b}); err != nil {
			t.Fatalf("EnqueueChanges again: %v", err)
		}
		waitFor(t, 10*time.Second, "b applied", func() bool { return h.calls(b) == 1 })
		time.Sleep(5 * testPoll)
		if n := h.calls(a); n != 1 {
			t.Errorf("a applied %d times, want 1", n)
		}
		if got := jobStates(t, s, kindApplyChange); len(got) != 2 {
			t.Errorf("apply_change jobs = %v, want 2", got)
		}
	})
}

func TestTransientErrorIsRetried(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, cfg store.Config) {
		s := openStore(t, cfg)
		h := &fakeHandlers{applyFn: func(n int, c app.Change) error {
			if n == 1 {
				return app.Wrapf(errors.New("HTTP 503"), app.Unavailable, "QuickBooks is unavailable.")
			}
			return nil
		}}
		logger, logs := newLogger()
		q := openQueue(t, s, h, testOptions(logger))
		start(t, q)

		c := change("r7", "1")
		if err := q.EnqueueChanges(t.Context(), []app.Change{c}); err != nil {
			t.Fatalf("EnqueueChanges: %v", err)
		}
		// The first retry comes 2 s (plus jitter) after the failure.
		waitFor(t, 10*time.Second, "the retry", func() bool { return h.calls(c) == 2 })
		waitFor(t, 5*time.Second, "job completed", func() bool { return allEqual(jobStates(t, s, kindApplyChange), "completed") })
		time.Sleep(5 * testPoll)
		if n := h.calls(c); n != 2 {
			t.Errorf("ApplyChange ran %d times, want 2", n)
		}

		recs := logs.find("WARN", "queue: job failed; will retry")
		if len(recs) != 1 {
			t.Fatalf("retry warnings = %v, want 1", recs)
		}
		r := recs[0]
		if r["kind"] != kindApplyChange || r["attempt"] != 1.0 || r["realm"] != "r7" || r["entity_id"] != "1" || r["code"] != "unavailable" {
			t.Errorf("retry warning = %v, want kind, attempt 1, realm r7, entity_id 1, code unavailable", r)
		}
	})
}

func TestFinalErrorCancelsWithoutRetry(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, cfg store.Config) {
		s := openStore(t, cfg)
		h := &fakeHandlers{
			applyFn: func(int, app.Change) error {
				return app.Errorf(app.NotConnected, "Reconnect QuickBooks company Acme.")
			},
			reconcileFn: func(string) error {
				return fmt.Errorf("reconcile: %w", app.Errorf(app.Forbidden, "not yours"))
			},
		}
		logger, logs := newLogger()
		opt := testOptions(logger)
		opt.ReconcileEvery = time.Hour
		h.targets = []string{"conn-1"}
		q := openQueue(t, s, h, opt)
		start(t, q)

		c := change("r9", "1")
		if err := q.EnqueueChanges(t.Context(), []app.Change{c}); err != nil {
			t.Fatalf("EnqueueChanges: %v", err)
		}
		waitFor(t, 10*time.Second, "apply_change cancelled", func() bool {
			return allEqual(jobStates(t, s, kindApplyChange), "cancelled")
		})
		waitFor(t, 10*time.Second, "reconcile cancelled", func() bool {
			return allEqual(jobStates(t, s, kindReconcile), "cancelled")
		})
		// Cancelled is final: River never runs the job again (a retry
		// would have left it retryable, or available).
		time.Sleep(5 * testPoll)
		if n := h.calls(c); n != 1 {
			t.Errorf("ApplyChange ran %d times, want 1", n)
		}
		h.mu.Lock()
		if len(h.reconciles) != 1 {
			t.Errorf("Reconcile ran %v, want once", h.reconciles)
		}
		h.mu.Unlock()

		recs := logs.find("WARN", "queue: job failed for good; cancelled without retry")
		var sawChange, sawConn bool
		for _, r := range recs {
			sawChange = sawChange || (r["realm"] == "r9" && r["code"] == "not_connected" && r["kind"] == kindApplyChange)
			sawConn = sawConn || (r["connection"] == "conn-1" && r["code"] == "forbidden" && r["kind"] == kindReconcile)
		}
		if !sawChange || !sawConn {
			t.Errorf("cancel warnings = %v, want one for realm r9 (not_connected) and one for conn-1 (forbidden)", recs)
		}
	})
}

func TestPeriodicJobs(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, cfg store.Config) {
		s := openStore(t, cfg)
		h := &fakeHandlers{targets: []string{"c2", "c1", "c2", "c3"}}
		logger, _ := newLogger()
		opt := testOptions(logger)
		opt.ReconcileEvery, opt.SweepEvery = time.Hour, time.Hour // RunOnStart runs each once
		q := openQueue(t, s, h, opt)
		start(t, q)

		waitFor(t, 10*time.Second, "a reconcile per target and a sweep", func() bool {
			h.mu.Lock()
			defer h.mu.Unlock()
			return len(h.reconciles) >= 3 && h.sweeps >= 1
		})
		time.Sleep(5 * testPoll)
		h.mu.Lock()
		defer h.mu.Unlock()
		got := map[string]int{}
		for _, id := range h.reconciles {
			got[id]++
		}
		if len(got) != 3 || got["c1"] != 1 || got["c2"] != 1 || got["c3"] != 1 {
			t.Errorf("Reconcile calls = %v, want c1, c2 and c3 once each", h.reconciles)
		}
		if h.sweeps != 1 {
			t.Errorf("SweepOverdue ran %d times, want 1", h.sweeps)
		}
	})
}

func TestStopLetsRunningJobsFinish(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, cfg store.Config) {
		s := openStore(t, cfg)
		running := make(chan struct{})
		var once sync.Once
		h := &fakeHandlers{applyFn: func(int, app.Change) error {
			once.Do(func() { close(running) })
			time.Sleep(300 * time.Millisecond)
			return nil
		}}
		logger, _ := newLogger()
		q := openQueue(t, s, h, testOptions(logger))
		start(t, q)
		if err := q.EnqueueChanges(t.Context(), []app.Change{change("r1", "1")}); err != nil {
			t.Fatalf("EnqueueChanges: %v", err)
		}
		<-running
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if got := jobStates(t, s, kindApplyChange); !allEqual(got, "completed") {
			t.Errorf("after Stop the job is %v, want completed", got)
		}
	})
}

// TestCrashedProcessJobIsRetried runs a queue in a child process, SIGKILLs
// it while its handler runs, and checks that a queue in this process runs
// the job again once it has been "running" for RescueAfter.
func TestCrashedProcessJobIsRetried(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, cfg store.Config) {
		s := openStore(t, cfg)
		h := &fakeHandlers{}
		logger, _ := newLogger()
		opt := testOptions(logger)
		opt.RescueAfter, opt.JobTimeout = time.Second, 500*time.Millisecond
		q := openQueue(t, s, h, opt) // migrated, not started
		c := change("r1", "42")
		if err := q.EnqueueChanges(t.Context(), []app.Change{c}); err != nil {
			t.Fatalf("EnqueueChanges: %v", err)
		}

		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=60s")
		cmd.Env = append(os.Environ(),
			"QUEUE_CRASH_CHILD=1",
			"QUEUE_CRASH_SQLITE="+cfg.SQLitePath,
			"QUEUE_CRASH_DATABASE_URL="+cfg.DatabaseURL,
			"QUEUE_CRASH_KEY="+hex.EncodeToString(cfg.EncryptionKey))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatalf("start child: %v", err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		started := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				if sc.Text() == crashChildStarted {
					close(started)
					break
				}
			}
			for sc.Scan() { // drain
			}
		}()
		select {
		case <-started:
		case <-time.After(15 * time.Second):
			t.Fatalf("the child never ran the job; stderr:\n%s", stderr.String())
		}
		runningSince := time.Now()
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Fatalf("kill child: %v", err)
		}
		cmd.Wait()
		if got := jobStates(t, s, kindApplyChange); len(got) != 1 || got[0] != "running" {
			t.Fatalf("after the crash the job is %v, want running", got)
		}

		// The dead child was River's leader. Its lease (River's fixed 15 s
		// TTL) would keep this queue from leading, and so from rescuing,
		// for up to ~20 s; end it now, as time would.
		db, _ := s.Shared()
		if _, err := db.ExecContext(t.Context(), `DELETE FROM river_leader`); err != nil {
			t.Fatalf("expire the dead leader: %v", err)
		}
		// River's rescuer looks at start, then every 30 s: start once the
		// job has been running for RescueAfter.
		time.Sleep(time.Until(runningSince.Add(opt.RescueAfter + 200*time.Millisecond)))
		start(t, q)
		waitFor(t, 15*time.Second, "the rescued job to run again", func() bool { return h.calls(c) == 1 })
		waitFor(t, 5*time.Second, "job completed", func() bool { return allEqual(jobStates(t, s, kindApplyChange), "completed") })
		var attempt int
		if err := db.QueryRowContext(t.Context(), `SELECT attempt FROM river_job WHERE kind = $1`, kindApplyChange).Scan(&attempt); err != nil {
			t.Fatal(err)
		}
		if attempt != 2 {
			t.Errorf("attempt = %d, want 2 (the crashed one, then ours)", attempt)
		}
	})
}

const crashChildStarted = "CRASH CHILD: JOB STARTED"

// TestCrashChild is the child process of TestCrashedProcessJobIsRetried:
// it works the queue until its handler runs, says so, and hangs there
// until it is killed.
func TestCrashChild(t *testing.T) {
	if os.Getenv("QUEUE_CRASH_CHILD") != "1" {
		t.Skip("only runs as TestCrashedProcessJobIsRetried's child process")
	}
	key, err := hex.DecodeString(os.Getenv("QUEUE_CRASH_KEY"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.Open(context.Background(), store.Config{
		SQLitePath:    os.Getenv("QUEUE_CRASH_SQLITE"),
		DatabaseURL:   os.Getenv("QUEUE_CRASH_DATABASE_URL"),
		EncryptionKey: key,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := &fakeHandlers{applyFn: func(int, app.Change) error {
		fmt.Println(crashChildStarted)
		select {} // hang, deaf to cancellation, until SIGKILL
	}}
	db, dialect := s.Shared()
	q, err := Open(context.Background(), db, dialect, h, Options{ReconcileEvery: -1, SweepEvery: -1, PollInterval: testPoll})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {}
}

// TestTwoReplicas runs two queues, each on its own pool, on one PostgreSQL
// schema, and hands both the same changes at once.
func TestTwoReplicasWorkEachChangeOnce(t *testing.T) {
	t.Parallel()
	cfg := store.Config{DatabaseURL: freshSchema(t), EncryptionKey: newKey()}
	s1, s2 := openStore(t, cfg), openStore(t, cfg)
	h := &fakeHandlers{applyFn: func(int, app.Change) error {
		time.Sleep(5 * time.Millisecond)
		return nil
	}}
	logger, _ := newLogger()
	opt := testOptions(logger)
	q1, q2 := openQueue(t, s1, h, opt), openQueue(t, s2, h, opt)
	start(t, q1)
	start(t, q2)

	var changes []app.Change
	for i := range 60 {
		changes = append(changes, change(fmt.Sprintf("r%d", i%3), fmt.Sprint(i)))
	}
	// q1 gets 0..39 and q2 20..59, concurrently and in opposite orders,
	// each in batches of ten: 20..39 reach both replicas.
	var wg sync.WaitGroup
	enqueue := func(q *Queue, part []app.Change, reverse bool) {
		defer wg.Done()
		for i := 0; i < len(part); i += 10 {
			batch := part[i : i+10]
			if reverse {
				batch = part[len(part)-i-10 : len(part)-i]
			}
			if err := q.EnqueueChanges(t.Context(), batch); err != nil {
				t.Errorf("EnqueueChanges: %v", err)
			}
		}
	}
	wg.Add(2)
	go enqueue(q1, changes[:40], false)
	go enqueue(q2, changes[20:], true)
	wg.Wait()

	waitFor(t, 15*time.Second, "every change applied", func() bool { return h.totalCalls() >= len(changes) })
	time.Sleep(5 * testPoll)
	if n := h.totalCalls(); n != len(changes) {
		t.Errorf("ApplyChange ran %d times for %d changes", n, len(changes))
	}
	for _, c := range changes {
		if n := h.calls(c); n != 1 {
			t.Errorf("change %s ran %d times, want 1", c.EntityID, n)
		}
	}
	db, _ := s1.Shared()
	var workers int
	if err := db.QueryRowContext(t.Context(),
		`SELECT COUNT(DISTINCT attempted_by[1]) FROM river_job WHERE kind = $1`, kindApplyChange).Scan(&workers); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d changes worked by %d replicas", len(changes), workers)
}

func TestOpenRefusesBadOptions(t *testing.T) {
	t.Parallel()
	s := openStore(t, store.Config{SQLitePath: t.TempDir() + "/o.db", EncryptionKey: newKey()})
	db, dialect := s.Shared()
	for name, tc := range map[string]struct {
		dialect string
		opt     Options
	}{
		"timeout not below rescue": {dialect, Options{JobTimeout: time.Minute, RescueAfter: time.Minute}},
		"negative workers":         {dialect, Options{Workers: -1}},
		"unknown dialect":          {"mysql", Options{}},
	} {
		if _, err := Open(t.Context(), db, tc.dialect, &fakeHandlers{}, tc.opt); err == nil {
			t.Errorf("%s: Open succeeded", name)
		}
	}
}

func TestRetryDelay(t *testing.T) {
	t.Parallel()
	for attempt, want := range map[int]time.Duration{
		0: 2 * time.Second, 1: 2 * time.Second, 2: 4 * time.Second, 9: 512 * time.Second,
		10: 10 * time.Minute, 20: 10 * time.Minute, 100: 10 * time.Minute,
	} {
		if got := retryDelay(attempt); got != want {
			t.Errorf("retryDelay(%d) = %s, want %s", attempt, got, want)
		}
	}
}

func allEqual(states []string, want string) bool {
	if len(states) == 0 {
		return false
	}
	for _, s := range states {
		if s != want {
			return false
		}
	}
	return true
}

// TestRiverTables pins the tables the package doc lists.
func TestRiverTables(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, cfg store.Config) {
		s := openStore(t, cfg)
		logger, _ := newLogger()
		openQueue(t, s, &fakeHandlers{}, testOptions(logger))
		db, dialect := s.Shared()
		query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'river%' ORDER BY name`
		if dialect == "postgres" {
			query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'river%' ORDER BY table_name`
		}
		rows, err := db.QueryContext(t.Context(), query)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				t.Fatal(err)
			}
			got = append(got, name)
		}
		want := []string{"river_job", "river_leader", "river_migration", "river_notification", "river_queue"}
		if !slices.Equal(got, want) {
			t.Errorf("River's tables = %v, want %v", got, want)
		}
	})
}

func TestOpenRefusesNewerRiverSchema(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, cfg store.Config) {
		s := openStore(t, cfg)
		logger, _ := newLogger()
		openQueue(t, s, &fakeHandlers{}, testOptions(logger))
		db, dialect := s.Shared()
		if _, err := db.ExecContext(t.Context(), `INSERT INTO river_migration (line, version) VALUES ('main', 999)`); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(t.Context(), db, dialect, &fakeHandlers{}, testOptions(logger)); err == nil || !strings.Contains(err.Error(), "newer binary") {
			t.Errorf("Open on a newer River schema: %v, want an error naming a newer binary", err)
		}
	})
}

// TestWorkflowJobsLastAttemptIsFlagged: the handler is told which try is
// the execution's last, so it can fail the action in HubSpot rather than
// leave it unanswered; earlier tries are not flagged.
func TestWorkflowJobsLastAttemptIsFlagged(t *testing.T) {
	t.Parallel()
	forEachDialect(t, func(t *testing.T, cfg store.Config) {
		s := openStore(t, cfg)
		h := &fakeHandlers{workflowFn: func(n int, in app.WorkflowInput) error {
			if !in.LastAttempt {
				return app.Errorf(app.Unavailable, "QuickBooks is unavailable.")
			}
			return nil
		}}
		logger, _ := newLogger()
		q := openQueue(t, s, h, testOptions(logger))
		start(t, q)

		in := app.WorkflowInput{PortalID: 1, CallbackID: "cb-last-1", DealID: "11"}
		if _, err := q.client.Insert(t.Context(), newWorkflowActionArgs(in), &river.InsertOpts{MaxAttempts: 2}); err != nil {
			t.Fatalf("Insert: %v", err)
		}
		waitFor(t, 15*time.Second, "the job completes", func() bool {
			return allEqual(jobStates(t, s, kindWorkflow), "completed")
		})
		h.mu.Lock()
		defer h.mu.Unlock()
		if len(h.workflows) != 2 || h.workflows[0].LastAttempt || !h.workflows[1].LastAttempt {
			t.Errorf("calls = %+v, want a first try unflagged and a last one flagged", h.workflows)
		}
	})
}
