package queue

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Handlers are the use cases the jobs run; app.Service implements them.
// Each may run more than once for the same work (see the package doc), so
// each must be idempotent.
type Handlers interface {
	// ApplyChange applies one QuickBooks change.
	ApplyChange(ctx context.Context, c app.Change) error
	// Reconcile heals one connection through CDC.
	Reconcile(ctx context.Context, connectionID string) error
	// ReconcileTargets lists the connections to reconcile now.
	ReconcileTargets(ctx context.Context) ([]string, error)
	// SweepOverdue runs the overdue sweep; it decides per company whether
	// its day changed.
	SweepOverdue(ctx context.Context) error
	// RunImport works a historical import (invoices, customers or items) for a slice of the job's time;
	// finished is false while work remains (the job snoozes and runs
	// again). Conflict while another process holds the import.
	RunImport(ctx context.Context, importID string) (finished bool, err error)
	// FinishWorkflowAction finishes a workflow action execution answered
	// BLOCK and completes it in HubSpot.
	FinishWorkflowAction(ctx context.Context, in app.WorkflowInput) error
}

// Options tune a Queue; the zero value takes every default.
type Options struct {
	// Workers is how many jobs this process runs at once; default 4.
	Workers int
	// ReconcileEvery is how often reconcile_all runs (and once when a
	// replica becomes the leader); default 10 minutes, below zero off.
	ReconcileEvery time.Duration
	// SweepEvery is how often sweep_overdue runs (and once when a replica
	// becomes the leader); default 15 minutes, below zero off.
	SweepEvery time.Duration
	// RescueAfter is how long a job may stay "running" before it is taken
	// to belong to a dead process and retried; default 2 minutes. It must
	// exceed JobTimeout.
	RescueAfter time.Duration
	// JobTimeout bounds one attempt of a job (its context is cancelled);
	// default 1 minute.
	JobTimeout time.Duration
	// PollInterval is how often a process looks for jobs inserted by
	// other processes; default 1 second.
	PollInterval time.Duration
	// Logger receives the queue's logs and River's; default slog.Default().
	Logger *slog.Logger
}

// Defaults and fixed policies.
const (
	defaultWorkers        = 4
	defaultReconcileEvery = 10 * time.Minute
	defaultSweepEvery     = 15 * time.Minute
	defaultRescueAfter    = 2 * time.Minute
	defaultJobTimeout     = time.Minute
	defaultPollInterval   = time.Second

	// maxAttempts is how many times a job runs before it is discarded:
	// with retryPolicy's backoff, about two hours of retries.
	maxAttempts = 20
	// completedRetention is how long a completed job is kept, and so how
	// long a replayed change is recognised as already recorded.
	completedRetention = 24 * time.Hour
	// fetchCooldown is the least time between two fetches of one process.
	fetchCooldown = 100 * time.Millisecond
	// cancelWait bounds how long Stop waits for jobs whose contexts it
	// cancelled once its own context ended.
	cancelWait = 5 * time.Second
	// migrationLockClass is the first key of the PostgreSQL advisory lock
	// held while River's migrations run ("RIVR"); the second is the schema.
	migrationLockClass = 0x52_49_56_52
)

func (o Options) withDefaults() (Options, error) {
	if o.Workers < 0 {
		return o, fmt.Errorf("queue: Workers is %d, want at least 1 (0 for the default)", o.Workers)
	}
	if o.Workers == 0 {
		o.Workers = defaultWorkers
	}
	if o.ReconcileEvery == 0 {
		o.ReconcileEvery = defaultReconcileEvery
	}
	if o.SweepEvery == 0 {
		o.SweepEvery = defaultSweepEvery
	}
	if o.RescueAfter <= 0 {
		o.RescueAfter = defaultRescueAfter
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = defaultJobTimeout
	}
	if o.PollInterval <= 0 {
		o.PollInterval = defaultPollInterval
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.JobTimeout >= o.RescueAfter {
		return o, fmt.Errorf("queue: JobTimeout (%s) must be shorter than RescueAfter (%s), or live jobs would be rescued", o.JobTimeout, o.RescueAfter)
	}
	return o, nil
}

// Queue is the durable job queue: app.Jobs, and the workers that run the
// jobs through Handlers.
type Queue struct {
	client *river.Client[*sql.Tx]
	h      Handlers
	log    *slog.Logger
}

var (
	_ app.Jobs         = (*Queue)(nil)
	_ app.ImportJobs   = (*Queue)(nil)
	_ app.WorkflowJobs = (*Queue)(nil)
)

// Open runs River's migrations on db (creating or upgrading its river_*
// tables) and builds the queue; Start starts working. db is the store's
// write pool (store.Store.Shared) and dialect "sqlite" or "postgres".
func Open(ctx context.Context, db *sql.DB, dialect string, h Handlers, opt Options) (*Queue, error) {
	if db == nil || h == nil {
		return nil, errors.New("queue: Open needs a database and handlers")
	}
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}

	var (
		rd       riverdriver.Driver[*sql.Tx]
		pollOnly bool
	)
	switch dialect {
	case "sqlite":
		rd = riversqlite.New(db)
		// River's SQLite "listener" polls a notification table every 50 ms,
		// on the one write connection the store also needs. Polling for
		// jobs every PollInterval costs far less; SQLite runs one replica,
		// and a process finds the jobs it inserts itself at that pace.
		pollOnly = true
	case "postgres":
		// database/sql has no LISTEN/NOTIFY: River polls on its own.
		rd = riverdatabasesql.New(db)
	default:
		return nil, fmt.Errorf("queue: unknown dialect %q (want sqlite or postgres)", dialect)
	}

	if err := migrate(ctx, db, dialect, rd, opt.Logger); err != nil {
		return nil, err
	}

	q := &Queue{h: h, log: opt.Logger}
	workers := river.NewWorkers()
	river.AddWorker(workers, &applyChangeWorker{q: q})
	river.AddWorker(workers, &reconcileWorker{q: q})
	river.AddWorker(workers, &reconcileAllWorker{q: q})
	river.AddWorker(workers, &sweepOverdueWorker{q: q})
	river.AddWorker(workers, &importInvoicesWorker{q: q})
	river.AddWorker(workers, &workflowActionWorker{q: q})

	var periodic []*river.PeriodicJob
	if opt.ReconcileEvery > 0 {
		periodic = append(periodic, river.NewPeriodicJob(
			river.PeriodicInterval(opt.ReconcileEvery),
			func() (river.JobArgs, *river.InsertOpts) { return reconcileAllArgs{}, nil },
			&river.PeriodicJobOpts{ID: kindReconcileAll, RunOnStart: true}))
	}
	if opt.SweepEvery > 0 {
		periodic = append(periodic, river.NewPeriodicJob(
			river.PeriodicInterval(opt.SweepEvery),
			func() (river.JobArgs, *river.InsertOpts) { return sweepOverdueArgs{}, nil },
			&river.PeriodicJobOpts{ID: kindSweepOverdue, RunOnStart: true}))
	}

	client, err := river.NewClient(rd, &river.Config{
		Queues:                      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: opt.Workers}},
		Workers:                     workers,
		PeriodicJobs:                periodic,
		JobTimeout:                  opt.JobTimeout,
		RescueStuckJobsAfter:        opt.RescueAfter,
		MaxAttempts:                 maxAttempts,
		RetryPolicy:                 retryPolicy{},
		CompletedJobRetentionPeriod: completedRetention,
		FetchPollInterval:           opt.PollInterval,
		FetchCooldown:               min(fetchCooldown, opt.PollInterval),
		PollOnly:                    pollOnly,
		Logger:                      opt.Logger.With("component", "river"),
	})
	if err != nil {
		return nil, fmt.Errorf("queue: %w", err)
	}
	q.client = client
	return q, nil
}

// migrate brings River's tables up to date. River's migrator takes no lock,
// so on PostgreSQL replicas starting together take turns on an advisory
// lock keyed by the schema (held on a connection of its own while the
// migrator uses others). On SQLite each migration's IMMEDIATE transaction
// holds the database's write lock.
func migrate(ctx context.Context, db *sql.DB, dialect string, rd riverdriver.Driver[*sql.Tx], log *slog.Logger) error {
	// The migrator logs each migration at Info; one line of ours says it.
	quiet := slog.New(minLevel{log.Handler(), slog.LevelWarn}).With("component", "rivermigrate")
	migrator, err := rivermigrate.New(rd, &rivermigrate.Config{Logger: quiet})
	if err != nil {
		return fmt.Errorf("queue: migrations: %w", err)
	}
	if dialect == "postgres" {
		conn, err := db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("queue: migration lock: %w", err)
		}
		defer conn.Close()
		const key = `$1, hashtext(COALESCE(current_schema(), ''))`
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+key+`)`, int32(migrationLockClass)); err != nil {
			return fmt.Errorf("queue: migration lock: %w", err)
		}
		defer func() {
			// A failed unlock (say, a lost connection) releases the lock
			// with the session anyway; closing the connection then drops it.
			if _, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(`+key+`)`, int32(migrationLockClass)); err != nil {
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	// A newer binary's River may have moved the tables past what this one
	// knows; Migrate would carry on regardless. ExistingVersions refuses
	// versions it does not know.
	if _, err := migrator.ExistingVersions(ctx); err != nil {
		return fmt.Errorf("queue: River's tables (migrated by a newer binary?): %w", err)
	}
	res, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return fmt.Errorf("queue: River migrations: %w", err)
	}
	if len(res.Versions) > 0 {
		log.InfoContext(ctx, "queue: applied River migrations", "count", len(res.Versions), "to_version", res.Versions[len(res.Versions)-1].Version)
	}
	return nil
}

// Start starts working jobs, and, on the replica River elects leader, the
// periodic jobs and the maintenance (rescue, retention). Jobs run on
// contexts derived from ctx; cancelling ctx stops the queue as
// StopAndCancel would, so pass a context that lives as long as the process
// and stop with Stop.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("queue: start: %w", err)
	}
	return nil
}

// Stop stops fetching jobs and waits for the running ones to finish. When
// ctx ends first, it cancels their contexts, waits a few seconds more for
// them to return (an interrupted job is retried later, here or on another
// replica) and returns ctx's error.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.client.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cancelWait)
	defer cancel()
	if cerr := q.client.StopAndCancel(cctx); cerr != nil {
		q.log.WarnContext(ctx, "queue: jobs did not return after their contexts were cancelled; a later process retries them", "error", cerr)
	}
	return fmt.Errorf("queue: stop: %w", err)
}

// EnqueueChanges records one apply_change job per change, in one
// transaction, and returns once it committed. A change already recorded
// (same fields, its job not yet deleted by retention) is not recorded
// again; nor is a repeat within changes.
func (q *Queue) EnqueueChanges(ctx context.Context, changes []app.Change) error {
	// River inserts a batch in one statement on PostgreSQL, which cannot
	// hit one unique key twice: drop repeats. And sort, so two concurrent
	// batches that share changes lock their unique keys in one order
	// rather than deadlock.
	all := make([]applyChangeArgs, 0, len(changes))
	for _, c := range changes {
		all = append(all, newApplyChangeArgs(c))
	}
	slices.SortFunc(all, applyChangeArgs.compare)
	all = slices.Compact(all)
	if len(all) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(all))
	for i, a := range all {
		params[i] = river.InsertManyParams{Args: a}
	}
	if _, err := q.client.InsertMany(ctx, params); err != nil {
		return fmt.Errorf("queue: enqueue %d changes: %w", len(params), err)
	}
	return nil
}

// EnqueueImport records an import_invoices job for the import, unless one
// is already waiting or running for it; it returns once the job is
// durable.
func (q *Queue) EnqueueImport(ctx context.Context, importID string) error {
	if importID == "" {
		return errors.New("queue: enqueue import: no import id")
	}
	if _, err := q.client.Insert(ctx, importInvoicesArgs{ImportID: importID}, nil); err != nil {
		return fmt.Errorf("queue: enqueue import %s: %w", importID, err)
	}
	return nil
}

// EnqueueWorkflowAction records a workflow_create_invoice job for the
// execution, unless one is already recorded for it; it returns once the
// job is durable.
func (q *Queue) EnqueueWorkflowAction(ctx context.Context, in app.WorkflowInput) error {
	if in.CallbackID == "" {
		return errors.New("queue: enqueue workflow action: no callback id")
	}
	if _, err := q.client.Insert(ctx, newWorkflowActionArgs(in), nil); err != nil {
		return fmt.Errorf("queue: enqueue workflow action %s: %w", in.CallbackID, err)
	}
	return nil
}

// minLevel passes on only records at or above its level.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(attrs []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(attrs), h.min}
}

func (h minLevel) WithGroup(name string) slog.Handler {
	return minLevel{h.Handler.WithGroup(name), h.min}
}
