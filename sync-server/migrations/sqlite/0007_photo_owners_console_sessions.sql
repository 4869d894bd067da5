-- Who started each photo upload: only that user's devices may continue it or read it
-- (besides reviewers of a submission naming it, and staff).
CREATE TABLE photo_uploads (
    sha256     TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    device_id  TEXT NOT NULL REFERENCES devices (id),
    started_at TEXT NOT NULL
);

-- Photos still missing, looked up on every push (few rows: an index of those alone).
CREATE INDEX submission_photos_missing ON submission_photos (submission_id) WHERE arrived = 0;

-- Console sessions expire on the server (idle and absolute limits), not only in the cookie.
-- A console device without a row here (signed in before this migration) is expired.
CREATE TABLE console_sessions (
    device_id      TEXT PRIMARY KEY REFERENCES devices (id),
    created_at     INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL
);
