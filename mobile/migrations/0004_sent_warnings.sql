-- Schema 4: a record the server stored with a warning (protocol 2), e.g. `outside_periods`
-- (no evaluation period covers its date): kept with the record and shown on Sincronizar.

ALTER TABLE sent ADD COLUMN warning_code TEXT;
ALTER TABLE sent ADD COLUMN warning_message TEXT;
