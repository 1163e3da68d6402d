-- Contact and product sync (issue 9): QuickBooks customers flow into
-- HubSpot contacts (and companies), items into HubSpot products.
--
-- synced_records: which HubSpot contact or product each QuickBooks
-- customer or item of a connection was created as or matched with
-- (object: contacts or products), and for a customer the HubSpot company
-- of its CompanyName, so a later change updates them without searching
-- again. Rows go with their connection. The mappings of both live in
-- field_mappings (0008), object contacts or products.

CREATE TABLE synced_records (
    connection_id      TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    object             TEXT NOT NULL, -- contacts, products
    qbo_id             TEXT NOT NULL, -- QuickBooks Id
    hubspot_id         TEXT NOT NULL, -- HubSpot contact or product id
    company_id         TEXT NOT NULL DEFAULT '', -- contacts: HubSpot company id
    company_name       TEXT NOT NULL DEFAULT '', -- the CompanyName company_id is for
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (connection_id, object, qbo_id)
) STRICT, WITHOUT ROWID;
