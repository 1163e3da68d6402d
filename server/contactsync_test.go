package server_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// Contact sync end to end: the settings API turns it on, QuickBooks' fake
// sends its customer webhooks to the real server, the queue applies them,
// and the HubSpot fake's contacts and companies show the result.

// recordSync sets the portal's contact or product sync.
func (ts *testServer) recordSync(t *testing.T, object string, enabled bool, write, del string) {
	t.Helper()
	_, a := ts.setSync(t, portal1, object, map[string]any{"enabled": enabled, "onCreateOrUpdate": write, "onDelete": del})
	if a.status != http.StatusOK {
		t.Fatalf("%s sync %v %s %s: %d %s", object, enabled, write, del, a.status, a.body)
	}
}

// appliedEntity waits until a change of a US customer or item later than
// after is applied, and returns its time.
func (ts *testServer) appliedEntity(t *testing.T, entity, id string, after time.Time) time.Time {
	t.Helper()
	var v time.Time
	eventually(t, 10*time.Second, "a change of "+entity+" "+id+" is applied", func() bool {
		v, _ = ts.store.EntityVersion(context.Background(), ts.conns[usRealm].ID, entity, id)
		return v.After(after)
	})
	return v
}

// createCustomer creates a customer in the US company and returns its id.
func (ts *testServer) createCustomer(t *testing.T, body string) string {
	t.Helper()
	return ts.qboPost(t, usRealm, "customer", body)["Customer"].(map[string]any)["Id"].(string)
}

// updateQBO sparse-updates a customer or item of the US company.
func (ts *testServer) updateQBO(t *testing.T, entity, path, id string, fields map[string]any) {
	t.Helper()
	cur := ts.qbo(t, usRealm, "GET", "/"+path+"/"+id, nil)[entity].(map[string]any)
	body := map[string]any{"Id": id, "SyncToken": cur["SyncToken"], "sparse": true}
	for k, v := range fields {
		body[k] = v
	}
	ts.qbo(t, usRealm, "POST", "/"+path, body)
}

// contactsWithEmail lists portal one's live contacts with the email.
func (ts *testServer) contactsWithEmail(email string) []string {
	var ids []string
	for _, id := range ts.fakes.HubSpot.Objects(portal1, "contacts") {
		if p, _ := ts.fakes.HubSpot.Object(portal1, "contacts", id); p["email"] == email {
			ids = append(ids, id)
		}
	}
	return ids
}

func (ts *testServer) syncedRecord(object app.SyncObject, qboID string) app.SyncedRecord {
	r, _ := ts.store.SyncedRecord(context.Background(), ts.conns[usRealm].ID, object, qboID)
	return r
}

// TestContactSyncCreatesMatchesAndAssociates: a new customer with a company
// name becomes a contact (default mapping) associated with a new company;
// a customer whose email a contact has updates that contact, no second one.
func TestContactSyncCreatesMatchesAndAssociates(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
	ts.recordSync(t, "contacts", true, "create_or_update", "nothing")

	id := ts.createCustomer(t, `{"DisplayName":"Zed Zimmer","GivenName":"Zed","FamilyName":"Zimmer","CompanyName":"Zeta Widgets",
		"PrimaryEmailAddr":{"Address":"zed@zeta.example"},"PrimaryPhone":{"FreeFormNumber":"(555) 010-2000"},
		"BillAddr":{"Line1":"1 Main St","City":"Springfield","CountrySubDivisionCode":"IL","PostalCode":"62701","Country":"US"}}`)
	var contact string
	eventually(t, 10*time.Second, "the customer becomes a contact with its company", func() bool {
		r := ts.syncedRecord(app.SyncContacts, id)
		contact = r.HubSpotID
		return contact != "" && r.CompanyID != ""
	})
	props, live := ts.fakes.HubSpot.Object(portal1, "contacts", contact)
	want := map[string]string{"email": "zed@zeta.example", "firstname": "Zed", "lastname": "Zimmer", "phone": "(555) 010-2000",
		"company": "Zeta Widgets", "address": "1 Main St", "city": "Springfield", "state": "IL", "zip": "62701", "country": "US"}
	for k, v := range want {
		if props[k] != v {
			t.Errorf("%s = %q, want %q", k, props[k], v)
		}
	}
	company := ts.syncedRecord(app.SyncContacts, id).CompanyID
	if cp, _ := ts.fakes.HubSpot.Object(portal1, "companies", company); !live || cp["name"] != "Zeta Widgets" {
		t.Errorf("company %s = %v", company, cp)
	}
	if types := ts.fakes.HubSpot.Associations(portal1, "contacts", contact, "companies")[company]; len(types) == 0 {
		t.Errorf("contact %s is not associated with company %s", contact, company)
	}

	// Acme's customer (1) has Alice's email: her contact is updated.
	before := len(ts.fakes.HubSpot.Objects(portal1, "contacts"))
	ts.updateQBO(t, "Customer", "customer", "1", map[string]any{"GivenName": "Alicia"})
	eventually(t, 10*time.Second, "Alice's contact is updated", func() bool {
		p, _ := ts.fakes.HubSpot.Object(portal1, "contacts", "1004")
		return p["firstname"] == "Alicia"
	})
	if ids := ts.contactsWithEmail("ap@acme.example"); fmt.Sprint(ids) != "[1004]" {
		t.Errorf("contacts with Alice's email = %v, want only 1004", ids)
	}
	if n := len(ts.fakes.HubSpot.Objects(portal1, "contacts")); n != before {
		t.Errorf("%d contacts, want %d", n, before)
	}
	// Acme Corporation exists in HubSpot: associated, not made again.
	eventually(t, 5*time.Second, "Alice's customer is recorded with Acme", func() bool {
		return ts.syncedRecord(app.SyncContacts, "1").CompanyID == "1001"
	})
}

// TestContactSyncChoices: update_only never creates; a customer without
// email is skipped and logged; made inactive archives, keeps and marks, or
// leaves the contact; sync off or changes before EnabledAt do nothing.
func TestContactSyncChoices(t *testing.T) {
	t.Run("update_only and no email", func(t *testing.T) {
		ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
		ts.recordSync(t, "contacts", true, "update_only", "nothing")
		id := ts.createCustomer(t, `{"DisplayName":"New Person","PrimaryEmailAddr":{"Address":"new@person.example"}}`)
		ts.appliedEntity(t, app.EntityCustomer, id, time.Time{})
		if ids := ts.contactsWithEmail("new@person.example"); len(ids) != 0 {
			t.Errorf("update_only created %v", ids)
		}
		ts.recordSync(t, "contacts", true, "create_or_update", "nothing")
		none := ts.createCustomer(t, `{"DisplayName":"No Mail"}`)
		ts.appliedEntity(t, app.EntityCustomer, none, time.Time{})
		page, err := ts.svc.ListSyncLog(context.Background(), portal1, app.SyncLogFilter{Object: app.SyncContacts})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range page.Entries {
			found = found || e.QBOID == none && e.Outcome == app.OutcomeSkipped &&
				e.Message == `QuickBooks customer "No Mail" has no email; contacts are matched by email.`
		}
		if !found {
			t.Errorf("no skipped entry for the customer without email: %+v", page.Entries)
		}
	})
	for _, del := range []string{"archive", "keep", "nothing"} {
		t.Run("inactive "+del, func(t *testing.T) {
			ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
			ts.recordSync(t, "contacts", true, "create_or_update", del)
			id := ts.createCustomer(t, `{"DisplayName":"Gone Soon","PrimaryEmailAddr":{"Address":"gone@soon.example"}}`)
			var contact string
			eventually(t, 10*time.Second, "the contact is made", func() bool {
				contact = ts.syncedRecord(app.SyncContacts, id).HubSpotID
				return contact != ""
			})
			v := ts.appliedEntity(t, app.EntityCustomer, id, time.Time{})
			time.Sleep(time.Until(v.Add(1100 * time.Millisecond)))
			ts.updateQBO(t, "Customer", "customer", id, map[string]any{"Active": false})
			ts.appliedEntity(t, app.EntityCustomer, id, v)
			props, live := ts.fakes.HubSpot.Object(portal1, "contacts", contact)
			switch del {
			case "archive":
				if live {
					t.Error("the contact was not archived")
				}
			case "keep":
				if !live || props[app.ContactStatusProperty] != "inactive" {
					t.Errorf("kept contact: live %v, %v", live, props)
				}
			case "nothing":
				if !live || props[app.ContactStatusProperty] != "" {
					t.Errorf("left contact: live %v, %v", live, props)
				}
			}
		})
	}
	t.Run("off and before EnabledAt", func(t *testing.T) {
		var mu sync.Mutex
		shift := time.Duration(0)
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(shift) }
		ts := newTestServer(t, withClock(clock), withSync(syncSetup{webhooks: true}))
		off := ts.createCustomer(t, `{"DisplayName":"Off One","PrimaryEmailAddr":{"Address":"off@one.example"}}`)
		ts.appliedEntity(t, app.EntityCustomer, off, time.Time{})
		mu.Lock()
		shift = time.Minute
		mu.Unlock()
		ts.recordSync(t, "contacts", true, "create_or_update", "archive")
		early := ts.createCustomer(t, `{"DisplayName":"Early One","PrimaryEmailAddr":{"Address":"early@one.example"}}`)
		ts.appliedEntity(t, app.EntityCustomer, early, time.Time{})
		if ids := append(ts.contactsWithEmail("off@one.example"), ts.contactsWithEmail("early@one.example")...); len(ids) != 0 {
			t.Errorf("contacts made: %v", ids)
		}
	})
}

// TestContactMappingIsChecked: an incompatible pair is refused with a
// message naming both sides; a good one is saved and shown.
func TestContactMappingIsChecked(t *testing.T) {
	ts := newTestServer(t)
	route := "/api/v1/settings/sync/contacts/mapping"
	ts.hubspotAPI(t, "POST", "/crm/v3/properties/contacts", map[string]any{"name": "qbo_count", "label": "Count",
		"type": "number", "fieldType": "number", "groupName": "contactinformation"})
	for _, c := range []struct {
		name string
		body any
		want []string
	}{
		{"text to a number", map[string]any{"fields": []any{map[string]any{"qbo": "PrimaryEmailAddr", "hubspot": "email"},
			map[string]any{"qbo": "DisplayName", "hubspot": "qbo_count"}}}, []string{"DisplayName", "qbo_count", "text goes to text properties"}},
		{"email dropped", map[string]any{"fields": []any{map[string]any{"qbo": "GivenName", "hubspot": "firstname"}}}, []string{"PrimaryEmailAddr", "email"}},
		{"an unknown property", map[string]any{"fields": []any{map[string]any{"qbo": "PrimaryEmailAddr", "hubspot": "email"},
			map[string]any{"qbo": "GivenName", "hubspot": "nope"}}}, []string{"GivenName", "nope"}},
	} {
		a := ts.send(t, card(portal1), "PUT", route, route, c.body)
		wantError(t, c.name, a, http.StatusBadRequest, "invalid", c.want...)
	}
	a := ts.send(t, card(portal1), "PUT", route, route, map[string]any{"fields": []any{
		map[string]any{"qbo": "PrimaryEmailAddr", "hubspot": "email"}, map[string]any{"qbo": "DisplayName", "hubspot": "firstname"}}})
	if a.status != http.StatusOK {
		t.Fatalf("good mapping: %d %s", a.status, a.body)
	}
	var got struct {
		Sync struct {
			Contacts struct{ Mapping mappingAnswer }
		}
	}
	a.decode(t, &got)
	if m := got.Sync.Contacts.Mapping; m.IsDefault || len(m.Fields) != 2 || m.Fields[1].QBO != "DisplayName" || len(m.QBOFields) != 11 {
		t.Errorf("mapping answered = %+v", m)
	}
}

// TestContactSyncThroughReconcile: with no webhook delivered at all, the
// reconcile's change data capture reports the new customer and the
// contact appears; a second reconcile makes no second contact.
func TestContactSyncThroughReconcile(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{webhooks: false}))
	ctx := context.Background()
	conn := ts.conns[usRealm].ID
	if err := ts.svc.Reconcile(ctx, conn); err != nil { // the first cursor
		t.Fatal(err)
	}
	ts.recordSync(t, "contacts", true, "create_or_update", "nothing")
	time.Sleep(1100 * time.Millisecond) // QuickBooks dates changes to the second; enabledAt is before this one

	id := ts.createCustomer(t, `{"DisplayName":"Rita Reconcile","GivenName":"Rita","FamilyName":"Reconcile",
		"PrimaryEmailAddr":{"Address":"rita@reconcile.example"}}`)
	if r := ts.syncedRecord(app.SyncContacts, id); r.HubSpotID != "" {
		t.Fatal("a contact appeared with no webhook and no reconcile")
	}
	for range 2 {
		if err := ts.svc.Reconcile(ctx, conn); err != nil {
			t.Fatal(err)
		}
	}
	r := ts.syncedRecord(app.SyncContacts, id)
	if r.HubSpotID == "" {
		t.Fatal("the reconcile did not bring the customer to HubSpot")
	}
	if got := ts.contactsWithEmail("rita@reconcile.example"); len(got) != 1 || got[0] != r.HubSpotID {
		t.Errorf("contacts with the customer's email: %v, want one, %s", got, r.HubSpotID)
	}
}

// TestContactSyncLostCompanyCreateAnswer: HubSpot makes the company of a
// customer's CompanyName but its answer is lost; the retried create is
// refused for the company's key and the one made is found by it: exactly
// one company, associated and recorded. A second customer of that company
// name (in other case and spacing) gets the same company.
func TestContactSyncLostCompanyCreateAnswer(t *testing.T) {
	ts := newTestServer(t, withSync(syncSetup{webhooks: true}))
	ts.recordSync(t, "contacts", true, "create_or_update", "nothing")
	ts.fakes.HubSpot.AfterFaults().Inject(hubspotfake.RouteObjectsCreate+":companies", hubspotfake.Fault{Drop: true, Times: 1})
	id := ts.createCustomer(t, `{"DisplayName":"Olga Omega","CompanyName":"Omega Labs","PrimaryEmailAddr":{"Address":"olga@omega.example"}}`)
	var rec app.SyncedRecord
	eventually(t, 10*time.Second, "the customer becomes a contact with its company", func() bool {
		rec = ts.syncedRecord(app.SyncContacts, id)
		return rec.CompanyID != ""
	})
	if ids := ts.liveNamed("companies", "Omega Labs"); fmt.Sprint(ids) != "["+rec.CompanyID+"]" {
		t.Errorf("companies named Omega Labs = %v, want only %s", ids, rec.CompanyID)
	}
	if n := ts.fakes.HubSpot.Counters().Count(hubspotfake.RouteObjectsCreate, "20000001"); n != 3 {
		t.Errorf("%d creates sent, want the contact's, and the company's lost one and its retry", n)
	}
	if types := ts.fakes.HubSpot.Associations(portal1, "contacts", rec.HubSpotID, "companies")[rec.CompanyID]; len(types) == 0 {
		t.Errorf("contact %s is not associated with company %s", rec.HubSpotID, rec.CompanyID)
	}

	other := ts.createCustomer(t, `{"DisplayName":"Otto Omega","CompanyName":"omega  labs","PrimaryEmailAddr":{"Address":"otto@omega.example"}}`)
	eventually(t, 10*time.Second, "the second customer gets the company", func() bool {
		return ts.syncedRecord(app.SyncContacts, other).CompanyID == rec.CompanyID
	})
	if n := len(ts.fakes.HubSpot.Objects(portal1, "companies")); n != 4 {
		t.Errorf("%d companies, want the 3 seeded and Omega Labs", n)
	}
}
