-- Attempts: one create request from the card per (portal, idempotency key),
-- stored before QuickBooks is called so a retry never makes a second
-- invoice. result is the answer (JSON), NULL until the create finished;
-- finished_at is "" until then. Times are TEXT in UTC as in 0001.

CREATE TABLE attempts (
    portal_id     INTEGER NOT NULL,
    key           TEXT    NOT NULL, -- the card's idempotencyKey, 8 to 100 characters
    body_hash     TEXT    NOT NULL, -- hex SHA-256 of the request
    object_type   TEXT    NOT NULL,
    object_id     TEXT    NOT NULL,
    connection_id TEXT    NOT NULL,
    result        BLOB,
    created_at    TEXT    NOT NULL,
    finished_at   TEXT    NOT NULL,
    PRIMARY KEY (portal_id, key),
    CHECK ((result IS NULL) = (finished_at = ''))
) STRICT, WITHOUT ROWID;
