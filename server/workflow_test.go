package server_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

const (
	workflowPath        = "/workflow-actions/create-invoice"
	workflowOptionsPath = "/workflow-actions/create-invoice/options"
)

// workflowCall is HubSpot calling the action: the body signed v2 (as the
// custom action docs say) or v3 (as HubSpot signs its OAuth apps' calls).
func (ts *testServer) workflowCall(t *testing.T, path, version string, body any, route string) answer {
	t.Helper()
	raw, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	uri := ts.url + path
	req, _ := http.NewRequest("POST", uri, bytes.NewReader(raw))
	req.Header.Set("Content-Type", "application/json")
	switch version {
	case "v2":
		req.Header.Set("X-HubSpot-Signature", hubspotfake.SignV2(secret, "POST", uri, raw))
		req.Header.Set("X-HubSpot-Signature-Version", "v2")
	case "v3":
		ts := strconv.FormatInt(time.Now().UnixMilli(), 10)
		req.Header.Set("X-HubSpot-Signature-v3", hubspotfake.SignV3(secret, "POST", uri, raw, ts))
		req.Header.Set("X-HubSpot-Request-Timestamp", ts)
	case "bad":
		req.Header.Set("X-HubSpot-Signature", hubspotfake.SignV2("another-secret", "POST", uri, raw))
		req.Header.Set("X-HubSpot-Signature-Version", "v2")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if route != "" {
		checkAgainstOpenAPI(t, "POST", route, resp.StatusCode, b)
	}
	return answer{resp.StatusCode, b}
}

func execution(portal int64, callbackID string, deal int, inputs map[string]any) map[string]any {
	if inputs == nil {
		inputs = map[string]any{}
	}
	return map[string]any{
		"callbackId":  callbackID,
		"origin":      map[string]any{"portalId": portal, "actionDefinitionId": 10646377, "actionDefinitionVersion": 1},
		"context":     map[string]any{"source": "WORKFLOWS", "workflowId": 192814114},
		"object":      map[string]any{"objectId": deal, "objectType": "DEAL", "properties": map[string]any{}},
		"inputFields": inputs,
	}
}

func (a answer) outputs(t *testing.T) map[string]string {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var got struct{ OutputFields map[string]string }
	a.decode(t, &got)
	return got.OutputFields
}

// workflowQBOInvoice reads an invoice from a fake company the way any client would.
func (ts *testServer) workflowQBOInvoice(t *testing.T, realm, token, id string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", "https://quickbooks.api.intuit.com/v3/company/"+realm+"/invoice/"+url.PathEscape(id), nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	resp, err := (&http.Client{Transport: ts.fakes.QBO.Transport()}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ Invoice map[string]any }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.Invoice == nil {
		t.Fatalf("invoice %s of %s: %d %v", id, realm, resp.StatusCode, err)
	}
	return out.Invoice
}

func TestWorkflowActionCreatesTheDealsInvoiceOnceFromItsQuote(t *testing.T) {
	ts := newTestServer(t)
	ts.onlyPublishedQuote(t)
	before := ts.qboCount(t, usRealm, "Invoice")
	creates := ts.fakes.QBO.Counters().Count(qbofake.RouteInvoiceCreate, usRealm)
	body := execution(portal1, "ap-20000001-56776413549-7-0", 1011, map[string]any{"dueDays": 14, "message": "Thank you for your business"})
	out := ts.workflowCall(t, workflowPath, "v2", body, workflowPath).outputs(t)
	if out["hs_execution_state"] != "SUCCESS" || out["invoiceId"] == "" || out["invoiceNumber"] == "" || out["invoiceStatus"] != "awaiting_send" {
		t.Fatalf("outputs = %v", out)
	}
	if n := ts.qboCount(t, usRealm, "Invoice") - before; n != 1 {
		t.Fatalf("%d invoices made, want 1", n)
	}
	inv := ts.workflowQBOInvoice(t, usRealm, "qbo-sandbox-access-us", out["invoiceId"])
	if memo, _ := inv["CustomerMemo"].(map[string]any); memo["value"] != "Thank you for your business" {
		t.Errorf("CustomerMemo = %v", inv["CustomerMemo"])
	}
	txn, _ := time.Parse(time.DateOnly, inv["TxnDate"].(string))
	if due := txn.AddDate(0, 0, 14).Format(time.DateOnly); inv["DueDate"] != due {
		t.Errorf("DueDate = %v, want %s (14 days after %v)", inv["DueDate"], due, inv["TxnDate"])
	}

	// HubSpot repeats the execution (v3 this time): the first answer, no second invoice.
	again := ts.workflowCall(t, workflowPath, "v3", body, workflowPath).outputs(t)
	if again["invoiceId"] != out["invoiceId"] || again["invoiceNumber"] != out["invoiceNumber"] || again["hs_execution_state"] != "SUCCESS" {
		t.Errorf("replay = %v, want %v", again, out)
	}
	if n := ts.fakes.QBO.Counters().Count(qbofake.RouteInvoiceCreate, usRealm) - creates; n != 1 {
		t.Errorf("%d invoice creates reached QuickBooks, want 1", n)
	}
	if n := ts.qboCount(t, usRealm, "Invoice") - before; n != 1 {
		t.Errorf("%d invoices after the replay, want 1", n)
	}
	// The card shows it on the deal.
	var card cardAnswer
	ts.call(t, card1(), "GET", "/api/v1/records/deals/1011/invoices", cardPath).decode(t, &card)
	found := false
	for _, g := range card.Groups {
		for _, i := range g.Invoices {
			found = found || i.InvoiceID == out["invoiceId"]
		}
	}
	if !found {
		t.Errorf("invoice %s is not on deal 1011's card", out["invoiceId"])
	}
}

func card1() *hubspotfake.CardClient { return card(portal1) }

// onlyPublishedQuote readies deal 1011 for the action: QuickBooks gets
// the product its quotes sell that it lacks (Premium support, which the
// card would have the rep pick), and the deal keeps one invoiceable quote,
// Q-1001 (its approved Q-1002, the latest, goes back to draft).
func (ts *testServer) onlyPublishedQuote(t *testing.T) {
	t.Helper()
	ts.qbo(t, usRealm, "POST", "/item", map[string]any{"Name": "Premium support", "Type": "Service", "UnitPrice": 500,
		"IncomeAccountRef": map[string]any{"value": "1"}})
	req, _ := http.NewRequest("PATCH", "https://api.hubapi.com/crm/v3/objects/quotes/1017", bytes.NewReader([]byte(`{"properties":{"hs_status":"DRAFT"}}`)))
	req.Header.Set("Authorization", "Bearer hs-sandbox-token-portal-1")
	req.Header.Set("Content-Type", "application/json")
	resp, err := ts.upstream.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("unpublish quote 1017: %d", resp.StatusCode)
	}
}

func TestWorkflowActionOutsideTheUSUsesTaxCodes(t *testing.T) {
	ts := newTestServer(t)
	body := execution(portal2, "ap-20000002-1-1-0", 1037, map[string]any{"taxCodeId": "9", "connectionId": ts.conns[gbRealm].ID})
	out := ts.workflowCall(t, workflowPath, "v3", body, workflowPath).outputs(t)
	if out["hs_execution_state"] != "SUCCESS" || out["invoiceId"] == "" {
		t.Fatalf("outputs = %v", out)
	}
	inv := ts.workflowQBOInvoice(t, gbRealm, "qbo-sandbox-access-gb", out["invoiceId"])
	lines, _ := inv["Line"].([]any)
	taxed := 0
	for _, l := range lines {
		d, _ := l.(map[string]any)["SalesItemLineDetail"].(map[string]any)
		if d == nil {
			continue
		}
		// The product's own code (8, 20% S) wins over the action's default.
		if ref, _ := d["TaxCodeRef"].(map[string]any); ref["value"] != "8" {
			t.Errorf("line tax code = %v, want the item's 8", d["TaxCodeRef"])
		}
		taxed++
	}
	if taxed != 1 || inv["CurrencyRef"].(map[string]any)["value"] != "GBP" {
		t.Errorf("invoice = %v", inv)
	}
}

func TestWorkflowActionFailsClearlyWhenNothingCanBeInvoiced(t *testing.T) {
	ts := newTestServer(t)
	before := ts.qboCount(t, usRealm, "Invoice")
	// Deal 1011's quotes have a product QuickBooks lacks.
	out := ts.workflowCall(t, workflowPath, "v2", execution(portal1, "ap-20000001-q1002-7-0", 1011, nil), workflowPath).outputs(t)
	if out["hs_execution_state"] != "FAIL_CONTINUE" || out["errorMessage"] != `The line item "Premium support" matches no QuickBooks product or service by SKU or name.` {
		t.Errorf("deal 1011 without the product: %v", out)
	}
	out = ts.workflowCall(t, workflowPath, "v2", execution(portal1, "cb-no-lines-1", 1033, nil), workflowPath).outputs(t)
	if out["hs_execution_state"] != "FAIL_CONTINUE" || out["errorMessage"] != "Deal 1033 has no published, unexpired quote and no line items to invoice." {
		t.Errorf("outputs = %v", out)
	}
	// A company of another portal is not found: a failure, not a retry.
	out = ts.workflowCall(t, workflowPath, "v2", execution(portal1, "cb-other-portal", 1011, map[string]any{"connectionId": ts.conns[gbRealm].ID}), workflowPath).outputs(t)
	if out["hs_execution_state"] != "FAIL_CONTINUE" || out["errorMessage"] == "" {
		t.Errorf("another portal's company: %v", out)
	}
	// Bad inputs.
	out = ts.workflowCall(t, workflowPath, "v2", execution(portal1, "cb-bad-days", 1011, map[string]any{"dueDays": "soon"}), workflowPath).outputs(t)
	if out["hs_execution_state"] != "FAIL_CONTINUE" || out["errorMessage"] == "" {
		t.Errorf("dueDays soon: %v", out)
	}
	if n := ts.qboCount(t, usRealm, "Invoice") - before; n != 0 {
		t.Errorf("%d invoices made", n)
	}
}

func TestWorkflowActionRefusesWhatHubSpotDidNotSend(t *testing.T) {
	ts := newTestServer(t)
	body := execution(portal1, "cb-unsigned-1", 1011, nil)
	for _, version := range []string{"bad", ""} {
		if a := ts.workflowCall(t, workflowPath, version, body, workflowPath); a.status != http.StatusUnauthorized || a.errorCode(t) != "unauthorized" {
			t.Errorf("signature %q: %d %s", version, a.status, a.body)
		}
	}
	a := ts.workflowCall(t, workflowPath, "v2", execution(99999999, "cb-unknown-portal", 1011, nil), workflowPath)
	if a.status != http.StatusUnauthorized || a.errorCode(t) != "unauthorized" || !bytes.Contains(a.body, []byte("has not installed this app")) {
		t.Errorf("unknown portal: %d %s", a.status, a.body)
	}
	if n := ts.fakes.QBO.Counters().Count(qbofake.RouteInvoiceCreate, usRealm); n != 0 {
		t.Errorf("%d creates reached QuickBooks", n)
	}
}

func TestWorkflowActionRetriesWhenQuickBooksIsDown(t *testing.T) {
	ts := newTestServer(t)
	ts.onlyPublishedQuote(t)
	ts.fakes.QBO.Faults().Inject(qbofake.RouteInvoiceCreate, qbofake.Fault{Status: 503, Body: []byte("busy")})
	body := execution(portal1, "cb-qbo-down-1", 1011, nil)
	if a := ts.workflowCall(t, workflowPath, "v2", body, workflowPath); a.status != http.StatusServiceUnavailable || a.errorCode(t) != "unavailable" {
		t.Fatalf("QuickBooks down: %d %s", a.status, a.body)
	}
	ts.fakes.QBO.Faults().Clear("")
	if out := ts.workflowCall(t, workflowPath, "v2", body, workflowPath).outputs(t); out["hs_execution_state"] != "SUCCESS" {
		t.Errorf("HubSpot's retry: %v", out)
	}
}

// TestWorkflowActionsLastTryFailsItInHubSpot: when the queue's last try
// of a blocked execution still finds QuickBooks down, the execution is
// completed as FAIL_CONTINUE with the reason, and no invoice is made.
func TestWorkflowActionsLastTryFailsItInHubSpot(t *testing.T) {
	ts := newTestServer(t)
	ts.onlyPublishedQuote(t)
	before := ts.qboCount(t, usRealm, "Invoice")
	ts.fakes.QBO.Faults().Inject(qbofake.RouteInvoiceCreate, qbofake.Fault{Status: 503, Body: []byte("busy")})
	in := app.WorkflowInput{PortalID: portal1, CallbackID: "cb-gave-up-1", DealID: "1011"}
	if err := ts.svc.FinishWorkflowAction(t.Context(), in); app.ErrorCode(err) != app.Unavailable {
		t.Fatalf("an early try: %v, want unavailable (retried by the queue)", err)
	}
	if done := ts.fakes.HubSpot.ActionCompletions(portal1); len(done) != 0 {
		t.Fatalf("an early try completed %+v", done)
	}
	in.LastAttempt = true
	if err := ts.svc.FinishWorkflowAction(t.Context(), in); err != nil {
		t.Fatalf("the last try: %v", err)
	}
	done := ts.fakes.HubSpot.ActionCompletions(portal1)
	if len(done) != 1 || done[0].CallbackID != "cb-gave-up-1" || done[0].OutputFields["hs_execution_state"] != "FAIL_CONTINUE" ||
		!strings.Contains(done[0].OutputFields["errorMessage"], "could not be reached") {
		t.Fatalf("completions = %+v, want one FAIL_CONTINUE saying why", done)
	}
	if n := ts.qboCount(t, usRealm, "Invoice") - before; n != 0 {
		t.Errorf("%d invoices made, want none", n)
	}
}

func TestWorkflowActionBlocksWhenSlowAndCompletesFromTheQueue(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{}))
	ts.svc.SetWorkflowBudget(300 * time.Millisecond)
	ts.onlyPublishedQuote(t)
	before := ts.qboCount(t, usRealm, "Invoice")
	ts.fakes.QBO.Faults().Inject(qbofake.RouteInvoiceCreate, qbofake.Fault{Latency: 2 * time.Second, Times: 1})
	body := execution(portal1, "ap-20000001-slow-7-0", 1011, nil)
	out := ts.workflowCall(t, workflowPath, "v2", body, workflowPath).outputs(t)
	if out["hs_execution_state"] != "BLOCK" || out["hs_expiration_duration"] != "P1D" {
		t.Fatalf("outputs = %v, want BLOCK", out)
	}

	var done []hubspotfake.ActionCompletion
	deadline := time.Now().Add(15 * time.Second)
	for len(done) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		done = ts.fakes.HubSpot.ActionCompletions(portal1)
	}
	if len(done) != 1 {
		t.Fatalf("completions = %+v, want one", done)
	}
	got := done[0]
	if got.CallbackID != "ap-20000001-slow-7-0" || got.OutputFields["hs_execution_state"] != "SUCCESS" ||
		got.OutputFields["invoiceId"] == "" || got.OutputFields["invoiceNumber"] == "" || got.OutputFields["invoiceStatus"] != "awaiting_send" {
		t.Errorf("completion = %+v", got)
	}
	if n := ts.qboCount(t, usRealm, "Invoice") - before; n != 1 {
		t.Errorf("%d invoices made, want 1", n)
	}
	// HubSpot asking again answers the invoice the queue made.
	again := ts.workflowCall(t, workflowPath, "v2", body, workflowPath).outputs(t)
	if again["invoiceId"] != got.OutputFields["invoiceId"] || again["hs_execution_state"] != "SUCCESS" {
		t.Errorf("repeat = %v, want the completed invoice %v", again, got.OutputFields)
	}
}

func TestWorkflowOptionsListThePortalsCompanies(t *testing.T) {
	ts := newTestServer(t)
	req := map[string]any{"portalId": portal1, "actionDefinitionId": 10646377, "actionDefinitionVersion": 1, "objectTypeId": "0-3",
		"inputFieldName": "connectionId", "inputFieldValues": map[string]any{}, "fetchOptions": map[string]any{}}
	var got struct {
		Options []struct{ Label, Description, Value string }
	}
	a := ts.workflowCall(t, workflowOptionsPath, "v2", req, workflowOptionsPath)
	if a.status != http.StatusOK {
		t.Fatalf("%d %s", a.status, a.body)
	}
	a.decode(t, &got)
	if len(got.Options) != 2 || got.Options[0].Value != ts.conns[usRealm].ID || got.Options[1].Value != ts.conns[caRealm].ID ||
		got.Options[0].Label != "Northwind Traders (US)" || got.Options[0].Description != "US · USD · default" {
		t.Errorf("options = %+v", got.Options)
	}
	req["fetchOptions"] = map[string]any{"q": "maple"}
	ts.workflowCall(t, workflowOptionsPath, "v3", req, workflowOptionsPath).decode(t, &got)
	if len(got.Options) != 1 || got.Options[0].Value != ts.conns[caRealm].ID {
		t.Errorf("q=maple: %+v", got.Options)
	}
	req["portalId"], req["fetchOptions"] = portal2, map[string]any{}
	ts.workflowCall(t, workflowOptionsPath, "v2", req, workflowOptionsPath).decode(t, &got)
	if len(got.Options) != 1 || got.Options[0].Value != ts.conns[gbRealm].ID {
		t.Errorf("portal two: %+v", got.Options)
	}
	if a := ts.workflowCall(t, workflowOptionsPath, "bad", req, workflowOptionsPath); a.status != http.StatusUnauthorized {
		t.Errorf("bad signature: %d", a.status)
	}
}

// hubspotAs calls the HubSpot fake with a private app's token, as a
// portal's admin would, and returns the answer.
func (ts *testServer) hubspotAs(t *testing.T, token, method, path string, body any) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, "https://api.hubapi.com"+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := ts.upstream.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s at the HubSpot fake: %d %s", method, path, resp.StatusCode, raw)
	}
	var out map[string]any
	json.Unmarshal(raw, &out)
	return out
}

// TestWorkflowActionFillsTheDefaultTaxCode: outside the US, a quote line
// whose QuickBooks product has no tax code of its own gets the action's
// default code, while a product with its own keeps it.
func TestWorkflowActionFillsTheDefaultTaxCode(t *testing.T) {
	ts := newTestServer(t)
	ts.qbo(t, gbRealm, "POST", "/item", map[string]any{"Name": "Rush fee", "Type": "Service", "UnitPrice": 100,
		"IncomeAccountRef": map[string]any{"value": "1"}})
	const portal2Token = "hs-sandbox-token-portal-2"
	li := ts.hubspotAs(t, portal2Token, "POST", "/crm/v3/objects/line_items", map[string]any{
		"properties": map[string]any{"name": "Rush fee", "quantity": "1", "price": "100"}})
	ts.hubspotAs(t, portal2Token, "PUT", "/crm/v4/objects/quotes/1039/associations/default/line_items/"+li["id"].(string), nil)

	body := execution(portal2, "ap-20000002-1-1-7", 1037, map[string]any{"taxCodeId": "9", "connectionId": ts.conns[gbRealm].ID})
	out := ts.workflowCall(t, workflowPath, "v3", body, workflowPath).outputs(t)
	if out["hs_execution_state"] != "SUCCESS" {
		t.Fatalf("outputs = %v", out)
	}
	inv := ts.workflowQBOInvoice(t, gbRealm, "qbo-sandbox-access-gb", out["invoiceId"])
	codes := map[string]string{}
	for _, l := range inv["Line"].([]any) {
		line := l.(map[string]any)
		d, _ := line["SalesItemLineDetail"].(map[string]any)
		if d == nil {
			continue
		}
		ref, _ := d["TaxCodeRef"].(map[string]any)
		item, _ := d["ItemRef"].(map[string]any)
		codes[fmt.Sprint(item["name"])] = fmt.Sprint(ref["value"])
	}
	if codes["Rush fee"] != "9" || codes["Advisory day"] != "8" {
		t.Errorf("tax codes by product = %v, want Rush fee 9 (the default) and Advisory day 8 (its own)", codes)
	}
}
