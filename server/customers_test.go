package server_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

const customersRoute = "/api/v1/connections/{id}/customers"

// postCustomer creates a customer through the card API as portal does.
func (ts *testServer) postCustomer(t *testing.T, portal int64, connID string, body map[string]any) answer {
	t.Helper()
	resp, err := card(portal).Do(context.Background(), "POST", ts.url+"/api/v1/connections/"+connID+"/customers", body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkAgainstOpenAPI(t, "POST", customersRoute, resp.StatusCode, raw)
	return answer{resp.StatusCode, raw}
}

// TestCreateCustomerFromTheCard: the card makes a QuickBooks customer once
// per key, sees it in the cached list at once, and gets a sentence for
// what QuickBooks would refuse, before QuickBooks is asked.
func TestCreateCustomerFromTheCard(t *testing.T) {
	ts := newTestServer(t)
	us := ts.conns[usRealm].ID
	before := ts.qboCount(t, usRealm, "Customer")
	// The list is cached before the create.
	ts.call(t, card(portal1), "GET", "/api/v1/connections/"+us+"/customers?q=bakery", "/api/v1/connections/{id}/{lookup}")

	body := map[string]any{"idempotencyKey": "new-customer-0001", "displayName": " Northwind Bakery ",
		"email": "orders@bakery.example", "givenName": "Nora", "familyName": "Baker", "phone": "+1 555 0100"}
	var first struct {
		Customer struct{ ID, DisplayName, Email, Currency string }
	}
	a := ts.postCustomer(t, portal1, us, body)
	if a.status != http.StatusCreated {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	a.decode(t, &first)
	if first.Customer.ID == "" || first.Customer.DisplayName != "Northwind Bakery" || first.Customer.Email != "orders@bakery.example" {
		t.Errorf("created %+v", first.Customer)
	}
	// A double click: the same customer, not a second one.
	var again struct{ Customer struct{ ID string } }
	if a := ts.postCustomer(t, portal1, us, body); a.status != http.StatusCreated {
		t.Fatalf("repeat: %d %s", a.status, a.body)
	} else {
		a.decode(t, &again)
	}
	if again.Customer.ID != first.Customer.ID {
		t.Errorf("the repeated key made customer %s, want %s", again.Customer.ID, first.Customer.ID)
	}
	if n := ts.qboCount(t, usRealm, "Customer"); n != before+1 {
		t.Errorf("%d customers made, want 1", n-before)
	}
	// The cached list knows it at once.
	list := ts.call(t, card(portal1), "GET", "/api/v1/connections/"+us+"/customers?q=bakery", "/api/v1/connections/{id}/{lookup}")
	if !strings.Contains(string(list.body), `"id":"`+first.Customer.ID+`"`) {
		t.Errorf("the customer list after the create: %s", list.body)
	}

	// A name QuickBooks has: 409 in words.
	a = ts.postCustomer(t, portal1, us, map[string]any{"idempotencyKey": "new-customer-0002", "displayName": "Amy's Bird Sanctuary"})
	if a.status != http.StatusConflict || !strings.Contains(string(a.body), `named \"Amy's Bird Sanctuary\" already exists`) {
		t.Errorf("duplicate name: %d %s", a.status, a.body)
	}

	// Refused before QuickBooks is asked, every problem named.
	creates := func() int { return ts.fakes.QBO.Counters().Count(qbofake.RouteCustomerCreate, usRealm) }
	calls := creates()
	for _, c := range []struct {
		body map[string]any
		want []string
	}{
		{map[string]any{"idempotencyKey": "new-customer-0003", "displayName": "A: B", "email": "not an address", "phone": strings.Repeat("5", 31), "currency": "dollars"},
			[]string{"displayName: QuickBooks names cannot contain a colon", `email: \"not an address\" is not an e-mail address`, "phone: at most 30", `currency: \"DOLLARS\" is not a three-letter`}},
		{map[string]any{"idempotencyKey": "new-customer-0004", "displayName": " "}, []string{"displayName: a name is required"}},
		{map[string]any{"idempotencyKey": "new-customer-0005", "displayName": "Maple Co", "currency": "CAD"},
			[]string{"currency: Northwind Traders (US) works only in USD; turn on multicurrency in QuickBooks for a customer in CAD"}},
		{map[string]any{"displayName": "No Key Ltd"}, []string{"idempotencyKey"}},
	} {
		a := ts.postCustomer(t, portal1, us, c.body)
		if a.status != http.StatusBadRequest || a.errorCode(t) != "invalid" {
			t.Errorf("%v: %d %s, want 400 invalid", c.body, a.status, a.body)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(string(a.body), w) {
				t.Errorf("%v: %s does not say %q", c.body, a.body, w)
			}
		}
	}
	if n := creates() - calls; n != 0 {
		t.Errorf("refused requests sent QuickBooks %d customer creates", n)
	}

	// Another portal cannot use this company.
	if a := ts.postCustomer(t, portal2, us, body); a.status != http.StatusNotFound {
		t.Errorf("portal two creating in portal one's company: %d %s", a.status, a.body)
	}
}
