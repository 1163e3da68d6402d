package hubspotfake_test

import (
	"net/http"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// TestLookupsFollowWrites: reads by a unique property, and the uniqueness
// check, answer from the objects as they are after every kind of write: a
// create, a value moved to another record or cleared, a batch whose inputs
// collide, an archive, and e-mail addresses in another case.
func TestLookupsFollowWrites(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	f.do(token1, "POST", "/crm/v3/properties/products", map[string]any{"name": "item_key", "label": "Key",
		"type": "string", "fieldType": "text", "groupName": "productinformation", "hasUniqueValue": true}).want(t, http.StatusCreated)
	create := func(key string) string {
		t.Helper()
		e := f.do(token1, "POST", "/crm/v3/objects/products", map[string]any{"properties": map[string]any{"name": "P " + key, "item_key": key}})
		e.want(t, http.StatusCreated)
		return e.json(t)["id"].(string)
	}
	byKey := func(key string) string {
		t.Helper()
		e := f.do(token1, "GET", "/crm/v3/objects/products/"+key+"?idProperty=item_key", nil)
		if e.status == http.StatusNotFound {
			return ""
		}
		e.want(t, http.StatusOK)
		return e.json(t)["id"].(string)
	}
	patch := func(id, key string) exchange {
		return f.do(token1, "PATCH", "/crm/v3/objects/products/"+id, map[string]any{"properties": map[string]any{"item_key": key}})
	}

	a := create("a")
	if byKey("a") != a || byKey("b") != "" { // the index is built here
		t.Fatalf("after one create: a=%q b=%q", byKey("a"), byKey("b"))
	}
	b := create("b") // added to the built index
	if byKey("b") != b {
		t.Errorf("a product created after the first lookup is not found by its key")
	}
	envelope(t, f.do(token1, "POST", "/crm/v3/objects/products", map[string]any{"properties": map[string]any{"name": "again", "item_key": "b"}}),
		http.StatusConflict, "CONFLICT")

	// A value moved: the old one is free, the new one found.
	patch(a, "c").want(t, http.StatusOK)
	if byKey("a") != "" || byKey("c") != a {
		t.Errorf("after a moved to c: a=%q c=%q", byKey("a"), byKey("c"))
	}
	if id := create("a"); byKey("a") != id {
		t.Errorf("the freed key names %q, want the new product %s", byKey("a"), id)
	}
	envelope(t, patch(b, "c"), http.StatusConflict, "CONFLICT")
	// Cleared: found no more.
	patch(b, "").want(t, http.StatusOK)
	if byKey("b") != "" {
		t.Errorf("a cleared key still names %q", byKey("b"))
	}

	// Two inputs of one batch colliding: refused whole.
	envelope(t, f.do(token1, "POST", "/crm/v3/objects/products/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]any{"name": "x", "item_key": "x"}},
		map[string]any{"properties": map[string]any{"name": "y", "item_key": "x"}}}}), http.StatusConflict, "CONFLICT")
	if byKey("x") != "" {
		t.Errorf("a refused batch left %q", byKey("x"))
	}

	// Archived: gone from live lookups, its key free again.
	f.do(token1, "DELETE", "/crm/v3/objects/products/"+a, nil).want(t, http.StatusNoContent)
	if byKey("c") != "" {
		t.Errorf("an archived product is still found by its key")
	}
	e := f.do(token1, "GET", "/crm/v3/objects/products/c?idProperty=item_key&archived=true", nil)
	if e.want(t, http.StatusOK); e.json(t)["id"] != a {
		t.Errorf("archived lookup: %s", e.body)
	}
	if id := create("c"); byKey("c") != id {
		t.Errorf("the archived product's key names %q, want %s", byKey("c"), id)
	}

	// E-mail addresses match whatever their case.
	e = f.do(token1, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "Mixed.Case@Example.com"}})
	e.want(t, http.StatusCreated)
	c := e.json(t)["id"].(string)
	e = f.do(token1, "GET", "/crm/v3/objects/contacts/mixed.case@example.COM?idProperty=email", nil)
	if e.want(t, http.StatusOK); e.json(t)["id"] != c {
		t.Errorf("contact by e-mail in another case: %s", e.body)
	}
}
