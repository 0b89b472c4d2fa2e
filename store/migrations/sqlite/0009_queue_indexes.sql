-- The review queue (Store.Queue): ordered by score then id, filtered by
-- status, company and source, searched by words of the title, company and
-- description.
CREATE INDEX applications_status_score ON applications (status, score DESC, id);
CREATE INDEX applications_score ON applications (score DESC, id);
-- GET /api/v1/applications?status=…: by id within a status.
CREATE INDEX applications_status_id ON applications (status, id);
CREATE INDEX postings_company_folded ON postings (lower(company));

-- Full-text search over the postings, kept in step by triggers (FTS5
-- external content: the text itself stays in postings).
CREATE VIRTUAL TABLE postings_search USING fts5(
    title, company, description,
    content = 'postings', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TRIGGER postings_search_insert AFTER INSERT ON postings BEGIN
    INSERT INTO postings_search (rowid, title, company, description) VALUES (new.id, new.title, new.company, new.description);
END;
CREATE TRIGGER postings_search_delete AFTER DELETE ON postings BEGIN
    INSERT INTO postings_search (postings_search, rowid, title, company, description)
    VALUES ('delete', old.id, old.title, old.company, old.description);
END;
CREATE TRIGGER postings_search_update AFTER UPDATE OF title, company, description ON postings BEGIN
    INSERT INTO postings_search (postings_search, rowid, title, company, description)
    VALUES ('delete', old.id, old.title, old.company, old.description);
    INSERT INTO postings_search (rowid, title, company, description) VALUES (new.id, new.title, new.company, new.description);
END;
INSERT INTO postings_search (postings_search) VALUES ('rebuild');
