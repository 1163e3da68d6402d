package hubspotfake_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

func assocType(typeID int, label any) map[string]any {
	return map[string]any{"category": "HUBSPOT_DEFINED", "typeId": float64(typeID), "label": label}
}

func TestAssociationsBatchRead(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	deal, empty := f.id("deals", "with_quotes"), f.id("deals", "empty")
	e := f.do(token1, "POST", "/crm/v4/associations/deals/companies/batch/read", map[string]any{
		"inputs": []any{map[string]any{"id": deal}, map[string]any{"id": empty}},
	})
	golden(t, "associations_batch_read_207", e)
	e.want(t, http.StatusMultiStatus)
	v := e.json(t)
	acme := f.id("companies", "acme")
	wantResults := []any{map[string]any{
		"from": map[string]any{"id": deal},
		"to": []any{map[string]any{"toObjectId": mustFloat(t, acme),
			"associationTypes": []any{assocType(5, "Primary"), assocType(341, nil)}}},
	}}
	if diff := cmp.Diff(wantResults, v["results"]); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	wantErrors := []any{map[string]any{"status": "error", "category": "OBJECT_NOT_FOUND",
		"subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
		"message":     "No company is associated with deal " + empty + ".",
		"context":     map[string]any{"fromObjectId": []any{empty}, "fromObjectType": []any{"deal"}, "toObjectType": []any{"company"}}}}
	if diff := cmp.Diff(wantErrors, v["errors"]); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}

	// Every link of the seed reads back in both directions with the type
	// ids of reference §4.2.
	quote := f.id("quotes", "published")
	for _, tc := range []struct {
		from, to, id string
		want         map[string][]int
	}{
		{"deals", "contacts", deal, map[string][]int{f.id("contacts", "alice"): {3}}},
		{"contacts", "deals", f.id("contacts", "alice"), map[string][]int{deal: {4}}},
		{"deals", "line_items", deal, map[string][]int{f.id("lineItems", "deal.with_quotes.1"): {19}, f.id("lineItems", "deal.with_quotes.2"): {19}}},
		{"line_items", "deals", f.id("lineItems", "deal.with_quotes.1"), map[string][]int{deal: {20}}},
		{"quotes", "deals", quote, map[string][]int{deal: {64}}},
		{"quotes", "contacts", quote, map[string][]int{f.id("contacts", "alice"): {69}}},
		{"quotes", "line_items", quote, map[string][]int{f.id("lineItems", "quote.published.1"): {67}, f.id("lineItems", "quote.published.2"): {67}}},
		{"companies", "deals", f.id("companies", "acme"), map[string][]int{deal: {6, 342}}},
		{"contacts", "companies", f.id("contacts", "alice"), map[string][]int{f.id("companies", "acme"): {1, 279}}},
	} {
		if diff := cmp.Diff(tc.want, f.srv.Associations(portal1, tc.from, tc.id, tc.to)); diff != "" {
			t.Errorf("%s %s → %s (-want +got):\n%s", tc.from, tc.id, tc.to, diff)
		}
		e := f.do(token1, "POST", "/crm/v4/associations/"+tc.from+"/"+tc.to+"/batch/read", map[string]any{"inputs": []any{map[string]any{"id": tc.id}}})
		e.want(t, http.StatusOK)
		to := e.json(t)["results"].([]any)[0].(map[string]any)["to"].([]any)
		if len(to) != len(tc.want) {
			t.Errorf("%s→%s batch read: %v", tc.from, tc.to, to)
		}
	}
}

func mustFloat(t *testing.T, id string) float64 {
	t.Helper()
	var n float64
	if _, err := fmt.Sscan(id, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAssociationsCreate(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	deal, alice := f.id("deals", "with_quotes"), f.id("contacts", "alice")
	inv := f.do(token1, "POST", "/crm/v3/objects/invoices", map[string]any{"properties": map[string]any{"hs_currency": "USD"}}).json(t)["id"].(string)

	// Default association, single (v4).
	e := f.do(token1, "PUT", "/crm/v4/objects/deals/"+deal+"/associations/default/invoices/"+inv, nil)
	e.want(t, http.StatusOK)
	golden(t, "associations_create_default", e)
	if diff := cmp.Diff(map[string][]int{inv: {176}}, f.srv.Associations(portal1, "deals", deal, "invoices")); diff != "" {
		t.Errorf("deal→invoice (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string][]int{deal: {175}}, f.srv.Associations(portal1, "invoices", inv, "deals")); diff != "" {
		t.Errorf("invoice→deal (-want +got):\n%s", diff)
	}

	// Default association, batch (v4).
	e = f.do(token1, "POST", "/crm/v4/associations/contacts/invoices/batch/associate/default", map[string]any{
		"inputs": []any{map[string]any{"from": map[string]any{"id": alice}, "to": map[string]any{"id": inv}}}})
	e.want(t, http.StatusOK)
	golden(t, "associations_batch_associate_default", e)
	if got := f.srv.Associations(portal1, "contacts", alice, "invoices"); fmt.Sprint(got[inv]) != "[178]" {
		t.Errorf("contact→invoice = %v", got)
	}

	// Labelled: make NewCo the deal's primary company; Acme keeps the
	// unlabeled link only.
	newco, acme := f.id("companies", "newco"), f.id("companies", "acme")
	e = f.do(token1, "PUT", "/crm/v4/objects/deals/"+deal+"/associations/companies/"+newco,
		[]any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}})
	e.want(t, http.StatusOK)
	golden(t, "associations_create_labelled", e)
	if v := e.json(t); fmt.Sprint(v["labels"]) != "[Primary]" || v["fromObjectTypeId"] != "0-3" || v["toObjectTypeId"] != "0-2" {
		t.Errorf("labelled answer = %s", e.body)
	}
	want := map[string][]int{acme: {341}, newco: {5, 341}}
	if diff := cmp.Diff(want, f.srv.Associations(portal1, "deals", deal, "companies")); diff != "" {
		t.Errorf("deal→companies after the primary moved (-want +got):\n%s", diff)
	}

	// Labelled batch create.
	quote := f.id("quotes", "draft")
	e = f.do(token1, "POST", "/crm/v4/associations/quotes/companies/batch/create", map[string]any{"inputs": []any{map[string]any{
		"from": map[string]any{"id": quote}, "to": map[string]any{"id": acme},
		"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 71}}}}})
	e.want(t, http.StatusCreated)
	if got := f.srv.Associations(portal1, "companies", acme, "quotes"); fmt.Sprint(got[quote]) != "[72]" {
		t.Errorf("company→quote = %v", got)
	}

	// v3, as clarkmcc/go-hubspot sends it: by type id and by type name.
	amy := f.id("contacts", "amy")
	e = f.do(token1, "PUT", "/crm/v3/objects/deals/"+deal+"/associations/contacts/"+amy+"/deal_to_contact", nil)
	e.want(t, http.StatusOK)
	golden(t, "associations_create_v3", e)
	results := e.json(t)["associations"].(map[string]any)["contacts"].(map[string]any)["results"].([]any)
	if len(results) != 2 {
		t.Errorf("deal's contacts after the v3 PUT = %v", results)
	}
	f.do(token1, "PUT", "/crm/v3/objects/line_items/"+f.id("lineItems", "deal.cad.1")+"/associations/quotes/"+quote+"/68", nil).want(t, http.StatusOK)

	// Invalid writes.
	envelope(t, f.do(token1, "PUT", "/crm/v4/objects/deals/"+deal+"/associations/contacts/"+amy,
		[]any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 999}}), 400, "VALIDATION_ERROR")
	envelope(t, f.do(token1, "PUT", "/crm/v4/objects/deals/"+deal+"/associations/contacts/"+amy,
		[]any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 341}}), 400, "VALIDATION_ERROR") // a deal→company id
	envelope(t, f.do(token1, "PUT", "/crm/v4/objects/deals/"+deal+"/associations/default/contacts/424242", nil), 404, "OBJECT_NOT_FOUND")
	envelope(t, f.do(token1, "PUT", "/crm/v3/objects/deals/"+deal+"/associations/contacts/"+amy+"/deal_to_company", nil), 400, "VALIDATION_ERROR")
	envelope(t, f.do(token1, "PUT", "/crm/v4/objects/products/"+f.id("products", "design")+"/associations/default/deals/"+deal, nil), 400, "VALIDATION_ERROR")
	e = f.do(token1, "POST", "/crm/v3/objects/deals", map[string]any{"properties": map[string]any{"dealname": "x"},
		"associations": []any{map[string]any{"to": map[string]any{"id": "424242"}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}}}}})
	envelope(t, e, http.StatusBadRequest, "VALIDATION_ERROR")
}

func TestAssociationsListLabelsDelete(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	deal, alice := f.id("deals", "with_quotes"), f.id("contacts", "alice")

	e := f.do(token1, "GET", "/crm/v4/objects/deals/"+deal+"/associations/contacts", nil)
	e.want(t, http.StatusOK)
	golden(t, "associations_list_v4", e)
	want := []any{map[string]any{"toObjectId": mustFloat(t, alice), "associationTypes": []any{assocType(3, nil)}}}
	if diff := cmp.Diff(want, e.json(t)["results"]); diff != "" {
		t.Errorf("v4 list (-want +got):\n%s", diff)
	}

	e = f.do(token1, "GET", "/crm/v3/objects/deals/"+deal+"/associations/companies", nil)
	e.want(t, http.StatusOK)
	wantV3 := []any{
		map[string]any{"id": f.id("companies", "acme"), "type": "deal_to_company"},
		map[string]any{"id": f.id("companies", "acme"), "type": "deal_to_company_unlabeled"},
	}
	if diff := cmp.Diff(wantV3, e.json(t)["results"]); diff != "" {
		t.Errorf("v3 list (-want +got):\n%s", diff)
	}

	e = f.do(token1, "GET", "/crm/v4/associations/deals/companies/labels", nil)
	e.want(t, http.StatusOK)
	golden(t, "associations_labels_deals_companies", e)
	if diff := cmp.Diff([]any{assocType(5, "Primary"), assocType(341, nil)}, e.json(t)["results"]); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}

	f.do(token1, "DELETE", "/crm/v4/objects/deals/"+deal+"/associations/contacts/"+alice, nil).want(t, http.StatusNoContent)
	if got := f.srv.Associations(portal1, "contacts", alice, "deals"); len(got) != 0 {
		t.Errorf("after delete, contact→deals = %v", got)
	}
}
