-- Times are TEXT in UTC, fixed width ("2006-01-02T15:04:05.000000Z") so that
-- they compare correctly as strings. Booleans are 0/1, JSON documents TEXT.
CREATE TABLE profiles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    resume      TEXT    NOT NULL,
    preferences TEXT    NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    example     INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE postings (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    source        TEXT    NOT NULL,
    external_id   TEXT    NOT NULL,
    company       TEXT    NOT NULL,
    title         TEXT    NOT NULL,
    location      TEXT    NOT NULL DEFAULT '',
    remote        INTEGER NOT NULL DEFAULT 0,
    description   TEXT    NOT NULL DEFAULT '',
    url           TEXT    NOT NULL DEFAULT '',
    apply_url     TEXT    NOT NULL DEFAULT '',
    contact_email TEXT    NOT NULL DEFAULT '',
    published_at  TEXT,
    fingerprint   TEXT    NOT NULL,
    content_hash  TEXT    NOT NULL,
    closed_at     TEXT,
    example       INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL,
    UNIQUE (source, external_id)
);
CREATE INDEX postings_fingerprint ON postings (fingerprint);

CREATE TABLE applications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    profile_id      INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    posting_id      INTEGER NOT NULL REFERENCES postings (id),
    fingerprint     TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    score           INTEGER NOT NULL DEFAULT 0,
    explanation     TEXT    NOT NULL DEFAULT '{}',
    apply_via       TEXT    NOT NULL DEFAULT '',
    writer          TEXT    NOT NULL DEFAULT '',
    profile_version INTEGER NOT NULL DEFAULT 0,
    posting_hash    TEXT    NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    error           TEXT    NOT NULL DEFAULT '',
    message_id      TEXT    NOT NULL DEFAULT '',
    sent_at         TEXT,
    followed_up_at  TEXT,
    example         INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    updated_at      TEXT    NOT NULL,
    UNIQUE (profile_id, fingerprint)
);
CREATE INDEX applications_profile_status ON applications (profile_id, status);
CREATE INDEX applications_posting ON applications (posting_id);
CREATE INDEX applications_profile_sent ON applications (profile_id, sent_at);

CREATE TABLE documents (
    application_id   INTEGER PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    resume           TEXT NOT NULL,
    resume_pdf       BLOB,
    cover_letter     TEXT NOT NULL DEFAULT '',
    cover_letter_pdf BLOB,
    writer           TEXT NOT NULL DEFAULT '',
    created_at       TEXT NOT NULL
);

CREATE TABLE events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id INTEGER REFERENCES applications (id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    message        TEXT NOT NULL,
    data           TEXT,
    created_at     TEXT NOT NULL
);
CREATE INDEX events_application ON events (application_id, id);
CREATE INDEX events_kind ON events (kind, id);

CREATE TABLE runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,
    status      TEXT NOT NULL,
    counts      TEXT,
    error       TEXT NOT NULL DEFAULT '',
    started_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX runs_kind ON runs (kind, id);
