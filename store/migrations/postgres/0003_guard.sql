-- What the fabrication guard did to an application's documents (a JSON
-- jobpilot.GuardReport: removals, removed phrases, fallback, hold reason),
-- and the removals of the documents themselves.
ALTER TABLE applications ADD COLUMN guard JSONB NOT NULL DEFAULT '{}';
ALTER TABLE documents ADD COLUMN removals JSONB NOT NULL DEFAULT '[]';
