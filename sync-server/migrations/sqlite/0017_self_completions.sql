-- When each self-completed survey (kiosk, QR) was finalised at each centro, in time order:
-- what the self-completed burst check (SCORING.md §2, `self_burst`) reads around every new
-- one, whoever's device it came from. Like survey_finalisations, but by centro.
CREATE TABLE self_completions (
    centro_id      TEXT NOT NULL,
    finalised_unix INTEGER NOT NULL,
    submission_id  TEXT NOT NULL REFERENCES submissions (id),
    in_burst       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (centro_id, finalised_unix, submission_id)
) WITHOUT ROWID;

INSERT INTO self_completions (centro_id, finalised_unix, submission_id, in_burst)
SELECT s.centro_id, s.finalised_unix, s.id, instr(s.flags, '"self_burst"') > 0
FROM submissions s JOIN survey_facts f ON f.submission_id = s.id
WHERE f.mode <> 'entrevista';
