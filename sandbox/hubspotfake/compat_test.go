package hubspotfake_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	hubspot "github.com/clarkmcc/go-hubspot"
	"github.com/clarkmcc/go-hubspot/generated/v3/contacts"
	"github.com/clarkmcc/go-hubspot/generated/v3/deals"
	"github.com/clarkmcc/go-hubspot/generated/v3/objects"
	"github.com/clarkmcc/go-hubspot/generated/v3/properties"
	associations "github.com/clarkmcc/go-hubspot/generated/v4/crm_associations"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/sandbox/hubspotfake"
)

// TestGoHubSpotClientCannotTell drives the real client the backend wraps,
// clarkmcc/go-hubspot, through the fake's transport: it decodes every
// answer into its own models.
func TestGoHubSpotClientCannotTell(t *testing.T) {
	f := newFixture(t, hubspotfake.Options{})
	httpClient := &http.Client{Transport: f.srv.Transport()}
	ctx := hubspot.WithAuthorizer(context.Background(), hubspot.NewTokenAuthorizer(token1))
	dealID, alice := f.id("deals", "with_quotes"), f.id("contacts", "alice")

	// Read a deal with its associations.
	dealCfg := deals.NewConfiguration()
	dealCfg.HTTPClient = httpClient
	dealsAPI := deals.NewAPIClient(dealCfg)
	deal, resp, err := dealsAPI.BasicApi.GetByID(ctx, dealID).
		Properties([]string{"dealname", "amount", "deal_currency_code"}).
		Associations([]string{"contacts", "companies", "line_items"}).Execute()
	if err != nil {
		t.Fatalf("GetByID: %v", err)
	}
	if resp.StatusCode != 200 || deal.Id != dealID || deal.Properties["dealname"] != "Acme website redesign" || deal.Properties["amount"] != "600" {
		t.Errorf("deal = %+v", deal)
	}
	if deal.CreatedAt.IsZero() || deal.UpdatedAt.IsZero() {
		t.Errorf("timestamps did not decode: %v %v", deal.CreatedAt, deal.UpdatedAt)
	}
	assoc := *deal.Associations
	if got := assoc["contacts"].Results; len(got) != 1 || got[0].Id != alice || got[0].Type != "deal_to_contact" {
		t.Errorf("contacts = %+v", got)
	}
	if got := assoc["line_items"].Results; len(got) != 2 {
		t.Errorf("line items = %+v", got)
	}

	// A missing deal is the client's error with the status.
	_, resp, err = dealsAPI.BasicApi.GetByID(ctx, "424242").Execute()
	var apiErr *deals.GenericOpenAPIError
	if !errors.As(err, &apiErr) || resp == nil || resp.StatusCode != 404 {
		t.Errorf("missing deal: err %v resp %v", err, resp)
	} else if model, ok := apiErr.Model().(deals.Error); !ok || model.Category != "OBJECT_NOT_FOUND" || model.CorrelationId == "" {
		t.Errorf("error model = %#v", apiErr.Model())
	}

	// Associate through the v3 endpoint the client has (the generic objects
	// package: the deals client does not wire its AssociationsApi), then
	// list and remove the link.
	amy := f.id("contacts", "amy")
	objCfg := objects.NewConfiguration()
	objCfg.HTTPClient = httpClient
	objectsAPI := objects.NewAPIClient(objCfg)
	withAssoc, _, err := objectsAPI.AssociationsApi.PutCrmV3ObjectsObjectTypeObjectIdAssociationsToObjectTypeToObjectIdAssociationType(
		ctx, "deals", dealID, "contacts", amy, "deal_to_contact").Execute()
	if err != nil {
		t.Fatalf("v3 associate: %v", err)
	}
	if got := (*withAssoc.Associations)["contacts"].Results; len(got) != 2 {
		t.Errorf("contacts after associating = %+v", got)
	}
	list, _, err := objectsAPI.AssociationsApi.GetCrmV3ObjectsObjectTypeObjectIdAssociationsToObjectType(ctx, "deals", dealID, "contacts").Execute()
	if err != nil || len(list.Results) != 2 {
		t.Errorf("v3 list: %v %+v", err, list)
	}
	if _, err := objectsAPI.AssociationsApi.DeleteCrmV3ObjectsObjectTypeObjectIdAssociationsToObjectTypeToObjectIdAssociationType(
		ctx, "deals", dealID, "contacts", amy, "3").Execute(); err != nil {
		t.Errorf("v3 delete: %v", err)
	}
	if got := f.srv.Associations(portal1, "deals", dealID, "contacts"); len(got) != 1 {
		t.Errorf("contacts after the delete = %v", got)
	}

	// Update a deal.
	updated, _, err := dealsAPI.BasicApi.Update(ctx, dealID).SimplePublicObjectInput(deals.SimplePublicObjectInput{
		Properties: map[string]string{"amount": "650"}}).Execute()
	if err != nil || updated.Properties["amount"] != "650" {
		t.Errorf("Update: %v %+v", err, updated)
	}

	// Search contacts.
	contactCfg := contacts.NewConfiguration()
	contactCfg.HTTPClient = httpClient
	contactsAPI := contacts.NewAPIClient(contactCfg)
	value := "ap@acme.example"
	found, _, err := contactsAPI.SearchApi.Search(ctx).PublicObjectSearchRequest(contacts.PublicObjectSearchRequest{
		FilterGroups: []contacts.FilterGroup{{Filters: []contacts.Filter{{PropertyName: "email", Operator: "EQ", Value: &value}}}},
		Properties:   []string{"email", "firstname"},
		Sorts:        []string{"createdate"},
	}).Execute()
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if found.Total != 1 || len(found.Results) != 1 || found.Results[0].Id != alice || found.Results[0].Properties["firstname"] != "Alice" {
		t.Errorf("search = %+v", found)
	}

	// Create a property group and a property.
	propCfg := properties.NewConfiguration()
	propCfg.HTTPClient = httpClient
	propsAPI := properties.NewAPIClient(propCfg)
	order := int32(-1)
	group, _, err := propsAPI.GroupsApi.GroupsCreate(ctx, "deals").PropertyGroupCreate(properties.PropertyGroupCreate{
		Name: "qbo_invoices", Label: "QuickBooks invoices", DisplayOrder: &order}).Execute()
	if err != nil || group.Name != "qbo_invoices" {
		t.Fatalf("GroupsCreate: %v %+v", err, group)
	}
	prop, resp, err := propsAPI.CoreApi.Create(ctx, "deals").PropertyCreate(properties.PropertyCreate{
		Name: "qbo_invoice_status", Label: "Invoice status", Type: "string", FieldType: "text", GroupName: "qbo_invoices"}).Execute()
	if err != nil {
		t.Fatalf("Create property: %v", err)
	}
	if resp.StatusCode != 201 || prop.Name != "qbo_invoice_status" || prop.GroupName != "qbo_invoices" || prop.Type != "string" {
		t.Errorf("property = %+v", prop)
	}
	_, resp, err = propsAPI.CoreApi.Create(ctx, "deals").PropertyCreate(properties.PropertyCreate{
		Name: "qbo_invoice_status", Label: "Invoice status", Type: "string", FieldType: "text", GroupName: "qbo_invoices"}).Execute()
	if err == nil || resp.StatusCode != 409 {
		t.Errorf("duplicate property: err %v status %v", err, resp.StatusCode)
	}
	all, _, err := propsAPI.CoreApi.GetAll(ctx, "deals").Execute()
	if err != nil || len(all.Results) < 10 {
		t.Errorf("GetAll: %v (%d properties)", err, len(all.Results))
	}

	// Read associations in batch (v4).
	assocCfg := associations.NewConfiguration()
	assocCfg.HTTPClient = httpClient
	assocAPI := associations.NewAPIClient(assocCfg)
	batch, resp, err := assocAPI.BatchApi.PostCrmV4AssociationsFromObjectTypeToObjectTypeBatchReadGetPage(ctx, "deals", "line_items").
		BatchInputPublicFetchAssociationsBatchRequest(associations.BatchInputPublicFetchAssociationsBatchRequest{
			Inputs: []associations.PublicFetchAssociationsBatchRequest{{Id: dealID}}}).Execute()
	if err != nil {
		t.Fatalf("v4 batch read: %v", err)
	}
	if resp.StatusCode != 200 || batch.Status != "COMPLETE" || len(batch.Results) != 1 || len(batch.Results[0].To) != 2 ||
		batch.Results[0].To[0].AssociationTypes[0].TypeId != 19 {
		t.Errorf("v4 batch read = %+v", batch)
	}
}
