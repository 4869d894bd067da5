-- Who started each photo upload: only that user's devices may continue it or read it
-- (besides reviewers of a submission naming it, and staff).
CREATE TABLE photo_uploads (
    sha256     TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id),
    device_id  TEXT NOT NULL REFERENCES devices (id),
    started_at TEXT NOT NULL
);

-- Console sessions expire on the server (idle and absolute limits), not only in the cookie.
-- A console device without a row here (signed in before this migration) is expired.
CREATE TABLE console_sessions (
    device_id      TEXT PRIMARY KEY REFERENCES devices (id),
    created_at     INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL
);
