-- The files published with a form version (CSV and XML data its lists and lookups read,
-- media shown beside questions): immutable with the version, sent to devices with it.
CREATE TABLE form_files (
    form_id TEXT NOT NULL,
    version TEXT NOT NULL,
    name    TEXT NOT NULL,
    bytes   BLOB NOT NULL,
    PRIMARY KEY (form_id, version, name),
    FOREIGN KEY (form_id, version) REFERENCES forms (form_id, version)
);
