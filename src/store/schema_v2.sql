-- Version 2: daily rollups of transactions kept by triggers (in the same transaction as the rows
-- they sum), and the downloads list of background exports.

CREATE TABLE txn_daily (
    trade_date  INTEGER NOT NULL,
    settle_date INTEGER NOT NULL,           -- 0 while not settled
    merchant_id INTEGER NOT NULL,
    terminal_id INTEGER NOT NULL,
    txn_type    TEXT NOT NULL,
    status      TEXT NOT NULL,
    card_org    TEXT NOT NULL,
    card_type   TEXT NOT NULL,
    txn_count   INTEGER NOT NULL,
    amount_fen  INTEGER NOT NULL,
    fee_fen     INTEGER NOT NULL,
    PRIMARY KEY (trade_date, settle_date, merchant_id, terminal_id, txn_type, status, card_org, card_type)
) STRICT, WITHOUT ROWID;
CREATE INDEX txn_daily_settle ON txn_daily(settle_date);

INSERT INTO txn_daily
SELECT trade_date, coalesce(settle_date, 0), merchant_id, terminal_id, txn_type, status, card_org,
       card_type, count(*), sum(amount_fen), sum(fee_fen)
FROM transactions GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;

CREATE TRIGGER txn_daily_insert AFTER INSERT ON transactions BEGIN
    INSERT INTO txn_daily VALUES (NEW.trade_date, coalesce(NEW.settle_date, 0), NEW.merchant_id,
        NEW.terminal_id, NEW.txn_type, NEW.status, NEW.card_org, NEW.card_type, 1, NEW.amount_fen,
        NEW.fee_fen)
    ON CONFLICT DO UPDATE SET txn_count = txn_count + 1,
        amount_fen = amount_fen + excluded.amount_fen, fee_fen = fee_fen + excluded.fee_fen;
END;

CREATE TRIGGER txn_daily_update AFTER UPDATE OF trade_date, settle_date, merchant_id, terminal_id,
    txn_type, status, card_org, card_type, amount_fen, fee_fen ON transactions BEGIN
    UPDATE txn_daily SET txn_count = txn_count - 1, amount_fen = amount_fen - OLD.amount_fen,
        fee_fen = fee_fen - OLD.fee_fen
    WHERE trade_date = OLD.trade_date AND settle_date = coalesce(OLD.settle_date, 0)
        AND merchant_id = OLD.merchant_id AND terminal_id = OLD.terminal_id
        AND txn_type = OLD.txn_type AND status = OLD.status AND card_org = OLD.card_org
        AND card_type = OLD.card_type;
    INSERT INTO txn_daily VALUES (NEW.trade_date, coalesce(NEW.settle_date, 0), NEW.merchant_id,
        NEW.terminal_id, NEW.txn_type, NEW.status, NEW.card_org, NEW.card_type, 1, NEW.amount_fen,
        NEW.fee_fen)
    ON CONFLICT DO UPDATE SET txn_count = txn_count + 1,
        amount_fen = amount_fen + excluded.amount_fen, fee_fen = fee_fen + excluded.fee_fen;
END;

CREATE TRIGGER txn_daily_delete AFTER DELETE ON transactions BEGIN
    UPDATE txn_daily SET txn_count = txn_count - 1, amount_fen = amount_fen - OLD.amount_fen,
        fee_fen = fee_fen - OLD.fee_fen
    WHERE trade_date = OLD.trade_date AND settle_date = coalesce(OLD.settle_date, 0)
        AND merchant_id = OLD.merchant_id AND terminal_id = OLD.terminal_id
        AND txn_type = OLD.txn_type AND status = OLD.status AND card_org = OLD.card_org
        AND card_type = OLD.card_type;
END;

CREATE TABLE downloads (
    id          INTEGER PRIMARY KEY,
    operator_id INTEGER NOT NULL REFERENCES operators(id),
    title       TEXT NOT NULL,
    path        TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed', 'cancelled')),
    row_count   INTEGER NOT NULL DEFAULT 0,
    message     TEXT NOT NULL DEFAULT '',
    started_ms  INTEGER NOT NULL,
    finished_ms INTEGER
) STRICT;
CREATE INDEX downloads_operator ON downloads(operator_id, id);
