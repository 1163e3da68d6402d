// Package queue is the durable job queue of the background sync (app.Jobs),
// an adapter over River (github.com/riverqueue/river) on the store's own
// database, and the workers that run its jobs through Handlers (the use
// cases app.Service implements).
//
// # Why River
//
// The sync needs what a job queue gives: work that survives a crash,
// retries with backoff, jobs that are recorded once however often a
// webhook is replayed, periodic jobs that run on one replica, and recovery
// of the jobs of a process that died. River does all of it in SQL on the
// database we already run, PostgreSQL or SQLite (River's riverdatabasesql
// and riversqlite drivers over the store's *sql.DB), so there is no broker
// to deploy, secure or back up, and a job is exactly as durable as the
// rows the store writes.
//
// # Tables
//
// Open runs River's migrations (rivermigrate) in the store's database: in
// its schema on PostgreSQL (the search_path of DATABASE_URL), in its file
// on SQLite. They create river_job, river_leader, river_migration,
// river_queue and river_notification; on PostgreSQL also the enum type
// river_job_state and the functions river_job_notify and
// river_job_state_in_bitmask. The store never reads them, nor the queue
// the store's. River's migrator takes no lock, so on PostgreSQL Open holds
// an advisory lock (keyed by the schema) while migrating: replicas starting
// together take turns. A database migrated by a newer River fails Open.
//
// # Jobs
//
//   - apply_change: one per app.Change, its fields as args (LastUpdated in
//     UTC). Unique by args while available, pending, scheduled, running,
//     retryable or completed: EnqueueChanges skips a change already
//     recorded, or repeated in its own batch. Completed jobs are deleted
//     after 24 hours, so a webhook replayed within 24 hours of its change
//     being applied is recorded once; one replayed later (or one whose
//     first job was cancelled or discarded) is recorded and applied again,
//     which idempotent handlers make harmless.
//   - reconcile: one per connection, unique by connection while not
//     finished (a connection never has two waiting or running).
//   - reconcile_all: periodic (Options.ReconcileEvery, and once when a
//     replica becomes leader); asks ReconcileTargets and inserts one
//     reconcile job per connection it names, in one transaction.
//   - sweep_overdue: periodic (Options.SweepEvery, and once on becoming
//     leader); SweepOverdue decides per company whether its day changed.
//
// The two periodic jobs are unique by kind while not finished, so a tick
// (or a new leader's first run) does not pile a second one behind one
// still waiting or retrying.
//
// # Durability
//
// A change is durable once EnqueueChanges returns: its jobs are inserted
// in one transaction (River's InsertMany) that has committed. It survives
// the process crashing at any later point. On SQLite, the store runs WAL
// with synchronous=NORMAL: a commit survives a crash of the process but
// may be lost if the machine loses power before the next checkpoint.
//
// # At least once: the handlers must be idempotent
//
// A job that succeeds is normally run once, but may run again: when its
// process dies while running it (River's rescuer retries jobs "running"
// for longer than Options.RescueAfter), when the result of a finished
// attempt cannot be written, when an attempt times out (Options.JobTimeout)
// or is cancelled by a stop after the handler already acted, and when a
// change comes again after retention deleted its job. Every handler must
// therefore give the same result when run twice: ApplyChange reads the
// entity again and keeps entity versions, Reconcile restarts from the
// stored CDC time, SweepOverdue remembers the day it swept.
//
// # Errors and retries
//
// A handler error whose app.ErrorCode is NotConnected, Invalid, NotFound
// or Forbidden cancels the job: it is not retried (a reconnect is healed by
// the next reconcile). Any other error, a panic or a timeout is retried
// 2^attempt seconds later (2 s, 4 s, ... at most 10 minutes, plus up to 10%
// jitter), 20 attempts in all (about two hours), after which River
// discards the job (kept 7 days in river_job for inspection; cancelled
// jobs 24 hours). Each failed attempt is logged at Warn (the last at Error)
// with the job's kind, id and attempt, the error's code and text, and its
// realm and entity or its connection; never tokens (Handlers' errors carry
// none). River logs a panic itself, at Error.
//
// # Several replicas
//
// On PostgreSQL every replica works jobs; each job is locked by one of
// them (FOR UPDATE SKIP LOCKED), so it runs on one replica at a time.
// database/sql has no LISTEN/NOTIFY, so a replica finds jobs inserted by
// another within Options.PollInterval (those it inserts itself at once).
// River elects one replica leader (river_leader, a lease it renews every
// few seconds); only the leader inserts periodic jobs, rescues the jobs of
// dead processes (when it starts leading, then every 30 seconds), moves
// jobs whose retry time came to available (every 5 seconds; short retries
// skip this) and deletes old jobs. When the leader dies its lease expires
// within about 15 seconds and another replica takes over; a replica that
// stops cleanly gives it up, and another takes it at its next attempt
// (within about 6 seconds).
//
// A process killed while running jobs leaves them "running"; the leader
// retries them once they have been running for RescueAfter, that is
// between RescueAfter and RescueAfter + 30 s after they started (plus the
// lease expiry if the dead process was the leader). RescueAfter must
// exceed JobTimeout, or jobs still running would be run twice.
//
// # SQLite
//
// The queue shares the store's write pool, which on SQLite is one
// connection: every River statement (fetching, completing, electing,
// maintenance) queues in Go behind the store's writes and they behind it.
// River's statements are short, but a long store transaction delays the
// queue and a burst of jobs delays the card's writes. To spare that
// connection the queue polls (River's SQLite notification listener would
// query it every 50 ms): a job is picked up within Options.PollInterval
// of its insert. SQLite means one replica; River still elects it leader.
//
// # Lifecycle
//
// Open migrates and builds; Start works (jobs run on contexts derived from
// Start's, so pass one that lasts as long as the process); Stop stops
// fetching and waits for the running jobs, and when its context ends first
// cancels theirs (an interrupted job is retried later).
package queue
