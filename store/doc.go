// Package store implements app.Store, the durable state of
// hubspot-quickbooks, on database/sql.
//
// # What it stores
//
// Portals (HubSpot installs and their OAuth tokens), connections (a portal's
// link to one QuickBooks Online company, one per portal and realm, with an
// ID we generate: 128 random bits in hex), invoice links (a CRM record to a
// QBO invoice, unique per portal, record, connection and invoice) and
// invoice snapshots (the last QBO state of each linked invoice, keyed by
// connection and invoice), and attempts (see below). A meta table holds
// the encryption key check.
// Money is stored as integer hundredths, dates as YYYY-MM-DD text, and
// times as fixed-width UTC text with nanoseconds, so every value reads back
// exactly and times sort as text on both databases.
//
// # Attempts
//
// An attempt is one create request from the card, keyed by portal and the
// card's idempotency key (8 to 100 characters, else Invalid), stored before
// QuickBooks is called. StartAttempt inserts with ON CONFLICT DO NOTHING and
// reads the row back in one transaction, so concurrent starts of one key
// store exactly one attempt and all return it (with its body hash, which
// the caller compares). FinishAttempt sets the result (the answer, JSON;
// NULL until then) and finished_at in one UPDATE that only fills them while
// result is NULL: a second finish keeps the first answer, which is the
// answer every retry gets. Attempts are never deleted yet, and have no
// foreign key to connections, so they outlive what they name.
//
// # Two drivers
//
// Config.DatabaseURL chooses the database. Empty selects SQLite through
// modernc.org/sqlite (pure Go) in the file Config.SQLitePath (default
// data/hubspot-quickbooks.db, directory created, file mode 0600), in WAL
// mode with foreign keys on and a busy timeout. SQLite allows one writer,
// so writes go through a pool of one connection and queue in Go, and write
// transactions begin IMMEDIATE; reads use a separate read-only pool that
// WAL lets run alongside the writer. A postgres:// or postgresql:// URL
// selects PostgreSQL through pgx's database/sql adapter (the URL's
// search_path selects a schema). The queries are the same text for both:
// $n placeholders and ON CONFLICT upserts; only the migrations differ.
//
// # Migrations
//
// Numbered files in migrations/sqlite and migrations/postgres are embedded
// and applied by Open, in one transaction with the key check, and recorded
// in schema_migrations. On PostgreSQL the transaction first takes
// pg_advisory_xact_lock (keyed by the schema), so replicas starting
// together take turns; on SQLite the IMMEDIATE transaction is the lock. A
// database migrated by a newer binary is refused.
//
// # Encryption
//
// Access and refresh tokens are encrypted with AES-256-GCM under
// Config.EncryptionKey (exactly 32 bytes). Each value is stored as a random
// 12-byte nonce followed by the ciphertext and tag, with additional data
// naming its row and column ("connection:<id>:refresh", "portal:<id>:access"),
// so a ciphertext copied to another row or column fails to decrypt. The
// first Open stores a sealed key check in meta; every later Open must open
// it, or fails with ErrKeyMismatch ("ENCRYPTION_KEY does not match the key
// this database was encrypted with"). Tokens never appear in errors.
// RotateKey (rotate.go) re-seals every token and the key check under a new
// key in one transaction, with the replicas stopped.
//
// # Token refresh lock
//
// RefreshTokens and RefreshPortalTokens (tokenlock.go) run a refresh under
// the credential's row lock on PostgreSQL (a mutex on SQLite), handing it
// the stored tokens, so replicas spend each rotating refresh token once.
//
// # Tenant scoping
//
// Every query names the portal or the connection it serves. Connection and
// DeleteLink answer NotFound for another portal's rows exactly as for
// missing ones, as FinishAttempt does for another portal's key (the same
// key under two portals is two attempts); AddLink refuses a connection of another portal, and a
// composite foreign key (portal_id, connection_id) makes the database
// refuse it too.
//
// The background sync (app.SyncStore, sync.go) is the one exception, on
// purpose: no user or portal asks for its work. A QuickBooks webhook names
// only a realm, so ConnectionsOfRealm finds every portal's connection to
// it, and the reconcile and the overdue sweep visit every portal's
// connections (ActiveConnections). Everything it then reads or saves
// (linked invoice ids, its sync state, entity versions) is keyed by one
// connection, whose portal the caller acts for.
package store
