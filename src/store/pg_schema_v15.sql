-- Version 15 (PostgreSQL's spelling of schema_v15.sql): the ignore limit in force when an exception was resolved
-- as ignored, so `check` judges each ignore by the limit of its day (lowering the limit later
-- does not turn old ignores into breaches). Older ignores keep NULL: judged by today's limit.
ALTER TABLE recon_exceptions ADD COLUMN IF NOT EXISTS ignore_limit_fen BIGINT;
