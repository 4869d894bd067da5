-- The files published with a form version (data its lists and lookups read, media),
-- received with the form.
CREATE TABLE form_files (
    form_id TEXT NOT NULL,
    version TEXT NOT NULL,
    name    TEXT NOT NULL,
    bytes   BLOB NOT NULL,
    PRIMARY KEY (form_id, version, name)
);
