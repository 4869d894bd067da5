-- The program's year (PROGRAM_CYCLE.md): a period is abierto, cerrado or publicado; each
-- close freezes a version of the official results with the digests of its canonical JSON.
ALTER TABLE periods ADD COLUMN state TEXT NOT NULL DEFAULT 'abierto' CHECK (state IN ('abierto', 'cerrado', 'publicado'));
-- Why it was reopened, kept for the next version.
ALTER TABLE periods ADD COLUMN reopen_reason TEXT;
-- Publication asked by staff, waiting for an admin.
ALTER TABLE periods ADD COLUMN publication_reason TEXT;
ALTER TABLE periods ADD COLUMN publication_requested_by INTEGER REFERENCES users (id);

CREATE TABLE official_results (
    period_id     TEXT NOT NULL REFERENCES periods (id),
    version       INTEGER NOT NULL CHECK (version >= 1),
    closed_at     TEXT NOT NULL,
    closed_by     INTEGER NOT NULL REFERENCES users (id),
    reason        TEXT NOT NULL,
    reopen_reason TEXT,
    watermark     INTEGER NOT NULL,
    method        TEXT NOT NULL,
    -- The method settings the results were computed with (also inside the inputs).
    settings_json TEXT NOT NULL,
    -- The canonical JSON of the table (ScoreTableDto) and its SHA-256.
    table_json    TEXT NOT NULL,
    table_sha256  TEXT NOT NULL,
    -- The canonical JSON of the anonymised scoring inputs, gzip-compressed, and the
    -- SHA-256 of the uncompressed bytes.
    inputs_gz     BLOB NOT NULL,
    inputs_sha256 TEXT NOT NULL,
    published_at  TEXT,
    published_by  INTEGER REFERENCES users (id),
    PRIMARY KEY (period_id, version)
);

-- Every state change, with who and why.
CREATE TABLE period_transitions (
    id         INTEGER PRIMARY KEY,
    period_id  TEXT NOT NULL REFERENCES periods (id),
    at         TEXT NOT NULL,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    from_state TEXT NOT NULL,
    to_state   TEXT NOT NULL,
    reason     TEXT NOT NULL
);
