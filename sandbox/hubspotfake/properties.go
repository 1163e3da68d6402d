package hubspotfake

import (
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// propertyJSON is a property definition as the properties API returns it.
type propertyJSON struct {
	CreatedAt            string               `json:"createdAt,omitempty"`
	UpdatedAt            string               `json:"updatedAt,omitempty"`
	Name                 string               `json:"name"`
	Label                string               `json:"label"`
	Type                 string               `json:"type"`
	FieldType            string               `json:"fieldType"`
	Description          string               `json:"description"`
	GroupName            string               `json:"groupName"`
	Options              []option             `json:"options"`
	DisplayOrder         int                  `json:"displayOrder"`
	Calculated           bool                 `json:"calculated"`
	ExternalOptions      bool                 `json:"externalOptions"`
	HasUniqueValue       bool                 `json:"hasUniqueValue"`
	Hidden               bool                 `json:"hidden"`
	HubspotDefined       bool                 `json:"hubspotDefined,omitempty"`
	ModificationMetadata modificationMetadata `json:"modificationMetadata"`
	FormField            bool                 `json:"formField"`
	Archived             bool                 `json:"archived"`
}

type modificationMetadata struct {
	Archivable         bool `json:"archivable"`
	ReadOnlyDefinition bool `json:"readOnlyDefinition"`
	ReadOnlyValue      bool `json:"readOnlyValue"`
}

func (p *propDef) json() propertyJSON {
	out := propertyJSON{
		Name: p.name, Label: p.label, Type: p.typ, FieldType: p.fieldType, Description: p.description,
		GroupName: p.group, Options: p.options, DisplayOrder: p.displayOrder, HasUniqueValue: p.unique,
		HubspotDefined: p.hubspotDefined, FormField: !p.readOnly,
		ModificationMetadata: modificationMetadata{
			Archivable:         !p.hubspotDefined,
			ReadOnlyDefinition: p.hubspotDefined,
			ReadOnlyValue:      p.readOnly,
		},
	}
	if out.Options == nil {
		out.Options = []option{}
	}
	if !p.createdAt.IsZero() {
		out.CreatedAt, out.UpdatedAt = isoMillis(p.createdAt), isoMillis(p.createdAt)
	}
	return out
}

// propertyNameRe is what we accept as an internal property or group name:
// lowercase letters, digits and underscores, starting with a letter.
var propertyNameRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// maxUniqueProperties is the limit of hasUniqueValue properties per object
// (reference §4.3: "≤10 per object").
const maxUniqueProperties = 10

// handlePropertyList is GET /crm/v3/properties/{t}: every property, built
// in and custom, sorted by name.
func (s *Server) handlePropertyList(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	body, _ := s.locked(func() (any, *apiError) {
		results := []propertyJSON{}
		for _, p := range c.portal().allProps(t) {
			results = append(results, p.json())
		}
		return map[string]any{"results": results}, nil
	})
	c.json(http.StatusOK, body)
}

// handlePropertyGet is GET /crm/v3/properties/{t}/{name}.
func (s *Server) handlePropertyGet(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	name := c.r.PathValue("propertyName")
	body, e := s.locked(func() (any, *apiError) {
		p := c.portal().propDef(t, name)
		if p == nil {
			return nil, errNotFound("Unable to find property " + name + " on " + t.name)
		}
		return p.json(), nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, body)
}

// handlePropertyCreate is POST /crm/v3/properties/{t} (reference §4.3):
// type one of string|number|date|datetime|enumeration|bool with a matching
// fieldType, an existing group, a new name (409 OBJECT_ALREADY_EXISTS
// otherwise). The property is then valid on writes.
func (s *Server) handlePropertyCreate(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	var in struct {
		Name           string   `json:"name"`
		Label          string   `json:"label"`
		Type           string   `json:"type"`
		FieldType      string   `json:"fieldType"`
		GroupName      string   `json:"groupName"`
		Description    string   `json:"description"`
		Options        []option `json:"options"`
		DisplayOrder   *int     `json:"displayOrder"`
		HasUniqueValue bool     `json:"hasUniqueValue"`
	}
	if e := c.decode(&in); e != nil {
		c.fail(e)
		return
	}
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"name", in.Name}, {"label", in.Label}, {"type", in.Type}, {"fieldType", in.FieldType}, {"groupName", in.GroupName},
	} {
		if strings.TrimSpace(f.value) == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		c.fail(errValidation("Missing required field(s): %s", strings.Join(missing, ", ")))
		return
	}
	allowed, ok := fieldTypes[in.Type]
	if !ok {
		c.fail(errValidation("%s is not a valid property type; use one of string, number, date, datetime, enumeration, bool", in.Type))
		return
	}
	if !slices.Contains(allowed, in.FieldType) {
		c.fail(errValidation("fieldType %s is not valid for type %s; use one of %s", in.FieldType, in.Type, strings.Join(allowed, ", ")))
		return
	}
	if !propertyNameRe.MatchString(in.Name) {
		c.fail(errValidation("Property name %q must start with a lowercase letter and hold only lowercase letters, digits and underscores", in.Name))
		return
	}
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		if pt.propDef(t, in.Name) != nil {
			return nil, newError(http.StatusConflict, categoryAlreadyExists, "A property named '"+in.Name+"' already exists.")
		}
		if pt.group(t, in.GroupName) == nil {
			return nil, errValidation("Property group %s does not exist on %s", in.GroupName, t.name)
		}
		if in.HasUniqueValue {
			n := 0
			for _, p := range pt.allProps(t) {
				if p.unique && !p.hubspotDefined {
					n++
				}
			}
			if n >= maxUniqueProperties {
				return nil, errValidation("An object can have at most %d unique value properties", maxUniqueProperties)
			}
		}
		p := &propDef{name: in.Name, label: in.Label, typ: in.Type, fieldType: in.FieldType, group: in.GroupName,
			description: in.Description, options: in.Options, unique: in.HasUniqueValue, createdAt: c.now}
		if in.DisplayOrder != nil {
			p.displayOrder = *in.DisplayOrder
		}
		if p.typ == "bool" && len(p.options) == 0 {
			p.options = boolean("", "").options
		}
		if pt.props[t.name] == nil {
			pt.props[t.name] = make(map[string]*propDef)
		}
		pt.props[t.name][p.name] = p
		return p.json(), nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusCreated, body)
}

// handleGroupList is GET /crm/v3/properties/{t}/groups.
func (s *Server) handleGroupList(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	body, _ := s.locked(func() (any, *apiError) {
		results := []propertyGroup{t.group}
		custom := c.portal().groups[t.name]
		names := make([]string, 0, len(custom))
		for n := range custom {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			results = append(results, *custom[n])
		}
		return map[string]any{"results": results}, nil
	})
	c.json(http.StatusOK, body)
}

// handleGroupGet is GET /crm/v3/properties/{t}/groups/{name}.
func (s *Server) handleGroupGet(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	name := c.r.PathValue("groupName")
	body, e := s.locked(func() (any, *apiError) {
		g := c.portal().group(t, name)
		if g == nil {
			return nil, errNotFound("Unable to find property group " + name + " on " + t.name)
		}
		return g, nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusOK, body)
}

// handleGroupCreate is POST /crm/v3/properties/{t}/groups
// {"name","label","displayOrder"}: 201; 409 OBJECT_ALREADY_EXISTS for a
// name in use.
func (s *Server) handleGroupCreate(c *call) {
	t, e := c.objectType("objectType")
	if e != nil {
		c.fail(e)
		return
	}
	var in struct {
		Name         string `json:"name"`
		Label        string `json:"label"`
		DisplayOrder *int   `json:"displayOrder"`
	}
	if e := c.decode(&in); e != nil {
		c.fail(e)
		return
	}
	if in.Name == "" || in.Label == "" {
		c.fail(errValidation("Missing required field(s): name and label"))
		return
	}
	if !propertyNameRe.MatchString(in.Name) {
		c.fail(errValidation("Group name %q must start with a lowercase letter and hold only lowercase letters, digits and underscores", in.Name))
		return
	}
	body, e := s.locked(func() (any, *apiError) {
		pt := c.portal()
		if pt.group(t, in.Name) != nil {
			return nil, newError(http.StatusConflict, categoryAlreadyExists, "A property group named '"+in.Name+"' already exists.")
		}
		g := &propertyGroup{Name: in.Name, Label: in.Label, DisplayOrder: -1}
		if in.DisplayOrder != nil {
			g.DisplayOrder = *in.DisplayOrder
		}
		if pt.groups[t.name] == nil {
			pt.groups[t.name] = make(map[string]*propertyGroup)
		}
		pt.groups[t.name][g.Name] = g
		return *g, nil
	})
	if e != nil {
		c.fail(e)
		return
	}
	c.json(http.StatusCreated, body)
}
