package hubspot_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// TestRecordWithListsWhatAssociatedLists: one read gives a record's
// properties and, for every type, the ids Associated gives, in its order
// (the primary company first), where Associated costs a request a type.
func TestRecordWithListsWhatAssociatedLists(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	ctx := context.Background()
	dealID := f.id(t, 20000001, "deals", "with_quotes")
	acme := f.id(t, 20000001, "companies", "acme")
	newer := f.newPrimaryCompany(t, dealID)

	types := []string{"contacts", "companies", "quotes", "line_items"}
	for _, id := range []string{dealID, f.id(t, 20000001, "deals", "empty")} {
		f.srv.Counters().Reset()
		props, linked, err := f.client.RecordWith(ctx, portal1, deal(id), []string{"dealname", "deal_currency_code"}, types)
		if err != nil {
			t.Fatal(err)
		}
		if n := f.requests(); n != 1 {
			t.Errorf("deal %s: %d requests, want 1", id, n)
		}
		if props["dealname"] == "" {
			t.Errorf("deal %s: properties %v", id, props)
		}
		for _, typ := range types {
			want, err := f.client.Associated(ctx, portal1, deal(id), typ)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, linked[typ]); diff != "" {
				t.Errorf("deal %s, %s: RecordWith (-Associated +RecordWith):\n%s", id, typ, diff)
			}
		}
	}
	if _, linked, _ := f.client.RecordWith(ctx, portal1, deal(dealID), nil, []string{"companies"}); !cmp.Equal(linked["companies"], []string{newer, acme}) {
		t.Errorf("companies = %v, want the primary %s first, then %s", linked["companies"], newer, acme)
	}

	_, _, err := f.client.RecordWith(ctx, portal1, deal(f.id(t, 20000002, "deals", "with_quotes")), nil, types)
	checkErr(t, err, app.NotFound, "This deal no longer exists in HubSpot.")
	_, _, err = f.client.RecordWith(ctx, portal1, deal(dealID), nil, []string{"tickets"})
	checkErr(t, err, app.Invalid, "")
}
