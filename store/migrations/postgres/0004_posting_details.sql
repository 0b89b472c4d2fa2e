-- Posting details: the roles of a multi-role posting, every location, work mode with the regions a remote job
-- is open to, employment type and pay as given (jobpilot.Posting).
ALTER TABLE postings
    ADD COLUMN locations       TEXT NOT NULL DEFAULT '[]',
    ADD COLUMN work_mode       TEXT NOT NULL DEFAULT '',
    ADD COLUMN remote_regions  TEXT NOT NULL DEFAULT '[]',
    ADD COLUMN employment_type TEXT NOT NULL DEFAULT '',
    ADD COLUMN pay_min         DOUBLE PRECISION,
    ADD COLUMN pay_max         DOUBLE PRECISION,
    ADD COLUMN pay_currency    TEXT NOT NULL DEFAULT '',
    ADD COLUMN pay_period      TEXT NOT NULL DEFAULT '',
    ADD COLUMN pay_text        TEXT NOT NULL DEFAULT '',
    ADD COLUMN roles           TEXT NOT NULL DEFAULT '[]';
-- Existing rows read as the new code would normalise them; their content
-- hash stays valid (jobpilot.Posting.Normalize).
UPDATE postings SET work_mode = 'remote' WHERE remote;
UPDATE postings SET locations = json_build_array(location)::text WHERE location <> '';
