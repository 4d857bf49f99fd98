-- Version 10: reconciliation against the acquirer's files (对账, spec/money-out.md §7, Y7).
-- A file is kept by its SHA-256 (the same file twice is refused); each of its merchants gets a
-- run for the clearing date (a re-import supersedes the active run and carries resolutions);
-- every row of the file is kept with the transaction it matched and the pass that matched it;
-- every difference is an exception, resolved with a remark. Nothing here moves money.
-- Portable: plain types; the partial unique index works on PostgreSQL as it is.

CREATE TABLE recon_files (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    file_name   TEXT NOT NULL,
    profile     TEXT NOT NULL,
    recon_date  INTEGER NOT NULL CHECK (recon_date BETWEEN 19700101 AND 99991231),
    size_bytes  INTEGER NOT NULL CHECK (size_bytes >= 0),
    row_count   INTEGER NOT NULL CHECK (row_count >= 0),
    imported_by INTEGER NOT NULL REFERENCES operators(id),
    imported_ms INTEGER NOT NULL
) STRICT;

CREATE TABLE recon_runs (
    id                 INTEGER PRIMARY KEY,
    file_id            INTEGER NOT NULL REFERENCES recon_files(id),
    merchant_id        INTEGER NOT NULL REFERENCES merchants(id),
    recon_date         INTEGER NOT NULL CHECK (recon_date BETWEEN 19700101 AND 99991231),
    status             TEXT NOT NULL CHECK (status IN ('active', 'superseded')),
    supersedes         INTEGER REFERENCES recon_runs(id),
    file_rows          INTEGER NOT NULL CHECK (file_rows >= 0),
    local_rows         INTEGER NOT NULL CHECK (local_rows >= 0),
    matched_rows       INTEGER NOT NULL CHECK (matched_rows >= 0),
    file_amount_fen    INTEGER NOT NULL,
    file_fee_fen       INTEGER NOT NULL,
    local_amount_fen   INTEGER NOT NULL,
    local_fee_fen      INTEGER NOT NULL,
    matched_net_fen    INTEGER NOT NULL,
    settlement_net_fen INTEGER,
    created_ms         INTEGER NOT NULL,
    CHECK (supersedes IS NULL OR supersedes < id)
) STRICT;
CREATE UNIQUE INDEX recon_runs_active ON recon_runs(merchant_id, recon_date) WHERE status = 'active';
CREATE INDEX recon_runs_list ON recon_runs(recon_date, id);

-- The file's rows as read; the parsed fields are NULL for an unreadable row (its raw line and
-- reason are kept). `txn_id` is the local transaction it matched, `pass` how.
CREATE TABLE recon_rows (
    id          INTEGER PRIMARY KEY,
    run_id      INTEGER NOT NULL REFERENCES recon_runs(id),
    line_no     INTEGER NOT NULL,
    raw         TEXT NOT NULL,
    terminal_no TEXT,
    batch_no    TEXT,
    voucher_no  TEXT,
    rrn         TEXT,
    order_no    TEXT,
    trade_date  INTEGER,
    trade_time  INTEGER,
    txn_type    TEXT CHECK (txn_type IS NULL OR txn_type IN ('sale', 'void', 'refund', 'completion')),
    status      TEXT CHECK (status IS NULL OR status IN ('success', 'failed', 'voided', 'reversed')),
    amount_fen  INTEGER CHECK (amount_fen IS NULL OR amount_fen > 0),
    fee_fen     INTEGER,
    card_masked TEXT,
    txn_id      INTEGER REFERENCES transactions(id),
    pass        TEXT CHECK (pass IS NULL OR pass IN ('rrn', 'order_no', 'terminal_batch_voucher',
                    'terminal_voucher_date', 'terminal_voucher_amount', 'manual')),
    CHECK ((txn_id IS NULL) = (pass IS NULL))
) STRICT;
CREATE INDEX recon_rows_run ON recon_rows(run_id, line_no);
CREATE INDEX recon_rows_txn ON recon_rows(txn_id) WHERE txn_id IS NOT NULL;

CREATE TABLE recon_exceptions (
    id               INTEGER PRIMARY KEY,
    run_id           INTEGER NOT NULL REFERENCES recon_runs(id),
    category         TEXT NOT NULL CHECK (category IN ('missing_local', 'missing_acquirer',
                         'expected_next_day', 'amount_diff', 'fee_diff', 'status_diff',
                         'type_diff', 'date_diff', 'card_diff', 'duplicate', 'unparseable')),
    row_id           INTEGER REFERENCES recon_rows(id),
    txn_id           INTEGER REFERENCES transactions(id),
    suggested_txn_id INTEGER REFERENCES transactions(id),
    match_key        TEXT NOT NULL,
    file_fen         INTEGER,
    local_fen        INTEGER,
    file_value       TEXT NOT NULL DEFAULT '',
    local_value      TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('open', 'resolved')),
    resolution       TEXT CHECK (resolution IS NULL OR resolution IN ('adjusted',
                         'accepted_difference', 'ignored', 'matched_by_hand', 'resolved_next_day')),
    remark           TEXT NOT NULL DEFAULT '',
    resolved_by      INTEGER REFERENCES operators(id),
    resolved_ms      INTEGER,
    carried_from     INTEGER REFERENCES recon_exceptions(id),
    CHECK (row_id IS NOT NULL OR txn_id IS NOT NULL),
    CHECK ((status = 'open' AND resolution IS NULL AND resolved_ms IS NULL)
        OR (status = 'resolved' AND resolution IS NOT NULL AND resolved_ms IS NOT NULL
            AND length(trim(remark)) > 0))
) STRICT;
CREATE INDEX recon_exceptions_run ON recon_exceptions(run_id, status, category);
CREATE INDEX recon_exceptions_txn ON recon_exceptions(txn_id) WHERE txn_id IS NOT NULL;
