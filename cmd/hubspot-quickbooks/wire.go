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
	"github.com/hubspot-quickbooks/hubspot-quickbooks/quickbooks"
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
	qbo     *quickbooks.Client
	hs      *hubspot.Client
	metrics *server.Metrics
	server  *server.Server
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
	if cfg.RedisURL.Value() == "" {
		cache = redis.NewInProcess(50_000, cacheOpts)
	} else if cache, err = redis.Dial(ctx, cfg.RedisURL.Value(), cacheOpts); err != nil {
		st.Close()
		return nil, fmt.Errorf("connect cache: %w", err)
	}

	qbo := quickbooks.New(quickbooks.Config{
		APIBaseURL:   cfg.QuickBooks.APIBaseURL,
		TokenURL:     cfg.QuickBooks.TokenURL,
		RevokeURL:    cfg.QuickBooks.RevokeURL,
		ClientID:     cfg.QuickBooks.ClientID,
		ClientSecret: cfg.QuickBooks.ClientSecret.Value(),
		Logger:       log.With("component", "quickbooks"),
		Observe:      func(op, outcome string) { metrics.UpstreamCall("quickbooks", op, outcome) },
	}, st)
	hs := hubspot.New(hubspot.Config{
		APIBaseURL:   cfg.HubSpot.APIBaseURL,
		ClientID:     cfg.HubSpot.ClientID,
		ClientSecret: cfg.HubSpot.ClientSecret.Value(),
		Logger:       log.With("component", "hubspot"),
		Observe:      func(op, outcome string) { metrics.UpstreamCall("hubspot", op, outcome) },
	}, st)

	svc := app.New(app.Deps{
		Store: st, Cache: cache, QuickBooks: qbo, HubSpot: hs,
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
	srv := server.New(svc, log.With("component", "http"), metrics, server.Config{
		PublicBaseURL:       cfg.PublicBaseURL,
		HubSpotAppID:        cfg.HubSpot.AppID,
		HubSpotClientSecret: cfg.HubSpot.ClientSecret.Value(),
		// The demo's config sets the sandbox fake's token, so the demo takes
		// the fake's webhooks without a line of its own.
		QBOWebhookVerifierToken: cfg.QuickBooks.WebhookVerifierToken.Value(),
	})
	return &service{store: st, cache: cache, qbo: qbo, hs: hs, metrics: metrics, server: srv}, nil
}

// close lets token refreshes in flight save their rotated tokens, then
// releases the cache and the store.
func (s *service) close() error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	return errors.Join(s.qbo.Close(ctx), s.hs.Close(ctx), s.cache.Close(), s.store.Close())
}

// serveUntilDone serves the API on api and metrics on debug until ctx ends,
// then lets in-flight requests finish within shutdownGrace.
func (s *service) serveUntilDone(ctx context.Context, api, debug net.Listener, log *slog.Logger) error {
	debugSrv := &http.Server{Handler: s.metrics.Handler(), ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errs := make(chan error, 2)
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
