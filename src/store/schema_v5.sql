-- A void cancels its sale's fee (the daily rollups follow by their trigger).
UPDATE transactions SET fee_fen = 0 WHERE status = 'voided' AND fee_fen <> 0;
