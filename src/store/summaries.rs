//! Summaries of a transaction result (T6) — by trade date, settlement date, merchant or card
//! organisation — read from the daily rollups (`txn_daily`) when the filter only uses what the
//! rollups keep, else from a GROUP BY over the rows. Also the per-minute counts of the monitor.

use super::Db;
use crate::store::sql::{params, params_from_iter, Row, Value};
use crate::store::SqlResult;

use super::transactions::TxnFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupBy {
    TradeDate,
    SettleDate,
    Merchant,
    CardOrg,
}

impl GroupBy {
    pub const ALL: [GroupBy; 4] = [
        GroupBy::TradeDate,
        GroupBy::SettleDate,
        GroupBy::Merchant,
        GroupBy::CardOrg,
    ];
}

/// One group of a summary. `key` is the trade or settlement date as `YYYYMMDD` (`0` for "not
/// settled yet"), the merchant number, or the card organisation code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub key: String,
    pub name: String,
    pub name_en: String,
    pub count: i64,
    pub amount_fen: i64,
    pub fee_fen: i64,
    /// What the group adds to settlements: captured sales and completions, less their fees,
    /// less captured refunds.
    pub net_fen: i64,
}

/// What the daily rollups can answer: whole trade dates and the dimensions `txn_daily` keeps.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DailyFilter {
    /// Inclusive trade-date range, `YYYYMMDD`.
    pub from_date: Option<i32>,
    pub to_date: Option<i32>,
    pub merchant_id: Option<i64>,
    pub terminal_no: Option<String>,
    pub txn_type: Option<String>,
    pub status: Option<String>,
    pub card_org: Option<String>,
    pub card_type: Option<String>,
    /// A settlement is one merchant's rows of one settlement date.
    pub settle_date: Option<i32>,
    pub group_scope: Option<Vec<i64>>,
}

/// The net a row adds to settlements (over alias `x`).
const NET: &str = "CASE WHEN x.status = 'success' AND x.txn_type IN ('sale', 'completion')
        THEN x.amount_fen - x.fee_fen WHEN x.status = 'success' AND x.txn_type = 'refund'
        THEN -x.amount_fen ELSE 0 END";

/// (group expression over alias `x`, the key and names it shows, order). Names are looked up
/// per group, not joined per row.
fn grouping(by: GroupBy, settle_col: &str) -> (String, String, &'static str) {
    match by {
        GroupBy::TradeDate => (
            "x.trade_date".into(),
            "x.trade_date, '', ''".into(),
            "ORDER BY 1 DESC",
        ),
        GroupBy::SettleDate => (
            settle_col.into(),
            format!("{settle_col}, '', ''"),
            "ORDER BY 1 = 0 DESC, 1 DESC",
        ),
        GroupBy::Merchant => (
            "x.merchant_id".into(),
            "(SELECT merchant_no FROM merchants WHERE id = x.merchant_id),
             (SELECT name FROM merchants WHERE id = x.merchant_id),
             (SELECT name_en FROM merchants WHERE id = x.merchant_id)"
                .into(),
            "ORDER BY 1",
        ),
        GroupBy::CardOrg => (
            "x.card_org".into(),
            "x.card_org, (SELECT name_zh FROM card_orgs WHERE code = x.card_org),
             (SELECT name_en FROM card_orgs WHERE code = x.card_org)"
                .into(),
            "ORDER BY (SELECT rowid FROM card_orgs WHERE code = x.card_org)",
        ),
    }
}

fn summary_row(r: &Row) -> SqlResult<SummaryRow> {
    let key: Value = r.get(0)?;
    let key = match key {
        Value::Integer(i) => i.to_string(),
        Value::Text(s) => s,
        Value::Null => "0".into(),
        other => format!("{other:?}"),
    };
    Ok(SummaryRow {
        key,
        name: r.get(1)?,
        name_en: r.get(2)?,
        count: r.get(3)?,
        amount_fen: r.get(4)?,
        fee_fen: r.get(5)?,
        net_fen: r.get(6)?,
    })
}

/// A summary from the daily rollups.
pub fn from_rollups(conn: &Db, f: &DailyFilter, by: GroupBy) -> SqlResult<Vec<SummaryRow>> {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut push = |c: &str, v: Value| {
        conds.push(c.to_string());
        args.push(v);
    };
    if let Some(v) = f.from_date {
        push("x.trade_date >= ?", v.into());
    }
    if let Some(v) = f.to_date {
        push("x.trade_date <= ?", v.into());
    }
    if let Some(v) = f.merchant_id {
        push("x.merchant_id = ?", v.into());
    }
    if let Some(v) = &f.terminal_no {
        push(
            "x.terminal_id = (SELECT id FROM terminals WHERE terminal_no = ?)",
            v.clone().into(),
        );
    }
    if let Some(v) = &f.txn_type {
        push("x.txn_type = ?", v.clone().into());
    }
    if let Some(v) = &f.status {
        push("x.status = ?", v.clone().into());
    }
    if let Some(v) = &f.card_org {
        push("x.card_org = ?", v.clone().into());
    }
    if let Some(v) = &f.card_type {
        push("x.card_type = ?", v.clone().into());
    }
    if let Some(v) = f.settle_date {
        push("x.settle_date = ?", v.into());
    }
    if let Some(groups) = &f.group_scope {
        conds.push(format!(
            "x.terminal_id IN (SELECT id FROM terminals WHERE group_id IN ({}))",
            super::placeholders(groups.len())
        ));
        args.extend(groups.iter().map(|g| Value::from(*g)));
    }
    let cond = if conds.is_empty() {
        "1 = 1".to_string()
    } else {
        conds.join(" AND ")
    };
    let (group, shown, order) = grouping(by, "x.settle_date");
    let sql = format!(
        "SELECT {shown}, sum(x.txn_count), sum(x.amount_fen), sum(x.fee_fen), sum({NET})
         FROM txn_daily x WHERE {cond}
         GROUP BY {group} HAVING sum(x.txn_count) > 0 {order}"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(args), summary_row)?.collect();
    rows
}

/// A summary by GROUP BY over the transactions themselves (any filter).
pub fn from_rows(conn: &Db, f: &TxnFilter, by: GroupBy) -> SqlResult<Vec<SummaryRow>> {
    // The list's own WHERE builder (over alias `t`), so the summary selects exactly its rows;
    // SQLite flattens the subquery.
    let (cond, args) = super::transactions::where_clause(f);
    let (group, shown, order) = grouping(by, "coalesce(x.settle_date, 0)");
    let sql = format!(
        "SELECT {shown}, count(*), coalesce(sum(x.amount_fen), 0),
            coalesce(sum(x.fee_fen), 0), coalesce(sum({NET}), 0)
         FROM (SELECT * FROM transactions t WHERE {cond}) x GROUP BY {group} {order}"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(args), summary_row)?.collect();
    rows
}

/// The merchant and settlement date of a settlement, for a rollup filter.
pub fn settlement_key(conn: &Db, settlement_id: i64) -> SqlResult<Option<(i64, i32)>> {
    use crate::store::sql::OptionalExtension;
    conn.query_row(
        "SELECT merchant_id, settle_date FROM settlements WHERE id = ?1",
        [settlement_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// Transactions per minute over `minutes` minutes ending at `to_ms` (exclusive), oldest first,
/// within the terminal-group scope.
pub fn per_minute(
    conn: &Db,
    group_scope: Option<&[i64]>,
    to_ms: i64,
    minutes: usize,
) -> SqlResult<Vec<u64>> {
    let from_ms = to_ms - minutes as i64 * 60_000;
    let mut args: Vec<Value> = vec![from_ms.into(), from_ms.into(), to_ms.into()];
    let scope = match group_scope {
        Some(groups) => {
            args.extend(groups.iter().map(|g| Value::from(*g)));
            format!(
                " AND x.terminal_id IN (SELECT id FROM terminals WHERE group_id IN ({}))",
                super::placeholders(groups.len())
            )
        }
        None => String::new(),
    };
    let sql = format!(
        "SELECT (x.txn_ms - ?) / 60000, count(*) FROM transactions x
         WHERE x.txn_ms >= ? AND x.txn_ms < ?{scope} GROUP BY 1"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut out = vec![0u64; minutes];
    let rows = st.query_map(params_from_iter(args), |r| {
        Ok((r.get::<i64>(0)?, r.get::<i64>(1)?))
    })?;
    for row in rows {
        let (i, n) = row?;
        if let Some(slot) = out.get_mut(i as usize) {
            *slot = n as u64;
        }
    }
    Ok(out)
}

/// For building a new file in bulk (the demo generator), which nobody else uses meanwhile:
/// drops the triggers that keep the daily rollups row by row, returning their SQL for
/// [`restore_rollup_triggers`]; the builder sums each finished span with [`add_rollups`].
pub fn drop_rollup_triggers(conn: &Db) -> SqlResult<Vec<String>> {
    let triggers: Vec<(String, String)> = conn
        .prepare(
            "SELECT name, sql FROM sqlite_schema
             WHERE type = 'trigger' AND tbl_name = 'transactions' AND name LIKE 'txn_daily_%'",
        )?
        .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<SqlResult<_>>()?;
    for (name, _) in &triggers {
        conn.execute_batch(&format!("DROP TRIGGER {name}"))?;
    }
    Ok(triggers.into_iter().map(|(_, sql)| sql).collect())
}

/// Adds to the rollups the transactions made in [from_ms, to_ms), summed as the triggers sum
/// them; for a span no rollup holds yet and whose rows no longer change.
pub fn add_rollups(conn: &Db, from_ms: i64, to_ms: i64) -> SqlResult<usize> {
    conn.prepare_cached(
        "INSERT INTO txn_daily
         SELECT trade_date, coalesce(settle_date, 0), merchant_id, terminal_id, txn_type, status,
                card_org, card_type, count(*), sum(amount_fen), sum(fee_fen)
         FROM transactions WHERE txn_ms >= ?1 AND txn_ms < ?2
         GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
         ON CONFLICT (trade_date, settle_date, merchant_id, terminal_id, txn_type, status,
            card_org, card_type)
         DO UPDATE SET txn_count = txn_daily.txn_count + excluded.txn_count,
            amount_fen = txn_daily.amount_fen + excluded.amount_fen,
            fee_fen = txn_daily.fee_fen + excluded.fee_fen",
    )?
    .execute([from_ms, to_ms])
}

pub fn restore_rollup_triggers(conn: &Db, triggers: &[String]) -> SqlResult<()> {
    for sql in triggers {
        conn.execute_batch(sql)?;
    }
    Ok(())
}
