-- Schema 3: edits of program records made in the field (a milestone verified, a complaint
-- audited), sent to the server in order; refused ones are kept aside with the reason.

CREATE TABLE edits (
    n          INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('milestone', 'complaint')),
    centro_id  TEXT NOT NULL,
    -- `commitment/milestone`, or the complaint's folio.
    target     TEXT NOT NULL,
    -- The request body (VerifyMilestone or ComplaintInput, JSON).
    body       TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'conflict', 'rejected')),
    problem    TEXT,
    created_at TEXT NOT NULL
);

CREATE INDEX edits_status ON edits (status, n);
