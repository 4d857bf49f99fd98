-- Version 4: the daily refund quota is checked before every application (and every row of a
-- batch); a covering index answers it from the index alone.

DROP INDEX refund_app_date;
CREATE INDEX refund_app_quota ON refund_applications(merchant_id, apply_date, status, amount_fen);
