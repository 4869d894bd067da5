-- Where a draft was left (the first question of the page on screen, so that it reopens
-- there), the stopwatches running in it (they survive leaving the screen), and drafts
-- discarded: kept, out of the list, until the day after, so that one tap loses nothing.
ALTER TABLE drafts ADD COLUMN at_path TEXT;
ALTER TABLE drafts ADD COLUMN discarded_at TEXT;

CREATE TABLE draft_timers (
    draft_id   TEXT NOT NULL REFERENCES drafts (id) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    started_at TEXT NOT NULL,
    PRIMARY KEY (draft_id, path)
);

-- A copy of each acknowledged record, so that one a supervisor rejected can be opened and
-- corrected (records acknowledged before this migration have none).
ALTER TABLE sent ADD COLUMN body TEXT;

-- A draft that corrects a record a supervisor rejected names it.
ALTER TABLE drafts ADD COLUMN replaces TEXT;
