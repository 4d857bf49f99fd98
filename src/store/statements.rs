//! What a statement 结算对账单 (A3) reads: a store's ledger lines of a period and its balance
//! before it, and the transactions of the settlements credited in it. Portable SQL.

use crate::domain::txn::{TxnStatus, TxnType};
use crate::store::sql::params;
use crate::store::SqlResult;

use super::{coded, Db};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    pub id: i64,
    pub line_ms: i64,
    pub kind: String,
    pub amount_fen: i64,
    pub balance_fen: i64,
    pub ref_table: Option<String>,
    pub ref_id: Option<i64>,
    pub memo: String,
    /// The settlement date a settlement line credits (its business date).
    pub settle_date: Option<i32>,
}

/// Every ledger line of a store, in order, with the settlement date of settlement lines.
pub fn all_lines(db: &Db, merchant_id: i64) -> SqlResult<Vec<LineRow>> {
    let mut st = db.prepare_cached(
        "SELECT l.id, l.line_ms, l.kind, l.amount_fen, l.balance_fen, l.ref_table, l.ref_id, l.memo,
                s.settle_date
         FROM ledger_lines l
         LEFT JOIN settlements s ON l.ref_table = 'settlements' AND s.id = l.ref_id
         WHERE l.merchant_id = ?1 ORDER BY l.id",
    )?;
    let v = st
        .query_map(params![merchant_id], |r| {
            Ok(LineRow {
                id: r.get(0)?,
                line_ms: r.get(1)?,
                kind: r.get(2)?,
                amount_fen: r.get(3)?,
                balance_fen: r.get(4)?,
                ref_table: r.get(5)?,
                ref_id: r.get(6)?,
                memo: r.get(7)?,
                settle_date: r.get(8)?,
            })
        })?
        .collect();
    v
}

/// A transaction of a settlement, as the 收单交易 sheet lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettledTxn {
    pub settle_date: i32,
    pub trade_date: i32,
    pub txn_ms: i64,
    pub terminal_no: String,
    pub batch_no: String,
    pub voucher_no: String,
    pub rrn: String,
    pub card_masked: String,
    pub card_org: String,
    pub card_type: String,
    pub bank_zh: String,
    pub txn_type: TxnType,
    pub status: TxnStatus,
    pub amount_fen: i64,
    pub fee_fen: i64,
}

pub fn settled_txns(db: &Db, settlement_id: i64) -> SqlResult<Vec<SettledTxn>> {
    let mut st = db.prepare_cached(
        "SELECT t.settle_date, t.trade_date, t.txn_ms, m.terminal_no, t.batch_no, t.voucher_no,
                t.rrn, t.card_masked, t.card_org, t.card_type, coalesce(b.name_zh, ''), t.txn_type,
                t.status, t.amount_fen, t.fee_fen
         FROM transactions t JOIN terminals m ON m.id = t.terminal_id
         LEFT JOIN banks b ON b.code = t.bank_code
         WHERE t.settlement_id = ?1 ORDER BY t.txn_ms, t.id",
    )?;
    let v = st
        .query_map(params![settlement_id], |r| {
            Ok(SettledTxn {
                settle_date: r.get(0)?,
                trade_date: r.get(1)?,
                txn_ms: r.get(2)?,
                terminal_no: r.get(3)?,
                batch_no: r.get(4)?,
                voucher_no: r.get(5)?,
                rrn: r.get(6)?,
                card_masked: r.get(7)?,
                card_org: r.get(8)?,
                card_type: r.get(9)?,
                bank_zh: r.get(10)?,
                txn_type: coded(r, 11)?,
                status: coded(r, 12)?,
                amount_fen: r.get(13)?,
                fee_fen: r.get(14)?,
            })
        })?
        .collect();
    v
}
