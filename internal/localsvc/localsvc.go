// Package localsvc runs private Redis and PostgreSQL servers as child
// processes on loopback ports of their own, keeping nothing the machine's
// shared servers hold, so a test or the fault benchmark may stop, kill and
// start them again.
package localsvc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// FreeAddr returns a loopback address no one listened on a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Redis is a private redis-server keeping nothing on disk.
type Redis struct {
	Addr string
	dir  string
	mu   sync.Mutex
	cmd  *exec.Cmd
}

// StartRedis starts redis-server on a free port, working in dir, and waits
// until it answers.
func StartRedis(dir string) (*Redis, error) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		return nil, fmt.Errorf("localsvc: redis-server is not installed: %w", err)
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	r := &Redis{Addr: addr, dir: dir}
	return r, r.Start()
}

// URL is the server's redis:// URL.
func (r *Redis) URL() string { return "redis://" + r.Addr }

// Start starts the server again on its address (nothing when it runs) and
// waits until it answers.
func (r *Redis) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		return nil
	}
	_, port, _ := net.SplitHostPort(r.Addr)
	cmd := exec.Command("redis-server", "--bind", "127.0.0.1", "--port", port, "--save", "", "--appendonly", "no",
		"--dir", r.dir, "--logfile", "")
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("localsvc: start redis-server: %w", err)
	}
	c := goredis.NewClient(&goredis.Options{Addr: r.Addr, MaxRetries: -1})
	defer c.Close()
	if err := waitUntil(10*time.Second, "redis-server on "+r.Addr, func(ctx context.Context) error { return c.Ping(ctx).Err() }); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return err
	}
	r.cmd = cmd
	return nil
}

// Kill ends the server with SIGKILL (what it held is gone) and waits.
func (r *Redis) Kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// Postgres is a private PostgreSQL cluster with trust authentication for
// the user postgres and a database named test.
type Postgres struct {
	Port int
	dir  string
	bin  string
	as   *user.User // the user the server runs as when we are root
}

// StartPostgres creates a cluster in a new directory of its own under the
// system's temporary directory (initdb from PATH or Debian's
// /usr/lib/postgresql/*/bin) and starts it on a free port. PostgreSQL
// refuses to run as root, so as root it runs as the user postgres, which
// owns the directory. Close stops it and removes the directory.
func StartPostgres() (*Postgres, error) {
	bin, err := postgresBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "localsvc-pg-")
	if err != nil {
		return nil, err
	}
	addr, err := FreeAddr()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	p := &Postgres{dir: dir, bin: bin}
	p.Port, _ = strconv.Atoi(port)
	if os.Geteuid() == 0 {
		if p.as, err = user.Lookup("postgres"); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("localsvc: running as root needs the user postgres: %w", err)
		}
	}
	if err := p.own(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if out, err := p.run("initdb", "-D", p.data(), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("localsvc: initdb: %w\n%s", err, out)
	}
	if err := p.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if out, err := p.run("createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "test"); err != nil {
		p.Close()
		return nil, fmt.Errorf("localsvc: createdb: %w\n%s", err, out)
	}
	return p, nil
}

// Close stops the server at once and removes its directory.
func (p *Postgres) Close() error {
	err := p.Stop(true)
	return errors.Join(err, os.RemoveAll(p.dir))
}

// URL is the database test's URL.
func (p *Postgres) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/test?sslmode=disable", p.Port)
}

func (p *Postgres) data() string { return filepath.Join(p.dir, "data") }

// Start starts the server and waits until it accepts connections.
func (p *Postgres) Start() error {
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -k %s -c fsync=off -c max_connections=200", p.Port, p.dir)
	if out, err := p.run("pg_ctl", "-D", p.data(), "-o", opts, "-l", filepath.Join(p.dir, "server.log"), "-w", "start"); err != nil {
		return fmt.Errorf("localsvc: pg_ctl start: %w\n%s", err, out)
	}
	return nil
}

// Stop stops the server; immediate drops every connection at once, as a
// crash would (the next start recovers from the log).
func (p *Postgres) Stop(immediate bool) error {
	mode := "fast"
	if immediate {
		mode = "immediate"
	}
	if out, err := p.run("pg_ctl", "-D", p.data(), "-m", mode, "-w", "stop"); err != nil {
		return fmt.Errorf("localsvc: pg_ctl stop: %w\n%s", err, out)
	}
	return nil
}

// run runs one of PostgreSQL's programs, as the server's user.
func (p *Postgres) run(prog string, args ...string) ([]byte, error) {
	cmd := exec.Command(filepath.Join(p.bin, prog), args...)
	cmd.Dir = p.dir
	if p.as != nil {
		uid, _ := strconv.Atoi(p.as.Uid)
		gid, _ := strconv.Atoi(p.as.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	}
	return cmd.CombinedOutput()
}

// own gives dir to the server's user.
func (p *Postgres) own(dir string) error {
	if p.as == nil {
		return nil
	}
	uid, _ := strconv.Atoi(p.as.Uid)
	gid, _ := strconv.Atoi(p.as.Gid)
	return os.Chown(dir, uid, gid)
}

func postgresBin() (string, error) {
	if path, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(path); err == nil {
			return filepath.Dir(real), nil
		}
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(matches) == 0 {
		return "", errors.New("localsvc: PostgreSQL's initdb is not installed")
	}
	return filepath.Dir(matches[len(matches)-1]), nil
}

// waitUntil calls probe until it succeeds or within passes.
func waitUntil(within time.Duration, what string, probe func(context.Context) error) error {
	deadline := time.Now().Add(within)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := probe(ctx)
		cancel()
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("localsvc: %s did not answer: %w", what, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
