//! Settlements and the merchant ledger.

use super::Db;
use crate::store::sql::{params, OptionalExtension};
use crate::store::SqlResult;

/// What one merchant's unsettled, captured transactions before a date add up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnsettledSums {
    pub merchant_id: i64,
    pub txn_count: i64,
    pub trade_fen: i64,
    pub fee_fen: i64,
    pub pos_refund_fen: i64,
}

/// Sums per merchant of the transactions with a trade date before `settle_date` that no
/// settlement holds yet. Sales and completions in success count as trade; refunds made at the
/// POS count against it; failed, voided and reversed rows move no money.
pub fn unsettled_sums(conn: &Db, settle_date: i32) -> SqlResult<Vec<UnsettledSums>> {
    let mut st = conn.prepare_cached(
        "SELECT merchant_id, count(*),
            coalesce(sum(CASE WHEN status = 'success' AND txn_type IN ('sale', 'completion')
                THEN amount_fen END), 0),
            coalesce(sum(CASE WHEN status = 'success' AND txn_type IN ('sale', 'completion')
                THEN fee_fen END), 0),
            coalesce(sum(CASE WHEN status = 'success' AND txn_type = 'refund'
                THEN amount_fen END), 0)
         FROM transactions WHERE settle_date IS NULL AND trade_date < ?1
         GROUP BY merchant_id ORDER BY merchant_id",
    )?;
    let v = st
        .query_map([settle_date], |r| {
            Ok(UnsettledSums {
                merchant_id: r.get(0)?,
                txn_count: r.get(1)?,
                trade_fen: r.get(2)?,
                fee_fen: r.get(3)?,
                pos_refund_fen: r.get(4)?,
            })
        })?
        .collect();
    v
}

pub fn exists(conn: &Db, merchant_id: i64, settle_date: i32) -> SqlResult<bool> {
    id_of(conn, merchant_id, settle_date).map(|o| o.is_some())
}

pub fn id_of(conn: &Db, merchant_id: i64, settle_date: i32) -> SqlResult<Option<i64>> {
    conn.prepare_cached("SELECT id FROM settlements WHERE merchant_id = ?1 AND settle_date = ?2")?
        .query_row(params![merchant_id, settle_date], |r| r.get(0))
        .optional()
}

#[allow(clippy::too_many_arguments)]
pub fn insert(
    conn: &Db,
    merchant_id: i64,
    settle_date: i32,
    txn_count: i64,
    trade_fen: i64,
    fee_fen: i64,
    refund_fen: i64,
    created_ms: i64,
) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO settlements (merchant_id, settle_date, txn_count, trade_fen, fee_fen,
            refund_fen, net_fen, status, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?8, 'settled', ?7)",
    )?
    .execute(params![
        merchant_id,
        settle_date,
        txn_count,
        trade_fen,
        fee_fen,
        refund_fen,
        created_ms,
        trade_fen - fee_fen - refund_fen
    ])?;
    conn.last_insert_rowid()
}

/// Links the transactions a settlement sums to it.
pub fn link_txns(
    conn: &Db,
    merchant_id: i64,
    settle_date: i32,
    settlement_id: i64,
) -> SqlResult<usize> {
    conn.prepare_cached(
        "UPDATE transactions SET settle_date = ?2, settlement_id = ?3
         WHERE settle_date IS NULL AND trade_date < ?2 AND merchant_id = ?1",
    )?
    .execute(params![merchant_id, settle_date, settlement_id])
}

/// Appends a ledger line and returns the new balance. The running balance is the previous
/// line's balance plus this amount, so the balance is always the sum of the lines.
#[allow(clippy::too_many_arguments)]
pub fn append_ledger(
    conn: &Db,
    merchant_id: i64,
    line_ms: i64,
    kind: &str,
    amount_fen: i64,
    ref_table: Option<&str>,
    ref_id: Option<i64>,
    memo: &str,
) -> SqlResult<i64> {
    let balance = super::merchants::balance_fen(conn, merchant_id)? + amount_fen;
    conn.prepare_cached(
        "INSERT INTO ledger_lines (merchant_id, line_ms, kind, amount_fen, balance_fen,
            ref_table, ref_id, memo) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        merchant_id,
        line_ms,
        kind,
        amount_fen,
        balance,
        ref_table,
        ref_id,
        memo
    ])?;
    Ok(balance)
}

/// The newest settlement date of any merchant, if any.
pub fn latest_date(conn: &Db) -> SqlResult<Option<i32>> {
    conn.prepare_cached("SELECT max(settle_date) FROM settlements")?
        .query_row(params![], |r| r.get(0))
}

/// Adds refunds cleared by a settlement run to its settlement (keeping net = trade − fee − refunds).
pub fn add_cleared_refunds(conn: &Db, settlement_id: i64, fen: i64) -> SqlResult<()> {
    conn.prepare_cached(
        "UPDATE settlements SET refund_fen = refund_fen + ?2, net_fen = net_fen - ?2 WHERE id = ?1",
    )?
    .execute(params![settlement_id, fen])?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerLine {
    pub id: i64,
    pub merchant_id: i64,
    pub line_ms: i64,
    pub kind: String,
    pub amount_fen: i64,
    pub balance_fen: i64,
    pub ref_table: Option<String>,
    pub ref_id: Option<i64>,
    pub memo: String,
}

/// A merchant's ledger lines, newest first, older than `before_id` when given.
pub fn ledger(
    conn: &Db,
    merchant_id: i64,
    before_id: Option<i64>,
    limit: usize,
) -> SqlResult<Vec<LedgerLine>> {
    let mut st = conn.prepare_cached(
        "SELECT id, merchant_id, line_ms, kind, amount_fen, balance_fen, ref_table, ref_id, memo
         FROM ledger_lines WHERE merchant_id = ?1 AND (?2 IS NULL OR id < ?2)
         ORDER BY id DESC LIMIT ?3",
    )?;
    let v = st
        .query_map(params![merchant_id, before_id, limit as i64], |r| {
            Ok(LedgerLine {
                id: r.get(0)?,
                merchant_id: r.get(1)?,
                line_ms: r.get(2)?,
                kind: r.get(3)?,
                amount_fen: r.get(4)?,
                balance_fen: r.get(5)?,
                ref_table: r.get(6)?,
                ref_id: r.get(7)?,
                memo: r.get(8)?,
            })
        })?
        .collect();
    v
}
