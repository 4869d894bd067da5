-- A trámite a centro no longer lists is kept, retired: a record answered offline with it
-- before the change is still accepted (shared::form::centro_lists).
ALTER TABLE tramites ADD COLUMN retired_at TEXT;
