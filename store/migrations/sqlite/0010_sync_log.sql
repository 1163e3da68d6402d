-- The sync log (issue 9): one row per record a sync processed, for the
-- settings page (app/synclog.go).
--
-- sync_log: object is the synced kind (invoices; later contacts, products),
-- qbo_id the QuickBooks record ("" for an import batch), hubspot_id the
-- HubSpot record ("" when none), action what was done (created, updated,
-- archived, marked, skipped, imported, failed), outcome succeeded, skipped
-- or failed, message a sentence for a person (never a token or an upstream
-- body). source, realm_id, entity, operation and last_updated are what a
-- retry needs: source "sync" re-enqueues the change, "import" starts the
-- connection's import again. retried_at is the last retry asked ("" never).
-- Bounded: a portal keeps its newest 10,000 rows of the last 30 days,
-- pruned on insert (store/synclog.go). Paged newest first by seq.
--
-- Times are TEXT in UTC as in 0001.

CREATE TABLE sync_log (
    seq           INTEGER PRIMARY KEY, -- insertion order: the list's order and cursor
    id            TEXT   NOT NULL UNIQUE,
    portal_id     INTEGER NOT NULL,
    connection_id TEXT   NOT NULL,
    object        TEXT   NOT NULL, -- invoices, contacts, products
    qbo_id        TEXT   NOT NULL,
    hubspot_id    TEXT   NOT NULL,
    action        TEXT   NOT NULL,
    outcome       TEXT   NOT NULL, -- succeeded, skipped, failed
    message       TEXT   NOT NULL,
    source        TEXT   NOT NULL, -- sync, import
    realm_id      TEXT   NOT NULL,
    entity        TEXT   NOT NULL,
    operation     TEXT   NOT NULL,
    last_updated  TEXT   NOT NULL,
    retried_at    TEXT   NOT NULL,
    at            TEXT   NOT NULL
) STRICT;

CREATE INDEX sync_log_portal ON sync_log (portal_id, seq);
CREATE INDEX sync_log_filtered ON sync_log (portal_id, object, outcome, seq);
