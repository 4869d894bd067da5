-- Incorporation (Cédula de Incorporación + Plantilla de Personal, filed by an Enlace and
-- decided by staff), centros dados de baja, the centros' staff and their trainings.

ALTER TABLE centros ADD COLUMN baja_on TEXT;
ALTER TABLE centros ADD COLUMN baja_reason TEXT;

-- One centro's request to join a period: its cédula row, and its plantilla once filed.
CREATE TABLE incorporations (
    id          INTEGER PRIMARY KEY,
    period_id   TEXT NOT NULL REFERENCES periods (id),
    centro_id   TEXT NOT NULL,
    institution TEXT NOT NULL,
    definition  TEXT NOT NULL,          -- the cédula row (CentroDefinition as JSON)
    staff       TEXT,                   -- the plantilla rows (JSON), NULL until filed
    status      TEXT NOT NULL DEFAULT 'pendiente' CHECK (status IN ('pendiente', 'aceptado', 'rechazado')),
    reason      TEXT,
    filed_by    INTEGER NOT NULL REFERENCES users (id),
    filed_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    decided_by  INTEGER REFERENCES users (id),
    decided_at  TEXT,
    CHECK ((status = 'rechazado') = (reason IS NOT NULL))
);
CREATE UNIQUE INDEX incorporations_one_pending ON incorporations (period_id, centro_id) WHERE status = 'pendiente';
CREATE INDEX incorporations_by_institution ON incorporations (institution, status);

-- The centro's people, from its accepted plantilla: the least personal data needed.
CREATE TABLE staff_members (
    id         INTEGER PRIMARY KEY,
    centro_id  TEXT NOT NULL REFERENCES centros (id),
    name       TEXT NOT NULL,
    puesto     TEXT NOT NULL,
    front_line INTEGER NOT NULL CHECK (front_line IN (0, 1)),
    active     INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);
CREATE INDEX staff_by_centro ON staff_members (centro_id, active);

CREATE TABLE trainings (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    held_on    TEXT NOT NULL,
    modality   TEXT NOT NULL CHECK (modality IN ('presencial', 'en_linea', 'mixta')),
    standard   TEXT,                    -- e.g. CONOCER EC0105, EC1268
    created_by INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE training_attendance (
    training_id INTEGER NOT NULL REFERENCES trainings (id),
    staff_id    INTEGER NOT NULL REFERENCES staff_members (id),
    outcome     TEXT NOT NULL CHECK (outcome IN ('asistio', 'certificado')),
    PRIMARY KEY (training_id, staff_id)
);
