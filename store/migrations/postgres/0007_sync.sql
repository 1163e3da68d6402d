-- What the background sync remembers (issue 8). Unlike the card's tables it
-- is read across portals: a QuickBooks webhook names only a realm, and the
-- reconcile and the overdue sweep visit every connection.
--
-- sync_states: one row per connection, made by its first save. cdc_since is
-- where the next change data capture reconcile starts ("" before the first);
-- swept_through is the company-local date (YYYY-MM-DD, "" before the first)
-- the overdue sweep last ran for. Each is saved alone, so a reconcile and a
-- sweep never undo each other.
--
-- entity_versions: the QuickBooks LastUpdated of the newest change applied
-- to each entity of a connection's company, so a change that arrives late
-- (webhook after reconcile, a retried job) is recognised as old. A save only
-- ever moves last_updated forward. Its collation is "C", so the fixed-width
-- UTC times compare as text in time order whatever the database's locale.
--
-- Times are TEXT in UTC as in 0001. Both tables go with their connection.

CREATE TABLE sync_states (
    connection_id TEXT NOT NULL PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    cdc_since     TEXT NOT NULL, -- "" before the first reconcile
    swept_through TEXT NOT NULL, -- YYYY-MM-DD; "" before the first sweep
    updated_at    TEXT NOT NULL
);

CREATE TABLE entity_versions (
    connection_id TEXT NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    entity        TEXT NOT NULL,             -- Invoice, Payment, ... (app.Entity*)
    entity_id     TEXT NOT NULL,             -- QuickBooks Id
    last_updated  TEXT COLLATE "C" NOT NULL, -- never moves back
    PRIMARY KEY (connection_id, entity, entity_id)
);

-- A webhook finds its connections by realm alone; sync lists a
-- connection's linked invoices.
CREATE INDEX connections_realm ON connections (realm_id);
CREATE INDEX invoice_links_connection ON invoice_links (connection_id, invoice_id);
