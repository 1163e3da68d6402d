package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// syncProc is one `sync import` process of this binary.
type syncProc struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	waited         chan error
}

// startSync runs `sync import` args in dir (its SQLite file in dir/data).
func startSync(t *testing.T, dir string, env map[string]string, args ...string) *syncProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"sync", "import"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), subprocessEnv+"=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	p := &syncProc{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, waited: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = writerFunc(p.stdout), writerFunc(p.stderr)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.waited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	return p
}

// writerFunc appends what is written to a syncBuffer.
type bufWriter struct{ b *syncBuffer }

func (w bufWriter) Write(p []byte) (int, error) {
	w.b.mu.Lock()
	defer w.b.mu.Unlock()
	return w.b.b.Write(p)
}

func writerFunc(b *syncBuffer) bufWriter { return bufWriter{b} }

// wait returns the process's exit code, failing after within.
func (p *syncProc) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case err := <-p.waited:
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	case <-time.After(within):
		t.Fatalf("sync import still running after %s:\n%s", within, p.stderr.String())
		return -1
	}
}

// TestSyncImportResumesAfterAKill: the sync command imports a company's
// 300 invoices into HubSpot with a progress line; killed (SIGKILL)
// midway, run again, it resumes where the killed run stopped (once that
// run's lease lapses) and finishes: every invoice once in HubSpot, the
// count right. Before invoice sync is on it fails with the reason.
func TestSyncImportResumesAfterAKill(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fakes, l, key, conns := embeddedWorld(t, dir, sandbox.Options{})
	st := openWorldStore(t, dir, key)
	us := conns[qbofake.DemoRealmUS].ID
	if _, err := fakes.QBO.SeedInvoices(qbofake.DemoRealmUS, qbofake.InvoiceSeed{Count: 294, CustomerIDs: []string{"1", "2", "3"},
		ItemID: "2", Start: time.Now().Add(-time.Hour), PerSecond: 4}); err != nil {
		t.Fatal(err)
	}
	env := serveEnv(l, key, map[string]string{"LOG_LEVEL": "warn"})
	args := []string{"--portal", "20000001", "--connection", us}

	off := startSync(t, dir, env, args...)
	if code := off.wait(t, 30*time.Second); code != 1 || !strings.Contains(off.stderr.String(), "Turn invoice sync on before importing invoices") {
		t.Fatalf("with invoice sync off: exit %d\n%s", code, off.stderr.String())
	}
	if err := st.SaveSyncSettings(ctx, 20000001, app.SyncInvoices, app.SyncSettings{Enabled: true,
		OnCreateOrUpdate: app.WriteCreateOrUpdate, OnDelete: app.DeleteKeep, EnabledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	// HubSpot takes a while over each batch create: the kill lands midway.
	fakes.HubSpot.Faults().Inject(hubspotfake.RouteObjectsBatchCreate, hubspotfake.Fault{Latency: 1500 * time.Millisecond})
	first := startSync(t, dir, env, args...)
	waitFor(t, 60*time.Second, "the first batch reaches HubSpot", func() bool {
		return len(fakes.HubSpot.Objects(20000001, "invoices")) >= 100
	})
	first.cmd.Process.Signal(syscall.SIGKILL)
	first.wait(t, 10*time.Second)
	made := len(fakes.HubSpot.Objects(20000001, "invoices"))
	if made >= 299 {
		t.Fatalf("the first run made all %d invoices before the kill; the test proves nothing", made)
	}
	fakes.HubSpot.Faults().Clear(hubspotfake.RouteObjectsBatchCreate)
	killed, err := st.LatestImport(ctx, 20000001, us, app.SyncInvoices)
	if err != nil || killed.State != app.ImportRunning || killed.Done < 100 {
		t.Fatalf("after the kill: %+v, %v; want a running import with a batch done", killed, err)
	}

	second := startSync(t, dir, env, args...)
	if code := second.wait(t, 90*time.Second); code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, second.stderr.String())
	}
	out := second.stderr.String()
	if !strings.Contains(out, "Resuming the import at invoice ") || !strings.Contains(out, "300 / 300 invoices · ") ||
		!strings.Contains(out, "done") || strings.Contains(out, "\r") {
		t.Errorf("progress (not a terminal: lines, no \\r):\n%s", out)
	}
	t.Logf("second run:\n%s%s", out, second.stdout.String())
	if !strings.Contains(second.stdout.String(), "Imported 300 invoices into HubSpot") {
		t.Errorf("stdout = %q", second.stdout.String())
	}

	keys := map[string]int{}
	for _, id := range fakes.HubSpot.Objects(20000001, "invoices") {
		props, _ := fakes.HubSpot.Object(20000001, "invoices", id)
		keys[props[app.InvoiceKeyProperty]]++
	}
	if len(keys) != 299 {
		t.Errorf("%d HubSpot invoices' keys, want 299 (all but the voided one)", len(keys))
	}
	for k, n := range keys {
		if n != 1 {
			t.Errorf("key %s: %d HubSpot invoices", k, n)
		}
	}
	done, err := st.LatestImport(ctx, 20000001, us, app.SyncInvoices)
	if err != nil || done.ID != killed.ID || done.State != app.ImportDone || done.Done != 300 || done.Total != 300 {
		t.Errorf("import = %+v, %v; want the killed one done, 300 of 300", done, err)
	}
}

// openWorldStore opens embeddedWorld's SQLite store in dir, as the sync
// command does, until the test ends.
func openWorldStore(t *testing.T, dir string, key []byte) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Config{SQLitePath: filepath.Join(dir, "data", "hubspot-quickbooks.db"), EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestSyncImportProducts: --object products imports the company's items
// into HubSpot products the way product sync would (an existing product
// matched by SKU, none made twice), with a progress line in products;
// again, it makes nothing.
func TestSyncImportProducts(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	fakes, l, key, conns := embeddedWorld(t, dir, sandbox.Options{})
	st := openWorldStore(t, dir, key)
	if err := st.SaveSyncSettings(ctx, 20000001, app.SyncProducts, app.SyncSettings{Enabled: true,
		OnCreateOrUpdate: app.WriteCreateOrUpdate, OnDelete: app.DeleteKeep, EnabledAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	env := serveEnv(l, key, map[string]string{"LOG_LEVEL": "warn"})
	args := []string{"--portal", "20000001", "--connection", conns[qbofake.DemoRealmUS].ID, "--object", "products"}
	before := len(fakes.HubSpot.Objects(20000001, "products"))
	for run := range 2 {
		p := startSync(t, dir, env, args...)
		if code := p.wait(t, 60*time.Second); code != 0 {
			t.Fatalf("run %d: exit %d\n%s", run, code, p.stderr.String())
		}
		if !strings.Contains(p.stderr.String(), "5 / 5 products · ") || !strings.Contains(p.stdout.String(), "Imported 5 products into HubSpot") {
			t.Errorf("run %d: stderr\n%s\nstdout\n%s", run, p.stderr.String(), p.stdout.String())
		}
		// Rock Fountain and Hosting are new; Design hours and Consulting
		// match products 1008 and 1009; Legacy widget is inactive.
		if n := len(fakes.HubSpot.Objects(20000001, "products")) - before; n != 2 {
			t.Errorf("run %d: %d products made, want 2", run, n)
		}
	}
	if rec, err := st.SyncedRecord(ctx, conns[qbofake.DemoRealmUS].ID, app.SyncProducts, "1"); err != nil || rec.HubSpotID != "1008" {
		t.Errorf("Design hours = %+v, %v; want product 1008", rec, err)
	}
}

// TestSyncCommandUsage: sync takes the import subcommand, both flags and
// an optional kind.
func TestSyncCommandUsage(t *testing.T) {
	for _, args := range [][]string{{"sync"}, {"sync", "export"}, {"sync", "import"}, {"sync", "import", "--portal", "1"},
		{"sync", "import", "--connection", "x"}, {"sync", "import", "--portal", "x", "--connection", "y"},
		{"sync", "import", "--portal", "1", "--connection", "y", "--object", "deals"}} {
		var stdout, stderr bytes.Buffer
		if err := run(context.Background(), args, noEnv, &stdout, &stderr); err != errUsage || !strings.Contains(stderr.String(), "usage: hubspot-quickbooks sync import") {
			t.Errorf("%v: %v\n%s", args, err, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"sync", "-h"}, noEnv, &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "--portal N --connection ID [--object invoices|contacts|products]") {
		t.Errorf("sync -h: %v %s", err, stdout.String())
	}
	if err := run(context.Background(), []string{"help"}, noEnv, &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "sync import") {
		t.Errorf("help lists no sync command:\n%s", stdout.String())
	}
}

// TestProgressLine: the bar's text, and its redraw on a terminal.
func TestProgressLine(t *testing.T) {
	p := app.ImportProgress{State: app.ImportRunning, Done: 1234, Total: 10000, RatePerSecond: 41.2, ETA: 3*time.Minute + 32*time.Second}
	if got := formatProgress(p); got != "1,234 / 10,000 invoices · 41.2/s · ETA 3m32s" {
		t.Errorf("line = %q", got)
	}
	p.ETA, p.Error = -1, "HubSpot is busy, try again in a minute."
	if got := formatProgress(p); got != "1,234 / 10,000 invoices · 41.2/s · ETA -- · retrying: HubSpot is busy, try again in a minute." {
		t.Errorf("unknown ETA, retrying: %q", got)
	}
	if got := formatProgress(app.ImportProgress{State: app.ImportDone, Done: 10000, Total: 10000, RatePerSecond: 240}); got != "10,000 / 10,000 invoices · 240.0/s · done" {
		t.Errorf("done: %q", got)
	}
	if got := formatProgress(app.ImportProgress{Object: app.SyncContacts, State: app.ImportRunning, Done: 5, Total: 9, ETA: -1}); got != "5 / 9 customers · 0.0/s · ETA --" {
		t.Errorf("customers: %q", got)
	}

	var out bytes.Buffer
	now := time.Unix(0, 0)
	bar := &progressBar{w: &out, tty: true, now: func() time.Time { return now }}
	bar.show(app.ImportProgress{Done: 10, Total: 100, ETA: -1})
	bar.show(app.ImportProgress{Done: 20, Total: 100, ETA: -1}) // within 100 ms: not drawn
	now = now.Add(time.Second)
	bar.show(app.ImportProgress{Done: 1, Total: 1, ETA: -1})
	bar.done(app.ImportProgress{State: app.ImportDone, Done: 100, Total: 100})
	want := "\r10 / 100 invoices · 0.0/s · ETA --" +
		"\r1 / 1 invoices · 0.0/s · ETA --   " +
		"\r100 / 100 invoices · 0.0/s · done\n"
	if out.String() != want {
		t.Errorf("terminal output\n%q\nwant\n%q", out.String(), want)
	}
	if app.GroupDigits(-1234567) != "-1,234,567" || app.GroupDigits(999) != "999" {
		t.Error("groupDigits")
	}
}
