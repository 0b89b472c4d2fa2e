-- The candidate in control: the undo window of an approved email, how a sent
-- one went out (smtp or outbox), the checked recipient (a JSON
-- jobpilot.Recipient), the note and date of the last status the candidate
-- set, and the companies they blocked.
ALTER TABLE applications ADD COLUMN send_after TEXT;
ALTER TABLE applications ADD COLUMN delivery TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN note TEXT NOT NULL DEFAULT '';
ALTER TABLE applications ADD COLUMN status_at TEXT;
CREATE TABLE blocked_companies (
    profile_id  INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    company_key TEXT    NOT NULL,
    company     TEXT    NOT NULL,
    reason      TEXT    NOT NULL DEFAULT '',
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (profile_id, company_key)
);
