-- Embedding vectors cached by model and content key (SHA-256 of the text
-- embedded): a posting or a profile is embedded once per model. The vector
-- is little-endian float32s.
CREATE TABLE embeddings (
    model      TEXT        NOT NULL,
    key        TEXT        NOT NULL,
    dims       INTEGER     NOT NULL,
    vector     BYTEA       NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (model, key)
);
