-- The review queue (Store.Queue): ordered by score then id, filtered by
-- status, company and source, searched by words of the title, company and
-- description.
CREATE INDEX applications_status_score ON applications (status, score DESC, id);
CREATE INDEX applications_score ON applications (score DESC, id);
-- GET /api/v1/applications?status=…: by id within a status.
CREATE INDEX applications_status_id ON applications (status, id);
CREATE INDEX postings_company_folded ON postings (lower(company));

-- Full-text search: the words of the title, company and description
-- ('simple': no stemming, like SQLite's unicode61), stored so that a row
-- is tested without parsing its text again, and indexed. A tsvector must
-- stay under 1 MB, so only the first 100,000 characters of a description
-- count.
ALTER TABLE postings ADD COLUMN search tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig, title || ' ' || company || ' ' || left(description, 100000))
) STORED;
CREATE INDEX postings_search ON postings USING GIN (search);
