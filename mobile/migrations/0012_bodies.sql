-- Each finalised record's body in a table of its own, written once when the record is
-- finalised and kept while the record is on the phone (waiting in `outbox`, then
-- acknowledged in `sent`). An acknowledgement used to copy the body from `outbox` into
-- `sent` and delete it from `outbox`: every body twice more through the write-ahead log
-- and its checkpoint. Now it moves only the record's narrow row.
CREATE TABLE bodies (id TEXT PRIMARY KEY, body TEXT NOT NULL);
INSERT INTO bodies (id, body) SELECT id, body FROM outbox;
INSERT OR IGNORE INTO bodies (id, body) SELECT id, body FROM sent WHERE body IS NOT NULL;
ALTER TABLE outbox DROP COLUMN body;
ALTER TABLE sent DROP COLUMN body;
