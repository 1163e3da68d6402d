package hubspotfake_test

import (
	"net/http"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// TestTenantIsolation: the token decides the portal, and a token of one
// portal never reaches another portal's records; ids are unique across
// portals, so another portal's id is simply not found.
func TestTenantIsolation(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{SearchPerSecond: -1})
	theirDeal := f.idIn(portal2, "deals", "with_quotes")
	theirContact := f.idIn(portal2, "contacts", "ben")
	ourDeal := f.id("deals", "with_quotes")

	envelope(t, f.do(token1, "GET", "/crm/v3/objects/deals/"+theirDeal, nil), http.StatusNotFound, "OBJECT_NOT_FOUND")
	envelope(t, f.do(token1, "PATCH", "/crm/v3/objects/deals/"+theirDeal, map[string]any{"properties": map[string]any{"amount": "1"}}), http.StatusNotFound, "OBJECT_NOT_FOUND")
	if got, _ := f.srv.Object(portal2, "deals", theirDeal); got["amount"] != "800" {
		t.Errorf("portal 2's deal was changed: %v", got["amount"])
	}

	e := f.do(token1, "POST", "/crm/v3/objects/deals/batch/read", map[string]any{"inputs": []any{map[string]any{"id": ourDeal}, map[string]any{"id": theirDeal}}})
	e.want(t, http.StatusMultiStatus)
	if v := e.json(t); len(v["results"].([]any)) != 1 {
		t.Errorf("batch read across portals: %s", e.body)
	}

	if ids := f.searchIDs(token1, "contacts", map[string]any{"query": "bigben"}); len(ids) != 0 {
		t.Errorf("portal 1 search found portal 2 contacts: %v", ids)
	}
	if ids := f.searchIDs(token2, "contacts", map[string]any{"query": "bigben"}); len(ids) != 1 || ids[0] != theirContact {
		t.Errorf("portal 2 search: %v", ids)
	}

	// No association across portals, nor association reads.
	envelope(t, f.do(token1, "PUT", "/crm/v4/objects/deals/"+ourDeal+"/associations/default/contacts/"+theirContact, nil), 404, "OBJECT_NOT_FOUND")
	f.do(token1, "POST", "/crm/v4/associations/deals/contacts/batch/read", map[string]any{"inputs": []any{map[string]any{"id": theirDeal}}}).want(t, http.StatusMultiStatus)
	e = f.do(token1, "POST", "/crm/v3/objects/deals", map[string]any{"properties": map[string]any{"dealname": "x"},
		"associations": []any{map[string]any{"to": map[string]any{"id": theirContact}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}}}}})
	envelope(t, e, http.StatusBadRequest, "VALIDATION_ERROR")

	// Properties are per portal.
	f.do(token1, "POST", "/crm/v3/properties/deals", map[string]any{"groupName": "dealinformation", "name": "qbo_only_here", "label": "X", "type": "string", "fieldType": "text"}).want(t, http.StatusCreated)
	envelope(t, f.do(token2, "GET", "/crm/v3/properties/deals/qbo_only_here", nil), 404, "OBJECT_NOT_FOUND")
	envelope(t, f.do(token2, "PATCH", "/crm/v3/objects/deals/"+theirDeal, map[string]any{"properties": map[string]any{"qbo_only_here": "x"}}), 400, "VALIDATION_ERROR")

	// Contacts are unique by email per portal only.
	f.do(token2, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "ap@acme.example"}}).want(t, http.StatusCreated)

	// An OAuth token of portal 2 reads portal 2 only.
	tk := f.install(t, portal2)
	f.do(tk.AccessToken, "GET", "/crm/v3/objects/deals/"+theirDeal, nil).want(t, http.StatusOK)
	envelope(t, f.do(tk.AccessToken, "GET", "/crm/v3/objects/deals/"+ourDeal, nil), http.StatusNotFound, "OBJECT_NOT_FOUND")

	// The inspection helpers are scoped too.
	if _, ok := f.srv.Object(portal1, "deals", theirDeal); ok {
		t.Error("Object(portal 1) found portal 2's deal")
	}
}
