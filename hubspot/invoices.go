package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/clarkmcc/go-hubspot/generated/v3/objects"
	"github.com/clarkmcc/go-hubspot/generated/v3/properties"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// HubSpot's invoice object (reference/hubspot.md 4.1: type 0-53, path name
// "invoices") for invoice sync (app/invoicesync.go):
//
//	InvoiceProperties         GET    /crm/v3/properties/invoices                                   plain net/http
//	EnsureInvoiceKeyProperty  POST   /crm/v3/properties/invoices/groups, /crm/v3/properties/invoices  go-hubspot properties
//	FindInvoiceByKey          GET    /crm/v3/objects/invoices/{key}?idProperty=qbo_invoice_key      go-hubspot objects.BasicApi.GetByID
//	CreateInvoice             POST   /crm/v3/objects/invoices                                       go-hubspot objects.BasicApi.Create
//	UpdateInvoice             PATCH  /crm/v3/objects/invoices/{id}                                  go-hubspot objects.BasicApi.Update
//	ArchiveInvoice            DELETE /crm/v3/objects/invoices/{id}                                  go-hubspot objects.BasicApi.Archive
//	AssociateInvoice          PUT    /crm/v4/objects/{deals|contacts|companies}/{id}/associations/invoices/{invoiceId}
//	                                 [{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":176|178|180}]
//	FindContactByEmail        POST   /crm/v3/objects/contacts/search (email EQ), then
//	                          GET    /crm/v4/objects/contacts/{id}/associations/companies
//
// Associations go from the deal, contact or company to the invoice because
// the reference documents those type ids (176, 178, 180) and none from the
// invoice side. Needs the scopes crm.objects.invoices.read/.write and, for
// the key property, crm.schemas.invoices.read/.write.

var _ app.InvoiceObjects = (*Client)(nil)

// invoiceAssocTypes are the HUBSPOT_DEFINED association type ids to an
// invoice (reference/hubspot.md 4.2).
var invoiceAssocTypes = map[app.ObjectType]int32{app.Deals: 176, app.Contacts: 178, app.Companies: 180}

// invoiceKeyGroup is the invoice property group the key property goes in.
const invoiceKeyGroup = app.DealPropertyGroup

// invoiceKeyProperty is the unique property that names an invoice's
// QuickBooks original (app.InvoiceKeyProperty).
var invoiceKeyProperty = properties.PropertyCreate{
	Name: app.InvoiceKeyProperty, Label: "QuickBooks invoice key", Type: "string", FieldType: "text",
	GroupName: invoiceKeyGroup, HasUniqueValue: ptr(true), FormField: ptr(false), DisplayOrder: ptr(int32(-1)),
	Description: ptr("The QuickBooks company and invoice this invoice was synced from (realm:id). Written by the QuickBooks invoices app; do not edit."),
}

// propertyList is the answer of GET /crm/v3/properties/{type}: read with
// our own types, so no field of a property HubSpot adds can fail the list.
type propertyList struct {
	Results []struct {
		Name       string `json:"name"`
		Label      string `json:"label"`
		Type       string `json:"type"`
		FieldType  string `json:"fieldType"`
		Calculated bool   `json:"calculated"`
		Options    []struct {
			Value  string `json:"value"`
			Hidden bool   `json:"hidden"`
		} `json:"options"`
		ModificationMetadata struct {
			ReadOnlyValue bool `json:"readOnlyValue"`
		} `json:"modificationMetadata"`
		Archived bool `json:"archived"`
	} `json:"results"`
}

// InvoiceProperties lists the portal's invoice properties, HubSpot's and
// custom ones, in HubSpot's order. A property whose value cannot be written
// (readOnlyValue, or calculated) is ReadOnly; hidden options are left out.
//
// Errors: NotConnected, Forbidden (no crm.schemas.invoices.read),
// Unavailable as classified in errors.go.
func (c *Client) InvoiceProperties(ctx context.Context, portal app.Portal) ([]app.HubSpotProperty, error) {
	return c.listProperties(ctx, portal, "invoices", "invoice")
}

// EnsureInvoiceKeyProperty creates the invoice property group "quickbooks"
// and in it app.InvoiceKeyProperty (string/text, hasUniqueValue), as
// EnsureDealProperties does for deals: a 409 counts as created, success is
// remembered per portal until the process restarts, concurrent callers
// wait for the first.
//
// Errors: NotConnected, Forbidden (no crm.schemas.invoices.write), Invalid,
// Unavailable as classified in errors.go.
func (c *Client) EnsureInvoiceKeyProperty(ctx context.Context, portal app.Portal) error {
	return c.ensureProperties(ctx, portal, &c.invoiceProps, propertySet{object: "invoices", noun: "invoice",
		group: invoiceKeyGroup, props: []properties.PropertyCreate{invoiceKeyProperty}})
}

// FindInvoiceByKey reads the live invoice whose app.InvoiceKeyProperty is
// key (GET by idProperty: consistent at once, unlike search); "" when there
// is none.
func (c *Client) FindInvoiceByKey(ctx context.Context, portal app.Portal, key string) (string, error) {
	if key == "" {
		return "", app.Errorf(app.Invalid, "An invoice key is required.")
	}
	cl, err := c.newCall(ctx, portal, "invoice", "GET /crm/v3/objects/invoices/{key}?idProperty="+app.InvoiceKeyProperty)
	if err != nil {
		return "", err
	}
	var id string
	err = c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		rec, resp, err := c.api.BasicApi.GetByID(ctx, "invoices", key).IdProperty(app.InvoiceKeyProperty).
			Properties([]string{app.InvoiceKeyProperty}).Execute()
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
	return id, nil
}

// CreateInvoice creates an invoice with properties and answers its id.
// HubSpot requires hs_currency and starts it as a draft unless
// hs_invoice_status is given. A create is retried like a read (its answer
// may be lost after HubSpot made it): the caller makes that safe with a
// unique property, which the retry then collides with, 409 Conflict.
func (c *Client) CreateInvoice(ctx context.Context, portal app.Portal, props map[string]string) (string, error) {
	cl, err := c.newCall(ctx, portal, "invoice", "POST /crm/v3/objects/invoices")
	if err != nil {
		return "", err
	}
	cl.verb = "create"
	body := objects.SimplePublicObjectInputForCreate{Properties: props, Associations: []objects.PublicAssociationsForObject{}}
	var id string
	err = c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		rec, resp, err := c.api.BasicApi.Create(ctx, "invoices").SimplePublicObjectInputForCreate(body).Execute()
		if rec != nil {
			id = rec.Id
		}
		return resp, err
	})
	if err != nil {
		return "", err
	}
	if !isID(id) {
		return "", app.Errorf(app.Internal, "HubSpot created an invoice without a usable id.")
	}
	return id, nil
}

// UpdateInvoice writes invoice properties ("" clears one); no properties
// cost no request. NotFound when the invoice is gone (archived included).
func (c *Client) UpdateInvoice(ctx context.Context, portal app.Portal, id string, props map[string]string) error {
	if err := checkRef("invoices", id); err != nil {
		return err
	}
	if len(props) == 0 {
		return nil
	}
	cl, err := c.newCall(ctx, portal, "invoice", "PATCH /crm/v3/objects/invoices/"+id)
	if err != nil {
		return err
	}
	cl.verb = "change"
	body := objects.SimplePublicObjectInput{Properties: props}
	return c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		_, resp, err := c.api.BasicApi.Update(ctx, "invoices", id).SimplePublicObjectInput(body).Execute()
		return resp, err
	})
}

// ArchiveInvoice archives an invoice (HubSpot's recycling bin); one
// already gone is not an error.
func (c *Client) ArchiveInvoice(ctx context.Context, portal app.Portal, id string) error {
	if err := checkRef("invoices", id); err != nil {
		return err
	}
	cl, err := c.newCall(ctx, portal, "invoice", "DELETE /crm/v3/objects/invoices/"+id)
	if err != nil {
		return err
	}
	cl.verb = "archive"
	err = c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		return c.api.BasicApi.Archive(ctx, "invoices", id).Execute()
	})
	if app.ErrorCode(err) == app.NotFound {
		return nil
	}
	return err
}

// AssociateInvoice associates an invoice with a deal, contact or company
// with HubSpot's type id for the pair (deal 176, contact 178, company 180),
// from that record's side. A PUT: repeating it changes nothing. NotFound
// when either record is gone.
func (c *Client) AssociateInvoice(ctx context.Context, portal app.Portal, invoiceID string, to app.ObjectRef) error {
	typeID, ok := invoiceAssocTypes[to.Type]
	if !ok {
		return app.Errorf(app.Invalid, "HubSpot invoices cannot be associated with %q records here.", string(to.Type))
	}
	if err := checkRef(to.Type, to.ID); err != nil {
		return err
	}
	if err := checkRef("invoices", invoiceID); err != nil {
		return err
	}
	path := "/crm/v4/objects/" + string(to.Type) + "/" + to.ID + "/associations/invoices/" + invoiceID
	cl, err := c.newCall(ctx, portal, noun(to.Type)+" or invoice", "PUT "+path)
	if err != nil {
		return err
	}
	cl.verb = "change"
	body := []objects.AssociationSpec{{AssociationCategory: "HUBSPOT_DEFINED", AssociationTypeId: typeID}}
	return c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		return c.sendJSONBody(ctx, http.MethodPut, path, body, nil)
	})
}

// contactSearch is the answer of the contacts search, as far as we read it.
type contactSearch struct {
	Results []struct {
		ID string `json:"id"`
	} `json:"results"`
}

// FindContactByEmail finds the contact whose email is email (search, EQ,
// which HubSpot matches without regard to case) and that contact's primary
// company (the v4 association labelled Primary, or of type 1); "" for
// either when there is none. It never creates anything. HubSpot's search
// lags behind writes by a few seconds: a contact made just now may not be
// found yet.
func (c *Client) FindContactByEmail(ctx context.Context, portal app.Portal, email string) (string, string, error) {
	email = strings.TrimSpace(email)
	if email == "" {
		return "", "", nil
	}
	cl, err := c.newCall(ctx, portal, "contact", "POST /crm/v3/objects/contacts/search")
	if err != nil {
		return "", "", err
	}
	body := map[string]any{
		"filterGroups": []any{map[string]any{"filters": []any{
			map[string]any{"propertyName": "email", "operator": "EQ", "value": email}}}},
		"properties": []string{"email"},
		"sorts":      []any{map[string]any{"propertyName": "hs_object_id", "direction": "ASCENDING"}},
		"limit":      1,
	}
	var found contactSearch
	err = c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		found = contactSearch{}
		return c.sendJSONBody(ctx, http.MethodPost, "/crm/v3/objects/contacts/search", body, &found)
	})
	if err != nil || len(found.Results) == 0 {
		return "", "", err
	}
	contact := found.Results[0].ID
	if !isID(contact) {
		return "", "", app.Errorf(app.Internal, "HubSpot answered a contact without a usable id.")
	}
	company, err := c.primaryCompany(ctx, portal, contact)
	if err != nil {
		return "", "", err
	}
	return contact, company, nil
}

// primaryCompany is the contact's primary company, "" when it has none.
func (c *Client) primaryCompany(ctx context.Context, portal app.Portal, contactID string) (string, error) {
	path := "/crm/v4/objects/contacts/" + url.PathEscape(contactID) + "/associations/companies"
	cl, err := c.newCall(ctx, portal, "contact", "GET "+path)
	if err != nil {
		return "", err
	}
	var company string
	err = c.walkAssociations(ctx, cl, path, "contacts", "companies", func(id string, primary bool) bool {
		if primary {
			company = id
		}
		return primary
	})
	if app.ErrorCode(err) == app.NotFound {
		return "", nil // the contact went meanwhile
	}
	return company, err
}

// sendJSONBody is getJSON for a JSON body: body is sent as JSON, the
// attempt's token authorizes, and a 2xx answer is decoded into v (when not
// nil); one that does not decode is a *badBody.
func (c *Client) sendJSONBody(ctx context.Context, method, path string, body, v any) (*http.Response, error) {
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+bearer(ctx))
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, scrubURLError(err, path)
	}
	return readAnswer(resp, v)
}

// The historical import's batch calls (app.InvoiceBatches, app/import.go),
// at most batchLimit inputs per request (reference 4.5: batch object
// endpoints take 100; the v4 association batches are kept to the same):
//
//	FindInvoicesByKeys    POST /crm/v3/objects/invoices/batch/read   {"idProperty":"qbo_invoice_key","properties":[…],"inputs":[{"id":key}]}
//	CreateInvoices        POST /crm/v3/objects/invoices/batch/create {"inputs":[{"properties":{…},"associations":[]}]}
//	UpdateInvoices        POST /crm/v3/objects/invoices/batch/update {"inputs":[{"id","properties"}]}
//	FindContactsByEmails  POST /crm/v3/objects/contacts/batch/read   {"idProperty":"email",…}, then
//	                      POST /crm/v4/associations/contacts/companies/batch/read
//	AssociateInvoices     POST /crm/v4/associations/{deals|contacts|companies}/invoices/batch/associate/default
//
// A batch read answers 207 for the ids it did not find (errors[] with
// their ids), a batch update likewise for ids that are gone; both are
// successes here. Batch create is all or nothing: a key already in use is
// 409 Conflict for the whole batch.

var _ app.InvoiceBatches = (*Client)(nil)

// batchLimit is the most inputs one batch request carries.
const batchLimit = 100

// batchObjectsAnswer is the answer of the v3 batch endpoints, as far as we
// read it.
type batchObjectsAnswer struct {
	Results []struct {
		ID         string             `json:"id"`
		Properties map[string]*string `json:"properties"`
	} `json:"results"`
	Errors []struct {
		Category string              `json:"category"`
		Message  string              `json:"message"`
		Context  map[string][]string `json:"context"`
	} `json:"errors"`
}

type idInput struct {
	ID string `json:"id"`
}

// batchPost makes one batch request of the portal: POST path with body,
// its answer decoded into v.
func (c *Client) batchPost(ctx context.Context, portal app.Portal, noun, verb, path string, body, v any) error {
	cl, err := c.newCall(ctx, portal, noun, "POST "+path)
	if err != nil {
		return err
	}
	cl.verb = verb
	return c.do(ctx, cl, func(ctx context.Context) (*http.Response, error) {
		return c.sendJSONBody(ctx, http.MethodPost, path, body, v)
	})
}

// distinct drops empty and repeated values, keeping the first's order.
func distinct(values []string, key func(string) string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range values {
		k := key(v)
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, v)
	}
	return out
}

func same(s string) string { return s }

// FindInvoicesByKeys reads the live invoices whose app.InvoiceKeyProperty
// is one of keys, by idProperty (consistent at once, unlike search), and
// answers key to invoice id; keys without an invoice are absent.
func (c *Client) FindInvoicesByKeys(ctx context.Context, portal app.Portal, keys []string) (map[string]string, error) {
	out := map[string]string{}
	for chunk := range slices.Chunk(distinct(keys, same), batchLimit) {
		inputs := make([]idInput, len(chunk))
		for i, k := range chunk {
			inputs[i] = idInput{k}
		}
		body := map[string]any{"idProperty": app.InvoiceKeyProperty, "properties": []string{app.InvoiceKeyProperty}, "inputs": inputs}
		var ans batchObjectsAnswer
		err := c.batchPost(ctx, portal, "invoice", "read", "/crm/v3/objects/invoices/batch/read", body, &ans)
		if app.ErrorCode(err) == app.NotFound {
			continue // none of them
		}
		if err != nil {
			return nil, err
		}
		for _, r := range ans.Results {
			if k := r.Properties[app.InvoiceKeyProperty]; k != nil && isID(r.ID) {
				out[*k] = r.ID
			}
		}
	}
	return out, nil
}

// CreateInvoices creates invoices, batchLimit per request, and answers
// each one's key (app.InvoiceKeyProperty, required) to its id. HubSpot
// answers a batch in any order; the key in each result says which it is.
// Retried like CreateInvoice: a create whose answer was lost collides with
// itself on the keys, 409 Conflict, and the caller looks the keys up.
func (c *Client) CreateInvoices(ctx context.Context, portal app.Portal, invoices []map[string]string) (map[string]string, error) {
	out := map[string]string{}
	for _, props := range invoices {
		if props[app.InvoiceKeyProperty] == "" {
			return nil, app.Errorf(app.Invalid, "Every invoice created in a batch needs its %s.", app.InvoiceKeyProperty)
		}
	}
	for chunk := range slices.Chunk(invoices, batchLimit) {
		type input struct {
			Properties   map[string]string `json:"properties"`
			Associations []any             `json:"associations"`
		}
		inputs := make([]input, len(chunk))
		for i, p := range chunk {
			inputs[i] = input{Properties: p, Associations: []any{}}
		}
		var ans batchObjectsAnswer
		if err := c.batchPost(ctx, portal, "invoice", "create", "/crm/v3/objects/invoices/batch/create",
			map[string]any{"inputs": inputs}, &ans); err != nil {
			return nil, err
		}
		for _, r := range ans.Results {
			k := r.Properties[app.InvoiceKeyProperty]
			if k == nil || !isID(r.ID) {
				return nil, app.Errorf(app.Internal, "HubSpot created invoices without a usable id or key.")
			}
			out[*k] = r.ID
		}
		if len(ans.Results) != len(chunk) {
			return nil, app.Errorf(app.Internal, "HubSpot created %d of %d invoices of a batch.", len(ans.Results), len(chunk))
		}
	}
	return out, nil
}

// UpdateInvoices writes properties of invoices by id, batchLimit per
// request, and answers the ids HubSpot reports missing (archived or
// deleted there; a 207). No updates cost no request.
func (c *Client) UpdateInvoices(ctx context.Context, portal app.Portal, updates map[string]map[string]string) ([]string, error) {
	ids := make([]string, 0, len(updates))
	for id := range updates {
		if err := checkRef("invoices", id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var missing []string
	for chunk := range slices.Chunk(ids, batchLimit) {
		type input struct {
			ID         string            `json:"id"`
			Properties map[string]string `json:"properties"`
		}
		inputs := make([]input, len(chunk))
		for i, id := range chunk {
			inputs[i] = input{ID: id, Properties: updates[id]}
		}
		var ans batchObjectsAnswer
		err := c.batchPost(ctx, portal, "invoice", "change", "/crm/v3/objects/invoices/batch/update",
			map[string]any{"inputs": inputs}, &ans)
		if app.ErrorCode(err) == app.NotFound {
			missing = append(missing, chunk...) // none of them is there
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, e := range ans.Errors {
			if e.Category == "OBJECT_NOT_FOUND" {
				missing = append(missing, e.Context["ids"]...)
			}
		}
	}
	return missing, nil
}

// FindContactsByEmails finds the contacts with the addresses (batch read
// by idProperty email, which HubSpot matches whatever the case) and their
// primary companies (the v4 association labelled Primary, or of type 1),
// keyed by the address in lower case. Addresses without a contact are
// absent. It never creates anything.
func (c *Client) FindContactsByEmails(ctx context.Context, portal app.Portal, emails []string) (map[string]app.ContactMatch, error) {
	out := map[string]app.ContactMatch{}
	norm := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	contactOf := map[string]string{} // contact id -> address
	for chunk := range slices.Chunk(distinct(emails, norm), batchLimit) {
		inputs := make([]idInput, len(chunk))
		for i, e := range chunk {
			inputs[i] = idInput{strings.TrimSpace(e)}
		}
		body := map[string]any{"idProperty": "email", "properties": []string{"email"}, "inputs": inputs}
		var ans batchObjectsAnswer
		err := c.batchPost(ctx, portal, "contact", "read", "/crm/v3/objects/contacts/batch/read", body, &ans)
		if app.ErrorCode(err) == app.NotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, r := range ans.Results {
			if e := r.Properties["email"]; e != nil && isID(r.ID) {
				out[norm(*e)] = app.ContactMatch{ContactID: r.ID}
				contactOf[r.ID] = norm(*e)
			}
		}
	}
	ids := make([]string, 0, len(contactOf))
	for id := range contactOf {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	primaryID := primaryTypeIDs[[2]string{"contacts", "companies"}]
	for chunk := range slices.Chunk(ids, batchLimit) {
		inputs := make([]idInput, len(chunk))
		for i, id := range chunk {
			inputs[i] = idInput{id}
		}
		var ans struct {
			Results []struct {
				From struct {
					ID string `json:"id"`
				} `json:"from"`
				To []struct {
					ToObjectID       json.Number `json:"toObjectId"`
					AssociationTypes []struct {
						Category string `json:"category"`
						TypeID   int    `json:"typeId"`
						Label    string `json:"label"`
					} `json:"associationTypes"`
				} `json:"to"`
			} `json:"results"`
		}
		err := c.batchPost(ctx, portal, "contact", "read", "/crm/v4/associations/contacts/companies/batch/read",
			map[string]any{"inputs": inputs}, &ans)
		if app.ErrorCode(err) == app.NotFound {
			continue // no contact has a company
		}
		if err != nil {
			return nil, err
		}
		for _, r := range ans.Results {
			email, ok := contactOf[r.From.ID]
			if !ok {
				continue
			}
			for _, to := range r.To {
				for _, t := range to.AssociationTypes {
					if strings.EqualFold(t.Label, "Primary") || t.TypeID == primaryID && strings.EqualFold(t.Category, "HUBSPOT_DEFINED") {
						m := out[email]
						if m.PrimaryCompanyID == "" {
							m.PrimaryCompanyID = to.ToObjectID.String()
							out[email] = m
						}
					}
				}
			}
		}
	}
	return out, nil
}

// AssociateInvoices associates invoices with deals, contacts or companies
// by the pair's default type (deal 176, contact 178, company 180 to the
// invoice), from the record's side as AssociateInvoice does. Pairs
// naming a record gone from HubSpot are reported by HubSpot in a 207 and
// skipped (logged). Repeating a pair changes nothing.
func (c *Client) AssociateInvoices(ctx context.Context, portal app.Portal, from app.ObjectType, pairs []app.InvoiceAssociation) error {
	if _, ok := invoiceAssocTypes[from]; !ok {
		return app.Errorf(app.Invalid, "HubSpot invoices cannot be associated with %q records here.", string(from))
	}
	for _, p := range pairs {
		if err := checkRef(from, p.RecordID); err != nil {
			return err
		}
		if err := checkRef("invoices", p.InvoiceID); err != nil {
			return err
		}
	}
	path := "/crm/v4/associations/" + string(from) + "/invoices/batch/associate/default"
	for chunk := range slices.Chunk(pairs, batchLimit) {
		type ref struct {
			ID string `json:"id"`
		}
		type input struct {
			From ref `json:"from"`
			To   ref `json:"to"`
		}
		inputs := make([]input, len(chunk))
		for i, p := range chunk {
			inputs[i] = input{From: ref{p.RecordID}, To: ref{p.InvoiceID}}
		}
		var ans batchObjectsAnswer
		if err := c.batchPost(ctx, portal, noun(from)+" or invoice", "change", path, map[string]any{"inputs": inputs}, &ans); err != nil {
			return err
		}
		if len(ans.Errors) > 0 {
			c.log.InfoContext(ctx, "hubspot invoices not associated: records gone", "portal", portal.ID,
				"from", string(from), "errors", len(ans.Errors))
		}
	}
	return nil
}
