-- The review transition each change made (see migrations/sqlite/0022_review_transitions.sql).
ALTER TABLE changes ADD COLUMN review_from TEXT COLLATE "C";
ALTER TABLE changes ADD COLUMN review_to TEXT COLLATE "C";
