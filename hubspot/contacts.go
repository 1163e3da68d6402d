package hubspot

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/clarkmcc/go-hubspot/generated/v3/objects"
	"github.com/clarkmcc/go-hubspot/generated/v3/properties"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// HubSpot's contacts, companies and products for contact and product sync
// (app.CRMObjects, app/contactsync.go, app/productsync.go):
//
//	ObjectProperties         GET    /crm/v3/properties/{contacts|companies|products}
//	EnsureSyncProperties     POST   /crm/v3/properties/{type}/groups, /crm/v3/properties/{type}
//	ContactByEmail           GET    /crm/v3/objects/contacts/{email}?idProperty=email
//	FindCompany              GET    /crm/v3/objects/companies/{key}?idProperty=qbo_company_key, then
//	                         POST   /crm/v3/objects/companies/search (name EQ)
//	FindProduct              GET    /crm/v3/objects/products/{key}?idProperty=qbo_item_key, then
//	                         POST   /crm/v3/objects/products/search (hs_sku EQ, then name EQ)
//	CreateObject             POST   /crm/v3/objects/{type}
//	UpdateObject             PATCH  /crm/v3/objects/{type}/{id}
//	ArchiveObject            DELETE /crm/v3/objects/{type}/{id}
//	AssociatePrimaryCompany  PUT    /crm/v4/objects/contacts/{id}/associations/companies/{companyId}
//	                                [{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":1}]
//
// Every call goes through do, so the portal's pacing (limits.go), retries
// and error classification are the invoice sync's. Needs the scopes
// crm.objects.contacts/companies/products read and write, and
// crm.schemas.contacts/companies/products.write for the app's properties.

var _ app.CRMObjects = (*Client)(nil)

// crmTypes are the types contact and product sync write, with their nouns.
var crmTypes = map[app.ObjectType]string{app.Contacts: "contact", app.Companies: "company", app.Products: "product"}

func crmNoun(t app.ObjectType) (string, error) {
	n, ok := crmTypes[t]
	if !ok {
		return "", app.Errorf(app.Invalid, "HubSpot %q records are not synced here.", string(t))
	}
	return n, nil
}

// statusProperty is a dropdown the sync's keep marks inactive.
func statusProperty(name, label, what string) properties.PropertyCreate {
	return properties.PropertyCreate{Name: name, Label: label, Type: "enumeration", FieldType: "select",
		GroupName: app.DealPropertyGroup, FormField: ptr(false), DisplayOrder: ptr(int32(-1)),
		Description: ptr("Whether the QuickBooks " + what + " this record was synced from is active. Written by the QuickBooks invoices app."),
		Options: []properties.OptionInput{{Value: "active", Label: "Active", DisplayOrder: ptr(int32(1))},
			{Value: "inactive", Label: "Inactive", DisplayOrder: ptr(int32(2))}}}
}

// keyProperty is a unique-value text property that names the QuickBooks
// record a record was made from, so a retried create finds the first.
func keyProperty(name, label, what string) properties.PropertyCreate {
	return properties.PropertyCreate{Name: name, Label: label, Type: "string", FieldType: "text",
		GroupName: app.DealPropertyGroup, HasUniqueValue: ptr(true), FormField: ptr(false), DisplayOrder: ptr(int32(-1)),
		Description: ptr("The QuickBooks " + what + " this record was synced from. Written by the QuickBooks invoices app; do not edit.")}
}

// syncPropertySets are the app's own properties per type.
var syncPropertySets = map[app.ObjectType][]properties.PropertyCreate{
	app.Contacts:  {statusProperty(app.ContactStatusProperty, "QuickBooks customer status", "customer")},
	app.Companies: {keyProperty(app.CompanyKeyProperty, "QuickBooks company key", "company and customers' company name (realm:name)")},
	app.Products: {statusProperty(app.ProductStatusProperty, "QuickBooks item status", "product or service"),
		keyProperty(app.ProductKeyProperty, "QuickBooks item key", "company and item (realm:id)")},
}

// ObjectProperties lists the portal's properties of a type, as
// InvoiceProperties does for invoices.
func (c *Client) ObjectProperties(ctx context.Context, portal app.Portal, t app.ObjectType) ([]app.HubSpotProperty, error) {
	n, err := crmNoun(t)
	if err != nil {
		return nil, err
	}
	return c.listProperties(ctx, portal, string(t), n)
}

// listProperties reads GET /crm/v3/properties/{object}.
func (c *Client) listProperties(ctx context.Context, portal app.Portal, object, noun string) ([]app.HubSpotProperty, error) {
	path := "/crm/v3/properties/" + object
	cl, err := c.newCall(ctx, portal, noun+" property", "GET "+path)
	if err != nil {
		return nil, err
	}
	var list propertyList
	err = c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		list = propertyList{}
		return c.getJSON(ctx, bearer(ctx), path, &list)
	})
	if err != nil {
		return nil, err
	}
	return list.app(), nil
}

// app converts a property list, leaving out archived properties and hidden
// options.
func (list propertyList) app() []app.HubSpotProperty {
	out := make([]app.HubSpotProperty, 0, len(list.Results))
	for _, p := range list.Results {
		if p.Archived {
			continue
		}
		hp := app.HubSpotProperty{Name: p.Name, Label: p.Label, Type: p.Type, FieldType: p.FieldType,
			ReadOnly: p.ModificationMetadata.ReadOnlyValue || p.Calculated}
		for _, o := range p.Options {
			if !o.Hidden {
				hp.Options = append(hp.Options, o.Value)
			}
		}
		out = append(out, hp)
	}
	return out
}

// EnsureSyncProperties creates the app's own properties of a type (see
// app.CRMObjects), as EnsureDealProperties does.
func (c *Client) EnsureSyncProperties(ctx context.Context, portal app.Portal, t app.ObjectType) error {
	set, ok := syncPropertySets[t]
	if !ok {
		return nil
	}
	v, _ := c.syncProps.LoadOrStore(t, &sync.Map{})
	return c.ensureProperties(ctx, portal, v.(*sync.Map), propertySet{object: string(t), noun: crmTypes[t],
		group: app.DealPropertyGroup, props: set})
}

// getByIDProperty reads the live record of type t whose idProperty is
// value; "" when none.
func (c *Client) getByIDProperty(ctx context.Context, portal app.Portal, t app.ObjectType, idProperty, value string) (string, error) {
	cl, err := c.newCall(ctx, portal, crmTypes[t], "GET /crm/v3/objects/"+string(t)+"/{value}?idProperty="+idProperty)
	if err != nil {
		return "", err
	}
	var id string
	err = c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		rec, resp, err := c.api.BasicApi.GetByID(ctx, string(t), value).IdProperty(idProperty).Properties([]string{idProperty}).Execute()
		if rec != nil {
			id = rec.Id
		}
		return resp, err
	})
	if app.ErrorCode(err) == app.NotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	if id != "" && !isID(id) {
		return "", app.Errorf(app.Internal, "HubSpot answered a %s without a usable id.", crmTypes[t])
	}
	return id, nil
}

// ContactByEmail reads the contact whose email is email by idProperty
// (consistent at once, unlike search); "" when none.
func (c *Client) ContactByEmail(ctx context.Context, portal app.Portal, email string) (string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", nil
	}
	return c.getByIDProperty(ctx, portal, app.Contacts, "email", email)
}

// searchEQ returns the oldest live record of type t whose property equals
// value (search; it lags behind writes by a few seconds).
func (c *Client) searchEQ(ctx context.Context, portal app.Portal, t app.ObjectType, property, value string) (string, error) {
	path := "/crm/v3/objects/" + string(t) + "/search"
	cl, err := c.newCall(ctx, portal, crmTypes[t], "POST "+path)
	if err != nil {
		return "", err
	}
	body := map[string]any{
		"filterGroups": []any{map[string]any{"filters": []any{
			map[string]any{"propertyName": property, "operator": "EQ", "value": value}}}},
		"properties": []string{property},
		"sorts":      []any{map[string]any{"propertyName": "hs_object_id", "direction": "ASCENDING"}},
		"limit":      1,
	}
	var found contactSearch
	err = c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		found = contactSearch{}
		return c.sendJSONBody(ctx, http.MethodPost, path, body, &found)
	})
	if err != nil || len(found.Results) == 0 {
		return "", err
	}
	if id := found.Results[0].ID; isID(id) {
		return id, nil
	}
	return "", app.Errorf(app.Internal, "HubSpot answered a %s without a usable id.", crmTypes[t])
}

// FindCompany returns the company whose app.CompanyKeyProperty is key,
// else the oldest named name; "" when none.
func (c *Client) FindCompany(ctx context.Context, portal app.Portal, key, name string) (string, error) {
	return c.findByKey(ctx, portal, app.Companies, app.CompanyKeyProperty, key, propertyValue{"name", name})
}

// FindProduct returns the product whose app.ProductKeyProperty is key,
// else the oldest with SKU sku, else the oldest named name; "" when none.
func (c *Client) FindProduct(ctx context.Context, portal app.Portal, key, sku, name string) (string, error) {
	return c.findByKey(ctx, portal, app.Products, app.ProductKeyProperty, key, propertyValue{"hs_sku", sku}, propertyValue{"name", name})
}

// propertyValue is a property and a value to search it for.
type propertyValue struct{ prop, value string }

// findByKey returns the live record of type t whose unique keyProp is key
// (read by idProperty, consistent at once), else the oldest found by the
// first of then that matches (search, skipping blank values); "" when
// none. A portal without the key property yet has no record by key.
func (c *Client) findByKey(ctx context.Context, portal app.Portal, t app.ObjectType, keyProp, key string, then ...propertyValue) (string, error) {
	if key != "" {
		id, err := c.getByIDProperty(ctx, portal, t, keyProp, key)
		if err != nil && app.ErrorCode(err) != app.Invalid || id != "" {
			return id, err
		}
	}
	for _, f := range then {
		if v := strings.TrimSpace(f.value); v != "" {
			id, err := c.searchEQ(ctx, portal, t, f.prop, v)
			if err != nil || id != "" {
				return id, err
			}
		}
	}
	return "", nil
}

// CreateObject creates a contact, company or product. Retried like a read;
// a unique value makes the retry of a create that landed a 409 Conflict.
func (c *Client) CreateObject(ctx context.Context, portal app.Portal, t app.ObjectType, props map[string]string) (string, error) {
	n, err := crmNoun(t)
	if err != nil {
		return "", err
	}
	cl, err := c.newCall(ctx, portal, n, "POST /crm/v3/objects/"+string(t))
	if err != nil {
		return "", err
	}
	cl.verb = "create"
	body := objects.SimplePublicObjectInputForCreate{Properties: props, Associations: []objects.PublicAssociationsForObject{}}
	var id string
	err = c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		rec, resp, err := c.api.BasicApi.Create(ctx, string(t)).SimplePublicObjectInputForCreate(body).Execute()
		if rec != nil {
			id = rec.Id
		}
		return resp, err
	})
	if err != nil {
		return "", err
	}
	if !isID(id) {
		return "", app.Errorf(app.Internal, "HubSpot created a %s without a usable id.", n)
	}
	return id, nil
}

// UpdateObject writes properties ("" clears one); none cost no request.
// NotFound when the record is gone.
func (c *Client) UpdateObject(ctx context.Context, portal app.Portal, t app.ObjectType, id string, props map[string]string) error {
	n, err := crmNoun(t)
	if err != nil {
		return err
	}
	if err := checkRef(t, id); err != nil {
		return err
	}
	if len(props) == 0 {
		return nil
	}
	cl, err := c.newCall(ctx, portal, n, "PATCH /crm/v3/objects/"+string(t)+"/"+id)
	if err != nil {
		return err
	}
	cl.verb = "change"
	body := objects.SimplePublicObjectInput{Properties: props}
	return c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		_, resp, err := c.api.BasicApi.Update(ctx, string(t), id).SimplePublicObjectInput(body).Execute()
		return resp, err
	})
}

// ArchiveObject archives a record; one already gone is not an error.
func (c *Client) ArchiveObject(ctx context.Context, portal app.Portal, t app.ObjectType, id string) error {
	n, err := crmNoun(t)
	if err != nil {
		return err
	}
	if err := checkRef(t, id); err != nil {
		return err
	}
	cl, err := c.newCall(ctx, portal, n, "DELETE /crm/v3/objects/"+string(t)+"/"+id)
	if err != nil {
		return err
	}
	cl.verb = "archive"
	err = c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		return c.api.BasicApi.Archive(ctx, string(t), id).Execute()
	})
	if app.ErrorCode(err) == app.NotFound {
		return nil
	}
	return err
}

// AssociatePrimaryCompany makes company the contact's primary company
// (HUBSPOT_DEFINED type 1). A PUT: repeating it changes nothing.
func (c *Client) AssociatePrimaryCompany(ctx context.Context, portal app.Portal, contactID, companyID string) error {
	if err := checkRef(app.Contacts, contactID); err != nil {
		return err
	}
	if err := checkRef(app.Companies, companyID); err != nil {
		return err
	}
	path := "/crm/v4/objects/contacts/" + contactID + "/associations/companies/" + companyID
	cl, err := c.newCall(ctx, portal, "contact or company", "PUT "+path)
	if err != nil {
		return err
	}
	cl.verb = "change"
	body := []objects.AssociationSpec{{AssociationCategory: "HUBSPOT_DEFINED",
		AssociationTypeId: int32(primaryTypeIDs[[2]string{"contacts", "companies"}])}}
	return c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		return c.sendJSONBody(ctx, http.MethodPut, path, body, nil)
	})
}
