-- A record that corrects one a supervisor rejected names it (one correction per record).
ALTER TABLE submissions ADD COLUMN replaces TEXT REFERENCES submissions (id);
CREATE UNIQUE INDEX submissions_replaces ON submissions (replaces) WHERE replaces IS NOT NULL;
