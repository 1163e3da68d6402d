package hubspotfake_test

import (
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"net/http"
	"testing"
)

func TestActionCallbackCompleteIsRecorded(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	path := "/automation/v4/actions/callbacks/ap-20000001-5-7-0/complete"
	e := f.do(token1, "POST", path, map[string]any{"outputFields": map[string]any{
		"hs_execution_state": "SUCCESS", "invoiceId": "130", "invoiceNumber": 1038}})
	e.want(t, http.StatusNoContent)
	if len(e.body) != 0 {
		t.Errorf("204 with a body: %s", e.body)
	}
	got := f.srv.ActionCompletions(portal1)
	if len(got) != 1 {
		t.Fatalf("completions = %+v, want one", got)
	}
	c := got[0]
	if c.CallbackID != "ap-20000001-5-7-0" || c.PortalID != portal1 || c.OutputFields["invoiceNumber"] != "1038" ||
		c.OutputFields["hs_execution_state"] != "SUCCESS" || !c.At.Equal(epoch) {
		t.Errorf("completion = %+v", c)
	}
	if n := len(f.srv.ActionCompletions(portal2)); n != 0 {
		t.Errorf("portal two sees %d completions", n)
	}
	if n := len(f.srv.ActionCompletions(0)); n != 1 {
		t.Errorf("all portals: %d completions, want 1", n)
	}
}

func TestActionCallbackCompleteRefusesBadBodies(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	path := "/automation/v4/actions/callbacks/cb-1/complete"
	for name, body := range map[string]any{
		"no outputFields": map[string]any{},
		"BLOCK":           map[string]any{"outputFields": map[string]any{"hs_execution_state": "BLOCK"}},
		"object value":    map[string]any{"outputFields": map[string]any{"a": map[string]any{}}},
	} {
		e := f.do(token1, "POST", path, body)
		if e.status != http.StatusBadRequest || e.json(t)["category"] != "VALIDATION_ERROR" {
			t.Errorf("%s: %d %s, want 400 VALIDATION_ERROR", name, e.status, e.body)
		}
	}
	f.do("", "POST", path, map[string]any{"outputFields": map[string]any{}}).want(t, http.StatusUnauthorized)
	if n := len(f.srv.ActionCompletions(0)); n != 0 {
		t.Errorf("%d completions recorded from refused calls", n)
	}
}
