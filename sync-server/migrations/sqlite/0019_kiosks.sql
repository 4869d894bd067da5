-- Kiosk tablets (issue 17): a supervisor enrols a tablet as the kiosk of one centro. Its
-- device belongs to the centro's kiosk user (`kiosko.` and the centro id, active, with a
-- password nobody has) and names the centro: its records are kiosk surveys of that centro.
ALTER TABLE devices ADD COLUMN kiosk_centro TEXT REFERENCES centros (id);
