//! Read-only queries of the invariant check (`merchant-desk check`): the raw rows and sums the
//! service compares. Nothing here writes.

use super::Db;
use crate::store::sql::{params, Row};
use crate::store::SqlResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerLine {
    pub id: i64,
    pub merchant_id: i64,
    pub kind: String,
    pub amount_fen: i64,
    pub balance_fen: i64,
    pub ref_table: Option<String>,
    pub ref_id: Option<i64>,
}

/// Every ledger line, by merchant and then in the order they were written.
pub fn ledger_lines(conn: &Db) -> SqlResult<Vec<LedgerLine>> {
    let mut st = conn.prepare(
        "SELECT id, merchant_id, kind, amount_fen, balance_fen, ref_table, ref_id
         FROM ledger_lines ORDER BY merchant_id, id",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok(LedgerLine {
                id: r.get(0)?,
                merchant_id: r.get(1)?,
                kind: r.get(2)?,
                amount_fen: r.get(3)?,
                balance_fen: r.get(4)?,
                ref_table: r.get(5)?,
                ref_id: r.get(6)?,
            })
        })?
        .collect();
    v
}

/// A settlement and what its linked transactions add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementSums {
    pub id: i64,
    pub merchant_id: i64,
    pub settle_date: i32,
    pub txn_count: i64,
    pub trade_fen: i64,
    pub fee_fen: i64,
    pub refund_fen: i64,
    pub net_fen: i64,
    /// From the transactions linked to it.
    pub linked_count: i64,
    pub linked_trade_fen: i64,
    pub linked_fee_fen: i64,
    pub linked_pos_refund_fen: i64,
    /// Refund applications cleared for its merchant on its date.
    pub cleared_fen: i64,
}

pub fn settlements(conn: &Db) -> SqlResult<Vec<SettlementSums>> {
    let mut st = conn.prepare(
        "WITH linked AS (
            SELECT settlement_id, count(*) AS n,
                coalesce(sum(CASE WHEN status = 'success' AND txn_type IN ('sale', 'completion')
                    THEN amount_fen END), 0) AS trade,
                coalesce(sum(CASE WHEN status = 'success' AND txn_type IN ('sale', 'completion')
                    THEN fee_fen END), 0) AS fee,
                coalesce(sum(CASE WHEN status = 'success' AND txn_type = 'refund'
                    THEN amount_fen END), 0) AS pos_refund
            FROM transactions WHERE settlement_id IS NOT NULL GROUP BY settlement_id),
         cleared AS (
            SELECT merchant_id, cleared_date, sum(amount_fen) AS fen FROM refund_applications
            WHERE status = 'completed' GROUP BY merchant_id, cleared_date)
         SELECT s.id, s.merchant_id, s.settle_date, s.txn_count, s.trade_fen, s.fee_fen,
            s.refund_fen, s.net_fen, coalesce(l.n, 0), coalesce(l.trade, 0), coalesce(l.fee, 0),
            coalesce(l.pos_refund, 0), coalesce(c.fen, 0)
         FROM settlements s
         LEFT JOIN linked l ON l.settlement_id = s.id
         LEFT JOIN cleared c ON c.merchant_id = s.merchant_id AND c.cleared_date = s.settle_date
         ORDER BY s.merchant_id, s.settle_date",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok(SettlementSums {
                id: r.get(0)?,
                merchant_id: r.get(1)?,
                settle_date: r.get(2)?,
                txn_count: r.get(3)?,
                trade_fen: r.get(4)?,
                fee_fen: r.get(5)?,
                refund_fen: r.get(6)?,
                net_fen: r.get(7)?,
                linked_count: r.get(8)?,
                linked_trade_fen: r.get(9)?,
                linked_fee_fen: r.get(10)?,
                linked_pos_refund_fen: r.get(11)?,
                cleared_fen: r.get(12)?,
            })
        })?
        .collect();
    v
}

/// Settlements dated after the business day (UTC+8) of the run that wrote them: (id, merchant,
/// settlement date, the run's business day), at most 100.
pub fn settlements_after_their_run(conn: &Db) -> SqlResult<Vec<(i64, i64, i32, i32)>> {
    // The business day is reckoned here, not in SQL: the two backends' date functions differ,
    // and a settlement row is one per store and day (thousands, not millions).
    let mut st = conn
        .prepare("SELECT id, merchant_id, settle_date, created_ms FROM settlements ORDER BY id")?;
    let mut out = Vec::new();
    for row in st.query_map(params![], |r| {
        Ok((
            r.get::<i64>(0)?,
            r.get::<i64>(1)?,
            r.get::<i32>(2)?,
            r.get::<i64>(3)?,
        ))
    })? {
        let (id, merchant, settle_date, created_ms) = row?;
        let run_day = crate::clock::ymd(crate::clock::date_of_ms(created_ms));
        if settle_date > run_day {
            out.push((id, merchant, settle_date, run_day));
            if out.len() == 100 {
                break;
            }
        }
    }
    Ok(out)
}

/// Voided sales that still carry a fee: (id, reference number, fee), at most 100.
pub fn voided_with_fee(conn: &Db) -> SqlResult<Vec<(i64, String, i64)>> {
    let mut st = conn.prepare(
        "SELECT id, rrn, fee_fen FROM transactions WHERE status = 'voided' AND fee_fen <> 0
         ORDER BY id LIMIT 100",
    )?;
    let v = st
        .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect();
    v
}

/// Completed refund applications whose (merchant, clearing date) has no settlement.
pub fn cleared_without_settlement(conn: &Db) -> SqlResult<Vec<(i64, i64, i32)>> {
    let mut st = conn.prepare(
        "SELECT r.id, r.merchant_id, coalesce(r.cleared_date, 0) FROM refund_applications r
         WHERE r.status = 'completed' AND NOT EXISTS (SELECT 1 FROM settlements s
            WHERE s.merchant_id = r.merchant_id AND s.settle_date = r.cleared_date)
         ORDER BY r.id LIMIT 100",
    )?;
    let v = st
        .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect();
    v
}

/// A transaction whose refunds do not add up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundedTxn {
    pub id: i64,
    pub rrn: String,
    pub amount_fen: i64,
    pub refunded_fen: i64,
    /// Completed refund applications.
    pub completed_fen: i64,
    /// Applications still on their way (pending review, submitted, pending clearing).
    pub open_fen: i64,
    /// Successful refunds made at the POS against it.
    pub pos_refund_fen: i64,
}

/// Transactions refunded beyond their amount (counting open applications), or whose
/// `refunded_fen` differs from what completed applications and POS refunds add up to. At most
/// `limit` rows, and how many there are in all.
pub fn refund_breaches(conn: &Db, limit: usize) -> SqlResult<(Vec<RefundedTxn>, i64)> {
    let sql = "WITH apps AS (
            SELECT txn_id,
                coalesce(sum(CASE WHEN status = 'completed' THEN amount_fen END), 0) AS done,
                coalesce(sum(CASE WHEN status IN ('pending_review', 'submitted',
                    'pending_clearing') THEN amount_fen END), 0) AS open
            FROM refund_applications GROUP BY txn_id),
         pos AS (
            SELECT orig_txn_id, sum(amount_fen) AS fen FROM transactions
            WHERE txn_type = 'refund' AND status = 'success' AND orig_txn_id IS NOT NULL
            GROUP BY orig_txn_id),
         touched AS (
            SELECT id FROM transactions WHERE refunded_fen <> 0
            UNION SELECT txn_id FROM apps UNION SELECT orig_txn_id FROM pos),
         sums AS (
            SELECT t.id, t.rrn, t.amount_fen, t.refunded_fen, coalesce(a.done, 0) AS done,
                coalesce(a.open, 0) AS open, coalesce(p.fen, 0) AS pos
            FROM touched x JOIN transactions t ON t.id = x.id
            LEFT JOIN apps a ON a.txn_id = t.id LEFT JOIN pos p ON p.orig_txn_id = t.id)
         SELECT id, rrn, amount_fen, refunded_fen, done, open, pos, count(*) OVER ()
         FROM sums WHERE refunded_fen + open > amount_fen OR refunded_fen <> done + pos
         ORDER BY id LIMIT ?1";
    let mut st = conn.prepare(sql)?;
    let mut total = 0;
    let rows = st
        .query_map([limit as i64], |r: &Row| {
            Ok((
                RefundedTxn {
                    id: r.get(0)?,
                    rrn: r.get(1)?,
                    amount_fen: r.get(2)?,
                    refunded_fen: r.get(3)?,
                    completed_fen: r.get(4)?,
                    open_fen: r.get(5)?,
                    pos_refund_fen: r.get(6)?,
                },
                r.get::<i64>(7)?,
            ))
        })?
        .collect::<SqlResult<Vec<_>>>()?;
    let v = rows
        .into_iter()
        .map(|(t, n)| {
            total = n;
            t
        })
        .collect();
    Ok((v, total))
}

/// A refund application as the check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    pub id: i64,
    pub txn_id: i64,
    pub merchant_id: i64,
    pub amount_fen: i64,
    pub status: String,
    pub applicant_id: i64,
    pub reviewer_id: Option<i64>,
    pub approval_id: Option<i64>,
    pub cleared_date: Option<i32>,
    pub batch_id: Option<i64>,
    pub apply_date: i32,
}

pub fn applications(conn: &Db) -> SqlResult<Vec<Application>> {
    let mut st = conn.prepare(
        "SELECT id, txn_id, merchant_id, amount_fen, status, applicant_id, reviewer_id,
            approval_id, cleared_date, batch_id, apply_date
         FROM refund_applications ORDER BY id",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok(Application {
                id: r.get(0)?,
                txn_id: r.get(1)?,
                merchant_id: r.get(2)?,
                amount_fen: r.get(3)?,
                status: r.get(4)?,
                applicant_id: r.get(5)?,
                reviewer_id: r.get(6)?,
                approval_id: r.get(7)?,
                cleared_date: r.get(8)?,
                batch_id: r.get(9)?,
                apply_date: r.get(10)?,
            })
        })?
        .collect();
    v
}

/// (refund id, event, status, operator) of a refund event.
pub type EventLine = (i64, String, String, Option<i64>);

/// Every refund event, by application and in order.
pub fn refund_events(conn: &Db) -> SqlResult<Vec<EventLine>> {
    let mut st = conn.prepare(
        "SELECT refund_id, event, status, operator_id FROM refund_events ORDER BY refund_id, id",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect();
    v
}

/// (batch id, batch no, row count, total) of a batch, and (count, sum) of its applications.
pub type BatchLine = (i64, String, i64, i64, i64, i64);

/// Every refund batch and what its applications add up to.
pub fn batches(conn: &Db) -> SqlResult<Vec<BatchLine>> {
    let mut st = conn.prepare(
        "SELECT b.id, b.batch_no, b.row_count, b.total_fen,
            (SELECT count(*) FROM refund_applications r WHERE r.batch_id = b.id),
            (SELECT coalesce(sum(amount_fen), 0) FROM refund_applications r WHERE r.batch_id = b.id)
         FROM refund_batches b ORDER BY b.id",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?
        .collect();
    v
}

/// An audit row about refunds or refund settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditLine {
    pub id: i64,
    pub action: String,
    pub target: String,
    pub before: String,
    pub after: String,
}

/// The audit rows about refunds (`refund.*`) and merchants' refund settings, in chain order.
pub fn refund_audit(conn: &Db) -> SqlResult<Vec<AuditLine>> {
    let mut st = conn.prepare(
        "SELECT id, action, target, before, after FROM audit_log
         WHERE action LIKE 'refund.%' OR action = 'merchant.refund_settings' ORDER BY id",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok(AuditLine {
                id: r.get(0)?,
                action: r.get(1)?,
                target: r.get(2)?,
                before: r.get(3)?,
                after: r.get(4)?,
            })
        })?
        .collect();
    v
}

/// The rollup rows that differ from the raw aggregation of the transactions, both ways: rows
/// of `txn_daily` (other than emptied ones) that the raw sums lack, then raw sums that
/// `txn_daily` lacks. Each as a readable key; at most `limit` of each.
pub fn rollup_differences(conn: &Db, limit: usize) -> SqlResult<(Vec<String>, Vec<String>)> {
    const RAW: &str = "SELECT trade_date, coalesce(settle_date, 0), merchant_id, terminal_id,
            txn_type, status, card_org, card_type, count(*), sum(amount_fen), sum(fee_fen)
        FROM transactions GROUP BY 1, 2, 3, 4, 5, 6, 7, 8";
    const ROLLUP: &str = "SELECT trade_date, settle_date, merchant_id, terminal_id, txn_type,
            status, card_org, card_type, txn_count, amount_fen, fee_fen
        FROM txn_daily WHERE txn_count <> 0 OR amount_fen <> 0 OR fee_fen <> 0";
    let fmt = |r: &Row| -> SqlResult<String> {
        Ok(format!(
            "trade_date={} settle_date={} merchant={} terminal={} {} {} {} {}: count={} amount_fen={} fee_fen={}",
            r.get::<i64>(0)?,
            r.get::<i64>(1)?,
            r.get::<i64>(2)?,
            r.get::<i64>(3)?,
            r.get::<String>(4)?,
            r.get::<String>(5)?,
            r.get::<String>(6)?,
            r.get::<String>(7)?,
            r.get::<i64>(8)?,
            r.get::<i64>(9)?,
            r.get::<i64>(10)?,
        ))
    };
    let mut extra = conn.prepare(&format!("{ROLLUP} EXCEPT {RAW} LIMIT {limit}"))?;
    let extra: Vec<String> = extra.query_map(params![], fmt)?.collect::<SqlResult<_>>()?;
    let mut missing = conn.prepare(&format!("{RAW} EXCEPT {ROLLUP} LIMIT {limit}"))?;
    let missing: Vec<String> = missing
        .query_map(params![], fmt)?
        .collect::<SqlResult<_>>()?;
    Ok((extra, missing))
}

/// Every merchant id.
pub fn merchant_ids(conn: &Db) -> SqlResult<Vec<i64>> {
    let mut st = conn.prepare("SELECT id FROM merchants ORDER BY id")?;
    let v = st.query_map(params![], |r| r.get(0))?.collect();
    v
}
