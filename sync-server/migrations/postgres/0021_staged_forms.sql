-- XLSForms checked in the console and waiting for «Publicar» (see migrations/sqlite/0021_staged_forms.sql).
CREATE TABLE staged_forms (
    sha256    TEXT COLLATE "C" PRIMARY KEY,
    file_name TEXT COLLATE "C" NOT NULL,
    xlsx      BYTEA NOT NULL,
    staged_at TEXT COLLATE "C" NOT NULL
);
CREATE TABLE staged_form_files (
    sha256   TEXT COLLATE "C" NOT NULL REFERENCES staged_forms (sha256) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    name     TEXT COLLATE "C" NOT NULL,
    bytes    BYTEA NOT NULL,
    PRIMARY KEY (sha256, position)
);
