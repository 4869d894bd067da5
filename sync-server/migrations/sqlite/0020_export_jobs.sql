-- Console export jobs in the database (issue 16): several servers on one database show a
-- job's progress and serve its file whichever one the console reaches. The file itself is
-- in the files directory (`DATA_DIR/exports/<id>`), which those servers share. The server
-- running a job writes its progress at least every second (`updated_at`, Unix seconds): a
-- job still running whose progress stopped for long lost its server.
CREATE TABLE export_jobs (
    id         TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    filename   TEXT NOT NULL,
    mime       TEXT NOT NULL,
    total      INTEGER NOT NULL CHECK (total >= 0),
    rows       INTEGER NOT NULL DEFAULT 0,
    state      TEXT NOT NULL DEFAULT 'running' CHECK (state IN ('running', 'done', 'failed')),
    message    TEXT,
    started_at TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
