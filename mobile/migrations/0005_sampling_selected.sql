-- Schema 5: the counter also counts the people selected (approached): surveyed or refused.
-- The response rate is completed / selected (AAPOR RR1). Rows counted before this schema
-- take their refusals as a lower bound of the selections.

ALTER TABLE sampling ADD COLUMN selected INTEGER NOT NULL DEFAULT 0;
UPDATE sampling SET selected = refused;
