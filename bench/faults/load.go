package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/pause"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// outcome is one request's result: when it ended, how long it took, and
// its status (0: no answer at all).
type outcome struct {
	at      time.Time
	latency time.Duration
	status  int
}

// record keeps outcomes, safe for concurrent use.
type record struct {
	mu  sync.Mutex
	all []outcome
}

func (r *record) add(o outcome) {
	r.mu.Lock()
	r.all = append(r.all, o)
	r.mu.Unlock()
}

func (r *record) between(from, to time.Time) []outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []outcome
	for _, o := range r.all {
		if !o.at.Before(from) && o.at.Before(to) {
			out = append(out, o)
		}
	}
	return out
}

// failed reports whether an answer is a failure a rep would see: a 5xx or
// no answer at all.
func failed(o outcome) bool { return o.status == 0 || o.status >= 500 }

// summary is requests/s, p50 and p99 of outcomes over a span.
type summary struct {
	n, failed int
	rps       float64
	p50, p99  time.Duration
}

func summarize(os []outcome, span time.Duration) summary {
	s := summary{n: len(os), rps: float64(len(os)) / span.Seconds()}
	lat := make([]time.Duration, 0, len(os))
	for _, o := range os {
		if failed(o) {
			s.failed++
		}
		lat = append(lat, o.latency)
	}
	slices.Sort(lat)
	if len(lat) > 0 {
		s.p50 = lat[len(lat)*50/100]
		s.p99 = lat[min(len(lat)-1, len(lat)*99/100)]
	}
	return s
}

// cardClient signs as HubSpot does for one rep; each load worker has its
// own (hubspot.fetch limits a client to 20 requests at once).
func cardClient(portal int64) *hubspotfake.CardClient {
	return &hubspotfake.CardClient{AppID: hubspotfake.DefaultAppID, PortalID: portal, UserID: 7, UserEmail: "rep@northwind.example",
		ClientSecret: hubspotfake.DefaultClientSecret, NoRetry: true, Timeout: 30 * time.Second,
		HTTPClient: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}}
}

// readCards has workers read the card at url until ctx ends; pace > 0
// spaces each worker's requests.
func readCards(ctx context.Context, portal int64, url string, workers int, pace time.Duration, rec *record) {
	var wg sync.WaitGroup
	for range workers {
		c := cardClient(portal)
		wg.Go(func() {
			for ctx.Err() == nil {
				start := time.Now()
				resp, err := c.Do(ctx, http.MethodGet, url, nil)
				o := outcome{at: time.Now(), latency: time.Since(start)}
				if err == nil {
					o.status = resp.StatusCode
					resp.Body.Close()
				}
				if ctx.Err() != nil {
					return // cut off by the end of the run, not a failure
				}
				rec.add(o)
				if pace > 0 {
					pause.For(ctx, pace)
				}
			}
		})
	}
	wg.Wait()
}

// creator makes invoices through the card API as a rep does: each has its
// own idempotency key, sent again with the same body until an answer says
// it is made (or cannot be).
type creator struct {
	portal int64
	url    string         // the record's create URL
	body   map[string]any // the draft's invoice, less the key and message
	rec    record

	mu      sync.Mutex
	made    map[string]string // key -> QuickBooks invoice id
	refused map[string]string // key -> the 4xx answer
	pending map[string]int    // key -> tries so far
	last    map[string]string // key -> the last answer while pending
	flying  map[string]bool   // keys with a try in flight: a rep retries after an answer
}

func newCreator(portal int64, url string, body map[string]any) *creator {
	return &creator{portal: portal, url: url, body: body, made: map[string]string{}, refused: map[string]string{}, pending: map[string]int{}, last: map[string]string{}, flying: map[string]bool{}}
}

// try sends key's create once and records its fate; nothing when a try of
// key is in flight.
func (c *creator) try(ctx context.Context, client *hubspotfake.CardClient, key string) {
	c.mu.Lock()
	if c.flying[key] {
		c.mu.Unlock()
		return
	}
	c.flying[key] = true
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.flying, key)
		c.mu.Unlock()
	}()
	body := map[string]any{"idempotencyKey": key, "message": "fault-bench " + key}
	for k, v := range c.body {
		body[k] = v
	}
	start := time.Now()
	resp, err := client.Do(ctx, http.MethodPost, c.url, body)
	o := outcome{at: time.Now(), latency: time.Since(start)}
	if ctx.Err() != nil {
		return // still pending
	}
	var raw []byte
	if err == nil {
		o.status = resp.StatusCode
		raw, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	c.rec.add(o)
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case o.status == http.StatusOK || o.status == http.StatusCreated:
		var a struct {
			Invoice struct {
				InvoiceID string `json:"invoiceId"`
			} `json:"invoice"`
		}
		json.Unmarshal(raw, &a)
		c.made[key] = a.Invoice.InvoiceID
		delete(c.pending, key)
	case o.status == 0 || o.status == http.StatusTooManyRequests || o.status >= 500 || o.status == http.StatusConflict:
		c.pending[key]++ // sent again later, as the card's retry does
		c.last[key] = fmt.Sprintf("%d %.200s", o.status, raw)
	default:
		c.refused[key] = fmt.Sprintf("%d %s", o.status, raw)
		delete(c.pending, key)
	}
}

// run creates one new invoice every interval (and retries the pending ones
// every 2 s) until ctx ends.
func (c *creator) run(ctx context.Context, interval time.Duration, prefix string) {
	client := cardClient(c.portal)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	retry := time.NewTicker(2 * time.Second)
	defer retry.Stop()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			n++
			key := fmt.Sprintf("%s-%06d", prefix, n)
			c.mu.Lock()
			c.pending[key] = 0
			c.mu.Unlock()
			go c.try(ctx, client, key)
		case <-retry.C:
			for _, key := range c.pendingKeys() {
				go c.try(ctx, client, key)
			}
		}
	}
}

func (c *creator) pendingKeys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys := make([]string, 0, len(c.pending))
	for k := range c.pending {
		keys = append(keys, k)
	}
	return keys
}

// finish retries what is pending until nothing is, or within passes.
func (c *creator) finish(ctx context.Context, within time.Duration) {
	client := cardClient(c.portal)
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		keys := c.pendingKeys()
		if len(keys) == 0 {
			return
		}
		var wg sync.WaitGroup
		for _, k := range keys {
			wg.Go(func() { c.try(ctx, client, k) })
		}
		wg.Wait()
		pause.For(ctx, time.Second)
	}
}

// madeIDs is the invoices made, by key.
func (c *creator) madeIDs() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]string, len(c.made))
	for k, v := range c.made {
		out[k] = v
	}
	return out
}
