package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/internal/pgtest"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// subprocessEnv makes this test binary run the command of its arguments
// instead of the tests: the real service in another process.
const subprocessEnv = "HUBSPOT_QUICKBOOKS_TEST_SUBPROCESS"

func TestMain(m *testing.M) {
	if os.Getenv(subprocessEnv) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// replica is one `serve` process.
type replica struct {
	cmd    *exec.Cmd
	url    string
	out    *syncBuffer
	waited chan error // Wait's answer, once the process ended
	killed bool
}

// syncBuffer is a bytes.Buffer safe for one writer and many readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) WriteLine(line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(line + "\n")
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// serveEnv is the environment of a `serve` process against the fakes
// listening at l, with the encryption key key, plus extra (which wins).
func serveEnv(l *sandbox.Listening, key []byte, extra map[string]string) map[string]string {
	env := map[string]string{
		"HTTP_ADDR": "127.0.0.1:0", "DEBUG_ADDR": "127.0.0.1:0", "LOG_LEVEL": "info",
		"PUBLIC_BASE_URL":            "http://127.0.0.1:1",
		"ENCRYPTION_KEY":             base64.StdEncoding.EncodeToString(key),
		"HUBSPOT_APP_ID":             strconv.Itoa(sandboxAppID),
		"HUBSPOT_CLIENT_ID":          "sandbox-hubspot-client-id",
		"HUBSPOT_CLIENT_SECRET":      sandboxClientSecret,
		"HUBSPOT_API_BASE_URL":       l.HubSpotURL,
		"QBO_CLIENT_ID":              qbofake.DefaultClientID,
		"QBO_CLIENT_SECRET":          qbofake.DefaultClientSecret,
		"QBO_API_BASE_URL":           l.QBOURL,
		"QBO_TOKEN_URL":              l.QBOURL + "/oauth2/v1/tokens/bearer",
		"QBO_AUTHORIZE_URL":          l.QBOURL + "/connect/oauth2",
		"QBO_REVOKE_URL":             l.QBOURL + "/v2/oauth2/tokens/revoke",
		"QBO_WEBHOOK_VERIFIER_TOKEN": qbofake.DefaultWebhookVerifierToken,
	}
	maps.Copy(env, extra)
	return env
}

// startReplica runs `serve` in a new process of this binary with env and
// returns once it listens.
func startReplica(t *testing.T, env map[string]string) *replica {
	return startServe(t, "", env)
}

// startServe runs `serve` in dir (its SQLite file lives in dir/data when
// DATABASE_URL is unset) and returns once it listens. The process is
// stopped with SIGTERM when the test ends, unless it was killed.
func startServe(t *testing.T, dir string, env map[string]string) *replica {
	t.Helper()
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), subprocessEnv+"=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	pr, pw := io.Pipe()
	r := &replica{cmd: cmd, out: &syncBuffer{}, waited: make(chan error, 1)}
	cmd.Stderr = pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.waited <- cmd.Wait(); pw.Close() }()
	t.Cleanup(func() {
		if r.killed {
			return
		}
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-r.waited:
			if err != nil {
				t.Errorf("replica exited with %v:\n%s", err, r.out.String())
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Errorf("replica did not stop on SIGTERM:\n%s", r.out.String())
		}
	})
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			r.out.WriteLine(sc.Text())
			var line struct{ Msg, HTTP string }
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "serving" {
				ready <- line.HTTP
			}
		}
		io.Copy(io.Discard, pr)
	}()
	select {
	case addr := <-ready:
		r.url = "http://" + addr
	case err := <-r.waited:
		t.Fatalf("replica exited before serving (%v):\n%s", err, r.out.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("replica did not start:\n%s", r.out.String())
	}
	return r
}

// kill ends the process with SIGKILL, as a crash or an OOM kill would:
// no shutdown, no deferred cleanup.
func (r *replica) kill(t *testing.T) {
	t.Helper()
	r.killed = true
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-r.waited
}

// freshPostgresSchema creates an empty schema in the test database,
// dropped afterwards, and returns a DATABASE_URL selecting it.
func freshPostgresSchema(t *testing.T) string { return pgtest.Schema(t, "replicas_test") }

// TestTwoReplicasOnOnePostgresRefreshOnce: two server processes sharing
// one PostgreSQL database, both asked at once to use a connection whose
// access token expired, refresh it once between them: QBO rotates the
// refresh token, so a second refresh would spend a dead one and fail.
func TestTwoReplicasOnOnePostgresRefreshOnce(t *testing.T) {
	ctx := context.Background()
	dbURL := freshPostgresSchema(t)
	fakes := sandbox.New(sandbox.Options{})
	t.Cleanup(fakes.Close)
	l, err := fakes.Listen("127.0.0.1:0", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close(context.Background()) })

	key := make([]byte, 32)
	rand.Read(key)
	st, err := store.Open(ctx, store.Config{DatabaseURL: dbURL, EncryptionKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	conns, err := fakes.SeedStore(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	realm := qbofake.DemoRealmUS
	conn := conns[realm]
	expired := conn.Tokens
	expired.AccessExpiresAt = time.Now().Add(-time.Minute)
	if err := st.SaveTokens(ctx, conn.ID, expired); err != nil {
		t.Fatal(err)
	}

	// The replicas sit behind one round-robin proxy, their PUBLIC_BASE_URL,
	// as behind a load balancer: HubSpot signs the public URL.
	proxy := newRoundRobin(t)
	env := serveEnv(l, key, map[string]string{"PUBLIC_BASE_URL": proxy.url, "DATABASE_URL": dbURL})
	replicas := []*replica{startReplica(t, env), startReplica(t, env)}
	proxy.to(replicas[0].url, replicas[1].url)
	before := fakes.QBO.Counters().Count(qbofake.RouteOAuthToken, realm)

	// Twenty distinct searches at once (hubspot.fetch's limit per account),
	// ten at each replica: each needs QBO.
	client := &hubspotfake.CardClient{AppID: sandboxAppID, PortalID: conn.PortalID, UserID: 7,
		UserEmail: "rep@northwind.example", ClientSecret: sandboxClientSecret, NoRetry: true}
	var wg sync.WaitGroup
	errs := make(chan string, 20)
	for i := range 20 {
		wg.Go(func() {
			u := fmt.Sprintf("%s/api/v1/connections/%s/invoices?q=%d", proxy.url, conn.ID, 200000+i)
			resp, err := client.Do(ctx, http.MethodGet, u, nil)
			if err != nil {
				errs <- err.Error()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs <- fmt.Sprintf("request %d: %d %s", i, resp.StatusCode, body)
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if a, b := proxy.served(0), proxy.served(1); a != 10 || b != 10 {
		t.Errorf("the replicas served %d and %d requests, want 10 each", a, b)
	}
	if n := fakes.QBO.Counters().Count(qbofake.RouteOAuthToken, realm) - before; n != 1 {
		t.Errorf("%d token refreshes by two replicas, want 1", n)
	}
	stored, err := st.Connection(ctx, conn.PortalID, conn.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Tokens.Refresh == conn.Tokens.Refresh || stored.State != "connected" {
		t.Errorf("after the refresh: state %s, refresh token rotated %v", stored.State, stored.Tokens.Refresh != conn.Tokens.Refresh)
	}
}

// roundRobin is a reverse proxy sending each request to the next backend.
type roundRobin struct {
	url      string
	mu       sync.Mutex
	backends []*httputil.ReverseProxy
	counts   []int
	next     int
}

func newRoundRobin(t *testing.T) *roundRobin {
	t.Helper()
	rr := &roundRobin{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rr.mu.Lock()
		i := rr.next % len(rr.backends)
		rr.next++
		rr.counts[i]++
		b := rr.backends[i]
		rr.mu.Unlock()
		b.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	rr.url = srv.URL
	return rr
}

func (rr *roundRobin) to(urls ...string) {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	for _, raw := range urls {
		u, _ := url.Parse(raw)
		rr.backends = append(rr.backends, httputil.NewSingleHostReverseProxy(u))
		rr.counts = append(rr.counts, 0)
	}
}

func (rr *roundRobin) served(i int) int {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return rr.counts[i]
}
