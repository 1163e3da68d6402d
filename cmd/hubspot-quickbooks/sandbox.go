package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox"
)

// runSandbox serves both fakes on loopback ports until ctx ends.
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	qboAddr := fs.String("qbo-addr", "127.0.0.1:0", "address of the QuickBooks Online fake (port 0: any free port)")
	hubspotAddr := fs.String("hubspot-addr", "127.0.0.1:0", "address of the HubSpot fake (port 0: any free port)")
	webhookURL := fs.String("qbo-webhook-url", "", "URL that receives the QuickBooks fake's signed webhooks (none when empty)")
	seedJSON := fs.Bool("seed-json", false, "print the demo seed as one JSON document and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sandbox: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}

	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	fakes := sandbox.New(sandbox.Options{QBOWebhookURL: *webhookURL, Logger: log})
	defer fakes.Close()

	if *seedJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(fakes.Seed); err != nil {
			return fmt.Errorf("print seed: %w", err)
		}
		return nil
	}

	srv, err := fakes.Listen(*qboAddr, *hubspotAddr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "QBO_API_BASE_URL=%s\nHUBSPOT_API_BASE_URL=%s\n", srv.QBOURL, srv.HubSpotURL)
	log.Info("sandbox ready; stop with Ctrl-C", "qbo", srv.QBOURL, "hubspot", srv.HubSpotURL,
		"portals", len(fakes.Seed.Portals), "realms", len(fakes.Seed.Realms))

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Close(shutdownCtx); err != nil {
		return fmt.Errorf("stop sandbox: %w", err)
	}
	log.Info("sandbox stopped")
	return nil
}
