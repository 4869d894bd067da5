-- The photos each submission names; a submission is complete when all have arrived.
CREATE TABLE submission_photos (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    sha256        TEXT NOT NULL,
    arrived       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (submission_id, sha256)
);
CREATE INDEX submission_photos_sha ON submission_photos (sha256);
