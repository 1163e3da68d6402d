package hubspotfake

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// Object returns a copy of the properties of a live record of the portal,
// and whether it exists. objectType is a path name or type id ("deals",
// "0-3"). It bypasses counters, faults and rate limits.
func (s *Server) Object(portalID int64, objectType, id string) (map[string]string, bool) {
	t := lookupObjectType(objectType)
	if t == nil {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pt := s.portals[portalID]
	if pt == nil {
		return nil, false
	}
	o := s.find(pt, t, id, false)
	if o == nil {
		return nil, false
	}
	out := make(map[string]string, len(o.props))
	for k, v := range o.props {
		out[k] = v
	}
	return out, true
}

// Objects returns the ids of the portal's live records of a type, in id
// order.
func (s *Server) Objects(portalID int64, objectType string) []string {
	t := lookupObjectType(objectType)
	s.mu.Lock()
	defer s.mu.Unlock()
	pt := s.portals[portalID]
	if t == nil || pt == nil {
		return nil
	}
	var ids []string
	for _, o := range s.objectsOf(pt, t, false) {
		ids = append(ids, o.id)
	}
	return ids
}

// Associations returns the ids of the records of type toType linked from
// record id, with the association type ids of each link.
func (s *Server) Associations(portalID int64, fromType, id, toType string) map[string][]int {
	from, to := lookupObjectType(fromType), lookupObjectType(toType)
	s.mu.Lock()
	defer s.mu.Unlock()
	pt := s.portals[portalID]
	if from == nil || to == nil || pt == nil {
		return nil
	}
	o := s.find(pt, from, id, false)
	if o == nil {
		return nil
	}
	objs, types := s.associated(o, to)
	out := make(map[string][]int, len(objs))
	for _, other := range objs {
		out[other.id] = types[other.id]
	}
	return out
}

// AddObject stores a record in the portal without an HTTP request
// (validated like a create, but not counted nor rate limited), for tests
// and benchmarks that need many records. It returns the new id.
func (s *Server) AddObject(portalID int64, objectType string, props map[string]string) (string, error) {
	t := lookupObjectType(objectType)
	if t == nil {
		return "", fmt.Errorf("hubspotfake: unknown object type %q", objectType)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	pt := s.portals[portalID]
	if pt == nil {
		return "", errors.New("hubspotfake: unknown portal " + strconv.FormatInt(portalID, 10))
	}
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	vals := make(map[string]string, len(props))
	for _, n := range names {
		def := pt.propDef(t, n)
		if def == nil {
			return "", fmt.Errorf("hubspotfake: property %q does not exist on %s", n, t.name)
		}
		v, perr := def.normalize(props[n])
		if perr != nil {
			return "", fmt.Errorf("hubspotfake: %s", perr.message)
		}
		vals[n] = v
	}
	now := s.opt.Now()
	o := s.insert(pt, t, vals, now)
	s.derive(o, vals, now)
	return o.id, nil
}

// HasProperty reports whether the property exists on the object type in
// the portal (built in, or created through the properties API).
func (s *Server) HasProperty(portalID int64, objectType, name string) bool {
	t := lookupObjectType(objectType)
	s.mu.Lock()
	defer s.mu.Unlock()
	pt := s.portals[portalID]
	return t != nil && pt != nil && pt.propDef(t, name) != nil
}
