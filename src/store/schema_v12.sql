-- Version 12: transfers 转账 (spec/money-out.md §3, X1-X4). A transfer is a batch of rows (a
-- single transfer is a batch of one) under one application (kind 'transfer' or
-- 'transfer_batch', ref_table 'transfer_batches'): its hold, its review, its signature. Every row
-- has its status 初始 → 处理中 → 成功 | 失败 → 退票 (bank rows); the batch's status is derived from
-- its rows, never stored. Portable: plain types, no GLOB, no SQLite-only functions.

-- The imported directory of platform accounts outside this database (paid through the feed).
CREATE TABLE platform_accounts (
    account_no TEXT PRIMARY KEY CHECK (length(account_no) BETWEEN 1 AND 32),
    name       TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 60)
) STRICT;

CREATE TABLE transfer_batches (
    id          INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    batch_no    TEXT NOT NULL CHECK (length(batch_no) BETWEEN 1 AND 32),
    single      INTEGER NOT NULL CHECK (single IN (0, 1)),
    file_name   TEXT NOT NULL DEFAULT '',
    row_count   INTEGER NOT NULL CHECK (row_count BETWEEN 1 AND 999),
    amount_fen  INTEGER NOT NULL CHECK (amount_fen > 0),
    fee_fen     INTEGER NOT NULL CHECK (fee_fen >= 0),
    remark      TEXT NOT NULL DEFAULT '',
    created_by  INTEGER NOT NULL REFERENCES operators(id),
    created_ms  INTEGER NOT NULL,
    -- Two processes importing the same batch at once: one of them stores it.
    UNIQUE (merchant_id, batch_no)
) STRICT;
CREATE INDEX transfer_batches_created ON transfer_batches(merchant_id, created_ms);

CREATE TABLE transfers (
    id                 INTEGER PRIMARY KEY,
    batch_id           INTEGER NOT NULL REFERENCES transfer_batches(id),
    line_no            INTEGER NOT NULL CHECK (line_no > 0),
    merchant_id        INTEGER NOT NULL REFERENCES merchants(id),
    order_no           TEXT NOT NULL CHECK (length(order_no) BETWEEN 1 AND 32),
    payee_kind         TEXT NOT NULL CHECK (payee_kind IN ('platform', 'bank_personal',
                           'bank_company')),
    account_no         TEXT NOT NULL CHECK (length(account_no) BETWEEN 1 AND 32),
    account_name       TEXT NOT NULL CHECK (length(account_name) BETWEEN 1 AND 60),
    bank_code          TEXT REFERENCES banks(code),
    city_id            INTEGER REFERENCES cities(id),
    branch             TEXT NOT NULL DEFAULT '',
    -- A store of this database: credited in the approving transaction.
    target_merchant_id INTEGER REFERENCES merchants(id),
    amount_fen         INTEGER NOT NULL CHECK (amount_fen > 0),
    fee_fen            INTEGER NOT NULL CHECK (fee_fen >= 0),
    mobile             TEXT NOT NULL DEFAULT '',
    remark             TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL CHECK (status IN ('init', 'processing', 'success', 'failed',
                           'returned', 'cancelled')),
    reason_code        TEXT REFERENCES reason_codes(code),
    reason_text        TEXT NOT NULL DEFAULT '',
    created_ms         INTEGER NOT NULL,
    updated_ms         INTEGER NOT NULL,
    -- Set exactly when the row failed or came back: its amount and fee credited once.
    credited_back_ms   INTEGER,
    CHECK ((status IN ('failed', 'returned')) = (credited_back_ms IS NOT NULL)),
    CHECK (status <> 'returned' OR payee_kind <> 'platform'),
    CHECK (payee_kind = 'platform' OR (bank_code IS NOT NULL AND city_id IS NOT NULL)),
    UNIQUE (merchant_id, order_no),
    UNIQUE (batch_id, line_no)
) STRICT;
CREATE INDEX transfers_order ON transfers(order_no);
CREATE INDEX transfers_created ON transfers(merchant_id, created_ms);
