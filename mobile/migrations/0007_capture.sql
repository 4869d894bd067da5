-- What the device records around a draft besides its answers (XLSForm start-geopoint and
-- audit): where it was started, and how long each question was on screen.
ALTER TABLE drafts ADD COLUMN position TEXT;

CREATE TABLE draft_audit (
    draft_id TEXT    NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    node     TEXT    NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms   INTEGER NOT NULL
);
CREATE INDEX draft_audit_by_draft ON draft_audit (draft_id);
