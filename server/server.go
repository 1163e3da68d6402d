// Package server is the HTTP edge of hubspot-quickbooks, on Echo: routes,
// request and response structs beside their handlers, middleware (request
// id, request log, recover, body limit, context timeout, HubSpot signature
// check) and one error handler. It knows app and nothing of SQL, Redis or
// the upstream APIs.
package server

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Config is what the HTTP edge needs to know.
type Config struct {
	// PublicBaseURL is the scheme and host HubSpot calls us on; signatures
	// are checked over it plus the path and query as received, never over
	// Host or X-Forwarded-* headers.
	PublicBaseURL       string
	HubSpotAppID        int64
	HubSpotClientSecret string
	// RequestTimeout bounds each request; under HubSpot's 15 s fetch limit.
	RequestTimeout time.Duration
	// BodyLimit caps request bodies, e.g. "1M" (hubspot.fetch sends at most 1 MB).
	BodyLimit string
	Now       func() time.Time

	// QBOWebhookVerifierToken keys the intuit-signature of QuickBooks'
	// webhooks (QBO_WEBHOOK_VERIFIER_TOKEN); empty refuses every webhook.
	QBOWebhookVerifierToken string
}

// Server serves the card API and the operational endpoints.
type Server struct {
	echo     *echo.Echo
	svc      *app.Service
	log      *slog.Logger
	metrics  *Metrics
	cfg      Config
	sig      signatureV3
	rendered renderCache
}

// New builds the server and its routes.
func New(svc *app.Service, log *slog.Logger, metrics *Metrics, cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 10 * time.Second
	}
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = "1M"
	}
	cfg.PublicBaseURL = strings.TrimRight(cfg.PublicBaseURL, "/")
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	s := &Server{
		echo: e, svc: svc, log: log, metrics: metrics, cfg: cfg,
		sig: signatureV3{secret: []byte(cfg.HubSpotClientSecret), now: cfg.Now},
	}
	e.HTTPErrorHandler = s.handleError
	e.Use(
		middleware.RequestID(),
		s.requestLog(),
		middleware.Recover(),
		middleware.BodyLimit(cfg.BodyLimit),
		middleware.ContextTimeout(cfg.RequestTimeout),
	)
	s.routes()
	return s
}

// routes lists every route of the service.
func (s *Server) routes() {
	s.echo.GET("/healthz", s.handleHealth)
	s.echo.GET("/readyz", s.handleReady)
	s.echo.GET("/api/v1/openapi.yaml", s.handleOpenAPI)

	// Intuit's redirect after consent: unsigned, the OAuth state is its proof.
	s.echo.GET("/oauth/quickbooks/callback", s.handleConnectCallback)
	s.echo.GET("/oauth/hubspot/install", s.handleInstall)
	s.echo.GET("/oauth/hubspot/callback", s.handleInstallCallback)

	// QuickBooks' change notifications: signed by Intuit, not HubSpot; a
	// body over 1 MB is answered 413 (webhooks.go).
	s.echo.POST(qboWebhookPath, s.handleQBOWebhook)
	s.echo.HTTPErrorHandler = s.qboWebhookErrors(s.echo.HTTPErrorHandler)

	// HubSpot's custom workflow action: signed v3 or v2, portal from the body (workflow.go).
	s.echo.POST("/workflow-actions/create-invoice", s.handleWorkflowCreateInvoice, s.requireWorkflowSignature)
	s.echo.POST("/workflow-actions/create-invoice/options", s.handleWorkflowOptions, s.requireWorkflowSignature)

	card := s.echo.Group("/api/v1", s.requireHubSpotSignature)
	card.GET("/connections", s.handleConnections)
	card.POST("/connections/quickbooks/connect", s.handleConnectStart, s.requireAdmin)
	card.DELETE("/connections/:id", s.handleDisconnect, s.requireAdmin)
	card.GET("/connections/:id/items", s.handleItems)
	card.GET("/connections/:id/customers", s.handleCustomers)
	card.POST("/connections/:id/customers", s.handleCustomerCreate)
	card.GET("/connections/:id/tax-codes", s.handleTaxCodes)
	card.GET("/connections/:id/terms", s.handleTerms)
	card.GET("/connections/:id/invoices", s.handleInvoiceSearch)
	card.GET("/connections/:id/invoices/:invoiceId/pdf", s.handleInvoicePDF)
	card.POST("/connections/:id/invoices/:invoiceId/send", s.handleInvoiceSend)
	card.GET("/records/:objectType/:objectId/invoices", s.handleRecordInvoices)
	card.GET("/records/:objectType/:objectId/invoice-draft", s.handleInvoiceDraft)
	card.POST("/records/:objectType/:objectId/invoices", s.handleInvoiceCreate)
	card.POST("/records/:objectType/:objectId/invoice-links", s.handleInvoiceLinksAdd)
	card.DELETE("/records/:objectType/:objectId/invoice-links/:linkId", s.handleInvoiceLinkDelete)
	card.POST("/installation/uninstall", s.handleUninstall, s.requireAdmin)
	card.GET("/settings", s.handleSettings)
	card.PUT("/settings/default-connection", s.handleSetDefaultConnection, s.requireAdmin)
	card.PUT("/settings/sync/:object", s.handleSetSync, s.requireAdmin)
	card.PUT("/settings/sync/invoices/mapping", s.handleSetInvoiceMapping, s.requireAdmin)
	card.PUT("/settings/sync/contacts/mapping", s.handleSetContactMapping, s.requireAdmin)
	card.PUT("/settings/sync/products/mapping", s.handleSetProductMapping, s.requireAdmin)
	card.POST("/settings/sync/:object/import", s.handleStartImport, s.requireAdmin)
	card.GET("/settings/sync-log", s.handleSyncLog)
	card.POST("/settings/sync-log/:id/retry", s.handleSyncLogRetry, s.requireAdmin)
}

// Handler returns the server as an http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// Serve serves on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	srv := s.echo.Server
	srv.Handler = s.echo
	// Bound slow clients, signed or not: a body trickled in, an answer read
	// slowly, an idle keep-alive.
	srv.ReadHeaderTimeout = 10 * time.Second
	srv.ReadTimeout = 15 * time.Second
	srv.WriteTimeout = 20 * time.Second
	srv.IdleTimeout = 2 * time.Minute
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	return nil
}

// Shutdown stops accepting requests and waits for in-flight ones until ctx
// ends.
func (s *Server) Shutdown(ctx context.Context) error {
	if err := s.echo.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down http: %w", err)
	}
	return nil
}

func (s *Server) handleHealth(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady answers 503 while the store cannot be reached. A cache outage
// is reported but keeps the replica in service: the cache is an
// optimisation (DESIGN.md section 4), and taking every replica out of a load
// balancer because Redis is down would turn a slowdown into an outage.
func (s *Server) handleReady(c echo.Context) error {
	r := s.svc.Ready(c.Request().Context())
	if r.Store != nil {
		return app.Wrapf(r.Store, app.Unavailable, "Not ready: the store cannot be reached.")
	}
	cache := "ok"
	if r.Cache != nil {
		cache = "degraded"
		s.log.WarnContext(c.Request().Context(), "cache unreachable; serving without it", "err", r.Cache)
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready", "cache": cache})
}

//go:embed openapi.yaml
var openAPI []byte

func (s *Server) handleOpenAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", openAPI)
}
