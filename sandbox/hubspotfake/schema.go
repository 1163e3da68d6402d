package hubspotfake

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// objectType is one CRM object type the fake serves (reference §4.1).
type objectType struct {
	name     string // path name: "deals"
	id       string // type id: "0-3"
	singular string // "deal"; also accepted in paths, as HubSpot does
	upper    string // "DEAL", as HubSpot spells it in batch error messages
	group    propertyGroup
	// lastModified is the property holding the last write time: contacts
	// use "lastmodifieddate", every other object "hs_lastmodifieddate".
	lastModified string
	// defaults are the properties returned when a read names none.
	defaults []string
	// searchable are the properties the search "query" looks into.
	searchable []string
	props      map[string]*propDef
}

// propertyGroup is a property group (reference §4.3).
type propertyGroup struct {
	Name         string `json:"name"`
	Label        string `json:"label"`
	DisplayOrder int    `json:"displayOrder"`
	Archived     bool   `json:"archived"`
}

// propDef is a property definition, built in or created through the
// properties API.
type propDef struct {
	name, label, typ, fieldType, group, description string
	options                                         []option
	readOnly                                        bool // value cannot be written
	unique                                          bool // hasUniqueValue
	hubspotDefined                                  bool
	displayOrder                                    int
	createdAt                                       time.Time
}

type option struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	Description  string `json:"description,omitempty"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// Property types and the field types each accepts (reference §4.3).
var fieldTypes = map[string][]string{
	"string":      {"text", "textarea", "phonenumber", "html", "file"},
	"number":      {"number", "calculation_equation"},
	"date":        {"date"},
	"datetime":    {"date"},
	"enumeration": {"select", "radio", "checkbox", "booleancheckbox"},
	"bool":        {"booleancheckbox"},
}

// objectTypes lists the served object types by path name.
var objectTypes = newObjectTypes()

func newObjectTypes() map[string]*objectType {
	types := []*objectType{
		{
			name: "contacts", id: "0-1", singular: "contact", upper: "CONTACT",
			group:        propertyGroup{Name: "contactinformation", Label: "Contact information", DisplayOrder: -1},
			lastModified: "lastmodifieddate",
			defaults:     []string{"createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"},
			searchable:   []string{"firstname", "lastname", "email", "phone", "company"},
		},
		{
			name: "companies", id: "0-2", singular: "company", upper: "COMPANY",
			group:        propertyGroup{Name: "companyinformation", Label: "Company information", DisplayOrder: -1},
			lastModified: "hs_lastmodifieddate",
			defaults:     []string{"createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"},
			searchable:   []string{"name", "domain", "website", "phone"},
		},
		{
			name: "deals", id: "0-3", singular: "deal", upper: "DEAL",
			group:        propertyGroup{Name: "dealinformation", Label: "Deal information", DisplayOrder: -1},
			lastModified: "hs_lastmodifieddate",
			defaults:     []string{"amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"},
			searchable:   []string{"dealname", "description"},
		},
		{
			name: "quotes", id: "0-14", singular: "quote", upper: "QUOTE",
			group:        propertyGroup{Name: "quoteinformation", Label: "Quote information", DisplayOrder: -1},
			lastModified: "hs_lastmodifieddate",
			defaults:     []string{"createdate", "hs_expiration_date", "hs_lastmodifieddate", "hs_object_id", "hs_status", "hs_title"},
			searchable:   []string{"hs_title", "hs_quote_number"},
		},
		{
			name: "line_items", id: "0-8", singular: "line_item", upper: "LINE_ITEM",
			group:        propertyGroup{Name: "lineiteminformation", Label: "Line item information", DisplayOrder: -1},
			lastModified: "hs_lastmodifieddate",
			defaults:     []string{"createdate", "hs_lastmodifieddate", "hs_object_id"},
			searchable:   []string{"name", "hs_sku", "description"},
		},
		{
			name: "products", id: "0-7", singular: "product", upper: "PRODUCT",
			group:        propertyGroup{Name: "productinformation", Label: "Product information", DisplayOrder: -1},
			lastModified: "hs_lastmodifieddate",
			defaults:     []string{"createdate", "description", "hs_lastmodifieddate", "hs_object_id", "name", "price"},
			searchable:   []string{"name", "hs_sku", "description"},
		},
		{
			name: "invoices", id: "0-53", singular: "invoice", upper: "INVOICE",
			group:        propertyGroup{Name: "invoiceinformation", Label: "Invoice information", DisplayOrder: -1},
			lastModified: "hs_lastmodifieddate",
			defaults:     []string{"createdate", "hs_lastmodifieddate", "hs_object_id"},
			searchable:   []string{"hs_number"},
		},
	}
	specific := map[string][]*propDef{
		"contacts": {
			text("email", "Email"), text("firstname", "First name"), text("lastname", "Last name"),
			phone("phone", "Phone number"), text("address", "Street address"), text("city", "City"),
			text("state", "State/Region"), text("zip", "Postal code"), text("country", "Country/Region"),
			text("company", "Company name"),
		},
		"companies": {
			text("name", "Company name"), text("domain", "Company domain name"), text("website", "Website URL"),
			phone("phone", "Phone number"), text("address", "Street address"), text("city", "City"),
			text("state", "State/Region"), text("zip", "Postal code"), text("country", "Country/Region"),
		},
		"deals": {
			text("dealname", "Deal name"), number("amount", "Amount"),
			text("deal_currency_code", "Currency"), datetime("closedate", "Close date"),
			enumeration("dealstage", "Deal stage", "appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
				"decisionmakerboughtin", "contractsent", "closedwon", "closedlost"),
			enumeration("pipeline", "Pipeline", "default"),
			enumeration("dealtype", "Deal type", "newbusiness", "existingbusiness"),
			textarea("description", "Deal description"),
		},
		"quotes": {
			text("hs_title", "Quote name"),
			enumeration("hs_status", "Quote approval status", "DRAFT", "APPROVAL_NOT_NEEDED", "PENDING_APPROVAL", "APPROVED", "REJECTED"),
			datetime("hs_expiration_date", "Quote expiration date"), number("hs_quote_amount", "Quote amount"),
			text("hs_currency", "Currency"), text("hs_quote_number", "Quote number"),
			text("hs_quote_link", "Quote link"), text("hs_pdf_download_link", "PDF download link"),
			boolean("hs_locked", "Locked"), boolean("hs_esign_enabled", "E-signature enabled"),
			boolean("hs_payment_enabled", "Payment enabled"), text("hs_payment_status", "Payment status"),
		},
		"line_items": {
			text("name", "Name"), number("quantity", "Quantity"), number("price", "Unit price"),
			number("amount", "Net price"), number("hs_product_id", "Product ID"), text("hs_sku", "SKU"),
			textarea("description", "Description"), number("discount", "Unit discount"),
			number("hs_discount_percentage", "Discount percentage"),
			enumeration("recurringbillingfrequency", "Billing frequency", "weekly", "biweekly", "monthly",
				"quarterly", "per_six_months", "annually", "per_two_years", "per_three_years",
				"per_four_years", "per_five_years"),
			text("hs_recurring_billing_period", "Term"), text("hs_line_item_currency_code", "Currency"),
		},
		"products": {
			text("name", "Name"), number("price", "Unit price"), text("hs_sku", "SKU"),
			textarea("description", "Description"),
		},
		"invoices": {
			enumeration("hs_invoice_status", "Invoice status", "draft", "open", "paid", "voided"),
			number("hs_amount_billed", "Amount billed"), number("hs_balance_due", "Balance due"),
			datetime("hs_due_date", "Due date"), text("hs_number", "Number"), text("hs_currency", "Currency"),
			datetime("hs_invoice_date", "Invoice date"),
		},
	}
	byName := make(map[string]*objectType, len(types))
	for _, t := range types {
		common := []*propDef{
			readOnly(number("hs_object_id", "Record ID")),
			datetime("createdate", "Create date"),
			readOnly(datetime(t.lastModified, "Last modified date")),
		}
		t.props = make(map[string]*propDef)
		for _, p := range append(common, specific[t.name]...) {
			p.group = t.group.Name
			p.hubspotDefined = true
			p.displayOrder = -1
			t.props[p.name] = p
		}
		if t.name == "contacts" {
			t.props["email"].unique = true // contacts are unique by email (idProperty=email, 409 on duplicates)
		}
		byName[t.name] = t
	}
	return byName
}

func text(name, label string) *propDef {
	return &propDef{name: name, label: label, typ: "string", fieldType: "text"}
}

func textarea(name, label string) *propDef {
	return &propDef{name: name, label: label, typ: "string", fieldType: "textarea"}
}

func phone(name, label string) *propDef {
	return &propDef{name: name, label: label, typ: "string", fieldType: "phonenumber"}
}

func number(name, label string) *propDef {
	return &propDef{name: name, label: label, typ: "number", fieldType: "number"}
}

func datetime(name, label string) *propDef {
	return &propDef{name: name, label: label, typ: "datetime", fieldType: "date"}
}

func boolean(name, label string) *propDef {
	return &propDef{name: name, label: label, typ: "bool", fieldType: "booleancheckbox",
		options: []option{{Label: "Yes", Value: "true"}, {Label: "No", Value: "false", DisplayOrder: 1}}}
}

func enumeration(name, label string, values ...string) *propDef {
	p := &propDef{name: name, label: label, typ: "enumeration", fieldType: "select"}
	for i, v := range values {
		p.options = append(p.options, option{Label: v, Value: v, DisplayOrder: i})
	}
	return p
}

func readOnly(p *propDef) *propDef {
	p.readOnly = true
	return p
}

// lookupObjectType resolves a path segment: the plural name, the singular
// name or the type id, in any letter case ("deals", "deal", "DEAL", "0-3").
func lookupObjectType(s string) *objectType {
	s = strings.ToLower(s)
	for _, t := range objectTypes {
		if s == t.name || s == t.singular || s == t.id {
			return t
		}
	}
	return nil
}

// sortedObjectTypes returns the object types in a stable order.
func sortedObjectTypes() []*objectType {
	out := make([]*objectType, 0, len(objectTypes))
	for _, t := range objectTypes {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// propError is one entry of a "Property values were not valid" answer.
type propError struct {
	name, code, message string
}

// normalize checks raw against the property's type and returns the value
// HubSpot would store. An empty string clears the property.
func (p *propDef) normalize(raw string) (string, *propError) {
	if raw == "" {
		return "", nil
	}
	switch p.typ {
	case "number":
		// Non-string values with surrounding spaces are rejected (HubSpot's
		// 2025 "enhanced validations for non-string properties").
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || strings.TrimSpace(raw) != raw {
			return "", &propError{p.name, "INVALID_FLOAT", raw + " was not a valid number."}
		}
		return raw, nil
	case "datetime":
		t, ok := parseTime(raw)
		if !ok {
			return "", &propError{p.name, "INVALID_DATE", raw + " was not a valid datetime."}
		}
		return isoMillis(t), nil
	case "date":
		t, ok := parseTime(raw)
		if !ok || !t.Equal(t.Truncate(24*time.Hour)) {
			return "", &propError{p.name, "INVALID_DATE", raw + " is not a valid date: use midnight UTC epoch milliseconds or YYYY-MM-DD."}
		}
		return t.UTC().Format("2006-01-02"), nil
	case "bool":
		switch strings.ToLower(raw) {
		case "true", "false":
			return strings.ToLower(raw), nil
		}
		return "", &propError{p.name, "INVALID_OPTION", raw + " was not one of the allowed options: [true, false]"}
	case "enumeration":
		values := []string{raw}
		if p.fieldType == "checkbox" {
			values = strings.Split(raw, ";")
		}
		for _, v := range values {
			if !p.hasOption(v) {
				return "", &propError{p.name, "INVALID_OPTION", v + " was not one of the allowed options: [" + strings.Join(p.optionValues(), ", ") + "]"}
			}
		}
		return raw, nil
	}
	if p.name == "email" && p.hubspotDefined && !validEmail(raw) {
		return "", &propError{p.name, "INVALID_EMAIL", "Email address " + raw + " is invalid"}
	}
	return raw, nil
}

func (p *propDef) hasOption(v string) bool {
	for _, o := range p.options {
		if o.Value == v {
			return true
		}
	}
	return false
}

func (p *propDef) optionValues() []string {
	out := make([]string, len(p.options))
	for i, o := range p.options {
		out[i] = o.Value
	}
	return out
}

func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(s, " \t\n") && !strings.Contains(domain, "@")
}

// parseTime reads epoch milliseconds, RFC 3339 or a YYYY-MM-DD date.
func parseTime(s string) (time.Time, bool) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// isoMillis formats t as HubSpot does: UTC with milliseconds.
func isoMillis(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
