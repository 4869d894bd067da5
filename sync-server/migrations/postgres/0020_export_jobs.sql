-- Console export jobs in the database (see migrations/sqlite/0020_export_jobs.sql).
CREATE TABLE export_jobs (
    id         TEXT COLLATE "C" PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id),
    filename   TEXT COLLATE "C" NOT NULL,
    mime       TEXT COLLATE "C" NOT NULL,
    total      BIGINT NOT NULL CHECK (total >= 0),
    rows       BIGINT NOT NULL DEFAULT 0,
    state      TEXT COLLATE "C" NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
    message    TEXT COLLATE "C",
    started_at TEXT COLLATE "C" NOT NULL,
    updated_at BIGINT NOT NULL
);
