-- Version 15: the ignore limit in force when an exception was resolved
-- as ignored, so `check` judges each ignore by the limit of its day (lowering the limit later
-- does not turn old ignores into breaches). Older ignores keep NULL: judged by today's limit.
ALTER TABLE recon_exceptions ADD COLUMN ignore_limit_fen INTEGER;
