package hubspotfake

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
)

// assocDef is one HUBSPOT_DEFINED association type: from → to with a type
// id, an optional label ("Primary") and the id of the inverse direction.
type assocDef struct {
	from, to string
	typeID   int
	label    string
	inverse  int
}

// assocDefs lists the association types the fake knows. Ids from reference
// §4.2: deal↔contact 3/4, deal↔company 341/342 (primary 5/6), deal↔line
// item 19/20, deal↔quote 63/64, quote→contact 69, quote→company 71,
// quote→line item 67, deal→invoice 176, contact→invoice 178,
// company→invoice 180, quote→invoice 408. Ours (HubSpot's public table as we
// know it, not in the reference; verify with the labels endpoint): the
// inverses contact→quote 70, company→quote 72, line item→quote 68,
// invoice→deal 175, invoice→contact 177, invoice→company 179,
// invoice→quote 407; contact↔company 279/280 (primary 1/2) and invoice↔line
// item 409/410.
var assocDefs = []assocDef{
	{"deals", "contacts", 3, "", 4}, {"contacts", "deals", 4, "", 3},
	{"deals", "companies", 341, "", 342}, {"companies", "deals", 342, "", 341},
	{"deals", "companies", 5, "Primary", 6}, {"companies", "deals", 6, "Primary", 5},
	{"deals", "line_items", 19, "", 20}, {"line_items", "deals", 20, "", 19},
	{"deals", "quotes", 63, "", 64}, {"quotes", "deals", 64, "", 63},
	{"quotes", "contacts", 69, "", 70}, {"contacts", "quotes", 70, "", 69},
	{"quotes", "companies", 71, "", 72}, {"companies", "quotes", 72, "", 71},
	{"quotes", "line_items", 67, "", 68}, {"line_items", "quotes", 68, "", 67},
	{"deals", "invoices", 176, "", 175}, {"invoices", "deals", 175, "", 176},
	{"contacts", "invoices", 178, "", 177}, {"invoices", "contacts", 177, "", 178},
	{"companies", "invoices", 180, "", 179}, {"invoices", "companies", 179, "", 180},
	{"quotes", "invoices", 408, "", 407}, {"invoices", "quotes", 407, "", 408},
	{"contacts", "companies", 279, "", 280}, {"companies", "contacts", 280, "", 279},
	{"contacts", "companies", 1, "Primary", 2}, {"companies", "contacts", 2, "Primary", 1},
	{"invoices", "line_items", 409, "", 410}, {"line_items", "invoices", 410, "", 409},
}

// assocDefByID returns the type typeID from type from, or nil.
func assocDefByID(from string, typeID int) *assocDef {
	for i := range assocDefs {
		if d := &assocDefs[i]; d.from == from && d.typeID == typeID {
			return d
		}
	}
	return nil
}

// defaultAssoc returns the unlabeled type between two object types, or nil.
func defaultAssoc(from, to string) *assocDef {
	for i := range assocDefs {
		if d := &assocDefs[i]; d.from == from && d.to == to && d.label == "" {
			return d
		}
	}
	return nil
}

// v3Name is the association type name of the v3 API: "deal_to_contact";
// the unlabeled type of a pair that also has a Primary type is
// "deal_to_company_unlabeled".
func (d *assocDef) v3Name() string {
	name := objectTypes[d.from].singular + "_to_" + objectTypes[d.to].singular
	if d.label == "" {
		for i := range assocDefs {
			if o := &assocDefs[i]; o.from == d.from && o.to == d.to && o.label == "Primary" {
				return name + "_unlabeled"
			}
		}
	}
	return name
}

// associate links from and to with def, in both directions. A labelled type
// implies the pair's unlabeled one, and a Primary company replaces the
// previous primary company of the deal or contact. The caller holds s.mu.
func (s *Server) associate(from, to *object, def *assocDef) {
	if def.label == "Primary" && def.from == "companies" {
		from, to, def = to, from, assocDefByID(def.to, def.inverse)
	}
	if def.label == "Primary" {
		for otherID, types := range s.assoc[from.id] {
			if otherID != to.id && types[def.typeID] {
				delete(types, def.typeID)
				delete(s.assoc[otherID][from.id], def.inverse)
			}
		}
	}
	s.link(from.id, to.id, def.typeID)
	s.link(to.id, from.id, def.inverse)
	if def.label != "" {
		if d := defaultAssoc(def.from, def.to); d != nil {
			s.link(from.id, to.id, d.typeID)
			s.link(to.id, from.id, d.inverse)
		}
	}
}

func (s *Server) link(from, to string, typeID int) {
	if s.assoc[from] == nil {
		s.assoc[from] = make(map[string]map[int]bool)
	}
	if s.assoc[from][to] == nil {
		s.assoc[from][to] = make(map[int]bool)
	}
	s.assoc[from][to][typeID] = true
}

// unlink removes every association between a and b.
func (s *Server) unlink(a, b string) {
	delete(s.assoc[a], b)
	delete(s.assoc[b], a)
}

// associated returns the live objects of type t linked from o, by id, with
// the sorted type ids of each link. The caller holds s.mu.
func (s *Server) associated(o *object, t *objectType) ([]*object, map[string][]int) {
	var objs []*object
	types := map[string][]int{}
	for id, set := range s.assoc[o.id] {
		to := s.objects[id]
		if to == nil || to.typ != t || to.archived || len(set) == 0 {
			continue
		}
		objs = append(objs, to)
		for typeID := range set {
			types[id] = append(types[id], typeID)
		}
		sort.Ints(types[id])
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].n < objs[j].n })
	return objs, types
}

// resolveAssoc checks one association spec from type t to record toID.
func (s *Server) resolveAssoc(pt *portal, t *objectType, toID string, spec assocSpec) (*assocDef, *object, *apiError) {
	if spec.Category != "HUBSPOT_DEFINED" {
		return nil, nil, errValidation("association category %q with type id %d is not defined for %s", spec.Category, spec.TypeID, t.name)
	}
	def := assocDefByID(t.name, spec.TypeID)
	if def == nil {
		return nil, nil, errValidation("association type id %d is not defined from %s", spec.TypeID, t.name)
	}
	to := s.find(pt, objectTypes[def.to], toID, false)
	if to == nil {
		return nil, nil, errValidation("%s %s to associate with does not exist", objectTypes[def.to].singular, toID)
	}
	return def, to, nil
}

// assocTypeJSON is {category, typeId, label} (label null when unlabeled).
type assocTypeJSON struct {
	Category string  `json:"category"`
	TypeID   int     `json:"typeId"`
	Label    *string `json:"label"`
}

func assocTypesJSON(from string, ids []int) []assocTypeJSON {
	out := make([]assocTypeJSON, 0, len(ids))
	for _, id := range ids {
		a := assocTypeJSON{Category: "HUBSPOT_DEFINED", TypeID: id}
		if d := assocDefByID(from, id); d != nil && d.label != "" {
			label := d.label
			a.Label = &label
		}
		out = append(out, a)
	}
	return out
}

// v4To is one entry of to[]: {"toObjectId": 123, "associationTypes": [...]}.
type v4To struct {
	ToObjectID       int64           `json:"toObjectId"`
	AssociationTypes []assocTypeJSON `json:"associationTypes"`
}

func (s *Server) v4ToList(o *object, t *objectType) []v4To {
	objs, types := s.associated(o, t)
	out := make([]v4To, 0, len(objs))
	for _, to := range objs {
		out = append(out, v4To{ToObjectID: to.n, AssociationTypes: assocTypesJSON(o.typ.name, types[to.id])})
	}
	return out
}

// v3AssocList is associations.{type} of a v3 read: {"results":[{id,type}]}.
type v3AssocList struct {
	Results []v3Assoc `json:"results"`
}

type v3Assoc struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

func (s *Server) v3List(o *object, t *objectType) []v3Assoc {
	objs, types := s.associated(o, t)
	out := []v3Assoc{}
	for _, to := range objs {
		for _, id := range types[to.id] {
			if d := assocDefByID(o.typ.name, id); d != nil {
				out = append(out, v3Assoc{ID: to.id, Type: d.v3Name()})
			}
		}
	}
	return out
}

// v3Associations renders ?associations=a,b of a v3 read: one key per type
// that has links, under its path name. Unknown types are ignored.
func (s *Server) v3Associations(o *object, names []string) map[string]*v3AssocList {
	var out map[string]*v3AssocList
	for _, n := range names {
		t := lookupObjectType(n)
		if t == nil {
			continue
		}
		if list := s.v3List(o, t); len(list) > 0 {
			if out == nil {
				out = map[string]*v3AssocList{}
			}
			out[t.name] = &v3AssocList{Results: list}
		}
	}
	return out
}

// pairTypes resolves {fromType} and {toType}.
func (c *call) pairTypes() (*objectType, *objectType, *apiError) {
	from, e := c.objectType("fromType")
	if e != nil {
		return nil, nil, e
	}
	to, e := c.objectType("toType")
	if e != nil {
		return nil, nil, e
	}
	return from, to, nil
}

// maxAssocBatch is our limit for association batch inputs (not in the
// reference).
const maxAssocBatch = 1000

type objectID struct {
	ID json.RawMessage `json:"id"`
}

// v4BatchResponse is the answer of the v4 batch endpoints.
type v4BatchResponse struct {
	Status      string       `json:"status"`
	Results     any          `json:"results"`
	NumErrors   int          `json:"numErrors,omitempty"`
	Errors      []batchError `json:"errors,omitempty"`
	StartedAt   string       `json:"startedAt"`
	CompletedAt string       `json:"completedAt"`
}

func (c *call) v4Batch(results any, errs []batchError) v4BatchResponse {
	return v4BatchResponse{Status: "COMPLETE", Results: results, NumErrors: len(errs), Errors: errs,
		StartedAt: isoMillis(c.now), CompletedAt: isoMillis(c.now)}
}

// handleAssocBatchRead is POST /crm/v4/associations/{from}/{to}/batch/read.
// An input with no associations (or no such record) is an error entry with
// subCategory crm.associations.NO_ASSOCIATIONS_FOUND, and the answer is 207,
// as HubSpot does.
func (s *Server) handleAssocBatchRead(c *call) {
	from, to, e := c.pairTypes()
	if e != nil {
		c.fail(e)
		return
	}
	var in struct {
		Inputs []objectID `json:"inputs"`
	}
	if e := c.decode(&in); e != nil {
		c.fail(e)
		return
	}
	if len(in.Inputs) > maxAssocBatch {
		c.fail(errValidation("Batch input is limited to %d inputs, got %d", maxAssocBatch, len(in.Inputs)))
		return
	}
	type result struct {
		From struct {
			ID string `json:"id"`
		} `json:"from"`
		To []v4To `json:"to"`
	}
	body, _ := s.locked(func() (any, *apiError) {
		pt := c.portal()
		results := []result{}
		var errs []batchError
		for _, input := range in.Inputs {
			id := idString(input.ID)
			var list []v4To
			if o := s.find(pt, from, id, false); o != nil {
				list = s.v4ToList(o, to)
			}
			if len(list) == 0 {
				errs = append(errs, batchError{Status: "error", Category: categoryNotFound,
					SubCategory: "crm.associations.NO_ASSOCIATIONS_FOUND",
					Message:     "No " + to.singular + " is associated with " + from.singular + " " + id + ".",
					Context: map[string][]string{"fromObjectId": {id}, "fromObjectType": {from.singular},
						"toObjectType": {to.singular}}})
				continue
			}
			r := result{To: list}
			r.From.ID = id
			results = append(results, r)
		}
		return c.v4Batch(results, errs), nil
	})
	resp := body.(v4BatchResponse)
	status := http.StatusOK
	if resp.NumErrors > 0 {
		status = http.StatusMultiStatus
	}
	c.json(status, resp)
}

// defaultResult is one entry of a default-association answer.
type defaultResult struct {
	From            idJSON    `json:"from"`
	To              idJSON    `json:"to"`
	AssociationSpec assocSpec `json:"associationSpec"`
}

type idJSON struct {
	ID string `json:"id"`
}

// associateDefault links two records with their pair's default type and
// returns both directions, as HubSpot's default endpoints do.
func (s *Server) associateDefault(from, to *object) ([]defaultResult, *apiError) {
	def := defaultAssoc(from.typ.name, to.typ.name)
	if def == nil {
		return nil, errValidation("There is no default association type between %s and %s", from.typ.name, to.typ.name)
	}
	s.associate(from, to, def)
	return []defaultResult{
		{idJSON{from.id}, idJSON{to.id}, assocSpec{"HUBSPOT_DEFINED", def.typeID}},
		{idJSON{to.id}, idJSON{from.id}, assocSpec{"HUBSPOT_DEFINED", def.inverse}},
	}, nil
}

// handleAssocDefault is PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}.
func (s *Server) handleAssocDefault(c *call) {
	from, to, e := c.pairTypes()
	if e != nil {
		c.fail(e)
		return
	}
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		a, b := s.find(pt, from, c.r.PathValue("fromId"), false), s.find(pt, to, c.r.PathValue("toId"), false)
		if a == nil || b == nil {
			return nil, errNotFound("resource not found")
		}
		results, e := s.associateDefault(a, b)
		if e != nil {
			return nil, e
		}
		return c.v4Batch(results, nil), nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, body)
}

// handleAssocBatchDefault is POST /crm/v4/associations/{from}/{to}/batch/associate/default
// {"inputs":[{"from":{"id"},"to":{"id"}}]}; pairs naming a missing record
// are reported in a 207.
func (s *Server) handleAssocBatchDefault(c *call) {
	from, to, e := c.pairTypes()
	if e != nil {
		c.fail(e)
		return
	}
	var in struct {
		Inputs []struct {
			From objectID `json:"from"`
			To   objectID `json:"to"`
		} `json:"inputs"`
	}
	if e := c.decode(&in); e != nil {
		c.fail(e)
		return
	}
	if len(in.Inputs) > maxAssocBatch {
		c.fail(errValidation("Batch input is limited to %d inputs, got %d", maxAssocBatch, len(in.Inputs)))
		return
	}
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		results := []defaultResult{}
		var errs []batchError
		for _, input := range in.Inputs {
			fromID, toID := idString(input.From.ID), idString(input.To.ID)
			a, b := s.find(pt, from, fromID, false), s.find(pt, to, toID, false)
			if a == nil || b == nil {
				errs = append(errs, batchError{Status: "error", Category: categoryNotFound,
					Message: "Could not associate " + from.singular + " " + fromID + " with " + to.singular + " " + toID + ": a record does not exist.",
					Context: map[string][]string{"fromObjectId": {fromID}, "toObjectId": {toID}}})
				continue
			}
			r, e := s.associateDefault(a, b)
			if e != nil {
				return nil, e
			}
			results = append(results, r...)
		}
		return c.v4Batch(results, errs), nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	resp := body.(v4BatchResponse)
	status := http.StatusOK
	if resp.NumErrors > 0 {
		status = http.StatusMultiStatus
	}
	c.json(status, resp)
}

// labelsBetween is {fromObjectTypeId, fromObjectId, toObjectTypeId,
// toObjectId, labels}, the answer of a labelled association write.
type labelsBetween struct {
	FromObjectTypeID string   `json:"fromObjectTypeId"`
	FromObjectID     int64    `json:"fromObjectId"`
	ToObjectTypeID   string   `json:"toObjectTypeId"`
	ToObjectID       int64    `json:"toObjectId"`
	Labels           []string `json:"labels"`
}

func (s *Server) labelsBetween(a, b *object) labelsBetween {
	out := labelsBetween{FromObjectTypeID: a.typ.id, FromObjectID: a.n, ToObjectTypeID: b.typ.id, ToObjectID: b.n, Labels: []string{}}
	for typeID := range s.assoc[a.id][b.id] {
		if d := assocDefByID(a.typ.name, typeID); d != nil && d.label != "" {
			out.Labels = append(out.Labels, d.label)
		}
	}
	sort.Strings(out.Labels)
	return out
}

// handleAssocLabelled is PUT /crm/v4/objects/{t}/{id}/associations/{toT}/{toId}
// with body [{"associationCategory","associationTypeId"}].
func (s *Server) handleAssocLabelled(c *call) {
	from, to, e := c.pairTypes()
	if e != nil {
		c.fail(e)
		return
	}
	var specs []assocSpec
	if e := c.decode(&specs); e != nil {
		c.fail(e)
		return
	}
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		a, b := s.find(pt, from, c.r.PathValue("fromId"), false), s.find(pt, to, c.r.PathValue("toId"), false)
		if a == nil || b == nil {
			return nil, errNotFound("resource not found")
		}
		var defs []*assocDef
		for _, spec := range specs {
			def, _, e := s.resolveAssoc(pt, from, b.id, spec)
			if e != nil {
				return nil, e
			}
			if def.to != to.name {
				return nil, errValidation("association type id %d is not defined from %s to %s", spec.TypeID, from.name, to.name)
			}
			defs = append(defs, def)
		}
		for _, def := range defs {
			s.associate(a, b, def)
		}
		return s.labelsBetween(a, b), nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, body)
}

// handleAssocBatchCreate is POST /crm/v4/associations/{from}/{to}/batch/create
// {"inputs":[{"from":{"id"},"to":{"id"},"types":[...]}]}: all or nothing; 201.
func (s *Server) handleAssocBatchCreate(c *call) {
	from, to, e := c.pairTypes()
	if e != nil {
		c.fail(e)
		return
	}
	var in struct {
		Inputs []struct {
			From  objectID    `json:"from"`
			To    objectID    `json:"to"`
			Types []assocSpec `json:"types"`
		} `json:"inputs"`
	}
	if e := c.decode(&in); e != nil {
		c.fail(e)
		return
	}
	if len(in.Inputs) > maxAssocBatch {
		c.fail(errValidation("Batch input is limited to %d inputs, got %d", maxAssocBatch, len(in.Inputs)))
		return
	}
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		type link struct {
			a, b *object
			def  *assocDef
		}
		var links []link
		for _, input := range in.Inputs {
			a := s.find(pt, from, idString(input.From.ID), false)
			if a == nil {
				return nil, errValidation("%s %s does not exist", from.singular, idString(input.From.ID))
			}
			for _, spec := range input.Types {
				def, b, e := s.resolveAssoc(pt, from, idString(input.To.ID), spec)
				if e != nil {
					return nil, e
				}
				if def.to != to.name {
					return nil, errValidation("association type id %d is not defined from %s to %s", spec.TypeID, from.name, to.name)
				}
				links = append(links, link{a, b, def})
			}
		}
		results := []labelsBetween{}
		for _, l := range links {
			s.associate(l.a, l.b, l.def)
		}
		for _, l := range links {
			results = append(results, s.labelsBetween(l.a, l.b))
		}
		return c.v4Batch(results, nil), nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusCreated, body)
}

// handleAssocLabels is GET /crm/v4/associations/{from}/{to}/labels.
func (s *Server) handleAssocLabels(c *call) {
	from, to, e := c.pairTypes()
	if e != nil {
		c.fail(e)
		return
	}
	var ids []int
	for _, d := range assocDefs {
		if d.from == from.name && d.to == to.name {
			ids = append(ids, d.typeID)
		}
	}
	sort.Ints(ids)
	c.json(http.StatusOK, map[string]any{"results": assocTypesJSON(from.name, ids)})
}

// handleAssocDelete is DELETE /crm/v4/objects/{t}/{id}/associations/{toT}/{toId}:
// removes every association of the pair; 204.
func (s *Server) handleAssocDelete(c *call) {
	from, to, e := c.pairTypes()
	if e != nil {
		c.fail(e)
		return
	}
	s.mu.Lock()
	pt := c.portal()
	a, b := s.find(pt, from, c.r.PathValue("fromId"), false), s.find(pt, to, c.r.PathValue("toId"), false)
	if a != nil && b != nil {
		s.unlink(a.id, b.id)
	}
	s.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}

// handleAssocListV4 is GET /crm/v4/objects/{from}/{id}/associations/{to}:
// {"results":[{"toObjectId","associationTypes"}]}; 404 when the record does
// not exist.
func (s *Server) handleAssocListV4(c *call) {
	from, to, e := c.pairTypes()
	if e != nil {
		c.fail(e)
		return
	}
	body, e := s.locked(func() (any, *apiError) {
		o := s.find(c.portal(), from, c.r.PathValue("fromId"), false)
		if o == nil {
			return nil, s.objectNotFound()
		}
		return map[string]any{"results": s.v4ToList(o, to)}, nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, body)
}

// handleAssocListV3 is GET /crm/v3/objects/{from}/{id}/associations/{to}:
// {"results":[{"id","type"}]}.
func (s *Server) handleAssocListV3(c *call) {
	from, to, e := c.pairTypes()
	if e != nil {
		c.fail(e)
		return
	}
	body, e := s.locked(func() (any, *apiError) {
		o := s.find(c.portal(), from, c.r.PathValue("fromId"), false)
		if o == nil {
			return nil, s.objectNotFound()
		}
		return v3AssocList{Results: s.v3List(o, to)}, nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, body)
}

// v3AssocDef resolves the {type} of a v3 association path: a type id ("3")
// or a v3 name ("deal_to_contact").
func v3AssocDef(from, to *objectType, raw string) (*assocDef, *apiError) {
	var def *assocDef
	if n, err := strconv.Atoi(raw); err == nil {
		def = assocDefByID(from.name, n)
	} else {
		for i := range assocDefs {
			if d := &assocDefs[i]; d.from == from.name && d.v3Name() == raw {
				def = d
			}
		}
	}
	if def == nil || def.to != to.name {
		return nil, errValidation("association type %s is not defined from %s to %s", raw, from.name, to.name)
	}
	return def, nil
}

// handleAssocV3Delete is DELETE /crm/v3/objects/{t}/{id}/associations/{toT}/{toId}/{type}:
// removes that type (both directions); 204.
func (s *Server) handleAssocV3Delete(c *call) {
	from, to, e := c.pairTypes()
	if e != nil {
		c.fail(e)
		return
	}
	def, e := v3AssocDef(from, to, c.r.PathValue("assocType"))
	if e != nil {
		c.fail(e)
		return
	}
	s.mu.Lock()
	pt := c.portal()
	a, b := s.find(pt, from, c.r.PathValue("fromId"), false), s.find(pt, to, c.r.PathValue("toId"), false)
	if a != nil && b != nil {
		delete(s.assoc[a.id][b.id], def.typeID)
		delete(s.assoc[b.id][a.id], def.inverse)
	}
	s.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}

// handleAssocV3Create is PUT /crm/v3/objects/{t}/{id}/associations/{toT}/{toId}/{type},
// what clarkmcc/go-hubspot calls; {type} is a type id ("3") or a v3 name
// ("deal_to_contact"). It answers the record with its associations to toT.
func (s *Server) handleAssocV3Create(c *call) {
	from, to, e := c.pairTypes()
	if e != nil {
		c.fail(e)
		return
	}
	def, e := v3AssocDef(from, to, c.r.PathValue("assocType"))
	if e != nil {
		c.fail(e)
		return
	}
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		a, b := s.find(pt, from, c.r.PathValue("fromId"), false), s.find(pt, to, c.r.PathValue("toId"), false)
		if a == nil || b == nil {
			return nil, s.objectNotFound()
		}
		s.associate(a, b, def)
		out := render(a, readProps(pt, from, nil))
		out.Associations = s.v3Associations(a, []string{to.name})
		return out, nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, body)
}
