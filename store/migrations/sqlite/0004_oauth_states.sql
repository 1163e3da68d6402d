-- OAuth states spent: the nonce of every signed QuickBooks connect state
-- whose callback was accepted, so a state works once. A row may go once
-- expires_at has passed: the state's own signed expiry refuses it then.
-- Times are TEXT in UTC as in 0001.

CREATE TABLE oauth_states (
    nonce      TEXT    NOT NULL PRIMARY KEY,
    portal_id  INTEGER NOT NULL,
    expires_at TEXT    NOT NULL,
    spent_at   TEXT    NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX oauth_states_expires ON oauth_states (expires_at);
