-- Historical imports (issue 8): a connection's existing QuickBooks invoices
-- copied into HubSpot's invoice object (app/import.go).
--
-- imports: one row per import. state is queued, running, done or failed; a
-- connection has at most one unfinished (queued or running) import, which
-- the partial unique index keeps. The import pages QuickBooks' invoices by
-- MetaData.CreateTime: cursor_time is the CreateTime (whole second, UTC) of
-- the last invoice done ("" before the first) and cursor_ids the JSON array
-- of the ids done in that second. done and cursor advance only in the
-- transaction that also stores the batch's rows of hubspot_invoices, after
-- HubSpot has them. error is a sentence for the settings page; failures
-- counts transient failures in a row; samples is a JSON array of
-- [unix milliseconds, done] for the rate. lease_owner and lease_until name
-- the one process working on it (renewed every few seconds; a dead one's
-- lease lapses). Rows go with their connection.
--
-- Times are TEXT in UTC as in 0001.

CREATE TABLE imports (
    seq           INTEGER PRIMARY KEY, -- insertion order, for ties
    id            TEXT    NOT NULL UNIQUE,
    portal_id     INTEGER NOT NULL,
    connection_id TEXT    NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    state         TEXT    NOT NULL, -- queued, running, done, failed
    total         INTEGER NOT NULL,
    done          INTEGER NOT NULL,
    cursor_time   TEXT    NOT NULL, -- "" before the first invoice
    cursor_ids    TEXT    NOT NULL, -- JSON ["123", ...]
    error         TEXT    NOT NULL,
    failures      INTEGER NOT NULL,
    samples       TEXT    NOT NULL, -- JSON [[unix ms, done], ...]
    lease_owner   TEXT    NOT NULL, -- "" when no process holds it
    lease_until   TEXT    NOT NULL,
    created_at    TEXT    NOT NULL,
    started_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    finished_at   TEXT    NOT NULL
) STRICT;

CREATE UNIQUE INDEX imports_unfinished ON imports (connection_id) WHERE state IN ('queued', 'running');
CREATE INDEX imports_latest ON imports (portal_id, connection_id, seq);
