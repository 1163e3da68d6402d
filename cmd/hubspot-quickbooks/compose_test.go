package main

import (
	"encoding/base64"
	"os"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/config"
)

// TestComposeFileConfiguresEveryReplica: compose.yaml (which no engine
// here can run) names two replicas on PostgreSQL and Redis, and the
// environment it gives them is one `serve` accepts once .env is filled in.
func TestComposeFileConfiguresEveryReplica(t *testing.T) {
	raw, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Services map[string]struct {
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			Healthcheck *struct{}         `yaml:"healthcheck"`
		} `yaml:"services"`
		Configs map[string]struct {
			Content string `yaml:"content"`
		} `yaml:"configs"`
	}
	if err := yaml.Unmarshal(raw, &file); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	example, err := os.ReadFile("../../compose.env.example")
	if err != nil {
		t.Fatal(err)
	}
	// .env as an operator fills it in: every variable of the example set.
	dotenv := map[string]string{"ENCRYPTION_KEY": base64.StdEncoding.EncodeToString(make([]byte, 32)),
		"HUBSPOT_APP_ID": "123", "PUBLIC_BASE_URL": "https://invoices.example.com"}
	for _, line := range strings.Split(string(example), "\n") {
		if k, _, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			if _, set := dotenv[k]; !set {
				dotenv[k] = "filled-in"
			}
		}
	}
	dotenv["QBO_ENVIRONMENT"] = "production"
	interpolate := regexp.MustCompile(`\$\{([A-Z_]+)(:[?-][^}]*)?\}`)
	for _, name := range []string{"app1", "app2"} {
		svc, ok := file.Services[name]
		if !ok {
			t.Fatalf("no service %s", name)
		}
		env := map[string]string{}
		for k, v := range svc.Environment {
			env[k] = interpolate.ReplaceAllStringFunc(v, func(m string) string {
				sub := interpolate.FindStringSubmatch(m)
				if val, ok := dotenv[sub[1]]; ok {
					return val
				}
				if strings.HasPrefix(sub[2], ":-") {
					return sub[2][2:]
				}
				t.Errorf("%s: %s is neither in compose.env.example nor defaulted", name, sub[1])
				return ""
			})
		}
		if !strings.HasPrefix(env["DATABASE_URL"], "postgres://") || !strings.HasPrefix(env["REDIS_URL"], "redis://") {
			t.Errorf("%s: DATABASE_URL %q, REDIS_URL %q: want PostgreSQL and Redis", name, env["DATABASE_URL"], env["REDIS_URL"])
		}
		if strings.Join(svc.Command, " ") != "serve" {
			t.Errorf("%s runs %v", name, svc.Command)
		}
		if _, err := config.Load(func(k string) (string, bool) { v, ok := env[k]; return v, ok }); err != nil {
			t.Errorf("%s: serve refuses its environment: %v", name, err)
		}
	}
	for _, dep := range []string{"postgres", "redis"} {
		if file.Services[dep].Healthcheck == nil {
			t.Errorf("%s has no health check (the replicas wait for it)", dep)
		}
	}
	proxy := file.Configs["proxy"].Content
	if !strings.Contains(proxy, "server app1:8080") || !strings.Contains(proxy, "server app2:8080") {
		t.Errorf("the proxy does not balance both replicas:\n%s", proxy)
	}
}
