-- A kiosk survey a citizen walked away from: kept on the tablet as abandoned (never sent,
-- never listed, never recoverable by the next citizen), deleted after 30 days.
ALTER TABLE drafts ADD COLUMN abandoned_at TEXT;
