package hubspotfake_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

type filter = map[string]any

func group(filters ...filter) map[string]any { return map[string]any{"filters": filters} }

// searchIDs runs a search and returns the ids found, in order.
func (f *fixture) searchIDs(token, objectType string, body map[string]any) []string {
	f.t.Helper()
	e := f.do(token, "POST", "/crm/v3/objects/"+objectType+"/search", body)
	e.want(f.t, http.StatusOK)
	var ids []string
	for _, r := range e.json(f.t)["results"].([]any) {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	return ids
}

func TestSearchContactsByEmail(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	e := f.do(token1, "POST", "/crm/v3/objects/contacts/search", map[string]any{
		"filterGroups": []any{group(filter{"propertyName": "email", "operator": "EQ", "value": "AP@ACME.example"})},
		"properties":   []string{"email", "firstname", "phone"},
	})
	e.want(t, http.StatusOK)
	golden(t, "search_contacts_by_email", e)
	v := e.json(t)
	if v["total"] != 1.0 || v["paging"] != nil {
		t.Errorf("total %v paging %v", v["total"], v["paging"])
	}
	r := v["results"].([]any)[0].(map[string]any)
	checkObjectShape(t, r)
	want := map[string]any{"email": "ap@acme.example", "firstname": "Alice", "phone": nil, "hs_object_id": f.id("contacts", "alice"),
		"createdate": "2026-01-15T17:00:00.000Z", "lastmodifieddate": "2026-01-15T17:00:00.000Z"}
	if diff := cmp.Diff(want, props(t, r)); diff != "" {
		t.Errorf("properties (-want +got):\n%s", diff)
	}
	// Search answers carry no rate-limit headers (reference §4.5).
	for k := range e.header {
		if strings.HasPrefix(k, "X-Hubspot-Ratelimit") {
			t.Errorf("search answer carries %s", k)
		}
	}
}

func TestSearchOperators(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{SearchPerSecond: -1})
	withQuotes, noQuotes, cad, empty := f.id("deals", "with_quotes"), f.id("deals", "no_quotes"), f.id("deals", "cad"), f.id("deals", "empty")
	for _, tc := range []struct {
		name   string
		groups []any
		want   []string
	}{
		{"EQ", []any{group(filter{"propertyName": "amount", "operator": "EQ", "value": "600"})}, []string{withQuotes}},
		{"NEQ keeps records without the property", []any{group(filter{"propertyName": "amount", "operator": "NEQ", "value": "600"})}, []string{noQuotes, cad, empty}},
		{"GT numeric", []any{group(filter{"propertyName": "amount", "operator": "GT", "value": "999"})}, []string{noQuotes, cad}},
		{"GTE", []any{group(filter{"propertyName": "amount", "operator": "GTE", "value": 1000})}, []string{noQuotes, cad}},
		{"LT", []any{group(filter{"propertyName": "amount", "operator": "LT", "value": "1000"})}, []string{withQuotes}},
		{"LTE", []any{group(filter{"propertyName": "amount", "operator": "LTE", "value": "1000"})}, []string{withQuotes, noQuotes}},
		{"BETWEEN inclusive", []any{group(filter{"propertyName": "amount", "operator": "BETWEEN", "value": "600", "highValue": "1000"})}, []string{withQuotes, noQuotes}},
		{"IN", []any{group(filter{"propertyName": "deal_currency_code", "operator": "IN", "values": []string{"cad", "gbp"}})}, []string{cad}},
		{"NOT_IN", []any{group(filter{"propertyName": "deal_currency_code", "operator": "NOT_IN", "values": []string{"usd"}})}, []string{cad}},
		{"HAS_PROPERTY", []any{group(filter{"propertyName": "amount", "operator": "HAS_PROPERTY"})}, []string{withQuotes, noQuotes, cad}},
		{"NOT_HAS_PROPERTY", []any{group(filter{"propertyName": "amount", "operator": "NOT_HAS_PROPERTY"})}, []string{empty}},
		{"CONTAINS_TOKEN", []any{group(filter{"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "Redesign"})}, []string{withQuotes}},
		{"CONTAINS_TOKEN wildcard", []any{group(filter{"propertyName": "dealname", "operator": "CONTAINS_TOKEN", "value": "expan*"})}, []string{cad}},
		{"NOT_CONTAINS_TOKEN", []any{group(filter{"propertyName": "dealname", "operator": "NOT_CONTAINS_TOKEN", "value": "newco"})}, []string{withQuotes, cad, empty}},
		{"filters AND'ed", []any{group(
			filter{"propertyName": "deal_currency_code", "operator": "EQ", "value": "USD"},
			filter{"propertyName": "amount", "operator": "GT", "value": "700"})}, []string{noQuotes}},
		{"groups OR'ed", []any{
			group(filter{"propertyName": "dealname", "operator": "EQ", "value": "Maple expansion"}),
			group(filter{"propertyName": "amount", "operator": "EQ", "value": "600"})}, []string{withQuotes, cad}},
		{"association filter", []any{group(filter{"propertyName": "associations.contact", "operator": "EQ", "value": f.id("contacts", "bob")})}, []string{noQuotes}},
	} {
		got := f.searchIDs(token1, "deals", map[string]any{"filterGroups": tc.groups})
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}

	// Datetimes compare as instants: quotes past their expiration.
	got := f.searchIDs(token1, "quotes", map[string]any{"filterGroups": []any{group(
		filter{"propertyName": "hs_expiration_date", "operator": "LT", "value": fmt.Sprint(epoch.UnixMilli())})}})
	if diff := cmp.Diff([]string{f.id("quotes", "expired")}, got); diff != "" {
		t.Errorf("expired quotes (-want +got):\n%s", diff)
	}

	// Sorts, both as objects and as go-hubspot's bare strings.
	got = f.searchIDs(token1, "deals", map[string]any{"sorts": []any{map[string]any{"propertyName": "amount", "direction": "DESCENDING"}}})
	if diff := cmp.Diff([]string{cad, noQuotes, withQuotes, empty}, got); diff != "" {
		t.Errorf("sort by amount descending (-want +got):\n%s", diff)
	}
	got = f.searchIDs(token1, "deals", map[string]any{"sorts": []string{"dealname"}})
	if diff := cmp.Diff([]string{withQuotes, empty, cad, noQuotes}, got); diff != "" {
		t.Errorf("sort by dealname (-want +got):\n%s", diff)
	}

	// Free-text query over the default searchable properties.
	if got := f.searchIDs(token1, "contacts", map[string]any{"query": "newman"}); fmt.Sprint(got) != "["+f.id("contacts", "bob")+"]" {
		t.Errorf("query newman = %v", got)
	}
	if got := f.searchIDs(token1, "companies", map[string]any{"query": "maplesyrup"}); fmt.Sprint(got) != "["+f.id("companies", "maple")+"]" {
		t.Errorf("query maplesyrup = %v", got)
	}
}

func TestSearchPaging(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{SearchPerSecond: -1})
	for i := 0; i < 25; i++ {
		if _, err := f.srv.AddObject(portal2, "contacts", map[string]string{"email": fmt.Sprintf("p%02d@paging.example", i)}); err != nil {
			t.Fatal(err)
		}
	}
	body := map[string]any{"filterGroups": []any{group(filter{"propertyName": "email", "operator": "CONTAINS_TOKEN", "value": "*paging*"})},
		"properties": []string{"email"}, "limit": 10}
	var seen []string
	after := ""
	for page := 0; ; page++ {
		body["after"] = after
		e := f.do(token2, "POST", "/crm/v3/objects/contacts/search", body)
		e.want(t, http.StatusOK)
		if page == 0 {
			golden(t, "search_paging_first_page", e)
		}
		v := e.json(t)
		if v["total"] != 25.0 {
			t.Fatalf("total = %v, want 25", v["total"])
		}
		for _, r := range v["results"].([]any) {
			seen = append(seen, props(t, r.(map[string]any))["email"].(string))
		}
		if v["paging"] == nil {
			break
		}
		after = v["paging"].(map[string]any)["next"].(map[string]any)["after"].(string)
		if want := fmt.Sprint((page + 1) * 10); after != want {
			t.Fatalf("after = %s, want %s", after, want)
		}
	}
	if len(seen) != 25 || seen[0] != "p00@paging.example" || seen[24] != "p24@paging.example" {
		t.Errorf("paged through %d records: %v", len(seen), seen)
	}

	// limit defaults to 10 and is capped at 200.
	if n := len(f.searchIDs(token2, "contacts", map[string]any{})); n != 10 {
		t.Errorf("default page size %d, want 10", n)
	}
	for i := 0; i < 200; i++ {
		if _, err := f.srv.AddObject(portal2, "contacts", map[string]string{"firstname": "Bulk"}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(f.searchIDs(token2, "contacts", map[string]any{"limit": 500})); n != 200 {
		t.Errorf("limit 500 returned %d, want the 200 cap", n)
	}
	g := newFixture(t, hubspotfake.Options{SearchRejectOverLimit: true})
	envelope(t, g.do(token1, "POST", "/crm/v3/objects/contacts/search", map[string]any{"limit": 201}), 400, "VALIDATION_ERROR")
}

func TestSearchStopsAt10000Results(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{SearchPerSecond: -1})
	for i := 0; i < 10050; i++ {
		if _, err := f.srv.AddObject(portal2, "products", map[string]string{"name": "Bulk", "price": "1"}); err != nil {
			t.Fatal(err)
		}
	}
	body := map[string]any{"filterGroups": []any{group(filter{"propertyName": "name", "operator": "EQ", "value": "Bulk"})}, "limit": 10, "after": "9990"}
	e := f.do(token2, "POST", "/crm/v3/objects/products/search", body)
	e.want(t, http.StatusOK)
	v := e.json(t)
	if v["total"] != 10050.0 || len(v["results"].([]any)) != 10 {
		t.Fatalf("total %v, %d results", v["total"], len(v["results"].([]any)))
	}
	next := v["paging"].(map[string]any)["next"].(map[string]any)["after"]
	if next != "10000" {
		t.Fatalf("next after = %v", next)
	}
	body["after"] = next
	e = f.do(token2, "POST", "/crm/v3/objects/products/search", body)
	golden(t, "error_400_search_past_10000", e)
	envelope(t, e, http.StatusBadRequest, "VALIDATION_ERROR")

	// A page that straddles the cap stops at result 10 000.
	body["after"], body["limit"] = "9950", 100
	if v := f.do(token2, "POST", "/crm/v3/objects/products/search", body).json(t); len(v["results"].([]any)) != 50 {
		t.Errorf("straddling page has %d results, want 50", len(v["results"].([]any)))
	}
}

func TestSearchValidation(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{SearchPerSecond: -1})
	eq := filter{"propertyName": "amount", "operator": "EQ", "value": "1"}
	many := func(n int) []filter {
		out := make([]filter, n)
		for i := range out {
			out[i] = eq
		}
		return out
	}
	for _, tc := range []struct {
		name string
		body map[string]any
	}{
		{"6 filter groups", map[string]any{"filterGroups": []any{group(eq), group(eq), group(eq), group(eq), group(eq), group(eq)}}},
		{"7 filters in a group", map[string]any{"filterGroups": []any{group(many(7)...)}}},
		{"19 filters in all", map[string]any{"filterGroups": []any{group(many(6)...), group(many(6)...), group(many(6)...), group(eq)}}},
		{"unknown operator", map[string]any{"filterGroups": []any{group(filter{"propertyName": "amount", "operator": "LIKE", "value": "1"})}}},
		{"unknown property", map[string]any{"filterGroups": []any{group(filter{"propertyName": "nope", "operator": "EQ", "value": "1"})}}},
		{"EQ without value", map[string]any{"filterGroups": []any{group(filter{"propertyName": "amount", "operator": "EQ"})}}},
		{"bad after", map[string]any{"after": "abc"}},
		{"body over 3000 characters", map[string]any{"query": strings.Repeat("x", 3000)}},
	} {
		e := f.do(token1, "POST", "/crm/v3/objects/deals/search", tc.body)
		if e.status != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400: %s", tc.name, e.status, e.body)
			continue
		}
		envelope(t, e, http.StatusBadRequest, "VALIDATION_ERROR")
	}
	// 18 filters (3 groups of 6) are allowed.
	f.do(token1, "POST", "/crm/v3/objects/deals/search", map[string]any{"filterGroups": []any{group(many(6)...), group(many(6)...), group(many(6)...)}}).want(t, http.StatusOK)
}

func TestSearchRateLimitPerToken(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	search := func(token string) exchange {
		return f.do(token, "POST", "/crm/v3/objects/contacts/search", map[string]any{"limit": 1})
	}
	for i := 0; i < 5; i++ {
		search(token1).want(t, http.StatusOK)
	}
	e := search(token1)
	golden(t, "error_429_search_secondly", e)
	envelope(t, e, http.StatusTooManyRequests, "RATE_LIMITS")
	search(token2).want(t, http.StatusOK) // another token has its own limit

	// Search does not use up the ten-second window of the portal.
	e = f.do(token1, "GET", "/crm/v3/objects/deals/"+f.id("deals", "cad"), nil)
	if got := e.header.Get("X-HubSpot-RateLimit-Remaining"); got != "109" {
		t.Errorf("Remaining after 6 searches = %s, want 109", got)
	}

	f.clock.Advance(time.Second)
	search(token1).want(t, http.StatusOK)
}

func TestSearchIndexDelay(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{SearchIndexDelay: 2 * time.Second, SearchPerSecond: -1})
	f.do(token1, "POST", "/crm/v3/objects/contacts", map[string]any{"properties": map[string]any{"email": "late@x.example"}}).want(t, http.StatusCreated)
	body := map[string]any{"filterGroups": []any{group(filter{"propertyName": "email", "operator": "EQ", "value": "late@x.example"})}}
	if ids := f.searchIDs(token1, "contacts", body); len(ids) != 0 {
		t.Errorf("a record created just now was found: %v", ids)
	}
	f.clock.Advance(3 * time.Second)
	if ids := f.searchIDs(token1, "contacts", body); len(ids) != 1 {
		t.Errorf("after the delay: %v", ids)
	}
}
