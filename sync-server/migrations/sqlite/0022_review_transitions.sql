-- The review transition each change made, for the servers that follow the change log
-- (`follow.rs`): a stored survey's first state (`submission`: review_to only) and a
-- decision's or flag's move (`review`: review_from → review_to). With them another server
-- adds the survey, or moves it, in its live scores without reading the whole table again.
-- NULL for every other change and for changes logged before this migration.
ALTER TABLE changes ADD COLUMN review_from TEXT;
ALTER TABLE changes ADD COLUMN review_to TEXT;
