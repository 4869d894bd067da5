-- Ventanilla sync-server, schema 1. Migrations are append-only: never edit a released one.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'supervisor', 'inspector', 'surveyor')),
    password_hash TEXT NOT NULL,
    supervisor_id INTEGER REFERENCES users (id),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL
);

CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id),
    label        TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT,
    revoked_at   TEXT
);

CREATE TABLE periods (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    start_date    TEXT NOT NULL,
    end_date      TEXT NOT NULL,
    method        TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    CHECK (start_date <= end_date)
);

CREATE TABLE centros (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    dependencia       TEXT NOT NULL,
    ambito            TEXT NOT NULL CHECK (ambito IN ('estatal', 'municipal')),
    tipo              TEXT NOT NULL CHECK (tipo IN ('tramites', 'servicios')),
    municipio         TEXT NOT NULL,
    lat               REAL,
    lon               REAL,
    sampling_interval INTEGER NOT NULL DEFAULT 5 CHECK (sampling_interval >= 1)
);

CREATE TABLE tramites (
    centro_id TEXT NOT NULL REFERENCES centros (id),
    name      TEXT NOT NULL,
    PRIMARY KEY (centro_id, name)
);

CREATE TABLE quotas (
    period_id TEXT NOT NULL REFERENCES periods (id),
    centro_id TEXT NOT NULL REFERENCES centros (id),
    surveys   INTEGER NOT NULL CHECK (surveys >= 0),
    PRIMARY KEY (period_id, centro_id)
);

CREATE TABLE assignments (
    user_id   INTEGER NOT NULL REFERENCES users (id),
    centro_id TEXT NOT NULL REFERENCES centros (id),
    PRIMARY KEY (user_id, centro_id)
);

CREATE TABLE forms (
    form_id      TEXT NOT NULL,
    version      TEXT NOT NULL,
    title        TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    xlsx         BLOB NOT NULL,
    published_at TEXT NOT NULL,
    PRIMARY KEY (form_id, version)
);

-- The server-wide change sequence: every stored record and every change devices pull.
-- user_id NULL: for every device; otherwise for that user's devices only.
CREATE TABLE changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    kind    TEXT NOT NULL,
    key     TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    data    TEXT
);
CREATE INDEX changes_user ON changes (user_id, seq);

CREATE TABLE submissions (
    id                 TEXT PRIMARY KEY,
    seq                INTEGER NOT NULL UNIQUE REFERENCES changes (seq),
    form_id            TEXT NOT NULL,
    form_version       TEXT NOT NULL,
    centro_id          TEXT NOT NULL REFERENCES centros (id),
    user_id            INTEGER NOT NULL REFERENCES users (id),
    device_id          TEXT NOT NULL REFERENCES devices (id),
    content_hash       TEXT NOT NULL,
    body               TEXT NOT NULL,
    capture_date       TEXT NOT NULL,
    finalised_unix     INTEGER NOT NULL,
    received_at        TEXT NOT NULL,
    clock_skew_seconds INTEGER NOT NULL,
    review             TEXT NOT NULL CHECK (review IN ('accepted', 'in_review', 'approved', 'rejected')),
    review_reason      TEXT,
    flags              TEXT NOT NULL DEFAULT '[]',
    FOREIGN KEY (form_id, form_version) REFERENCES forms (form_id, version)
);
CREATE INDEX submissions_centro ON submissions (centro_id, capture_date);
CREATE INDEX submissions_user_time ON submissions (user_id, finalised_unix);

-- Same id, other content: kept aside for a supervisor, never overwriting the stored one.
CREATE TABLE conflicts (
    id            INTEGER PRIMARY KEY,
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    device_id     TEXT NOT NULL REFERENCES devices (id),
    content_hash  TEXT NOT NULL,
    body          TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    resolved_at   TEXT,
    UNIQUE (submission_id, content_hash)
);

-- The server side of each device's day-end receipt.
CREATE TABLE device_days (
    device_id  TEXT NOT NULL REFERENCES devices (id),
    date       TEXT NOT NULL,
    received   INTEGER NOT NULL DEFAULT 0,
    stored     INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    conflicts  INTEGER NOT NULL DEFAULT 0,
    rejected   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device_id, date)
);
