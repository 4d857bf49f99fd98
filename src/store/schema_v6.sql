-- Counters of generated numbers, taken inside the transaction that writes what they number.
-- 'rrn': the sequence number the next reference number is made from (one per transaction so
-- far, as the generator has always numbered them).
CREATE TABLE sequences (
    name TEXT PRIMARY KEY,
    next INTEGER NOT NULL CHECK (next >= 0)
) STRICT;
INSERT INTO sequences (name, next) VALUES ('rrn', (SELECT count(*) FROM transactions));
