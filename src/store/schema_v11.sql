-- Version 11: fast refunds 快速退货 (spec/money-out.md §2, F1-F6, V §3.6): the per-store switch
-- standing for the merchant's agreement, one row per fast refund (single or batch line), its
-- event history (applied, exception with reason, resubmitted with old and new values, ...).
-- Portable: plain types; the card number is never stored, only the original's mask.

-- 商户同意快速退货协议: set by the administrator with the payment password, with time and who.
ALTER TABLE merchants ADD COLUMN fast_refund_enabled INTEGER NOT NULL DEFAULT 0
    CHECK (fast_refund_enabled IN (0, 1));
ALTER TABLE merchants ADD COLUMN fast_refund_enabled_ms INTEGER;
-- Who set it (an operator id; no foreign key, so that the column can be dropped again).
ALTER TABLE merchants ADD COLUMN fast_refund_enabled_by INTEGER;

CREATE TABLE fast_refunds (
    id              INTEGER PRIMARY KEY,
    order_no        TEXT NOT NULL UNIQUE CHECK (length(order_no) BETWEEN 1 AND 32),
    txn_id          INTEGER NOT NULL REFERENCES transactions(id),
    merchant_id     INTEGER NOT NULL REFERENCES merchants(id),
    terminal_id     INTEGER NOT NULL REFERENCES terminals(id),
    batch_no        TEXT,
    application_id  INTEGER NOT NULL REFERENCES applications(id),
    amount_fen      INTEGER NOT NULL CHECK (amount_fen > 0),
    card_masked     TEXT NOT NULL,
    bank_code       TEXT NOT NULL REFERENCES banks(code),
    holder_name     TEXT NOT NULL CHECK (length(holder_name) BETWEEN 1 AND 60),
    id_type         TEXT NOT NULL CHECK (id_type IN ('resident_id', 'passport', 'hk_macau',
                        'taiwan', 'other')),
    id_number       TEXT NOT NULL CHECK (length(id_number) BETWEEN 5 AND 30),
    city_id         INTEGER NOT NULL REFERENCES cities(id),
    branch          TEXT NOT NULL CHECK (length(branch) BETWEEN 2 AND 60),
    remark          TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL CHECK (status IN ('pending_review', 'processing', 'success',
                        'failed', 'exception', 'rejected', 'cancelled')),
    status_ms       INTEGER NOT NULL,
    applicant_id    INTEGER NOT NULL REFERENCES operators(id),
    applied_ms      INTEGER NOT NULL,
    apply_date      INTEGER NOT NULL,
    submissions     INTEGER NOT NULL DEFAULT 1 CHECK (submissions BETWEEN 1 AND 4),
    reason_code     TEXT REFERENCES reason_codes(code),
    reason_text     TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX fast_refunds_txn ON fast_refunds(txn_id, status, amount_fen);
CREATE INDEX fast_refunds_quota ON fast_refunds(merchant_id, apply_date, status, amount_fen);
CREATE INDEX fast_refunds_status ON fast_refunds(status, status_ms, id);
CREATE INDEX fast_refunds_app ON fast_refunds(application_id);

CREATE TABLE fast_refund_events (
    id             INTEGER PRIMARY KEY,
    fast_refund_id INTEGER NOT NULL REFERENCES fast_refunds(id),
    at_ms          INTEGER NOT NULL,
    operator_id    INTEGER REFERENCES operators(id),
    event          TEXT NOT NULL CHECK (event IN ('applied', 'approved', 'rejected', 'processing',
                       'success', 'failed', 'exception', 'resubmitted', 'cancelled')),
    reason_code    TEXT REFERENCES reason_codes(code),
    detail         TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX fast_refund_events_fr ON fast_refund_events(fast_refund_id, id);
