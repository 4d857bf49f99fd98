//! Transfers (schema v12): batches, their rows, the directory of platform accounts. Every status
//! update names the status it expects and the domain's table allows the change (`allowed`), so
//! an outcome applies once.

use crate::domain::transfer::{PayeeKind, TransferStatus};
use crate::store::sql::{params, OptionalExtension, Row};
use crate::store::SqlResult;

use super::{allowed, coded, Db};

// ---------------------------------------------------------------------------------------------
// Platform accounts

/// A platform account's name and, for a store of this database, its id: the stores first, then
/// the directory.
pub fn platform_account(conn: &Db, account_no: &str) -> SqlResult<Option<(String, Option<i64>)>> {
    let store = conn
        .prepare_cached("SELECT id, name FROM merchants WHERE merchant_no = ?1")?
        .query_row([account_no], |r| {
            Ok((r.get::<i64>(0)?, r.get::<String>(1)?))
        })
        .optional()?;
    if let Some((id, name)) = store {
        return Ok(Some((name, Some(id))));
    }
    conn.prepare_cached("SELECT name FROM platform_accounts WHERE account_no = ?1")?
        .query_row([account_no], |r| r.get::<String>(0))
        .optional()
        .map(|o| o.map(|n| (n, None)))
}

pub fn upsert_platform_account(conn: &Db, account_no: &str, name: &str) -> SqlResult<()> {
    conn.prepare_cached(
        "INSERT INTO platform_accounts (account_no, name) VALUES (?1, ?2)
         ON CONFLICT (account_no) DO UPDATE SET name = ?2",
    )?
    .execute(params![account_no, name])?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Batches

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchRow {
    pub id: i64,
    pub merchant_id: i64,
    pub batch_no: String,
    pub single: bool,
    pub file_name: String,
    pub row_count: i64,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub remark: String,
    pub created_by: i64,
    pub created_ms: i64,
}

const B_COLS: &str = "id, merchant_id, batch_no, single, file_name, row_count, amount_fen, \
    fee_fen, remark, created_by, created_ms";

fn b_row(r: &Row) -> SqlResult<BatchRow> {
    Ok(BatchRow {
        id: r.get(0)?,
        merchant_id: r.get(1)?,
        batch_no: r.get(2)?,
        single: r.get::<i64>(3)? == 1,
        file_name: r.get(4)?,
        row_count: r.get(5)?,
        amount_fen: r.get(6)?,
        fee_fen: r.get(7)?,
        remark: r.get(8)?,
        created_by: r.get(9)?,
        created_ms: r.get(10)?,
    })
}

pub struct NewBatch<'a> {
    pub merchant_id: i64,
    pub batch_no: &'a str,
    pub single: bool,
    pub file_name: &'a str,
    pub row_count: i64,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub remark: &'a str,
    pub created_by: i64,
    pub created_ms: i64,
}

pub fn insert_batch(conn: &Db, b: &NewBatch) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO transfer_batches (merchant_id, batch_no, single, file_name, row_count,
            amount_fen, fee_fen, remark, created_by, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        b.merchant_id,
        b.batch_no,
        b.single as i64,
        b.file_name,
        b.row_count,
        b.amount_fen,
        b.fee_fen,
        b.remark,
        b.created_by,
        b.created_ms
    ])?;
    conn.last_insert_rowid()
}

pub fn batch(conn: &Db, id: i64) -> SqlResult<Option<BatchRow>> {
    conn.prepare_cached(&format!(
        "SELECT {B_COLS} FROM transfer_batches WHERE id = ?1"
    ))?
    .query_row([id], b_row)
    .optional()
}

pub fn batch_no_exists(conn: &Db, merchant_id: i64, batch_no: &str) -> SqlResult<bool> {
    conn.prepare_cached(
        "SELECT count(*) FROM transfer_batches WHERE merchant_id = ?1 AND batch_no = ?2",
    )?
    .query_row(params![merchant_id, batch_no], |r| r.get::<i64>(0))
    .map(|n| n > 0)
}

/// Batches of a store, newest first, at most `limit`.
pub fn batches(conn: &Db, merchant_id: i64, limit: usize) -> SqlResult<Vec<BatchRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {B_COLS} FROM transfer_batches WHERE merchant_id = ?1
         ORDER BY created_ms DESC, id DESC LIMIT ?2"
    ))?;
    let v = st
        .query_map(params![merchant_id, limit as i64], b_row)?
        .collect();
    v
}

/// The batches of a store created in `[from_ms, to_ms)` whose batch number contains `keyword`
/// (any case; empty: every one), newest first, at most `limit`.
pub fn batches_matching(
    conn: &Db,
    merchant_id: i64,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    keyword: &str,
    limit: usize,
) -> SqlResult<Vec<BatchRow>> {
    // The keyword is a bound value (a `%` or `_` in it matches as LIKE does).
    let mut st = conn.prepare_cached(&format!(
        "SELECT {B_COLS} FROM transfer_batches WHERE merchant_id = ?1
           AND created_ms >= ?2 AND created_ms < ?3
           AND (?4 = '' OR lower(batch_no) LIKE '%' || lower(?4) || '%')
         ORDER BY created_ms DESC, id DESC LIMIT ?5"
    ))?;
    let v = st
        .query_map(
            params![
                merchant_id,
                from_ms.unwrap_or(i64::MIN),
                to_ms.unwrap_or(i64::MAX),
                keyword,
                limit as i64
            ],
            b_row,
        )?
        .collect();
    v
}

/// The next generated number of a day for a single transfer: `ZZ` + `yyyymmdd` + six digits
/// (unique against batch and order numbers of the store, which take the same value).
pub fn next_single_no(conn: &Db, merchant_id: i64, day: i32) -> SqlResult<String> {
    let prefix = format!("ZZ{day}");
    let max: Option<String> = conn
        .prepare_cached(
            "SELECT max(batch_no) FROM transfer_batches WHERE merchant_id = ?1
             AND batch_no >= ?2 AND batch_no < ?3 AND length(batch_no) = 16",
        )?
        .query_row(
            params![merchant_id, prefix, format!("ZZ{}", day + 1)],
            |r| r.get(0),
        )?;
    let next = max
        .and_then(|m| m[10..].parse::<u32>().ok())
        .map_or(1, |n| n + 1);
    Ok(format!("{prefix}{next:06}"))
}

// ---------------------------------------------------------------------------------------------
// Rows

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRow {
    pub id: i64,
    pub batch_id: i64,
    pub line_no: i64,
    pub merchant_id: i64,
    pub order_no: String,
    pub payee_kind: PayeeKind,
    pub account_no: String,
    pub account_name: String,
    pub bank_code: Option<String>,
    pub city_id: Option<i64>,
    pub branch: String,
    pub target_merchant_id: Option<i64>,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub mobile: String,
    pub remark: String,
    pub status: TransferStatus,
    pub reason_code: Option<String>,
    pub reason_text: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub credited_back_ms: Option<i64>,
    /// The failed or returned row this one re-issues.
    pub reissue_of: Option<i64>,
}

const T_COLS: &str = "id, batch_id, line_no, merchant_id, order_no, payee_kind, account_no, \
    account_name, bank_code, city_id, branch, target_merchant_id, amount_fen, fee_fen, mobile, \
    remark, status, reason_code, reason_text, created_ms, updated_ms, credited_back_ms, reissue_of";

fn t_row(r: &Row) -> SqlResult<TransferRow> {
    Ok(TransferRow {
        id: r.get(0)?,
        batch_id: r.get(1)?,
        line_no: r.get(2)?,
        merchant_id: r.get(3)?,
        order_no: r.get(4)?,
        payee_kind: coded(r, 5)?,
        account_no: r.get(6)?,
        account_name: r.get(7)?,
        bank_code: r.get(8)?,
        city_id: r.get(9)?,
        branch: r.get(10)?,
        target_merchant_id: r.get(11)?,
        amount_fen: r.get(12)?,
        fee_fen: r.get(13)?,
        mobile: r.get(14)?,
        remark: r.get(15)?,
        status: coded(r, 16)?,
        reason_code: r.get(17)?,
        reason_text: r.get(18)?,
        created_ms: r.get(19)?,
        updated_ms: r.get(20)?,
        credited_back_ms: r.get(21)?,
        reissue_of: r.get(22)?,
    })
}

pub struct NewTransfer<'a> {
    pub batch_id: i64,
    pub line_no: i64,
    pub merchant_id: i64,
    pub order_no: &'a str,
    pub payee_kind: PayeeKind,
    pub account_no: &'a str,
    pub account_name: &'a str,
    pub bank_code: Option<&'a str>,
    pub city_id: Option<i64>,
    pub branch: &'a str,
    pub target_merchant_id: Option<i64>,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub mobile: &'a str,
    pub remark: &'a str,
    pub created_ms: i64,
    pub reissue_of: Option<i64>,
}

/// A new row, 初始.
pub fn insert_transfer(conn: &Db, t: &NewTransfer) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO transfers (batch_id, line_no, merchant_id, order_no, payee_kind, account_no,
            account_name, bank_code, city_id, branch, target_merchant_id, amount_fen, fee_fen,
            mobile, remark, status, created_ms, updated_ms, reissue_of)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 'init', ?16,
            ?16, ?17)",
    )?
    .execute(params![
        t.batch_id,
        t.line_no,
        t.merchant_id,
        t.order_no,
        t.payee_kind.code(),
        t.account_no,
        t.account_name,
        t.bank_code,
        t.city_id,
        t.branch,
        t.target_merchant_id,
        t.amount_fen,
        t.fee_fen,
        t.mobile,
        t.remark,
        t.created_ms,
        t.reissue_of
    ])?;
    conn.last_insert_rowid()
}

/// The row that re-issues row `id`, if any.
pub fn reissued_by(conn: &Db, id: i64) -> SqlResult<Option<i64>> {
    conn.prepare_cached("SELECT id FROM transfers WHERE reissue_of = ?1")?
        .query_row(params![id], |r| r.get::<i64>(0))
        .optional()
}

/// A city's Chinese name and its province's (a stored bank row, checked again when re-issued).
pub use super::reference::place_of;

pub fn order_no_exists(conn: &Db, merchant_id: i64, order_no: &str) -> SqlResult<bool> {
    conn.prepare_cached("SELECT count(*) FROM transfers WHERE merchant_id = ?1 AND order_no = ?2")?
        .query_row(params![merchant_id, order_no], |r| r.get::<i64>(0))
        .map(|n| n > 0)
}

pub fn rows_of(conn: &Db, batch_id: i64) -> SqlResult<Vec<TransferRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {T_COLS} FROM transfers WHERE batch_id = ?1 ORDER BY line_no"
    ))?;
    let v = st.query_map([batch_id], t_row)?.collect();
    v
}

pub fn transfer(conn: &Db, id: i64) -> SqlResult<Option<TransferRow>> {
    conn.prepare_cached(&format!("SELECT {T_COLS} FROM transfers WHERE id = ?1"))?
        .query_row([id], t_row)
        .optional()
}

/// Every row with this merchant order number (one per store).
pub fn by_order_no(conn: &Db, order_no: &str) -> SqlResult<Vec<TransferRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {T_COLS} FROM transfers WHERE order_no = ?1 ORDER BY id"
    ))?;
    let v = st.query_map([order_no], t_row)?.collect();
    v
}

/// Every row of every batch (for `check`), in id order.
pub fn all(conn: &Db) -> SqlResult<Vec<TransferRow>> {
    let mut st = conn.prepare_cached(&format!("SELECT {T_COLS} FROM transfers ORDER BY id"))?;
    let v = st.query_map(params![], t_row)?.collect();
    v
}

/// Moves a row between statuses; false when it was not in `from`. A failure or a return
/// stamps `credited_back_ms` (the caller writes the credit lines in the same transaction).
pub fn set_status(
    conn: &Db,
    id: i64,
    from: TransferStatus,
    to: TransferStatus,
    at_ms: i64,
    reason_code: Option<&str>,
    reason_text: &str,
) -> SqlResult<bool> {
    allowed(from, to)?;
    let back = to.credited_back().then_some(at_ms);
    let n = conn
        .prepare_cached(
            "UPDATE transfers SET status = ?3, updated_ms = ?4,
                credited_back_ms = coalesce(?5, credited_back_ms),
                reason_code = coalesce(?6, reason_code),
                reason_text = CASE WHEN ?7 <> '' THEN ?7 ELSE reason_text END
             WHERE id = ?1 AND status = ?2",
        )?
        .execute(params![
            id,
            from.code(),
            to.code(),
            at_ms,
            back,
            reason_code,
            reason_text
        ])?;
    Ok(n == 1)
}

/// The sum of every transfer row's ledger lines per store: (store, row) → fen (the payer's debit
/// and credits back, or the target's credit). One pass over the lines for `check`, not a scan
/// of a store's ledger per row.
pub fn ledger_sums(conn: &Db) -> SqlResult<std::collections::HashMap<(i64, i64), i64>> {
    let mut st = conn.prepare_cached(
        "SELECT merchant_id, ref_id, coalesce(sum(amount_fen), 0) FROM ledger_lines
         WHERE ref_table = 'transfers' GROUP BY merchant_id, ref_id",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok(((r.get::<i64>(0)?, r.get::<i64>(1)?), r.get::<i64>(2)?))
        })?
        .collect();
    v
}
