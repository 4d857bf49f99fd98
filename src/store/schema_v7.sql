-- Five wrong payment passwords in a business day block an operator's money actions for 24 hours,
-- counted apart from the login failures.
ALTER TABLE operators ADD COLUMN pay_failed INTEGER NOT NULL DEFAULT 0 CHECK (pay_failed >= 0);
ALTER TABLE operators ADD COLUMN pay_first_failed_ms INTEGER;
ALTER TABLE operators ADD COLUMN pay_blocked_until_ms INTEGER;
