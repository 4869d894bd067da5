-- How each scored survey was collected (SCORING.md §2, collection modes): the method's
-- `index_modes` decide which count in the index; the others are reported beside it. A
-- survey stored before takes the mode its body carries.
ALTER TABLE survey_facts ADD COLUMN mode TEXT NOT NULL DEFAULT 'entrevista'
    CHECK (mode IN ('entrevista', 'autoaplicada', 'kiosko', 'qr'));

UPDATE survey_facts
SET mode = (SELECT json_extract(s.body, '$.meta.mode') FROM submissions s WHERE s.id = survey_facts.submission_id)
WHERE (SELECT json_extract(s.body, '$.meta.mode') FROM submissions s WHERE s.id = survey_facts.submission_id)
      IN ('autoaplicada', 'kiosko', 'qr');
