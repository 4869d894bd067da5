-- Improvement commitments with milestones (editable: versioned), and complaints.

CREATE TABLE commitments (
    centro_id   TEXT NOT NULL REFERENCES centros (id),
    id          TEXT NOT NULL,
    description TEXT NOT NULL,
    impact      INTEGER NOT NULL CHECK (impact BETWEEN 1 AND 3),
    version     INTEGER NOT NULL DEFAULT 1,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (centro_id, id)
);

CREATE TABLE milestones (
    centro_id     TEXT NOT NULL,
    commitment_id TEXT NOT NULL,
    id            TEXT NOT NULL,
    description   TEXT NOT NULL,
    due_date      TEXT NOT NULL,
    verified_on   TEXT,
    verified_by   INTEGER REFERENCES users (id),
    evidence      TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (centro_id, commitment_id, id),
    FOREIGN KEY (centro_id, commitment_id) REFERENCES commitments (centro_id, id)
);

CREATE TABLE complaints (
    centro_id         TEXT NOT NULL REFERENCES centros (id),
    folio             TEXT NOT NULL,
    received          TEXT NOT NULL,
    responded         TEXT,
    corrective_action INTEGER NOT NULL,
    acknowledged      INTEGER NOT NULL,
    seq               INTEGER NOT NULL,
    PRIMARY KEY (centro_id, folio),
    CHECK (responded IS NULL OR responded >= received)
);

-- A change based on an old version: kept for review, never applied over newer data.
CREATE TABLE edit_conflicts (
    id              INTEGER PRIMARY KEY,
    entity          TEXT NOT NULL,
    key             TEXT NOT NULL,
    base_version    INTEGER NOT NULL,
    current_version INTEGER NOT NULL,
    body            TEXT NOT NULL,
    user_id         INTEGER NOT NULL REFERENCES users (id),
    received_at     TEXT NOT NULL
);
