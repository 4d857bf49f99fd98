-- Version 3: the history of each refund application (applied, reviewed, submitted, cleared),
-- with who and when.

CREATE TABLE refund_events (
    id          INTEGER PRIMARY KEY,
    refund_id   INTEGER NOT NULL REFERENCES refund_applications(id),
    at_ms       INTEGER NOT NULL,
    operator_id INTEGER REFERENCES operators(id),
    event       TEXT NOT NULL CHECK (event IN ('applied', 'approved', 'rejected', 'submitted',
                                              'pending_clearing', 'cleared')),
    status      TEXT NOT NULL,
    remark      TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX refund_events_refund ON refund_events(refund_id, id);
CREATE INDEX refund_app_applied ON refund_applications(applied_ms);
