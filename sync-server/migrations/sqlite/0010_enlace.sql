-- The centros' side (PROGRAM_CYCLE.md): the Enlace Institucional, commitments registered by
-- the centro and confirmed by staff, documentary evidence, extensions.

-- The role 'enlace', scoped to one institution (a centro's `dependencia`). SQLite cannot
-- widen a CHECK in place: the table is rebuilt (foreign keys are off while migrations run,
-- and checked before they are turned on again).
CREATE TABLE users_new (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'staff', 'supervisor', 'inspector', 'surveyor', 'enlace')),
    password_hash TEXT NOT NULL,
    supervisor_id INTEGER REFERENCES users (id),
    active        INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL,
    institution   TEXT,
    CHECK ((role = 'enlace') = (institution IS NOT NULL))
);
INSERT INTO users_new (id, username, display_name, role, password_hash, supervisor_id, active, created_at)
    SELECT id, username, display_name, role, password_hash, supervisor_id, active, created_at FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;

-- A commitment registered by an Enlace is 'propuesto' until staff confirm its impact
-- ('confirmado', the only state the scores read) or send it back with a reason ('devuelto').
-- Commitments registered by staff are confirmed from the start.
ALTER TABLE commitments ADD COLUMN status TEXT NOT NULL DEFAULT 'confirmado' CHECK (status IN ('propuesto', 'confirmado', 'devuelto'));
ALTER TABLE commitments ADD COLUMN return_reason TEXT;
ALTER TABLE commitments ADD COLUMN registered_by INTEGER REFERENCES users (id);

-- The due date as registered, once an approved extension moved `due_date` (the date IACM
-- reads); how a verification was made: at a visit (inspector) or at the desk (staff).
ALTER TABLE milestones ADD COLUMN original_due TEXT;
ALTER TABLE milestones ADD COLUMN verified_how TEXT CHECK (verified_how IN ('visita', 'escritorio'));

-- Extension requests (prórrogas): asked by the Enlace before the due date, decided by staff.
CREATE TABLE extensions (
    id              INTEGER PRIMARY KEY,
    centro_id       TEXT NOT NULL,
    commitment_id   TEXT NOT NULL,
    milestone_id    TEXT NOT NULL,
    due_before      TEXT NOT NULL,
    requested_due   TEXT NOT NULL CHECK (requested_due > due_before),
    reason          TEXT NOT NULL,
    requested_by    INTEGER NOT NULL REFERENCES users (id),
    requested_at    TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pendiente' CHECK (state IN ('pendiente', 'aprobada', 'negada')),
    decided_by      INTEGER REFERENCES users (id),
    decided_at      TEXT,
    decision_reason TEXT,
    FOREIGN KEY (centro_id, commitment_id, milestone_id) REFERENCES milestones (centro_id, commitment_id, id)
);
CREATE INDEX extensions_milestone ON extensions (centro_id, commitment_id, milestone_id);
CREATE UNIQUE INDEX extensions_one_pending ON extensions (centro_id, commitment_id, milestone_id) WHERE state = 'pendiente';

-- Documentary evidence per milestone: content-addressed files under `<data>/evidence/`,
-- uploaded in resumable chunks; `complete` once the bytes match the hash and the type.
CREATE TABLE evidence_documents (
    centro_id     TEXT NOT NULL,
    commitment_id TEXT NOT NULL,
    milestone_id  TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    media_type    TEXT NOT NULL CHECK (media_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size          INTEGER NOT NULL CHECK (size > 0),
    uploaded_by   INTEGER NOT NULL REFERENCES users (id),
    uploaded_at   TEXT NOT NULL,
    complete      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (centro_id, commitment_id, milestone_id, sha256),
    FOREIGN KEY (centro_id, commitment_id, milestone_id) REFERENCES milestones (centro_id, commitment_id, id)
);
CREATE INDEX evidence_documents_sha ON evidence_documents (sha256);
