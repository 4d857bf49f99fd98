//! Reconciliation runs (schema v10): files by SHA-256, runs per merchant and clearing date, the
//! file's rows with what they matched, and the exceptions with their resolutions. Portable SQL:
//! numbered placeholders, `coalesce`, `RETURNING id`, `CASE` sums.

use std::collections::HashSet;

use crate::domain::recon::{Category, ExceptionStatus, LocalRow, Pass, Resolution, RunStatus};
use crate::domain::txn::{TxnStatus, TxnType};
use crate::store::sql::{params, OptionalExtension, Row};
use crate::store::SqlResult;

use super::{coded, Db};

/// A resolution carried to a new run: (resolution, remark, by, when, from exception).
pub type Carried = (Resolution, String, Option<i64>, i64, i64);
/// Per category: (category, count, open, file-side fen, local-side fen).
pub type CategoryTotal = (Category, i64, i64, i64, i64);
/// A matched row: (line, reference, pass, amount fen, transaction).
pub type MatchedRow = (i64, String, Pass, i64, i64);
/// A resolved exception: (category, key, resolution, remark, by, when, id).
pub type ResolvedRow = (Category, String, Resolution, String, Option<i64>, i64, i64);

/// A file imported before: when, and its first run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSeen {
    pub file_id: i64,
    pub imported_ms: i64,
    pub run_id: Option<i64>,
}

pub fn file_by_sha(db: &Db, sha256: &str) -> SqlResult<Option<FileSeen>> {
    db.prepare_cached(
        "SELECT f.id, f.imported_ms, (SELECT min(r.id) FROM recon_runs r WHERE r.file_id = f.id)
         FROM recon_files f WHERE f.sha256 = ?1",
    )?
    .query_row(params![sha256], |r| {
        Ok(FileSeen {
            file_id: r.get(0)?,
            imported_ms: r.get(1)?,
            run_id: r.get(2)?,
        })
    })
    .optional()
}

pub struct NewFile<'a> {
    pub sha256: &'a str,
    pub file_name: &'a str,
    pub profile: &'a str,
    pub recon_date: i32,
    pub size_bytes: i64,
    pub row_count: i64,
    pub imported_by: i64,
    pub imported_ms: i64,
}

pub fn insert_file(db: &Db, f: &NewFile) -> SqlResult<i64> {
    db.prepare_cached(
        "INSERT INTO recon_files (sha256, file_name, profile, recon_date, size_bytes, row_count,
            imported_by, imported_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
    )?
    .query_row(
        params![
            f.sha256,
            f.file_name,
            f.profile,
            f.recon_date,
            f.size_bytes,
            f.row_count,
            f.imported_by,
            f.imported_ms
        ],
        |r| r.get(0),
    )
}

/// The active run of a merchant and date.
pub fn active_run(db: &Db, merchant_id: i64, date: i32) -> SqlResult<Option<i64>> {
    db.prepare_cached(
        "SELECT id FROM recon_runs WHERE merchant_id = ?1 AND recon_date = ?2 AND status = 'active'",
    )?
    .query_row(params![merchant_id, date], |r| r.get(0))
    .optional()
}

pub fn supersede(db: &Db, run_id: i64) -> SqlResult<()> {
    db.execute(
        "UPDATE recon_runs SET status = 'superseded' WHERE id = ?1 AND status = 'active'",
        params![run_id],
    )?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct NewRun {
    pub file_id: i64,
    pub merchant_id: i64,
    pub recon_date: i32,
    pub supersedes: Option<i64>,
    pub file_rows: i64,
    pub local_rows: i64,
    pub matched_rows: i64,
    pub file_amount_fen: i64,
    pub file_fee_fen: i64,
    pub local_amount_fen: i64,
    pub local_fee_fen: i64,
    pub matched_net_fen: i64,
    pub settlement_net_fen: Option<i64>,
    pub created_ms: i64,
}

pub fn insert_run(db: &Db, r: &NewRun) -> SqlResult<i64> {
    db.prepare_cached(
        "INSERT INTO recon_runs (file_id, merchant_id, recon_date, status, supersedes, file_rows,
            local_rows, matched_rows, file_amount_fen, file_fee_fen, local_amount_fen,
            local_fee_fen, matched_net_fen, settlement_net_fen, created_ms)
         VALUES (?1, ?2, ?3, 'active', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
         RETURNING id",
    )?
    .query_row(
        params![
            r.file_id,
            r.merchant_id,
            r.recon_date,
            r.supersedes,
            r.file_rows,
            r.local_rows,
            r.matched_rows,
            r.file_amount_fen,
            r.file_fee_fen,
            r.local_amount_fen,
            r.local_fee_fen,
            r.matched_net_fen,
            r.settlement_net_fen,
            r.created_ms
        ],
        |r| r.get(0),
    )
}

/// The counts that are known only after the rows are in.
pub fn set_run_totals(db: &Db, run_id: i64, r: &NewRun) -> SqlResult<()> {
    db.execute(
        "UPDATE recon_runs SET file_rows = ?2, local_rows = ?3, matched_rows = ?4,
            file_amount_fen = ?5, file_fee_fen = ?6, local_amount_fen = ?7, local_fee_fen = ?8,
            matched_net_fen = ?9, settlement_net_fen = ?10
         WHERE id = ?1",
        params![
            run_id,
            r.file_rows,
            r.local_rows,
            r.matched_rows,
            r.file_amount_fen,
            r.file_fee_fen,
            r.local_amount_fen,
            r.local_fee_fen,
            r.matched_net_fen,
            r.settlement_net_fen
        ],
    )?;
    Ok(())
}

/// A file row to keep; the parsed fields are `None` for an unreadable row.
#[derive(Debug, Clone, Default)]
pub struct NewRow<'a> {
    pub run_id: i64,
    pub line_no: i64,
    pub raw: &'a str,
    pub terminal_no: Option<&'a str>,
    pub batch_no: Option<&'a str>,
    pub voucher_no: Option<&'a str>,
    pub rrn: Option<&'a str>,
    pub order_no: Option<&'a str>,
    pub trade_date: Option<i32>,
    pub trade_time: Option<i64>,
    pub txn_type: Option<TxnType>,
    pub status: Option<TxnStatus>,
    pub amount_fen: Option<i64>,
    pub fee_fen: Option<i64>,
    pub card_masked: Option<&'a str>,
    pub txn_id: Option<i64>,
    pub pass: Option<Pass>,
}

pub fn insert_row(db: &Db, r: &NewRow) -> SqlResult<i64> {
    db.prepare_cached(
        "INSERT INTO recon_rows (run_id, line_no, raw, terminal_no, batch_no, voucher_no, rrn,
            order_no, trade_date, trade_time, txn_type, status, amount_fen, fee_fen, card_masked,
            txn_id, pass)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
         RETURNING id",
    )?
    .query_row(
        params![
            r.run_id,
            r.line_no,
            r.raw,
            r.terminal_no,
            r.batch_no,
            r.voucher_no,
            r.rrn,
            r.order_no,
            r.trade_date,
            r.trade_time,
            r.txn_type.map(TxnType::code),
            r.status.map(TxnStatus::code),
            r.amount_fen,
            r.fee_fen,
            r.card_masked,
            r.txn_id,
            r.pass.map(Pass::code)
        ],
        |r| r.get(0),
    )
}

#[derive(Debug, Clone, Default)]
pub struct NewException {
    pub run_id: i64,
    pub category: Option<Category>,
    pub row_id: Option<i64>,
    pub txn_id: Option<i64>,
    pub suggested_txn_id: Option<i64>,
    pub match_key: String,
    pub file_fen: Option<i64>,
    pub local_fen: Option<i64>,
    pub file_value: String,
    pub local_value: String,
    /// Carried over from the superseded run: (resolution, remark, by, ms, from exception).
    pub carried: Option<Carried>,
}

pub fn insert_exception(db: &Db, e: &NewException) -> SqlResult<i64> {
    let (status, resolution, remark, by, ms, from) = match &e.carried {
        Some((res, remark, by, ms, from)) => (
            ExceptionStatus::Resolved,
            Some(res.code()),
            remark.as_str(),
            *by,
            Some(*ms),
            Some(*from),
        ),
        None => (ExceptionStatus::Open, None, "", None, None, None),
    };
    db.prepare_cached(
        "INSERT INTO recon_exceptions (run_id, category, row_id, txn_id, suggested_txn_id,
            match_key, file_fen, local_fen, file_value, local_value, status, resolution, remark,
            resolved_by, resolved_ms, carried_from)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         RETURNING id",
    )?
    .query_row(
        params![
            e.run_id,
            e.category.map(Category::code),
            e.row_id,
            e.txn_id,
            e.suggested_txn_id,
            e.match_key,
            e.file_fen,
            e.local_fen,
            e.file_value,
            e.local_value,
            status.code(),
            resolution,
            remark,
            by,
            ms,
            from
        ],
        |r| r.get(0),
    )
}

/// The local candidates of a merchant: transactions between two moments, with their terminal.
pub fn local_candidates(
    db: &Db,
    merchant_id: i64,
    from_ms: i64,
    to_ms: i64,
) -> SqlResult<Vec<LocalRow>> {
    let mut st = db.prepare_cached(
        "SELECT t.id, m.terminal_no, t.batch_no, t.voucher_no, t.rrn, t.order_no, t.trade_date,
                t.txn_ms, t.txn_type, t.status, t.amount_fen, t.fee_fen, t.card_masked,
                t.settle_date
         FROM transactions t JOIN terminals m ON m.id = t.terminal_id
         WHERE t.merchant_id = ?1 AND t.txn_ms >= ?2 AND t.txn_ms < ?3
         ORDER BY t.txn_ms, t.id",
    )?;
    let v = st
        .query_map(params![merchant_id, from_ms, to_ms], |r| {
            Ok(LocalRow {
                txn_id: r.get(0)?,
                terminal_no: r.get(1)?,
                batch_no: r.get(2)?,
                voucher_no: r.get(3)?,
                rrn: r.get(4)?,
                order_no: r.get(5)?,
                trade_date: r.get(6)?,
                txn_ms: r.get(7)?,
                trade_time: 0,
                txn_type: coded(r, 8)?,
                status: coded(r, 9)?,
                amount_fen: r.get(10)?,
                fee_fen: r.get(11)?,
                card_masked: r.get(12)?,
                settle_date: r.get(13)?,
            })
        })?
        .collect();
    v
}

/// Transactions matched by the merchant's active runs of other dates near this one.
pub fn matched_elsewhere(
    db: &Db,
    merchant_id: i64,
    date: i32,
    from: i32,
    to: i32,
) -> SqlResult<HashSet<i64>> {
    let mut st = db.prepare_cached(
        "SELECT w.txn_id FROM recon_rows w JOIN recon_runs u ON u.id = w.run_id
         WHERE u.merchant_id = ?1 AND u.status = 'active' AND u.recon_date <> ?2
           AND u.recon_date BETWEEN ?3 AND ?4 AND w.txn_id IS NOT NULL",
    )?;
    let v = st
        .query_map(params![merchant_id, date, from, to], |r| r.get(0))?
        .collect::<SqlResult<HashSet<i64>>>();
    v
}

/// The resolved exceptions of a run, for carrying over: (category, key) → resolution.
pub fn resolutions(db: &Db, run_id: i64) -> SqlResult<Vec<ResolvedRow>> {
    let mut st = db.prepare_cached(
        "SELECT category, match_key, resolution, remark, resolved_by, resolved_ms, id
         FROM recon_exceptions WHERE run_id = ?1 AND status = 'resolved'",
    )?;
    let v = st
        .query_map(params![run_id], |r| {
            Ok((
                coded(r, 0)?,
                r.get(1)?,
                coded(r, 2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
            ))
        })?
        .collect();
    v
}

/// The open expected-next-day exceptions of a run: (exception, transaction).
pub fn open_expected(db: &Db, run_id: i64) -> SqlResult<Vec<(i64, i64)>> {
    let mut st = db.prepare_cached(
        "SELECT id, txn_id FROM recon_exceptions
         WHERE run_id = ?1 AND category = 'expected_next_day' AND status = 'open'
           AND txn_id IS NOT NULL",
    )?;
    let v = st
        .query_map(params![run_id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect();
    v
}

/// An expected-next-day exception the next file did not have becomes missing at the acquirer.
pub fn recategorise(db: &Db, id: i64, to: Category) -> SqlResult<()> {
    db.execute(
        "UPDATE recon_exceptions SET category = ?2
         WHERE id = ?1 AND status = 'open'",
        params![id, to.code()],
    )?;
    Ok(())
}

/// Resolves an open exception; false when it is not open (any more).
pub fn resolve(
    db: &Db,
    id: i64,
    resolution: Resolution,
    remark: &str,
    by: Option<i64>,
    ms: i64,
) -> SqlResult<bool> {
    let n = db.execute(
        "UPDATE recon_exceptions SET status = 'resolved', resolution = ?2, remark = ?3,
            resolved_by = ?4, resolved_ms = ?5
         WHERE id = ?1 AND status = 'open'",
        params![id, resolution.code(), remark, by, ms],
    )?;
    Ok(n == 1)
}

/// The ignore limit in force when an exception was resolved as ignored (`check` judges each
/// ignore by the limit of its day, not by today's).
pub fn note_ignore_limit(db: &Db, id: i64, limit_fen: i64) -> SqlResult<()> {
    db.execute(
        "UPDATE recon_exceptions SET ignore_limit_fen = ?2 WHERE id = ?1",
        params![id, limit_fen],
    )?;
    Ok(())
}

/// A hand match: the file row now points at the transaction.
pub fn match_row_by_hand(db: &Db, row_id: i64, txn_id: i64) -> SqlResult<()> {
    db.execute(
        "UPDATE recon_rows SET txn_id = ?2, pass = 'manual' WHERE id = ?1 AND txn_id IS NULL",
        params![row_id, txn_id],
    )?;
    Ok(())
}

/// The open missing-at-acquirer exception of a transaction in a run.
pub fn open_missing_acquirer(db: &Db, run_id: i64, txn_id: i64) -> SqlResult<Option<i64>> {
    db.prepare_cached(
        "SELECT id FROM recon_exceptions WHERE run_id = ?1 AND txn_id = ?2
           AND category IN ('missing_acquirer', 'expected_next_day') AND status = 'open'",
    )?
    .query_row(params![run_id, txn_id], |r| r.get(0))
    .optional()
}

/// A run as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRow {
    pub id: i64,
    pub recon_date: i32,
    pub merchant_id: i64,
    pub merchant_no: String,
    pub merchant_name: String,
    pub profile: String,
    pub file_name: String,
    pub sha256: String,
    pub imported_ms: i64,
    pub imported_by: String,
    pub status: RunStatus,
    pub supersedes: Option<i64>,
    pub file_rows: i64,
    pub local_rows: i64,
    pub matched_rows: i64,
    pub file_amount_fen: i64,
    pub file_fee_fen: i64,
    pub local_amount_fen: i64,
    pub local_fee_fen: i64,
    pub matched_net_fen: i64,
    pub settlement_net_fen: Option<i64>,
    pub exceptions: i64,
    pub open: i64,
}

const RUN_COLS: &str = "u.id, u.recon_date, u.merchant_id, m.merchant_no, m.name, f.profile,
    f.file_name, f.sha256, f.imported_ms, o.login, u.status, u.supersedes, u.file_rows,
    u.local_rows, u.matched_rows, u.file_amount_fen, u.file_fee_fen, u.local_amount_fen,
    u.local_fee_fen, u.matched_net_fen, u.settlement_net_fen,
    (SELECT count(*) FROM recon_exceptions e WHERE e.run_id = u.id),
    (SELECT count(*) FROM recon_exceptions e WHERE e.run_id = u.id AND e.status = 'open')";
const RUN_JOINS: &str = "FROM recon_runs u JOIN recon_files f ON f.id = u.file_id
    JOIN merchants m ON m.id = u.merchant_id JOIN operators o ON o.id = f.imported_by";

fn run_row(r: &Row) -> SqlResult<RunRow> {
    Ok(RunRow {
        id: r.get(0)?,
        recon_date: r.get(1)?,
        merchant_id: r.get(2)?,
        merchant_no: r.get(3)?,
        merchant_name: r.get(4)?,
        profile: r.get(5)?,
        file_name: r.get(6)?,
        sha256: r.get(7)?,
        imported_ms: r.get(8)?,
        imported_by: r.get(9)?,
        status: coded(r, 10)?,
        supersedes: r.get(11)?,
        file_rows: r.get(12)?,
        local_rows: r.get(13)?,
        matched_rows: r.get(14)?,
        file_amount_fen: r.get(15)?,
        file_fee_fen: r.get(16)?,
        local_amount_fen: r.get(17)?,
        local_fee_fen: r.get(18)?,
        matched_net_fen: r.get(19)?,
        settlement_net_fen: r.get(20)?,
        exceptions: r.get(21)?,
        open: r.get(22)?,
    })
}

/// Runs newest first (by clearing date, then id).
pub fn list_runs(db: &Db, limit: i64) -> SqlResult<Vec<RunRow>> {
    let mut st = db.prepare_cached(&format!(
        "SELECT {RUN_COLS} {RUN_JOINS} ORDER BY u.recon_date DESC, u.id DESC LIMIT ?1"
    ))?;
    let v = st.query_map(params![limit], run_row)?.collect();
    v
}

pub fn get_run(db: &Db, id: i64) -> SqlResult<Option<RunRow>> {
    db.prepare_cached(&format!("SELECT {RUN_COLS} {RUN_JOINS} WHERE u.id = ?1"))?
        .query_row(params![id], run_row)
        .optional()
}

/// Per category: (count, open, file-side fen, local-side fen).
pub fn category_totals(db: &Db, run_id: i64) -> SqlResult<Vec<CategoryTotal>> {
    let mut st = db.prepare_cached(
        "SELECT category, count(*), sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END),
                CAST(coalesce(sum(file_fen), 0) AS BIGINT), CAST(coalesce(sum(local_fen), 0) AS BIGINT)
         FROM recon_exceptions WHERE run_id = ?1 GROUP BY category ORDER BY category",
    )?;
    let v = st
        .query_map(params![run_id], |r| {
            Ok((coded(r, 0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect();
    v
}

/// One exception with both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExceptionRow {
    pub id: i64,
    pub run_id: i64,
    pub category: Category,
    pub status: ExceptionStatus,
    pub resolution: Option<Resolution>,
    pub remark: String,
    pub resolved_by: Option<String>,
    pub resolved_ms: Option<i64>,
    pub carried_from: Option<i64>,
    pub file_fen: Option<i64>,
    pub local_fen: Option<i64>,
    pub file_value: String,
    pub local_value: String,
    pub row_id: Option<i64>,
    pub line_no: Option<i64>,
    pub raw: Option<String>,
    pub pass: Option<Pass>,
    pub file_terminal: Option<String>,
    pub file_voucher: Option<String>,
    pub file_rrn: Option<String>,
    pub file_date: Option<i32>,
    pub file_type: Option<TxnType>,
    pub file_status: Option<TxnStatus>,
    pub file_amount: Option<i64>,
    pub file_fee: Option<i64>,
    pub file_card: Option<String>,
    pub txn_id: Option<i64>,
    pub suggested_txn_id: Option<i64>,
    pub local_terminal: Option<String>,
    pub local_voucher: Option<String>,
    pub local_rrn: Option<String>,
    pub local_date: Option<i32>,
    pub local_type: Option<TxnType>,
    pub local_status: Option<TxnStatus>,
    pub local_amount: Option<i64>,
    pub local_fee: Option<i64>,
    pub local_card: Option<String>,
}

const EXC_COLS: &str = "e.id, e.run_id, e.category, e.status, e.resolution, e.remark, o.login,
    e.resolved_ms, e.carried_from, e.file_fen, e.local_fen, e.file_value, e.local_value, e.row_id,
    w.line_no, w.raw, w.pass, w.terminal_no, w.voucher_no, w.rrn, w.trade_date, w.txn_type,
    w.status, w.amount_fen, w.fee_fen, w.card_masked, coalesce(e.txn_id, w.txn_id),
    e.suggested_txn_id, m.terminal_no, t.voucher_no, t.rrn, t.trade_date, t.txn_type, t.status,
    t.amount_fen, t.fee_fen, t.card_masked";
const EXC_JOINS: &str = "FROM recon_exceptions e
    LEFT JOIN recon_rows w ON w.id = e.row_id
    LEFT JOIN transactions t ON t.id = coalesce(e.txn_id, w.txn_id)
    LEFT JOIN terminals m ON m.id = t.terminal_id
    LEFT JOIN operators o ON o.id = e.resolved_by";

fn opt_coded<T: crate::domain::Coded>(r: &Row, i: usize) -> SqlResult<Option<T>> {
    let s: Option<String> = r.get(i)?;
    match s {
        None => Ok(None),
        Some(_) => coded(r, i).map(Some),
    }
}

fn exc_row(r: &Row) -> SqlResult<ExceptionRow> {
    Ok(ExceptionRow {
        id: r.get(0)?,
        run_id: r.get(1)?,
        category: coded(r, 2)?,
        status: coded(r, 3)?,
        resolution: opt_coded(r, 4)?,
        remark: r.get(5)?,
        resolved_by: r.get(6)?,
        resolved_ms: r.get(7)?,
        carried_from: r.get(8)?,
        file_fen: r.get(9)?,
        local_fen: r.get(10)?,
        file_value: r.get(11)?,
        local_value: r.get(12)?,
        row_id: r.get(13)?,
        line_no: r.get(14)?,
        raw: r.get(15)?,
        pass: opt_coded(r, 16)?,
        file_terminal: r.get(17)?,
        file_voucher: r.get(18)?,
        file_rrn: r.get(19)?,
        file_date: r.get(20)?,
        file_type: opt_coded(r, 21)?,
        file_status: opt_coded(r, 22)?,
        file_amount: r.get(23)?,
        file_fee: r.get(24)?,
        file_card: r.get(25)?,
        txn_id: r.get(26)?,
        suggested_txn_id: r.get(27)?,
        local_terminal: r.get(28)?,
        local_voucher: r.get(29)?,
        local_rrn: r.get(30)?,
        local_date: r.get(31)?,
        local_type: opt_coded(r, 32)?,
        local_status: opt_coded(r, 33)?,
        local_amount: r.get(34)?,
        local_fee: r.get(35)?,
        local_card: r.get(36)?,
    })
}

/// A run's exceptions, optionally of one category, in the file's order.
pub fn exceptions(
    db: &Db,
    run_id: i64,
    category: Option<Category>,
) -> SqlResult<Vec<ExceptionRow>> {
    let mut st = db.prepare_cached(&format!(
        "SELECT {EXC_COLS} {EXC_JOINS}
         WHERE e.run_id = ?1 AND (?2 IS NULL OR e.category = ?2)
         ORDER BY coalesce(w.line_no, 0), e.id"
    ))?;
    let v = st
        .query_map(params![run_id, category.map(Category::code)], exc_row)?
        .collect();
    v
}

pub fn get_exception(db: &Db, id: i64) -> SqlResult<Option<ExceptionRow>> {
    db.prepare_cached(&format!("SELECT {EXC_COLS} {EXC_JOINS} WHERE e.id = ?1"))?
        .query_row(params![id], exc_row)
        .optional()
}

/// A run's matched rows: (line, rrn or voucher, pass, amount, transaction id).
pub fn matched_rows(db: &Db, run_id: i64) -> SqlResult<Vec<MatchedRow>> {
    let mut st = db.prepare_cached(
        "SELECT line_no, coalesce(rrn, voucher_no, order_no, ''), pass, amount_fen, txn_id
         FROM recon_rows WHERE run_id = ?1 AND txn_id IS NOT NULL ORDER BY line_no",
    )?;
    let v = st
        .query_map(params![run_id], |r| {
            Ok((r.get(0)?, r.get(1)?, coded(r, 2)?, r.get(3)?, r.get(4)?))
        })?
        .collect();
    v
}

/// Open exceptions across the given runs.
pub fn open_count(db: &Db, run_ids: &[i64]) -> SqlResult<i64> {
    let mut n = 0;
    for id in run_ids {
        n += db.query_row(
            "SELECT count(*) FROM recon_exceptions WHERE run_id = ?1 AND status = 'open'",
            params![*id],
            |r| r.get::<i64>(0),
        )?;
    }
    Ok(n)
}

/// The settlement's net for a merchant and date, when it was settled.
pub fn settlement_net(db: &Db, merchant_id: i64, date: i32) -> SqlResult<Option<i64>> {
    db.prepare_cached(
        "SELECT net_fen FROM settlements WHERE merchant_id = ?1 AND settle_date = ?2",
    )?
    .query_row(params![merchant_id, date], |r| r.get(0))
    .optional()
}

/// For `check`: (merchant and date with two active runs, transactions matched by two active
/// runs' rows, runs whose stored rows differ from their file row count), each described.
pub fn integrity(db: &Db) -> SqlResult<(Vec<String>, Vec<String>, Vec<String>)> {
    let mut st = db.prepare_cached(
        "SELECT merchant_id, recon_date FROM recon_runs WHERE status = 'active'
         GROUP BY merchant_id, recon_date HAVING count(*) > 1",
    )?;
    let twins = st
        .query_map(params![], |r| {
            Ok(format!(
                "merchant #{} date {}",
                r.get::<i64>(0)?,
                r.get::<i64>(1)?
            ))
        })?
        .collect::<SqlResult<Vec<_>>>()?;
    let mut st = db.prepare_cached(
        "SELECT w.txn_id, count(*) FROM recon_rows w JOIN recon_runs u ON u.id = w.run_id
         WHERE u.status = 'active' AND w.txn_id IS NOT NULL
         GROUP BY w.txn_id HAVING count(*) > 1",
    )?;
    let twice = st
        .query_map(params![], |r| {
            Ok(format!(
                "transaction #{} matched by {} rows",
                r.get::<i64>(0)?,
                r.get::<i64>(1)?
            ))
        })?
        .collect::<SqlResult<Vec<_>>>()?;
    let mut st = db.prepare_cached(
        "SELECT u.id, u.file_rows, (SELECT count(*) FROM recon_rows w WHERE w.run_id = u.id)
         FROM recon_runs u
         WHERE u.file_rows <> (SELECT count(*) FROM recon_rows w WHERE w.run_id = u.id)",
    )?;
    let rows = st
        .query_map(params![], |r| {
            Ok(format!(
                "run #{} counts {} file rows, {} stored",
                r.get::<i64>(0)?,
                r.get::<i64>(1)?,
                r.get::<i64>(2)?
            ))
        })?
        .collect::<SqlResult<Vec<_>>>()?;
    Ok((twins, twice, rows))
}
