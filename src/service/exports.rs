//! Exports of this area's lists to .xlsx through the one writer in `crate::excel` (T5, S2, S3):
//! every row of the current query within the operator's scope, in the background, listed in the
//! downloads list (D1). The words (headers, type and status names) come from the caller in the
//! operator's language; the columns and their kinds are fixed here.

use std::path::PathBuf;
use std::sync::Arc;

use crate::clock::format_ms;
use crate::domain::function::Function;
use crate::domain::txn::{counted, Counted};
use crate::excel::{CellValue, ColKind, Column, ExportJob, ExportRequest, SheetSpec};
use crate::store::downloads::{self, DownloadRow};
use crate::store::settlement_query::{SettlementFilter, SettlementRow};
use crate::store::settlements::LedgerLine;
use crate::store::transactions::{self, PageAt, TxnFilter, TxnRow};
use crate::store::Store;

use super::kernel::{Needs, Who};
use super::slip::download_dir;
use super::txn_query::scoped;
use super::{Env, ServiceError, ServiceResult, Session};

/// Coded values the sheet shows in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    TxnType,
    TxnStatus,
    CardOrg,
    CardType,
    SettlementStatus,
    RefundStatus,
    LedgerKind,
    /// How the settlement counts a transaction (`domain::txn::Counted::code`).
    Counted,
}

/// Turns a code into the operator's words.
pub type Words = Arc<dyn Fn(Code, &str) -> String + Send + Sync>;

/// The columns of a transaction export, in order; the caller gives a header for each.
pub const TXN_COLUMNS: &[ColKind] = &[
    ColKind::DateTime, // time
    ColKind::Text,     // reference no.
    ColKind::Text,     // voucher no.
    ColKind::Text,     // batch no.
    ColKind::Text,     // merchant no.
    ColKind::Text,     // merchant name
    ColKind::Text,     // terminal
    ColKind::Text,     // type
    ColKind::Text,     // status
    ColKind::Money,    // amount
    ColKind::Money,    // fee
    ColKind::Text,     // card (masked)
    ColKind::Text,     // card organisation
    ColKind::Text,     // card type
    ColKind::Text,     // issuing bank
    ColKind::Text,     // auth code
    ColKind::Date,     // trade date
    ColKind::Date,     // settlement date
    ColKind::Money,    // refunded so far
    ColKind::Text,     // how the settlement counts it (trade, refund, not)
    ColKind::Money,    // counted as trade (a settlement's list totals its trade)
    ColKind::Money,    // counted as a POS refund
];

/// The columns of a settlement export, in order.
pub const SETTLEMENT_COLUMNS: &[ColKind] = &[
    ColKind::Date,  // settlement date
    ColKind::Text,  // merchant no.
    ColKind::Text,  // merchant name
    ColKind::Int,   // count
    ColKind::Money, // trade
    ColKind::Money, // fee
    ColKind::Money, // refunds
    ColKind::Money, // net
    ColKind::Text,  // status
];

/// A list's columns as the screen defines them (`ui::list::ListSpec`): headers, kinds and the
/// cells of one row, in one place, so an export cannot disagree with its list by position.
pub struct Columns<R> {
    pub headers: Vec<String>,
    pub kinds: Vec<ColKind>,
    pub cells: RowCells<R>,
    /// Lines above the header: the conditions of the query that ran, and when.
    pub preamble: Vec<String>,
}

/// The cells of one exported row.
pub type RowCells<R> = Arc<dyn Fn(&R) -> Vec<CellValue<'static>> + Send + Sync>;

/// What the caller says about the sheet in the operator's language.
pub struct Sheet {
    /// The downloads list's title and the file name's stem (e.g. "交易查询").
    pub title: String,
    pub headers: Vec<String>,
    pub total_label: String,
    pub words: Words,
    pub chinese: bool,
}

fn spec(headers: &[String], sheet: &Sheet, kinds: &[ColKind]) -> ServiceResult<SheetSpec> {
    if headers.len() != kinds.len() {
        return Err(ServiceError::File(format!(
            "{} headers for {} columns",
            headers.len(),
            kinds.len()
        )));
    }
    Ok(SheetSpec {
        title: sheet.title.clone(),
        columns: headers
            .iter()
            .zip(kinds)
            .map(|(h, k)| Column::new(h.clone(), *k))
            .collect(),
        total_label: Some(sheet.total_label.clone()),
        preamble: Vec::new(),
    })
}

/// What every export asks of the job runner: the operator, the sheet and where the file goes.
fn request(
    env: &Env,
    session: &Session,
    sheet: &Sheet,
    spec: SheetSpec,
    total_rows: Option<u64>,
) -> ExportRequest {
    ExportRequest {
        operator_id: session.operator_id,
        title: sheet.title.clone(),
        path: target(env, &sheet.title),
        spec,
        total_rows,
        chinese: sheet.chinese,
    }
}

/// Records the export as running in the operator's downloads list (D1) and starts it. When the
/// thread ends it opens the database file again to record the outcome; for an in-memory database
/// (or when that fails) the UI calls `record_unrecorded`.
fn launch<F>(
    env: &Env,
    session: &Session,
    req: ExportRequest,
    produce: F,
) -> ServiceResult<ExportJob>
where
    F: FnOnce(&mut crate::excel::RowSink<'_>) -> Result<(), crate::excel::ExportError>
        + Send
        + 'static,
{
    let path_text = req.path.display().to_string();
    let title = req.title.clone();
    let download_id = env.act(
        Who::Operator(session),
        Needs::signed_in(),
        "export.start",
        |uc| {
            Ok(downloads::insert_running(
                &uc.db(),
                uc.operator()?,
                &title,
                &path_text,
                uc.now_ms,
            )?)
        },
    )?;
    let db = env.store.sibling_location();
    let clock = env.clock.clone();
    let chinese = req.chinese;
    let on_finish: crate::excel::OnFinish = Box::new(move |state, rows| {
        db.as_ref().is_some_and(|db| {
            Store::open_at(db).is_ok_and(|s| {
                finish_download(&s, download_id, state, rows, chinese, clock.now_ms()).is_ok()
            })
        })
    });
    ExportJob::start(download_id, req, on_finish, produce)
        .map_err(|e| ServiceError::File(e.to_string()))
}

/// Records a job that writes its own file (a workbook of several sheets: a statement) as
/// running in the operator's downloads list (D1) and starts it, like `launch`.
pub(crate) fn launch_work<W>(
    env: &Env,
    session: &Session,
    title: &str,
    total_rows: Option<u64>,
    chinese: bool,
    work: W,
) -> ServiceResult<ExportJob>
where
    W: FnOnce(
            &std::path::Path,
            &crate::excel::JobControl,
        ) -> Result<u64, crate::excel::ExportError>
        + Send
        + 'static,
{
    let path = target(env, title);
    let path_text = path.display().to_string();
    let download_id = env.act(
        Who::Operator(session),
        Needs::signed_in(),
        "export.start",
        |uc| {
            Ok(downloads::insert_running(
                &uc.db(),
                uc.operator()?,
                title,
                &path_text,
                uc.now_ms,
            )?)
        },
    )?;
    let db = env.store.sibling_location();
    let clock = env.clock.clone();
    let on_finish: crate::excel::OnFinish = Box::new(move |state, rows| {
        db.as_ref().is_some_and(|db| {
            Store::open_at(db).is_ok_and(|s| {
                finish_download(&s, download_id, state, rows, chinese, clock.now_ms()).is_ok()
            })
        })
    });
    let file = path.clone();
    ExportJob::start_work(
        download_id,
        path,
        title.to_string(),
        total_rows,
        chinese,
        on_finish,
        move |c| work(&file, c),
    )
    .map_err(|e| ServiceError::File(e.to_string()))
}

/// A failure of the rows' source (the database) while a file is written.
fn source(e: impl std::fmt::Display) -> crate::excel::ExportError {
    crate::excel::ExportError::Source(e.to_string())
}

/// The database file to reopen on the job thread, or `None` for an in-memory database.
fn finish_download(
    store: &Store,
    id: i64,
    state: &crate::excel::JobState,
    rows: u64,
    chinese: bool,
    now_ms: i64,
) -> ServiceResult<bool> {
    use crate::excel::JobState;
    use crate::store::downloads::DownloadState;
    let (st, msg) = match state {
        JobState::Running => return Ok(false),
        JobState::Done { .. } => (DownloadState::Done, String::new()),
        JobState::Failed { message } => (DownloadState::Failed, message.clone()),
        JobState::Cancelled => (
            DownloadState::Cancelled,
            crate::excel::ExportError::Cancelled.message(chinese),
        ),
    };
    let tx = store.begin()?;
    let done = downloads::finish(&tx.db(), id, st, rows as i64, &msg, now_ms)?;
    tx.commit()?;
    Ok(done)
}

/// Records the outcome of a finished job the thread could not record (an in-memory database).
pub fn record_unrecorded(env: &Env, job: &ExportJob, chinese: bool) -> ServiceResult<()> {
    if let Some((state, rows)) = job.unrecorded() {
        finish_download(
            &env.store,
            job.download_id,
            &state,
            rows,
            chinese,
            env.now_ms(),
        )?;
        job.mark_recorded();
    }
    Ok(())
}

/// `<download dir>/<title>_<YYYYMMDD_HHMMSS>.xlsx`; the folder is made when missing.
fn target(env: &Env, title: &str) -> PathBuf {
    let dir = download_dir(env);
    let _ = std::fs::create_dir_all(&dir);
    let stamp: String = format_ms(env.now_ms())
        .chars()
        .filter(|c| c.is_ascii_digit())
        .collect();
    let safe: String = title
        .chars()
        .map(|c| if "/\\:*?\"<>|".contains(c) { '_' } else { c })
        .collect();
    let stem = format!("{safe}_{}_{}", &stamp[..8], &stamp[8..]);
    // Two exports within a second (a re-run from 下载中心) never share a file.
    let mut path = dir.join(format!("{stem}.xlsx"));
    let mut n = 2;
    while path.exists() || crate::excel::export::part_path(&path).exists() {
        path = dir.join(format!("{stem}_{n}.xlsx"));
        n += 1;
    }
    path
}

const CHUNK: usize = 2_000;

/// Starts exporting every transaction of `filter` the operator may see, with the columns of
/// `TXN_COLUMNS`.
pub fn start_txn_export(
    env: &Env,
    session: &Session,
    filter: &TxnFilter,
    sheet: Sheet,
) -> ServiceResult<ExportJob> {
    let words = sheet.words.clone();
    let cols = Columns {
        headers: sheet.headers.clone(),
        kinds: TXN_COLUMNS.to_vec(),
        cells: Arc::new(move |r: &TxnRow| {
            let counted = counted(r.txn_type, r.status);
            vec![
                CellValue::DateTime(r.txn_ms),
                CellValue::text(r.rrn.clone()),
                CellValue::text(r.voucher_no.clone()),
                CellValue::text(r.batch_no.clone()),
                CellValue::text(r.merchant_no.clone()),
                CellValue::text(r.merchant_name.clone()),
                CellValue::text(r.terminal_no.clone()),
                CellValue::text(words(Code::TxnType, r.txn_type.code())),
                CellValue::text(words(Code::TxnStatus, r.status.code())),
                CellValue::Money(r.amount_fen),
                CellValue::Money(r.fee_fen),
                CellValue::text(r.card_masked.clone()),
                CellValue::text(words(Code::CardOrg, &r.card_org)),
                CellValue::text(words(Code::CardType, r.card_type.code())),
                CellValue::text(r.bank_name.clone()),
                CellValue::text(r.auth_code.clone()),
                CellValue::Date(r.trade_date),
                CellValue::opt_date(r.settle_date),
                CellValue::Money(r.refunded_fen),
                CellValue::text(words(Code::Counted, counted.code())),
                CellValue::opt_money((counted == Counted::Trade).then_some(r.amount_fen)),
                CellValue::opt_money((counted == Counted::Refund).then_some(r.amount_fen)),
            ]
        }),
        preamble: Vec::new(),
    };
    start_txn_export_with(env, session, filter, sheet, cols)
}

/// Starts exporting every transaction of `filter` the operator may see, with the caller's
/// columns (the list's definition).
pub fn start_txn_export_with(
    env: &Env,
    session: &Session,
    filter: &TxnFilter,
    sheet: Sheet,
    cols: Columns<TxnRow>,
) -> ServiceResult<ExportJob> {
    let (f, total) = env
        .query(
            Who::Operator(session),
            Needs::function(&Function::TxnExport),
            "txn.export",
            |_| Ok(()),
        )
        .and_then(|()| {
            scoped(env, session, filter, |uc, f| {
                Ok((f.clone(), transactions::totals(&uc.db(), f)?.count as u64))
            })
        })?;
    let mut spec = spec(&cols.headers, &sheet, &cols.kinds)?;
    spec.preamble = cols.preamble;
    let db = env.store.location.clone();
    let cells = cols.cells;
    let req = request(env, session, &sheet, spec, Some(total));
    let job = launch(env, session, req, move |sink| {
        use crate::excel::ExportError;
        let store = Store::open_at(&db).map_err(|e| ExportError::Source(e.to_string()))?;
        // Keyset chunks: flat memory, and each chunk reads the index where the last stopped;
        // in the order shown (ascending: from the other end, each chunk's rows turned round).
        let mut at = if f.ascending {
            PageAt::Last(CHUNK)
        } else {
            PageAt::First
        };
        loop {
            let mut rows = transactions::page(&store.read(), &f, at, CHUNK).map_err(source)?;
            if f.ascending {
                rows.reverse();
            }
            for r in &rows {
                sink.push(&cells(r))?;
            }
            match rows.last() {
                Some(last) if rows.len() == CHUNK => {
                    let key = last.key_in(&f);
                    at = if f.ascending {
                        PageAt::Before(key)
                    } else {
                        PageAt::After(key)
                    };
                }
                _ => return Ok(()),
            }
        }
    })?;
    Ok(job)
}

/// Starts exporting every settlement of `filter` the operator may see (S2).
pub fn start_settlement_export(
    env: &Env,
    session: &Session,
    filter: &SettlementFilter,
    sheet: Sheet,
) -> ServiceResult<ExportJob> {
    let words = sheet.words.clone();
    let chinese = sheet.chinese;
    let cols = Columns {
        headers: sheet.headers.clone(),
        kinds: SETTLEMENT_COLUMNS.to_vec(),
        cells: Arc::new(move |r: &SettlementRow| {
            let name = if chinese || r.merchant_name_en.is_empty() {
                r.merchant_name.clone()
            } else {
                r.merchant_name_en.clone()
            };
            vec![
                CellValue::Date(r.settle_date),
                CellValue::text(r.merchant_no.clone()),
                CellValue::text(name),
                CellValue::Int(r.txn_count),
                CellValue::Money(r.trade_fen),
                CellValue::Money(r.fee_fen),
                CellValue::Money(r.refund_fen),
                CellValue::Money(r.net_fen),
                CellValue::text(words(Code::SettlementStatus, r.status.code())),
            ]
        }),
        preamble: Vec::new(),
    };
    start_settlement_export_with(env, session, filter, sheet, cols)
}

/// Starts exporting every settlement of `filter` the operator may see, with the caller's
/// columns (the list's definition).
pub fn start_settlement_export_with(
    env: &Env,
    session: &Session,
    filter: &SettlementFilter,
    sheet: Sheet,
    cols: Columns<SettlementRow>,
) -> ServiceResult<ExportJob> {
    let rows = super::settlement_query::all(env, session, filter)?;
    let mut spec = spec(&cols.headers, &sheet, &cols.kinds)?;
    spec.preamble = cols.preamble;
    let cells = cols.cells;
    let req = request(env, session, &sheet, spec, Some(rows.len() as u64));
    let job = launch(env, session, req, move |sink| {
        for r in &rows {
            sink.push(&cells(r))?;
        }
        Ok(())
    })?;
    Ok(job)
}

/// The operator's own downloads, newest first (D1).
pub fn downloads(env: &Env, session: &Session, limit: i64) -> ServiceResult<Vec<DownloadRow>> {
    env.query(
        Who::Operator(session),
        Needs::signed_in(),
        "downloads",
        |uc| {
            Ok(downloads::list_for_operator(
                &uc.db(),
                uc.operator()?,
                limit,
            )?)
        },
    )
}

/// The folder exports and slips are written to (the setting `download_dir`, else the user's
/// Downloads).
pub fn folder(env: &Env) -> PathBuf {
    download_dir(env)
}

/// Starts an export again: the list's conditions as they were when first exported, written as
/// of `run_ms` (the moment the rows are read, named in the file's first rows).
pub type Rerun = Arc<dyn Fn(&Env, &Session, i64) -> ServiceResult<ExportJob> + Send + Sync>;

/// The recipes of the exports started in this process, by database file and download id.
static RERUNS: std::sync::Mutex<Vec<(crate::store::Location, i64, Rerun)>> =
    std::sync::Mutex::new(Vec::new());

/// Starts an export from its recipe and keeps the recipe, so the downloads list can start it
/// again with the same conditions (`rerun`).
pub fn start_remembered(
    env: &Env,
    session: &Session,
    run_ms: i64,
    recipe: Rerun,
) -> ServiceResult<ExportJob> {
    let job = recipe(env, session, run_ms)?;
    let mut all = RERUNS.lock().unwrap_or_else(|e| e.into_inner());
    all.push((env.store.location.clone(), job.download_id, recipe));
    Ok(job)
}

/// Whether the download's export can be started again (it was started in this process).
pub fn can_rerun(env: &Env, download_id: i64) -> bool {
    let all = RERUNS.lock().unwrap_or_else(|e| e.into_inner());
    all.iter()
        .any(|(p, id, _)| *id == download_id && *p == env.store.location)
}

/// Starts one of the operator's exports again with its conditions, as of now; `None` when its
/// conditions were not kept. The new file is a new row of the downloads list.
pub fn rerun(env: &Env, session: &Session, download_id: i64) -> Option<ServiceResult<ExportJob>> {
    let recipe = {
        let all = RERUNS.lock().unwrap_or_else(|e| e.into_inner());
        all.iter()
            .find(|(p, id, _)| *id == download_id && *p == env.store.location)
            .map(|(_, _, r)| r.clone())?
    };
    let own =
        downloads(env, session, i64::MAX).map(|rows| rows.iter().any(|r| r.id == download_id));
    match own {
        Ok(true) => {}
        Ok(false) => return Some(Err(ServiceError::NotFound)),
        Err(e) => return Some(Err(e)),
    }
    Some(start_remembered(env, session, env.now_ms(), recipe))
}

/// Deletes the file of one of the operator's finished exports and notes it on its row in the
/// downloads list (audited). A file already gone is not an error: the row is noted all the
/// same. A running export is refused (cancel it first).
pub fn delete_download(
    env: &Env,
    session: &Session,
    id: i64,
    deleted_word: &str,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::signed_in(),
        "download.delete",
        |uc| {
            let me = uc.operator()?;
            let row = downloads::get(&uc.db(), id)?
                .filter(|r| r.operator_id == me)
                .ok_or(ServiceError::NotFound)?;
            if row.state == crate::store::downloads::DownloadState::Running {
                return Err(ServiceError::Refused(super::Rule::InUse(vec![row.title])));
            }
            match std::fs::remove_file(&row.path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(ServiceError::File(e.to_string())),
            }
            downloads::mark_deleted(&uc.db(), id, me, deleted_word)?;
            uc.audit("download.delete", &row.title, &row.path, "")
        },
    )
}

/// Starts exporting every audit log row of `filter` (newest first), in chunks by id, with the
/// columns of `AUDIT_COLUMNS`.
pub fn start_audit_export(
    env: &Env,
    session: &Session,
    filter: &crate::store::audit::AuditFilter,
    sheet: Sheet,
) -> ServiceResult<ExportJob> {
    let cols = Columns {
        headers: sheet.headers.clone(),
        kinds: AUDIT_COLUMNS.to_vec(),
        cells: Arc::new(|r: &crate::store::audit::AuditRow| {
            vec![
                CellValue::DateTime(r.at_ms),
                CellValue::text(r.operator.clone()),
                CellValue::text(r.workstation.clone()),
                CellValue::text(r.action.clone()),
                CellValue::text(r.target.clone()),
                CellValue::text(r.before.clone()),
                CellValue::text(r.after.clone()),
                CellValue::text(hex::encode(&r.hash)),
            ]
        }),
        preamble: Vec::new(),
    };
    start_audit_export_with(env, session, filter, sheet, cols)
}

/// Starts exporting every audit log row of `filter` with the caller's columns.
pub fn start_audit_export_with(
    env: &Env,
    session: &Session,
    filter: &crate::store::audit::AuditFilter,
    sheet: Sheet,
    cols: Columns<crate::store::audit::AuditRow>,
) -> ServiceResult<ExportJob> {
    use crate::store::audit;
    env.query(
        Who::Operator(session),
        Needs::function(&Function::AuditView),
        "audit.export",
        |_| Ok(()),
    )?;
    let mut spec = spec(&cols.headers, &sheet, &cols.kinds)?;
    spec.preamble = cols.preamble;
    let cells = cols.cells;
    let db = env.store.location.clone();
    let mut f = filter.clone();
    f.before_id = None;
    let req = request(env, session, &sheet, spec, None);
    let job = launch(env, session, req, move |sink| {
        use crate::excel::ExportError;
        let store = Store::open_at(&db).map_err(|e| ExportError::Source(e.to_string()))?;
        loop {
            let rows = audit::query(&store.read(), &f, CHUNK).map_err(source)?;
            for r in &rows {
                sink.push(&cells(r))?;
            }
            match rows.last() {
                Some(last) if rows.len() == CHUNK => f.before_id = Some(last.id),
                _ => return Ok(()),
            }
        }
    })?;
    Ok(job)
}

/// The columns of an audit log export.
pub const AUDIT_COLUMNS: &[ColKind] = &[
    ColKind::DateTime, // time
    ColKind::Text,     // operator
    ColKind::Text,     // workstation
    ColKind::Text,     // action
    ColKind::Text,     // target
    ColKind::Text,     // before
    ColKind::Text,     // after
    ColKind::Text,     // hash
];

/// The columns of a refund application export.
pub const REFUND_COLUMNS: &[ColKind] = &[
    ColKind::Int,      // id
    ColKind::DateTime, // applied
    ColKind::Text,     // reference no.
    ColKind::Text,     // merchant
    ColKind::Text,     // terminal
    ColKind::Money,    // original amount
    ColKind::Money,    // refund amount
    ColKind::Text,     // status
    ColKind::Text,     // applicant
    ColKind::Text,     // reviewer
    ColKind::Text,     // remark
    ColKind::Text,     // refund order no.
];

/// Starts exporting every refund application of `filter` the operator may see (R5), with the
/// columns of `REFUND_COLUMNS`.
pub fn start_refund_export(
    env: &Env,
    session: &Session,
    filter: &crate::store::refunds::RefundFilter,
    sheet: Sheet,
) -> ServiceResult<ExportJob> {
    let words = sheet.words.clone();
    let cols = Columns {
        headers: sheet.headers.clone(),
        kinds: REFUND_COLUMNS.to_vec(),
        cells: Arc::new(move |r: &crate::store::refunds::RefundRow| {
            vec![
                CellValue::Int(r.id),
                CellValue::DateTime(r.applied_ms),
                CellValue::text(r.rrn.clone()),
                CellValue::text(r.merchant_name.clone()),
                CellValue::text(r.terminal_no.clone()),
                CellValue::Money(r.txn_amount_fen),
                CellValue::Money(r.amount_fen),
                CellValue::text(words(Code::RefundStatus, r.status.code())),
                CellValue::text(r.applicant.clone()),
                r.reviewer.clone().map_or(CellValue::Empty, CellValue::text),
                CellValue::text(r.remark.clone()),
                r.refund_order_no
                    .clone()
                    .map_or(CellValue::Empty, CellValue::text),
            ]
        }),
        preamble: Vec::new(),
    };
    start_refund_export_with(env, session, filter, sheet, cols)
}

/// Starts exporting every refund application of `filter` with the caller's columns.
pub fn start_refund_export_with(
    env: &Env,
    session: &Session,
    filter: &crate::store::refunds::RefundFilter,
    sheet: Sheet,
    cols: Columns<crate::store::refunds::RefundRow>,
) -> ServiceResult<ExportJob> {
    let rows = super::refunds::query(env, session, filter)?;
    let mut spec = spec(&cols.headers, &sheet, &cols.kinds)?;
    spec.preamble = cols.preamble;
    let cells = cols.cells;
    let req = request(env, session, &sheet, spec, Some(rows.len() as u64));
    let job = launch(env, session, req, move |sink| {
        for r in &rows {
            sink.push(&cells(r))?;
        }
        Ok(())
    })?;
    Ok(job)
}

/// The columns of a ledger export.
pub const LEDGER_COLUMNS: &[ColKind] = &[
    ColKind::DateTime, // time
    ColKind::Text,     // kind
    ColKind::Money,    // income
    ColKind::Money,    // expense
    ColKind::Balance,  // running balance
    ColKind::Text,     // memo
];

/// Starts exporting every ledger line of a merchant, newest first (A2), with the columns of
/// `LEDGER_COLUMNS`.
pub fn start_ledger_export(
    env: &Env,
    session: &Session,
    merchant_id: i64,
    sheet: Sheet,
) -> ServiceResult<ExportJob> {
    let words = sheet.words.clone();
    let cols = Columns {
        headers: sheet.headers.clone(),
        kinds: LEDGER_COLUMNS.to_vec(),
        cells: Arc::new(move |l: &LedgerLine| {
            vec![
                CellValue::DateTime(l.line_ms),
                CellValue::text(words(Code::LedgerKind, &l.kind)),
                if l.amount_fen > 0 {
                    CellValue::Money(l.amount_fen)
                } else {
                    CellValue::Empty
                },
                if l.amount_fen < 0 {
                    CellValue::Money(-l.amount_fen)
                } else {
                    CellValue::Empty
                },
                CellValue::Money(l.balance_fen),
                CellValue::text(l.memo.clone()),
            ]
        }),
        preamble: Vec::new(),
    };
    start_ledger_export_with(env, session, merchant_id, sheet, cols)
}

/// Starts exporting every ledger line of a merchant with the caller's columns.
pub fn start_ledger_export_with(
    env: &Env,
    session: &Session,
    merchant_id: i64,
    sheet: Sheet,
    cols: Columns<LedgerLine>,
) -> ServiceResult<ExportJob> {
    // The same checks as reading the ledger: the function and the merchant in scope.
    super::account::ledger(env, session, merchant_id, None, 1)?;
    let mut spec = spec(&cols.headers, &sheet, &cols.kinds)?;
    spec.preamble = cols.preamble;
    let cells = cols.cells;
    let db = env.store.location.clone();
    let req = request(env, session, &sheet, spec, None);
    let job = launch(env, session, req, move |sink| {
        use crate::excel::ExportError;
        let store = Store::open_at(&db).map_err(|e| ExportError::Source(e.to_string()))?;
        let mut before = None;
        loop {
            let lines =
                crate::store::settlements::ledger(&store.read(), merchant_id, before, CHUNK)
                    .map_err(source)?;
            for l in &lines {
                sink.push(&cells(l))?;
            }
            match lines.last() {
                Some(last) if lines.len() == CHUNK => before = Some(last.id),
                _ => return Ok(()),
            }
        }
    })?;
    Ok(job)
}

/// Starts exporting a list the screen holds whole (operators, terminals, groups, ...), for an
/// operator with the function that list needs.
pub fn start_list_export(
    env: &Env,
    session: &Session,
    needs: Function,
    sheet: Sheet,
    kinds: &[ColKind],
    rows: Vec<Vec<CellValue<'static>>>,
    preamble: Vec<String>,
) -> ServiceResult<ExportJob> {
    env.query(
        Who::Operator(session),
        Needs::function(&needs),
        "list.export",
        |_| Ok(()),
    )?;
    let mut spec = spec(&sheet.headers, &sheet, kinds)?;
    // The lines above the header: what the list was queried with, and when.
    spec.preamble = preamble;
    let req = request(env, session, &sheet, spec, Some(rows.len() as u64));
    launch(env, session, req, move |sink| {
        for r in &rows {
            sink.push(r)?;
        }
        Ok(())
    })
}
