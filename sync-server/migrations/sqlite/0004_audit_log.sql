-- Who exported what, and other actions on personal data (Mexico's data-protection law
-- for public bodies asks to log them).
CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users (id),
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL
);
