// Command hubspot-quickbooks runs the Integrated invoices backend and its
// sandbox.
//
//	hubspot-quickbooks sandbox [--qbo-addr ADDR] [--hubspot-addr ADDR] [--qbo-webhook-url URL] [--seed-json]
//
// sandbox serves the QuickBooks Online and HubSpot fakes, loaded with the
// demo seed, on loopback ports and prints one line each:
//
//	QBO_API_BASE_URL=http://127.0.0.1:PORT
//	HUBSPOT_API_BASE_URL=http://127.0.0.1:PORT
//
// so that any client can be pointed at them. With --seed-json it prints the
// seed (portals, realms, tokens, record ids) as one JSON document and exits.
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
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
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
  sandbox   serve the QuickBooks Online and HubSpot fakes with the demo seed
`

// run executes one command until it finishes or ctx is cancelled.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "sandbox":
		return runSandbox(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "unknown command %q\n%s", args[0], usage)
		return errUsage
	}
}
