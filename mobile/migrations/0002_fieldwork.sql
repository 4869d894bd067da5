-- Schema 2: what inspectors and the sampling counter need, photos and review decisions.

CREATE TABLE commitments (
    centro_id     TEXT NOT NULL,
    commitment_id TEXT NOT NULL,
    version       INTEGER NOT NULL,
    body          TEXT NOT NULL,
    PRIMARY KEY (centro_id, commitment_id)
);

-- The latest visit of each centro, shown beside each item on the next visit.
CREATE TABLE previous_visits (
    centro_id     TEXT PRIMARY KEY,
    submission_id TEXT NOT NULL,
    visit_date    TEXT NOT NULL,
    answers       TEXT NOT NULL
);

-- A supervisor's decision on one of this user's records.
CREATE TABLE decisions (
    submission_id TEXT PRIMARY KEY,
    state         TEXT NOT NULL,
    reason        TEXT,
    received_at   TEXT NOT NULL
);

-- Photos taken in the app (already downscaled), content-addressed.
CREATE TABLE photos (
    sha256   TEXT PRIMARY KEY,
    bytes    BLOB NOT NULL,
    uploaded INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE draft_photos (
    draft_id TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    item     TEXT NOT NULL,
    sha256   TEXT NOT NULL REFERENCES photos (sha256),
    PRIMARY KEY (draft_id, item, sha256)
) WITHOUT ROWID;

-- Photos a finalised record names; dropped once uploaded.
CREATE TABLE photo_queue (
    sha256 TEXT PRIMARY KEY REFERENCES photos (sha256)
);

-- The systematic-sampling counter: people counted leaving, per centro and day; `handled`
-- is the count at which the last selected person was surveyed or refused.
CREATE TABLE sampling (
    centro_id TEXT NOT NULL,
    day       TEXT NOT NULL,
    counted   INTEGER NOT NULL DEFAULT 0,
    refused   INTEGER NOT NULL DEFAULT 0,
    handled   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (centro_id, day)
);
