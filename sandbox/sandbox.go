// Package sandbox runs the QuickBooks Online and HubSpot fakes side by side,
// loaded with the one demo seed that tests, benchmarks and the demo share.
//
// The fakes themselves live in sandbox/qbofake and sandbox/hubspotfake; this
// package only composes them: one seed, one clock, one place that knows
// which QuickBooks companies belong to which HubSpot portal.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/internal/fakekit"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// Options configures both fakes.
type Options struct {
	// Now is the clock of both fakes; default time.Now.
	Now func() time.Time
	// QBOWebhookURL receives the QuickBooks fake's signed change
	// notifications; empty means none are sent.
	QBOWebhookURL string
	// QBOWebhookRetrySchedule and QBOWebhookClient override the QuickBooks
	// fake's webhook delivery (qbofake.Options); zero keeps its defaults.
	QBOWebhookRetrySchedule []time.Duration
	QBOWebhookClient        *http.Client
	// Logger receives the fakes' logs; default discards them.
	Logger *slog.Logger
	// Unthrottled turns off both fakes' rate and concurrency limits, for
	// benchmarks that measure our code rather than the APIs' throttles.
	Unthrottled bool
}

// Fakes is a seeded pair of fakes, served in-process.
type Fakes struct {
	QBO     *qbofake.Server
	HubSpot *hubspotfake.Server
	Seed    Seed
}

// Seed is the demo data: the portals and companies with their credentials
// and the ids of the demo records by kind and label.
type Seed struct {
	Portals []hubspotfake.DemoPortal `json:"portals"`
	Realms  []qbofake.DemoRealm      `json:"realms"`
}

// New builds both fakes and loads the demo seed into them.
func New(opt Options) *Fakes {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	qboOpt := qbofake.Options{
		Now:                  opt.Now,
		WebhookURL:           opt.QBOWebhookURL,
		WebhookRetrySchedule: opt.QBOWebhookRetrySchedule,
		WebhookClient:        opt.QBOWebhookClient,
		Logger:               opt.Logger.With("fake", "quickbooks"),
	}
	hsOpt := hubspotfake.Options{
		Now:    opt.Now,
		Logger: opt.Logger.With("fake", "hubspot"),
	}
	if opt.Unthrottled {
		qboOpt.RequestsPerMinute, qboOpt.MaxConcurrent, qboOpt.BatchRequestsPerMinute = -1, -1, -1
		hsOpt.RateLimit, hsOpt.SearchPerSecond, hsOpt.DailyLimit = -1, -1, -1
	}
	qbo := qbofake.New(qboOpt)
	hs := hubspotfake.New(hsOpt)
	return &Fakes{
		QBO:     qbo,
		HubSpot: hs,
		Seed: Seed{
			Portals: hs.SeedDemo().Portals,
			Realms:  qbo.SeedDemo().Realms,
		},
	}
}

// Transport routes the real QuickBooks (Intuit) and HubSpot API hosts to the
// fakes without a socket; any other host is refused.
func (f *Fakes) Transport() http.RoundTripper {
	qbo, hs := f.QBO.Transport(), f.HubSpot.Transport()
	return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := qbo.RoundTrip(r)
		if errors.Is(err, fakekit.ErrNotServed) {
			return hs.RoundTrip(r)
		}
		return resp, err
	})
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Listening is a pair of fakes served on TCP ports.
type Listening struct {
	QBOURL     string // QBO_API_BASE_URL: <url>/v3/company/<realm>/...
	HubSpotURL string // HUBSPOT_API_BASE_URL: <url>/crm/v3/...

	qbo, hs *fakekit.Server
}

// Listen serves the fakes on qboAddr and hubspotAddr; an empty address means
// a free loopback port.
func (f *Fakes) Listen(qboAddr, hubspotAddr string) (*Listening, error) {
	qbo, err := f.QBO.Listen(qboAddr)
	if err != nil {
		return nil, fmt.Errorf("serve QuickBooks fake: %w", err)
	}
	hs, err := f.HubSpot.Listen(hubspotAddr)
	if err != nil {
		_ = qbo.Close(context.Background())
		return nil, fmt.Errorf("serve HubSpot fake: %w", err)
	}
	return &Listening{QBOURL: qbo.URL, HubSpotURL: hs.URL, qbo: qbo, hs: hs}, nil
}

// Close stops both listeners, letting in-flight requests finish until ctx
// ends.
func (l *Listening) Close(ctx context.Context) error {
	return errors.Join(l.qbo.Close(ctx), l.hs.Close(ctx))
}

// Close stops the fakes' background work (webhook deliveries).
func (f *Fakes) Close() {
	f.QBO.Close()
}
