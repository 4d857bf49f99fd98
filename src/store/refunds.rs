//! Refund applications, their history, and the sums the refund rules need.

use super::{allowed, coded, Db};
use crate::domain::refund::RefundStatus;
use crate::store::sql::{params, params_from_iter, OptionalExtension, Row, Value};
use crate::store::SqlResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRow {
    pub id: i64,
    pub txn_id: i64,
    pub rrn: String,
    pub txn_amount_fen: i64,
    pub txn_ms: i64,
    pub card_masked: String,
    pub merchant_id: i64,
    pub merchant_name: String,
    pub terminal_no: String,
    pub amount_fen: i64,
    pub remark: String,
    pub refund_order_no: Option<String>,
    pub batch_id: Option<i64>,
    pub status: RefundStatus,
    pub applicant_id: i64,
    pub applicant: String,
    pub applied_ms: i64,
    pub reviewer: Option<String>,
    pub reviewed_ms: Option<i64>,
    pub review_remark: Option<String>,
    pub approval_id: Option<i64>,
    pub cleared_ms: Option<i64>,
}

const COLS: &str = "r.id, r.txn_id, t.rrn, t.amount_fen, t.txn_ms, t.card_masked, r.merchant_id,
    m.name, tm.terminal_no, r.amount_fen, r.remark, r.refund_order_no, r.batch_id, r.status,
    r.applicant_id, a.login, r.applied_ms, v.login, r.reviewed_ms, r.review_remark,
    r.approval_id, r.cleared_ms";

const JOINS: &str = "JOIN transactions t ON t.id = r.txn_id
    JOIN merchants m ON m.id = r.merchant_id
    JOIN terminals tm ON tm.id = r.terminal_id
    JOIN operators a ON a.id = r.applicant_id
    LEFT JOIN operators v ON v.id = r.reviewer_id";

fn row(r: &Row) -> SqlResult<RefundRow> {
    Ok(RefundRow {
        id: r.get(0)?,
        txn_id: r.get(1)?,
        rrn: r.get(2)?,
        txn_amount_fen: r.get(3)?,
        txn_ms: r.get(4)?,
        card_masked: r.get(5)?,
        merchant_id: r.get(6)?,
        merchant_name: r.get(7)?,
        terminal_no: r.get(8)?,
        amount_fen: r.get(9)?,
        remark: r.get(10)?,
        refund_order_no: r.get(11)?,
        batch_id: r.get(12)?,
        status: coded(r, 13)?,
        applicant_id: r.get(14)?,
        applicant: r.get(15)?,
        applied_ms: r.get(16)?,
        reviewer: r.get(17)?,
        reviewed_ms: r.get(18)?,
        review_remark: r.get(19)?,
        approval_id: r.get(20)?,
        cleared_ms: r.get(21)?,
    })
}

/// What the refund query asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefundFilter {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub statuses: Vec<RefundStatus>,
    pub terminal_no: Option<String>,
    pub applicant: Option<String>,
    pub rrn: Option<String>,
    pub merchant_id: Option<i64>,
    pub group_scope: Option<Vec<i64>>,
}

pub fn query(conn: &Db, f: &RefundFilter, limit: usize) -> SqlResult<Vec<RefundRow>> {
    let mut conds = vec!["1 = 1".to_string()];
    let mut args: Vec<Value> = Vec::new();
    if let Some(v) = f.from_ms {
        conds.push("r.applied_ms >= ?".into());
        args.push(v.into());
    }
    if let Some(v) = f.to_ms {
        conds.push("r.applied_ms < ?".into());
        args.push(v.into());
    }
    if !f.statuses.is_empty() {
        conds.push(format!(
            "r.status IN ({})",
            super::placeholders(f.statuses.len())
        ));
        args.extend(f.statuses.iter().map(|s| Value::from(s.code().to_string())));
    }
    if let Some(v) = &f.terminal_no {
        conds.push("tm.terminal_no = ?".into());
        args.push(v.clone().into());
    }
    if let Some(v) = &f.applicant {
        conds.push("lower(a.login) = lower(?)".into());
        args.push(v.clone().into());
    }
    if let Some(v) = &f.rrn {
        conds.push("t.rrn = ?".into());
        args.push(v.clone().into());
    }
    if let Some(v) = f.merchant_id {
        conds.push("r.merchant_id = ?".into());
        args.push(v.into());
    }
    if let Some(groups) = &f.group_scope {
        conds.push(format!(
            "tm.group_id IN ({})",
            super::placeholders(groups.len())
        ));
        args.extend(groups.iter().map(|g| Value::from(*g)));
    }
    let sql = format!(
        "SELECT {COLS} FROM refund_applications r {JOINS} WHERE {}
         ORDER BY r.applied_ms DESC, r.id DESC LIMIT {limit}",
        conds.join(" AND ")
    );
    let mut st = conn.prepare(&sql)?;
    let v = st.query_map(params_from_iter(args), row)?.collect();
    v
}

pub fn by_id(conn: &Db, id: i64) -> SqlResult<Option<RefundRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLS} FROM refund_applications r {JOINS} WHERE r.id = ?1"
    ))?
    .query_row([id], row)
    .optional()
}

/// Refunds of a transaction still on their way: applied, approved or waiting for clearing,
/// plus every fast refund in a money-holding status (F6: one refundable amount for both kinds).
/// (Completed ordinary ones are in the transaction's `refunded_fen` already.)
pub fn open_for_txn(conn: &Db, txn_id: i64) -> SqlResult<i64> {
    conn.prepare_cached(
        "SELECT coalesce((SELECT sum(amount_fen) FROM refund_applications
             WHERE txn_id = ?1 AND status IN ('pending_review', 'submitted', 'pending_clearing')), 0)
          + coalesce((SELECT sum(amount_fen) FROM fast_refunds
             WHERE txn_id = ?1 AND status IN ('pending_review', 'processing', 'success',
                 'exception')), 0)",
    )?
    .query_row([txn_id], |r| r.get(0))
}

/// Refunds applied for on a day by a merchant that count against its daily quota: ordinary
/// ones not rejected and fast ones not rejected, failed or cancelled (F6: one quota).
pub fn held_for_day(conn: &Db, merchant_id: i64, apply_date: i32) -> SqlResult<i64> {
    conn.prepare_cached(
        "SELECT coalesce((SELECT sum(amount_fen) FROM refund_applications
             WHERE merchant_id = ?1 AND apply_date = ?2 AND status <> 'rejected'), 0)
          + coalesce((SELECT sum(amount_fen) FROM fast_refunds
             WHERE merchant_id = ?1 AND apply_date = ?2
               AND status NOT IN ('rejected', 'failed', 'cancelled')), 0)",
    )?
    .query_row(params![merchant_id, apply_date], |r| r.get(0))
}

pub struct NewRefund<'a> {
    pub txn_id: i64,
    pub merchant_id: i64,
    pub terminal_id: i64,
    pub amount_fen: i64,
    pub remark: &'a str,
    pub refund_order_no: Option<&'a str>,
    pub batch_id: Option<i64>,
    pub status: RefundStatus,
    pub applicant_id: i64,
    pub applied_ms: i64,
    pub apply_date: i32,
}

pub fn insert(conn: &Db, r: &NewRefund) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO refund_applications (txn_id, merchant_id, terminal_id, amount_fen, remark,
            refund_order_no, batch_id, status, applicant_id, applied_ms, apply_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        r.txn_id,
        r.merchant_id,
        r.terminal_id,
        r.amount_fen,
        r.remark,
        r.refund_order_no,
        r.batch_id,
        r.status.code(),
        r.applicant_id,
        r.applied_ms,
        r.apply_date
    ])?;
    conn.last_insert_rowid()
}

/// Records a review decision if the application is still pending; returns false when someone
/// else decided first.
pub fn decide(
    conn: &Db,
    id: i64,
    new_status: RefundStatus,
    reviewer_id: i64,
    at_ms: i64,
    remark: &str,
    approval_id: Option<i64>,
) -> SqlResult<bool> {
    allowed(RefundStatus::PendingReview, new_status)?;
    let n = conn
        .prepare_cached(
            "UPDATE refund_applications SET status = ?2, reviewer_id = ?3, reviewed_ms = ?4,
            review_remark = ?5, approval_id = ?6
         WHERE id = ?1 AND status = 'pending_review'",
        )?
        .execute(params![
            id,
            new_status.code(),
            reviewer_id,
            at_ms,
            remark,
            approval_id
        ])?;
    Ok(n == 1)
}

/// Moves an application from one status to another; false when it was not in `from`.
pub fn transition(
    conn: &Db,
    id: i64,
    from: RefundStatus,
    to: RefundStatus,
    at_ms: i64,
    cleared_date: Option<i32>,
) -> SqlResult<bool> {
    allowed(from, to)?;
    let n = conn
        .prepare_cached(
            "UPDATE refund_applications SET status = ?3,
            cleared_ms = CASE WHEN ?3 = 'completed' THEN ?4 ELSE cleared_ms END,
            cleared_date = CASE WHEN ?3 = 'completed' THEN ?5 ELSE cleared_date END
         WHERE id = ?1 AND status = ?2",
        )?
        .execute(params![id, from.code(), to.code(), at_ms, cleared_date])?;
    Ok(n == 1)
}

pub fn add_event(
    conn: &Db,
    refund_id: i64,
    at_ms: i64,
    operator_id: Option<i64>,
    event: &str,
    status: RefundStatus,
    remark: &str,
) -> SqlResult<()> {
    conn.prepare_cached(
        "INSERT INTO refund_events (refund_id, at_ms, operator_id, event, status, remark)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        refund_id,
        at_ms,
        operator_id,
        event,
        status.code(),
        remark
    ])?;
    Ok(())
}

/// (time, operator login, event, status, remark) of an application, oldest first.
pub type RefundEvent = (i64, Option<String>, String, String, String);

pub fn events(conn: &Db, refund_id: i64) -> SqlResult<Vec<RefundEvent>> {
    let mut st = conn.prepare_cached(
        "SELECT e.at_ms, o.login, e.event, e.status, e.remark FROM refund_events e
         LEFT JOIN operators o ON o.id = e.operator_id WHERE e.refund_id = ?1 ORDER BY e.id",
    )?;
    let v = st
        .query_map([refund_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect();
    v
}

/// An application waiting to be cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Awaiting {
    pub id: i64,
    pub merchant_id: i64,
    pub txn_id: i64,
    pub amount_fen: i64,
    pub status: RefundStatus,
}

/// Applications waiting to be cleared, oldest first.
pub fn awaiting_clearing(conn: &Db) -> SqlResult<Vec<Awaiting>> {
    let mut st = conn.prepare_cached(
        "SELECT id, merchant_id, txn_id, amount_fen, status FROM refund_applications
         WHERE status IN ('submitted', 'pending_clearing') ORDER BY applied_ms, id",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok(Awaiting {
                id: r.get(0)?,
                merchant_id: r.get(1)?,
                txn_id: r.get(2)?,
                amount_fen: r.get(3)?,
                status: coded(r, 4)?,
            })
        })?
        .collect();
    v
}

pub fn order_no_exists(conn: &Db, order_no: &str) -> SqlResult<bool> {
    conn.prepare_cached("SELECT 1 FROM refund_applications WHERE refund_order_no = ?1")?
        .query_row([order_no], |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
}

pub fn batch_no_exists(conn: &Db, batch_no: &str) -> SqlResult<bool> {
    conn.prepare_cached("SELECT 1 FROM refund_batches WHERE batch_no = ?1")?
        .query_row([batch_no], |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
}

pub fn insert_batch(
    conn: &Db,
    batch_no: &str,
    file_name: &str,
    row_count: i64,
    total_fen: i64,
    operator_id: i64,
    created_ms: i64,
) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO refund_batches (batch_no, file_name, row_count, total_fen, operator_id,
            created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        batch_no,
        file_name,
        row_count,
        total_fen,
        operator_id,
        created_ms
    ])?;
    conn.last_insert_rowid()
}

/// The transactions a batch refund row names: by its reference number (RRN), else by its order
/// number. At most two ids, so the caller can tell an order number that is not unique.
pub fn txns_by_reference(conn: &Db, reference: &str) -> SqlResult<Vec<i64>> {
    let mut st = conn.prepare_cached("SELECT id FROM transactions WHERE rrn = ?1")?;
    let by_rrn: Vec<i64> = st
        .query_map([reference], |r| r.get(0))?
        .collect::<SqlResult<_>>()?;
    if !by_rrn.is_empty() {
        return Ok(by_rrn);
    }
    let mut st = conn.prepare_cached("SELECT id FROM transactions WHERE order_no = ?1 LIMIT 2")?;
    let v = st.query_map([reference], |r| r.get(0))?.collect();
    v
}

/// (pending review, other) counts of a batch's applications.
pub fn batch_status_counts(conn: &Db, batch_id: i64) -> SqlResult<(i64, i64)> {
    conn.prepare_cached("SELECT coalesce(sum(CASE WHEN status = 'pending_review' THEN 1 ELSE 0 END), 0), coalesce(sum(CASE WHEN status <> 'pending_review' THEN 1 ELSE 0 END), 0)
         FROM refund_applications WHERE batch_id = ?1")?
        .query_row(
        [batch_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}
