package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/qbofake"
)

// seededRecord is the id of a seeded record of a realm by its kind
// ("items", "terms") and label.
func (ts *testServer) seededRecord(t testing.TB, realm, kind, label string) string {
	t.Helper()
	for _, r := range ts.fakes.Seed.Realms {
		if r.RealmID == realm {
			if id := r.Records[kind][label]; id != "" {
				return id
			}
		}
	}
	t.Fatalf("no seeded %s %s in realm %s", kind, label, realm)
	return ""
}

// renameInQBO changes a list entity's fields in QuickBooks, as a bookkeeper
// does there (a sparse update), and returns when QuickBooks dated it.
func (ts *testServer) renameInQBO(t testing.TB, realm, entity, id string, fields map[string]any) time.Time {
	t.Helper()
	path := "/" + map[string]string{"Item": "item", "Term": "term"}[entity]
	cur := ts.qbo(t, realm, "GET", path+"/"+id, nil)[entity].(map[string]any)
	body := map[string]any{"Id": id, "SyncToken": cur["SyncToken"], "sparse": true}
	for k, v := range fields {
		body[k] = v
	}
	out := ts.qbo(t, realm, "POST", path, body)[entity].(map[string]any)
	at, err := time.Parse(time.RFC3339, out["MetaData"].(map[string]any)["LastUpdatedTime"].(string))
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// listEvent is a QuickBooks webhook body with one change of an entity
// kind ("item", "term") of realm, as Intuit's CloudEvents carry it.
func listEvent(realm, kind, id, verb string, at time.Time) []byte {
	b, _ := json.Marshal([]map[string]any{{
		"specversion": "1.0", "id": fmt.Sprintf("%s-%s-%s-%d", kind, id, verb, at.UnixNano()), "source": "intuit.test",
		"type": "qbo." + kind + "." + verb + ".v1", "datacontenttype": "application/json",
		"time": at.UTC().Format(time.RFC3339Nano), "intuitentityid": id, "intuitaccountid": realm, "data": map[string]any{},
	}})
	return b
}

// TestItemAndTermChangesDropTheCachedLists: the card's item and term
// lookups are served from the cache (a second read asks QuickBooks
// nothing, and a rename made in QuickBooks stays unseen) until QuickBooks
// reports the change: an Item change drops the item list only, a Term
// change the term list, and the card then shows the new name. The same
// holds when the changes arrive through the reconcile instead of webhooks.
func TestItemAndTermChangesDropTheCachedLists(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{})) // no webhooks from the fake: the test posts them
	conn := ts.conns[usRealm]
	const route = "/api/v1/connections/{id}/{lookup}"
	queries := func() int { return ts.fakes.QBO.Counters().Count(qbofake.RouteQuery, usRealm) }
	items := func() []string {
		t.Helper()
		var got struct{ Items []struct{ ID, Name string } }
		a := ts.call(t, card(portal1), "GET", "/api/v1/connections/"+conn.ID+"/items?q=des", route)
		if a.status != http.StatusOK {
			t.Fatalf("items: %d %s", a.status, a.body)
		}
		a.decode(t, &got)
		var names []string
		for _, it := range got.Items {
			names = append(names, it.Name)
		}
		return names
	}
	terms := func() []string {
		t.Helper()
		var got struct {
			Terms []struct {
				ID, Name string
				DueDays  int
			}
		}
		a := ts.call(t, card(portal1), "GET", "/api/v1/connections/"+conn.ID+"/terms", route)
		if a.status != http.StatusOK {
			t.Fatalf("terms: %d %s", a.status, a.body)
		}
		a.decode(t, &got)
		var names []string
		for _, tm := range got.Terms {
			names = append(names, fmt.Sprintf("%s/%d", tm.Name, tm.DueDays))
		}
		return names
	}
	has := func(list []string, name string) bool { return slices.Contains(list, name) }
	item := ts.seededRecord(t, usRealm, "items", "design") // "Design hours"
	term := ts.seededRecord(t, usRealm, "terms", "net30")  // "Net 30", 30 days

	// Cold, then warm: the second read is the cache's.
	start := queries()
	if got := items(); !has(got, "Design hours") {
		t.Fatalf("items before any change: %q", got)
	}
	if got := terms(); !has(got, "Net 30/30") {
		t.Fatalf("terms before any change: %q", got)
	}
	if queries() == start {
		t.Fatal("the cold lookups asked QuickBooks nothing")
	}
	warm := queries()
	items()
	terms()
	if n := queries() - warm; n != 0 {
		t.Fatalf("the warm lookups asked QuickBooks %d times", n)
	}

	// A bookkeeper renames both in QuickBooks: until QuickBooks says so,
	// the card still reads the cached lists.
	itemAt := ts.renameInQBO(t, usRealm, "Item", item, map[string]any{"Name": "Design sprint"})
	termAt := ts.renameInQBO(t, usRealm, "Term", term, map[string]any{"Name": "Net 45", "DueDays": 45})
	warm = queries()
	if got := items(); !has(got, "Design hours") || has(got, "Design sprint") {
		t.Fatalf("items before the webhook: %q, want the cached list", got)
	}
	if got := terms(); !has(got, "Net 30/30") || has(got, "Net 45/45") {
		t.Fatalf("terms before the webhook: %q, want the cached list", got)
	}
	if n := queries() - warm; n != 0 {
		t.Fatalf("the lookups before the webhook asked QuickBooks %d times", n)
	}

	// The item's webhook drops the item list, not the term list.
	if s := ts.postWebhook(t, listEvent(usRealm, "item", item, "updated", itemAt)); s != http.StatusOK {
		t.Fatalf("item webhook: %d", s)
	}
	took := eventually(t, 10*time.Second, "the card's items show the new name", func() bool {
		got := items()
		return has(got, "Design sprint") && !has(got, "Design hours")
	})
	t.Logf("item webhook to the card's lookup: %s", took)
	warm = queries()
	if got := terms(); !has(got, "Net 30/30") {
		t.Errorf("terms after the item's webhook: %q, want the cached list still", got)
	}
	if n := queries() - warm; n != 0 {
		t.Errorf("the item's change dropped the term list too (%d QuickBooks reads)", n)
	}

	// The term's webhook drops the term list.
	if s := ts.postWebhook(t, listEvent(usRealm, "term", term, "updated", termAt)); s != http.StatusOK {
		t.Fatalf("term webhook: %d", s)
	}
	took = eventually(t, 10*time.Second, "the card's terms show the new term", func() bool {
		got := terms()
		return has(got, "Net 45/45") && !has(got, "Net 30/30")
	})
	t.Logf("term webhook to the card's lookup: %s", took)

	// Cached again: the new lists cost nothing more.
	warm = queries()
	items()
	terms()
	if n := queries() - warm; n != 0 {
		t.Errorf("the re-read lists are not cached: %d QuickBooks reads", n)
	}

	// Through the reconcile, with no webhook: renamed again, the lists
	// stay cached until the reconcile applies QuickBooks' changes.
	time.Sleep(1100 * time.Millisecond) // QuickBooks dates changes to the second
	ts.renameInQBO(t, usRealm, "Item", item, map[string]any{"Name": "Design workshop"})
	ts.renameInQBO(t, usRealm, "Term", term, map[string]any{"Name": "Net 60 days", "DueDays": 60})
	if got := items(); !has(got, "Design sprint") {
		t.Fatalf("items before the reconcile: %q, want the cached list", got)
	}
	if err := ts.svc.Reconcile(context.Background(), conn.ID); err != nil {
		t.Fatal(err)
	}
	if got := items(); !has(got, "Design workshop") || has(got, "Design sprint") {
		t.Errorf("items after the reconcile: %q, want the new name", got)
	}
	if got := terms(); !has(got, "Net 60 days/60") || has(got, "Net 45/45") {
		t.Errorf("terms after the reconcile: %q, want the new term", got)
	}
}
