-- Version 14: a second person for large ignores (spec/money-out.md §7.5). Resolving an
-- exception as 已忽略 when its difference is above the setting `recon_ignore_limit_fen`
-- (default ¥1,000) first records a proposal; the exception stays open until a different
-- operator with `reconcile_resolve` confirms it (then it is resolved as ignored, by the
-- confirmer) or rejects it. One pending proposal per exception at a time.
CREATE TABLE recon_ignore_proposals (
    id             INTEGER PRIMARY KEY,
    exception_id   INTEGER NOT NULL REFERENCES recon_exceptions(id),
    difference_fen INTEGER NOT NULL CHECK (difference_fen >= 0),
    remark         TEXT NOT NULL CHECK (length(trim(remark)) > 0),
    proposed_by    INTEGER NOT NULL REFERENCES operators(id),
    proposed_ms    INTEGER NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'rejected')),
    decided_by     INTEGER REFERENCES operators(id),
    decided_ms     INTEGER,
    CHECK ((status = 'pending' AND decided_by IS NULL AND decided_ms IS NULL)
        OR (status <> 'pending' AND decided_by IS NOT NULL AND decided_ms IS NOT NULL
            AND decided_by <> proposed_by))
) STRICT;
CREATE UNIQUE INDEX recon_ignore_pending ON recon_ignore_proposals(exception_id)
    WHERE status = 'pending';
CREATE INDEX recon_ignore_exception ON recon_ignore_proposals(exception_id, status);
