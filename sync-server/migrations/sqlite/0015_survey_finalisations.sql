-- When each surveyor finalised each scored survey, in time order: what the burst check
-- (SCORING.md §8) reads around every new survey. Narrow and clustered by (user, time), so
-- that a dense day costs an index range of integers, not the submissions' rows; the
-- partial index finds the ones not yet flagged as in a burst, the only ones a new burst
-- can still change.
CREATE TABLE survey_finalisations (
    user_id        INTEGER NOT NULL,
    finalised_unix INTEGER NOT NULL,
    submission_id  TEXT NOT NULL REFERENCES submissions (id),
    in_burst       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (user_id, finalised_unix, submission_id)
) WITHOUT ROWID;

CREATE INDEX survey_finalisations_unflagged ON survey_finalisations (user_id, finalised_unix) WHERE in_burst = 0;

INSERT INTO survey_finalisations (user_id, finalised_unix, submission_id, in_burst)
SELECT s.user_id, s.finalised_unix, s.id, instr(s.flags, '"burst"') > 0
FROM submissions s JOIN survey_facts f ON f.submission_id = s.id;
