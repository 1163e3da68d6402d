package hubspotfake_test

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

func TestPropertyGroupsAndProperties(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	deal := f.id("deals", "with_quotes")

	// Before the property exists, writing it is a PROPERTY_DOESNT_EXIST.
	envelope(t, f.do(token1, "PATCH", "/crm/v3/objects/deals/"+deal, map[string]any{"properties": map[string]any{"qbo_invoice_number": "1001"}}), 400, "VALIDATION_ERROR")

	// The group of reference §4.3.
	group := map[string]any{"name": "qbo_invoices", "label": "QuickBooks invoices", "displayOrder": -1}
	e := f.do(token1, "POST", "/crm/v3/properties/deals/groups", group)
	e.want(t, http.StatusCreated)
	golden(t, "properties_group_create", e)
	if diff := cmp.Diff(map[string]any{"name": "qbo_invoices", "label": "QuickBooks invoices", "displayOrder": -1.0, "archived": false}, e.json(t)); diff != "" {
		t.Errorf("group (-want +got):\n%s", diff)
	}
	e = f.do(token1, "POST", "/crm/v3/properties/deals/groups", group)
	golden(t, "error_409_group_exists", e)
	envelope(t, e, http.StatusConflict, "OBJECT_ALREADY_EXISTS")

	e = f.do(token1, "GET", "/crm/v3/properties/deals/groups", nil)
	e.want(t, http.StatusOK)
	golden(t, "properties_groups_list", e)
	var names []string
	for _, g := range e.json(t)["results"].([]any) {
		names = append(names, g.(map[string]any)["name"].(string))
	}
	if diff := cmp.Diff([]string{"dealinformation", "qbo_invoices"}, names); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	f.do(token1, "GET", "/crm/v3/properties/deals/groups/qbo_invoices", nil).want(t, http.StatusOK)
	envelope(t, f.do(token1, "GET", "/crm/v3/properties/deals/groups/nope", nil), 404, "OBJECT_NOT_FOUND")

	// The property of reference §4.3.
	prop := map[string]any{"groupName": "qbo_invoices", "name": "qbo_invoice_number", "label": "Invoice number", "type": "string", "fieldType": "text"}
	e = f.do(token1, "POST", "/crm/v3/properties/deals", prop)
	e.want(t, http.StatusCreated)
	golden(t, "properties_create", e)
	v := e.json(t)
	for k, want := range map[string]any{"name": "qbo_invoice_number", "label": "Invoice number", "type": "string", "fieldType": "text",
		"groupName": "qbo_invoices", "hasUniqueValue": false, "createdAt": "2026-01-15T17:00:00.000Z"} {
		if v[k] != want {
			t.Errorf("created property %s = %v, want %v", k, v[k], want)
		}
	}
	if opts, ok := v["options"].([]any); !ok || len(opts) != 0 {
		t.Errorf("options = %v, want []", v["options"])
	}

	e = f.do(token1, "POST", "/crm/v3/properties/deals", prop)
	golden(t, "error_409_property_exists", e)
	envelope(t, e, http.StatusConflict, "OBJECT_ALREADY_EXISTS")
	envelope(t, f.do(token1, "POST", "/crm/v3/properties/deals", map[string]any{"groupName": "dealinformation", "name": "amount", "label": "A", "type": "number", "fieldType": "number"}), 409, "OBJECT_ALREADY_EXISTS")

	// Read back, singly and in the list with the built-ins.
	e = f.do(token1, "GET", "/crm/v3/properties/deals/amount", nil)
	e.want(t, http.StatusOK)
	golden(t, "properties_read_builtin", e)
	e = f.do(token1, "GET", "/crm/v3/properties/deals/qbo_invoice_number", nil)
	e.want(t, http.StatusOK)
	golden(t, "properties_read_custom", e)
	if e.json(t)["groupName"] != "qbo_invoices" {
		t.Errorf("read back = %s", e.body)
	}
	e = f.do(token1, "GET", "/crm/v3/properties/deals", nil)
	e.want(t, http.StatusOK)
	found := map[string]map[string]any{}
	for _, p := range e.json(t)["results"].([]any) {
		found[p.(map[string]any)["name"].(string)] = p.(map[string]any)
	}
	for _, n := range []string{"dealname", "amount", "deal_currency_code", "closedate", "dealstage", "pipeline", "hs_object_id", "createdate", "hs_lastmodifieddate", "qbo_invoice_number"} {
		if found[n] == nil {
			t.Errorf("property list lacks %s", n)
		}
	}
	if found["amount"]["type"] != "number" || found["amount"]["hubspotDefined"] != true || found["closedate"]["type"] != "datetime" {
		t.Errorf("built-ins: amount %v, closedate %v", found["amount"], found["closedate"])
	}
	envelope(t, f.do(token1, "GET", "/crm/v3/properties/deals/nope", nil), 404, "OBJECT_NOT_FOUND")

	// Now the property is valid on writes.
	e = f.do(token1, "PATCH", "/crm/v3/objects/deals/"+deal, map[string]any{"properties": map[string]any{"qbo_invoice_number": "1001"}})
	e.want(t, http.StatusOK)
	if props(t, e.json(t))["qbo_invoice_number"] != "1001" {
		t.Errorf("write of the new property: %s", e.body)
	}
}

func TestPropertyCreateValidation(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	base := func(over map[string]any) map[string]any {
		p := map[string]any{"groupName": "dealinformation", "name": "qbo_x", "label": "X", "type": "string", "fieldType": "text"}
		for k, v := range over {
			p[k] = v
		}
		return p
	}
	for _, tc := range []struct {
		name string
		body map[string]any
	}{
		{"unknown type", base(map[string]any{"type": "text"})},
		{"fieldType of another type", base(map[string]any{"type": "number", "fieldType": "text"})},
		{"bool needs booleancheckbox", base(map[string]any{"type": "bool", "fieldType": "checkbox"})},
		{"missing label", base(map[string]any{"label": ""})},
		{"missing group", base(map[string]any{"groupName": "nope"})},
		{"bad name", base(map[string]any{"name": "Has Spaces"})},
	} {
		e := f.do(token1, "POST", "/crm/v3/properties/deals", tc.body)
		if e.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", tc.name, e.status, e.body)
			continue
		}
		envelope(t, e, http.StatusBadRequest, "VALIDATION_ERROR")
	}

	// Every documented type with a field type it accepts.
	for _, tc := range []struct{ typ, fieldType string }{
		{"string", "textarea"}, {"number", "number"}, {"date", "date"}, {"datetime", "date"},
		{"enumeration", "select"}, {"enumeration", "checkbox"}, {"bool", "booleancheckbox"},
	} {
		body := base(map[string]any{"name": "qbo_" + tc.typ + "_" + tc.fieldType, "type": tc.typ, "fieldType": tc.fieldType})
		if tc.typ == "enumeration" {
			body["options"] = []any{map[string]any{"label": "Open", "value": "open"}, map[string]any{"label": "Paid", "value": "paid"}}
		}
		f.do(token1, "POST", "/crm/v3/properties/deals", body).want(t, http.StatusCreated)
	}

	// Custom properties are validated by type on writes.
	deal := f.id("deals", "cad")
	for _, tc := range []struct {
		prop, value string
		status      int
	}{
		{"qbo_number_number", "12.5", 200}, {"qbo_number_number", "twelve", 400},
		{"qbo_date_date", "2026-02-01", 200}, {"qbo_date_date", "1769904000000", 200}, {"qbo_date_date", "1769904000001", 400},
		{"qbo_enumeration_select", "paid", 200}, {"qbo_enumeration_select", "void", 400},
		{"qbo_enumeration_checkbox", "open;paid", 200},
		{"qbo_bool_booleancheckbox", "true", 200}, {"qbo_bool_booleancheckbox", "yes", 400},
	} {
		e := f.do(token1, "PATCH", "/crm/v3/objects/deals/"+deal, map[string]any{"properties": map[string]any{tc.prop: tc.value}})
		if e.status != tc.status {
			t.Errorf("%s=%s: %d, want %d: %s", tc.prop, tc.value, e.status, tc.status, e.body)
		}
	}
	if got, _ := f.srv.Object(portal1, "deals", deal); got["qbo_date_date"] != "2026-02-01" {
		t.Errorf("date stored as %q, want 2026-02-01", got["qbo_date_date"])
	}

	// A unique property enables idProperty lookups.
	f.do(token1, "POST", "/crm/v3/properties/deals", base(map[string]any{"name": "qbo_key", "hasUniqueValue": true})).want(t, http.StatusCreated)
	f.do(token1, "PATCH", "/crm/v3/objects/deals/"+deal, map[string]any{"properties": map[string]any{"qbo_key": "K-1"}}).want(t, http.StatusOK)
	e := f.do(token1, "GET", "/crm/v3/objects/deals/K-1?idProperty=qbo_key", nil)
	e.want(t, http.StatusOK)
	if e.json(t)["id"] != deal {
		t.Errorf("idProperty lookup: %s", e.body)
	}
	envelope(t, f.do(token1, "PATCH", "/crm/v3/objects/deals/"+f.id("deals", "empty"), map[string]any{"properties": map[string]any{"qbo_key": "K-1"}}), 409, "CONFLICT")
}
