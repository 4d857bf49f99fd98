-- Version 13: a failed or returned transfer row re-issued as a new transfer through review
-- (X4): the new row names the row it re-issues, and a row is re-issued at most once (the
-- unique index; NULLs — rows that re-issue nothing — do not collide).
ALTER TABLE transfers ADD COLUMN reissue_of INTEGER REFERENCES transfers(id);
CREATE UNIQUE INDEX transfers_reissue_of ON transfers(reissue_of);
