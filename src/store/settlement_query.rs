//! Settlement query (S1, S3, S4): settlements by date range, merchant and status, with totals.
//!
//! An operator limited to some terminal groups sees each settlement as far as it concerns their
//! terminals: its figures are summed from the daily rollups of those terminals (the same rows
//! the settlement run summed), and a settlement with none of their transactions is not listed.

use super::Db;
use crate::store::sql::{params_from_iter, OptionalExtension, Row, Value};
use crate::store::SqlResult;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SettlementFilter {
    /// Inclusive settlement-date range, `YYYYMMDD`.
    pub from_date: Option<i32>,
    pub to_date: Option<i32>,
    pub merchant_id: Option<i64>,
    pub status: Option<String>,
    pub id: Option<i64>,
    /// `None`: every terminal. `Some(groups)`: only what these groups' terminals did.
    pub group_scope: Option<Vec<i64>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettlementRow {
    pub id: i64,
    pub merchant_id: i64,
    pub merchant_no: String,
    pub merchant_name: String,
    pub merchant_name_en: String,
    pub settle_date: i32,
    pub txn_count: i64,
    pub trade_fen: i64,
    pub fee_fen: i64,
    pub refund_fen: i64,
    pub net_fen: i64,
    pub status: crate::domain::txn::SettlementStatus,
    pub created_ms: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettlementTotals {
    pub settlements: i64,
    pub txn_count: i64,
    pub trade_fen: i64,
    pub fee_fen: i64,
    pub refund_fen: i64,
    pub net_fen: i64,
}

/// `FROM ... WHERE ...` with the figure columns `n, trade, fee, refund, net`, and its arguments.
fn source(f: &SettlementFilter) -> (String, Vec<Value>) {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut figures =
        "SELECT s.id AS sid, s.txn_count AS n, s.trade_fen AS trade, s.fee_fen AS fee,
            s.refund_fen AS refund, s.net_fen AS net FROM settlements s"
            .to_string();
    if let Some(groups) = &f.group_scope {
        let mut inner: Vec<String> = vec![format!(
            "terminal_id IN (SELECT id FROM terminals WHERE group_id IN ({}))",
            super::placeholders(groups.len())
        )];
        args.extend(groups.iter().map(|g| Value::from(*g)));
        if let Some(v) = f.from_date {
            inner.push("settle_date >= ?".into());
            args.push(v.into());
        }
        if let Some(v) = f.to_date {
            inner.push("settle_date <= ?".into());
            args.push(v.into());
        }
        if let Some(v) = f.merchant_id {
            inner.push("merchant_id = ?".into());
            args.push(v.into());
        }
        inner.push("settle_date > 0".into());
        figures = format!(
            "SELECT s.id AS sid, d.n, d.trade, d.fee, d.refund, d.trade - d.fee - d.refund AS net
             FROM settlements s JOIN (
                SELECT settle_date, merchant_id, sum(txn_count) AS n,
                    sum(CASE WHEN status = 'success' AND txn_type IN ('sale', 'completion')
                        THEN amount_fen ELSE 0 END) AS trade,
                    sum(CASE WHEN status = 'success' AND txn_type IN ('sale', 'completion')
                        THEN fee_fen ELSE 0 END) AS fee,
                    sum(CASE WHEN status = 'success' AND txn_type = 'refund'
                        THEN amount_fen ELSE 0 END) AS refund
                FROM txn_daily WHERE {} GROUP BY settle_date, merchant_id
                HAVING sum(txn_count) > 0
             ) d ON d.settle_date = s.settle_date AND d.merchant_id = s.merchant_id",
            inner.join(" AND ")
        );
    }
    if let Some(v) = f.from_date {
        conds.push("s.settle_date >= ?".into());
        args.push(v.into());
    }
    if let Some(v) = f.to_date {
        conds.push("s.settle_date <= ?".into());
        args.push(v.into());
    }
    if let Some(v) = f.merchant_id {
        conds.push("s.merchant_id = ?".into());
        args.push(v.into());
    }
    if let Some(v) = &f.status {
        conds.push("s.status = ?".into());
        args.push(v.clone().into());
    }
    if let Some(v) = f.id {
        conds.push("s.id = ?".into());
        args.push(v.into());
    }
    let cond = if conds.is_empty() {
        "1 = 1".to_string()
    } else {
        conds.join(" AND ")
    };
    (
        format!(
            "FROM settlements s JOIN merchants m ON m.id = s.merchant_id
             JOIN ({figures} WHERE {cond}) f ON f.sid = s.id"
        ),
        args,
    )
}

const COLS: &str = "s.id, s.merchant_id, m.merchant_no, m.name, m.name_en, s.settle_date, f.n,
    f.trade, f.fee, f.refund, f.net, s.status, s.created_ms";

fn settlement_row(r: &Row) -> SqlResult<SettlementRow> {
    Ok(SettlementRow {
        id: r.get(0)?,
        merchant_id: r.get(1)?,
        merchant_no: r.get(2)?,
        merchant_name: r.get(3)?,
        merchant_name_en: r.get(4)?,
        settle_date: r.get(5)?,
        txn_count: r.get(6)?,
        trade_fen: r.get(7)?,
        fee_fen: r.get(8)?,
        refund_fen: r.get(9)?,
        net_fen: r.get(10)?,
        status: super::coded(r, 11)?,
        created_ms: r.get(12)?,
    })
}

/// Rows `offset..offset + limit`, newest settlement date first, then by merchant number.
/// (A settlement is one merchant's day: a few thousand rows a year, so OFFSET is cheap.)
pub fn page(
    conn: &Db,
    f: &SettlementFilter,
    offset: usize,
    limit: usize,
) -> SqlResult<Vec<SettlementRow>> {
    let (src, args) = source(f);
    let sql = format!(
        "SELECT {COLS} {src} ORDER BY s.settle_date DESC, m.merchant_no LIMIT {limit} OFFSET {offset}"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st
        .query_map(params_from_iter(args), settlement_row)?
        .collect();
    rows
}

pub fn totals(conn: &Db, f: &SettlementFilter) -> SqlResult<SettlementTotals> {
    let (src, args) = source(f);
    let sql = format!(
        "SELECT count(*), coalesce(sum(f.n), 0), coalesce(sum(f.trade), 0),
            coalesce(sum(f.fee), 0), coalesce(sum(f.refund), 0), coalesce(sum(f.net), 0) {src}"
    );
    conn.query_row(&sql, params_from_iter(args), |r| {
        Ok(SettlementTotals {
            settlements: r.get(0)?,
            txn_count: r.get(1)?,
            trade_fen: r.get(2)?,
            fee_fen: r.get(3)?,
            refund_fen: r.get(4)?,
            net_fen: r.get(5)?,
        })
    })
}

/// One settlement as the scope sees it.
pub fn one(conn: &Db, id: i64, group_scope: Option<Vec<i64>>) -> SqlResult<Option<SettlementRow>> {
    let f = SettlementFilter {
        id: Some(id),
        group_scope,
        ..Default::default()
    };
    let (src, args) = source(&f);
    conn.query_row(
        &format!("SELECT {COLS} {src}"),
        params_from_iter(args),
        settlement_row,
    )
    .optional()
}
