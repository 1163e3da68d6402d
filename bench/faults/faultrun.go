package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the attempts table, when a create stays pending

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/pause"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// settle is how long after a dependency's return the load is watched for
// failures before the next fault (the target: none 10 s after it).
const settle = 20 * time.Second

// window is one fault: from its start to the dependency's return.
type window struct {
	name       string
	from, back time.Time
}

// faultRun keeps a rep's load running through four faults and checks the
// books afterwards.
func (w *world) faultRun(ctx context.Context, body map[string]any, outage time.Duration, earlier *creator) ([]string, []string, error) {
	cardURL := w.proxy.url() + "/api/v1/records/deals/1011/invoices"
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	cards := &record{}
	creates := newCreator(w.portal, w.proxy.url()+"/api/v1/records/deals/1031/invoices", body)
	pay := &payer{w: w, c: creates, paid: map[string]bool{}}
	var wg sync.WaitGroup
	wg.Go(func() { readCards(loadCtx, w.portal, cardURL, 4, 20*time.Millisecond, cards) })
	wg.Go(func() { creates.run(loadCtx, time.Second, "fault") })
	wg.Go(func() { pay.run(loadCtx, 2*time.Second) })

	var windows []window
	phase := func(name string, down func() error, downFor time.Duration, up func() error) error {
		fmt.Fprintln(os.Stderr, "fault:", name)
		from := time.Now()
		if err := down(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		pause.For(ctx, downFor)
		if err := up(); err != nil {
			return fmt.Errorf("%s: back: %w", name, err)
		}
		windows = append(windows, window{name: name, from: from, back: time.Now()})
		return pause.For(ctx, settle)
	}
	pause.For(ctx, 10*time.Second)
	qbo := w.fakes.QBO.Faults()
	realm := qbofake.DemoRealmUS
	steps := []struct {
		name     string
		down, up func() error
		downFor  time.Duration
	}{
		{"Redis killed, started again 15 s later", func() error { w.redis.Kill(); return nil }, w.redis.Start, 15 * time.Second},
		{"PostgreSQL stopped (immediate), started 8 s later", func() error { return w.pg.Stop(true) }, w.pg.Start, 8 * time.Second},
		{"replica 2 SIGKILLed, started 10 s later", func() error { w.replicas[1].kill(); return nil },
			func() error { return w.replicas[1].start(ctx) }, 10 * time.Second},
		{fmt.Sprintf("QuickBooks answers 429 for %s, then 503 for %s", outage/2, outage/2), func() error {
			qbo.Clear("")
			qbo.Inject(qbofake.AnyRoute, qbofake.Fault{Tenant: realm, Status: http.StatusTooManyRequests})
			go func() {
				pause.For(ctx, outage/2)
				qbo.Clear("")
				qbo.Inject(qbofake.AnyRoute, qbofake.Fault{Tenant: realm, Status: http.StatusServiceUnavailable})
			}()
			return nil
		}, func() error {
			qbo.Clear("")
			qbo.Inject(qbofake.AnyRoute, qbofake.Fault{Latency: 40 * time.Millisecond})
			return nil
		}, outage},
	}
	for _, s := range steps {
		if err := phase(s.name, s.down, s.downFor, s.up); err != nil {
			return nil, nil, err
		}
	}
	stopLoad()
	wg.Wait()

	var rows []string
	for _, win := range windows {
		in := summarize(cards.between(win.from, win.back), win.back.Sub(win.from))
		afterWindow := cards.between(win.back, win.back.Add(settle))
		late := 0
		recovered := time.Duration(0)
		for _, o := range afterWindow {
			if failed(o) {
				late++
				recovered = max(recovered, o.at.Sub(win.back))
			}
		}
		// Creates: failures in the window and after it, the first success
		// after the return (recovery) and the last failure (the backlog
		// the window left, drained at HubSpot's pace).
		createFails, lateFails := 0, 0
		var firstOK, lastFail time.Duration = -1, 0
		for _, o := range creates.rec.between(win.from, win.back.Add(settle)) {
			bad := failed(o) || o.status == http.StatusTooManyRequests
			after := o.at.Sub(win.back)
			switch {
			case bad && after > 0:
				lateFails++
				lastFail = max(lastFail, after)
			case bad:
				createFails++
			case after > 0 && firstOK < 0:
				firstOK = after
			}
		}
		recovery := fmt.Sprintf("%.1f s", max(recovered, firstOK).Seconds())
		if firstOK < 0 {
			recovery = fmt.Sprintf("no create made within %s", settle)
		}
		rows = append(rows, fmt.Sprintf("| %s | %.1f s | %d of %d | %d | %d in the window, %d after (the last %.1f s after) | %s |", win.name,
			win.back.Sub(win.from).Seconds(), in.failed, in.n, late, createFails, lateFails, lastFail.Seconds(), recovery))
	}

	// Everything pending is sent again until it is made, as reps would
	// (an abandoned create holds its key for a minute at most).
	for _, c := range []*creator{earlier, creates} {
		c.finish(ctx, 90*time.Second)
	}
	checks, err := w.check(ctx, []*creator{earlier, creates}, pay)
	return rows, checks, err
}

// payer records payments in QuickBooks, as a bookkeeper would, on invoices
// the load made; their webhooks (or the reconcile) must reach the card.
type payer struct {
	w    *world
	c    *creator
	mu   sync.Mutex
	paid map[string]bool // QuickBooks invoice id -> paid
}

func (p *payer) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		for _, id := range p.c.madeIDs() {
			p.mu.Lock()
			done := p.paid[id]
			p.mu.Unlock()
			if done {
				continue
			}
			if err := p.w.payInFull(ctx, id); err == nil {
				p.mu.Lock()
				p.paid[id] = true
				p.mu.Unlock()
			}
			break // one a tick; a failure is tried again next tick
		}
	}
}

func (p *payer) invoices() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var ids []string
	for id := range p.paid {
		ids = append(ids, id)
	}
	return ids
}

// qbo calls the QuickBooks fake as the company's own bookkeeping would.
func (w *world) qbo(ctx context.Context, method, path string, body any, out any) error {
	var rd *strings.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		rd = strings.NewReader(string(raw))
	}
	u := "https://quickbooks.api.intuit.com/v3/company/" + qbofake.DemoRealmUS + path
	var req *http.Request
	var err error
	if rd != nil {
		req, err = http.NewRequestWithContext(ctx, method, u, rd)
	} else {
		req, err = http.NewRequestWithContext(ctx, method, u, nil)
	}
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer qbo-sandbox-access-us")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Transport: w.fakes.QBO.Transport()}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %d", method, path, resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (w *world) payInFull(ctx context.Context, invoiceID string) error {
	var got struct{ Invoice map[string]any }
	if err := w.qbo(ctx, http.MethodGet, "/invoice/"+invoiceID, nil, &got); err != nil {
		return err
	}
	balance, _ := got.Invoice["Balance"].(float64)
	var paid map[string]any
	return w.qbo(ctx, http.MethodPost, "/payment", map[string]any{
		"CustomerRef": got.Invoice["CustomerRef"], "TotalAmt": balance,
		"Line": []any{map[string]any{"Amount": balance, "LinkedTxn": []any{map[string]any{"TxnId": invoiceID, "TxnType": "Invoice"}}}},
	}, &paid)
}

// check compares what the reps were told with QuickBooks' books and the
// card: every invoice once, none lost, every payment on the card.
func (w *world) check(ctx context.Context, cs []*creator, p *payer) ([]string, error) {
	byMemo := map[string][]string{}
	for start := 1; ; start += 1000 {
		var page struct {
			QueryResponse struct {
				Invoice []struct {
					Id           string
					CustomerMemo struct {
						Value string `json:"value"`
					}
				}
			}
		}
		q := fmt.Sprintf("SELECT * FROM Invoice STARTPOSITION %d MAXRESULTS 1000", start)
		if err := w.qbo(ctx, http.MethodGet, "/query?query="+url.QueryEscape(q), nil, &page); err != nil {
			return nil, fmt.Errorf("list invoices: %w", err)
		}
		for _, inv := range page.QueryResponse.Invoice {
			if key, ok := strings.CutPrefix(inv.CustomerMemo.Value, "fault-bench "); ok {
				byMemo[key] = append(byMemo[key], inv.Id)
			}
		}
		if len(page.QueryResponse.Invoice) < 1000 {
			break
		}
	}
	made := map[string]string{}
	pending, refused := 0, 0
	var reasons []string
	for _, c := range cs {
		for k, v := range c.madeIDs() {
			made[k] = v
		}
		c.mu.Lock()
		pending += len(c.pending)
		refused += len(c.refused)
		for k, r := range c.refused {
			reasons = append(reasons, k+": "+r)
		}
		for k := range c.pending {
			reasons = append(reasons, k+" pending, last answered "+c.last[k]+"; attempt "+w.attemptRow(ctx, k))
		}
		c.mu.Unlock()
	}
	dups, lost, orphans := 0, 0, 0
	for key, ids := range byMemo {
		if len(ids) > 1 {
			dups++
		}
		if _, ok := made[key]; !ok {
			orphans++
		}
	}
	for key := range made {
		if len(byMemo[key]) == 0 {
			lost++
		}
	}

	// Payments: each paid invoice shows paid on its deal's card.
	paid := p.invoices()
	var notPaid []string
	deadline := time.Now().Add(90 * time.Second)
	for {
		status, err := w.cardStatuses(ctx, "1031")
		if err != nil {
			return nil, err
		}
		notPaid = notPaid[:0]
		for _, id := range paid {
			if status[id] != "paid" {
				notPaid = append(notPaid, id+"="+status[id])
			}
		}
		if len(notPaid) == 0 || time.Now().After(deadline) {
			break
		}
		pause.For(ctx, 2*time.Second)
	}
	checks := []string{
		fmt.Sprintf("Invoices asked for (the limit run's and the fault run's): %d made, %d still pending after 90 s of retries, %d refused.", len(made), pending, refused),
		fmt.Sprintf("QuickBooks holds %d of them: %d duplicated, %d lost (answered but absent), %d made without the rep being told.", len(byMemo), dups, lost, orphans),
		fmt.Sprintf("Payments recorded in QuickBooks during the faults: %d; on the card as paid: %d (missing: %v).", len(paid), len(paid)-len(notPaid), notPaid),
	}
	if len(reasons) > 0 {
		checks = append(checks, "Refused or pending: "+strings.Join(reasons, "; "))
	}
	return checks, nil
}

// cardStatuses is the card's status of each invoice of a deal.
func (w *world) cardStatuses(ctx context.Context, deal string) (map[string]string, error) {
	resp, err := cardClient(w.portal).Do(ctx, http.MethodGet, w.proxy.url()+"/api/v1/records/deals/"+deal+"/invoices", nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var card struct {
		Groups []struct {
			Invoices []struct{ InvoiceID, Status string }
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&card); err != nil {
		return nil, fmt.Errorf("card of deal %s: %d %w", deal, resp.StatusCode, err)
	}
	out := map[string]string{}
	for _, g := range card.Groups {
		for _, inv := range g.Invoices {
			out[inv.InvoiceID] = inv.Status
		}
	}
	return out, nil
}

// attemptRow describes the stored create attempt of key, to tell why it is
// still pending.
func (w *world) attemptRow(ctx context.Context, key string) string {
	db, err := sql.Open("pgx", w.pg.URL())
	if err != nil {
		return err.Error()
	}
	defer db.Close()
	var claimed, created string
	var finished bool
	err = db.QueryRowContext(ctx, `SELECT claimed_until, created_at, result IS NOT NULL FROM attempts WHERE key = $1`, key).
		Scan(&claimed, &created, &finished)
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("created %s, claimed until %s, finished %v (now %s)", created, claimed, finished, time.Now().UTC().Format(time.RFC3339Nano))
}
