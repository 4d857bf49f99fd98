-- Version 8 (written as 6, renumbered at the merge): maker-checker applications, holds on the
-- available balance, payout fees as data, the merchant's own bank accounts, withdrawals, their history, and the outcome feed's reason
-- codes (spec/money-out.md §1.2-§1.4, §5 A4-A5). Self-contained: renumbered, not edited, if
-- another version 6 arrives first.

-- Off by default (SPEC: nobody approves their own application); shown with K's warning 「不建议」.
ALTER TABLE merchants ADD COLUMN allow_self_approval INTEGER NOT NULL DEFAULT 0
    CHECK (allow_self_approval IN (0, 1));

-- Why a payout failed (failed: for good) or needs fixing (exception: edit and resubmit, F4).
CREATE TABLE reason_codes (
    code    TEXT PRIMARY KEY CHECK (length(code) BETWEEN 1 AND 8),
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('failed', 'exception'))
) STRICT, WITHOUT ROWID;
INSERT INTO reason_codes VALUES
    ('R01', '余额不足', 'Insufficient funds', 'failed'),
    ('R02', '账户已销户', 'Account closed', 'failed'),
    ('R03', '账户不存在', 'No such account', 'failed'),
    ('R04', '账号格式错误', 'Invalid account number', 'failed'),
    ('N01', '户名不符', 'Account name does not match', 'exception'),
    ('N02', '开户行/支行信息有误', 'Wrong bank or branch', 'exception'),
    ('N03', '证件信息有误', 'Wrong ID details', 'exception'),
    ('X99', '其他', 'Other', 'failed');

-- Payout fees as data per merchant and kind; a kind without a row costs nothing.
CREATE TABLE payout_fees (
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    kind        TEXT NOT NULL CHECK (kind IN ('transfer_platform', 'transfer_bank_private',
                    'transfer_bank_public', 'withdraw_normal', 'withdraw_fast')),
    rate_ppm    INTEGER NOT NULL DEFAULT 0 CHECK (rate_ppm BETWEEN 0 AND 1000000),
    min_fen     INTEGER CHECK (min_fen IS NULL OR min_fen >= 0),
    cap_fen     INTEGER CHECK (cap_fen IS NULL OR cap_fen >= 0),
    fixed_fen   INTEGER NOT NULL DEFAULT 0 CHECK (fixed_fen >= 0),
    PRIMARY KEY (merchant_id, kind)
) STRICT, WITHOUT ROWID;

-- The merchant's own bank accounts (A5): the number in full (it is paid), shown masked; the name
-- is the merchant's. At most 20 not deleted per merchant (the service counts).
CREATE TABLE bank_accounts (
    id           INTEGER PRIMARY KEY,
    merchant_id  INTEGER NOT NULL REFERENCES merchants(id),
    holder_type  TEXT NOT NULL CHECK (holder_type IN ('personal', 'company')),
    nature       TEXT NOT NULL CHECK (nature IN ('basic', 'general')),
    bank_code    TEXT NOT NULL REFERENCES banks(code),
    city_id      INTEGER NOT NULL REFERENCES cities(id),
    branch       TEXT NOT NULL CHECK (length(trim(branch)) BETWEEN 2 AND 60),
    account_no   TEXT NOT NULL CHECK (length(account_no) BETWEEN 6 AND 32
                     AND account_no NOT GLOB '*[^0-9]*'),
    account_name TEXT NOT NULL CHECK (length(trim(account_name)) > 0),
    status       TEXT NOT NULL CHECK (status IN ('pending_review', 'active', 'deleted')),
    is_default   INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    added_by     INTEGER NOT NULL REFERENCES operators(id),
    added_ms     INTEGER NOT NULL,
    deleted_ms   INTEGER
) STRICT;
CREATE UNIQUE INDEX bank_accounts_no ON bank_accounts(merchant_id, account_no)
    WHERE status <> 'deleted';

-- Withdrawals (A4): normal (T+1, completed by the settlement run) or fast (by the outcome feed).
CREATE TABLE withdrawals (
    id              INTEGER PRIMARY KEY,
    order_no        TEXT NOT NULL UNIQUE CHECK (length(order_no) BETWEEN 1 AND 32
                        AND order_no NOT GLOB '*[^0-9A-Za-z]*'),
    merchant_id     INTEGER NOT NULL REFERENCES merchants(id),
    bank_account_id INTEGER NOT NULL REFERENCES bank_accounts(id),
    method          TEXT NOT NULL CHECK (method IN ('normal', 'fast')),
    amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),
    fee_fen         INTEGER NOT NULL CHECK (fee_fen >= 0),
    status          TEXT NOT NULL CHECK (status IN ('pending_review', 'processing', 'success',
                        'failed', 'rejected', 'cancelled', 'expired')),
    created_ms      INTEGER NOT NULL,
    approved_ms     INTEGER,
    approved_date   INTEGER,
    finished_ms     INTEGER,
    reason_code     TEXT REFERENCES reason_codes(code),
    reason_text     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX withdrawals_status ON withdrawals(status, approved_date);

-- The maker-checker application of every kind (Fineract's command source): the stored command
-- is what approval executes and what the signatures cover.
CREATE TABLE applications (
    id                  INTEGER PRIMARY KEY,
    kind                TEXT NOT NULL CHECK (kind IN ('refund', 'refund_batch', 'fast_refund',
                            'fast_refund_batch', 'transfer', 'transfer_batch', 'withdrawal',
                            'bank_account')),
    ref_table           TEXT NOT NULL,
    ref_id              INTEGER NOT NULL,
    merchant_id         INTEGER NOT NULL REFERENCES merchants(id),
    order_no            TEXT NOT NULL,
    amount_fen          INTEGER NOT NULL CHECK (amount_fen >= 0),
    fee_fen             INTEGER NOT NULL DEFAULT 0 CHECK (fee_fen >= 0),
    payee_display       TEXT NOT NULL DEFAULT '',
    command             BLOB NOT NULL,
    remark              TEXT NOT NULL DEFAULT '',
    maker_id            INTEGER NOT NULL REFERENCES operators(id),
    made_ms             INTEGER NOT NULL,
    maker_approval_id   INTEGER REFERENCES approvals(id),
    checker_id          INTEGER REFERENCES operators(id),
    checked_ms          INTEGER,
    checker_approval_id INTEGER REFERENCES approvals(id),
    review_remark       TEXT,
    status              TEXT NOT NULL CHECK (status IN ('pending_review', 'approved', 'rejected',
                            'cancelled', 'expired', 'auto_approved')),
    expires_ms          INTEGER NOT NULL,
    idempotency_key     TEXT NOT NULL UNIQUE,
    self_approved       INTEGER NOT NULL DEFAULT 0 CHECK (self_approved IN (0, 1)),
    CHECK (checker_id IS NULL OR checker_id <> maker_id OR self_approved = 1),
    UNIQUE (ref_table, ref_id)
) STRICT;
CREATE INDEX applications_pending ON applications(status, made_ms, id);
-- The inbox's counts read only this index (no row lookups).
CREATE INDEX applications_count ON applications(status, made_ms, kind, expires_ms, maker_id,
    merchant_id, amount_fen, fee_fen);
CREATE INDEX applications_maker ON applications(maker_id, made_ms);
CREATE INDEX applications_order ON applications(order_no);

CREATE TABLE application_events (
    id             INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES applications(id),
    at_ms          INTEGER NOT NULL,
    operator_id    INTEGER REFERENCES operators(id),
    event          TEXT NOT NULL CHECK (event IN ('applied', 'approved', 'rejected', 'cancelled',
                       'expired', 'processing', 'success', 'failed')),
    remark         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX application_events_app ON application_events(application_id, id);

-- What a pending (or approved but not yet paid) outgoing application keeps from the available
-- balance: 可用余额 = ledger balance - active holds. Posted when the ledger line is written,
-- released when the application ends unpaid; never both.
CREATE TABLE holds (
    id             INTEGER PRIMARY KEY,
    merchant_id    INTEGER NOT NULL REFERENCES merchants(id),
    application_id INTEGER NOT NULL UNIQUE REFERENCES applications(id),
    amount_fen     INTEGER NOT NULL CHECK (amount_fen > 0),
    created_ms     INTEGER NOT NULL,
    state          TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'posted', 'released')),
    released_ms    INTEGER,
    CHECK ((state = 'active') = (released_ms IS NULL))
) STRICT;
CREATE INDEX holds_active ON holds(merchant_id) WHERE state = 'active';

-- The inbox counts pending refund applications beside the others from this index alone.
CREATE INDEX refund_app_pending_count ON refund_applications(status, applied_ms, applicant_id,
    merchant_id, amount_fen);
