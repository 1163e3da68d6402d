package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/config"
)

// syncUsage is printed for sync -h and for bad arguments.
const syncUsage = `usage: hubspot-quickbooks sync import --portal N --connection ID [--object invoices|contacts|products]

Imports the existing records of one QuickBooks company (connection ID of
HubSpot account N, as GET /api/v1/settings lists them) into HubSpot, in
this process, with serve's configuration from the environment (README:
Configuration): --object invoices (the default) into HubSpot's invoice
object, contacts (QuickBooks customers) into contacts and their companies,
products (QuickBooks products and services) into products, each the way
the account's sync of that kind would, which must be on. An unfinished
import of the company and kind (stopped by a crash or Ctrl-C) is resumed;
after a failed one the import goes on from where it stopped. While a serve
replica works on the import, this command follows its progress.

Progress goes to stderr: one line redrawn on a terminal, else a line every
few seconds. Exits 0 once every record is processed, 1 with the reason
otherwise.
`

// progressEvery is how often a progress line is printed when stderr is not
// a terminal.
const progressEvery = 5 * time.Second

// runSync runs `sync import`.
func runSync(ctx context.Context, args []string, getenv env, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, syncUsage)
		return nil
	}
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, syncUsage)
		return errUsage
	}
	fs := flag.NewFlagSet("sync import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, syncUsage) }
	portal := fs.Int64("portal", 0, "the HubSpot account (portal id)")
	connection := fs.String("connection", "", "the QuickBooks company's connection id")
	objectName := fs.String("object", string(app.SyncInvoices), "what to import: invoices, contacts or products")
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 || *portal <= 0 || *connection == "" {
		fmt.Fprint(stderr, "sync import needs --portal and --connection\n"+syncUsage)
		return errUsage
	}
	object, err := app.ParseSyncObject(*objectName)
	if err != nil {
		fmt.Fprint(stderr, app.ErrorMessage(err)+"\n"+syncUsage)
		return errUsage
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	// Logs share stderr with the progress line: warnings and errors only,
	// unless LOG_LEVEL asks for debug.
	level := max(cfg.LogLevel, slog.LevelWarn)
	if cfg.LogLevel < slog.LevelInfo {
		level = cfg.LogLevel
	}
	svc, err := assemble(ctx, cfg, newLogger(stderr, level))
	if err != nil {
		return err
	}
	defer svc.close()
	return importRecords(ctx, svc.app, *portal, object, *connection, stdout, newProgressBar(stderr))
}

// importRecords starts or resumes the company's import of object and
// works it here until it is finished, following another process's work
// meanwhile.
func importRecords(ctx context.Context, svc *app.Service, portalID int64, object app.SyncObject, connectionID string, stdout io.Writer, bar *progressBar) error {
	started := time.Now()
	p, err := svc.StartImport(ctx, portalID, object, connectionID)
	if err != nil {
		return errors.New(app.ErrorMessage(err))
	}
	one, many := object.RecordNouns()
	if p.Done > 0 {
		bar.note(fmt.Sprintf("Resuming the import at %s %s.", one, app.GroupDigits(p.Done)))
	}
	bar.show(p)
	following := false
	for {
		err := svc.RunImport(ctx, p.ID, bar.show)
		switch {
		case err == nil:
			if last, serr := svc.ImportStatus(context.WithoutCancel(ctx), portalID, object, connectionID); serr == nil {
				p = last
			}
			bar.done(p)
			fmt.Fprintf(stdout, "Imported %s %s into HubSpot in %s.\n", app.GroupDigits(p.Done), many, time.Since(started).Round(time.Second))
			return nil
		case ctx.Err() != nil:
			bar.done(p)
			return fmt.Errorf("interrupted; the import stays unfinished: run the same command again to resume it")
		case app.ErrorCode(err) == app.Conflict:
			// Another process (a serve replica's queue) works on it: show
			// its progress, and take over should it stop.
			if !following {
				following = true
				bar.note("Another process holds this import (a serve replica, or a run that stopped: its hold lapses within 15 s); following it.")
			}
			if last, serr := svc.ImportStatus(ctx, portalID, object, connectionID); serr == nil {
				p = last
				bar.show(p)
			}
			t := time.NewTimer(2 * time.Second)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		default:
			bar.done(p)
			return errors.New(app.ErrorMessage(err))
		}
	}
}

// progressBar draws an import's progress on one line: redrawn with \r on
// a terminal, else printed every progressEvery.
type progressBar struct {
	w     io.Writer
	tty   bool
	now   func() time.Time
	last  time.Time
	width int // of the line on screen (terminal)
	shown bool
}

func newProgressBar(w io.Writer) *progressBar {
	tty := false
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progressBar{w: w, tty: tty, now: time.Now}
}

// show draws p: on a terminal at most ten times a second, else every
// progressEvery.
func (b *progressBar) show(p app.ImportProgress) {
	now := b.now()
	every := progressEvery
	if b.tty {
		every = 100 * time.Millisecond
	}
	if b.shown && now.Sub(b.last) < every {
		return
	}
	b.draw(p)
	b.last = now
}

// note prints a line of its own, below the progress line on a terminal.
func (b *progressBar) note(msg string) {
	if b.tty && b.shown {
		fmt.Fprintln(b.w)
		b.width, b.shown = 0, false
	}
	fmt.Fprintln(b.w, msg)
}

// done draws p one last time and ends the line.
func (b *progressBar) done(p app.ImportProgress) {
	b.draw(p)
	if b.tty {
		fmt.Fprintln(b.w)
	}
}

func (b *progressBar) draw(p app.ImportProgress) {
	line := formatProgress(p)
	b.shown = true
	if !b.tty {
		fmt.Fprintln(b.w, line)
		return
	}
	pad := ""
	if n := len([]rune(line)); n < b.width {
		pad = strings.Repeat(" ", b.width-n)
	}
	b.width = len([]rune(line))
	fmt.Fprint(b.w, "\r"+line+pad)
}

// formatProgress is "1,234 / 10,000 invoices · 41.2/s · ETA 3m32s" (or
// customers, products), with what the import is retrying after it.
func formatProgress(p app.ImportProgress) string {
	eta := "ETA --"
	switch {
	case p.State == app.ImportDone:
		eta = "done"
	case p.State == app.ImportFailed:
		eta = "failed"
	case p.ETA >= 0:
		eta = "ETA " + p.ETA.Round(time.Second).String()
	}
	_, many := p.Object.RecordNouns()
	line := fmt.Sprintf("%s / %s %s · %.1f/s · %s", app.GroupDigits(p.Done), app.GroupDigits(p.Total), many, p.RatePerSecond, eta)
	if p.Error != "" && !p.State.Finished() {
		line += " · retrying: " + p.Error
	}
	return line
}
