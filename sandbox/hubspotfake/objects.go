package hubspotfake

import (
	"encoding/json"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// objectJSON is a CRM record as HubSpot returns it (reference §4.1):
// property values are strings, or null when requested but unset.
type objectJSON struct {
	ID           string                  `json:"id"`
	Properties   map[string]*string      `json:"properties"`
	CreatedAt    string                  `json:"createdAt"`
	UpdatedAt    string                  `json:"updatedAt"`
	Archived     bool                    `json:"archived"`
	ArchivedAt   string                  `json:"archivedAt,omitempty"`
	Associations map[string]*v3AssocList `json:"associations,omitempty"`
}

// render returns o with the named properties; nil names means every
// property that has a value (the shape of create and update answers).
func render(o *object, names []string) objectJSON {
	props := make(map[string]*string)
	if names == nil {
		for k, v := range o.props {
			props[k] = &v
		}
	}
	for _, n := range names {
		if v, ok := o.props[n]; ok {
			props[n] = &v
		} else {
			props[n] = nil
		}
	}
	out := objectJSON{ID: o.id, Properties: props, CreatedAt: isoMillis(o.created), UpdatedAt: isoMillis(o.updated), Archived: o.archived}
	if o.archived {
		out.ArchivedAt = isoMillis(o.archivedAt)
	}
	return out
}

// readProps resolves the properties a read returns: the type's defaults
// when none are requested; otherwise the requested ones that exist plus
// hs_object_id, createdate and the last-modified date, which HubSpot always
// includes. Unknown names are left out.
func readProps(pt *portal, t *objectType, requested []string) []string {
	if len(requested) == 0 {
		return append([]string(nil), t.defaults...)
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range append([]string{"hs_object_id", "createdate", t.lastModified}, requested...) {
		if !seen[n] && pt.propDef(t, n) != nil {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// writeInput is the body of a create (and, without associations, of an
// update): {"properties":{...},"associations":[...]}.
type writeInput struct {
	ID           json.RawMessage            `json:"id,omitempty"`
	IDProperty   string                     `json:"idProperty,omitempty"`
	Properties   map[string]json.RawMessage `json:"properties"`
	Associations []struct {
		To struct {
			ID json.RawMessage `json:"id"`
		} `json:"to"`
		Types []assocSpec `json:"types"`
	} `json:"associations"`
}

// assocSpec is {"associationCategory","associationTypeId"}.
type assocSpec struct {
	Category string `json:"associationCategory"`
	TypeID   int    `json:"associationTypeId"`
}

// idString reads an id given as a JSON string or number.
func idString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// validateProps checks written values against the portal's property
// definitions and returns them normalized. An unknown property is a 400
// PROPERTY_DOESNT_EXIST unless it was created through the properties API.
func validateProps(pt *portal, t *objectType, in map[string]json.RawMessage) (map[string]string, *apiError) {
	names := make([]string, 0, len(in))
	for n := range in {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make(map[string]string, len(in))
	var errs []propError
	for _, n := range names {
		def := pt.propDef(t, n)
		if def == nil {
			errs = append(errs, propError{n, "PROPERTY_DOESNT_EXIST", `Property "` + n + `" does not exist`})
			continue
		}
		if def.readOnly {
			errs = append(errs, propError{n, "READ_ONLY_VALUE", n + " is a read only property; its value cannot be set."})
			continue
		}
		raw, ok := rawValue(in[n])
		if !ok {
			errs = append(errs, propError{n, "INVALID_PROPERTY_VALUE", n + " must be a string, number, boolean or null."})
			continue
		}
		v, perr := def.normalize(raw)
		if perr != nil {
			errs = append(errs, *perr)
			continue
		}
		out[n] = v
	}
	if len(errs) > 0 {
		return nil, errPropertyValues(pt.ID, errs)
	}
	return out, nil
}

// rawValue turns a JSON property value into its string form: strings as
// they are, numbers and booleans as written, null as "" (clear).
func rawValue(raw json.RawMessage) (string, bool) {
	trimmed := strings.TrimSpace(string(raw))
	switch {
	case trimmed == "null" || trimmed == "":
		return "", true
	case strings.HasPrefix(trimmed, `"`):
		var s string
		return s, json.Unmarshal(raw, &s) == nil
	case trimmed == "true" || trimmed == "false":
		return trimmed, true
	case strings.ContainsAny(trimmed[:1], "-0123456789"):
		return trimmed, true
	}
	return "", false
}

// checkUnique answers 409 CONFLICT when a unique property (a contact's
// email, a custom property with hasUniqueValue) takes a value another
// record already has: "Contact already exists. Existing ID: 123".
func (s *Server) checkUnique(pt *portal, t *objectType, vals map[string]string, self *object) *apiError {
	for n, v := range vals {
		def := pt.propDef(t, n)
		if def == nil || !def.unique || v == "" {
			continue
		}
		if other := s.findBy(pt, t, n, v, false); other != nil && other != self {
			return newError(http.StatusConflict, categoryConflict, displayName(t)+" already exists. Existing ID: "+other.id)
		}
	}
	return nil
}

// displayName is "Contact", "Line item", ...
func displayName(t *objectType) string {
	return strings.ToUpper(t.singular[:1]) + strings.ReplaceAll(t.singular[1:], "_", " ")
}

// derive fills computed properties after a write: a line item's net amount
// when quantity or price changed and amount was not written (quantity ×
// (price − unit discount), less the discount percentage).
func (s *Server) derive(o *object, written map[string]string, now time.Time) {
	if o.typ.name != "line_items" {
		return
	}
	if _, ok := written["amount"]; ok {
		return
	}
	changed := false
	for _, n := range []string{"quantity", "price", "discount", "hs_discount_percentage"} {
		if _, ok := written[n]; ok {
			changed = true
		}
	}
	q, errQ := strconv.ParseFloat(o.props["quantity"], 64)
	p, errP := strconv.ParseFloat(o.props["price"], 64)
	if !changed || errQ != nil || errP != nil {
		return
	}
	unit := p
	if d, err := strconv.ParseFloat(o.props["discount"], 64); err == nil {
		unit -= d
	}
	if pct, err := strconv.ParseFloat(o.props["hs_discount_percentage"], 64); err == nil {
		unit *= 1 - pct/100
	}
	s.set(o, map[string]string{"amount": formatAmount(q * unit)}, now)
}

// formatAmount prints a money amount rounded to cents, without float
// noise: 450, 59.97, 1073.5.
func formatAmount(f float64) string {
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64)
}

// createPlan is a validated create, ready to store.
type createPlan struct {
	t     *objectType
	vals  map[string]string
	links []createLink
}

type createLink struct {
	to  *object
	def *assocDef
}

// planCreate validates one record and its associations without storing
// anything. The caller holds s.mu.
func (s *Server) planCreate(pt *portal, t *objectType, in writeInput) (*createPlan, *apiError) {
	vals, e := validateProps(pt, t, in.Properties)
	if e != nil {
		return nil, e
	}
	if t.name == "invoices" {
		// Reference §4.1: invoices are created with a required hs_currency,
		// as drafts.
		if vals["hs_currency"] == "" {
			return nil, errValidation("hs_currency is required to create an invoice")
		}
		if vals["hs_invoice_status"] == "" {
			vals["hs_invoice_status"] = "draft"
		}
	}
	if e := s.checkUnique(pt, t, vals, nil); e != nil {
		return nil, e
	}
	plan := &createPlan{t: t, vals: vals}
	for _, a := range in.Associations {
		toID := idString(a.To.ID)
		for _, spec := range a.Types {
			def, to, e := s.resolveAssoc(pt, t, toID, spec)
			if e != nil {
				return nil, e
			}
			plan.links = append(plan.links, createLink{to, def})
		}
	}
	return plan, nil
}

// commit stores a planned record. The caller holds s.mu.
func (s *Server) commit(pt *portal, plan *createPlan, now time.Time) *object {
	o := s.insert(pt, plan.t, plan.vals, now)
	s.derive(o, plan.vals, now)
	for _, l := range plan.links {
		s.associate(o, l.to, l.def)
	}
	return o
}

// create validates and stores one record with its associations. The
// caller holds s.mu.
func (s *Server) create(pt *portal, t *objectType, in writeInput, now time.Time) (*object, *apiError) {
	plan, e := s.planCreate(pt, t, in)
	if e != nil {
		return nil, e
	}
	return s.commit(pt, plan, now), nil
}

// update validates and applies one record's properties. The caller holds
// s.mu.
func (s *Server) update(pt *portal, o *object, in map[string]json.RawMessage, now time.Time) *apiError {
	vals, e := validateProps(pt, o.typ, in)
	if e != nil {
		return e
	}
	if e := s.checkUnique(pt, o.typ, vals, o); e != nil {
		return e
	}
	s.set(o, vals, now)
	s.derive(o, vals, now)
	return nil
}

// lookupIDProperty checks an idProperty parameter: it must be a unique
// property (or hs_object_id).
func lookupIDProperty(pt *portal, t *objectType, idProp string) *apiError {
	if idProp == "" || idProp == "hs_object_id" {
		return nil
	}
	if def := pt.propDef(t, idProp); def == nil || !def.unique {
		return errValidation("%s is not a unique identifier property of %s", idProp, t.name)
	}
	return nil
}

func (s *Server) objectNotFound() *apiError {
	if s.opt.NotFoundEmptyBody {
		return &apiError{status: http.StatusNotFound}
	}
	return errNotFound("resource not found")
}

func (s *Server) locked(f func() (any, *apiError)) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f()
}

// handleObjectGet is GET /crm/v3/objects/{t}/{id}?properties=&associations=&archived=&idProperty=.
func (s *Server) handleObjectGet(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	q := c.r.URL.Query()
	id, idProp, archived := c.r.PathValue("objectId"), q.Get("idProperty"), q.Get("archived") == "true"
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		if e := lookupIDProperty(pt, t, idProp); e != nil {
			return nil, e
		}
		o := s.findBy(pt, t, idProp, id, archived)
		if o == nil {
			return nil, s.objectNotFound()
		}
		out := render(o, readProps(pt, t, listParam(c.r, "properties")))
		out.Associations = s.v3Associations(o, listParam(c.r, "associations"))
		return out, nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, body)
}

// handleObjectList is GET /crm/v3/objects/{t}?limit=&after=&properties=&associations=&archived=.
// after is the id of the first record of the page; limit is 10 by default
// and at most 100.
func (s *Server) handleObjectList(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	q := c.r.URL.Query()
	limit := 10
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			c.fail(errValidation("limit must be a positive integer, got %q", v))
			return
		}
		limit = min(n, 100)
	}
	var after int64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			c.fail(errValidation("after must be a record id, got %q", v))
			return
		}
		after = n
	}
	type page struct {
		Results []objectJSON `json:"results"`
		Paging  *paging      `json:"paging,omitempty"`
	}
	body, _ := s.locked(func() (any, *apiError) {
		pt := c.portal()
		names := readProps(pt, t, listParam(c.r, "properties"))
		assocTypes := listParam(c.r, "associations")
		out := page{Results: []objectJSON{}}
		for _, o := range s.objectsOf(pt, t, q.Get("archived") == "true") {
			if o.n < after {
				continue
			}
			if len(out.Results) == limit {
				out.Paging = &paging{Next: &nextPage{After: o.id, Link: apiBase + c.r.URL.Path + "?after=" + o.id}}
				break
			}
			r := render(o, names)
			r.Associations = s.v3Associations(o, assocTypes)
			out.Results = append(out.Results, r)
		}
		return out, nil
	})
	c.json(http.StatusOK, body)
}

const apiBase = "https://api.hubapi.com"

type paging struct {
	Next *nextPage `json:"next,omitempty"`
}

type nextPage struct {
	After string `json:"after"`
	Link  string `json:"link,omitempty"`
}

// handleObjectCreate is POST /crm/v3/objects/{t}: 201 with the record.
func (s *Server) handleObjectCreate(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	var in writeInput
	if e := c.decode(&in); e != nil {
		c.fail(e)
		return
	}
	body, e := s.locked(func() (any, *apiError) {
		o, e := s.create(c.portal(), t, in, c.now)
		if e != nil {
			return nil, e
		}
		return render(o, nil), nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusCreated, body)
}

// handleObjectUpdate is PATCH /crm/v3/objects/{t}/{id}[?idProperty=].
func (s *Server) handleObjectUpdate(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	var in writeInput
	if e := c.decode(&in); e != nil {
		c.fail(e)
		return
	}
	id, idProp := c.r.PathValue("objectId"), c.r.URL.Query().Get("idProperty")
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		if e := lookupIDProperty(pt, t, idProp); e != nil {
			return nil, e
		}
		o := s.findBy(pt, t, idProp, id, false)
		if o == nil {
			return nil, s.objectNotFound()
		}
		if e := s.update(pt, o, in.Properties, c.now); e != nil {
			return nil, e
		}
		return render(o, nil), nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, body)
}

// handleObjectArchive is DELETE /crm/v3/objects/{t}/{id}: 204, also when
// the record is already gone.
func (s *Server) handleObjectArchive(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	s.mu.Lock()
	if o := s.find(c.portal(), t, c.r.PathValue("objectId"), false); o != nil {
		s.archive(o, c.now)
	}
	s.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}

// batchResponse is the answer of the batch endpoints: 200 (201 for
// create), or 207 when errors[] is not empty.
type batchResponse struct {
	Status      string       `json:"status"`
	Results     []objectJSON `json:"results"`
	NumErrors   int          `json:"numErrors,omitempty"`
	Errors      []batchError `json:"errors,omitempty"`
	StartedAt   string       `json:"startedAt"`
	CompletedAt string       `json:"completedAt"`
}

// maxBatch is the batch size limit (reference §4.5: 100 records per request).
const maxBatch = 100

func errBatchTooLarge(n int) *apiError {
	return errValidation("Batch input is limited to %d inputs, got %d", maxBatch, n)
}

// missingObjects is the 207 error for ids that do not exist.
func missingObjects(t *objectType, ids []string) batchError {
	return batchError{Status: "error", Category: categoryNotFound,
		Message: "Could not get some " + t.upper + " objects, they may be deleted or not exist. Check that ids are valid.",
		Context: map[string][]string{"ids": ids}}
}

func (c *call) batch(results []objectJSON, missing []batchError) batchResponse {
	return batchResponse{Status: "COMPLETE", Results: results, NumErrors: len(missing), Errors: missing,
		StartedAt: isoMillis(c.now), CompletedAt: isoMillis(c.now)}
}

func batchStatus(ok int, r batchResponse) int {
	if r.NumErrors > 0 {
		return http.StatusMultiStatus
	}
	return ok
}

// handleBatchRead is POST /crm/v3/objects/{t}/batch/read
// {"properties":[...],"inputs":[{"id"}],"idProperty"?}: 207 with errors
// for ids that do not exist. It cannot return associations (reference §4.1).
func (s *Server) handleBatchRead(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	var in struct {
		Properties []string `json:"properties"`
		IDProperty string   `json:"idProperty"`
		Inputs     []struct {
			ID json.RawMessage `json:"id"`
		} `json:"inputs"`
	}
	if e := c.decode(&in); e != nil {
		c.fail(e)
		return
	}
	if len(in.Inputs) > maxBatch {
		c.fail(errBatchTooLarge(len(in.Inputs)))
		return
	}
	archived := c.r.URL.Query().Get("archived") == "true"
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		if e := lookupIDProperty(pt, t, in.IDProperty); e != nil {
			return nil, e
		}
		names := readProps(pt, t, in.Properties)
		results := []objectJSON{}
		var missing []string
		seen := map[string]bool{}
		for _, input := range in.Inputs {
			id := idString(input.ID)
			if seen[id] {
				continue
			}
			seen[id] = true
			if o := s.findBy(pt, t, in.IDProperty, id, archived); o != nil {
				results = append(results, render(o, names))
			} else {
				missing = append(missing, id)
			}
		}
		var errs []batchError
		if len(missing) > 0 {
			errs = append(errs, missingObjects(t, missing))
		}
		return c.batch(results, errs), nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(batchStatus(http.StatusOK, body.(batchResponse)), body)
}

// batchWrites reads the object type and the inputs of a batch create or
// update, refusing more than maxBatch of them.
func (c *call) batchWrites() (*objectType, []writeInput, *apiError) {
	t, e := c.objectType("objectType")
	if e != nil {
		return nil, nil, e
	}
	var in struct {
		Inputs []writeInput `json:"inputs"`
	}
	if e := c.decode(&in); e != nil {
		return nil, nil, e
	}
	if len(in.Inputs) > maxBatch {
		return nil, nil, errBatchTooLarge(len(in.Inputs))
	}
	return t, in.Inputs, nil
}

// handleBatchCreate is POST /crm/v3/objects/{t}/batch/create: all or
// nothing; 201.
func (s *Server) handleBatchCreate(c *call) {
	t, inputs, e := c.batchWrites()
	if e != nil {
		c.fail(e)
		return
	}
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		plans := make([]*createPlan, 0, len(inputs))
		taken := map[string]bool{}     // unique values of the inputs before
		for _, input := range inputs { // validate everything before writing anything
			plan, e := s.planCreate(pt, t, input)
			if e != nil {
				return nil, e
			}
			// Two inputs of one batch may collide on a unique value.
			for n, v := range plan.vals {
				if def := pt.propDef(t, n); def == nil || !def.unique || v == "" {
					continue
				}
				k := n + "\x00" + indexValue(n, v)
				if taken[k] {
					return nil, newError(http.StatusConflict, categoryConflict, displayName(t)+" already exists: two inputs share "+n+" "+v)
				}
				taken[k] = true
			}
			plans = append(plans, plan)
		}
		results := []objectJSON{}
		for _, plan := range plans {
			results = append(results, render(s.commit(pt, plan, c.now), nil))
		}
		return c.batch(results, nil), nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusCreated, body)
}

// handleBatchUpdate is POST /crm/v3/objects/{t}/batch/update
// {"inputs":[{"id","properties"}]}: invalid values fail the whole batch
// (400); ids that do not exist are reported in a 207 and the others are
// updated.
func (s *Server) handleBatchUpdate(c *call) {
	t, inputs, e := c.batchWrites()
	if e != nil {
		c.fail(e)
		return
	}
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		for _, input := range inputs {
			if e := lookupIDProperty(pt, t, input.IDProperty); e != nil {
				return nil, e
			}
			if _, e := validateProps(pt, t, input.Properties); e != nil {
				return nil, e
			}
		}
		results := []objectJSON{}
		var missing []string
		for _, input := range inputs {
			id := idString(input.ID)
			o := s.findBy(pt, t, input.IDProperty, id, false)
			if o == nil {
				missing = append(missing, id)
				continue
			}
			if e := s.update(pt, o, input.Properties, c.now); e != nil {
				return nil, e
			}
			results = append(results, render(o, nil))
		}
		var errs []batchError
		if len(missing) > 0 {
			errs = append(errs, missingObjects(t, missing))
		}
		return c.batch(results, errs), nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(batchStatus(http.StatusOK, body.(batchResponse)), body)
}
