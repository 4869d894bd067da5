-- Records sent at least once, by outbox position, so that the day's «sent» count counts a
-- record once however many times it is sent. Until now a column of `outbox`, whose update
-- rewrote each record's whole row, its body included, every time a batch left. A
-- position leaves this table with its record (positions may be reused after a delete).
CREATE TABLE outbox_sent (n INTEGER PRIMARY KEY);
INSERT INTO outbox_sent (n) SELECT n FROM outbox WHERE sent = 1;
CREATE TRIGGER outbox_sent_gone AFTER DELETE ON outbox BEGIN
    DELETE FROM outbox_sent WHERE n = OLD.n;
END;
