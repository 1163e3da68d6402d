-- Historical imports of customers and items (issue 9): an import copies a
-- connection's existing QuickBooks invoices, customers (into contacts) or
-- items (into products), app/import.go.
--
-- imports.object says which: invoices, contacts or products (the sync
-- whose rules it follows); rows from before are invoice imports. A
-- connection has at most one unfinished import of each object, so the
-- partial unique index and the latest-import index gain the column.

ALTER TABLE imports ADD COLUMN object TEXT NOT NULL DEFAULT 'invoices'; -- invoices, contacts, products

DROP INDEX imports_unfinished;
CREATE UNIQUE INDEX imports_unfinished ON imports (connection_id, object) WHERE state IN ('queued', 'running');
DROP INDEX imports_latest;
CREATE INDEX imports_latest ON imports (portal_id, connection_id, object, seq);
