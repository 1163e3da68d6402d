package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/store"
)

// TestRotateKeyCommand rotates a SQLite file the way an operator would:
// serve's environment plus NEW_ENCRYPTION_KEY. The output counts what was
// re-sealed and shows no key or token; afterwards a replica started with
// the old key refuses to start, and the new key reads every token.
func TestRotateKeyCommand(t *testing.T) {
	// serve's SQLite file is data/hubspot-quickbooks.db under the working
	// folder, as config has it.
	t.Chdir(t.TempDir())
	ctx := t.Context()
	oldKey, newKey := randomKeyBytes(t), randomKeyBytes(t)

	s, err := store.Open(ctx, store.Config{SQLitePath: store.DefaultSQLitePath, EncryptionKey: oldKey})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	portal := app.Portal{ID: 20000001, Currency: "USD", TimeZone: "America/Los_Angeles",
		Tokens: app.Tokens{Access: "hs-access-SECRET-1", Refresh: "hs-refresh-SECRET-1"}}
	if err := s.SavePortal(ctx, portal); err != nil {
		t.Fatalf("SavePortal: %v", err)
	}
	var conns []app.Connection
	for i, realm := range []string{"9130357766900001", "9130357766900002"} {
		c, err := s.SaveConnection(ctx, app.Connection{PortalID: portal.ID, RealmID: realm, State: app.Connected,
			Tokens: app.Tokens{Access: "qbo-access-SECRET-" + realm, Refresh: "qbo-refresh-SECRET-" + realm,
				AccessExpiresAt: time.Date(2030, 1, 2, 3, 4, 5, i, time.UTC)}})
		if err != nil {
			t.Fatalf("SaveConnection: %v", err)
		}
		conns = append(conns, c)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	serveEnv := map[string]string{
		"HTTP_ADDR":                  "127.0.0.1:0",
		"DEBUG_ADDR":                 "127.0.0.1:0",
		"PUBLIC_BASE_URL":            "https://invoices.example.com",
		"HUBSPOT_APP_ID":             "3000001",
		"HUBSPOT_CLIENT_ID":          "client-id",
		"HUBSPOT_CLIENT_SECRET":      "client-secret",
		"QBO_CLIENT_ID":              "qbo-client-id",
		"QBO_CLIENT_SECRET":          "qbo-client-secret",
		"QBO_WEBHOOK_VERIFIER_TOKEN": "verifier",
		"LOG_LEVEL":                  "error",
		"ENCRYPTION_KEY":             base64.StdEncoding.EncodeToString(oldKey),
	}
	rotateEnv := maps.Clone(serveEnv)
	rotateEnv["NEW_ENCRYPTION_KEY"] = " " + base64.StdEncoding.EncodeToString(newKey) + "\n" // trimmed, as config trims
	secrets := []string{portal.Tokens.Access, portal.Tokens.Refresh, "SECRET"}
	for _, k := range [][]byte{oldKey, newKey} {
		secrets = append(secrets, base64.StdEncoding.EncodeToString(k), base64.RawURLEncoding.EncodeToString(k), hex.EncodeToString(k), string(k))
	}
	noSecrets := func(what, out string) {
		t.Helper()
		for _, secret := range secrets {
			if strings.Contains(out, secret) {
				t.Errorf("%s prints a key or a token:\n%s", what, out)
			}
		}
	}

	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"rotate-key"}, mapEnv(rotateEnv), &stdout, &stderr); err != nil {
		t.Fatalf("rotate-key: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String() + stderr.String()
	for _, want := range []string{"data/hubspot-quickbooks.db", "portals:     1 re-sealed (2 tokens)", "connections: 2 re-sealed (4 tokens)", "key check:   re-sealed"} {
		if !strings.Contains(out, want) {
			t.Errorf("rotate-key output lacks %q:\n%s", want, out)
		}
	}
	noSecrets("rotate-key", out)

	// A replica still configured with the old key refuses to start.
	serveCtx, cancel := context.WithTimeout(ctx, 20*time.Second) // ends serve should it start after all
	defer cancel()
	stdout.Reset()
	stderr.Reset()
	err = run(serveCtx, []string{"serve"}, mapEnv(serveEnv), &stdout, &stderr)
	if !errors.Is(err, store.ErrKeyMismatch) {
		t.Errorf("serve with the old key: %v, want ErrKeyMismatch", err)
	}

	// The new key, which serve would open the store with, reads every token.
	s, err = store.Open(ctx, store.Config{SQLitePath: store.DefaultSQLitePath, EncryptionKey: newKey})
	if err != nil {
		t.Fatalf("Open with the new key: %v", err)
	}
	defer s.Close()
	if p, err := s.Portal(ctx, portal.ID); err != nil || p.Tokens != portal.Tokens {
		t.Errorf("Portal under the new key: %v (tokens equal: %v)", err, p.Tokens == portal.Tokens)
	}
	for _, want := range conns {
		if c, err := s.Connection(ctx, portal.ID, want.ID); err != nil || c.Tokens != want.Tokens {
			t.Errorf("Connection %s under the new key: %v (tokens equal: %v)", want.ID, err, c.Tokens == want.Tokens)
		}
	}

	// Run again with the same two keys (say the first run's outcome was
	// lost): reported as done, nothing changed, exit 0.
	stdout.Reset()
	stderr.Reset()
	if err := run(ctx, []string{"rotate-key"}, mapEnv(rotateEnv), &stdout, &stderr); err != nil {
		t.Fatalf("rotate-key again: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	if out := stdout.String(); !strings.Contains(out, "already encrypted with NEW_ENCRYPTION_KEY") {
		t.Errorf("rotate-key again:\n%s", out)
	}
	noSecrets("rotate-key again", stdout.String()+stderr.String())

	// Neither key opens it: refused, and the error shows neither key.
	wrongEnv := maps.Clone(rotateEnv)
	wrongEnv["ENCRYPTION_KEY"] = base64.StdEncoding.EncodeToString(randomKeyBytes(t))
	wrongEnv["NEW_ENCRYPTION_KEY"] = base64.StdEncoding.EncodeToString(oldKey)
	stdout.Reset()
	err = run(ctx, []string{"rotate-key"}, mapEnv(wrongEnv), &stdout, &stderr)
	if !errors.Is(err, store.ErrKeyMismatch) || !strings.Contains(err.Error(), "nothing was changed") {
		t.Errorf("rotate-key with wrong keys: %v", err)
	}
	noSecrets("rotate-key with wrong keys", stdout.String()+err.Error())
}

// TestRotateKeyCommandRefuses: a missing or malformed NEW_ENCRYPTION_KEY,
// arguments, and a missing database are refused before anything is written.
func TestRotateKeyCommandRefuses(t *testing.T) {
	t.Chdir(t.TempDir())
	current := base64.StdEncoding.EncodeToString(randomKeyBytes(t))
	short := base64.StdEncoding.EncodeToString([]byte("sixteen byte key"))
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"no new key", nil, map[string]string{"ENCRYPTION_KEY": current}, "NEW_ENCRYPTION_KEY is required"},
		{"a short new key", nil, map[string]string{"ENCRYPTION_KEY": current, "NEW_ENCRYPTION_KEY": short}, "NEW_ENCRYPTION_KEY must be 32 random bytes"},
		{"a new key not in base64", nil, map[string]string{"ENCRYPTION_KEY": current, "NEW_ENCRYPTION_KEY": "not base64!"}, "NEW_ENCRYPTION_KEY must be 32 random bytes"},
		{"no current key", nil, map[string]string{"NEW_ENCRYPTION_KEY": current}, "ENCRYPTION_KEY is required"},
		{"the same key", nil, map[string]string{"ENCRYPTION_KEY": current, "NEW_ENCRYPTION_KEY": current}, "the new key is the current key"},
		{"a key as an argument", []string{current}, map[string]string{"ENCRYPTION_KEY": current}, "usage"},
	} {
		var stdout, stderr bytes.Buffer
		err := run(t.Context(), append([]string{"rotate-key"}, tc.args...), mapEnv(tc.env), &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), current) || strings.Contains(err.Error(), short) {
			t.Errorf("%s: the error %q shows a key", tc.name, err)
		}
	}

	var stdout, stderr bytes.Buffer
	err := run(t.Context(), []string{"rotate-key"}, mapEnv(map[string]string{
		"ENCRYPTION_KEY":     current,
		"NEW_ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(randomKeyBytes(t)),
	}), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "no SQLite database to rotate") {
		t.Errorf("rotate-key without a database: %v", err)
	}

	stdout.Reset()
	if err := run(t.Context(), []string{"rotate-key", "-h"}, noEnv, &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "NEW_ENCRYPTION_KEY") {
		t.Errorf("rotate-key -h: %v\n%s", err, stdout.String())
	}
}

func randomKeyBytes(t *testing.T) []byte {
	t.Helper()
	key := make([]byte, store.KeySize)
	rand.Read(key)
	return key
}
