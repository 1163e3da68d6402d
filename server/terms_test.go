package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// TestDateDrivenTermsDueAsQuickBooksDues: the card's lookups carry a
// date-driven term's day of the month and next-month window, and the
// service's due date for it agrees with the one QuickBooks computes for an
// invoice given only the term, on both sides of every edge.
func TestDateDrivenTermsDueAsQuickBooksDues(t *testing.T) {
	ts := newTestServer(t)
	term := ts.qbo(t, usRealm, "POST", "/term", map[string]any{"Name": "15th, next month late", "Type": "DATE_DRIVEN",
		"DayOfMonthDue": 15, "DueNextMonthDays": 5})["Term"].(map[string]any)
	id := term["Id"].(string)

	a := ts.call(t, card(portal1), "GET", "/api/v1/connections/"+ts.conns[usRealm].ID+"/terms", "/api/v1/connections/{id}/{lookup}")
	if a.status != http.StatusOK || !strings.Contains(string(a.body), `"id":"`+id+`","name":"15th, next month late","dueDays":0,"dayOfMonthDue":15,"dueNextMonthDays":5`) {
		t.Fatalf("terms lookup: %d %s", a.status, a.body)
	}

	ours := app.Term{ID: id, DayOfMonthDue: 15, DueNextMonthDays: 5}
	for _, txn := range []string{"2026-03-01", "2026-03-09", "2026-03-10", "2026-03-11", "2026-03-14", "2026-03-15",
		"2026-03-16", "2026-03-31", "2026-12-12", "2026-01-31", "2027-02-10"} {
		inv := ts.qbo(t, usRealm, "POST", "/invoice", map[string]any{
			"CustomerRef": map[string]any{"value": "1"}, "TxnDate": txn, "SalesTermRef": map[string]any{"value": id},
			"Line": []any{map[string]any{"Amount": 10, "DetailType": "SalesItemLineDetail",
				"SalesItemLineDetail": map[string]any{"ItemRef": map[string]any{"value": "1"}, "Qty": 1, "UnitPrice": 10,
					"TaxCodeRef": map[string]any{"value": "NON"}}}},
		})["Invoice"].(map[string]any)
		on, err := app.ParseDate(txn)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := ours.DueDate(on).String(), inv["DueDate"]; got != want {
			t.Errorf("dated %s: our due date %s, QuickBooks' %v", txn, got, want)
		}
	}
}
