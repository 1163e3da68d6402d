package qbofake

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/pause"
)

// Webhooks of reference §5.2: every change to an entity QBO notifies about
// is POSTed, signed, to Options.WebhookURL, one notification per POST (the
// sandbox delivers near real time; production batches), each delivery in
// its own goroutine with QBO's retry schedule. Delivery is best effort and
// may be out of order, as in QBO.

// webhookEntities are the entities QBO sends notifications for (W1): no
// TaxCode, TaxRate or CompanyInfo. Preferences only ever send Update.
var webhookEntities = map[string]bool{
	"Invoice": true, "Customer": true, "Vendor": true, "Employee": true,
	"Item": true, "Term": true, "Payment": true, "Preferences": true,
}

// cloudEventVerbs maps legacy operations to CloudEvents type verbs. Only
// created/updated/deleted/merged are seen in Intuit's samples (W2); voided
// and emailed are our analogous guesses [?].
var cloudEventVerbs = map[string]string{
	opCreate: "created", opUpdate: "updated", opDelete: "deleted",
	opVoid: "voided", opEmailed: "emailed", "Merge": "merged",
}

type webhooks struct {
	s      *Server
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	closed bool
}

func newWebhooks(s *Server) *webhooks {
	ctx, cancel := context.WithCancel(context.Background())
	return &webhooks{s: s, ctx: ctx, cancel: cancel}
}

// close stops every delivery and waits for the goroutines to end.
func (h *webhooks) close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	h.wg.Wait()
}

// publish sends the notifications a unit of work collected. It must be
// called after the realm's lock is released.
func (s *Server) publish(w *work) {
	for _, c := range w.changes {
		s.hooks.send(w.r.id, c)
	}
}

func (h *webhooks) send(realmID string, c change) {
	url := h.s.opt.WebhookURL
	if url == "" || !webhookEntities[c.entity] || (c.entity == "Preferences" && c.op != opUpdate) {
		return
	}
	body := h.payload(realmID, c)
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return
	}
	h.wg.Add(1)
	h.mu.Unlock()
	go h.deliver(url, realmID, body)
}

// payload renders one notification in the configured format.
func (h *webhooks) payload(realmID string, c change) []byte {
	at := c.at.UTC()
	if h.s.opt.WebhookFormat == WebhookFormatLegacy {
		type entity struct {
			Name        string `json:"name"`
			ID          string `json:"id"`
			Operation   string `json:"operation"`
			LastUpdated string `json:"lastUpdated"`
		}
		type note struct {
			RealmID         string `json:"realmId"`
			DataChangeEvent struct {
				Entities []entity `json:"entities"`
			} `json:"dataChangeEvent"`
		}
		n := note{RealmID: realmID}
		n.DataChangeEvent.Entities = []entity{{Name: c.entity, ID: c.id, Operation: c.op, LastUpdated: at.Format("2006-01-02T15:04:05.000Z")}}
		return mustJSON(map[string][]note{"eventNotifications": {n}})
	}
	type event struct {
		SpecVersion     string         `json:"specversion"`
		ID              string         `json:"id"`
		Source          string         `json:"source"`
		Type            string         `json:"type"`
		DataContentType string         `json:"datacontenttype"`
		Time            string         `json:"time"`
		IntuitEntityID  string         `json:"intuitentityid"`
		IntuitAccountID string         `json:"intuitaccountid"`
		Data            map[string]any `json:"data"`
	}
	return mustJSON([]event{{
		SpecVersion:     "1.0",
		ID:              newUUID(),
		Source:          h.source(),
		Type:            "qbo." + strings.ToLower(c.entity) + "." + cloudEventVerbs[c.op] + ".v1",
		DataContentType: "application/json",
		Time:            at.Format(time.RFC3339Nano),
		IntuitEntityID:  c.id,
		IntuitAccountID: realmID,
		Data:            map[string]any{},
	}})
}

// source is "intuit." plus a stable opaque id of the app, in the shape of
// Intuit's sample.
func (h *webhooks) source() string {
	sum := sha256.Sum256([]byte(h.s.opt.ClientID))
	return "intuit." + base64.StdEncoding.EncodeToString(sum[:])
}

// Sign returns the intuit-signature of a webhook body: base64 of the
// HMAC-SHA256 of the raw bytes keyed with the verifier token (reference §5.2).
func Sign(verifierToken string, body []byte) string {
	m := hmac.New(sha256.New, []byte(verifierToken))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

type outcome int

const (
	delivered outcome = iota
	failed            // retry
	lost              // give up (dropped by an injected fault, or closing)
)

// deliver tries body on the retry schedule until a 2xx answer.
func (h *webhooks) deliver(url, realmID string, body []byte) {
	defer h.wg.Done()
	for i, wait := range h.s.opt.WebhookRetrySchedule {
		if pause.For(h.ctx, wait) != nil {
			return
		}
		switch h.attempt(url, realmID, body) {
		case delivered, lost:
			return
		}
		h.s.log.Debug("qbofake: webhook attempt failed", "realm", realmID, "attempt", i+1)
	}
	h.s.log.Warn("qbofake: webhook given up", "realm", realmID, "attempts", len(h.s.opt.WebhookRetrySchedule))
}

// attempt makes one delivery attempt, first applying any fault armed on
// RouteWebhookDeliver for the realm.
func (h *webhooks) attempt(url, realmID string, body []byte) outcome {
	if o, applied := h.fault(realmID); applied {
		return o
	}
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		h.s.log.Warn("qbofake: webhook request", "err", err)
		return lost
	}
	now := h.s.now()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("intuit-signature", Sign(h.s.opt.WebhookVerifierToken, body))
	req.Header.Set("intuit-t-id", newTid(now))
	req.Header.Set("intuit-created-time", now.UTC().Format(time.RFC3339))
	req.Header.Set("intuit-notification-schema-version", "1.0")
	req.Header.Set("User-Agent", "intuit_notification_server/0.1")
	resp, err := h.s.opt.WebhookClient.Do(req)
	if err != nil {
		if h.ctx.Err() != nil {
			return lost
		}
		return failed
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return delivered
	}
	return failed
}

// fault applies a fault armed on RouteWebhookDeliver: a status fails the
// attempt, a drop loses the notification, latency just delays.
func (h *webhooks) fault(realmID string) (o outcome, applied bool) {
	f, ok := h.s.faults.Take(RouteWebhookDeliver, realmID)
	if !ok {
		return delivered, false
	}
	if pause.For(h.ctx, f.Latency) != nil {
		return lost, true
	}
	switch {
	case f.Drop:
		return lost, true
	case f.Status != 0:
		return failed, true
	}
	return delivered, false
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
