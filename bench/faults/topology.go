package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/pause"
)

// replica is one `serve` process on a fixed loopback address, so it can be
// killed and started again behind the proxy.
type replica struct {
	name, bin, addr string
	env             []string
	logs            io.Writer

	mu  sync.Mutex
	cmd *exec.Cmd
}

func (r *replica) url() string { return "http://" + r.addr }

// start runs the process and waits until /healthz answers.
func (r *replica) start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cmd := exec.Command(r.bin, "serve")
	cmd.Env = append(os.Environ(), r.env...)
	cmd.Env = append(cmd.Env, "HTTP_ADDR="+r.addr)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", r.name, err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			fmt.Fprintf(r.logs, "%s %s\n", r.name, sc.Bytes())
		}
	}()
	go func() { cmd.Wait(); pw.Close() }()
	r.cmd = cmd
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(r.url() + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if err := pause.For(ctx, 50*time.Millisecond); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s did not answer /healthz within 30 s", r.name)
}

// kill ends the process with SIGKILL: no shutdown, as a crash.
func (r *replica) kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		r.cmd.Process.Kill()
		r.cmd.Process.Wait()
		r.cmd = nil
	}
}

// stop ends the process with SIGTERM and waits for it.
func (r *replica) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		r.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { r.cmd.Process.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			r.cmd.Process.Kill()
		}
		r.cmd = nil
	}
}

// proxy is a tiny round-robin reverse proxy, as a load balancer in front
// of the replicas: a request whose connection a backend refuses goes to
// the next one (it never reached the first, so even a POST is safe to
// send again); any other failure is a 502.
type proxy struct {
	addr     string
	client   *http.Client
	backends atomic.Pointer[[]string]
	next     atomic.Uint64
	srv      *http.Server
}

func startProxy() (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &proxy{addr: ln.Addr().String(), client: &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: 256, DialContext: (&net.Dialer{Timeout: time.Second}).DialContext},
		Timeout:   60 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 5 * time.Second}
	go p.srv.Serve(ln)
	return p, nil
}

func (p *proxy) url() string { return "http://" + p.addr }

// to sets the backends.
func (p *proxy) to(urls ...string) { p.backends.Store(&urls) }

func (p *proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 2<<20))
	if err != nil {
		http.Error(w, "proxy: read body", http.StatusBadRequest)
		return
	}
	backends := *p.backends.Load()
	first := p.next.Add(1)
	for i := range backends {
		b := backends[(first+uint64(i))%uint64(len(backends))]
		req, err := http.NewRequestWithContext(r.Context(), r.Method, b+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
			return
		}
		req.Header = r.Header.Clone()
		resp, err := p.client.Do(req)
		if err != nil {
			var op *net.OpError
			if errors.As(err, &op) && op.Op == "dial" {
				continue // refused: the next backend
			}
			http.Error(w, "proxy: "+err.Error(), http.StatusBadGateway)
			return
		}
		for k, vs := range resp.Header {
			w.Header()[k] = vs
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
		resp.Body.Close()
		return
	}
	http.Error(w, "proxy: no backend answered", http.StatusBadGateway)
}
