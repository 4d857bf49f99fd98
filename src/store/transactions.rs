//! Transactions: inserting, filtered keyset paging, totals and detail.

use super::{allowed, coded, Db};
use crate::domain::txn::{CardType, TxnStatus, TxnType};
use crate::store::sql::{params, params_from_iter, OptionalExtension, Row, Value};
use crate::store::SqlResult;

/// What a transaction query asks for. Every field narrows the result; `group_scope` is the
/// operator's terminal-group limit and is always applied by the service.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TxnFilter {
    /// Half-open range of transaction times [from, to) in unix ms.
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub terminal_no: Option<String>,
    pub txn_type: Option<String>,
    pub status: Option<String>,
    pub rrn: Option<String>,
    pub merchant_id: Option<i64>,
    pub card_org: Option<String>,
    pub card_type: Option<String>,
    pub bank_code: Option<String>,
    pub min_fen: Option<i64>,
    pub max_fen: Option<i64>,
    pub card_last4: Option<String>,
    pub batch_no: Option<String>,
    pub auth_code: Option<String>,
    pub settlement_id: Option<i64>,
    /// `None`: every terminal. `Some(groups)`: only terminals in these groups.
    pub group_scope: Option<Vec<i64>>,
    /// The order of the pages: by amount (largest first) instead of by time (newest first);
    /// ties by id either way, so every row has one place and keyset paging works at any depth.
    pub by_amount: bool,
    /// The order a whole result is written in (an export): smallest (oldest) first instead of
    /// largest (newest) first. The pages read either end by [`PageAt`]; this only says which
    /// way a writer walks them.
    pub ascending: bool,
}

impl TxnFilter {
    /// The column the pages are ordered by (then `t.id`).
    fn order_col(&self) -> &'static str {
        if self.by_amount {
            "t.amount_fen"
        } else {
            "t.txn_ms"
        }
    }
}

/// The position of a row in the filter's order, largest first: `value` is its time, or its
/// amount when the filter orders by amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TxnKey {
    pub value: i64,
    pub id: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageAt {
    /// The newest rows.
    First,
    /// Rows older than the key (the next page).
    After(TxnKey),
    /// Rows newer than the key (the previous page).
    Before(TxnKey),
    /// The oldest `n` rows (the last page holds the remainder).
    Last(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TxnRow {
    pub id: i64,
    pub rrn: String,
    pub voucher_no: String,
    pub batch_no: String,
    pub merchant_id: i64,
    pub merchant_no: String,
    pub merchant_name: String,
    pub merchant_name_en: String,
    pub terminal_no: String,
    pub txn_ms: i64,
    pub trade_date: i32,
    pub txn_type: TxnType,
    pub status: TxnStatus,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub card_masked: String,
    pub card_org: String,
    pub card_type: CardType,
    pub bank_code: String,
    pub bank_name: String,
    pub bank_name_en: String,
    pub auth_code: String,
    pub pos_operator: String,
    pub order_no: Option<String>,
    pub settle_date: Option<i32>,
    pub settlement_id: Option<i64>,
    pub refunded_fen: i64,
}

impl TxnRow {
    /// The row's position in `filter`'s order.
    pub fn key_in(&self, filter: &TxnFilter) -> TxnKey {
        TxnKey {
            value: if filter.by_amount {
                self.amount_fen
            } else {
                self.txn_ms
            },
            id: self.id,
        }
    }
}

const ROW_COLS: &str =
    "t.id, t.rrn, t.voucher_no, t.batch_no, t.merchant_id, m.merchant_no, m.name,
    tm.terminal_no, t.txn_ms, t.trade_date, t.txn_type, t.status, t.amount_fen, t.fee_fen,
    t.card_masked, t.card_org, t.card_type, t.bank_code, b.name_zh, b.name_en, t.auth_code,
    t.pos_operator, t.order_no, t.settle_date, t.settlement_id, t.refunded_fen, m.name_en";

const ROW_JOINS: &str = "JOIN merchants m ON m.id = t.merchant_id
    JOIN terminals tm ON tm.id = t.terminal_id
    JOIN banks b ON b.code = t.bank_code";

fn txn_row(r: &Row) -> SqlResult<TxnRow> {
    Ok(TxnRow {
        id: r.get(0)?,
        rrn: r.get(1)?,
        voucher_no: r.get(2)?,
        batch_no: r.get(3)?,
        merchant_id: r.get(4)?,
        merchant_no: r.get(5)?,
        merchant_name: r.get(6)?,
        terminal_no: r.get(7)?,
        txn_ms: r.get(8)?,
        trade_date: r.get(9)?,
        txn_type: coded(r, 10)?,
        status: coded(r, 11)?,
        amount_fen: r.get(12)?,
        fee_fen: r.get(13)?,
        card_masked: r.get(14)?,
        card_org: r.get(15)?,
        card_type: coded(r, 16)?,
        bank_code: r.get(17)?,
        bank_name: r.get(18)?,
        bank_name_en: r.get(19)?,
        auth_code: r.get(20)?,
        pos_operator: r.get(21)?,
        order_no: r.get(22)?,
        settle_date: r.get(23)?,
        settlement_id: r.get(24)?,
        refunded_fen: r.get(25)?,
        merchant_name_en: r.get(26)?,
    })
}

/// The WHERE clause (over alias `t`) and its parameters; the summaries use it too.
pub(crate) fn where_clause(f: &TxnFilter) -> (String, Vec<Value>) {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    let mut push = |cond: &str, v: Value| {
        conds.push(cond.to_string());
        args.push(v);
    };
    if let Some(v) = f.from_ms {
        push("t.txn_ms >= ?", v.into());
    }
    if let Some(v) = f.to_ms {
        push("t.txn_ms < ?", v.into());
    }
    if let Some(v) = &f.terminal_no {
        push(
            "t.terminal_id = (SELECT id FROM terminals WHERE terminal_no = ?)",
            v.clone().into(),
        );
    }
    if let Some(v) = &f.txn_type {
        push("t.txn_type = ?", v.clone().into());
    }
    if let Some(v) = &f.status {
        push("t.status = ?", v.clone().into());
    }
    if let Some(v) = &f.rrn {
        push("t.rrn = ?", v.clone().into());
    }
    if let Some(v) = f.merchant_id {
        push("t.merchant_id = ?", v.into());
    }
    if let Some(v) = &f.card_org {
        push("t.card_org = ?", v.clone().into());
    }
    if let Some(v) = &f.card_type {
        push("t.card_type = ?", v.clone().into());
    }
    if let Some(v) = &f.bank_code {
        push("t.bank_code = ?", v.clone().into());
    }
    if let Some(v) = f.min_fen {
        push("t.amount_fen >= ?", v.into());
    }
    if let Some(v) = f.max_fen {
        push("t.amount_fen <= ?", v.into());
    }
    if let Some(v) = &f.card_last4 {
        push("t.card_last4 = ?", v.clone().into());
    }
    if let Some(v) = &f.batch_no {
        push("t.batch_no = ?", v.clone().into());
    }
    if let Some(v) = &f.auth_code {
        push("t.auth_code = ?", v.clone().into());
    }
    if let Some(v) = f.settlement_id {
        push("t.settlement_id = ?", v.into());
    }
    if let Some(groups) = &f.group_scope {
        conds.push(format!(
            "t.terminal_id IN (SELECT id FROM terminals WHERE group_id IN ({}))",
            super::placeholders(groups.len())
        ));
        args.extend(groups.iter().map(|g| Value::from(*g)));
    }
    let sql = if conds.is_empty() {
        "1 = 1".to_string()
    } else {
        conds.join(" AND ")
    };
    (sql, args)
}

/// One page of rows in the filter's order, largest (newest) first.
pub fn page(conn: &Db, filter: &TxnFilter, at: PageAt, limit: usize) -> SqlResult<Vec<TxnRow>> {
    let (cond, mut args) = where_clause(filter);
    let col = filter.order_col();
    let (key_cond, order, limit, reverse) = match at {
        PageAt::First => (String::new(), "DESC", limit, false),
        PageAt::After(k) => {
            args.push(k.value.into());
            args.push(k.id.into());
            (format!(" AND ({col}, t.id) < (?, ?)"), "DESC", limit, false)
        }
        PageAt::Before(k) => {
            args.push(k.value.into());
            args.push(k.id.into());
            (format!(" AND ({col}, t.id) > (?, ?)"), "ASC", limit, true)
        }
        PageAt::Last(n) => (String::new(), "ASC", n, true),
    };
    let sql = format!(
        "SELECT {ROW_COLS} FROM transactions t {ROW_JOINS}
         WHERE {cond}{key_cond} ORDER BY {col} {order}, t.id {order} LIMIT {limit}"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let mut rows: Vec<TxnRow> = st
        .query_map(params_from_iter(args), txn_row)?
        .collect::<SqlResult<_>>()?;
    if reverse {
        rows.reverse();
    }
    Ok(rows)
}

/// The key of the row at `offset` in newest-first order (or oldest-first with `from_end`), read
/// from the index alone, so jumping deep into a result does not fetch the rows it skips.
pub fn key_at(
    conn: &Db,
    filter: &TxnFilter,
    offset: usize,
    from_end: bool,
) -> SqlResult<Option<TxnKey>> {
    let (cond, args) = where_clause(filter);
    let order = if from_end { "ASC" } else { "DESC" };
    let col = filter.order_col();
    let sql = format!(
        "SELECT {col}, t.id FROM transactions t WHERE {cond}
         ORDER BY {col} {order}, t.id {order} LIMIT 1 OFFSET {offset}"
    );
    conn.query_row(&sql, params_from_iter(args), |r| {
        Ok(TxnKey {
            value: r.get(0)?,
            id: r.get(1)?,
        })
    })
    .optional()
}

/// Rows in the filter's order starting at a key (inclusive), for a jump.
pub fn page_from(
    conn: &Db,
    filter: &TxnFilter,
    key: TxnKey,
    limit: usize,
) -> SqlResult<Vec<TxnRow>> {
    let (cond, mut args) = where_clause(filter);
    args.push(key.value.into());
    args.push(key.id.into());
    let col = filter.order_col();
    let sql = format!(
        "SELECT {ROW_COLS} FROM transactions t {ROW_JOINS}
         WHERE {cond} AND ({col}, t.id) <= (?, ?) ORDER BY {col} DESC, t.id DESC LIMIT {limit}"
    );
    let mut st = conn.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(args), txn_row)?.collect();
    rows
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub count: i64,
    pub amount_fen: i64,
    pub fee_fen: i64,
}

pub fn totals(conn: &Db, filter: &TxnFilter) -> SqlResult<Totals> {
    let (cond, args) = where_clause(filter);
    let sql = format!(
        "SELECT count(*), coalesce(sum(t.amount_fen), 0), coalesce(sum(t.fee_fen), 0)
         FROM transactions t WHERE {cond}"
    );
    conn.query_row(&sql, params_from_iter(args), |r| {
        Ok(Totals {
            count: r.get(0)?,
            amount_fen: r.get(1)?,
            fee_fen: r.get(2)?,
        })
    })
}

/// The rows of a filter summed as the settlement run sums them (see
/// [`crate::domain::txn::counted`]): for a settlement's transactions, its count, trade, fees and
/// POS refunds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SettledTotals {
    pub count: i64,
    pub trade_fen: i64,
    pub fee_fen: i64,
    pub pos_refund_fen: i64,
}

pub fn settled_totals(conn: &Db, filter: &TxnFilter) -> SqlResult<SettledTotals> {
    let (cond, args) = where_clause(filter);
    let sql = format!(
        "SELECT count(*),
            coalesce(sum(CASE WHEN t.status = 'success' AND t.txn_type IN ('sale', 'completion')
                THEN t.amount_fen END), 0),
            coalesce(sum(CASE WHEN t.status = 'success' AND t.txn_type IN ('sale', 'completion')
                THEN t.fee_fen END), 0),
            coalesce(sum(CASE WHEN t.status = 'success' AND t.txn_type = 'refund'
                THEN t.amount_fen END), 0)
         FROM transactions t WHERE {cond}"
    );
    conn.query_row(&sql, params_from_iter(args), |r| {
        Ok(SettledTotals {
            count: r.get(0)?,
            trade_fen: r.get(1)?,
            fee_fen: r.get(2)?,
            pos_refund_fen: r.get(3)?,
        })
    })
}

/// A list's rows by what they mean: successful sales and completions (trade, with their fees),
/// successful refunds, successful voids, and the failed and reversed apart. Voided sales are in
/// none of these: their void cancels them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Breakdown {
    pub trade_count: i64,
    pub trade_fen: i64,
    pub fee_fen: i64,
    pub refund_count: i64,
    pub refund_fen: i64,
    pub void_count: i64,
    pub void_fen: i64,
    pub failed_count: i64,
    pub failed_fen: i64,
}

impl Breakdown {
    /// What the settlement pays for these rows: trade less fees less refunds.
    pub fn net_fen(&self) -> i64 {
        self.trade_fen - self.fee_fen - self.refund_fen
    }
}

pub fn breakdown(conn: &Db, filter: &TxnFilter) -> SqlResult<Breakdown> {
    let (cond, args) = where_clause(filter);
    let trade = "t.status = 'success' AND t.txn_type IN ('sale', 'completion')";
    let refund = "t.status = 'success' AND t.txn_type = 'refund'";
    let void = "t.status = 'success' AND t.txn_type = 'void'";
    let failed = "t.status IN ('failed', 'reversed')";
    let sql = format!(
        "SELECT
            coalesce(sum(CASE WHEN {trade} THEN 1 END), 0),
            coalesce(sum(CASE WHEN {trade} THEN t.amount_fen END), 0),
            coalesce(sum(CASE WHEN {trade} THEN t.fee_fen END), 0),
            coalesce(sum(CASE WHEN {refund} THEN 1 END), 0),
            coalesce(sum(CASE WHEN {refund} THEN t.amount_fen END), 0),
            coalesce(sum(CASE WHEN {void} THEN 1 END), 0),
            coalesce(sum(CASE WHEN {void} THEN t.amount_fen END), 0),
            coalesce(sum(CASE WHEN {failed} THEN 1 END), 0),
            coalesce(sum(CASE WHEN {failed} THEN t.amount_fen END), 0)
         FROM transactions t WHERE {cond}"
    );
    conn.query_row(&sql, params_from_iter(args), |r| {
        Ok(Breakdown {
            trade_count: r.get(0)?,
            trade_fen: r.get(1)?,
            fee_fen: r.get(2)?,
            refund_count: r.get(3)?,
            refund_fen: r.get(4)?,
            void_count: r.get(5)?,
            void_fen: r.get(6)?,
            failed_count: r.get(7)?,
            failed_fen: r.get(8)?,
        })
    })
}

pub fn by_id(conn: &Db, id: i64) -> SqlResult<Option<TxnRow>> {
    conn.prepare_cached(&format!(
        "SELECT {ROW_COLS} FROM transactions t {ROW_JOINS} WHERE t.id = ?1"
    ))?
    .query_row([id], txn_row)
    .optional()
}

/// The group of the terminal a transaction was made on (for scope checks).
pub fn terminal_group_of(conn: &Db, txn_id: i64) -> SqlResult<Option<i64>> {
    conn.prepare_cached(
        "SELECT tm.group_id FROM transactions t JOIN terminals tm ON tm.id = t.terminal_id
         WHERE t.id = ?1",
    )?
    .query_row([txn_id], |r| r.get(0))
    .optional()
    .map(Option::flatten)
}

/// A transaction as the acquirer's link reports it (borrowed: a bulk load writes millions).
#[derive(Debug, Clone)]
pub struct NewTxn<'a> {
    pub rrn: &'a str,
    pub voucher_no: &'a str,
    pub batch_no: &'a str,
    pub merchant_id: i64,
    pub terminal_id: i64,
    pub txn_ms: i64,
    pub trade_date: i32,
    pub txn_type: TxnType,
    pub status: TxnStatus,
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub card_masked: &'a str,
    pub card_org: &'a str,
    pub card_type: &'a str,
    pub bank_code: &'a str,
    pub auth_code: &'a str,
    pub pos_operator: &'a str,
    pub order_no: Option<&'a str>,
    pub orig_txn_id: Option<i64>,
}

/// A prepared insert, reused for bulk loads.
pub struct TxnInserter<'c> {
    st: crate::store::sql::Stmt<'c>,
}

impl<'c> TxnInserter<'c> {
    pub fn new(conn: &'c Db<'c>) -> SqlResult<Self> {
        Ok(TxnInserter {
            st: conn.prepare_cached(
                "INSERT INTO transactions (rrn, voucher_no, batch_no, merchant_id, terminal_id,
                    txn_ms, trade_date, txn_type, status, amount_fen, fee_fen, card_masked,
                    card_last4, card_org, card_type, bank_code, auth_code, pos_operator, order_no,
                    orig_txn_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, substr(?12, length(?12) - 3), ?13,
                    ?14, ?15, ?16, ?17, ?18, ?19)",
            )?,
        })
    }

    /// Inserts one row and returns its id.
    pub fn insert(&mut self, t: &NewTxn<'_>) -> SqlResult<i64> {
        self.st.insert(params![
            t.rrn,
            t.voucher_no,
            t.batch_no,
            t.merchant_id,
            t.terminal_id,
            t.txn_ms,
            t.trade_date,
            t.txn_type.code(),
            t.status.code(),
            t.amount_fen,
            t.fee_fen,
            t.card_masked,
            t.card_org,
            t.card_type,
            t.bank_code,
            t.auth_code,
            t.pos_operator,
            t.order_no,
            t.orig_txn_id
        ])
    }
}

/// Changes a transaction's status as the domain allows (a sale voided or reversed).
pub fn mark_status(conn: &Db, id: i64, from: TxnStatus, to: TxnStatus) -> SqlResult<bool> {
    allowed(from, to)?;
    let n = conn
        .prepare_cached("UPDATE transactions SET status = ?3 WHERE id = ?1 AND status = ?2")?
        .execute(params![id, from.code(), to.code()])?;
    Ok(n == 1)
}

/// Takes `n` numbers of the sequence `name` inside the caller's (writing) transaction and
/// returns the first: concurrent writers each get their own.
pub fn take_sequence(conn: &Db, name: &str, n: u64) -> SqlResult<u64> {
    conn.prepare_cached(
        "UPDATE sequences SET next = next + ?2 WHERE name = ?1 RETURNING next - ?2",
    )?
    .query_row(params![name, n as i64], |r| r.get::<i64>(0))
    .map(|v| v as u64)
}

/// The highest voucher number of a terminal's batch among its transactions in [from, to) ms.
pub fn last_voucher(
    conn: &Db,
    terminal_id: i64,
    batch_no: &str,
    from_ms: i64,
    to_ms: i64,
) -> SqlResult<u32> {
    conn.prepare_cached(
        "SELECT coalesce(max(CAST(voucher_no AS INTEGER)), 0) FROM transactions
         WHERE terminal_id = ?1 AND txn_ms >= ?3 AND txn_ms < ?4 AND batch_no = ?2",
    )?
    .query_row(params![terminal_id, batch_no, from_ms, to_ms], |r| {
        r.get::<i64>(0)
    })
    .map(|v| v as u32)
}

/// Marks a sale voided. A void cancels the sale, its fee included: nothing is charged for it.
/// Voids a captured sale: its status as the domain allows, and its fee cancelled with it.
pub fn void_sale(conn: &Db, id: i64) -> SqlResult<bool> {
    allowed(TxnStatus::Success, TxnStatus::Voided)?;
    let n = conn
        .prepare_cached(
            "UPDATE transactions SET status = 'voided', fee_fen = 0
             WHERE id = ?1 AND status = 'success'",
        )?
        .execute([id])?;
    Ok(n == 1)
}

pub fn add_refunded(conn: &Db, id: i64, fen: i64) -> SqlResult<()> {
    conn.prepare_cached("UPDATE transactions SET refunded_fen = refunded_fen + ?2 WHERE id = ?1")?
        .execute(params![id, fen])?;
    Ok(())
}

pub fn count(conn: &Db) -> SqlResult<i64> {
    conn.prepare_cached("SELECT count(*) FROM transactions")?
        .query_row(params![], |r| r.get(0))
}

/// The newest RRN (to continue numbering) and the count.
pub fn max_rrn(conn: &Db) -> SqlResult<Option<String>> {
    conn.prepare_cached("SELECT max(rrn) FROM transactions")?
        .query_row(params![], |r| r.get(0))
}

/// The id of the transaction with this reference number.
pub fn id_by_rrn(conn: &Db, rrn: &str) -> SqlResult<Option<i64>> {
    conn.prepare_cached("SELECT id FROM transactions WHERE rrn = ?1")?
        .query_row([rrn], |r| r.get(0))
        .optional()
}
