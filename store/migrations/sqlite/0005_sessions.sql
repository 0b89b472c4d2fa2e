-- Dashboard sessions kept on the server, so that signing out ends them
-- (jobpilot.Session). id is the SHA-256 of the cookie's secret, in hex.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
