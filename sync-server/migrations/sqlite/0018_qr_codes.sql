-- Self-administered surveys by QR (issue 17): the codes printed on each centro's poster,
-- one per centro and period at a time (re-issuing revokes the one before), and the server
-- keys that sign them. Each code has its own device, of the centro's QR user (inactive:
-- nobody logs in as it), so that its surveys are stored like any other record.
CREATE TABLE qr_codes (
    id         INTEGER PRIMARY KEY,
    centro_id  TEXT NOT NULL REFERENCES centros (id),
    period_id  TEXT NOT NULL REFERENCES periods (id),
    device_id  TEXT NOT NULL REFERENCES devices (id),
    created_at TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    revoked_at TEXT
);
CREATE INDEX qr_codes_centro ON qr_codes (centro_id, period_id);

CREATE TABLE server_keys (
    name TEXT PRIMARY KEY,
    key  BLOB NOT NULL CHECK (length(key) = 32)
);
