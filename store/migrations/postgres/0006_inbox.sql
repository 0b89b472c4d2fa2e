-- The mailbox reader's place in each folder (UIDVALIDITY and the last UID
-- it handled), and the recipients that bounced hard.
CREATE TABLE mailbox_cursors (
    folder       TEXT        PRIMARY KEY,
    uid_validity BIGINT      NOT NULL,
    last_uid     BIGINT      NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE TABLE bad_addresses (
    address        TEXT        PRIMARY KEY, -- lower case
    status         TEXT        NOT NULL,
    reason         TEXT        NOT NULL,
    application_id BIGINT      NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX applications_message_id ON applications (message_id) WHERE message_id <> '';
