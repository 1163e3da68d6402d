package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/config"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/hubspot"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/queue"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/quickbooks"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/ratelimit"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/redis"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/server"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// shutdownGrace bounds how long in-flight requests may take once a stop
// signal arrives; longer than the 10 s request timeout.
const shutdownGrace = 15 * time.Second

// service is the assembled backend.
type service struct {
	store   *store.Store
	cache   *redis.Cache
	limits  io.Closer // the shared rate limits' Redis client; nil without Redis
	qbo     *quickbooks.Client
	hs      *hubspot.Client
	metrics *server.Metrics
	server  *server.Server
	jobs    *queue.Queue
	app     *app.Service // the use cases (the sync command calls them directly)
}

// assemble builds the service from its configuration, in reading order:
// store, cache, upstream adapters, use cases, HTTP edge.
func assemble(ctx context.Context, cfg config.Config, log *slog.Logger) (*service, error) {
	st, err := store.Open(ctx, store.Config{
		DatabaseURL:   cfg.DatabaseURL.Value(),
		SQLitePath:    cfg.SQLitePath,
		EncryptionKey: cfg.EncryptionKeyBytes(),
	})
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}

	metrics := server.NewMetrics()
	cacheOpts := redis.Options{Logger: log.With("component", "cache"), Observe: metrics.CacheResult}
	var cache *redis.Cache
	// With Redis, every replica shares one budget of each QuickBooks realm
	// and HubSpot portal; without it, this process keeps them alone.
	var limiter ratelimit.Limiter = ratelimit.NewLocal()
	var limits io.Closer
	if cfg.RedisURL.Value() == "" {
		cache = redis.NewInProcess(50_000, cacheOpts)
	} else {
		if cache, err = redis.Dial(ctx, cfg.RedisURL.Value(), cacheOpts); err != nil {
			st.Close()
			return nil, fmt.Errorf("connect cache: %w", err)
		}
		client, err := redis.NewClient(cfg.RedisURL.Value())
		if err != nil {
			cache.Close()
			st.Close()
			return nil, fmt.Errorf("connect rate limits: %w", err)
		}
		limiter, limits = ratelimit.NewShared(client, ratelimit.SharedOptions{Logger: log.With("component", "ratelimit")}), client
	}

	qbo := quickbooks.New(quickbooks.Config{
		APIBaseURL:   cfg.QuickBooks.APIBaseURL,
		TokenURL:     cfg.QuickBooks.TokenURL,
		RevokeURL:    cfg.QuickBooks.RevokeURL,
		ClientID:     cfg.QuickBooks.ClientID,
		ClientSecret: cfg.QuickBooks.ClientSecret.Value(),
		Limiter:      limiter,
		Logger:       log.With("component", "quickbooks"),
		Observe:      func(op, outcome string) { metrics.UpstreamCall("quickbooks", op, outcome) },
	}, st)
	hs := hubspot.New(hubspot.Config{
		APIBaseURL:   cfg.HubSpot.APIBaseURL,
		ClientID:     cfg.HubSpot.ClientID,
		ClientSecret: cfg.HubSpot.ClientSecret.Value(),
		Limiter:      limiter,
		Logger:       log.With("component", "hubspot"),
		Observe:      func(op, outcome string) { metrics.UpstreamCall("hubspot", op, outcome) },
	}, st)

	// The job queue keeps its tables in the store's database; it runs the
	// use cases, which hand it work: bound after both exist.
	bound := &handlers{}
	db, dialect := st.Shared()
	jobs, err := queue.Open(ctx, db, dialect, bound, queueOptions(cfg.Sync, log.With("component", "queue")))
	if err != nil {
		closeAll(limits, cache, st)
		return nil, fmt.Errorf("open job queue: %w", err)
	}

	svc := app.New(app.Deps{
		Store: st, Cache: cache, QuickBooks: qbo, HubSpot: hs, InvoiceObjects: hs, InvoicePager: qbo,
		Jobs: jobs, ChangeFeed: qbo, Sync: st,
		Logger:    log.With("component", "app"),
		QBOWebURL: cfg.QuickBooks.WebAppURL,
		Connect: app.ConnectConfig{
			AuthorizeURL: cfg.QuickBooks.AuthorizeURL,
			ClientID:     cfg.QuickBooks.ClientID,
			RedirectURI:  cfg.QuickBooksRedirectURI(),
			Secret:       cfg.EncryptionKeyBytes(),
		},
		Install: app.ConnectConfig{
			AuthorizeURL: cfg.HubSpot.AuthorizeURL,
			ClientID:     cfg.HubSpot.ClientID,
			RedirectURI:  cfg.HubSpotRedirectURI(),
			Secret:       cfg.EncryptionKeyBytes(),
		},
	})
	bound.svc = svc
	srv := server.New(svc, log.With("component", "http"), metrics, server.Config{
		PublicBaseURL:       cfg.PublicBaseURL,
		HubSpotAppID:        cfg.HubSpot.AppID,
		HubSpotClientSecret: cfg.HubSpot.ClientSecret.Value(),
		// The demo's config sets the sandbox fake's token, so the demo takes
		// the fake's webhooks without a line of its own.
		QBOWebhookVerifierToken: cfg.QuickBooks.WebhookVerifierToken.Value(),
	})
	return &service{store: st, cache: cache, limits: limits, qbo: qbo, hs: hs, metrics: metrics, server: srv, jobs: jobs, app: svc}, nil
}

// queueOptions maps the sync's configuration onto the queue's options.
func queueOptions(c config.Sync, log *slog.Logger) queue.Options {
	o := queue.Options{Workers: c.Workers, ReconcileEvery: c.ReconcileEvery, SweepEvery: c.SweepEvery,
		RescueAfter: c.RescueAfter, JobTimeout: min(time.Minute, c.RescueAfter/2), Logger: log}
	if c.ReconcileEvery == 0 {
		o.ReconcileEvery = -1 // off
	}
	return o
}

// handlers are the use cases the queue runs, bound once the service that
// holds the queue exists.
type handlers struct{ svc *app.Service }

func (h *handlers) ApplyChange(ctx context.Context, c app.Change) error {
	return h.svc.ApplyChange(ctx, c)
}
func (h *handlers) Reconcile(ctx context.Context, id string) error { return h.svc.Reconcile(ctx, id) }
func (h *handlers) SweepOverdue(ctx context.Context) error         { return h.svc.SweepOverdue(ctx) }
func (h *handlers) ReconcileTargets(ctx context.Context) ([]string, error) {
	return h.svc.ReconcileTargets(ctx)
}

// RunImport works one slice of a historical import (the job snoozes while
// work remains: queue/doc.go).
func (h *handlers) RunImport(ctx context.Context, id string) (bool, error) {
	return h.svc.RunImportSlice(ctx, id)
}

// FinishWorkflowAction finishes a workflow action answered BLOCK and
// completes it in HubSpot.
func (h *handlers) FinishWorkflowAction(ctx context.Context, in app.WorkflowInput) error {
	return h.svc.FinishWorkflowAction(ctx, in)
}

// tokenGrace bounds the wait for token refreshes in flight at shutdown:
// one refresh may wait for a row lock and the provider (twice the
// adapters' 30 s), and a provider that rotated tokens must see them saved.
const tokenGrace = 65 * time.Second

// close stops the job queue (running jobs finish within shutdownGrace),
// lets token refreshes in flight save their rotated tokens, then releases
// the rate limits' client, the cache and the store.
func (s *service) close() error {
	qctx, qcancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer qcancel()
	qerr := s.jobs.Stop(qctx)
	ctx, cancel := context.WithTimeout(context.Background(), tokenGrace)
	defer cancel()
	return errors.Join(qerr, s.qbo.Close(ctx), s.hs.Close(ctx), closeAll(s.limits, s.cache, s.store))
}

// closeAll closes each of cs that is not nil, in order.
func closeAll(cs ...io.Closer) error {
	var errs []error
	for _, c := range cs {
		if c != nil {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// serveUntilDone serves the API on api and metrics on debug until ctx ends,
// then lets in-flight requests finish within shutdownGrace.
func (s *service) serveUntilDone(ctx context.Context, api, debug net.Listener, log *slog.Logger) error {
	debugSrv := &http.Server{Handler: s.metrics.Handler(), ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errs := make(chan error, 2)
	// The queue lives as long as the process: a cancelled start context
	// would cancel running jobs at once; close() stops it gracefully.
	if err := s.jobs.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start job queue: %w", err)
	}
	go func() { errs <- s.server.Serve(api) }()
	go func() {
		if err := debugSrv.Serve(debug); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("serve metrics: %w", err)
			return
		}
		errs <- nil
	}()
	select {
	case <-ctx.Done():
	case err := <-errs:
		if err != nil {
			return err
		}
	}
	log.Info("shutting down; letting in-flight requests finish", "grace", shutdownGrace.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return errors.Join(s.server.Shutdown(shutdownCtx), debugSrv.Shutdown(shutdownCtx))
}

// newLogger writes JSON logs at level to w.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// listen opens both listeners or neither.
func listen(apiAddr, debugAddr string) (api, debug net.Listener, err error) {
	api, err = net.Listen("tcp", apiAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("listen on HTTP_ADDR %s: %w", apiAddr, err)
	}
	debug, err = net.Listen("tcp", debugAddr)
	if err != nil {
		api.Close()
		return nil, nil, fmt.Errorf("listen on DEBUG_ADDR %s: %w", debugAddr, err)
	}
	return api, debug, nil
}
