// Command faults is the load and fault proof of README's "Scale out"
// section. It starts, on loopback: a private PostgreSQL and Redis, the
// sandbox fakes with latency, two `serve` replicas on them behind a tiny
// round-robin proxy; measures the warm card with one and two replicas and
// invoice creates at QuickBooks' limit; then keeps a rep's load running
// (card reads, invoice creates, payments recorded in QuickBooks whose
// webhooks must reach the card) while it stops Redis, restarts PostgreSQL,
// SIGKILLs a replica and has QuickBooks answer 429 and then 5xx for a
// minute. It ends by checking that no invoice was duplicated or lost and no
// payment missed, and prints a report in Markdown.
//
//	go build -o /tmp/hq ./cmd/hubspot-quickbooks && go run ./bench/faults -bin /tmp/hq
//
// bench/faults.sh does both.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/localsvc"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

func main() {
	bin := flag.String("bin", "", "the hubspot-quickbooks binary to run as the replicas (required)")
	measure := flag.Duration("measure", 15*time.Second, "how long each throughput measurement runs")
	workers := flag.Int("workers", 32, "card readers of the throughput measurements")
	outage := flag.Duration("qbo-outage", time.Minute, "how long QuickBooks answers 429, then 5xx (half each)")
	logPath := flag.String("logs", "", "file for the replicas' logs (default: discarded)")
	flag.StringVar(&logLevel, "log-level", "warn", "the replicas' LOG_LEVEL")
	flag.Parse()
	if *bin == "" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *bin, *measure, *workers, *outage, *logPath); err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
}

var logLevel string

// world is the running topology.
type world struct {
	pg       *localsvc.Postgres
	redis    *localsvc.Redis
	fakes    *sandbox.Fakes
	proxy    *proxy
	replicas []*replica
	portal   int64
	connID   string
}

func run(ctx context.Context, bin string, measure time.Duration, workers int, outage time.Duration, logPath string) error {
	w, err := startWorld(ctx, bin, logPath)
	if err != nil {
		return err
	}
	defer w.close()
	fmt.Fprintf(os.Stderr, "topology up: proxy %s, replicas %s %s\n", w.proxy.url(), w.replicas[0].url(), w.replicas[1].url())

	cardURL := w.proxy.url() + "/api/v1/records/deals/1011/invoices"
	warm := &record{}
	timed(ctx, 3*time.Second, func(ctx context.Context) { readCards(ctx, w.portal, cardURL, 4, 0, warm) })

	// Throughput: one replica, then two, behind the same proxy.
	var rows []string
	for _, n := range []int{1, 2} {
		urls := []string{w.replicas[0].url(), w.replicas[1].url()}[:n]
		w.proxy.to(urls...)
		rec := &record{}
		start := time.Now()
		timed(ctx, measure, func(ctx context.Context) { readCards(ctx, w.portal, cardURL, workers, 0, rec) })
		s := summarize(rec.between(start, time.Now()), time.Since(start))
		rows = append(rows, fmt.Sprintf("| warm card, %d replica(s), %d readers | %.0f req/s | p50 %s, p99 %s | %d failed of %d |",
			n, workers, s.rps, ms(s.p50), ms(s.p99), s.failed, s.n))
		fmt.Fprintln(os.Stderr, rows[len(rows)-1])
	}
	w.proxy.to(w.replicas[0].url(), w.replicas[1].url())

	body, err := w.draftBody(ctx)
	if err != nil {
		return err
	}
	// Creates at QuickBooks' limit: as many reps as QBO's concurrency.
	limitCreates, row := w.createsAtTheLimit(ctx, body, measure)
	rows = append(rows, row)
	fmt.Fprintln(os.Stderr, row)

	faultRows, checks, err := w.faultRun(ctx, body, outage, limitCreates)
	if err != nil {
		return err
	}
	fmt.Println("| Measured | Rate | Latency | Failures |")
	fmt.Println("|---|---|---|---|")
	for _, r := range rows {
		fmt.Println(r)
	}
	fmt.Println()
	fmt.Println("| Fault while the load runs | Window | Card 5xx in the window | Card 5xx after it | Creates failed, each retried | Recovered: first create made after the return (or last card 5xx) |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, r := range faultRows {
		fmt.Println(r)
	}
	fmt.Println()
	for _, c := range checks {
		fmt.Println("- " + c)
	}
	return nil
}

func startWorld(ctx context.Context, bin, logPath string) (*world, error) {
	w := &world{}
	var err error
	if w.pg, err = localsvc.StartPostgres(); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "faults-")
	if err != nil {
		return w, err
	}
	if w.redis, err = localsvc.StartRedis(tmp); err != nil {
		return w, err
	}
	if w.proxy, err = startProxy(); err != nil {
		return w, err
	}
	quiet := slog.New(slog.DiscardHandler)
	w.fakes = sandbox.New(sandbox.Options{QBOWebhookURL: w.proxy.url() + "/webhooks/quickbooks", Logger: quiet})
	// Upstream latency as over the internet.
	w.fakes.QBO.Faults().Inject(qbofake.AnyRoute, qbofake.Fault{Latency: 40 * time.Millisecond})
	w.fakes.HubSpot.Faults().Inject(qbofake.AnyRoute, qbofake.Fault{Latency: 30 * time.Millisecond})
	l, err := w.fakes.Listen("127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		return w, err
	}

	key := make([]byte, 32)
	rand.Read(key)
	st, err := store.Open(ctx, store.Config{DatabaseURL: w.pg.URL(), EncryptionKey: key})
	if err != nil {
		return w, err
	}
	conns, err := w.fakes.SeedStore(ctx, st)
	st.Close()
	if err != nil {
		return w, err
	}
	conn := conns[qbofake.DemoRealmUS]
	w.portal, w.connID = conn.PortalID, conn.ID

	logs := io.Discard
	if logPath != "" {
		f, err := os.Create(logPath)
		if err != nil {
			return w, err
		}
		logs = f
	}
	env := []string{
		"DEBUG_ADDR=127.0.0.1:0", "LOG_LEVEL=" + logLevel, "PUBLIC_BASE_URL=" + w.proxy.url(),
		"ENCRYPTION_KEY=" + base64.StdEncoding.EncodeToString(key),
		"DATABASE_URL=" + w.pg.URL(), "REDIS_URL=" + w.redis.URL(),
		"HUBSPOT_APP_ID=" + strconv.Itoa(hubspotfake.DefaultAppID), "HUBSPOT_CLIENT_ID=" + hubspotfake.DefaultClientID,
		"HUBSPOT_CLIENT_SECRET=" + hubspotfake.DefaultClientSecret, "HUBSPOT_API_BASE_URL=" + l.HubSpotURL,
		"QBO_CLIENT_ID=" + qbofake.DefaultClientID, "QBO_CLIENT_SECRET=" + qbofake.DefaultClientSecret,
		"QBO_API_BASE_URL=" + l.QBOURL, "QBO_TOKEN_URL=" + l.QBOURL + "/oauth2/v1/tokens/bearer",
		"QBO_AUTHORIZE_URL=" + l.QBOURL + "/connect/oauth2", "QBO_REVOKE_URL=" + l.QBOURL + "/v2/oauth2/tokens/revoke",
		"QBO_WEBHOOK_VERIFIER_TOKEN=" + qbofake.DefaultWebhookVerifierToken,
		"SYNC_RECONCILE_EVERY=30s",
	}
	for i := range 2 {
		addr, err := localsvc.FreeAddr()
		if err != nil {
			return w, err
		}
		r := &replica{name: fmt.Sprintf("replica%d", i+1), bin: bin, addr: addr, env: env, logs: logs}
		if err := r.start(ctx); err != nil {
			return w, err
		}
		w.replicas = append(w.replicas, r)
	}
	w.proxy.to(w.replicas[0].url(), w.replicas[1].url())
	return w, nil
}

func (w *world) close() {
	for _, r := range w.replicas {
		r.stop()
	}
	if w.fakes != nil {
		w.fakes.Close()
	}
	if w.redis != nil {
		w.redis.Kill()
	}
	if w.pg != nil {
		w.pg.Close()
	}
}

// draftBody is the card's draft of deal 1011's quote, less the quote (each
// bench invoice is a new one made from scratch with its lines).
func (w *world) draftBody(ctx context.Context) (map[string]any, error) {
	u := w.proxy.url() + "/api/v1/records/deals/1011/invoice-draft?connectionId=" + w.connID
	resp, err := cardClient(w.portal).Do(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var d struct{ Invoice map[string]any }
	if err := json.NewDecoder(resp.Body).Decode(&d); err != nil || resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("draft: %d %v", resp.StatusCode, err)
	}
	delete(d.Invoice, "quoteId")
	delete(d.Invoice, "docNumber")
	return d.Invoice, nil
}

// createsAtTheLimit creates invoices from ten reps at once for span; the
// creates cut off by its end are finished and checked with the fault
// run's.
func (w *world) createsAtTheLimit(ctx context.Context, body map[string]any, span time.Duration) (*creator, string) {
	c := newCreator(w.portal, w.proxy.url()+"/api/v1/records/deals/1033/invoices", body)
	qboCalls, hsCalls := w.fakes.QBO.Counters().Count("", ""), w.fakes.HubSpot.Counters().Count("", "")
	throttled := w.fakes.QBO.Throttled().Count("", "") + w.fakes.HubSpot.Throttled().Count("", "")
	start := time.Now()
	timed(ctx, span, func(ctx context.Context) {
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Go(func() {
				client := cardClient(w.portal)
				for n := 0; ctx.Err() == nil; n++ {
					key := fmt.Sprintf("limit-%02d-%05d", i, n)
					c.mu.Lock()
					c.pending[key] = 0
					c.mu.Unlock()
					c.try(ctx, client, key)
				}
			})
		}
		wg.Wait()
	})
	elapsed := time.Since(start)
	made := float64(max(len(c.madeIDs()), 1))
	qboCalls = w.fakes.QBO.Counters().Count("", "") - qboCalls
	hsCalls = w.fakes.HubSpot.Counters().Count("", "") - hsCalls
	throttled = w.fakes.QBO.Throttled().Count("", "") + w.fakes.HubSpot.Throttled().Count("", "") - throttled
	s := summarize(c.rec.between(start, time.Now()), elapsed)
	row := fmt.Sprintf("| invoice creates, one realm and portal, 10 reps at once | %.1f creates/s (each %.1f QuickBooks and %.1f HubSpot calls; the limits allow 8.3 and 11 calls/s) | p50 %s, p99 %s | %d failed of %d, %d 429s from the fakes |",
		made/elapsed.Seconds(), float64(qboCalls)/made, float64(hsCalls)/made, ms(s.p50), ms(s.p99), s.failed, s.n, throttled)
	return c, row
}

// timed runs fn with a context that ends after d.
func timed(ctx context.Context, d time.Duration, fn func(context.Context)) {
	c, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	fn(c)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
}
