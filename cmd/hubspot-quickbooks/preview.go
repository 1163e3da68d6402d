package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// The demo's card preview: HubSpot renders app cards only inside HubSpot,
// so the demo serves the card's local preview build (extensions/preview)
// and a stand-in for hubspot.fetch that signs each call with the sandbox
// card client, as HubSpot's proxy would, and forwards it to the card API.

// fetchRequest is what the preview's hubspot.fetch posts to /hubspot-fetch.
type fetchRequest struct {
	URL      string          `json:"url"`
	Method   string          `json:"method"`
	Body     json.RawMessage `json:"body,omitempty"`
	PortalID int64           `json:"portalId,omitempty"`
}

// previewHandler serves the built preview from dir and the signing fetch.
func previewHandler(dir, secret string, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /hubspot-fetch", func(w http.ResponseWriter, r *http.Request) {
		var req fetchRequest
		if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&req); err != nil || req.URL == "" {
			http.Error(w, "want {url, method, body}", http.StatusBadRequest)
			return
		}
		if req.PortalID == 0 {
			req.PortalID = sandboxPortalID
		}
		if req.Method == "" {
			req.Method = http.MethodGet
		}
		client := &hubspotfake.CardClient{AppID: sandboxAppID, PortalID: req.PortalID, UserID: 1,
			UserEmail: "rep@northwind.example", ClientSecret: secret, NoRetry: true}
		var body any
		if len(req.Body) > 0 && !bytes.Equal(req.Body, []byte("null")) {
			body = req.Body
		}
		resp, err := client.Do(r.Context(), req.Method, req.URL, body)
		if err != nil {
			log.Warn("preview fetch failed", "url", req.URL, "err", err)
			http.Error(w, "the card API did not answer: "+err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
	})
	index := filepath.Join(dir, "index.html")
	mux.HandleFunc("GET /", func(w http.ResponseWriter, r *http.Request) {
		if _, err := os.Stat(index); errors.Is(err, os.ErrNotExist) {
			http.Error(w, "The card preview is not built: run `npm ci && npm run preview:build` in extensions/.", http.StatusNotFound)
			return
		}
		http.FileServer(http.Dir(dir)).ServeHTTP(w, r)
	})
	return mux
}

// servePreview serves the preview on addr until the returned stop is called.
func servePreview(addr, dir, secret string, log *slog.Logger) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("listen on PREVIEW_ADDR %s: %w", addr, err)
	}
	srv := &http.Server{Handler: previewHandler(dir, secret, log), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}
