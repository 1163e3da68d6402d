package hubspotfake

import (
	"encoding/json"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Search limits (reference §4.5).
const (
	searchDefaultLimit  = 10
	searchMaxLimit      = 200
	searchMaxResults    = 10000
	searchMaxGroups     = 5
	searchMaxPerGroup   = 6
	searchMaxFilters    = 18
	searchMaxBodyLength = 3000
)

// searchRequest is the body of POST /crm/v3/objects/{t}/search.
type searchRequest struct {
	FilterGroups []struct {
		Filters []searchFilter `json:"filters"`
	} `json:"filterGroups"`
	Sorts      []json.RawMessage `json:"sorts"`
	Query      *string           `json:"query"`
	Properties []string          `json:"properties"`
	Limit      *int              `json:"limit"`
	After      json.RawMessage   `json:"after"`
}

type searchFilter struct {
	PropertyName string            `json:"propertyName"`
	Operator     string            `json:"operator"`
	Value        json.RawMessage   `json:"value"`
	HighValue    json.RawMessage   `json:"highValue"`
	Values       []json.RawMessage `json:"values"`
}

// sortRule is one sort: {"propertyName","direction"}, or a bare property
// name string as clarkmcc/go-hubspot sends it (ascending; a leading "-"
// means descending).
type sortRule struct {
	property   string
	descending bool
}

var operators = map[string]bool{
	"EQ": true, "NEQ": true, "LT": true, "LTE": true, "GT": true, "GTE": true, "BETWEEN": true,
	"IN": true, "NOT_IN": true, "HAS_PROPERTY": true, "NOT_HAS_PROPERTY": true,
	"CONTAINS_TOKEN": true, "NOT_CONTAINS_TOKEN": true,
}

// handleSearch is POST /crm/v3/objects/{t}/search: filterGroups are OR'ed,
// the filters of a group AND'ed; sorts, free-text query, properties, limit
// (default 10, at most 200), after (an offset) and total. Past 10 000
// results the answer is 400 (reference §4.5).
func (s *Server) handleSearch(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	raw, e := c.body()
	if e != nil {
		c.fail(e)
		return
	}
	if len(raw) > searchMaxBodyLength {
		c.fail(errValidation("The search request body is limited to %d characters, got %d", searchMaxBodyLength, len(raw)))
		return
	}
	var req searchRequest
	if e := decodeJSON(raw, &req); e != nil {
		c.fail(e)
		return
	}
	limit, offset, sorts, e := s.checkSearch(&req)
	if e != nil {
		c.fail(e)
		return
	}
	type response struct {
		Total   int          `json:"total"`
		Results []objectJSON `json:"results"`
		Paging  *paging      `json:"paging,omitempty"`
	}
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		if e := validateFilters(pt, t, &req); e != nil {
			return nil, e
		}
		visibleBefore := c.now.Add(-s.opt.SearchIndexDelay)
		var hits []*object
		for _, o := range s.objectsOf(pt, t, false) {
			if s.opt.SearchIndexDelay > 0 && o.created.After(visibleBefore) {
				continue
			}
			if s.matches(pt, o, &req) {
				hits = append(hits, o)
			}
		}
		sortHits(pt, t, hits, sorts)
		names := readProps(pt, t, req.Properties)
		out := response{Total: len(hits), Results: []objectJSON{}}
		end := min(offset+limit, len(hits), searchMaxResults)
		for i := offset; i < end; i++ {
			out.Results = append(out.Results, render(hits[i], names))
		}
		if offset+limit < len(hits) {
			out.Paging = &paging{Next: &nextPage{After: strconv.Itoa(offset + limit)}}
		}
		return out, nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, body)
}

// checkSearch validates what needs no state: limit, after, filter counts
// and operators, sorts.
func (s *Server) checkSearch(req *searchRequest) (limit, offset int, sorts []sortRule, e *apiError) {
	limit = searchDefaultLimit
	if req.Limit != nil && *req.Limit != 0 { // clarkmcc/go-hubspot sends 0 when unset
		limit = *req.Limit
	}
	if limit < 0 {
		return 0, 0, nil, errValidation("limit must be a positive number, got %d", limit)
	}
	if limit > searchMaxLimit {
		if s.opt.SearchRejectOverLimit {
			return 0, 0, nil, errValidation("limit must be less than or equal to %d, got %d", searchMaxLimit, limit)
		}
		limit = searchMaxLimit
	}
	if after := strings.Trim(string(req.After), `"`); after != "" && after != "null" {
		n, err := strconv.Atoi(after)
		if err != nil || n < 0 {
			return 0, 0, nil, errValidation("after must be a non-negative offset, got %s", after)
		}
		offset = n
	}
	if offset >= searchMaxResults {
		return 0, 0, nil, errValidation("Search results are limited to %d records per query; after=%d is past the limit", searchMaxResults, offset)
	}
	if len(req.FilterGroups) > searchMaxGroups {
		return 0, 0, nil, errValidation("Too many filter groups: %d; the limit is %d", len(req.FilterGroups), searchMaxGroups)
	}
	total := 0
	for _, g := range req.FilterGroups {
		if len(g.Filters) > searchMaxPerGroup {
			return 0, 0, nil, errValidation("Too many filters in a filter group: %d; the limit is %d", len(g.Filters), searchMaxPerGroup)
		}
		total += len(g.Filters)
		for _, f := range g.Filters {
			if !operators[f.Operator] {
				return 0, 0, nil, errValidation("Unknown filter operator %q on %s", f.Operator, f.PropertyName)
			}
		}
	}
	if total > searchMaxFilters {
		return 0, 0, nil, errValidation("Too many filters: %d; the limit is %d in all filter groups", total, searchMaxFilters)
	}
	for _, raw := range req.Sorts {
		var r sortRule
		var name string
		var obj struct {
			PropertyName string `json:"propertyName"`
			Direction    string `json:"direction"`
		}
		switch {
		case json.Unmarshal(raw, &name) == nil:
			r.property = strings.TrimPrefix(name, "-")
			r.descending = strings.HasPrefix(name, "-")
		case json.Unmarshal(raw, &obj) == nil:
			r.property = obj.PropertyName
			switch strings.ToUpper(obj.Direction) {
			case "", "ASCENDING":
			case "DESCENDING":
				r.descending = true
			default:
				return 0, 0, nil, errValidation("Unknown sort direction %q", obj.Direction)
			}
		default:
			return 0, 0, nil, errValidation("Invalid sort %s", raw)
		}
		if r.property == "" {
			return 0, 0, nil, errValidation("A sort needs a propertyName")
		}
		sorts = append(sorts, r)
	}
	return limit, offset, sorts, nil
}

// validateFilters checks that filtered properties exist and operators have
// their values. "associations.<type>" filters on linked record ids.
func validateFilters(pt *portal, t *objectType, req *searchRequest) *apiError {
	for _, g := range req.FilterGroups {
		for _, f := range g.Filters {
			if assocTypeOf(f.PropertyName) == nil && pt.propDef(t, f.PropertyName) == nil {
				return errValidation("Unable to find property %s on %s", f.PropertyName, t.name)
			}
			switch f.Operator {
			case "BETWEEN":
				if isNull(f.Value) || isNull(f.HighValue) {
					return errValidation("BETWEEN on %s needs value and highValue", f.PropertyName)
				}
			case "IN", "NOT_IN":
				if len(f.Values) == 0 {
					return errValidation("%s on %s needs values", f.Operator, f.PropertyName)
				}
			case "HAS_PROPERTY", "NOT_HAS_PROPERTY":
			default:
				if isNull(f.Value) {
					return errValidation("%s on %s needs a value", f.Operator, f.PropertyName)
				}
			}
		}
	}
	return nil
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// assocTypeOf returns the object type of an "associations.<type>" pseudo
// property, or nil.
func assocTypeOf(name string) *objectType {
	rest, ok := strings.CutPrefix(name, "associations.")
	if !ok {
		return nil
	}
	return lookupObjectType(rest)
}

// matches applies the filter groups and the query to o.
func (s *Server) matches(pt *portal, o *object, req *searchRequest) bool {
	if req.Query != nil && strings.TrimSpace(*req.Query) != "" {
		q := strings.ToLower(strings.TrimSpace(*req.Query))
		found := false
		for _, n := range o.typ.searchable {
			if strings.Contains(strings.ToLower(o.props[n]), q) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	if len(req.FilterGroups) == 0 {
		return true
	}
	for _, g := range req.FilterGroups {
		all := true
		for _, f := range g.Filters {
			if !s.matchFilter(pt, o, f) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// matchFilter applies one filter. Strings compare case-insensitively,
// numbers numerically, dates and datetimes as instants (epoch ms or ISO).
// A record without the property matches only the negative operators (NEQ,
// NOT_IN, NOT_CONTAINS_TOKEN, NOT_HAS_PROPERTY).
func (s *Server) matchFilter(pt *portal, o *object, f searchFilter) bool {
	if t := assocTypeOf(f.PropertyName); t != nil {
		ids, _ := s.associated(o, t)
		want := map[string]bool{}
		for _, raw := range append(f.Values, f.Value) {
			if v, ok := rawValue(raw); ok && v != "" {
				want[v] = true
			}
		}
		for _, other := range ids {
			if want[other.id] {
				return f.Operator == "EQ" || f.Operator == "IN"
			}
		}
		return f.Operator == "NEQ" || f.Operator == "NOT_IN"
	}
	def := pt.propDef(o.typ, f.PropertyName)
	have, set := o.props[f.PropertyName]
	set = set && have != ""
	switch f.Operator {
	case "HAS_PROPERTY":
		return set
	case "NOT_HAS_PROPERTY":
		return !set
	}
	if !set {
		switch f.Operator {
		case "NEQ", "NOT_IN", "NOT_CONTAINS_TOKEN":
			return true
		}
		return false
	}
	value, _ := rawValue(f.Value)
	switch f.Operator {
	case "EQ":
		return compare(def, have, value) == 0
	case "NEQ":
		return compare(def, have, value) != 0
	case "LT":
		return compare(def, have, value) < 0
	case "LTE":
		return compare(def, have, value) <= 0
	case "GT":
		return compare(def, have, value) > 0
	case "GTE":
		return compare(def, have, value) >= 0
	case "BETWEEN":
		high, _ := rawValue(f.HighValue)
		return compare(def, have, value) >= 0 && compare(def, have, high) <= 0
	case "IN", "NOT_IN":
		in := false
		for _, raw := range f.Values {
			if v, ok := rawValue(raw); ok && compare(def, have, v) == 0 {
				in = true
			}
		}
		return in == (f.Operator == "IN")
	case "CONTAINS_TOKEN":
		return containsToken(have, value)
	case "NOT_CONTAINS_TOKEN":
		return !containsToken(have, value)
	}
	return false
}

// compare orders a stored value against a filter value by property type.
// Values that do not parse as the type compare as strings.
func compare(def *propDef, have, want string) int {
	switch def.typ {
	case "number":
		a, errA := strconv.ParseFloat(have, 64)
		b, errB := strconv.ParseFloat(want, 64)
		if errA == nil && errB == nil {
			return cmpFloat(a, b)
		}
	case "datetime", "date":
		a, okA := parseTime(have)
		b, okB := parseTime(want)
		if okA && okB {
			return a.Compare(b)
		}
	}
	return strings.Compare(strings.ToLower(have), strings.ToLower(want))
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// containsToken reports whether a token of value matches token, which may
// hold * wildcards; both sides are case-insensitive. Tokens are split on
// whitespace and punctuation; the whole value counts as a token too.
func containsToken(value, token string) bool {
	token = strings.ToLower(token)
	value = strings.ToLower(value)
	if ok, _ := path.Match(token, value); ok || value == token {
		return true
	}
	for _, part := range strings.FieldsFunc(value, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if ok, _ := path.Match(token, part); ok || part == token {
			return true
		}
	}
	return false
}

// sortHits orders hits by the sort rules, then by id (the default order).
// Records without the sorted property come last.
func sortHits(pt *portal, t *objectType, hits []*object, sorts []sortRule) {
	sort.SliceStable(hits, func(i, j int) bool {
		for _, r := range sorts {
			def := pt.propDef(t, r.property)
			if def == nil {
				continue
			}
			a, okA := hits[i].props[r.property]
			b, okB := hits[j].props[r.property]
			switch {
			case okA && !okB:
				return true
			case !okA && okB:
				return false
			case !okA && !okB:
				continue
			}
			if c := compare(def, a, b); c != 0 {
				return (c < 0) != r.descending
			}
		}
		return hits[i].n < hits[j].n
	})
}
