package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// openAPISpec is the card API's contract, compiled once. Every response a
// test gets from the real server is checked against it, so the document and
// the code cannot drift apart.
var openAPISpec = sync.OnceValues(func() (map[string]any, error) {
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	// Round-trip through JSON so the schema library sees JSON types only.
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, json.Unmarshal(js, &out)
})

// checkAgainstOpenAPI fails the test unless body is what openapi.yaml says
// route (an OpenAPI path template) answers with status.
func checkAgainstOpenAPI(t *testing.T, method, route string, status int, body []byte) {
	t.Helper()
	doc, err := openAPISpec()
	if err != nil {
		t.Fatal(err)
	}
	op, ok := dig(doc, "paths", route, strings.ToLower(method)).(map[string]any)
	if !ok {
		t.Fatalf("openapi.yaml has no %s %s", method, route)
	}
	resp, ok := dig(op, "responses", strconv.Itoa(status)).(map[string]any)
	if !ok {
		t.Fatalf("openapi.yaml does not document status %d for %s %s; body: %s", status, method, route, body)
	}
	ptr := "#/paths/" + escapePointer(route) + "/" + strings.ToLower(method) + "/responses/" + strconv.Itoa(status)
	if ref, ok := resp["$ref"].(string); ok {
		ptr = ref
	}
	ptr += "/content/application~1json/schema"

	c := jsonschema.NewCompiler()
	if err := c.AddResource("openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("openapi.json" + ptr)
	if err != nil {
		t.Fatalf("compile %s: %v", ptr, err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s %s answered %d with a body that is not JSON: %v\n%s", method, route, status, err, body)
	}
	if err := schema.Validate(inst); err != nil {
		t.Errorf("%s %s %d does not match openapi.yaml: %v\nbody: %s", method, route, status, err, body)
	}
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
