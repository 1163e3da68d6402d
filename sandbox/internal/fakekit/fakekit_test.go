package fakekit

import (
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

func echoHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		w.Header().Set("X-Path", r.URL.Path)
		w.Header().Set("X-Host", r.Host)
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, r.Method+" "+r.RequestURI+" "+string(body))
	})
}

func TestTransportServesListedHostsOnly(t *testing.T) {
	client := &http.Client{Transport: NewTransport(echoHandler(), "api.example.com")}

	resp, err := client.Post("https://API.example.com/v3/x?q=a%20b", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatalf("post: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("status = %d, want 201", resp.StatusCode)
	}
	if got, want := string(body), "POST /v3/x?q=a%20b hello"; got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	if got := resp.Header.Get("X-Host"); got != "API.example.com" {
		t.Errorf("handler saw Host %q", got)
	}

	_, err = client.Get("https://elsewhere.example.com/")
	if !errors.Is(err, ErrNotServed) {
		t.Fatalf("unlisted host: err = %v, want ErrNotServed", err)
	}
}

func TestTransportImplicitStatusAndEmptyBody(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	client := &http.Client{Transport: NewTransport(h, "h")}
	resp, err := client.Get("http://h/")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil || len(b) != 0 || resp.StatusCode != 200 {
		t.Fatalf("got %d %q %v, want 200 empty", resp.StatusCode, b, err)
	}
}

func TestFaultsThroughTransport(t *testing.T) {
	var faults Faults
	var counters Counters
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant := r.URL.Query().Get("t")
		counters.Add("read", tenant)
		if faults.Apply("read", tenant, w, r) {
			return
		}
		_, _ = io.WriteString(w, "ok")
	})
	client := &http.Client{Transport: NewTransport(h, "h")}
	get := func(tenant string) (int, string, error) {
		resp, err := client.Get("http://h/?t=" + tenant)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}

	faults.Inject("read", Fault{Tenant: "a", Status: 503, Body: []byte("busy"), Header: http.Header{"Retry-After": {"1"}}, Times: 1})
	if code, body, _ := get("b"); code != 200 || body != "ok" {
		t.Errorf("other tenant: %d %q, want untouched", code, body)
	}
	if code, body, _ := get("a"); code != 503 || body != "busy" {
		t.Errorf("faulted tenant: %d %q, want 503 busy", code, body)
	}
	if code, _, _ := get("a"); code != 200 {
		t.Errorf("after Times=1 the fault must be gone, got %d", code)
	}

	faults.Inject("read", Fault{Drop: true, Times: 1})
	if _, _, err := get("a"); err == nil {
		t.Error("dropped connection: want a transport error")
	}

	faults.Inject("read", Fault{Latency: 30 * time.Millisecond})
	start := time.Now()
	if code, _, _ := get("a"); code != 200 || time.Since(start) < 30*time.Millisecond {
		t.Errorf("latency fault: %d after %v", code, time.Since(start))
	}
	faults.Clear("")

	if got := counters.Count("read", "a"); got != 4 {
		t.Errorf("Count(read, a) = %d, want 4", got)
	}
	if got := counters.Count("", ""); got != 5 {
		t.Errorf("Count all = %d, want 5", got)
	}
	counters.Reset()
	if got := counters.Count("", ""); got != 0 {
		t.Errorf("after Reset = %d", got)
	}
}

func TestTransportHonoursContext(t *testing.T) {
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	client := &http.Client{Transport: NewTransport(h, "h")}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://h/", nil)
	if _, err := client.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
}

func TestWindow(t *testing.T) {
	now := time.Unix(0, 0)
	w := Window{Limit: 2, Per: time.Minute, Now: func() time.Time { return now }}
	if ok, rem, _ := w.Allow("r"); !ok || rem != 1 {
		t.Fatalf("first: ok=%v rem=%d", ok, rem)
	}
	now = now.Add(30 * time.Second)
	if ok, rem, _ := w.Allow("r"); !ok || rem != 0 {
		t.Fatalf("second: ok=%v rem=%d", ok, rem)
	}
	if ok, _, reset := w.Allow("r"); ok || reset != 30*time.Second {
		t.Fatalf("third: ok=%v reset=%v, want refused, 30s", ok, reset)
	}
	if ok, _, _ := w.Allow("other"); !ok {
		t.Fatal("keys must be independent")
	}
	now = now.Add(31 * time.Second)
	if ok, _, _ := w.Allow("r"); !ok {
		t.Fatal("after the first hit left the window a request must pass")
	}
}

func TestSlots(t *testing.T) {
	s := Slots{Limit: 2}
	r1, ok1 := s.Acquire("k")
	_, ok2 := s.Acquire("k")
	_, ok3 := s.Acquire("k")
	if !ok1 || !ok2 || ok3 {
		t.Fatalf("got %v %v %v, want true true false", ok1, ok2, ok3)
	}
	r1()
	r1() // a second release must not free another slot
	if _, ok := s.Acquire("k"); !ok {
		t.Fatal("released slot not reusable")
	}
	if _, ok := s.Acquire("k"); ok {
		t.Fatal("double release freed two slots")
	}

	var wg sync.WaitGroup
	par := Slots{Limit: 3}
	var mu sync.Mutex
	granted := 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok := par.Acquire("k"); ok {
				mu.Lock()
				granted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if granted != 3 {
		t.Fatalf("granted %d concurrent slots, want 3", granted)
	}
}

func TestListenServesOnLoopback(t *testing.T) {
	srv, err := Listen("", echoHandler())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("URL = %s, want loopback", srv.URL)
	}
	resp, err := http.Get(srv.URL + "/p")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("X-Path") != "/p" {
		t.Errorf("got %d %s", resp.StatusCode, resp.Header.Get("X-Path"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// A body read to the end under a long-lived, cancellable context must not
// leave a goroutine behind waiting for that context.
func TestTransportLeavesNoGoroutinePerResponse(t *testing.T) {
	client := &http.Client{Transport: NewTransport(echoHandler(), "h")}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	get := func() {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://h/", nil)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	get()
	time.Sleep(10 * time.Millisecond)
	before := runtime.NumGoroutine()
	for range 200 {
		get()
	}
	time.Sleep(50 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before+10 {
		t.Fatalf("goroutines grew from %d to %d over 200 requests", before, after)
	}
}

func TestAnyRouteAppliesOnceAfterSpecificRoutes(t *testing.T) {
	var f Faults
	f.Inject(AnyRoute, Fault{Status: 503, Times: 2})
	f.Inject("b", Fault{Status: 418, Times: 1})
	got := func(routes ...string) int {
		fault, ok := f.takeFirst("t", routes...)
		if !ok {
			return 0
		}
		return fault.Status
	}
	if s := got("a:typed", "b"); s != 418 {
		t.Errorf("a route's own fault must come before AnyRoute: %d", s)
	}
	if s := got("a:typed", "a"); s != 503 {
		t.Errorf("AnyRoute must apply to a route without its own: %d", s)
	}
	if s := got("c"); s != 503 {
		t.Errorf("second use: %d", s)
	}
	if s := got("c"); s != 0 {
		t.Errorf("AnyRoute with Times 2 applied a third time: %d", s)
	}
}

func TestArmedCountsFaultsUntilUsedUp(t *testing.T) {
	var f Faults
	f.Inject("r", Fault{Status: 503, Times: 2})
	f.Inject("r", Fault{Status: 500})
	if n := f.Armed("r"); n != 2 {
		t.Fatalf("armed = %d, want 2", n)
	}
	f.Take("r", "")
	f.Take("r", "")
	if n := f.Armed("r"); n != 1 {
		t.Errorf("after the twice-only fault is used up: %d armed, want 1 (the endless one)", n)
	}
	if n := f.Armed("other"); n != 0 {
		t.Errorf("another route: %d armed", n)
	}
}
