package hubspot_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

func TestCompleteWorkflowActionPostsTheOutputs(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	out := map[string]string{"hs_execution_state": "SUCCESS", "invoiceId": "130", "invoiceNumber": "1038", "invoiceStatus": "awaiting_send"}
	if err := f.client.CompleteWorkflowAction(context.Background(), portal1, "ap-1-2-3-0", out); err != nil {
		t.Fatal(err)
	}
	got := f.srv.ActionCompletions(portal1.ID)
	if len(got) != 1 || got[0].CallbackID != "ap-1-2-3-0" || got[0].OutputFields["invoiceId"] != "130" ||
		got[0].OutputFields["hs_execution_state"] != "SUCCESS" {
		t.Fatalf("completions = %+v", got)
	}
	if n := len(f.srv.ActionCompletions(portal2.ID)); n != 0 {
		t.Errorf("portal two has %d completions", n)
	}
}

func TestCompleteWorkflowActionRetriesAndClassifies(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	f.srv.Faults().Inject(hubspotfake.RouteActionCallbackComplete, envelopeFault(http.StatusBadGateway, 1, "", "bad gateway"))
	if err := f.client.CompleteWorkflowAction(context.Background(), portal1, "cb-1", map[string]string{"hs_execution_state": "FAIL_CONTINUE", "errorMessage": "x"}); err != nil {
		t.Fatalf("a 502 then 204 = %v, want done", err)
	}
	if n := f.calls(hubspotfake.RouteActionCallbackComplete); n != 2 {
		t.Errorf("%d calls, want 2", n)
	}
	// BLOCK is not a completion: HubSpot's 400 is final.
	err := f.client.CompleteWorkflowAction(context.Background(), portal1, "cb-2", map[string]string{"hs_execution_state": "BLOCK"})
	if app.ErrorCode(err) != app.Invalid {
		t.Errorf("BLOCK completion = %v, want invalid", err)
	}
}
