package queue

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/pgtest"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// testPoll is the tests' PollInterval.
const testPoll = 100 * time.Millisecond

// forEachDialect runs fn, in parallel, against a fresh empty database of
// each dialect: a SQLite file in t.TempDir() and a PostgreSQL schema.
func forEachDialect(t *testing.T, fn func(t *testing.T, cfg store.Config)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, store.Config{SQLitePath: filepath.Join(t.TempDir(), "test.db"), EncryptionKey: newKey()})
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, store.Config{DatabaseURL: freshSchema(t), EncryptionKey: newKey()})
	})
}

func newKey() []byte {
	key := make([]byte, store.KeySize)
	rand.Read(key)
	return key
}

// openStore opens a real store (so the queue shares its write pool as in
// production) and closes it when the test ends.
func openStore(t *testing.T, cfg store.Config) *store.Store {
	t.Helper()
	s, err := store.Open(t.Context(), cfg)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("store Close: %v", err)
		}
	})
	return s
}

// testOptions are fast options with the periodic jobs off.
func testOptions(logger *slog.Logger) Options {
	return Options{
		ReconcileEvery: -1,
		SweepEvery:     -1,
		PollInterval:   testPoll,
		Logger:         logger,
	}
}

// openQueue opens a queue on s; stopped when the test ends (before s is
// closed: cleanups run last-in first-out).
func openQueue(t *testing.T, s *store.Store, h Handlers, opt Options) *Queue {
	t.Helper()
	db, dialect := s.Shared()
	q, err := Open(t.Context(), db, dialect, h, opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
	return q
}

func start(t *testing.T, q *Queue) {
	t.Helper()
	// Not t.Context(): it ends before cleanups run, which would hard-stop
	// the queue instead of letting Stop do it.
	if err := q.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
}

// waitFor polls cond until it holds, or fails the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jobStates lists the states of the jobs of a kind, oldest first.
func jobStates(t *testing.T, s *store.Store, kind string) []string {
	t.Helper()
	db, _ := s.Shared()
	rows, err := db.QueryContext(t.Context(), `SELECT state FROM river_job WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		t.Fatalf("query river_job: %v", err)
	}
	defer rows.Close()
	var states []string
	for rows.Next() {
		var st string
		if err := rows.Scan(&st); err != nil {
			t.Fatalf("scan: %v", err)
		}
		states = append(states, st)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	return states
}

// fakeHandlers records every call; each use case's behaviour can be set.
type fakeHandlers struct {
	mu         sync.Mutex
	changes    []app.Change
	reconciles []string
	sweeps     int

	applyFn     func(n int, c app.Change) error // n: calls so far for c, this one included
	targets     []string
	reconcileFn func(id string) error

	imports  []string                                          // RunImport calls' import ids, in order
	importFn func(n int, id string) (finished bool, err error) // n: calls so far for id, this one included

	workflows  []app.WorkflowInput // FinishWorkflowAction calls, in order
	workflowFn func(n int, in app.WorkflowInput) error
}

func (f *fakeHandlers) FinishWorkflowAction(ctx context.Context, in app.WorkflowInput) error {
	f.mu.Lock()
	f.workflows = append(f.workflows, in)
	n := 0
	for _, w := range f.workflows {
		if w.CallbackID == in.CallbackID {
			n++
		}
	}
	fn := f.workflowFn
	f.mu.Unlock()
	if fn != nil {
		return fn(n, in)
	}
	return nil
}

func (f *fakeHandlers) ApplyChange(ctx context.Context, c app.Change) error {
	f.mu.Lock()
	f.changes = append(f.changes, c)
	n := 0
	for _, d := range f.changes {
		if sameChange(c, d) {
			n++
		}
	}
	fn := f.applyFn
	f.mu.Unlock()
	if fn != nil {
		return fn(n, c)
	}
	return nil
}

func (f *fakeHandlers) Reconcile(ctx context.Context, id string) error {
	f.mu.Lock()
	f.reconciles = append(f.reconciles, id)
	fn := f.reconcileFn
	f.mu.Unlock()
	if fn != nil {
		return fn(id)
	}
	return nil
}

func (f *fakeHandlers) ReconcileTargets(ctx context.Context) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.targets), nil
}

func (f *fakeHandlers) SweepOverdue(ctx context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sweeps++
	return nil
}

func (f *fakeHandlers) RunImport(ctx context.Context, id string) (bool, error) {
	f.mu.Lock()
	f.imports = append(f.imports, id)
	n := 0
	for _, d := range f.imports {
		if d == id {
			n++
		}
	}
	fn := f.importFn
	f.mu.Unlock()
	if fn != nil {
		return fn(n, id)
	}
	return true, nil
}

// importRuns counts the RunImport calls for id.
func (f *fakeHandlers) importRuns(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, d := range f.imports {
		if d == id {
			n++
		}
	}
	return n
}

// calls counts the ApplyChange calls for c.
func (f *fakeHandlers) calls(c app.Change) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, d := range f.changes {
		if sameChange(c, d) {
			n++
		}
	}
	return n
}

func (f *fakeHandlers) totalCalls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.changes)
}

func sameChange(a, b app.Change) bool {
	return a.RealmID == b.RealmID && a.Entity == b.Entity && a.EntityID == b.EntityID &&
		a.Operation == b.Operation && a.LastUpdated.Equal(b.LastUpdated) && a.DeletedID == b.DeletedID
}

// change returns a distinct invoice update.
func change(realm, id string) app.Change {
	return app.Change{
		RealmID:     realm,
		Entity:      app.EntityInvoice,
		EntityID:    id,
		Operation:   app.OpUpdate,
		LastUpdated: time.Date(2024, 3, 5, 10, 11, 12, 123456000, time.UTC),
	}
}

// logRecorder captures JSON log lines for assertions.
type logRecorder struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func newLogger() (*slog.Logger, *logRecorder) {
	r := &logRecorder{}
	return slog.New(slog.NewJSONHandler(r, &slog.HandlerOptions{Level: slog.LevelInfo})), r
}

func (r *logRecorder) Write(p []byte) (int, error) {
	// QUEUE_TEST_LOGS=1 (with -v) shows the logs while debugging.
	if os.Getenv("QUEUE_TEST_LOGS") != "" {
		os.Stderr.Write(p)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.buf.Write(p)
}

// find returns the records at level whose msg is msg.
func (r *logRecorder) find(level, msg string) []map[string]any {
	r.mu.Lock()
	data := slices.Clone(r.buf.Bytes())
	r.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["level"] == level && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// freshSchema creates an empty schema, dropped when the test ends, and
// returns a URL whose search_path selects it.
func freshSchema(t *testing.T) string { return pgtest.Schema(t, "queue_test") }
