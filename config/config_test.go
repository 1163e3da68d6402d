package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

const testKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // 32 bytes

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func valid() map[string]string {
	return map[string]string{
		"PUBLIC_BASE_URL":            "https://invoices.example.com/",
		"HUBSPOT_APP_ID":             "3000001",
		"HUBSPOT_CLIENT_ID":          "hs-client",
		"HUBSPOT_CLIENT_SECRET":      "hs-secret-value",
		"QBO_CLIENT_ID":              "qbo-client",
		"QBO_CLIENT_SECRET":          "qbo-secret-value",
		"QBO_WEBHOOK_VERIFIER_TOKEN": "verifier-value",
		"ENCRYPTION_KEY":             testKey,
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(valid()))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"HTTPAddr", c.HTTPAddr, ":8080"},
		{"DebugAddr", c.DebugAddr, "127.0.0.1:9090"},
		{"PublicBaseURL", c.PublicBaseURL, "https://invoices.example.com"},
		{"HubSpot.APIBaseURL", c.HubSpot.APIBaseURL, "https://api.hubapi.com"},
		{"HubSpot.AuthorizeURL", c.HubSpot.AuthorizeURL, "https://app.hubspot.com/oauth/authorize"},
		{"HubSpotRedirectURI", c.HubSpotRedirectURI(), "https://invoices.example.com/oauth/hubspot/callback"},
		{"QuickBooks.Environment", c.QuickBooks.Environment, "sandbox"},
		{"QuickBooks.APIBaseURL", c.QuickBooks.APIBaseURL, "https://sandbox-quickbooks.api.intuit.com"},
		{"QuickBooks.TokenURL", c.QuickBooks.TokenURL, "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer"},
		{"QuickBooks.AuthorizeURL", c.QuickBooks.AuthorizeURL, "https://appcenter.intuit.com/connect/oauth2"},
		{"QuickBooks.RevokeURL", c.QuickBooks.RevokeURL, "https://developer.api.intuit.com/v2/oauth2/tokens/revoke"},
		{"QuickBooksRedirectURI", c.QuickBooksRedirectURI(), "https://invoices.example.com/oauth/quickbooks/callback"},
		{"QuickBooks.WebAppURL", c.QuickBooks.WebAppURL, "https://app.sandbox.qbo.intuit.com"},
		{"DatabaseURL", c.DatabaseURL.Value(), ""},
		{"RedisURL", c.RedisURL.Value(), ""},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	if c.HubSpot.AppID != 3000001 || c.LogLevel != slog.LevelInfo || len(c.EncryptionKeyBytes()) != 32 {
		t.Errorf("AppID %d, LogLevel %v, key %d bytes", c.HubSpot.AppID, c.LogLevel, len(c.EncryptionKeyBytes()))
	}

	m := valid()
	m["QBO_ENVIRONMENT"] = "Production"
	c, err = Load(env(m))
	if err != nil || c.QuickBooks.APIBaseURL != "https://quickbooks.api.intuit.com" || c.QuickBooks.WebAppURL != "https://app.qbo.intuit.com" {
		t.Errorf("production: %v %q", err, c.QuickBooks.APIBaseURL)
	}
}

func TestLoadNamesEveryBadVariable(t *testing.T) {
	cases := []struct {
		name string
		set  map[string]string
		drop string
		want string
	}{
		{name: "missing secret", drop: "HUBSPOT_CLIENT_SECRET", want: "HUBSPOT_CLIENT_SECRET is required"},
		{name: "app id not a number", set: map[string]string{"HUBSPOT_APP_ID": "abc"}, want: `HUBSPOT_APP_ID must be a positive whole number, got "abc"`},
		{name: "short key", set: map[string]string{"ENCRYPTION_KEY": "c2hvcnQ="}, want: "ENCRYPTION_KEY must be 32 random bytes"},
		{name: "key not base64", set: map[string]string{"ENCRYPTION_KEY": "!!!"}, want: "ENCRYPTION_KEY must be 32 random bytes"},
		{name: "environment", set: map[string]string{"QBO_ENVIRONMENT": "staging"}, want: `QBO_ENVIRONMENT must be one of sandbox, production, got "staging"`},
		{name: "database", set: map[string]string{"DATABASE_URL": "mysql://x"}, want: "DATABASE_URL must be a postgres:// URL"},
		{name: "redis", set: map[string]string{"REDIS_URL": "127.0.0.1:6379"}, want: "REDIS_URL must be a redis://"},
		{name: "public url", set: map[string]string{"PUBLIC_BASE_URL": "invoices.example.com"}, want: "PUBLIC_BASE_URL must be an absolute http(s) URL"},
		{name: "authorize url", set: map[string]string{"QBO_AUTHORIZE_URL": "appcenter.intuit.com/connect"}, want: "QBO_AUTHORIZE_URL must be an absolute http(s) URL"},
		{name: "hubspot authorize url", set: map[string]string{"HUBSPOT_AUTHORIZE_URL": "app.hubspot.com/oauth/authorize"}, want: "HUBSPOT_AUTHORIZE_URL must be an absolute http(s) URL"},
		{name: "revoke url", set: map[string]string{"QBO_REVOKE_URL": "ftp://x/revoke"}, want: "QBO_REVOKE_URL must be an absolute http(s) URL"},
		{name: "log level", set: map[string]string{"LOG_LEVEL": "loud"}, want: "LOG_LEVEL must be debug, info, warn or error"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			delete(m, tc.drop)
			for k, v := range tc.set {
				m[k] = v
			}
			_, err := Load(env(m))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}

	_, err := Load(env(map[string]string{}))
	for _, name := range []string{"PUBLIC_BASE_URL", "HUBSPOT_APP_ID", "HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET", "QBO_CLIENT_ID", "QBO_CLIENT_SECRET", "QBO_WEBHOOK_VERIFIER_TOKEN", "ENCRYPTION_KEY"} {
		if err == nil || !strings.Contains(err.Error(), name+" is required") {
			t.Errorf("empty environment: error does not name %s: %v", name, err)
		}
	}
}

func TestWithDefaults(t *testing.T) {
	lookup := WithDefaults(env(map[string]string{"HTTP_ADDR": ":9999", "LOG_LEVEL": ""}), map[string]string{"HTTP_ADDR": ":1", "LOG_LEVEL": "debug", "X": "y"})
	if v, _ := lookup("HTTP_ADDR"); v != ":9999" {
		t.Errorf("env must win, got %q", v)
	}
	if v, _ := lookup("LOG_LEVEL"); v != "debug" {
		t.Errorf("empty env value falls back to default, got %q", v)
	}
	if _, ok := lookup("NOPE"); ok {
		t.Error("unknown variable reported as set")
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	m := valid()
	m["DATABASE_URL"] = "postgres://user:db-password-value@localhost/test"
	m["REDIS_URL"] = "redis://:redis-password-value@localhost:6379"
	c, err := Load(env(m))
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "config", c, "secret", c.HubSpot.ClientSecret)
	js, _ := json.Marshal(c)
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", c), "%+v": fmt.Sprintf("%+v", c), "%#v": fmt.Sprintf("%#v", c),
		"%s": fmt.Sprintf("%s", c.QuickBooks.ClientSecret), "json": string(js), "slog": logged.String(),
	}
	for how, out := range outputs {
		for _, secret := range []string{"hs-secret-value", "qbo-secret-value", "verifier-value", testKey, "db-password-value", "redis-password-value"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s output leaks %q: %s", how, secret, out)
			}
		}
		if !strings.Contains(out, "REDACTED") {
			t.Errorf("%s output does not say REDACTED: %s", how, out)
		}
	}
}

func TestOAuthEndpointsOverride(t *testing.T) {
	m := valid()
	m["QBO_AUTHORIZE_URL"] = "http://127.0.0.1:7001/connect/oauth2"
	m["QBO_REVOKE_URL"] = "http://127.0.0.1:7001/v2/oauth2/tokens/revoke"
	m["HUBSPOT_AUTHORIZE_URL"] = "http://127.0.0.1:7002/oauth/authorize"
	c, err := Load(env(m))
	if err != nil {
		t.Fatal(err)
	}
	if c.QuickBooks.AuthorizeURL != m["QBO_AUTHORIZE_URL"] || c.QuickBooks.RevokeURL != m["QBO_REVOKE_URL"] {
		t.Errorf("authorize %q, revoke %q", c.QuickBooks.AuthorizeURL, c.QuickBooks.RevokeURL)
	}
	if c.HubSpot.AuthorizeURL != m["HUBSPOT_AUTHORIZE_URL"] {
		t.Errorf("hubspot authorize %q", c.HubSpot.AuthorizeURL)
	}
}

func TestSyncSettings(t *testing.T) {
	m := valid()
	c, err := Load(env(m))
	if err != nil {
		t.Fatal(err)
	}
	if c.Sync.Workers != 4 || c.Sync.ReconcileEvery != 10*time.Minute || c.Sync.SweepEvery != 15*time.Minute || c.Sync.RescueAfter != 2*time.Minute {
		t.Errorf("defaults = %+v", c.Sync)
	}
	m["SYNC_WORKERS"], m["SYNC_RECONCILE_EVERY"], m["SYNC_SWEEP_EVERY"], m["SYNC_RESCUE_AFTER"] = "8", "0", "30s", "5s"
	if c, err = Load(env(m)); err != nil || c.Sync.Workers != 8 || c.Sync.ReconcileEvery != 0 || c.Sync.SweepEvery != 30*time.Second || c.Sync.RescueAfter != 5*time.Second {
		t.Errorf("set = %+v, %v", c.Sync, err)
	}
	m["SYNC_WORKERS"], m["SYNC_SWEEP_EVERY"], m["SYNC_RESCUE_AFTER"] = "0", "soon", "1s"
	_, err = Load(env(m))
	for _, want := range []string{"SYNC_WORKERS must be a whole number from 1 to 64", "SYNC_SWEEP_EVERY must be a duration", "SYNC_RESCUE_AFTER must be a duration"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
}
