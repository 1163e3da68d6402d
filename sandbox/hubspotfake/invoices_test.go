package hubspotfake_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/internal/fakekit"
)

// TestInvoiceObject pins what the reference says of HubSpot's invoice object
// (§4.1, §4.2, §4.3) and invoice sync relies on: a required hs_currency,
// the hs_invoice_status options, a unique custom property read and written
// by idProperty, and the deal, contact and company association types.
func TestInvoiceObject(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})

	// hs_invoice_status is an enumeration of draft, open, paid, voided.
	e := f.do(token1, "GET", "/crm/v3/properties/invoices/hs_invoice_status", nil)
	e.want(t, http.StatusOK)
	var opts []string
	for _, o := range e.json(t)["options"].([]any) {
		opts = append(opts, o.(map[string]any)["value"].(string))
	}
	if diff := cmp.Diff([]string{"draft", "open", "paid", "voided"}, opts); diff != "" {
		t.Errorf("hs_invoice_status options (-want +got):\n%s", diff)
	}

	// A unique custom property: created, then values are unique among
	// invoices and name an invoice by idProperty.
	f.do(token1, "POST", "/crm/v3/properties/invoices", map[string]any{"name": "qbo_invoice_key", "label": "Key",
		"type": "string", "fieldType": "text", "groupName": "invoiceinformation", "hasUniqueValue": true}).want(t, http.StatusCreated)
	create := func(key, status string) exchange {
		p := map[string]any{"hs_currency": "USD", "qbo_invoice_key": key}
		if status != "" {
			p["hs_invoice_status"] = status
		}
		return f.do(token1, "POST", "/crm/v3/objects/invoices", map[string]any{"properties": p})
	}
	e = create("r:1", "open")
	e.want(t, http.StatusCreated)
	inv := e.json(t)["id"].(string)
	v := envelope(t, create("r:1", ""), http.StatusConflict, "CONFLICT")
	if !strings.Contains(v["message"].(string), "Existing ID: "+inv) {
		t.Errorf("duplicate key: %v", v["message"])
	}
	envelope(t, create("r:2", "overdue"), http.StatusBadRequest, "VALIDATION_ERROR") // not an option

	e = f.do(token1, "GET", "/crm/v3/objects/invoices/r:1?idProperty=qbo_invoice_key&properties=hs_invoice_status", nil)
	e.want(t, http.StatusOK)
	if e.json(t)["id"] != inv || props(t, e.json(t))["hs_invoice_status"] != "open" {
		t.Errorf("read by key: %s", e.body)
	}
	f.do(token1, "PATCH", "/crm/v3/objects/invoices/r:1?idProperty=qbo_invoice_key", map[string]any{"properties": map[string]any{"hs_invoice_status": "paid"}}).want(t, http.StatusOK)
	if got, _ := f.srv.Object(portal1, "invoices", inv); got["hs_invoice_status"] != "paid" {
		t.Errorf("after a write by key: %v", got)
	}
	envelope(t, f.do(token1, "GET", "/crm/v3/objects/invoices/r:1?idProperty=hs_number", nil), http.StatusBadRequest, "VALIDATION_ERROR")
	f.do(token1, "GET", "/crm/v3/objects/invoices/r:9?idProperty=qbo_invoice_key", nil).want(t, http.StatusNotFound)
	// Another portal has neither the property nor the invoice.
	f.do(token2, "GET", "/crm/v3/objects/invoices/"+inv, nil).want(t, http.StatusNotFound)

	// Deal 176, contact 178, company 180 (and their inverses).
	deal, alice, acme := f.id("deals", "with_quotes"), f.id("contacts", "alice"), f.id("companies", "acme")
	for _, a := range []struct {
		from, id string
		typeID   int
		inverse  int
	}{{"deals", deal, 176, 175}, {"contacts", alice, 178, 177}, {"companies", acme, 180, 179}} {
		f.do(token1, "PUT", "/crm/v4/objects/"+a.from+"/"+a.id+"/associations/invoices/"+inv,
			[]any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": a.typeID}}).want(t, http.StatusOK)
		if got := f.srv.Associations(portal1, a.from, a.id, "invoices"); fmt.Sprint(got[inv]) != fmt.Sprint([]int{a.typeID}) {
			t.Errorf("%s→invoice = %v", a.from, got)
		}
		if got := f.srv.Associations(portal1, "invoices", inv, a.from); fmt.Sprint(got[a.id]) != fmt.Sprint([]int{a.inverse}) {
			t.Errorf("invoice→%s = %v", a.from, got)
		}
	}
	// A deal's type id cannot link a contact.
	envelope(t, f.do(token1, "PUT", "/crm/v4/objects/contacts/"+alice+"/associations/invoices/"+inv,
		[]any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 176}}), http.StatusBadRequest, "VALIDATION_ERROR")

	// Archived, it is gone for reads by key, and its key is free again.
	f.do(token1, "DELETE", "/crm/v3/objects/invoices/"+inv, nil).want(t, http.StatusNoContent)
	f.do(token1, "GET", "/crm/v3/objects/invoices/r:1?idProperty=qbo_invoice_key", nil).want(t, http.StatusNotFound)
	create("r:1", "").want(t, http.StatusCreated)
}

// TestAfterFaults: a fault armed on AfterFaults strikes once the request
// was handled, so a create whose answer is dropped still made its record.
func TestAfterFaults(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	body := map[string]any{"properties": map[string]any{"hs_currency": "USD", "hs_number": "A-1"}}
	post := func() (*http.Response, error) {
		req, _ := http.NewRequest("POST", "https://api.hubapi.com/crm/v3/objects/invoices", strings.NewReader(`{"properties":{"hs_currency":"USD","hs_number":"A-1"}}`))
		req.Header.Set("Authorization", "Bearer "+token1)
		req.Header.Set("Content-Type", "application/json")
		return f.http.Do(req)
	}

	// Dropped: a transport error, and the invoice exists.
	f.srv.AfterFaults().Inject(hubspotfake.RouteObjectsCreate+":invoices", fakekit.Fault{Drop: true, Times: 1})
	if resp, err := post(); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped answer arrived: %d", resp.StatusCode)
	}
	if ids := f.srv.Objects(portal1, "invoices"); len(ids) != 1 {
		t.Fatalf("invoices after a dropped answer: %v, want the one created", ids)
	}
	if n := f.srv.Counters().Count(hubspotfake.RouteObjectsCreate, "20000001"); n != 1 {
		t.Errorf("counted %d creates", n)
	}

	// Times ran out: the next create is answered.
	f.do(token1, "POST", "/crm/v3/objects/invoices", body).want(t, http.StatusCreated)

	// Status replaces the answer; the record is still made.
	f.srv.AfterFaults().Inject(hubspotfake.RouteObjectsCreate, fakekit.Fault{Status: 502, Body: []byte("bad gateway"), Times: 1})
	f.do(token1, "POST", "/crm/v3/objects/invoices", body).want(t, http.StatusBadGateway)
	if ids := f.srv.Objects(portal1, "invoices"); len(ids) != 3 {
		t.Errorf("invoices: %v, want three", ids)
	}

	// Latency delays a handled answer, which then arrives whole.
	f.srv.AfterFaults().Inject(hubspotfake.RouteObjectsGet+":invoices", fakekit.Fault{Latency: 20 * time.Millisecond, Times: 1})
	start := time.Now()
	e := f.do(token1, "GET", "/crm/v3/objects/invoices/"+f.srv.Objects(portal1, "invoices")[0]+"?properties=hs_number", nil)
	e.want(t, http.StatusOK)
	if time.Since(start) < 20*time.Millisecond || props(t, e.json(t))["hs_number"] != "A-1" {
		t.Errorf("delayed answer: %s after %v", e.body, time.Since(start))
	}

	// A fault on Faults answers first: the request is never handled.
	f.srv.Faults().Inject(hubspotfake.RouteObjectsCreate, fakekit.Fault{Status: 503, Times: 1})
	f.srv.AfterFaults().Inject(hubspotfake.RouteObjectsCreate, fakekit.Fault{Drop: true, Times: 1})
	f.do(token1, "POST", "/crm/v3/objects/invoices", body).want(t, http.StatusServiceUnavailable)
	if ids := f.srv.Objects(portal1, "invoices"); len(ids) != 3 {
		t.Errorf("invoices after a refused create: %v", ids)
	}
	f.srv.AfterFaults().Clear("")
}
