-- The sampling counter's day per device and centro (people counted leaving, selected,
-- refused), as each device last reported it with a push: the denominator of the response
-- rate (completed / selected, AAPOR RR1).
CREATE TABLE sampling_counts (
    device_id   TEXT NOT NULL REFERENCES devices (id),
    centro_id   TEXT NOT NULL REFERENCES centros (id),
    date        TEXT NOT NULL,
    counted     INTEGER NOT NULL,
    selected    INTEGER NOT NULL,
    refused     INTEGER NOT NULL,
    reported_at TEXT NOT NULL,
    PRIMARY KEY (device_id, centro_id, date)
);

CREATE INDEX sampling_counts_centro_date ON sampling_counts (centro_id, date);
