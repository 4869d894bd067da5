-- What each stored submission contributes to the scores, reduced once at ingest, so that
-- the live scores are rebuilt at start without re-reading every submission.

-- dimensions: `CODE=value` pairs separated by `;` (values in Rust's shortest round-trip form).
CREATE TABLE survey_facts (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
    centro_id     TEXT NOT NULL,
    capture_date  TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    dimensions    TEXT NOT NULL,
    satisfaction  INTEGER,
    bribe         INTEGER
);

-- items: `PILLAR:weight:critical(0|1):score(0|1|2|-)` separated by `;`.
CREATE TABLE visit_facts (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
    centro_id     TEXT NOT NULL,
    visit_date    TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    items         TEXT NOT NULL
);
