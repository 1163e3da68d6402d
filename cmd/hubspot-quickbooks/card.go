package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// Sandbox defaults of the card command: the demo's HubSpot app and portal.
const (
	sandboxAppID        = hubspotfake.DefaultAppID
	sandboxClientSecret = hubspotfake.DefaultClientSecret
	sandboxPortalID     = 20000001
)

// runCard calls the card API the way hubspot.fetch does: query parameters
// appended, JSON body, v2 and v3 signatures. It prints the status and the
// answer, and fails on a 4xx or 5xx.
func runCard(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("card", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: hubspot-quickbooks card [flags] METHOD URL\n\nSigns with HUBSPOT_CLIENT_SECRET (default: the sandbox app's secret).\n\nflags:")
		fs.PrintDefaults()
	}
	appID := fs.Int64("app-id", envInt(getenv, "HUBSPOT_APP_ID", sandboxAppID), "HubSpot app id appended as appId")
	portal := fs.Int64("portal", sandboxPortalID, "HubSpot account appended as portalId")
	user := fs.Int64("user", 1, "HubSpot user appended as userId")
	email := fs.String("email", "rep@northwind.example", "user email appended as userEmail")
	data := fs.String("data", "", "JSON body to send (POST, PUT, PATCH)")
	printOnly := fs.Bool("print", false, "print the signed URL and headers instead of sending (for load tools; valid 5 minutes)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return errUsage
	}
	secret, ok := getenv("HUBSPOT_CLIENT_SECRET")
	if !ok || secret == "" {
		secret = sandboxClientSecret
	}
	var body any
	if *data != "" {
		if !json.Valid([]byte(*data)) {
			return fmt.Errorf("card: --data is not valid JSON")
		}
		body = json.RawMessage(*data)
	}
	client := &hubspotfake.CardClient{AppID: *appID, PortalID: *portal, UserID: *user, UserEmail: *email, ClientSecret: secret}
	if *printOnly {
		return printSigned(ctx, client, fs.Arg(0), fs.Arg(1), body, stdout)
	}
	resp, err := client.Do(ctx, fs.Arg(0), fs.Arg(1), body)
	if err != nil {
		return fmt.Errorf("card: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("card: read answer: %w", err)
	}
	fmt.Fprintf(stdout, "HTTP %d\n", resp.StatusCode)
	var pretty bytes.Buffer
	if json.Indent(&pretty, raw, "", "  ") == nil {
		raw = pretty.Bytes()
	}
	fmt.Fprintf(stdout, "%s\n", raw)
	if resp.StatusCode >= 400 {
		return fmt.Errorf("card: HTTP %d", resp.StatusCode)
	}
	return nil
}

func envInt(getenv env, name string, def int64) int64 {
	if v, ok := getenv(name); ok {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return def
}

// printSigned prints the request the card client would send: the URL on the
// first line, then one "Name: value" line per signature header. It captures
// the request in a RoundTripper, so the signing code is the card client's.
func printSigned(ctx context.Context, client *hubspotfake.CardClient, method, rawURL string, body any, stdout io.Writer) error {
	var sent *http.Request
	client.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		sent = r
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
	})}
	client.NoRetry = true
	if _, err := client.Do(ctx, method, rawURL, body); err != nil {
		return fmt.Errorf("card: %w", err)
	}
	fmt.Fprintln(stdout, sent.URL.String())
	for _, h := range []string{"X-HubSpot-Signature-v3", "X-HubSpot-Request-Timestamp", "X-HubSpot-Signature", "X-HubSpot-Signature-Version"} {
		fmt.Fprintf(stdout, "%s: %s\n", h, sent.Header.Get(h))
	}
	return nil
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
