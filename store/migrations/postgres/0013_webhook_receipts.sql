-- QuickBooks webhook bodies already accepted (issue 8), so that the same
-- signed body sent again is refused as a replay (app.AcceptWebhook).
--
-- digest is the hex SHA-256 of the raw body; received_at is UTC text as in
-- 0001, fixed width, so it orders as time (collation "C", whatever the
-- database's locale). A body is remembered 35 days; older rows are deleted
-- as new ones are written.

CREATE TABLE webhook_receipts (
    digest      TEXT NOT NULL PRIMARY KEY,
    received_at TEXT COLLATE "C" NOT NULL
);

CREATE INDEX webhook_receipts_received_at ON webhook_receipts (received_at);
