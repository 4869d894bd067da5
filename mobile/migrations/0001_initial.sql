-- The device's store, schema 1: enrolment, reference data, drafts, the outbox, what the
-- server acknowledged, and the per-day ledger.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE forms (
    form_id TEXT NOT NULL,
    version TEXT NOT NULL,
    title   TEXT NOT NULL,
    xlsx    BLOB NOT NULL,
    PRIMARY KEY (form_id, version)
);

CREATE TABLE periods (
    period_id  TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date   TEXT NOT NULL,
    method     TEXT NOT NULL
);

-- A centro assigned to this user (CentroInfo as JSON).
CREATE TABLE centros (
    centro_id TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    body      TEXT NOT NULL
);

CREATE TABLE drafts (
    id                TEXT PRIMARY KEY,
    form_id           TEXT NOT NULL,
    form_version      TEXT NOT NULL,
    centro_id         TEXT NOT NULL,
    started_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    mode              TEXT NOT NULL,
    sampling_position INTEGER
);

-- One row per answer: `name`, or `repeat[i]/name` inside a repeat (1-based).
CREATE TABLE draft_answers (
    draft_id TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    path     TEXT NOT NULL,
    value    TEXT NOT NULL,
    PRIMARY KEY (draft_id, path)
) WITHOUT ROWID;

-- Finalised records waiting for the server, in finalisation order.
CREATE TABLE outbox (
    n               INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    form_id         TEXT NOT NULL,
    centro_id       TEXT NOT NULL,
    capture_day     TEXT NOT NULL,
    body            TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'conflict', 'rejected')),
    sent            INTEGER NOT NULL DEFAULT 0,
    problem_code    TEXT,
    problem_message TEXT
);

-- Records the server acknowledged (stored or duplicate): gone from the outbox.
CREATE TABLE sent (
    id              TEXT PRIMARY KEY,
    form_id         TEXT NOT NULL,
    centro_id       TEXT NOT NULL,
    capture_day     TEXT NOT NULL,
    seq             INTEGER,
    review          TEXT,
    acknowledged_at TEXT NOT NULL
);

-- Per local day: records created, finalised, sent the first time, acknowledged.
CREATE TABLE ledger (
    day          TEXT PRIMARY KEY,
    created      INTEGER NOT NULL DEFAULT 0,
    finalised    INTEGER NOT NULL DEFAULT 0,
    sent         INTEGER NOT NULL DEFAULT 0,
    acknowledged INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX outbox_pending ON outbox (status, n);
CREATE INDEX outbox_day ON outbox (centro_id, form_id, capture_day);
CREATE INDEX sent_day ON sent (centro_id, form_id, capture_day);
CREATE INDEX sent_recent ON sent (acknowledged_at);
