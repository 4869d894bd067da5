-- The devices' own day counts (created, finalised, sent, acknowledged), as each device last
-- reported them with a push: the device side of the day-end receipt.
CREATE TABLE device_ledgers (
    device_id    TEXT NOT NULL REFERENCES devices (id),
    date         TEXT NOT NULL,
    created      INTEGER NOT NULL,
    finalised    INTEGER NOT NULL,
    sent         INTEGER NOT NULL,
    acknowledged INTEGER NOT NULL,
    reported_at  TEXT NOT NULL,
    PRIMARY KEY (device_id, date)
);
