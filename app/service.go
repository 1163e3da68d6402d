package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"
)

// Deps are the Service's adapters and settings.
type Deps struct {
	Store      Store
	Cache      Cache
	QuickBooks QuickBooks
	HubSpot    HubSpot
	Logger     *slog.Logger
	Now        func() time.Time
	// QBOWebURL is the QuickBooks web app the card links invoices to:
	// https://app.qbo.intuit.com, or https://app.sandbox.qbo.intuit.com for
	// sandbox companies.
	QBOWebURL string
	// CardTTL is how long this process keeps a built card in memory; other
	// replicas' writes show after at most this long. Default 2 s; negative
	// turns the memory off.
	CardTTL time.Duration
	// SnapshotTTL is how long a stored invoice snapshot is served without
	// asking QBO again; webhooks refresh it sooner. Default 5 minutes.
	SnapshotTTL time.Duration
	// Connect configures the QuickBooks connect flow (connect.go); without
	// it StartConnect and FinishConnect refuse.
	Connect ConnectConfig
	// Jobs, ChangeFeed and Sync run the background sync (sync.go); without
	// them webhooks are refused and nothing reconciles.
	Jobs       Jobs
	ChangeFeed ChangeFeed
	Sync       SyncStore
	// InvoiceObjects writes HubSpot's invoice object for invoice sync
	// (invoicesync.go); without it invoice sync cannot be turned on.
	InvoiceObjects InvoiceObjects
	// InvoicePager pages through a company's invoices for the historical
	// import (import.go); nil means QuickBooks, when it implements it. The
	// import also needs Jobs, an InvoiceObjects that implements
	// InvoiceBatches and a Store that implements ImportStore.
	InvoicePager InvoicePager
	// Install configures the HubSpot install flow (install.go): HubSpot's
	// authorize URL, the HubSpot app's client id, PUBLIC_BASE_URL +
	// "/oauth/hubspot/callback" and the state key; without it StartInstall
	// and FinishInstall refuse.
	Install ConnectConfig
	// WorkflowBudget is how long a workflow action execution may work
	// before it is answered BLOCK and finished by the queue (workflow.go);
	// default DefaultWorkflowBudget.
	WorkflowBudget time.Duration
}

// Service runs the use cases.
type Service struct {
	store       Store
	cache       Cache
	qbo         QuickBooks
	hubspot     HubSpot
	log         *slog.Logger
	now         func() time.Time
	snapshotTTL time.Duration
	qboWebURL   string
	cards       *memo[*RecordCard]
	admins      *memo[bool] // who may change the settings (admins.go)
	connect     connectFlow
	install     connectFlow
	jobs        Jobs
	feed        ChangeFeed
	sync        SyncStore
	invoices    InvoiceObjects
	pager       InvoicePager
	// workflowBudget is the workflow action's budget (workflow.go), in
	// nanoseconds; atomic, as SetWorkflowBudget may change it.
	workflowBudget atomic.Int64
}

// New returns a Service over its dependencies.
func New(d Deps) *Service {
	s := &Service{store: d.Store, cache: d.Cache, qbo: d.QuickBooks, hubspot: d.HubSpot,
		log: d.Logger, now: d.Now, snapshotTTL: d.SnapshotTTL, qboWebURL: d.QBOWebURL,
		jobs: d.Jobs, feed: d.ChangeFeed, sync: d.Sync, invoices: d.InvoiceObjects, pager: d.InvoicePager}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	cardTTL := d.CardTTL
	switch {
	case cardTTL == 0:
		cardTTL = 2 * time.Second
	case cardTTL < 0:
		cardTTL = 0
	}
	s.cards = newMemo[*RecordCard](cardTTL, 10_000, s.now)
	s.admins = newMemo[bool](adminTTL, 10_000, s.now)
	s.connect = newConnectFlow(d.Connect)
	s.install = newConnectFlow(d.Install)
	s.SetWorkflowBudget(d.WorkflowBudget)
	if s.snapshotTTL <= 0 {
		s.snapshotTTL = 5 * time.Minute
	}
	return s
}

// Readiness is what the service can reach right now.
type Readiness struct {
	Store error // nil when the store answers; the service cannot work without it
	Cache error // nil when the cache answers; without it the service is slower, not down
}

// Ready pings the store and the cache.
func (s *Service) Ready(ctx context.Context) Readiness {
	return Readiness{Store: s.store.Ping(ctx), Cache: s.cache.Ping(ctx)}
}

// Connections lists the portal's QuickBooks companies.
func (s *Service) Connections(ctx context.Context, portalID int64) ([]Connection, error) {
	conns, err := s.store.Connections(ctx, portalID)
	if err != nil {
		return nil, fmt.Errorf("list connections of portal %d: %w", portalID, err)
	}
	return conns, nil
}
