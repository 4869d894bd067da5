-- XLSForms checked in the console and waiting for «Publicar» (issue 16): in the database, so
-- the publish step may reach another server on the same database than the check did. By
-- the workbook's SHA-256; the files uploaded with it in their order.
CREATE TABLE staged_forms (
    sha256    TEXT PRIMARY KEY,
    file_name TEXT NOT NULL,
    xlsx      BLOB NOT NULL,
    staged_at TEXT NOT NULL
);
CREATE TABLE staged_form_files (
    sha256   TEXT NOT NULL REFERENCES staged_forms (sha256) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    name     TEXT NOT NULL,
    bytes    BLOB NOT NULL,
    PRIMARY KEY (sha256, position)
);
