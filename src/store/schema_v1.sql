-- merchant-desk schema, version 1. Amounts are INTEGER fen; moments are unix milliseconds;
-- business dates are INTEGER YYYYMMDD in Asia/Shanghai time.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE card_orgs (
    code         TEXT PRIMARY KEY,
    name_zh      TEXT NOT NULL,
    name_en      TEXT NOT NULL,
    foreign_card INTEGER NOT NULL CHECK (foreign_card IN (0, 1))
) STRICT;

CREATE TABLE banks (
    code               TEXT PRIMARY KEY,
    name_zh            TEXT NOT NULL,
    name_en            TEXT NOT NULL,
    fast_refund_credit INTEGER NOT NULL CHECK (fast_refund_credit IN (0, 1)),
    fast_refund_debit  INTEGER NOT NULL CHECK (fast_refund_debit IN (0, 1))
) STRICT;

CREATE TABLE card_bins (
    bin       TEXT PRIMARY KEY CHECK (length(bin) = 6 AND bin NOT GLOB '*[^0-9]*'),
    bank_code TEXT NOT NULL REFERENCES banks(code),
    card_org  TEXT NOT NULL REFERENCES card_orgs(code),
    card_type TEXT NOT NULL CHECK (card_type IN ('debit', 'credit'))
) STRICT;

CREATE TABLE provinces (
    code    INTEGER PRIMARY KEY,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL
) STRICT;

CREATE TABLE cities (
    id            INTEGER PRIMARY KEY,
    province_code INTEGER NOT NULL REFERENCES provinces(code),
    name_zh       TEXT NOT NULL,
    name_en       TEXT NOT NULL,
    UNIQUE (province_code, name_zh)
) STRICT;

CREATE TABLE merchants (
    id                      INTEGER PRIMARY KEY,
    merchant_no             TEXT NOT NULL UNIQUE
                            CHECK (length(merchant_no) = 15 AND merchant_no NOT GLOB '*[^0-9]*'),
    name                    TEXT NOT NULL CHECK (length(trim(name)) > 0),
    name_en                 TEXT NOT NULL DEFAULT '',
    address                 TEXT NOT NULL DEFAULT '',
    refund_mode             TEXT NOT NULL DEFAULT 'direct' CHECK (refund_mode IN ('direct', 'review')),
    daily_refund_quota_fen  INTEGER NOT NULL DEFAULT 0 CHECK (daily_refund_quota_fen >= 0),
    created_ms              INTEGER NOT NULL
) STRICT;

-- Merchant discount rates as data: parts per million of the amount, optionally capped.
CREATE TABLE fee_rates (
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    card_class  TEXT NOT NULL CHECK (card_class IN ('debit', 'credit', 'foreign')),
    rate_ppm    INTEGER NOT NULL CHECK (rate_ppm BETWEEN 0 AND 1000000),
    cap_fen     INTEGER CHECK (cap_fen IS NULL OR cap_fen >= 0),
    PRIMARY KEY (merchant_id, card_class)
) STRICT, WITHOUT ROWID;

CREATE TABLE terminal_groups (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    created_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE terminals (
    id          INTEGER PRIMARY KEY,
    terminal_no TEXT NOT NULL UNIQUE
                CHECK (length(terminal_no) = 8 AND terminal_no NOT GLOB '*[^0-9A-Za-z]*'),
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    serial_no   TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    location    TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    group_id    INTEGER REFERENCES terminal_groups(id) ON DELETE SET NULL,
    created_ms  INTEGER NOT NULL
) STRICT;
CREATE INDEX terminals_group ON terminals(group_id);

CREATE TABLE roles (
    id         INTEGER PRIMARY KEY,
    code       TEXT UNIQUE,            -- set for the built-in roles
    name       TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    name_en    TEXT NOT NULL DEFAULT '',
    builtin    INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    created_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE role_functions (
    role_id  INTEGER NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    function TEXT NOT NULL CHECK (length(function) > 0),
    PRIMARY KEY (role_id, function)
) STRICT, WITHOUT ROWID;

CREATE TABLE operators (
    id                   INTEGER PRIMARY KEY,
    login                TEXT NOT NULL UNIQUE COLLATE NOCASE
                         CHECK (length(login) BETWEEN 1 AND 32 AND login NOT GLOB '*[^0-9A-Za-z_.-]*'),
    display_name         TEXT NOT NULL CHECK (length(trim(display_name)) > 0),
    password_hash        TEXT NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    pay_password_hash    TEXT CHECK (pay_password_hash IS NULL OR pay_password_hash LIKE '$argon2id$%'),
    status               TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    failed_logins        INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    first_failed_ms      INTEGER,
    locked_until_ms      INTEGER,
    all_groups           INTEGER NOT NULL DEFAULT 1 CHECK (all_groups IN (0, 1)),
    card_serial          TEXT UNIQUE,
    card_auth_pubkey     BLOB,
    card_sign_pubkey     BLOB,
    card_auth_fpr        TEXT,
    card_sign_fpr        TEXT,
    last_login_ms        INTEGER,
    created_ms           INTEGER NOT NULL
) STRICT;

CREATE TABLE operator_roles (
    operator_id INTEGER NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
    role_id     INTEGER NOT NULL REFERENCES roles(id),
    PRIMARY KEY (operator_id, role_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX operator_roles_role ON operator_roles(role_id);

-- The terminal groups an operator is limited to when operators.all_groups = 0.
CREATE TABLE operator_groups (
    operator_id INTEGER NOT NULL REFERENCES operators(id) ON DELETE CASCADE,
    group_id    INTEGER NOT NULL REFERENCES terminal_groups(id) ON DELETE CASCADE,
    PRIMARY KEY (operator_id, group_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE settlements (
    id          INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    settle_date INTEGER NOT NULL CHECK (settle_date BETWEEN 19700101 AND 99991231),
    txn_count   INTEGER NOT NULL CHECK (txn_count >= 0),
    trade_fen   INTEGER NOT NULL,
    fee_fen     INTEGER NOT NULL,
    refund_fen  INTEGER NOT NULL CHECK (refund_fen >= 0),
    net_fen     INTEGER NOT NULL CHECK (net_fen = trade_fen - fee_fen - refund_fen),
    status      TEXT NOT NULL CHECK (status IN ('settled', 'paid')),
    created_ms  INTEGER NOT NULL,
    UNIQUE (merchant_id, settle_date)
) STRICT;
CREATE INDEX settlements_date ON settlements(settle_date);

CREATE TABLE transactions (
    id            INTEGER PRIMARY KEY,
    rrn           TEXT NOT NULL UNIQUE CHECK (length(rrn) = 12 AND rrn NOT GLOB '*[^0-9]*'),
    voucher_no    TEXT NOT NULL CHECK (length(voucher_no) = 6),
    batch_no      TEXT NOT NULL CHECK (length(batch_no) = 6),
    merchant_id   INTEGER NOT NULL REFERENCES merchants(id),
    terminal_id   INTEGER NOT NULL REFERENCES terminals(id),
    txn_ms        INTEGER NOT NULL,
    trade_date    INTEGER NOT NULL CHECK (trade_date BETWEEN 19700101 AND 99991231),
    txn_type      TEXT NOT NULL CHECK (txn_type IN ('sale', 'void', 'refund', 'completion')),
    status        TEXT NOT NULL CHECK (status IN ('success', 'failed', 'voided', 'reversed')),
    amount_fen    INTEGER NOT NULL CHECK (amount_fen > 0),
    fee_fen       INTEGER NOT NULL DEFAULT 0,
    card_masked   TEXT NOT NULL CHECK (length(card_masked) BETWEEN 16 AND 19 AND card_masked GLOB '[0-9][0-9][0-9][0-9][0-9][0-9]*[*][0-9][0-9][0-9][0-9]'),
    card_last4    TEXT NOT NULL CHECK (card_last4 = substr(card_masked, -4)),
    card_org      TEXT NOT NULL REFERENCES card_orgs(code),
    card_type     TEXT NOT NULL CHECK (card_type IN ('debit', 'credit')),
    bank_code     TEXT NOT NULL REFERENCES banks(code),
    auth_code     TEXT NOT NULL DEFAULT '',
    pos_operator  TEXT NOT NULL DEFAULT '01',
    order_no      TEXT,
    orig_txn_id   INTEGER REFERENCES transactions(id),
    settle_date   INTEGER,
    settlement_id INTEGER REFERENCES settlements(id),
    refunded_fen  INTEGER NOT NULL DEFAULT 0 CHECK (refunded_fen >= 0 AND refunded_fen <= amount_fen)
) STRICT;
-- Newest first is (txn_ms DESC, id DESC); each index ends in the rowid, so keyset paging on
-- (txn_ms, id) walks the index without sorting.
CREATE INDEX txn_time ON transactions(txn_ms);
CREATE INDEX txn_terminal_time ON transactions(terminal_id, txn_ms);
CREATE INDEX txn_merchant_time ON transactions(merchant_id, txn_ms);
CREATE INDEX txn_settlement ON transactions(settlement_id);
CREATE INDEX txn_settle_date ON transactions(settle_date, merchant_id);
CREATE INDEX txn_order_no ON transactions(order_no) WHERE order_no IS NOT NULL;

CREATE TABLE approvals (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    operator_id INTEGER NOT NULL REFERENCES operators(id),
    payload     BLOB NOT NULL,
    digest      BLOB NOT NULL CHECK (length(digest) = 32),
    signature   BLOB,
    key_fpr     TEXT,
    created_ms  INTEGER NOT NULL
) STRICT;

CREATE TABLE refund_batches (
    id          INTEGER PRIMARY KEY,
    batch_no    TEXT NOT NULL UNIQUE CHECK (length(batch_no) BETWEEN 1 AND 32),
    file_name   TEXT NOT NULL,
    row_count   INTEGER NOT NULL CHECK (row_count BETWEEN 1 AND 999),
    total_fen   INTEGER NOT NULL CHECK (total_fen > 0),
    operator_id INTEGER NOT NULL REFERENCES operators(id),
    created_ms  INTEGER NOT NULL
) STRICT;

CREATE TABLE refund_applications (
    id              INTEGER PRIMARY KEY,
    txn_id          INTEGER NOT NULL REFERENCES transactions(id),
    merchant_id     INTEGER NOT NULL REFERENCES merchants(id),
    terminal_id     INTEGER NOT NULL REFERENCES terminals(id),
    amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),
    remark          TEXT NOT NULL DEFAULT '',
    refund_order_no TEXT UNIQUE,
    batch_id        INTEGER REFERENCES refund_batches(id),
    status          TEXT NOT NULL CHECK (status IN ('pending_review', 'rejected', 'submitted', 'pending_clearing', 'completed')),
    applicant_id    INTEGER NOT NULL REFERENCES operators(id),
    applied_ms      INTEGER NOT NULL,
    apply_date      INTEGER NOT NULL,
    reviewer_id     INTEGER REFERENCES operators(id),
    reviewed_ms     INTEGER,
    review_remark   TEXT,
    approval_id     INTEGER REFERENCES approvals(id),
    cleared_ms      INTEGER,
    cleared_date    INTEGER,
    CHECK (reviewer_id IS NULL OR reviewer_id <> applicant_id)
) STRICT;
CREATE INDEX refund_app_status ON refund_applications(status, applied_ms);
CREATE INDEX refund_app_txn ON refund_applications(txn_id);
CREATE INDEX refund_app_date ON refund_applications(merchant_id, apply_date);

CREATE TABLE ledger_lines (
    id          INTEGER PRIMARY KEY,
    merchant_id INTEGER NOT NULL REFERENCES merchants(id),
    line_ms     INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('settlement', 'refund', 'transfer', 'withdrawal', 'topup', 'fee')),
    amount_fen  INTEGER NOT NULL CHECK (amount_fen <> 0),
    balance_fen INTEGER NOT NULL,
    ref_table   TEXT,
    ref_id      INTEGER,
    memo        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX ledger_merchant ON ledger_lines(merchant_id, id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at_ms       INTEGER NOT NULL,
    operator_id INTEGER,
    operator    TEXT NOT NULL,
    workstation TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL DEFAULT '',
    before      TEXT NOT NULL DEFAULT '',
    after       TEXT NOT NULL DEFAULT '',
    prev_hash   BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash        BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;
CREATE INDEX audit_time ON audit_log(at_ms);
