package queue

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The job kinds, as stored in river_job.kind.
const (
	kindApplyChange  = "apply_change"
	kindReconcile    = "reconcile"
	kindReconcileAll = "reconcile_all"
	kindSweepOverdue = "sweep_overdue"
	kindImport       = "import_invoices"
	kindWorkflow     = "workflow_create_invoice"
)

// pendingStates are the states of a job not yet finished. River requires
// available, pending, running and scheduled in every unique ByState.
var pendingStates = []rivertype.JobState{
	rivertype.JobStateAvailable,
	rivertype.JobStatePending,
	rivertype.JobStateRetryable,
	rivertype.JobStateRunning,
	rivertype.JobStateScheduled,
}

// recordedStates add completed: a change that was applied stays recorded
// until retention deletes its job (completedRetention).
var recordedStates = append([]rivertype.JobState{rivertype.JobStateCompleted}, pendingStates...)

// applyChangeArgs is an app.Change as a job's args. Its JSON is the unique
// key (River sorts the keys before hashing), so LastUpdated is kept in UTC:
// one instant, one key. It is comparable, for EnqueueChanges' dedupe (UTC
// also makes == agree with Equal).
type applyChangeArgs struct {
	RealmID     string    `json:"realm_id"`
	Entity      string    `json:"entity"`
	EntityID    string    `json:"entity_id"`
	Operation   string    `json:"operation"`
	LastUpdated time.Time `json:"last_updated"`
	DeletedID   string    `json:"deleted_id,omitempty"`
}

func newApplyChangeArgs(c app.Change) applyChangeArgs {
	return applyChangeArgs{
		RealmID:     c.RealmID,
		Entity:      c.Entity,
		EntityID:    c.EntityID,
		Operation:   c.Operation,
		LastUpdated: c.LastUpdated.UTC(), // also drops the monotonic reading
		DeletedID:   c.DeletedID,
	}
}

// compare orders changes oldest first, then by their other fields.
func (a applyChangeArgs) compare(b applyChangeArgs) int {
	return cmp.Or(
		a.LastUpdated.Compare(b.LastUpdated),
		cmp.Compare(a.RealmID, b.RealmID),
		cmp.Compare(a.Entity, b.Entity),
		cmp.Compare(a.EntityID, b.EntityID),
		cmp.Compare(a.Operation, b.Operation),
		cmp.Compare(a.DeletedID, b.DeletedID),
	)
}

func (a applyChangeArgs) change() app.Change {
	return app.Change{
		RealmID:     a.RealmID,
		Entity:      a.Entity,
		EntityID:    a.EntityID,
		Operation:   a.Operation,
		LastUpdated: a.LastUpdated,
		DeletedID:   a.DeletedID,
	}
}

func (applyChangeArgs) Kind() string { return kindApplyChange }

func (applyChangeArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: recordedStates}}
}

// reconcileArgs names the connection to reconcile; one such job waits or
// runs per connection at a time.
type reconcileArgs struct {
	ConnectionID string `json:"connection_id"`
}

func (reconcileArgs) Kind() string { return kindReconcile }

func (reconcileArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

// reconcileAllArgs and sweepOverdueArgs are the periodic jobs: unique by
// kind while pending, so a tick (or a new leader's RunOnStart) does not
// pile a second one behind one still waiting or retrying.
type reconcileAllArgs struct{}

func (reconcileAllArgs) Kind() string { return kindReconcileAll }

func (reconcileAllArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: pendingStates}}
}

type sweepOverdueArgs struct{}

func (sweepOverdueArgs) Kind() string { return kindSweepOverdue }

func (sweepOverdueArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByState: pendingStates}}
}

// importInvoicesArgs names an import of invoices, customers or items
// (app/import.go; the stored import says which, and the kind keeps its
// first name so jobs already stored still run); one such job waits or runs
// per import at a time.
type importInvoicesArgs struct {
	ImportID string `json:"import_id"`
}

func (importInvoicesArgs) Kind() string { return kindImport }

func (importInvoicesArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: pendingStates}}
}

// importBusyWait is how long an import job waits when another process
// (the sync command, say) holds the import: its lease is renewed every few
// seconds and lapses 15 s after that process dies.
const importBusyWait = 15 * time.Second

type importInvoicesWorker struct {
	river.WorkerDefaults[importInvoicesArgs]
	q *Queue
}

// Work runs one slice of the import (Handlers.RunImport stops starting
// batches after two thirds of JobTimeout) and snoozes the job, not counted
// as an attempt, while work remains: a long import never meets JobTimeout,
// a crash loses at most the batch in flight (progress is stored per
// batch), and River's rescuer hands a slice whose process died to another
// worker. A transient failure is retried with the queue's backoff; the
// import itself records a failure that retrying cannot fix, and the job
// ends.
func (w *importInvoicesWorker) Work(ctx context.Context, job *river.Job[importInvoicesArgs]) error {
	finished, err := w.q.h.RunImport(ctx, job.Args.ImportID)
	switch {
	case app.ErrorCode(err) == app.Conflict:
		w.q.log.InfoContext(ctx, "queue: import held by another process; waiting", "import", job.Args.ImportID,
			"retry_in", importBusyWait.String())
		return river.JobSnooze(importBusyWait)
	case err != nil:
		return w.q.outcome(ctx, job.JobRow, err, "import", job.Args.ImportID)
	case !finished:
		return river.JobSnooze(0)
	}
	return nil
}

// workflowActionArgs is a workflow action execution answered BLOCK
// (app/workflow.go). Unique by its args while pending or completed, so a
// repeat of the execution does not queue a second job.
type workflowActionArgs struct {
	PortalID     int64  `json:"portal_id"`
	CallbackID   string `json:"callback_id"`
	DealID       string `json:"deal_id"`
	ConnectionID string `json:"connection_id,omitempty"`
	TermID       string `json:"term_id,omitempty"`
	DueDays      *int   `json:"due_days,omitempty"`
	Message      string `json:"message,omitempty"`
	TaxCodeID    string `json:"tax_code_id,omitempty"`
}

func newWorkflowActionArgs(in app.WorkflowInput) workflowActionArgs {
	return workflowActionArgs{PortalID: in.PortalID, CallbackID: in.CallbackID, DealID: in.DealID, ConnectionID: in.ConnectionID,
		TermID: in.TermID, DueDays: in.DueDays, Message: in.Message, TaxCodeID: in.TaxCodeID}
}

func (a workflowActionArgs) input() app.WorkflowInput {
	return app.WorkflowInput{PortalID: a.PortalID, CallbackID: a.CallbackID, DealID: a.DealID, ConnectionID: a.ConnectionID,
		TermID: a.TermID, DueDays: a.DueDays, Message: a.Message, TaxCodeID: a.TaxCodeID}
}

func (workflowActionArgs) Kind() string { return kindWorkflow }

func (workflowActionArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: recordedStates}}
}

type workflowActionWorker struct {
	river.WorkerDefaults[workflowActionArgs]
	q *Queue
}

// Work finishes the create and completes the execution in HubSpot; a
// transient failure is retried with the queue's backoff (about two hours,
// within the execution's one-day expiry), and the last try completes it
// as failed.
func (w *workflowActionWorker) Work(ctx context.Context, job *river.Job[workflowActionArgs]) error {
	a := job.Args
	in := a.input()
	in.LastAttempt = job.Attempt >= job.MaxAttempts
	return w.q.outcome(ctx, job.JobRow, w.q.h.FinishWorkflowAction(ctx, in),
		"portal", a.PortalID, "deal", a.DealID, "callback", a.CallbackID)
}

type applyChangeWorker struct {
	river.WorkerDefaults[applyChangeArgs]
	q *Queue
}

func (w *applyChangeWorker) Work(ctx context.Context, job *river.Job[applyChangeArgs]) error {
	a := job.Args
	return w.q.outcome(ctx, job.JobRow, w.q.h.ApplyChange(ctx, a.change()),
		"realm", a.RealmID, "entity", a.Entity, "entity_id", a.EntityID, "operation", a.Operation)
}

type reconcileWorker struct {
	river.WorkerDefaults[reconcileArgs]
	q *Queue
}

func (w *reconcileWorker) Work(ctx context.Context, job *river.Job[reconcileArgs]) error {
	return w.q.outcome(ctx, job.JobRow, w.q.h.Reconcile(ctx, job.Args.ConnectionID),
		"connection", job.Args.ConnectionID)
}

type reconcileAllWorker struct {
	river.WorkerDefaults[reconcileAllArgs]
	q *Queue
}

// Work fans out: one reconcile job per target, inserted in one
// transaction. A connection whose reconcile is still pending is skipped.
func (w *reconcileAllWorker) Work(ctx context.Context, job *river.Job[reconcileAllArgs]) error {
	ids, err := w.q.h.ReconcileTargets(ctx)
	if err != nil {
		return w.q.outcome(ctx, job.JobRow, err)
	}
	// Distinct and sorted, as EnqueueChanges does and for its reasons.
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(ids))
	for i, id := range ids {
		params[i] = river.InsertManyParams{Args: reconcileArgs{ConnectionID: id}}
	}
	if _, err := w.q.client.InsertMany(ctx, params); err != nil {
		return w.q.outcome(ctx, job.JobRow, fmt.Errorf("insert %d reconcile jobs: %w", len(params), err))
	}
	return nil
}

type sweepOverdueWorker struct {
	river.WorkerDefaults[sweepOverdueArgs]
	q *Queue
}

func (w *sweepOverdueWorker) Work(ctx context.Context, job *river.Job[sweepOverdueArgs]) error {
	return w.q.outcome(ctx, job.JobRow, w.q.h.SweepOverdue(ctx))
}

// outcome turns a handler's error into River's verdict and logs it with
// the job's kind, attempt and identifying attrs (realm, entity, connection:
// never tokens). An error the handler classified as final (NotConnected,
// Invalid, NotFound, Forbidden) cancels the job: retrying cannot help.
// Any other error is retried with retryPolicy's backoff until the job's
// attempts run out, when River discards it.
func (q *Queue) outcome(ctx context.Context, job *rivertype.JobRow, err error, attrs ...any) error {
	if err == nil {
		return nil
	}
	attrs = append([]any{"kind", job.Kind, "job_id", job.ID, "attempt", job.Attempt, "max_attempts", job.MaxAttempts}, attrs...)
	code := app.ErrorCode(err)
	attrs = append(attrs, "code", string(code), "error", err.Error())
	if !app.Retryable(err) { // the app's one rule of what may succeed later
		q.log.WarnContext(ctx, "queue: job failed for good; cancelled without retry", attrs...)
		return river.JobCancel(err)
	}
	if job.Attempt >= job.MaxAttempts {
		q.log.ErrorContext(ctx, "queue: job failed its last attempt; discarded", attrs...)
		return err
	}
	q.log.WarnContext(ctx, "queue: job failed; will retry", append(attrs, "retry_in", retryDelay(job.Attempt).String())...)
	return err
}

// retryPolicy waits 2^attempt seconds after a failed attempt (2 s, 4 s,
// 8 s, ...), at most maxRetryDelay, plus up to 10% jitter so jobs that
// failed together (an outage) do not all come back at once. Over
// maxAttempts that is about two hours.
type retryPolicy struct{}

const maxRetryDelay = 10 * time.Minute

func (retryPolicy) NextRetry(job *rivertype.JobRow) time.Time {
	d := retryDelay(job.Attempt)
	return time.Now().Add(d + rand.N(d/10+1))
}

// retryDelay is the backoff after attempt (1-based), without jitter.
func retryDelay(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	if attempt >= 10 { // 2^10 s is past the cap
		return maxRetryDelay
	}
	return min(time.Duration(1<<attempt)*time.Second, maxRetryDelay)
}
