package main

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheck(t *testing.T) {
	status := http.StatusOK
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	env := func(k string) (string, bool) {
		if k == "HTTP_ADDR" {
			return ":" + port, true
		}
		return "", false
	}
	var out, errs bytes.Buffer
	if err := run(t.Context(), []string{"healthcheck"}, env, &out, &errs); err != nil || out.String() != "ok\n" {
		t.Fatalf("a healthy service: %v %q", err, out.String())
	}
	status = http.StatusServiceUnavailable
	if err := run(t.Context(), []string{"healthcheck"}, env, &out, &errs); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("a failing service: %v, want an error naming 503", err)
	}
	srv.Close()
	if err := run(t.Context(), []string{"healthcheck", "-url", srv.URL + "/healthz"}, env, &out, &errs); err == nil {
		t.Error("no service: nil error")
	}
}
