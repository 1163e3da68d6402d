package hubspotfake_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

var isoMillisRe = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

// checkObjectShape asserts the object JSON of reference §4.1:
// {"id","properties":{...},"createdAt","updatedAt","archived":false} with
// string or null property values.
func checkObjectShape(t *testing.T, obj map[string]any) {
	t.Helper()
	id, _ := obj["id"].(string)
	if !regexp.MustCompile(`^\d+$`).MatchString(id) {
		t.Errorf("id = %v, want a numeric string", obj["id"])
	}
	for _, k := range []string{"createdAt", "updatedAt"} {
		if s, _ := obj[k].(string); !isoMillisRe.MatchString(s) {
			t.Errorf("%s = %v, want ISO 8601 UTC with milliseconds", k, obj[k])
		}
	}
	if obj["archived"] != false {
		t.Errorf("archived = %v, want false", obj["archived"])
	}
	for k, v := range props(t, obj) {
		if _, ok := v.(string); !ok && v != nil {
			t.Errorf("property %s = %#v, want a string or null", k, v)
		}
	}
	if props(t, obj)["hs_object_id"] != nil && props(t, obj)["hs_object_id"] != id {
		t.Errorf("hs_object_id = %v, want the id %s", props(t, obj)["hs_object_id"], id)
	}
}

func TestObjectGetDealWithAssociations(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	deal := f.id("deals", "with_quotes")
	e := f.do(token1, "GET", "/crm/v3/objects/deals/"+deal+"?properties=dealname,amount,deal_currency_code,closedate,nope&associations=contacts,companies", nil)
	e.want(t, http.StatusOK)
	golden(t, "objects_get_deal_with_associations", e)

	obj := e.json(t)
	checkObjectShape(t, obj)
	p := props(t, obj)
	want := map[string]any{
		"amount": "600", "dealname": "Acme website redesign", "deal_currency_code": "USD",
		"closedate":    nil, // requested but unset: null
		"hs_object_id": deal, "createdate": "2026-01-15T17:00:00.000Z", "hs_lastmodifieddate": "2026-01-15T17:00:00.000Z",
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("properties (-want +got):\n%s", diff)
	}
	assoc := obj["associations"].(map[string]any)
	contacts := assoc["contacts"].(map[string]any)["results"].([]any)
	if diff := cmp.Diff([]any{map[string]any{"id": f.id("contacts", "alice"), "type": "deal_to_contact"}}, contacts); diff != "" {
		t.Errorf("associations.contacts (-want +got):\n%s", diff)
	}
	companies := assoc["companies"].(map[string]any)["results"].([]any)
	if len(companies) != 2 {
		t.Errorf("associations.companies = %v, want the primary and the unlabeled link to acme", companies)
	}

	// The type id and the singular name reach the same record.
	for _, alias := range []string{"0-3", "deal", "DEAL"} {
		e := f.do(token1, "GET", "/crm/v3/objects/"+alias+"/"+deal, nil)
		e.want(t, http.StatusOK)
		if got := e.json(t)["id"]; got != deal {
			t.Errorf("GET via %s: id %v", alias, got)
		}
	}
}

func TestObjectGetDefaultsPerType(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	for _, tc := range []struct {
		path, kind, label string
		defaults          []string
	}{
		{"contacts", "contacts", "alice", []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"}},
		{"companies", "companies", "acme", []string{"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"}},
		{"deals", "deals", "cad", []string{"amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"}},
		{"quotes", "quotes", "published", []string{"createdate", "hs_expiration_date", "hs_lastmodifieddate", "hs_object_id", "hs_status", "hs_title"}},
		{"line_items", "lineItems", "quote.published.2", []string{"createdate", "hs_lastmodifieddate", "hs_object_id"}},
		{"products", "products", "design", []string{"createdate", "description", "hs_lastmodifieddate", "hs_object_id", "name", "price"}},
	} {
		e := f.do(token1, "GET", "/crm/v3/objects/"+tc.path+"/"+f.id(tc.kind, tc.label), nil)
		e.want(t, http.StatusOK)
		golden(t, "objects_get_"+tc.path+"_defaults", e)
		obj := e.json(t)
		checkObjectShape(t, obj)
		if diff := cmp.Diff(tc.defaults, keys(props(t, obj))); diff != "" {
			t.Errorf("%s default properties (-want +got):\n%s", tc.path, diff)
		}
	}

	// Quotes carry hs_status and hs_expiration_date (reference §4.1): the
	// published quote expires at the end of day +30 in US/Pacific.
	q := props(t, f.do(token1, "GET", "/crm/v3/objects/quotes/"+f.id("quotes", "published"), nil).json(t))
	if q["hs_status"] != "APPROVAL_NOT_NEEDED" || q["hs_expiration_date"] != "2026-02-15T07:59:59.999Z" {
		t.Errorf("published quote = %v", q)
	}

	// Line items carry name, quantity, price, amount, product id, SKU, discount.
	li := props(t, f.do(token1, "GET", "/crm/v3/objects/line_items/"+f.id("lineItems", "quote.published.2")+
		"?properties=name,quantity,price,amount,hs_product_id,hs_sku,discount,description", nil).json(t))
	want := map[string]any{"name": "Premium support", "quantity": "1", "price": "500", "amount": "450",
		"hs_product_id": f.id("products", "support"), "hs_sku": "SUP-P", "discount": "50", "description": nil}
	for k, v := range want {
		if li[k] != v {
			t.Errorf("line item %s = %v, want %v", k, li[k], v)
		}
	}
}

func TestObjectGetByIDProperty(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	e := f.do(token1, "GET", "/crm/v3/objects/contacts/AP@acme.example?idProperty=email", nil)
	e.want(t, http.StatusOK)
	if got := e.json(t)["id"]; got != f.id("contacts", "alice") {
		t.Errorf("contact by email = %v", got)
	}
	// idProperty must be a unique property.
	envelope(t, f.do(token1, "GET", "/crm/v3/objects/contacts/Alice?idProperty=firstname", nil), 400, "VALIDATION_ERROR")
}

func TestObjectGetMissing(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	e := f.do(token1, "GET", "/crm/v3/objects/deals/424242", nil)
	golden(t, "error_404_object_not_found", e)
	envelope(t, e, http.StatusNotFound, "OBJECT_NOT_FOUND")

	// An id of another type is missing too.
	envelope(t, f.do(token1, "GET", "/crm/v3/objects/deals/"+f.id("contacts", "alice"), nil), 404, "OBJECT_NOT_FOUND")

	// The empty-body variant.
	g := newFixture(t, hubspotfake.Options{NotFoundEmptyBody: true})
	e = g.do(token1, "GET", "/crm/v3/objects/deals/424242", nil)
	e.want(t, http.StatusNotFound)
	if len(e.body) != 0 {
		t.Errorf("body = %q, want empty", e.body)
	}

	e = f.do(token1, "GET", "/crm/v3/objects/widgets/1", nil)
	v := envelope(t, e, http.StatusBadRequest, "VALIDATION_ERROR")
	if v["message"] != "Unable to infer object type from: widgets" {
		t.Errorf("message = %v", v["message"])
	}
}

func TestObjectCreateAndUpdate(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	alice := f.id("contacts", "alice")
	e := f.do(token1, "POST", "/crm/v3/objects/deals", map[string]any{
		"properties": map[string]any{"dealname": "Renewal", "amount": 1250.5, "pipeline": "default", "dealstage": "contractsent",
			"closedate": "2026-02-01"},
		"associations": []any{map[string]any{"to": map[string]any{"id": alice},
			"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}}}},
	})
	e.want(t, http.StatusCreated)
	golden(t, "objects_create_deal", e)
	obj := e.json(t)
	checkObjectShape(t, obj)
	id := obj["id"].(string)
	p := props(t, obj)
	if p["amount"] != "1250.5" || p["closedate"] != "2026-02-01T00:00:00.000Z" || p["hs_object_id"] != id {
		t.Errorf("created properties = %v", p)
	}
	if links := f.srv.Associations(portal1, "deals", id, "contacts"); fmt.Sprint(links[alice]) != "[3]" {
		t.Errorf("deal→contact links = %v, want alice with type 3", links)
	}
	if links := f.srv.Associations(portal1, "contacts", alice, "deals"); fmt.Sprint(links[id]) != "[4]" {
		t.Errorf("contact→deal links = %v, want the inverse type 4", links)
	}

	f.clock.Advance(time.Minute)
	e = f.do(token1, "PATCH", "/crm/v3/objects/deals/"+id, map[string]any{"properties": map[string]any{"amount": "1300", "closedate": nil}})
	e.want(t, http.StatusOK)
	golden(t, "objects_update_deal", e)
	obj = e.json(t)
	p = props(t, obj)
	if p["amount"] != "1300" || p["closedate"] != nil || p["hs_lastmodifieddate"] != "2026-01-15T17:01:00.000Z" {
		t.Errorf("updated properties = %v", p)
	}
	if obj["updatedAt"] != "2026-01-15T17:01:00.000Z" || obj["createdAt"] != "2026-01-15T17:00:00.000Z" {
		t.Errorf("timestamps %v / %v", obj["createdAt"], obj["updatedAt"])
	}
	if got, _ := f.srv.Object(portal1, "deals", id); got["amount"] != "1300" {
		t.Errorf("stored amount = %v", got["amount"])
	}

	envelope(t, f.do(token1, "PATCH", "/crm/v3/objects/deals/424242", map[string]any{"properties": map[string]any{"amount": "1"}}), 404, "OBJECT_NOT_FOUND")
}

func TestObjectWriteValidation(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	e := f.do(token1, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "x@y.example", "favorite_food": "pie"}})
	golden(t, "error_400_property_doesnt_exist", e)
	v := envelope(t, e, http.StatusBadRequest, "VALIDATION_ERROR")
	if !strings.HasPrefix(v["message"].(string), `Property values were not valid: [{"isValid":false,"message":"Property \"favorite_food\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"favorite_food"`) {
		t.Errorf("message = %s", v["message"])
	}
	errs := v["errors"].([]any)
	if d := errs[0].(map[string]any); d["code"] != "PROPERTY_DOESNT_EXIST" || fmt.Sprint(d["context"]) != "map[propertyName:[favorite_food]]" {
		t.Errorf("errors[0] = %v", d)
	}

	deal := f.id("deals", "cad")
	for _, tc := range []struct {
		name  string
		props map[string]any
		code  string
	}{
		{"not a number", map[string]any{"amount": "abc"}, "INVALID_FLOAT"},
		{"number with spaces", map[string]any{"amount": " 12"}, "INVALID_FLOAT"},
		{"unknown option", map[string]any{"dealstage": "won"}, "INVALID_OPTION"},
		{"bad datetime", map[string]any{"closedate": "tomorrow"}, "INVALID_DATE"},
		{"read only", map[string]any{"hs_object_id": "5"}, "READ_ONLY_VALUE"},
	} {
		e := f.do(token1, "PATCH", "/crm/v3/objects/deals/"+deal, map[string]any{"properties": tc.props})
		v := envelope(t, e, http.StatusBadRequest, "VALIDATION_ERROR")
		if !strings.Contains(v["message"].(string), `"error":"`+tc.code+`"`) {
			t.Errorf("%s: message = %s, want error %s", tc.name, v["message"], tc.code)
		}
	}
	if got, _ := f.srv.Object(portal1, "deals", deal); got["amount"] != "1073.50" {
		t.Errorf("a rejected write changed the deal: amount %v", got["amount"])
	}

	// Invoices need hs_currency and start as drafts (reference §4.1).
	envelope(t, f.do(token1, "POST", "/crm/v3/objects/invoices", map[string]any{"properties": map[string]any{"hs_number": "1"}}), 400, "VALIDATION_ERROR")
	e = f.do(token1, "POST", "/crm/v3/objects/0-53", map[string]any{"properties": map[string]any{"hs_currency": "USD"}})
	e.want(t, http.StatusCreated)
	golden(t, "objects_create_invoice", e)
	if props(t, e.json(t))["hs_invoice_status"] != "draft" {
		t.Errorf("new invoice = %s", e.body)
	}

	// A line item's amount follows quantity and price.
	e = f.do(token1, "POST", "/crm/v3/objects/line_items", map[string]any{"properties": map[string]any{"name": "X", "quantity": "3", "price": "19.99"}})
	e.want(t, http.StatusCreated)
	if got := props(t, e.json(t))["amount"]; got != "59.97" {
		t.Errorf("line item amount = %v, want 59.97", got)
	}

	// Malformed JSON.
	envelope(t, f.do(token1, "POST", "/crm/v3/objects/deals", `{"properties":`), 400, "VALIDATION_ERROR")
}

func TestContactEmailConflict(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	e := f.do(token1, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "AP@acme.example"}})
	golden(t, "error_409_conflict", e)
	v := envelope(t, e, http.StatusConflict, "CONFLICT")
	if v["message"] != "Contact already exists. Existing ID: "+f.id("contacts", "alice") {
		t.Errorf("message = %v", v["message"])
	}
}

func TestBatchRead(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	a, b := f.id("deals", "with_quotes"), f.id("deals", "cad")
	e := f.do(token1, "POST", "/crm/v3/objects/deals/batch/read", map[string]any{
		"properties": []string{"dealname", "amount"}, "inputs": []any{map[string]any{"id": a}, map[string]any{"id": "999999"}, map[string]any{"id": b}},
	})
	golden(t, "objects_batch_read_207", e)
	e.want(t, http.StatusMultiStatus)
	v := e.json(t)
	if v["status"] != "COMPLETE" || v["numErrors"] != 1.0 {
		t.Errorf("status %v numErrors %v", v["status"], v["numErrors"])
	}
	results := v["results"].([]any)
	if len(results) != 2 || results[0].(map[string]any)["id"] != a || results[1].(map[string]any)["id"] != b {
		t.Errorf("results = %v", results)
	}
	for _, r := range results {
		checkObjectShape(t, r.(map[string]any))
		if _, ok := r.(map[string]any)["associations"]; ok {
			t.Error("batch read cannot return associations (reference §4.1)")
		}
	}
	want := map[string]any{"status": "error", "category": "OBJECT_NOT_FOUND",
		"message": "Could not get some DEAL objects, they may be deleted or not exist. Check that ids are valid.",
		"context": map[string]any{"ids": []any{"999999"}}}
	if diff := cmp.Diff([]any{want}, v["errors"]); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}

	e = f.do(token1, "POST", "/crm/v3/objects/deals/batch/read", map[string]any{"properties": []string{"dealname"}, "inputs": []any{map[string]any{"id": a}}})
	e.want(t, http.StatusOK)
	golden(t, "objects_batch_read_200", e)
	if _, ok := e.json(t)["errors"]; ok {
		t.Error("a complete batch has no errors key")
	}

	// idProperty.
	e = f.do(token1, "POST", "/crm/v3/objects/contacts/batch/read", map[string]any{"idProperty": "email",
		"properties": []string{"email"}, "inputs": []any{map[string]any{"id": "bob@newco.example"}}})
	e.want(t, http.StatusOK)

	// More than 100 inputs.
	inputs := make([]any, 101)
	for i := range inputs {
		inputs[i] = map[string]any{"id": fmt.Sprint(i)}
	}
	envelope(t, f.do(token1, "POST", "/crm/v3/objects/deals/batch/read", map[string]any{"inputs": inputs}), 400, "VALIDATION_ERROR")
}

func TestBatchCreateAndUpdate(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	e := f.do(token1, "POST", "/crm/v3/objects/line_items/batch/create", map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]any{"name": "A", "quantity": "2", "price": "10"}},
		map[string]any{"properties": map[string]any{"name": "B", "quantity": "1", "price": "5"}},
	}})
	e.want(t, http.StatusCreated)
	golden(t, "objects_batch_create", e)
	results := e.json(t)["results"].([]any)
	idA, idB := results[0].(map[string]any)["id"].(string), results[1].(map[string]any)["id"].(string)

	e = f.do(token1, "POST", "/crm/v3/objects/line_items/batch/update", map[string]any{"inputs": []any{
		map[string]any{"id": idA, "properties": map[string]any{"quantity": "5"}},
		map[string]any{"id": "999999", "properties": map[string]any{"quantity": "5"}},
		map[string]any{"id": idB, "properties": map[string]any{"price": "7"}},
	}})
	golden(t, "objects_batch_update_207", e)
	e.want(t, http.StatusMultiStatus)
	if a, _ := f.srv.Object(portal1, "line_items", idA); a["quantity"] != "5" || a["amount"] != "50" {
		t.Errorf("updated line item A = %v", a)
	}
	if b, _ := f.srv.Object(portal1, "line_items", idB); b["amount"] != "7" {
		t.Errorf("updated line item B = %v", b)
	}

	// An invalid value fails the whole batch, before anything is written.
	e = f.do(token1, "POST", "/crm/v3/objects/line_items/batch/update", map[string]any{"inputs": []any{
		map[string]any{"id": idA, "properties": map[string]any{"quantity": "6"}},
		map[string]any{"id": idB, "properties": map[string]any{"quantity": "many"}},
	}})
	envelope(t, e, http.StatusBadRequest, "VALIDATION_ERROR")
	if a, _ := f.srv.Object(portal1, "line_items", idA); a["quantity"] != "5" {
		t.Errorf("a failed batch wrote quantity %v", a["quantity"])
	}
}

func TestObjectListAndArchive(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	e := f.do(token1, "GET", "/crm/v3/objects/companies?limit=2&properties=name", nil)
	e.want(t, http.StatusOK)
	golden(t, "objects_list_companies", e)
	v := e.json(t)
	if len(v["results"].([]any)) != 2 {
		t.Fatalf("page = %s", e.body)
	}
	after := v["paging"].(map[string]any)["next"].(map[string]any)["after"].(string)
	if after != f.id("companies", "maple") {
		t.Errorf("after = %s, want the id of the third company", after)
	}
	v = f.do(token1, "GET", "/crm/v3/objects/companies?limit=2&after="+after, nil).json(t)
	if len(v["results"].([]any)) != 1 || v["paging"] != nil {
		t.Errorf("last page = %v", v)
	}

	id := f.id("companies", "newco")
	f.do(token1, "DELETE", "/crm/v3/objects/companies/"+id, nil).want(t, http.StatusNoContent)
	envelope(t, f.do(token1, "GET", "/crm/v3/objects/companies/"+id, nil), 404, "OBJECT_NOT_FOUND")
	e = f.do(token1, "GET", "/crm/v3/objects/companies/"+id+"?archived=true", nil)
	e.want(t, http.StatusOK)
	if v := e.json(t); v["archived"] != true || v["archivedAt"] == nil {
		t.Errorf("archived record = %s", e.body)
	}
}
