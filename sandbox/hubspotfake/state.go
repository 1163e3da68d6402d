package hubspotfake

import (
	"sort"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // portal time zones load on any machine
)

// Portal is a HubSpot account the fake serves. Zero fields take the
// defaults noted beside them when the portal is added.
type Portal struct {
	ID                   int64
	Name                 string
	Currency             string   // companyCurrency; default "USD"
	AdditionalCurrencies []string // additionalCurrencies
	TimeZone             string   // IANA name as HubSpot prints it, e.g. "US/Pacific"; default "US/Eastern"
	APIToken             string   // private-app token of the portal; empty means none
	AccountType          string   // default "STANDARD"
	UIDomain             string   // default "app.hubspot.com"
	DataHostingLocation  string   // default "na1"
	Domain               string   // hub_domain in OAuth token info; default "portal-<id>.example"
	UserID               int64    // user who installs the app over OAuth; default 7000000+n for the n-th portal
	UserEmail            string   // that user's email; default "admin@<Domain>"
	// Users of the account the user provisioning API answers for, beside
	// the installing user (always a super admin).
	Users []User
}

// User is a user of a portal's account.
type User struct {
	ID         int64
	Email      string
	SuperAdmin bool
	RoleIDs    []string
}

// portal is a Portal with its state.
type portal struct {
	Portal
	loc    *time.Location
	props  map[string]map[string]*propDef       // custom properties by object type name, then name
	groups map[string]map[string]*propertyGroup // custom groups by object type name, then name
}

// object is one CRM record. Ids are unique across all portals and types.
type object struct {
	id         string
	n          int64
	portalID   int64
	typ        *objectType
	props      map[string]string
	created    time.Time
	updated    time.Time
	archived   bool
	archivedAt time.Time
}

// AddPortal adds (or replaces) a portal. An unknown time zone falls back to
// UTC and is logged.
func (s *Server) AddPortal(p Portal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Currency == "" {
		p.Currency = "USD"
	}
	if p.AdditionalCurrencies == nil {
		p.AdditionalCurrencies = []string{}
	}
	if p.TimeZone == "" {
		p.TimeZone = "US/Eastern"
	}
	if p.AccountType == "" {
		p.AccountType = "STANDARD"
	}
	if p.UIDomain == "" {
		p.UIDomain = "app.hubspot.com"
	}
	if p.DataHostingLocation == "" {
		p.DataHostingLocation = "na1"
	}
	if p.Domain == "" {
		p.Domain = "portal-" + strconv.FormatInt(p.ID, 10) + ".example"
	}
	if p.UserEmail == "" {
		p.UserEmail = "admin@" + p.Domain
	}
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		s.log.Warn("unknown portal time zone; using UTC", "portal", p.ID, "timeZone", p.TimeZone, "err", err)
		loc = time.UTC
	}
	old, replaced := s.portals[p.ID]
	if replaced {
		delete(s.apiTokens, old.APIToken)
	} else {
		s.portalOrder = append(s.portalOrder, p.ID)
	}
	if p.UserID == 0 {
		p.UserID = 7000000 + int64(len(s.portalOrder))
	}
	pt := &portal{Portal: p, loc: loc,
		props:  make(map[string]map[string]*propDef),
		groups: make(map[string]map[string]*propertyGroup)}
	if replaced {
		pt.props, pt.groups = old.props, old.groups
	}
	s.portals[p.ID] = pt
	if p.APIToken != "" {
		s.apiTokens[p.APIToken] = p.ID
	}
}

// Portals returns the portals in the order they were added.
func (s *Server) Portals() []Portal {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Portal, 0, len(s.portalOrder))
	for _, id := range s.portalOrder {
		out = append(out, s.portals[id].Portal)
	}
	return out
}

// propDef returns the definition of name on t in the portal, built in or
// custom, or nil.
func (pt *portal) propDef(t *objectType, name string) *propDef {
	if p := t.props[name]; p != nil {
		return p
	}
	return pt.props[t.name][name]
}

// allProps returns every property of t in the portal, sorted by name.
func (pt *portal) allProps(t *objectType) []*propDef {
	out := make([]*propDef, 0, len(t.props)+len(pt.props[t.name]))
	for _, p := range t.props {
		out = append(out, p)
	}
	for _, p := range pt.props[t.name] {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// group returns the named property group of t in the portal, or nil.
func (pt *portal) group(t *objectType, name string) *propertyGroup {
	if name == t.group.Name {
		g := t.group
		return &g
	}
	return pt.groups[t.name][name]
}

// insert stores a new object; the caller holds s.mu and has validated props.
func (s *Server) insert(pt *portal, t *objectType, props map[string]string, now time.Time) *object {
	s.nextID++
	id := strconv.FormatInt(s.nextID, 10)
	o := &object{id: id, n: s.nextID, portalID: pt.ID, typ: t, props: map[string]string{}, created: now, updated: now}
	for k, v := range props {
		if v != "" {
			o.props[k] = v
		}
	}
	o.props["hs_object_id"] = id
	if _, ok := o.props["createdate"]; !ok {
		o.props["createdate"] = isoMillis(now)
	}
	o.props[t.lastModified] = isoMillis(now)
	s.objects[id] = o
	k := typeKey{pt.ID, t.name}
	s.byType[k] = append(s.byType[k], o) // ids only grow: the list stays sorted
	s.indexInserted(o)
	return o
}

// set applies validated props to o; the caller holds s.mu. Every change
// of a stored object's properties goes through it, so the lookup indexes
// stay true.
func (s *Server) set(o *object, props map[string]string, now time.Time) {
	changed := make([]string, 0, len(props)+1)
	for k, v := range props {
		if v == "" {
			delete(o.props, k)
		} else {
			o.props[k] = v
		}
		changed = append(changed, k)
	}
	o.updated = now
	o.props[o.typ.lastModified] = isoMillis(now)
	s.indexChanged(o, append(changed, o.typ.lastModified))
}

// archive archives o; the caller holds s.mu.
func (s *Server) archive(o *object, now time.Time) {
	o.archived, o.archivedAt = true, now
	s.indexArchived(o)
}

// find returns the live object id of type t in the portal, or nil: an id of
// another portal or another type is not found. The caller holds s.mu.
func (s *Server) find(pt *portal, t *objectType, id string, archived bool) *object {
	o := s.objects[id]
	if o == nil || o.portalID != pt.ID || o.typ != t || o.archived != archived {
		return nil
	}
	return o
}

// findBy returns the live object of type t whose property prop equals value
// (case-insensitive for email), or nil. "hs_object_id" means the id.
func (s *Server) findBy(pt *portal, t *objectType, prop, value string, archived bool) *object {
	if prop == "" || prop == "hs_object_id" {
		return s.find(pt, t, value, archived)
	}
	key := indexKey{pt.ID, t.name, prop, archived}
	idx := s.indexes[key]
	if idx == nil {
		idx = map[string]*object{}
		for _, o := range s.objectsOf(pt, t, archived) { // by id: the first of a value wins
			if v, ok := o.props[prop]; ok {
				if n := indexValue(prop, v); idx[n] == nil {
					idx[n] = o
				}
			}
		}
		s.indexes[key] = idx
	}
	return idx[indexValue(prop, value)]
}

// Lookup indexes. findBy answers from an index per portal, type, property
// and archived state, built on first use: the lowest-id object holding each
// value (case-folded for email). Without them a batch of 100 creates, each
// checked for unique values, scans every object of the type 100 times.
// Writes keep them true: an insert adds its values where absent (its id is
// the highest), a property change or an archive drops the indexes it may
// have made wrong, to be built again on next use.

// indexKey names one lookup index.
type indexKey struct {
	portalID int64
	typ      string
	prop     string
	archived bool
}

// indexValue is the indexed form of a value of prop.
func indexValue(prop, v string) string {
	if prop == "email" {
		return strings.ToLower(v)
	}
	return v
}

func (s *Server) indexInserted(o *object) {
	for key, idx := range s.indexes {
		if key.portalID != o.portalID || key.typ != o.typ.name || key.archived != o.archived {
			continue
		}
		if v, ok := o.props[key.prop]; ok {
			if n := indexValue(key.prop, v); idx[n] == nil {
				idx[n] = o
			}
		}
	}
}

func (s *Server) indexChanged(o *object, props []string) {
	for _, p := range props {
		delete(s.indexes, indexKey{o.portalID, o.typ.name, p, false})
		delete(s.indexes, indexKey{o.portalID, o.typ.name, p, true})
	}
}

func (s *Server) indexArchived(o *object) {
	for key := range s.indexes {
		if key.portalID == o.portalID && key.typ == o.typ.name {
			delete(s.indexes, key)
		}
	}
}

// typeKey indexes the objects of one type in one portal.
type typeKey struct {
	portalID int64
	typ      string
}

// objectsOf returns the objects of type t in the portal, ordered by id.
func (s *Server) objectsOf(pt *portal, t *objectType, archived bool) []*object {
	all := s.byType[typeKey{pt.ID, t.name}]
	out := make([]*object, 0, len(all))
	for _, o := range all {
		if o.archived == archived {
			out = append(out, o)
		}
	}
	return out
}
