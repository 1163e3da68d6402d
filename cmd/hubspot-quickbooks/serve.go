package main

import (
	"context"
	"fmt"
	"io"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/config"
)

// runServe runs the service as configured by the environment.
func runServe(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "serve takes no arguments; it is configured by the environment (README: Configuration)\n")
		return errUsage
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	log.Info("starting", "config", cfg)
	svc, err := assemble(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer svc.close()
	api, debug, err := listen(cfg.HTTPAddr, cfg.DebugAddr)
	if err != nil {
		return err
	}
	log.Info("serving", "http", api.Addr().String(), "debug", debug.Addr().String())
	return svc.serveUntilDone(ctx, api, debug, log)
}
