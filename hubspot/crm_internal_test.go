package hubspot

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// The fake does not page associations; real HubSpot does, and can send the
// primary link on any page.
func TestAssociatedFollowsPagesAndPutsPrimaryFirst(t *testing.T) {
	pages := map[string]string{
		"": `{"results":[{"toObjectId":1001,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":341,"label":null}]},
			{"toObjectId":99999999999,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":341,"label":null}]}],
			"paging":{"next":{"after":"p2","link":"?after=p2"}}}`,
		"p2": `{"results":[{"toObjectId":1001,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":341,"label":null}]},
			{"toObjectId":1003,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":341,"label":null},{"category":"HUBSPOT_DEFINED","typeId":5,"label":"Primary"}]}],
			"paging":{"next":{"after":"p3"}}}`,
		"p3": `{"results":[{"toObjectId":1004,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":5}]}]}`,
	}
	var seen []string
	c := New(Config{HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.URL.RequestURI())
		if r.Header.Get("Authorization") != "Bearer "+portal1.Tokens.Access {
			t.Errorf("Authorization = %q", r.Header.Get("Authorization"))
		}
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(pages[r.URL.Query().Get("after")]))}, nil
	})}}, nil)
	got, err := c.Associated(context.Background(), portal1, app.ObjectRef{Type: app.Deals, ID: "1011"}, "companies")
	if err != nil {
		t.Fatal(err)
	}
	// 1003 is labelled Primary; 1004 is primary by its type id alone.
	if diff := cmp.Diff([]string{"1003", "1004", "1001", "99999999999"}, got); diff != "" {
		t.Errorf("Associated (-want +got):\n%s", diff)
	}
	want := []string{
		"/crm/v4/objects/deals/1011/associations/companies?limit=500",
		"/crm/v4/objects/deals/1011/associations/companies?after=p2&limit=500",
		"/crm/v4/objects/deals/1011/associations/companies?after=p3&limit=500",
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestToLineItem(t *testing.T) {
	got, err := toLineItem("7", map[string]string{"name": "Widget", "quantity": "2.5", "price": "19.999",
		"discount": "1", "hs_discount_percentage": "10"})
	want := app.LineItem{ID: "7", Name: "Widget", Quantity: 250, UnitPrice: 2000, UnitDiscount: 100, DiscountPercent: 1000}
	if err != nil || got != want {
		t.Errorf("toLineItem = %+v, %v; want %+v", got, err, want)
	}
	if p := got.NetUnitPrice(); p != 1710 {
		t.Errorf("NetUnitPrice = %v, want 17.10", p)
	}
	for _, field := range []string{"quantity", "price", "discount", "hs_discount_percentage"} {
		_, err := toLineItem("7", map[string]string{field: "ten"})
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s \"ten\": err = %v, want one naming the field", field, err)
		}
	}
}
