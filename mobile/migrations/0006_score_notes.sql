-- What the device suggested for a checklist item from the program's records (the trained
-- share of the centro's front-line staff at TC-V7), as shown when the visit began, and the
-- inspector's reason when they scored otherwise.
CREATE TABLE draft_score_notes (
    draft_id  TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    item      TEXT NOT NULL,
    basis     TEXT NOT NULL,
    suggested TEXT NOT NULL,
    reason    TEXT,
    PRIMARY KEY (draft_id, item)
) WITHOUT ROWID;
