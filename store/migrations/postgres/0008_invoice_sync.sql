-- Invoice sync (issue 8): QuickBooks invoices flow into HubSpot's invoice
-- object.
--
-- hubspot_invoices: which HubSpot invoice was made from each QuickBooks
-- invoice of a connection, so a later change updates it rather than making
-- a second one. A row is written after HubSpot's create answered; a create
-- whose row was never written is found again by its unique qbo_invoice_key
-- property in HubSpot (app/invoicesync.go). Rows go with their connection.
--
-- field_mappings: a portal's mapping of QuickBooks fields to HubSpot
-- properties for one synced kind (only invoices today), saved whole from
-- the settings page: fields is a JSON array of {"qbo","hubspot"}. A portal
-- without a row uses app.DefaultInvoiceFields. Apart from sync_settings,
-- so saving the switches and the mapping at once never undo each other.
--
-- Times are TEXT in UTC as in 0001.

CREATE TABLE hubspot_invoices (
    connection_id      TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    invoice_id         TEXT NOT NULL, -- QuickBooks Id
    hubspot_invoice_id TEXT NOT NULL, -- HubSpot record id
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (connection_id, invoice_id)
);

CREATE TABLE field_mappings (
    portal_id  BIGINT  NOT NULL,
    object     TEXT    NOT NULL, -- invoices
    fields     TEXT    NOT NULL, -- JSON [{"qbo":"DocNumber","hubspot":"hs_number"}, ...]
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (portal_id, object)
);
