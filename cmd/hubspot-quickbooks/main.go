// Command hubspot-quickbooks runs the Integrated invoices backend, its demo
// and its sandbox.
//
//	hubspot-quickbooks serve     the service, configured from the environment (README: Configuration)
//	hubspot-quickbooks demo      the real service wired to the sandbox fakes and the demo seed, on loopback
//	hubspot-quickbooks sandbox   only the QuickBooks Online and HubSpot fakes, on loopback
//	hubspot-quickbooks card      call the card API as HubSpot's hubspot.fetch does (signed)
//	hubspot-quickbooks healthcheck  exit 0 when the service on this machine answers /healthz
//	hubspot-quickbooks rotate-key  re-encrypt stored tokens from ENCRYPTION_KEY to NEW_ENCRYPTION_KEY (offline)
//	hubspot-quickbooks sync import  import a QuickBooks company's existing invoices into HubSpot, with a progress bar
//
// Wiring happens here and only here, in reading order (wire.go).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, errUsage) {
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "hubspot-quickbooks:", err)
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `usage: hubspot-quickbooks <command> [flags]

commands:
  serve     run the service, configured from the environment
  demo      run the service against the sandbox fakes with the demo seed
  sandbox   serve the QuickBooks Online and HubSpot fakes with the demo seed
  card      call the card API signed as HubSpot would (see: card -h)
  healthcheck  exit 0 when the service on this machine answers /healthz (the image's HEALTHCHECK)
  rotate-key  re-encrypt stored tokens under NEW_ENCRYPTION_KEY, replicas stopped (see: rotate-key -h)
  sync import  import a QuickBooks company's existing invoices into HubSpot (see: sync -h)
`

// env looks up configuration variables: os.LookupEnv in main, a map in tests.
type env func(string) (string, bool)

// run executes one command until it finishes or ctx is cancelled.
func run(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], getenv, stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], getenv, stdout, stderr)
	case "sandbox":
		return runSandbox(ctx, args[1:], stdout, stderr)
	case "card":
		return runCard(ctx, args[1:], getenv, stdout, stderr)
	case "rotate-key":
		return runRotateKey(ctx, args[1:], getenv, stdout, stderr)
	case "sync":
		return runSync(ctx, args[1:], getenv, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], getenv, stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n%s", args[0], usage)
		return errUsage
	}
}
