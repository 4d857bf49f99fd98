//! Fast refunds 快速退货 (schema v11): one row per fast refund (a single one or a batch line),
//! its history, the per-store switch, and the supported-banks table. Every status change names
//! the status it expects and the domain's table allows it (`allowed`).

use crate::store::sql::{params, OptionalExtension, Row};
use crate::store::SqlResult;

use super::{allowed, coded, Db};
use crate::domain::fast_refund::{FastRefundStatus, IdType, SupportedBank};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastRefundRow {
    pub id: i64,
    pub order_no: String,
    pub txn_id: i64,
    pub merchant_id: i64,
    pub terminal_id: i64,
    pub batch_no: Option<String>,
    pub application_id: i64,
    pub amount_fen: i64,
    pub card_masked: String,
    pub bank_code: String,
    pub holder_name: String,
    pub id_type: IdType,
    pub id_number: String,
    pub city_id: i64,
    pub branch: String,
    pub remark: String,
    pub status: FastRefundStatus,
    pub status_ms: i64,
    pub applicant_id: i64,
    pub applied_ms: i64,
    pub apply_date: i32,
    pub submissions: i64,
    pub reason_code: Option<String>,
    pub reason_text: String,
}

const COLS: &str = "id, order_no, txn_id, merchant_id, terminal_id, batch_no, application_id,
    amount_fen, card_masked, bank_code, holder_name, id_type, id_number, city_id, branch, remark,
    status, status_ms, applicant_id, applied_ms, apply_date, submissions, reason_code,
    reason_text";

fn row(r: &Row) -> SqlResult<FastRefundRow> {
    Ok(FastRefundRow {
        id: r.get(0)?,
        order_no: r.get(1)?,
        txn_id: r.get(2)?,
        merchant_id: r.get(3)?,
        terminal_id: r.get(4)?,
        batch_no: r.get(5)?,
        application_id: r.get(6)?,
        amount_fen: r.get(7)?,
        card_masked: r.get(8)?,
        bank_code: r.get(9)?,
        holder_name: r.get(10)?,
        id_type: coded(r, 11)?,
        id_number: r.get(12)?,
        city_id: r.get(13)?,
        branch: r.get(14)?,
        remark: r.get(15)?,
        status: coded(r, 16)?,
        status_ms: r.get(17)?,
        applicant_id: r.get(18)?,
        applied_ms: r.get(19)?,
        apply_date: r.get(20)?,
        submissions: r.get(21)?,
        reason_code: r.get(22)?,
        reason_text: r.get(23)?,
    })
}

/// The cardholder's details as the form or a batch line gives them (checked by the service).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub holder_name: String,
    pub id_type: IdType,
    pub id_number: String,
    pub city_id: i64,
    pub branch: String,
    pub remark: String,
}

pub struct NewFastRefund<'a> {
    pub order_no: &'a str,
    pub txn_id: i64,
    pub merchant_id: i64,
    pub terminal_id: i64,
    pub batch_no: Option<&'a str>,
    pub application_id: i64,
    pub amount_fen: i64,
    pub card_masked: &'a str,
    pub bank_code: &'a str,
    pub holder: &'a Holder,
    pub status: FastRefundStatus,
    pub applicant_id: i64,
    pub applied_ms: i64,
    pub apply_date: i32,
}

pub fn insert(conn: &Db, f: &NewFastRefund) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO fast_refunds (order_no, txn_id, merchant_id, terminal_id, batch_no,
            application_id, amount_fen, card_masked, bank_code, holder_name, id_type, id_number,
            city_id, branch, remark, status, status_ms, applicant_id, applied_ms, apply_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
            ?18, ?17, ?19)",
    )?
    .execute(params![
        f.order_no,
        f.txn_id,
        f.merchant_id,
        f.terminal_id,
        f.batch_no,
        f.application_id,
        f.amount_fen,
        f.card_masked,
        f.bank_code,
        f.holder.holder_name.as_str(),
        f.holder.id_type.code(),
        f.holder.id_number.as_str(),
        f.holder.city_id,
        f.holder.branch.as_str(),
        f.holder.remark.as_str(),
        f.status.code(),
        f.applied_ms,
        f.applicant_id,
        f.apply_date
    ])?;
    conn.last_insert_rowid()
}

pub fn by_id(conn: &Db, id: i64) -> SqlResult<Option<FastRefundRow>> {
    conn.prepare_cached(&format!("SELECT {COLS} FROM fast_refunds WHERE id = ?1"))?
        .query_row([id], row)
        .optional()
}

pub fn by_order(conn: &Db, order_no: &str) -> SqlResult<Option<FastRefundRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLS} FROM fast_refunds WHERE order_no = ?1"
    ))?
    .query_row([order_no], row)
    .optional()
}

/// The fast refunds of one application (one for a single one, every line of a batch).
pub fn of_application(conn: &Db, application_id: i64) -> SqlResult<Vec<FastRefundRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM fast_refunds WHERE application_id = ?1 ORDER BY id"
    ))?;
    let v = st.query_map([application_id], row)?.collect();
    v
}

/// Whether a refund order number is taken, by an ordinary refund or a fast one.
pub fn order_no_taken(conn: &Db, order_no: &str) -> SqlResult<bool> {
    conn.prepare_cached(
        "SELECT (SELECT count(*) FROM fast_refunds WHERE order_no = ?1)
              + (SELECT count(*) FROM refund_applications WHERE refund_order_no = ?1)",
    )?
    .query_row([order_no], |r| r.get::<i64>(0))
    .map(|n| n > 0)
}

/// The next generated refund order number of a day: `yyyymmdd` + `F` + five digits (the `F`
/// keeps them apart from the withdrawals' and refunds' own sequences).
pub fn next_order_no(conn: &Db, day: i32) -> SqlResult<String> {
    let prefix = format!("{day}F");
    let max: Option<String> = conn
        .prepare_cached(
            "SELECT max(order_no) FROM fast_refunds WHERE order_no >= ?1 AND order_no < ?2
             AND length(order_no) = 14",
        )?
        .query_row(params![prefix.as_str(), format!("{day}G")], |r| r.get(0))?;
    let next = max
        .and_then(|m| m[9..].parse::<u32>().ok())
        .map_or(1, |n| n + 1);
    Ok(format!("{prefix}{next:05}"))
}

/// Moves a fast refund between statuses; false when it was not in `from`.
pub fn set_status(
    conn: &Db,
    id: i64,
    from: FastRefundStatus,
    to: FastRefundStatus,
    at_ms: i64,
    reason: Option<(&str, &str)>,
) -> SqlResult<bool> {
    allowed(from, to)?;
    let (code, text) = reason.map_or((None, ""), |(c, t)| (Some(c), t));
    let n = conn
        .prepare_cached(
            "UPDATE fast_refunds SET status = ?3, status_ms = ?4,
                reason_code = coalesce(?5, reason_code),
                reason_text = CASE WHEN ?6 <> '' THEN ?6 ELSE reason_text END
             WHERE id = ?1 AND status = ?2",
        )?
        .execute(params![id, from.code(), to.code(), at_ms, code, text])?;
    Ok(n == 1)
}

/// Resubmission (F4): the edited cardholder details replace the old ones, 异常 → 处理中, one
/// submission more. False when it was not an exception any more.
pub fn resubmit(conn: &Db, id: i64, h: &Holder, at_ms: i64) -> SqlResult<bool> {
    allowed(FastRefundStatus::Exception, FastRefundStatus::Processing)?;
    let n = conn
        .prepare_cached(
            "UPDATE fast_refunds SET status = 'processing', status_ms = ?2, holder_name = ?3,
                id_type = ?4, id_number = ?5, city_id = ?6, branch = ?7, remark = ?8,
                submissions = submissions + 1
             WHERE id = ?1 AND status = 'exception'",
        )?
        .execute(params![
            id,
            at_ms,
            h.holder_name.as_str(),
            h.id_type.code(),
            h.id_number.as_str(),
            h.city_id,
            h.branch.as_str(),
            h.remark.as_str()
        ])?;
    Ok(n == 1)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastRefundEvent {
    pub at_ms: i64,
    pub operator_id: Option<i64>,
    pub operator_login: Option<String>,
    pub event: String,
    pub reason_code: Option<String>,
    pub detail: String,
}

pub fn add_event(
    conn: &Db,
    fast_refund_id: i64,
    at_ms: i64,
    operator_id: Option<i64>,
    event: &str,
    reason_code: Option<&str>,
    detail: &str,
) -> SqlResult<()> {
    conn.prepare_cached(
        "INSERT INTO fast_refund_events (fast_refund_id, at_ms, operator_id, event, reason_code,
            detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        fast_refund_id,
        at_ms,
        operator_id,
        event,
        reason_code,
        detail
    ])?;
    Ok(())
}

pub fn events(conn: &Db, fast_refund_id: i64) -> SqlResult<Vec<FastRefundEvent>> {
    let mut st = conn.prepare_cached(
        "SELECT e.at_ms, e.operator_id, o.login, e.event, e.reason_code, e.detail
         FROM fast_refund_events e LEFT JOIN operators o ON o.id = e.operator_id
         WHERE e.fast_refund_id = ?1 ORDER BY e.id",
    )?;
    let v = st
        .query_map([fast_refund_id], |r| {
            Ok(FastRefundEvent {
                at_ms: r.get(0)?,
                operator_id: r.get(1)?,
                operator_login: r.get(2)?,
                event: r.get(3)?,
                reason_code: r.get(4)?,
                detail: r.get(5)?,
            })
        })?
        .collect();
    v
}

/// Query conditions (F5); `None` or empty means any.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FastRefundFilter {
    pub merchant_ids: Vec<i64>,
    pub date_from: Option<i32>,
    pub date_to: Option<i32>,
    pub status: Option<FastRefundStatus>,
    pub rrn: Option<String>,
    pub order_no: Option<String>,
    pub terminal_no: Option<String>,
    pub batch_no: Option<String>,
    pub applicant_id: Option<i64>,
    /// The applicant's login, as typed in the query (any case).
    pub applicant_login: Option<String>,
    /// Oldest first (the exception list) instead of newest first.
    pub oldest_first: bool,
}

pub fn query(conn: &Db, f: &FastRefundFilter, limit: usize) -> SqlResult<Vec<FastRefundRow>> {
    let cols = COLS
        .split(',')
        .map(|c| format!("f.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut sql = format!(
        "SELECT {cols} FROM fast_refunds f JOIN transactions t ON t.id = f.txn_id
         JOIN terminals m ON m.id = f.terminal_id WHERE 1 = 1"
    );
    let mut args: Vec<crate::store::sql::Value> = Vec::new();
    let mut push = |sql: &mut String, cond: &str, v: crate::store::sql::Value| {
        args.push(v);
        sql.push_str(&cond.replace("?", &format!("?{}", args.len())));
    };
    use crate::store::sql::Value;
    if !f.merchant_ids.is_empty() {
        let list = f
            .merchant_ids
            .iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        sql.push_str(&format!(" AND f.merchant_id IN ({list})"));
    }
    if let Some(d) = f.date_from {
        push(&mut sql, " AND f.apply_date >= ?", Value::Integer(d.into()));
    }
    if let Some(d) = f.date_to {
        push(&mut sql, " AND f.apply_date <= ?", Value::Integer(d.into()));
    }
    if let Some(s) = f.status {
        push(&mut sql, " AND f.status = ?", Value::Text(s.code().into()));
    }
    if let Some(s) = f.rrn.as_deref().filter(|s| !s.is_empty()) {
        push(&mut sql, " AND t.rrn = ?", Value::Text(s.into()));
    }
    if let Some(s) = f.order_no.as_deref().filter(|s| !s.is_empty()) {
        push(&mut sql, " AND f.order_no = ?", Value::Text(s.into()));
    }
    if let Some(s) = f.terminal_no.as_deref().filter(|s| !s.is_empty()) {
        push(&mut sql, " AND m.terminal_no = ?", Value::Text(s.into()));
    }
    if let Some(s) = f.batch_no.as_deref().filter(|s| !s.is_empty()) {
        push(&mut sql, " AND f.batch_no = ?", Value::Text(s.into()));
    }
    if let Some(a) = f.applicant_id {
        push(&mut sql, " AND f.applicant_id = ?", Value::Integer(a));
    }
    if let Some(s) = f.applicant_login.as_deref().filter(|s| !s.is_empty()) {
        push(
            &mut sql,
            " AND f.applicant_id IN (SELECT id FROM operators WHERE lower(login) = lower(?))",
            Value::Text(s.into()),
        );
    }
    sql.push_str(if f.oldest_first {
        " ORDER BY f.status_ms, f.id"
    } else {
        " ORDER BY f.applied_ms DESC, f.id DESC"
    });
    sql.push_str(&format!(" LIMIT {limit}"));
    let mut st = conn.prepare(&sql)?;
    let v = st
        .query_map(crate::store::sql::params_from_iter(args), row)?
        .collect();
    v
}

/// The supported-banks table (快速退货支持银行), from reference data.
pub fn supported_banks(conn: &Db) -> SqlResult<Vec<SupportedBank>> {
    let mut st = conn.prepare_cached(
        "SELECT code, name_zh, name_en, fast_refund_credit, fast_refund_debit FROM banks
         ORDER BY code",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok(SupportedBank {
                code: r.get(0)?,
                name_zh: r.get(1)?,
                name_en: r.get(2)?,
                credit: r.get::<i64>(3)? == 1,
                debit: r.get::<i64>(4)? == 1,
            })
        })?
        .collect();
    v
}

/// Whether the store agreed to fast refunds (商户同意快速退货协议).
pub fn enabled(conn: &Db, merchant_id: i64) -> SqlResult<bool> {
    conn.prepare_cached("SELECT fast_refund_enabled FROM merchants WHERE id = ?1")?
        .query_row([merchant_id], |r| r.get::<i64>(0))
        .map(|v| v == 1)
}

pub fn set_enabled(conn: &Db, merchant_id: i64, on: bool, by: i64, at_ms: i64) -> SqlResult<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE merchants SET fast_refund_enabled = ?2, fast_refund_enabled_ms = ?3,
                fast_refund_enabled_by = ?4 WHERE id = ?1",
        )?
        .execute(params![merchant_id, i64::from(on), at_ms, by])?;
    Ok(n == 1)
}

/// For `check`: each fast refund with its status and the sums of its ledger lines
/// (debits as a negative sum and count, credits back as a positive sum and count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerCover {
    pub id: i64,
    pub order_no: String,
    pub status: FastRefundStatus,
    pub amount_fen: i64,
    pub debits: i64,
    pub debit_fen: i64,
    pub credits: i64,
    pub credit_fen: i64,
}

pub fn ledger_cover(conn: &Db) -> SqlResult<Vec<LedgerCover>> {
    let mut st = conn.prepare_cached(
        "SELECT f.id, f.order_no, f.status, f.amount_fen,
            coalesce(sum(CASE WHEN l.amount_fen < 0 THEN 1 ELSE 0 END), 0),
            coalesce(sum(CASE WHEN l.amount_fen < 0 THEN l.amount_fen ELSE 0 END), 0),
            coalesce(sum(CASE WHEN l.amount_fen > 0 THEN 1 ELSE 0 END), 0),
            coalesce(sum(CASE WHEN l.amount_fen > 0 THEN l.amount_fen ELSE 0 END), 0)
         FROM fast_refunds f
         LEFT JOIN ledger_lines l ON l.ref_table = 'fast_refunds' AND l.ref_id = f.id
         GROUP BY f.id, f.order_no, f.status, f.amount_fen ORDER BY f.id",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok(LedgerCover {
                id: r.get(0)?,
                order_no: r.get(1)?,
                status: coded(r, 2)?,
                amount_fen: r.get(3)?,
                debits: r.get(4)?,
                debit_fen: r.get(5)?,
                credits: r.get(6)?,
                credit_fen: r.get(7)?,
            })
        })?
        .collect();
    v
}

/// Whether a fast-refund batch number is taken.
pub fn batch_no_taken(conn: &Db, batch_no: &str) -> SqlResult<bool> {
    conn.prepare_cached("SELECT count(*) FROM fast_refunds WHERE batch_no = ?1")?
        .query_row([batch_no], |r| r.get::<i64>(0))
        .map(|n| n > 0)
}

/// Points a fast-refund application at its (first) fast refund, written after it.
pub fn set_application_ref(conn: &Db, application_id: i64, ref_id: i64) -> SqlResult<()> {
    conn.prepare_cached("UPDATE applications SET ref_id = ?2 WHERE id = ?1")?
        .execute(params![application_id, ref_id])?;
    Ok(())
}

/// Direct refund mode: the application just written is approved without review (免审通过), in
/// the same transaction that wrote it.
pub fn auto_approve(conn: &Db, application_id: i64, at_ms: i64) -> SqlResult<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE applications SET status = 'auto_approved', checked_ms = ?2
             WHERE id = ?1 AND status = 'pending_review'",
        )?
        .execute(params![application_id, at_ms])?;
    Ok(n == 1)
}

/// The same event for every fast refund of an application.
pub fn add_events(
    rows: &[FastRefundRow],
    conn: &Db,
    at_ms: i64,
    operator_id: i64,
    event: &str,
) -> SqlResult<()> {
    for f in rows {
        add_event(conn, f.id, at_ms, Some(operator_id), event, None, "")?;
    }
    Ok(())
}

/// For `check` (F6): every transaction whose ordinary and fast refunds together exceed its
/// amount: (txn id, amount, refunded + open).
pub fn over_refunded(conn: &Db) -> SqlResult<Vec<(i64, i64, i64)>> {
    let mut st = conn.prepare(
        "SELECT t.id, t.amount_fen, t.refunded_fen
            + coalesce((SELECT sum(r.amount_fen) FROM refund_applications r WHERE r.txn_id = t.id
                AND r.status IN ('pending_review', 'submitted', 'pending_clearing')), 0)
            + coalesce((SELECT sum(f.amount_fen) FROM fast_refunds f WHERE f.txn_id = t.id
                AND f.status IN ('pending_review', 'processing', 'success', 'exception')), 0) AS used
         FROM transactions t WHERE t.id IN (SELECT txn_id FROM fast_refunds)
         ORDER BY t.id",
    )?;
    let v: SqlResult<Vec<(i64, i64, i64)>> = st
        .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect();
    Ok(v?.into_iter().filter(|(_, a, u)| u > a).collect())
}

/// For `check` (F6): per store and day with fast refunds, the quota and the refunds counted
/// against it: (merchant, day, quota, used), only where a quota is set.
pub fn quota_days(conn: &Db) -> SqlResult<Vec<(i64, i32, i64, i64)>> {
    let mut st = conn.prepare(
        "SELECT d.merchant_id, d.apply_date, m.daily_refund_quota_fen,
            coalesce((SELECT sum(r.amount_fen) FROM refund_applications r
                WHERE r.merchant_id = d.merchant_id AND r.apply_date = d.apply_date
                  AND r.status <> 'rejected'), 0)
          + coalesce((SELECT sum(f.amount_fen) FROM fast_refunds f
                WHERE f.merchant_id = d.merchant_id AND f.apply_date = d.apply_date
                  AND f.status NOT IN ('rejected', 'failed', 'cancelled')), 0)
         FROM (SELECT DISTINCT merchant_id, apply_date FROM fast_refunds) d
         JOIN merchants m ON m.id = d.merchant_id
         WHERE m.daily_refund_quota_fen > 0 ORDER BY d.merchant_id, d.apply_date",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect();
    v
}

/// (application, status, amount, hold amount, hold state, Σ of its fast refunds).
pub type AppHold = (i64, String, i64, Option<i64>, Option<String>, i64);

/// For `check`: each fast-refund application with its hold (amount, state) and the sum of its
/// fast refunds.
pub fn application_holds(conn: &Db) -> SqlResult<Vec<AppHold>> {
    let mut st = conn.prepare(
        "SELECT a.id, a.status, a.amount_fen, h.amount_fen, h.state,
            coalesce((SELECT sum(f.amount_fen) FROM fast_refunds f WHERE f.application_id = a.id), 0)
         FROM applications a LEFT JOIN holds h ON h.application_id = a.id
         WHERE a.kind IN ('fast_refund', 'fast_refund_batch') ORDER BY a.id",
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
