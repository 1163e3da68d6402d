package server_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// Product sync end to end, as contact sync's (contactsync_test.go): the
// settings API turns it on, QuickBooks' fake sends its item webhooks to the
// real server, the queue applies them, and the HubSpot fake's products show
// the result.

// createItem creates an item in the US company and returns its id.
func (ts *testServer) createItem(t *testing.T, body string) string {
	t.Helper()
	return ts.qboPost(t, usRealm, "item", body)["Item"].(map[string]any)["Id"].(string)
}

// productsNamed lists portal one's live products with the name.
func (ts *testServer) productsNamed(name string) []string {
	var ids []string
	for _, id := range ts.fakes.HubSpot.Objects(portal1, "products") {
		if p, _ := ts.fakes.HubSpot.Object(portal1, "products", id); p["name"] == name {
			ids = append(ids, id)
		}
	}
	return ids
}

// syncedProduct waits until the item's HubSpot product is recorded and
// returns it.
func (ts *testServer) syncedProduct(t *testing.T, itemID string) string {
	t.Helper()
	var product string
	eventually(t, 10*time.Second, "item "+itemID+" becomes a product", func() bool {
		product = ts.syncedRecord(app.SyncProducts, itemID).HubSpotID
		return product != ""
	})
	return product
}

// productLog is portal one's product sync log entries of an item.
func (ts *testServer) productLog(t *testing.T, itemID string) []app.SyncLogEntry {
	t.Helper()
	page, err := ts.svc.ListSyncLog(context.Background(), portal1, app.SyncLogFilter{Object: app.SyncProducts})
	if err != nil {
		t.Fatal(err)
	}
	var out []app.SyncLogEntry
	for _, e := range page.Entries {
		if e.QBOID == itemID {
			out = append(out, e)
		}
	}
	return out
}

const widgetItem = `{"Name":"Widget Pro","Type":"Service","Sku":"WP-100","UnitPrice":12.5,"Description":"A professional widget",
	"IncomeAccountRef":{"value":"1"}}`

// TestProductSyncCreatesAndMatches: a new item becomes a product with the
// default mapping and the app's key; an item whose SKU a product has
// updates that product, no second one.
func TestProductSyncCreatesAndMatches(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
	ts.recordSync(t, "products", true, "create_or_update", "nothing")

	id := ts.createItem(t, widgetItem)
	product := ts.syncedProduct(t, id)
	props, live := ts.fakes.HubSpot.Object(portal1, "products", product)
	if !live {
		t.Fatalf("product %s is not live", product)
	}
	want := map[string]string{"name": "Widget Pro", "hs_sku": "WP-100", "price": "12.50", "description": "A professional widget",
		app.ProductKeyProperty: app.ProductKey(usRealm, id)}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("%s = %q, want %q", k, props[k], v)
		}
	}
	if ids := ts.productsNamed("Widget Pro"); fmt.Sprint(ids) != "["+product+"]" {
		t.Errorf("products named Widget Pro = %v, want only %s", ids, product)
	}
	// The log entry is written once the change's work is done, just after
	// the synced record the wait above saw.
	eventually(t, 5*time.Second, "a created entry for item "+id, func() bool {
		for _, e := range ts.productLog(t, id) {
			if e.Action == app.ActionCreated && e.Outcome == app.OutcomeSucceeded && e.HubSpotID == product {
				return true
			}
		}
		return false
	})

	// A second change of the item updates its product, no second one.
	v := ts.appliedEntity(t, app.EntityItem, id, time.Time{})
	time.Sleep(time.Until(v.Add(1100 * time.Millisecond)))
	ts.updateQBO(t, "Item", "item", id, map[string]any{"UnitPrice": 13})
	ts.appliedEntity(t, app.EntityItem, id, v)
	if p, _ := ts.fakes.HubSpot.Object(portal1, "products", product); p["price"] != "13.00" {
		t.Errorf("price after the update = %q, want 13.00", p["price"])
	}
	if ids := ts.productsNamed("Widget Pro"); len(ids) != 1 {
		t.Errorf("products named Widget Pro after the update = %v", ids)
	}

	// QuickBooks' Design hours (item 1, SKU DES-HR) matches product 1008
	// by SKU: it is updated, none is made.
	before := len(ts.fakes.HubSpot.Objects(portal1, "products"))
	ts.updateQBO(t, "Item", "item", "1", map[string]any{"Description": "Senior design hours"})
	eventually(t, 10*time.Second, "Design hours' product is updated", func() bool {
		p, _ := ts.fakes.HubSpot.Object(portal1, "products", "1008")
		return p["description"] == "Senior design hours"
	})
	if p, _ := ts.fakes.HubSpot.Object(portal1, "products", "1008"); p["hs_sku"] != "DES-HR" || p["name"] != "Design hours" {
		t.Errorf("product 1008 = %v", p)
	}
	if n := len(ts.fakes.HubSpot.Objects(portal1, "products")); n != before {
		t.Errorf("%d products, want %d", n, before)
	}
	eventually(t, 5*time.Second, "Design hours is recorded with product 1008", func() bool {
		return ts.syncedRecord(app.SyncProducts, "1").HubSpotID == "1008"
	})

	// A new item named otherwise whose SKU is Premium support's (1010,
	// SUP-P) is matched by SKU, not by name: 1010 takes its fields.
	sup := ts.createItem(t, `{"Name":"Priority support","Type":"Service","Sku":"SUP-P","UnitPrice":600,"IncomeAccountRef":{"value":"1"}}`)
	if p := ts.syncedProduct(t, sup); p != "1010" {
		t.Errorf("SKU SUP-P went to product %s, want 1010", p)
	}
	if p, live := ts.fakes.HubSpot.Object(portal1, "products", "1010"); !live || p["name"] != "Priority support" || p["price"] != "600.00" {
		t.Errorf("product 1010 = %v, live %v", p, live)
	}
	if ids := ts.productsNamed("Priority support"); fmt.Sprint(ids) != "[1010]" {
		t.Errorf("products named Priority support = %v, want only 1010", ids)
	}
	if n := len(ts.fakes.HubSpot.Objects(portal1, "products")); n != before {
		t.Errorf("%d products after the SKU match, want %d", n, before)
	}
}

// TestProductSyncChoices: update_only never creates (and says so);
// made inactive archives, keeps and marks, or leaves the product; sync off
// does nothing.
func TestProductSyncChoices(t *testing.T) {
	t.Run("update_only", func(t *testing.T) {
		ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
		ts.recordSync(t, "products", true, "update_only", "nothing")
		before := len(ts.fakes.HubSpot.Objects(portal1, "products"))
		id := ts.createItem(t, widgetItem)
		ts.appliedEntity(t, app.EntityItem, id, time.Time{})
		eventually(t, 5*time.Second, "the skip is logged", func() bool {
			for _, e := range ts.productLog(t, id) {
				if e.Outcome == app.OutcomeSkipped && e.Message ==
					`QuickBooks product "Widget Pro" was left out: HubSpot has no product with its SKU or name, and product sync only updates products.` {
					return true
				}
			}
			return false
		})
		if ids := ts.productsNamed("Widget Pro"); len(ids) != 0 {
			t.Errorf("update_only created %v", ids)
		}
		if n := len(ts.fakes.HubSpot.Objects(portal1, "products")); n != before {
			t.Errorf("%d products, want %d", n, before)
		}
		if r := ts.syncedRecord(app.SyncProducts, id); r.HubSpotID != "" {
			t.Errorf("update_only recorded %+v", r)
		}
		// update_only still updates a product matched by name: Consulting
		// (item 2) has product 1009.
		ts.updateQBO(t, "Item", "item", "2", map[string]any{"Description": "Strategy consulting"})
		eventually(t, 10*time.Second, "Consulting's product is updated", func() bool {
			p, _ := ts.fakes.HubSpot.Object(portal1, "products", "1009")
			return p["description"] == "Strategy consulting"
		})
	})
	for _, del := range []string{"archive", "keep", "nothing"} {
		t.Run("inactive "+del, func(t *testing.T) {
			ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
			ts.recordSync(t, "products", true, "create_or_update", del)
			id := ts.createItem(t, widgetItem)
			product := ts.syncedProduct(t, id)
			v := ts.appliedEntity(t, app.EntityItem, id, time.Time{})
			time.Sleep(time.Until(v.Add(1100 * time.Millisecond)))
			ts.updateQBO(t, "Item", "item", id, map[string]any{"Active": false})
			ts.appliedEntity(t, app.EntityItem, id, v)
			props, live := ts.fakes.HubSpot.Object(portal1, "products", product)
			switch del {
			case "archive":
				if live {
					t.Error("the product was not archived")
				}
			case "keep":
				if !live || props[app.ProductStatusProperty] != "inactive" {
					t.Errorf("kept product: live %v, %v", live, props)
				}
			case "nothing":
				if !live || props[app.ProductStatusProperty] == "inactive" {
					t.Errorf("left product: live %v, %v", live, props)
				}
			}
		})
	}
	t.Run("off", func(t *testing.T) {
		ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
		before := len(ts.fakes.HubSpot.Objects(portal1, "products"))
		id := ts.createItem(t, widgetItem)
		ts.appliedEntity(t, app.EntityItem, id, time.Time{})
		ts.updateQBO(t, "Item", "item", "1", map[string]any{"Description": "Senior design hours"})
		ts.appliedEntity(t, app.EntityItem, "1", time.Time{})
		if ids := ts.productsNamed("Widget Pro"); len(ids) != 0 {
			t.Errorf("sync off created %v", ids)
		}
		if p, _ := ts.fakes.HubSpot.Object(portal1, "products", "1008"); p["description"] == "Senior design hours" {
			t.Errorf("sync off updated product 1008: %v", p)
		}
		if n := len(ts.fakes.HubSpot.Objects(portal1, "products")); n != before {
			t.Errorf("%d products, want %d", n, before)
		}
		if log := ts.productLog(t, id); len(log) != 0 {
			t.Errorf("sync off logged %+v", log)
		}
	})
}

type productSettingsAnswer struct {
	Sync struct {
		Products struct {
			Enabled  bool
			Mapping  mappingAnswer
			Unmapped *[]string
		}
	}
}

// TestProductMappingIsChecked: an incompatible pair is refused with a
// message naming both sides; a good one is saved and shown; the settings
// view lists the unmapped product properties while product sync is on.
func TestProductMappingIsChecked(t *testing.T) {
	ts := newTestServer(t)
	route := "/api/v1/settings/sync/products/mapping"
	ts.hubspotAPI(t, "POST", "/crm/v3/properties/products", map[string]any{"name": "qbo_type", "label": "Item type",
		"type": "string", "fieldType": "text", "groupName": "productinformation"})
	ts.hubspotAPI(t, "POST", "/crm/v3/properties/products", map[string]any{"name": "qbo_cost", "label": "Cost",
		"type": "number", "fieldType": "number", "groupName": "productinformation"})
	for _, c := range []struct {
		name string
		body any
		want []string
	}{
		{"text to a number", map[string]any{"fields": []any{map[string]any{"qbo": "Name", "hubspot": "name"},
			map[string]any{"qbo": "Description", "hubspot": "qbo_cost"}}}, []string{"Description", "qbo_cost", "text goes to text properties"}},
		{"an amount to a date", map[string]any{"fields": []any{map[string]any{"qbo": "UnitPrice", "hubspot": "createdate"}}},
			[]string{"UnitPrice", "createdate"}},
		{"a read-only property", map[string]any{"fields": []any{map[string]any{"qbo": "Name", "hubspot": "hs_object_id"}}},
			[]string{"Name", "hs_object_id"}},
		{"the app's key", map[string]any{"fields": []any{map[string]any{"qbo": "Sku", "hubspot": app.ProductKeyProperty}}},
			[]string{"Sku", app.ProductKeyProperty}},
		{"an unknown property", map[string]any{"fields": []any{map[string]any{"qbo": "Name", "hubspot": "nope"}}},
			[]string{"Name", "nope"}},
		{"an unknown field", map[string]any{"fields": []any{map[string]any{"qbo": "DisplayName", "hubspot": "name"}}},
			[]string{"DisplayName"}},
	} {
		a := ts.send(t, card(portal1), "PUT", route, route, c.body)
		wantError(t, c.name, a, http.StatusBadRequest, "invalid", c.want...)
	}

	// Off: no unmapped list.
	a := ts.call(t, card(portal1), "GET", settingsRoute, settingsRoute)
	var got productSettingsAnswer
	a.decode(t, &got)
	if got.Sync.Products.Unmapped != nil {
		t.Errorf("unmapped shown while product sync is off: %v", *got.Sync.Products.Unmapped)
	}

	a = ts.send(t, card(portal1), "PUT", route, route, map[string]any{"fields": []any{
		map[string]any{"qbo": "Name", "hubspot": "name"}, map[string]any{"qbo": "UnitPrice", "hubspot": "qbo_cost"},
		map[string]any{"qbo": "Type", "hubspot": "qbo_type"}}})
	if a.status != http.StatusOK {
		t.Fatalf("good mapping: %d %s", a.status, a.body)
	}
	got = productSettingsAnswer{}
	a.decode(t, &got)
	if m := got.Sync.Products.Mapping; m.IsDefault || len(m.Fields) != 3 || m.Fields[1].QBO != "UnitPrice" ||
		m.Fields[1].HubSpot != "qbo_cost" || len(m.QBOFields) != len(app.ProductQBOFields) {
		t.Errorf("mapping answered = %+v", m)
	}

	ts.recordSync(t, "products", true, "create_or_update", "nothing")
	a = ts.call(t, card(portal1), "GET", settingsRoute, settingsRoute)
	got = productSettingsAnswer{}
	a.decode(t, &got)
	if got.Sync.Products.Unmapped == nil {
		t.Fatalf("no unmapped list while product sync is on: %s", a.body)
	}
	unmapped := append([]string(nil), *got.Sync.Products.Unmapped...)
	sort.Strings(unmapped)
	set := map[string]bool{}
	for _, p := range unmapped {
		set[p] = true
	}
	for _, p := range []string{"price", "hs_sku", "description"} {
		if !set[p] {
			t.Errorf("unmapped %v lacks %s", unmapped, p)
		}
	}
	for _, p := range []string{"name", "qbo_cost", "qbo_type", "hs_object_id", app.ProductKeyProperty, app.ProductStatusProperty} {
		if set[p] {
			t.Errorf("unmapped %v lists %s", unmapped, p)
		}
	}
}
