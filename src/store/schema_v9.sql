-- Version 9: payee contacts (联系人, spec/money-out.md §5 A5, K §3.3.2) and the per-merchant
-- withdrawal limits (§1.7: single and daily, as data). Portable: plain types, no GLOB, no
-- SQLite-only functions; the partial unique index works on PostgreSQL as it is.

-- The group's payees: a platform account (a store of this group, by its merchant number) or a
-- bank account (the number in full, because it is paid; every screen shows it masked).
CREATE TABLE payees (
    id           INTEGER PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('platform', 'bank')),
    account_name TEXT NOT NULL CHECK (length(account_name) BETWEEN 1 AND 60),
    account_no   TEXT NOT NULL CHECK (length(account_no) BETWEEN 6 AND 32),
    holder_type  TEXT CHECK (holder_type IS NULL OR holder_type IN ('personal', 'company')),
    bank_code    TEXT REFERENCES banks(code),
    city_id      INTEGER REFERENCES cities(id),
    branch       TEXT NOT NULL DEFAULT '',
    mobile       TEXT NOT NULL DEFAULT '',
    remark       TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('active', 'deleted')),
    added_by     INTEGER NOT NULL REFERENCES operators(id),
    added_ms     INTEGER NOT NULL,
    deleted_ms   INTEGER,
    last_used_ms INTEGER,
    use_count    INTEGER NOT NULL DEFAULT 0 CHECK (use_count >= 0),
    CHECK (kind = 'platform' OR (holder_type IS NOT NULL AND bank_code IS NOT NULL
        AND city_id IS NOT NULL))
) STRICT;
CREATE UNIQUE INDEX payees_account ON payees(kind, account_no) WHERE status = 'active';
CREATE INDEX payees_list ON payees(kind, status, id);

-- A store's withdrawal limits in fen; NULL (or no row) is no limit.
CREATE TABLE payout_limits (
    merchant_id         INTEGER PRIMARY KEY REFERENCES merchants(id),
    withdraw_single_fen INTEGER CHECK (withdraw_single_fen IS NULL OR withdraw_single_fen > 0),
    withdraw_daily_fen  INTEGER CHECK (withdraw_daily_fen IS NULL OR withdraw_daily_fen > 0)
) STRICT;
