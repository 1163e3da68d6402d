package hubspot

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/clarkmcc/go-hubspot/generated/v3/objects"
	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// TestRecordWithReadsPagedListsWhole: a type whose list the v3 read pages
// is read whole through the v4 list; one it does not page is taken as it
// is, keyed "line items" or "line_items".
func TestRecordWithReadsPagedListsWhole(t *testing.T) {
	var seen []string
	c := New(Config{HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r.URL.Path)
		body := `{"id":"1011","properties":{"dealname":"Big"},"createdAt":"2026-01-01T00:00:00Z","updatedAt":"2026-01-01T00:00:00Z",
			"associations":{
				"line items":{"results":[{"id":"7","type":"deal_to_line_item"},{"id":"8","type":"deal_to_line_item"}]},
				"contacts":{"results":[{"id":"5","type":"deal_to_contact"}],"paging":{"next":{"after":"5","link":"x"}}}}}`
		if strings.HasPrefix(r.URL.Path, "/crm/v4/") {
			body = `{"results":[{"toObjectId":5,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":3}]},
				{"toObjectId":6,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":3}]}]}`
		}
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(strings.NewReader(body))}, nil
	})}}, nil)
	props, linked, err := c.RecordWith(context.Background(), portal1, app.ObjectRef{Type: app.Deals, ID: "1011"},
		[]string{"dealname"}, []string{"contacts", "line_items", "companies"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"contacts": {"5", "6"}, "line_items": {"7", "8"}, "companies": nil}
	if diff := cmp.Diff(want, linked); diff != "" || props["dealname"] != "Big" {
		t.Errorf("linked (-want +got):\n%s; props %v", diff, props)
	}
	if diff := cmp.Diff([]string{"/crm/v3/objects/deals/1011", "/crm/v4/objects/deals/1011/associations/contacts"}, seen); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestV3AssociatedIDs(t *testing.T) {
	r := func(id, typ string) objects.AssociatedId { return objects.AssociatedId{Id: id, Type: typ} }
	cases := []struct {
		from, to string
		in       []objects.AssociatedId
		want     []string
	}{
		{"deals", "companies", []objects.AssociatedId{r("1", "deal_to_company_unlabeled"), r("2", "deal_to_company"), r("2", "deal_to_company_unlabeled")}, []string{"2", "1"}},
		{"deals", "companies", []objects.AssociatedId{r("1", "deal_to_company_unlabeled"), r("3", "deal_to_company_unlabeled")}, []string{"1", "3"}},
		{"deals", "contacts", []objects.AssociatedId{r("9", "deal_to_contact"), r("4", "deal_to_contact"), r("9", "deal_to_contact")}, []string{"9", "4"}},
		{"deals", "quotes", nil, nil},
	}
	for _, c := range cases {
		if diff := cmp.Diff(c.want, v3AssociatedIDs(c.from, c.to, c.in)); diff != "" {
			t.Errorf("%s→%s %v (-want +got):\n%s", c.from, c.to, c.in, diff)
		}
	}
}
