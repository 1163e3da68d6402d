-- Settings of a portal, saved from the app's settings page: the QuickBooks
-- company the card offers first, and what contact, product and invoice sync
-- do. A portal without rows has app.DefaultPortalSettings; rows appear only
-- when an admin saves. The default and each kind's sync are rows apart, so
-- two admins saving different settings at once never undo each other.
-- Times are TEXT in UTC as in 0001.

CREATE TABLE portal_settings (
    portal_id             BIGINT NOT NULL PRIMARY KEY,
    default_connection_id TEXT,   -- NULL: none chosen; the oldest connected company is the default
    updated_at            TEXT   NOT NULL,
    -- the default can only be a connection of the same portal
    FOREIGN KEY (portal_id, default_connection_id) REFERENCES connections (portal_id, id)
);

-- The choices are checked by the app, not here: a later release may add
-- one without rewriting the table.
CREATE TABLE sync_settings (
    portal_id           BIGINT  NOT NULL,
    object              TEXT    NOT NULL, -- contacts, products or invoices
    enabled             BOOLEAN NOT NULL,
    on_create_or_update TEXT    NOT NULL, -- create_or_update, update_only or nothing
    on_delete           TEXT    NOT NULL, -- archive, keep or nothing
    enabled_at          TEXT    NOT NULL, -- when last turned on; "" never
    updated_at          TEXT    NOT NULL,
    PRIMARY KEY (portal_id, object)
);
