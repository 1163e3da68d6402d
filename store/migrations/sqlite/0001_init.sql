-- Portals, connections, invoice links, invoice snapshots and meta.
-- Times are TEXT in UTC, fixed width (2006-01-02T15:04:05.000000000Z) so
-- they sort and round-trip to the nanosecond; "" is the zero time. Dates are
-- TEXT YYYY-MM-DD ("" for none). Money is INTEGER hundredths. Tokens are
-- AES-256-GCM nonce||ciphertext.

CREATE TABLE portals (
    id                 INTEGER PRIMARY KEY, -- HubSpot portal id
    currency           TEXT    NOT NULL,
    time_zone          TEXT    NOT NULL,
    access_token       BLOB    NOT NULL,
    refresh_token      BLOB    NOT NULL,
    access_expires_at  TEXT    NOT NULL,
    refresh_expires_at TEXT    NOT NULL,
    installed_at       TEXT    NOT NULL
) STRICT;

CREATE TABLE connections (
    seq                INTEGER PRIMARY KEY, -- insertion order, for ties
    id                 TEXT    NOT NULL UNIQUE,
    portal_id          INTEGER NOT NULL,
    realm_id           TEXT    NOT NULL,
    company_name       TEXT    NOT NULL,
    country            TEXT    NOT NULL,
    currency           TEXT    NOT NULL,
    time_zone          TEXT    NOT NULL,
    custom_txn_numbers INTEGER NOT NULL,
    state              TEXT    NOT NULL,
    access_token       BLOB    NOT NULL,
    refresh_token      BLOB    NOT NULL,
    access_expires_at  TEXT    NOT NULL,
    refresh_expires_at TEXT    NOT NULL,
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    UNIQUE (portal_id, realm_id),
    UNIQUE (portal_id, id) -- target of the tenant-checking foreign key below
) STRICT;

CREATE TABLE invoice_links (
    seq           INTEGER PRIMARY KEY,
    id            TEXT    NOT NULL UNIQUE,
    portal_id     INTEGER NOT NULL,
    object_type   TEXT    NOT NULL,
    object_id     TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    invoice_id    TEXT    NOT NULL,
    origin        TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    UNIQUE (portal_id, object_type, object_id, connection_id, invoice_id),
    -- a link can only point at a connection of its own portal
    FOREIGN KEY (portal_id, connection_id) REFERENCES connections (portal_id, id)
) STRICT;

CREATE TABLE invoice_snapshots (
    connection_id TEXT    NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    invoice_id    TEXT    NOT NULL,
    sync_token    TEXT    NOT NULL,
    doc_number    TEXT    NOT NULL,
    customer_id   TEXT    NOT NULL,
    customer_name TEXT    NOT NULL,
    bill_email    TEXT    NOT NULL,
    currency      TEXT    NOT NULL,
    txn_date      TEXT    NOT NULL,
    due_date      TEXT    NOT NULL,
    total         INTEGER NOT NULL,
    balance       INTEGER NOT NULL,
    email_status  TEXT    NOT NULL,
    private_note  TEXT    NOT NULL,
    deleted       INTEGER NOT NULL,
    updated_at    TEXT    NOT NULL,
    fetched_at    TEXT    NOT NULL,
    PRIMARY KEY (connection_id, invoice_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;
