package server

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/hubspot-quickbooks/hubspot-quickbooks/app"
)

// The app's settings page (app/settings.go): the portal's companies, the
// default one, and contact, product and invoice sync. Every answer is the
// whole settings view, so the page redraws from what was stored.

type settingsResponse struct {
	Connections []connectionJSON `json:"connections"`
	// DefaultConnectionID is the effective default; null when the portal
	// has no usable company.
	DefaultConnectionID *string `json:"defaultConnectionId"`
	// DefaultConnectionImplicit: no usable choice is stored, so the
	// default is the oldest connected company.
	DefaultConnectionImplicit bool             `json:"defaultConnectionImplicit"`
	Sync                      syncSettingsJSON `json:"sync"`
	UpdatedAt                 string           `json:"updatedAt,omitempty"`
}

type syncSettingsJSON struct {
	Contacts syncJSON `json:"contacts"`
	Products syncJSON `json:"products"`
	Invoices syncJSON `json:"invoices"`
}

type syncJSON struct {
	Enabled          bool   `json:"enabled"`
	OnCreateOrUpdate string `json:"onCreateOrUpdate"`
	OnDelete         string `json:"onDelete"`
	EnabledAt        string `json:"enabledAt,omitempty"`
	// Mapping is the invoice field mapping; invoices only.
	Mapping *invoiceMappingJSON `json:"mapping,omitempty"`
	// Unmapped lists the writable HubSpot properties no QuickBooks field
	// goes to; products only, while product sync is on.
	Unmapped *[]string `json:"unmapped,omitempty"`
	// Imports are the latest historical import of the kind of each
	// company that had one.
	Imports []importJSON `json:"imports"`
}

// importJSON is a historical import's progress (app/import.go).
type importJSON struct {
	ID            string  `json:"id"`
	ConnectionID  string  `json:"connectionId"`
	Object        string  `json:"object"`
	State         string  `json:"state"`
	Done          int     `json:"done"`
	Total         int     `json:"total"`
	RatePerSecond float64 `json:"ratePerSecond"`
	// ETASeconds is null while the rate is unknown; 0 once done.
	ETASeconds *int64 `json:"etaSeconds"`
	Error      string `json:"error,omitempty"`
	StartedAt  string `json:"startedAt,omitempty"`
	UpdatedAt  string `json:"updatedAt,omitempty"`
	FinishedAt string `json:"finishedAt,omitempty"`
}

func toImportJSON(p app.ImportProgress) importJSON {
	out := importJSON{ID: p.ID, ConnectionID: p.ConnectionID, Object: string(p.Object), State: string(p.State), Done: p.Done, Total: p.Total,
		RatePerSecond: p.RatePerSecond, Error: p.Error, StartedAt: formatInstant(p.StartedAt),
		UpdatedAt: formatInstant(p.UpdatedAt), FinishedAt: formatInstant(p.FinishedAt)}
	if p.ETA >= 0 {
		secs := int64(p.ETA.Round(time.Second) / time.Second)
		out.ETASeconds = &secs
	}
	return out
}

// invoiceMappingJSON is the invoice field mapping in force (app/invoicesync.go).
type invoiceMappingJSON struct {
	Fields []fieldMappingJSON `json:"fields"`
	// IsDefault: no mapping was saved; these are the defaults.
	IsDefault bool `json:"isDefault"`
	// QBOFields is the catalogue of QuickBooks fields a mapping may use.
	QBOFields []string `json:"qboFields"`
}

type fieldMappingJSON struct {
	QBO     string `json:"qbo"`
	HubSpot string `json:"hubspot"`
}

func toInvoiceMappingJSON(fields []app.FieldMapping, isDefault bool) *invoiceMappingJSON {
	return toMappingJSON(fields, isDefault, app.QBOFields)
}

// toMappingJSON is a mapping in force with its catalogue.
func toMappingJSON(fields []app.FieldMapping, isDefault bool, catalogue []app.QBOField) *invoiceMappingJSON {
	m := &invoiceMappingJSON{Fields: make([]fieldMappingJSON, len(fields)), IsDefault: isDefault,
		QBOFields: make([]string, len(catalogue))}
	for i, f := range fields {
		m.Fields[i] = fieldMappingJSON{QBO: string(f.QBO), HubSpot: f.HubSpot}
	}
	for i, f := range catalogue {
		m.QBOFields[i] = string(f)
	}
	return m
}

func toSyncJSON(s app.SyncSettings) syncJSON {
	return syncJSON{Enabled: s.Enabled, OnCreateOrUpdate: string(s.OnCreateOrUpdate), OnDelete: string(s.OnDelete),
		EnabledAt: formatInstant(s.EnabledAt)}
}

func toSettingsResponse(v app.SettingsView) settingsResponse {
	resp := settingsResponse{
		Connections:               make([]connectionJSON, 0, len(v.Connections)),
		DefaultConnectionImplicit: v.DefaultImplicit,
		Sync:                      syncSettingsJSON{Contacts: toSyncJSON(v.Contacts), Products: toSyncJSON(v.Products), Invoices: toSyncJSON(v.Invoices)},
		UpdatedAt:                 formatInstant(v.UpdatedAt),
	}
	resp.Sync.Invoices.Mapping = toInvoiceMappingJSON(v.InvoiceFields, v.InvoiceFieldsDefault)
	resp.Sync.Contacts.Mapping = toMappingJSON(v.ContactFields, v.ContactFieldsDefault, app.ContactQBOFields)
	resp.Sync.Products.Mapping = toMappingJSON(v.ProductFields, v.ProductFieldsDefault, app.ProductQBOFields)
	if v.ProductUnmapped != nil {
		resp.Sync.Products.Unmapped = &v.ProductUnmapped
	}
	for _, c := range v.Connections {
		resp.Connections = append(resp.Connections, toConnectionJSON(c))
	}
	if v.DefaultConnectionID != "" {
		resp.DefaultConnectionID = &v.DefaultConnectionID
	}
	return resp
}

// formatInstant is RFC 3339 in UTC, "" for the zero time.
func formatInstant(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func (s *Server) handleSettings(c echo.Context) error {
	v, err := s.svc.Settings(c.Request().Context(), callerOf(c).PortalID)
	if err != nil {
		return err
	}
	return s.settingsAnswer(c, v)
}

// settingsAnswer answers the settings view with each company's latest
// import of each kind, under its sync.
func (s *Server) settingsAnswer(c echo.Context, v app.SettingsView) error {
	resp := toSettingsResponse(v)
	imports, err := s.svc.LatestImports(c.Request().Context(), callerOf(c).PortalID)
	if err != nil {
		return err
	}
	byObject := map[app.SyncObject]*syncJSON{app.SyncContacts: &resp.Sync.Contacts, app.SyncProducts: &resp.Sync.Products,
		app.SyncInvoices: &resp.Sync.Invoices}
	for _, sj := range byObject {
		sj.Imports = []importJSON{}
	}
	for _, p := range imports {
		if sj, ok := byObject[p.Object]; ok {
			sj.Imports = append(sj.Imports, toImportJSON(p))
		}
	}
	return c.JSON(http.StatusOK, resp)
}

// importRequest names the company whose records to import.
type importRequest struct {
	ConnectionID *string `json:"connectionId"`
}

// handleStartImport starts importing a company's existing invoices,
// customers (contacts) or items (products) into HubSpot (or answers the
// import already under way): 202 with its progress, which GET
// /api/v1/settings then follows.
func (s *Server) handleStartImport(c echo.Context) error {
	// The kind is checked before the body, so a wrong URL says so first.
	object, err := app.ParseSyncObject(c.Param("object"))
	if err != nil {
		return err
	}
	var req importRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.ConnectionID == nil || *req.ConnectionID == "" {
		return app.Errorf(app.Invalid, `The field "connectionId" is required: the QuickBooks company whose records to import.`)
	}
	p, err := s.svc.StartImport(c.Request().Context(), callerOf(c).PortalID, object, *req.ConnectionID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, toImportJSON(p))
}

// defaultConnectionRequest: connectionId is required; "" goes back to the
// oldest connected company.
type defaultConnectionRequest struct {
	ConnectionID *string `json:"connectionId"`
}

func (s *Server) handleSetDefaultConnection(c echo.Context) error {
	var req defaultConnectionRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.ConnectionID == nil {
		return app.Errorf(app.Invalid, `The field "connectionId" is required: a connection id, or "" to use the oldest connected company.`)
	}
	v, err := s.svc.SetDefaultConnection(c.Request().Context(), callerOf(c).PortalID, *req.ConnectionID)
	if err != nil {
		return err
	}
	return s.settingsAnswer(c, v)
}

// syncRequest replaces one kind's sync settings: every field is required,
// so a page that sent half a form never turns something off by omission.
type syncRequest struct {
	Enabled          *bool   `json:"enabled"`
	OnCreateOrUpdate *string `json:"onCreateOrUpdate"`
	OnDelete         *string `json:"onDelete"`
}

func (s *Server) handleSetSync(c echo.Context) error {
	// The kind is checked before the body, so a wrong URL says so first.
	object, err := app.ParseSyncObject(c.Param("object"))
	if err != nil {
		return err
	}
	var req syncRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	switch {
	case req.Enabled == nil:
		return app.Errorf(app.Invalid, `The field "enabled" is required (true or false).`)
	case req.OnCreateOrUpdate == nil:
		return app.Errorf(app.Invalid, `The field "onCreateOrUpdate" is required: create_or_update, update_only or nothing.`)
	case req.OnDelete == nil:
		return app.Errorf(app.Invalid, `The field "onDelete" is required: archive, keep or nothing.`)
	}
	v, err := s.svc.SetSync(c.Request().Context(), callerOf(c).PortalID, string(object), app.SyncSettings{
		Enabled: *req.Enabled, OnCreateOrUpdate: app.WriteChoice(*req.OnCreateOrUpdate), OnDelete: app.DeleteChoice(*req.OnDelete),
	})
	if err != nil {
		return err
	}
	return s.settingsAnswer(c, v)
}

// invoiceMappingRequest replaces the invoice field mapping whole.
type invoiceMappingRequest struct {
	Fields *[]struct {
		QBO     *string `json:"qbo"`
		HubSpot *string `json:"hubspot"`
	} `json:"fields"`
}

func (s *Server) handleSetInvoiceMapping(c echo.Context) error {
	return s.setMapping(c, "invoice", s.svc.SetInvoiceMapping)
}

// handleSetContactMapping replaces the contact field mapping whole.
func (s *Server) handleSetContactMapping(c echo.Context) error {
	return s.setMapping(c, "contact", s.svc.SetContactMapping)
}

// handleSetProductMapping replaces the product field mapping whole.
func (s *Server) handleSetProductMapping(c echo.Context) error {
	return s.setMapping(c, "product", s.svc.SetProductMapping)
}

func (s *Server) setMapping(c echo.Context, noun string, set func(context.Context, int64, []app.FieldMapping) (app.SettingsView, error)) error {
	var req invoiceMappingRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if req.Fields == nil {
		return app.Errorf(app.Invalid, `The field "fields" is required: a list of {"qbo","hubspot"} pairs.`)
	}
	fields := make([]app.FieldMapping, len(*req.Fields))
	for i, f := range *req.Fields {
		if f.QBO == nil || f.HubSpot == nil {
			return app.Errorf(app.Invalid, `Entry %d of "fields" needs both "qbo" (a QuickBooks field) and "hubspot" (a HubSpot %s property).`, i+1, noun)
		}
		fields[i] = app.FieldMapping{QBO: app.QBOField(*f.QBO), HubSpot: *f.HubSpot}
	}
	v, err := set(c.Request().Context(), callerOf(c).PortalID, fields)
	if err != nil {
		return err
	}
	return s.settingsAnswer(c, v)
}
