package hubspot

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/clarkmcc/go-hubspot/generated/v3/properties"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// dealGroupLabel is the label reps see on the deal property group.
const dealGroupLabel = "QuickBooks invoice"

// dealProperties are the deal properties an invoice is written to
// (DESIGN.md section 6), in display order. Values written to them:
// amount collected a decimal ("197.00"), due date YYYY-MM-DD, status one of
// the app.InvoiceStatus codes.
var dealProperties = []properties.PropertyCreate{
	{Name: app.DealPropAmountCollected, Label: "Invoice amount collected", Type: "number", FieldType: "number",
		Description: ptr("Amount paid so far on the QuickBooks invoice linked to this deal, in the invoice's currency. Written by the QuickBooks invoices app.")},
	{Name: app.DealPropRecipient, Label: "Invoice recipient", Type: "string", FieldType: "text",
		Description: ptr("Who the QuickBooks invoice linked to this deal is addressed to. Written by the QuickBooks invoices app.")},
	{Name: app.DealPropNumber, Label: "Invoice number", Type: "string", FieldType: "text",
		Description: ptr("Number of the QuickBooks invoice linked to this deal. Written by the QuickBooks invoices app.")},
	{Name: app.DealPropStatus, Label: "Invoice status", Type: "enumeration", FieldType: "select",
		Description: ptr("Status of the QuickBooks invoice linked to this deal. Written by the QuickBooks invoices app."),
		Options:     statusOptions()},
	{Name: app.DealPropDueDate, Label: "Invoice due date", Type: "date", FieldType: "date",
		Description: ptr("Due date of the QuickBooks invoice linked to this deal. Written by the QuickBooks invoices app.")},
}

// statusOptions are the options of the status property: every
// app.InvoiceStatus, with the label the card shows.
func statusOptions() []properties.OptionInput {
	statuses := []app.InvoiceStatus{app.StatusAwaitingSend, app.StatusSent, app.StatusPartiallyPaid, app.StatusPaid,
		app.StatusOverdue, app.StatusVoided, app.StatusDeleted}
	opts := make([]properties.OptionInput, len(statuses))
	for i, s := range statuses {
		opts[i] = properties.OptionInput{Value: string(s), Label: s.Label(), DisplayOrder: ptr(int32(i + 1))}
	}
	return opts
}

func init() {
	for i := range dealProperties {
		dealProperties[i].GroupName = app.DealPropertyGroup
		dealProperties[i].DisplayOrder = ptr(int32(i + 1))
	}
}

func ptr[T any](v T) *T { return &v }

// ensureState remembers, for one portal, that its deal properties exist.
// sem admits one creating caller at a time; the others wait for it (or
// their ctx) and then find done set.
type ensureState struct {
	sem  chan struct{}
	done atomic.Bool
}

// EnsureDealProperties creates the deal property group
// app.DealPropertyGroup ("QuickBooks invoice") with
// POST /crm/v3/properties/deals/groups, then the five properties with
// POST /crm/v3/properties/deals, one each (go-hubspot's properties
// GroupsApi.GroupsCreate and CoreApi.Create). A 409 (HubSpot's
// OBJECT_ALREADY_EXISTS; any 409, since a create conflicts only on its
// name) counts as created: nothing is read first, and an existing
// property's definition is not compared with ours.
//
// Once all six exist, the Client remembers it for the portal: later calls
// make no request, until the process restarts. Concurrent callers for one
// portal wait for the first instead of sending the same requests; a failure
// is not remembered, so the next call tries again.
//
// Errors: NotConnected, Forbidden (the token lacks crm.schemas.deals.write),
// Invalid, Unavailable as classified in errors.go; Unavailable as well when
// ctx ends while waiting for another caller.
func (c *Client) EnsureDealProperties(ctx context.Context, portal app.Portal) error {
	return c.ensureProperties(ctx, portal, &c.dealProps, propertySet{object: "deals", noun: "deal",
		group: app.DealPropertyGroup, props: dealProperties})
}

// propertySet is a property group of one object type and the properties
// the app creates in it.
type propertySet struct {
	object, noun, group string
	props               []properties.PropertyCreate
}

// ensureProperties creates set's group, then its properties, once per
// portal (remembered in states, keyed by portal id): a 409 counts as
// created, concurrent callers wait for the first, a failure is not
// remembered.
func (c *Client) ensureProperties(ctx context.Context, portal app.Portal, states *sync.Map, set propertySet) error {
	v, _ := states.LoadOrStore(portal.ID, &ensureState{sem: make(chan struct{}, 1)})
	st := v.(*ensureState)
	if st.done.Load() {
		return nil
	}
	group, err := c.newCall(ctx, portal, set.noun+" property group", "POST /crm/v3/properties/"+set.object+"/groups")
	if err != nil {
		return err
	}
	group.verb = "create"
	select {
	case st.sem <- struct{}{}:
		defer func() { <-st.sem }()
	case <-ctx.Done():
		return classify(group, &failure{APIError: &APIError{Op: group.op, PortalID: group.portal, Err: ctx.Err()}})
	}
	if st.done.Load() {
		return nil
	}

	body := properties.PropertyGroupCreate{Name: set.group, Label: dealGroupLabel, DisplayOrder: ptr(int32(-1))}
	err = c.do(ctx, group, func(ctx context.Context) (*http.Response, error) {
		_, resp, err := c.props.GroupsApi.GroupsCreate(ctx, set.object).PropertyGroupCreate(body).Execute()
		return resp, err
	})
	if err != nil && app.ErrorCode(err) != app.Conflict {
		return err
	}
	prop := group
	prop.op, prop.noun = "POST /crm/v3/properties/"+set.object, set.noun+" property"
	for _, p := range set.props {
		err := c.do(ctx, prop, func(ctx context.Context) (*http.Response, error) {
			_, resp, err := c.props.CoreApi.Create(ctx, set.object).PropertyCreate(p).Execute()
			return resp, err
		})
		if err != nil && app.ErrorCode(err) != app.Conflict {
			return err
		}
	}
	st.done.Store(true)
	return nil
}
