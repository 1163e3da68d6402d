package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/config"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// runDemo runs the real service against the sandbox fakes, seeded, on
// loopback. Every configuration variable it is given wins; the rest default
// to the sandbox's apps and addresses.
func runDemo(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "demo takes no arguments; set configuration variables to override its defaults")
		return errUsage
	}
	log := newLogger(stderr, levelFrom(getenv))

	apiAddr := "127.0.0.1:8080"
	if v, ok := getenv("HTTP_ADDR"); ok && v != "" {
		apiAddr = v
	}
	api, err := net.Listen("tcp", apiAddr)
	if err != nil {
		return fmt.Errorf("listen on HTTP_ADDR %s (set HTTP_ADDR to another address): %w", apiAddr, err)
	}
	defer api.Close()

	// The QuickBooks fake sends its signed webhooks to the demo, as Intuit
	// would, so a change made in the fake reaches the card.
	fakes := sandbox.New(sandbox.Options{Logger: log.With("component", "sandbox"),
		QBOWebhookURL: "http://" + api.Addr().String() + "/webhooks/quickbooks"})
	defer fakes.Close()
	fakeURLs, err := fakes.Listen("", "")
	if err != nil {
		return err
	}
	defer fakeURLs.Close(context.Background())

	// Without DATABASE_URL the demo keeps its SQLite file in a fresh temporary
	// folder: its encryption key is generated anew on every run.
	dataDir, err := os.MkdirTemp("", "hubspot-quickbooks-demo-")
	if err != nil {
		return fmt.Errorf("demo data folder: %w", err)
	}
	defer os.RemoveAll(dataDir)

	cfg, err := config.Load(config.WithDefaults(getenv, map[string]string{
		"HTTP_ADDR":                  api.Addr().String(),
		"PUBLIC_BASE_URL":            "http://" + api.Addr().String(),
		"HUBSPOT_APP_ID":             strconv.Itoa(sandboxAppID),
		"HUBSPOT_CLIENT_ID":          hubspotfake.DefaultClientID,
		"HUBSPOT_CLIENT_SECRET":      sandboxClientSecret,
		"HUBSPOT_API_BASE_URL":       fakeURLs.HubSpotURL,
		"HUBSPOT_AUTHORIZE_URL":      fakeURLs.HubSpotURL + "/oauth/authorize",
		"QBO_CLIENT_ID":              "sandbox-qbo-client-id",
		"QBO_CLIENT_SECRET":          "sandbox-qbo-client-secret",
		"QBO_ENVIRONMENT":            "sandbox",
		"QBO_API_BASE_URL":           fakeURLs.QBOURL,
		"QBO_TOKEN_URL":              fakeURLs.QBOURL + "/oauth2/v1/tokens/bearer",
		"QBO_AUTHORIZE_URL":          fakeURLs.QBOURL + "/connect/oauth2",
		"QBO_REVOKE_URL":             fakeURLs.QBOURL + "/v2/oauth2/tokens/revoke",
		"QBO_WEBHOOK_VERIFIER_TOKEN": "sandbox-qbo-verifier-token",
		"ENCRYPTION_KEY":             randomKey(),
	}))
	if err != nil {
		return err
	}
	cfg.SQLitePath = filepath.Join(dataDir, "demo.db")

	svc, err := assemble(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer svc.close()
	if _, err := fakes.SeedStore(ctx, svc.store); err != nil {
		return fmt.Errorf("seed the demo store: %w", err)
	}
	debug, err := net.Listen("tcp", cfg.DebugAddr)
	if err != nil {
		return fmt.Errorf("listen on DEBUG_ADDR %s (set DEBUG_ADDR to another address): %w", cfg.DebugAddr, err)
	}

	previewAddr := "127.0.0.1:8090"
	if v, ok := getenv("PREVIEW_ADDR"); ok && v != "" {
		previewAddr = v
	}
	previewDir := "extensions/preview/dist"
	if v, ok := getenv("PREVIEW_DIR"); ok && v != "" {
		previewDir = v
	}
	previewURL, stopPreview, err := servePreview(previewAddr, previewDir, cfg.HubSpot.ClientSecret.Value(), log)
	if err != nil {
		return err
	}
	defer stopPreview()

	printDemo(stdout, fakeURLs, cfg.PublicBaseURL, debug.Addr().String(), previewURL)
	return svc.serveUntilDone(ctx, api, debug, log)
}

// printDemo tells the person at the terminal what runs and what to try.
func printDemo(w io.Writer, fakes *sandbox.Listening, apiURL, debugAddr, previewURL string) {
	fmt.Fprintf(w, "QBO_API_BASE_URL=%s\nHUBSPOT_API_BASE_URL=%s\nCARD_API_BASE_URL=%s\nPREVIEW_URL=%s\n", fakes.QBOURL, fakes.HubSpotURL, apiURL, previewURL)
	fmt.Fprintf(w, `
Demo records (HubSpot portal 20000001, QuickBooks companies US 9130357766900001 and CA 9130357766900002):
  deal 1011     Acme website redesign: invoices awaiting send, paid and voided; five quotes
  company 1001  Acme Corporation: invoices in two QuickBooks companies
  deal 1033     Amy bird feeders: a partial payment
  deal 1031     Maple expansion (CAD): awaiting send and overdue
  deal 1029     NewCo onboarding: no invoices yet
Metrics: http://%s/metrics

Call the card API as HubSpot would (signed, portal 20000001):
  go run ./cmd/hubspot-quickbooks card GET '%s/api/v1/records/deals/1011/invoices'

See the card itself (build it once: cd extensions && npm ci && npm run preview:build):
  %s/?objectType=deals&objectId=1011&backend=%s
`, debugAddr, apiURL, previewURL, apiURL)
}

func randomKey() string {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return base64.StdEncoding.EncodeToString(key)
}

func levelFrom(getenv env) (level slog.Level) {
	if v, ok := getenv("LOG_LEVEL"); ok {
		_ = level.UnmarshalText([]byte(v))
	}
	return level
}
