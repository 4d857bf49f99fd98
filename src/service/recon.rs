//! Reconciliation against the acquirer's files 对账 (Y7, spec/money-out.md §7): import a file
//! through a format profile and match it against the ledger in one transaction (a file is
//! refused whole when it cannot be trusted: unknown layout, same file twice, a summary line
//! that disagrees, a merchant number not in this database; a row that cannot be read becomes
//! an exception instead); a re-import supersedes the run and carries the resolutions over; each
//! exception is resolved with a remark. Reconciliation never moves money or changes a
//! transaction: a correction is a separate audited action elsewhere.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::clock::{date_from_ymd, day_start_ms};
use crate::domain::audit::Fields;
use crate::domain::function::Function;
use crate::domain::lang::Lang;
use crate::domain::recon::matching::{match_rows, Params};
use crate::domain::recon::profile::{
    self as pf, amount_fen, clean, fields_of, identify, parse_record, split_fixed, Field, Layout,
    NoProfile, Profile, RowProblem,
};
use crate::domain::recon::{
    add_days, direction, Category, Direction, ExceptionStatus, FileRow, Resolution,
};
use crate::domain::txn::TxnStatus;
use crate::excel::acquirer_file::{self as af, Content, FileError, Record};
use crate::store::merchants;
use crate::store::recon::{self as q, NewException, NewFile, NewRow, NewRun};

pub use crate::store::recon::{ExceptionRow, RunRow};

use super::error::{invalid, Problem, Rule};
use super::kernel::{Needs, Uc, Who};
use super::{Env, ServiceError, ServiceResult, Session};

/// The words of the workbook in both languages (assets/text/recon_book.toml, build.rs).
mod words {
    use crate::domain::lang::T;
    include!(concat!(env!("OUT_DIR"), "/text/recon_book.rs"));
}

/// The default cut-off: a transaction at or after 23:00 is expected in the next day's file.
pub const CUTOFF_SECS: u32 = 23 * 3600;
pub const MAX_REMARK: usize = 200;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRequest {
    pub path: PathBuf,
    /// A profile code (`pos`, `unionpay`, ...); `None` finds it by the header.
    pub format: Option<String>,
    /// The acquirer's clearing date `YYYYMMDD`; `None` takes the file name's `yyyymmdd`.
    pub date: Option<i32>,
}

/// Why a file was refused whole (nothing stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileProblem {
    Read(FileError),
    NoDate,
    UnknownFormat(String),
    UnknownLayout(NoProfile),
    AlreadyImported {
        imported_ms: i64,
        run_id: Option<i64>,
    },
    UnknownMerchant(String),
    SummaryMismatch {
        count: (i64, i64),
        amount: Option<(i64, i64)>,
    },
    Truncated,
    NoRows,
}

/// A field's name in Chinese (the header a Chinese file would give it).
pub fn field_zh(f: Field) -> &'static str {
    match f {
        Field::MerchantNo => "商户号",
        Field::TerminalNo => "终端号",
        Field::BatchNo => "批次号",
        Field::VoucherNo => "凭证号",
        Field::Rrn => "参考号",
        Field::TradeDate => "交易日期",
        Field::TradeTime => "交易时间",
        Field::TxnType => "交易类型",
        Field::Amount => "交易金额",
        Field::RefundAmount => "退款金额",
        Field::Fee => "手续费",
        Field::CardMasked => "卡号",
        Field::OrderNo => "订单号",
        Field::Status => "状态",
    }
}

impl FileProblem {
    pub fn message(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let money = crate::domain::money::format_fen;
        match self {
            FileProblem::Read(e) => match (e, zh) {
                (FileError::CannotRead(m), true) => format!("无法读取文件：{m}"),
                (FileError::CannotRead(m), false) => format!("cannot read the file: {m}"),
                (FileError::TooLarge(n), true) => format!("文件过大（{n} 字节）"),
                (FileError::TooLarge(n), false) => format!("the file is too large ({n} bytes)"),
                (FileError::Empty, true) => "文件为空".into(),
                (FileError::Empty, false) => "the file is empty".into(),
                (FileError::UnknownEncoding, true) => {
                    "无法识别文件编码（应为 UTF-8、GBK 或 GB18030）".into()
                }
                (FileError::UnknownEncoding, false) => {
                    "unknown encoding (UTF-8, GBK or GB18030 expected)".into()
                }
                (FileError::UnknownKind(x), true) => {
                    format!("不支持的文件类型 .{x}（应为 .csv、.txt 或 .xlsx）")
                }
                (FileError::UnknownKind(x), false) => {
                    format!("unsupported file type .{x} (.csv, .txt or .xlsx expected)")
                }
                (FileError::Sheet(m), _) => m.clone(),
            },
            FileProblem::NoDate if zh => "请指定对账日期（文件名中没有 yyyymmdd）".into(),
            FileProblem::NoDate => "give the clearing date (the file name has no yyyymmdd)".into(),
            FileProblem::UnknownFormat(f) if zh => {
                format!("没有名为 {f} 的格式（可用：{}）", codes())
            }
            FileProblem::UnknownFormat(f) => format!("no format named {f} (known: {})", codes()),
            FileProblem::UnknownLayout(n) => {
                let header: Vec<&str> = n.header.iter().take(8).map(String::as_str).collect();
                let near = pf::by_code(n.nearest)
                    .map(|p| if zh { p.name_zh } else { p.name_en })
                    .unwrap_or(n.nearest);
                let missing: Vec<&str> = n
                    .missing
                    .iter()
                    .map(|f| if zh { field_zh(*f) } else { f.code() })
                    .collect();
                if zh {
                    format!(
                        "无法识别的文件格式。表头：{}；最接近：{near}（缺少 {}）",
                        header.join(","),
                        missing.join("、")
                    )
                } else {
                    format!(
                        "unknown file layout. Header: {}; nearest: {near} (missing {})",
                        header.join(","),
                        missing.join(", ")
                    )
                }
            }
            FileProblem::AlreadyImported {
                imported_ms,
                run_id,
            } => {
                let when = crate::clock::format_ms(*imported_ms);
                let run = run_id.map(|r| format!("#{r}")).unwrap_or_default();
                if zh {
                    format!("该文件已于 {when} 导入（对账批次 {run}）")
                } else {
                    format!("this file was imported on {when} (run {run})")
                }
            }
            FileProblem::UnknownMerchant(m) if zh => format!("商户号 {m} 不在本系统中"),
            FileProblem::UnknownMerchant(m) => {
                format!("merchant number {m} is not in this database")
            }
            FileProblem::SummaryMismatch { count, amount } => {
                let a = amount
                    .map(|(f, r)| format!("{} / {}", money(f), money(r)))
                    .unwrap_or_default();
                if zh {
                    format!("汇总行与明细不符：笔数 {} / {}，金额 {a}", count.0, count.1)
                } else {
                    format!(
                        "the summary line disagrees with the rows: count {} / {}, amount {a}",
                        count.0, count.1
                    )
                }
            }
            FileProblem::Truncated if zh => "文件不完整：缺少汇总行（文件被截断？）".into(),
            FileProblem::Truncated => {
                "the file is incomplete: its summary line is missing (truncated?)".into()
            }
            FileProblem::NoRows if zh => "文件中没有明细行".into(),
            FileProblem::NoRows => "the file has no detail rows".into(),
        }
    }
}

fn codes() -> String {
    pf::BUILT_IN
        .iter()
        .map(|p| p.code)
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug)]
pub enum ReconError {
    Service(ServiceError),
    File(FileProblem),
}

impl From<ServiceError> for ReconError {
    fn from(e: ServiceError) -> Self {
        ReconError::Service(e)
    }
}

impl From<crate::store::StoreError> for ReconError {
    fn from(e: crate::store::StoreError) -> Self {
        ReconError::Service(e.into())
    }
}

impl std::fmt::Display for ReconError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReconError::Service(e) => write!(f, "{e}"),
            ReconError::File(p) => write!(f, "{}", p.message(Lang::En)),
        }
    }
}

/// One run an import made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRun {
    pub run_id: i64,
    pub merchant_no: String,
    pub date: i32,
    pub file_rows: i64,
    pub matched: i64,
    pub exceptions: i64,
    pub open: i64,
    pub supersedes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub file_id: i64,
    pub profile: &'static str,
    pub date: i32,
    pub runs: Vec<ImportedRun>,
    /// Unresolved exceptions across the runs.
    pub open: i64,
}

/// A row of the file as read: parsed, or why not.
struct ReadRow {
    line: u32,
    raw: String,
    parsed: Result<FileRow, RowProblem>,
}

struct ReadFile {
    profile: &'static Profile,
    rows: Vec<ReadRow>,
}

fn date_in_name(name: &str) -> Option<i32> {
    let b = name.as_bytes();
    (0..b.len().saturating_sub(7)).find_map(|i| {
        let s = name.get(i..i + 8)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if i > 0 && b[i - 1].is_ascii_digit() || b.get(i + 8).is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        let v: i32 = s.parse().ok()?;
        date_from_ymd(v)
            .map(|_| v)
            .filter(|v| (19700101..=99991231).contains(v))
    })
}

fn parse_file(
    file: &af::AcquirerFile,
    format: Option<&str>,
    date: i32,
) -> Result<ReadFile, FileProblem> {
    let chosen: Option<&'static Profile> = match format {
        Some(f) => Some(pf::by_code(f).ok_or_else(|| FileProblem::UnknownFormat(f.to_string()))?),
        None => None,
    };
    match &file.content {
        Content::Lines(lines) => {
            let p = chosen.unwrap_or(&pf::UNIONPAY);
            let Layout::Fixed(widths) = p.layout else {
                return Err(FileProblem::UnknownLayout(NoProfile {
                    header: lines
                        .first()
                        .map(|l| vec![l.raw.chars().take(60).collect()])
                        .unwrap_or_default(),
                    nearest: p.code,
                    missing: p.required.to_vec(),
                }));
            };
            let mut rows = Vec::with_capacity(lines.len());
            for l in lines {
                let parsed =
                    split_fixed(widths, &l.raw).and_then(|f| parse_record(p, l.line, &f, date));
                rows.push(ReadRow {
                    line: l.line,
                    raw: l.raw.clone(),
                    parsed,
                });
            }
            // A fixed-width file in which no line reads is not this layout.
            if !rows.is_empty()
                && rows
                    .iter()
                    .all(|r| matches!(r.parsed, Err(RowProblem::Short { .. })))
            {
                return Err(FileProblem::UnknownLayout(NoProfile {
                    header: vec![lines[0].raw.chars().take(60).collect()],
                    nearest: p.code,
                    missing: p.required.to_vec(),
                }));
            }
            Ok(ReadFile { profile: p, rows })
        }
        Content::Table(records) => {
            let is_comment = |r: &Record| {
                r.cells
                    .first()
                    .is_some_and(|c| c.trim_start().starts_with('#'))
            };
            let Some(hi) = records.iter().position(|r| !is_comment(r)) else {
                return Err(FileProblem::NoRows);
            };
            let header = &records[hi];
            let candidates: Vec<&'static Profile> = match chosen {
                Some(p) => vec![p],
                None => pf::BUILT_IN.iter().collect(),
            };
            let (p, cols) =
                identify(&candidates, &header.cells).map_err(FileProblem::UnknownLayout)?;
            let amount_col = cols
                .iter()
                .find(|(f, _)| *f == Field::Amount)
                .map(|(_, i)| *i);
            let mut rows = Vec::new();
            let mut summary_found = false;
            let mut i = hi + 1;
            while i < records.len() {
                let r = &records[i];
                i += 1;
                if is_comment(r) {
                    continue;
                }
                let first = r.cells.first().map(|c| clean(p, c)).unwrap_or("");
                if let Some(s) = p.summary {
                    if first.starts_with(s.starts) {
                        summary_found = true;
                        let (count, amount) = if s.starts == s.count {
                            // A summary header, then its values on the next line.
                            let names: Vec<&str> = r.cells.iter().map(|c| clean(p, c)).collect();
                            let values =
                                records.get(i).map(|v| v.cells.clone()).unwrap_or_default();
                            let at = |n: &str| {
                                names
                                    .iter()
                                    .position(|x| *x == n)
                                    .and_then(|j| values.get(j))
                                    .map(|v| clean(p, v).to_string())
                            };
                            (at(s.count), at(s.amount))
                        } else {
                            (
                                r.cells.get(1).map(|c| clean(p, c).to_string()),
                                r.cells.get(2).map(|c| clean(p, c).to_string()),
                            )
                        };
                        check_summary(p, &rows, records, hi, amount_col, count, amount)?;
                        break;
                    }
                }
                let parsed = if r.cells.len() < header.cells.len() {
                    Err(RowProblem::Short {
                        found: r.cells.len(),
                        expected: header.cells.len(),
                    })
                } else {
                    parse_record(p, r.line, &fields_of(&cols, &r.cells), date)
                };
                rows.push(ReadRow {
                    line: r.line,
                    raw: r.raw.clone(),
                    parsed,
                });
            }
            if p.summary.is_some_and(|s| s.required) && !summary_found {
                return Err(FileProblem::Truncated);
            }
            Ok(ReadFile { profile: p, rows })
        }
    }
}

/// The summary's count against the detail rows; its amount against the amount column, when
/// every row's amount reads.
fn check_summary(
    p: &Profile,
    rows: &[ReadRow],
    records: &[Record],
    header_at: usize,
    amount_col: Option<usize>,
    count: Option<String>,
    amount: Option<String>,
) -> Result<(), FileProblem> {
    let n = rows.len() as i64;
    let stated: Option<i64> = count
        .as_deref()
        .and_then(|c| c.replace([',', '笔'], "").trim().parse().ok());
    let mut sum = Some(0i64);
    if let Some(col) = amount_col {
        for r in rows {
            let rec = records[header_at..].iter().find(|x| x.line == r.line);
            let v = rec
                .and_then(|x| x.cells.get(col))
                .map(|c| clean(p, c).to_string())
                .unwrap_or_default();
            match amount_fen(p.amount_unit, Field::Amount, &v) {
                Ok(f) => sum = sum.map(|s| s + f),
                Err(_) => sum = None,
            }
        }
    }
    let stated_amount = amount
        .as_deref()
        .and_then(|a| amount_fen(p.amount_unit, Field::Amount, a).ok());
    let count_bad = stated.is_some_and(|s| s != n) || (stated.is_none() && count.is_some());
    let amount_bad = matches!((stated_amount, sum), (Some(a), Some(s)) if a != s);
    if count_bad || amount_bad {
        return Err(FileProblem::SummaryMismatch {
            count: (stated.unwrap_or(-1), n),
            amount: stated_amount.zip(sum),
        });
    }
    Ok(())
}

/// The cut-off (setting `recon_cutoff`, `HH:MM`, default 23:00): a local transaction at or
/// after it is expected in the next day's file. A setting that does not read is the default.
fn cutoff(db: &crate::store::Db) -> ServiceResult<u32> {
    Ok(merchants::setting(db, "recon_cutoff")?
        .and_then(|v| {
            let (h, m) = v.trim().split_once(':')?;
            let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
            (h < 24 && m < 60).then_some(h * 3600 + m * 60)
        })
        .unwrap_or(CUTOFF_SECS))
}

/// Money a matched row adds to the day's settlement (sales in, refunds out, voids nothing).
fn settled_net(r: &FileRow) -> i64 {
    match direction(r.txn_type) {
        Direction::In if r.status == TxnStatus::Success => r.amount_fen - r.fee_fen.unwrap_or(0),
        Direction::Refund if r.status == TxnStatus::Success => -r.amount_fen,
        _ => 0,
    }
}

/// The settlement date most of the matched transactions carry (T+1 settles a day's trade the
/// next day): the settlement the file is checked against.
fn settled_on(
    out: &crate::domain::recon::matching::Outcome,
    local: &[crate::domain::recon::LocalRow],
) -> Option<i32> {
    let mut n: HashMap<i32, usize> = HashMap::new();
    for p in &out.pairs {
        if let Some(d) = local[p.local].settle_date {
            *n.entry(d).or_default() += 1;
        }
    }
    n.into_iter().max_by_key(|(d, c)| (*c, -d)).map(|(d, _)| d)
}

fn type_text(r: &FileRow) -> String {
    format!("{}/{}", r.txn_type.code(), r.status.code())
}

/// Imports and matches an acquirer's file in one transaction. Needs `reconcile` and every
/// terminal group (a file covers every terminal).
pub fn import(
    env: &mut Env,
    session: &Session,
    req: &ImportRequest,
) -> Result<ImportSummary, ReconError> {
    let mut refused: Option<FileProblem> = None;
    let outcome = env.act(
        Who::Operator(session),
        Needs::function(&Function::Reconcile),
        "recon.import",
        |uc| match import_in(uc, req) {
            Ok(s) => Ok(s),
            Err(ReconError::Service(e)) => Err(e),
            Err(ReconError::File(p)) => {
                refused = Some(p);
                Err(ServiceError::Refused(Rule::BadFile))
            }
        },
    );
    match (outcome, refused) {
        (Err(_), Some(p)) => Err(ReconError::File(p)),
        (o, _) => o.map_err(ReconError::Service),
    }
}

fn import_in(uc: &mut Uc, req: &ImportRequest) -> Result<ImportSummary, ReconError> {
    if uc.scope().is_some() {
        return Err(ServiceError::OutOfScope.into());
    }
    let file = af::read(&req.path).map_err(|e| ReconError::File(FileProblem::Read(e)))?;
    let db = uc.db();
    if let Some(seen) = q::file_by_sha(&db, &file.sha256)? {
        return Err(ReconError::File(FileProblem::AlreadyImported {
            imported_ms: seen.imported_ms,
            run_id: seen.run_id,
        }));
    }
    let date = req
        .date
        .or_else(|| date_in_name(&file.name))
        .ok_or(ReconError::File(FileProblem::NoDate))?;
    let read = parse_file(&file, req.format.as_deref(), date).map_err(ReconError::File)?;
    if read.rows.is_empty() {
        return Err(ReconError::File(FileProblem::NoRows));
    }
    let all = merchants::all(&db)?;
    let by_no: HashMap<&str, &merchants::MerchantRow> =
        all.iter().map(|m| (m.merchant_no.as_str(), m)).collect();
    // Every merchant number the file names must be ours; rows grouped by merchant.
    let mut groups: Vec<(i64, String, Vec<usize>)> = Vec::new();
    for (i, r) in read.rows.iter().enumerate() {
        if let Ok(f) = &r.parsed {
            let m = by_no.get(f.merchant_no.as_str()).ok_or_else(|| {
                ReconError::File(FileProblem::UnknownMerchant(f.merchant_no.clone()))
            })?;
            match groups.iter_mut().find(|g| g.0 == m.id) {
                Some(g) => g.2.push(i),
                None => groups.push((m.id, m.merchant_no.clone(), vec![i])),
            }
        }
    }
    if groups.is_empty() {
        // Nothing readable at all: the file is not what the profile says.
        return Err(ReconError::File(FileProblem::NoRows));
    }
    groups.sort_by_key(|g| g.0);
    let operator = uc.operator()?;
    let file_id = q::insert_file(
        &db,
        &NewFile {
            sha256: &file.sha256,
            file_name: &file.name,
            profile: read.profile.code,
            recon_date: date,
            size_bytes: file.size as i64,
            row_count: read.rows.len() as i64,
            imported_by: operator,
            imported_ms: uc.now_ms,
        },
    )?;
    let unreadable: Vec<usize> = (0..read.rows.len())
        .filter(|&i| read.rows[i].parsed.is_err())
        .collect();
    let mut runs = Vec::new();
    for (gi, (merchant_id, merchant_no, idx)) in groups.iter().enumerate() {
        let run = import_run(
            uc,
            file_id,
            *merchant_id,
            date,
            &read,
            idx,
            if gi == 0 { &unreadable } else { &[] },
        )?;
        runs.push(ImportedRun {
            merchant_no: merchant_no.clone(),
            ..run
        });
    }
    let open = runs.iter().map(|r| r.open).sum();
    uc.audit_change(
        "recon.import",
        &format!("recon_file#{file_id}"),
        &Fields::new(),
        &Fields::new()
            .text("file", &file.name)
            .text("sha256", &file.sha256)
            .text("format", read.profile.code)
            .int("date", date as i64)
            .int("rows", read.rows.len() as i64)
            .text(
                "runs",
                &runs
                    .iter()
                    .map(|r| format!("#{}", r.run_id))
                    .collect::<Vec<_>>()
                    .join(","),
            )
            .int("open", open),
    )?;
    Ok(ImportSummary {
        file_id,
        profile: read.profile.code,
        date,
        runs,
        open,
    })
}

#[allow(clippy::too_many_arguments)]
fn import_run(
    uc: &Uc,
    file_id: i64,
    merchant_id: i64,
    date: i32,
    read: &ReadFile,
    idx: &[usize],
    unreadable: &[usize],
) -> Result<ImportedRun, ReconError> {
    let db = uc.db();
    let old = q::active_run(&db, merchant_id, date)?;
    let mut carried: HashMap<(Category, String), q::Carried> = HashMap::new();
    // A proposal to ignore that waits for its second person follows its difference to the new
    // run (by category and match key), so a re-import does not lose it.
    let mut proposals: HashMap<(String, String), i64> = HashMap::new();
    if let Some(old) = old {
        for (c, k, res, remark, by, ms, id) in q::resolutions(&db, old)? {
            carried.insert((c, k), (res, remark, by, ms, id));
        }
        for (id, c, k) in crate::store::recon_ignore::pending_keys_of_run(&db, old)? {
            proposals.insert((c.unwrap_or_default(), k), id);
        }
        q::supersede(&db, old)?;
    }
    let day = |d: i32| date_from_ymd(d).map(day_start_ms).unwrap_or(0);
    let mut local = q::local_candidates(
        &db,
        merchant_id,
        day(add_days(date, -1)),
        day(add_days(date, 2)),
    )?;
    for l in &mut local {
        l.trade_time = ((l.txn_ms - day(l.trade_date)).max(0) / 1000) as u32;
    }
    let rows: Vec<FileRow> = idx
        .iter()
        .map(|&i| read.rows[i].parsed.clone().expect("parsed"))
        .collect();
    let params = Params {
        date,
        cutoff_secs: cutoff(&db)?,
        matched_elsewhere: q::matched_elsewhere(
            &db,
            merchant_id,
            date,
            add_days(date, -3),
            add_days(date, 3),
        )?,
    };
    let out = match_rows(&rows, &local, &params);
    let on_day = |l: &&crate::domain::recon::LocalRow| {
        l.trade_date == date && !matches!(l.status, TxnStatus::Failed | TxnStatus::Reversed)
    };
    let mut totals = NewRun {
        file_id,
        merchant_id,
        recon_date: date,
        supersedes: old,
        file_rows: (rows.len() + unreadable.len()) as i64,
        local_rows: local.iter().filter(on_day).count() as i64,
        matched_rows: out.pairs.len() as i64,
        file_amount_fen: rows.iter().map(|r| r.amount_fen).sum(),
        file_fee_fen: rows.iter().filter_map(|r| r.fee_fen).sum(),
        local_amount_fen: local.iter().filter(on_day).map(|l| l.amount_fen).sum(),
        local_fee_fen: local.iter().filter(on_day).map(|l| l.fee_fen).sum(),
        matched_net_fen: out.pairs.iter().map(|p| settled_net(&rows[p.file])).sum(),
        settlement_net_fen: match settled_on(&out, &local) {
            Some(d) => q::settlement_net(&db, merchant_id, d)?,
            None => None,
        },
        created_ms: uc.now_ms,
    };
    let run_id = q::insert_run(&db, &totals)?;
    let pair_of: HashMap<usize, usize> = out
        .pairs
        .iter()
        .enumerate()
        .map(|(k, p)| (p.file, k))
        .collect();
    let mut row_ids = Vec::with_capacity(rows.len());
    for (fi, r) in rows.iter().enumerate() {
        let pair = pair_of.get(&fi).map(|&k| &out.pairs[k]);
        row_ids.push(q::insert_row(
            &db,
            &NewRow {
                run_id,
                line_no: r.line as i64,
                raw: &read.rows[idx[fi]].raw,
                terminal_no: Some(&r.terminal_no),
                batch_no: r.batch_no.as_deref(),
                voucher_no: r.voucher_no.as_deref(),
                rrn: r.rrn.as_deref(),
                order_no: r.order_no.as_deref(),
                trade_date: Some(r.trade_date),
                trade_time: r.trade_time.map(i64::from),
                txn_type: Some(r.txn_type),
                status: Some(r.status),
                amount_fen: Some(r.amount_fen),
                fee_fen: r.fee_fen,
                card_masked: r.card_masked.as_deref(),
                txn_id: pair.map(|p| local[p.local].txn_id),
                pass: pair.map(|p| p.pass),
            },
        )?);
    }
    let mut excs: Vec<NewException> = Vec::new();
    for &u in unreadable {
        let r = &read.rows[u];
        let why = r.parsed.as_ref().expect_err("unreadable");
        let row_id = q::insert_row(
            &db,
            &NewRow {
                run_id,
                line_no: r.line as i64,
                raw: &r.raw,
                ..Default::default()
            },
        )?;
        excs.push(NewException {
            run_id,
            category: Some(Category::Unparseable),
            row_id: Some(row_id),
            match_key: format!("raw:{}", r.raw),
            file_value: why.message(true),
            local_value: why.message(false),
            ..Default::default()
        });
    }
    for &fi in &out.duplicates {
        excs.push(NewException {
            run_id,
            category: Some(Category::Duplicate),
            row_id: Some(row_ids[fi]),
            match_key: format!("{}#{}", rows[fi].key(), rows[fi].line),
            file_fen: Some(rows[fi].amount_fen),
            ..Default::default()
        });
    }
    for p in &out.pairs {
        let (f, l) = (&rows[p.file], &local[p.local]);
        for c in &p.diffs {
            let (ff, lf, fv, lv) = match c {
                Category::AmountDiff => (
                    Some(f.amount_fen),
                    Some(l.amount_fen),
                    String::new(),
                    String::new(),
                ),
                Category::FeeDiff => (f.fee_fen, Some(l.fee_fen), String::new(), String::new()),
                Category::StatusDiff | Category::TypeDiff => (
                    None,
                    None,
                    type_text(f),
                    format!("{}/{}", l.txn_type.code(), l.status.code()),
                ),
                Category::DateDiff => (
                    None,
                    None,
                    format!("{} ({date})", f.trade_date),
                    format!(
                        "{} ({})",
                        l.trade_date,
                        l.settle_date.map(|d| d.to_string()).unwrap_or_default()
                    ),
                ),
                _ => (
                    None,
                    None,
                    f.card_masked.clone().unwrap_or_default(),
                    l.card_masked.clone(),
                ),
            };
            excs.push(NewException {
                run_id,
                category: Some(*c),
                row_id: Some(row_ids[p.file]),
                txn_id: Some(l.txn_id),
                match_key: f.key(),
                file_fen: ff,
                local_fen: lf,
                file_value: fv,
                local_value: lv,
                ..Default::default()
            });
        }
    }
    let mut suggestion: HashMap<usize, i64> = HashMap::new();
    for (fi, li) in &out.suggestions {
        suggestion.entry(*fi).or_insert(local[*li].txn_id);
    }
    for &fi in &out.missing_local {
        excs.push(NewException {
            run_id,
            category: Some(Category::MissingLocal),
            row_id: Some(row_ids[fi]),
            suggested_txn_id: suggestion.get(&fi).copied(),
            match_key: rows[fi].key(),
            file_fen: Some(rows[fi].amount_fen),
            ..Default::default()
        });
    }
    for (list, c) in [
        (&out.missing_acquirer, Category::MissingAcquirer),
        (&out.expected_next_day, Category::ExpectedNextDay),
    ] {
        for &li in list {
            excs.push(NewException {
                run_id,
                category: Some(c),
                txn_id: Some(local[li].txn_id),
                match_key: local[li].key(),
                local_fen: Some(local[li].amount_fen),
                ..Default::default()
            });
        }
    }
    let mut open = 0;
    for mut e in excs {
        let k = (e.category.expect("category"), e.match_key.clone());
        e.carried = carried.get(&k).cloned();
        if e.carried.is_none() {
            open += 1;
        }
        let id = q::insert_exception(&db, &e)?;
        if e.carried.is_none() {
            if let Some(p) = proposals.get(&(k.0.code().to_string(), k.1.clone())) {
                crate::store::recon_ignore::move_pending(&db, *p, id)?;
            }
        }
    }
    // Yesterday's expected-next-day rows: matched here, they resolve; otherwise they were
    // missing at the acquirer after all.
    let matched: HashSet<i64> = out.pairs.iter().map(|p| local[p.local].txn_id).collect();
    if let Some(prev) = q::active_run(&db, merchant_id, add_days(date, -1))? {
        for (exc, txn) in q::open_expected(&db, prev)? {
            if matched.contains(&txn) {
                q::resolve(
                    &db,
                    exc,
                    Resolution::ResolvedNextDay,
                    &format!("#{run_id}"),
                    uc.operator_id(),
                    uc.now_ms,
                )?;
            } else {
                q::recategorise(&db, exc, Category::MissingAcquirer)?;
            }
        }
    }
    totals.file_rows = (rows.len() + unreadable.len()) as i64;
    q::set_run_totals(&db, run_id, &totals)?;
    let exceptions = q::category_totals(&db, run_id)?.iter().map(|c| c.1).sum();
    Ok(ImportedRun {
        run_id,
        merchant_no: String::new(),
        date,
        file_rows: totals.file_rows,
        matched: out.pairs.len() as i64,
        exceptions,
        open,
        supersedes: old,
    })
}

/// The runs, newest first.
pub fn runs(env: &Env, session: &Session, limit: i64) -> ServiceResult<Vec<RunRow>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::Reconcile),
        "recon.list",
        |uc| Ok(q::list_runs(&uc.db(), limit)?),
    )
}

/// A run's summary: the run and per category (count, open, file-side fen, local-side fen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunDetail {
    pub run: RunRow,
    pub categories: Vec<q::CategoryTotal>,
    /// Σ matched net ≠ the settlement's net for the merchant and date (「与结算单不符」).
    pub settlement_differs: bool,
}

pub fn run(env: &Env, session: &Session, run_id: i64) -> ServiceResult<RunDetail> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::Reconcile),
        "recon.view",
        |uc| {
            let db = uc.db();
            let run = q::get_run(&db, run_id)?.ok_or(ServiceError::NotFound)?;
            let categories = q::category_totals(&db, run_id)?;
            let settlement_differs = run
                .settlement_net_fen
                .is_some_and(|n| n != run.matched_net_fen);
            Ok(RunDetail {
                run,
                categories,
                settlement_differs,
            })
        },
    )
}

pub fn exceptions(
    env: &Env,
    session: &Session,
    run_id: i64,
    category: Option<Category>,
) -> ServiceResult<Vec<ExceptionRow>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::Reconcile),
        "recon.view",
        |uc| Ok(q::exceptions(&uc.db(), run_id, category)?),
    )
}

pub fn matched(env: &Env, session: &Session, run_id: i64) -> ServiceResult<Vec<q::MatchedRow>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::Reconcile),
        "recon.view",
        |uc| Ok(q::matched_rows(&uc.db(), run_id)?),
    )
}

/// Open exceptions of the given runs (for `recon import`'s exit status).
pub fn open_count(env: &Env, session: &Session, run_ids: &[i64]) -> ServiceResult<i64> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::Reconcile),
        "recon.view",
        |uc| Ok(q::open_count(&uc.db(), run_ids)?),
    )
}

/// Resolves an exception with a remark. A hand match (of a suggestion) points the file row
/// at the suggested transaction and resolves that transaction's missing-at-acquirer exception
/// too. Nothing else changes: no money, no transaction.
pub fn resolve(
    env: &mut Env,
    session: &Session,
    exception_id: i64,
    resolution: Resolution,
    remark: &str,
) -> ServiceResult<Resolved> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::ReconcileResolve),
        "recon.resolve",
        |uc| {
            let remark = remark.trim();
            if remark.is_empty() {
                return invalid("remark", Problem::Required);
            }
            if remark.chars().count() > MAX_REMARK {
                return invalid("remark", Problem::TooLong(MAX_REMARK));
            }
            if resolution == Resolution::ResolvedNextDay {
                return invalid("resolution", Problem::Unknown);
            }
            let db = uc.db();
            let e = q::get_exception(&db, exception_id)?.ok_or(ServiceError::NotFound)?;
            let run = q::get_run(&db, e.run_id)?.ok_or(ServiceError::NotFound)?;
            if e.status != ExceptionStatus::Open
                || run.status != crate::domain::recon::RunStatus::Active
            {
                return Err(ServiceError::Refused(Rule::AlreadyDecided(exception_id)));
            }
            // A proposal to ignore waits for its second person: confirmed or rejected first.
            if super::recon_ignore::pending_proposal(&db, exception_id)?.is_some() {
                return Err(ServiceError::Refused(Rule::AlreadyDecided(exception_id)));
            }
            // Ignoring a large difference needs a second person (spec §7.5): proposed here.
            if resolution == Resolution::Ignored {
                let difference = super::recon_ignore::difference_fen(e.file_fen, e.local_fen);
                let limit = super::recon_ignore::limit_fen(&db)?;
                if difference > limit {
                    super::recon_ignore::propose(uc, exception_id, difference, remark)?;
                    return Ok(Resolved::AwaitingSecond);
                }
            }
            let mut also = None;
            if resolution == Resolution::MatchedByHand {
                let (Some(row), Some(txn), Category::MissingLocal) =
                    (e.row_id, e.suggested_txn_id, e.category)
                else {
                    return invalid("resolution", Problem::Unknown);
                };
                q::match_row_by_hand(&db, row, txn)?;
                also = q::open_missing_acquirer(&db, e.run_id, txn)?;
            }
            if !q::resolve(
                &db,
                exception_id,
                resolution,
                remark,
                uc.operator_id(),
                uc.now_ms,
            )? {
                return Err(ServiceError::Refused(Rule::AlreadyDecided(exception_id)));
            }
            if let Some(other) = also {
                q::resolve(&db, other, resolution, remark, uc.operator_id(), uc.now_ms)?;
            }
            if resolution == Resolution::Ignored {
                q::note_ignore_limit(&db, exception_id, super::recon_ignore::limit_fen(&db)?)?;
            }
            uc.audit_change(
                "recon.resolve",
                &format!("recon_exception#{exception_id}"),
                &Fields::new()
                    .text("status", "open")
                    .text("category", e.category.code()),
                &Fields::new()
                    .text("status", "resolved")
                    .text("resolution", resolution.code())
                    .text("remark", remark),
            )?;
            Ok(Resolved::Done)
        },
    )
}

/// What a resolution did: resolved the exception, or (an ignore above the limit) proposed it
/// for a second person to confirm (`recon_ignore::confirm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    Done,
    AwaitingSecond,
}

/// The file name's date, for forms that default to it.
pub fn date_of_file_name(path: &Path) -> Option<i32> {
    path.file_name()
        .and_then(|n| date_in_name(&n.to_string_lossy()))
}

/// A merchant's transactions of a day as the acquirer would list them (for the demo's sample
/// files and the benchmark): every one with its terminal, time of day set.
pub fn day_transactions(
    env: &Env,
    merchant_id: i64,
    date: i32,
) -> ServiceResult<Vec<crate::domain::recon::LocalRow>> {
    env.query(
        Who::System("demo"),
        Needs::signed_in(),
        "recon.sample",
        |uc| {
            let day = |d: i32| date_from_ymd(d).map(day_start_ms).unwrap_or(0);
            let mut v =
                q::local_candidates(&uc.db(), merchant_id, day(date), day(add_days(date, 1)))?;
            for l in &mut v {
                l.trade_time = ((l.txn_ms - day(l.trade_date)).max(0) / 1000) as u32;
            }
            Ok(v)
        },
    )
}

/// The group's stores (id, merchant number, name), for the demo's files.
pub fn stores(env: &Env) -> ServiceResult<Vec<(i64, String, String)>> {
    env.query(
        Who::System("demo"),
        Needs::signed_in(),
        "recon.sample",
        |uc| {
            Ok(merchants::all(&uc.db())?
                .into_iter()
                .map(|m| (m.id, m.merchant_no, m.name))
                .collect())
        },
    )
}

/// A run as one workbook (spec §7.5, Ctrl+E): 汇总 (per category, file and local totals), 差异
/// (every exception side by side: ours | the acquirer's | difference, with its resolution), 已匹配
/// and 无法解析. Returns the file written into `dir`.
pub fn export_run(
    env: &Env,
    session: &Session,
    run_id: i64,
    dir: &Path,
    lang: Lang,
) -> ServiceResult<PathBuf> {
    use crate::domain::lang::T;
    use crate::excel::book::{write_book, BookSheet};
    use crate::excel::export::CellValue;
    let detail = run(env, session, run_id)?;
    let excs = exceptions(env, session, run_id, None)?;
    let matched = matched(env, session, run_id)?;
    let t = |x: T| x.get(lang).to_string();
    let text = |s: String| CellValue::Text(s.into());
    let r = &detail.run;
    let mut summary = vec![
        vec![
            text(t(words::W_FILE_ROWS)),
            CellValue::Int(r.file_rows),
            CellValue::Money(r.file_amount_fen),
            CellValue::Money(r.file_fee_fen),
        ],
        vec![
            text(t(words::W_LOCAL_ROWS)),
            CellValue::Int(r.local_rows),
            CellValue::Money(r.local_amount_fen),
            CellValue::Money(r.local_fee_fen),
        ],
        vec![
            text(t(words::W_MATCHED)),
            CellValue::Int(r.matched_rows),
            CellValue::Empty,
            CellValue::Empty,
        ],
    ];
    for (c, n, open, f, l) in &detail.categories {
        summary.push(vec![
            text(format!("{} ({} {open})", c.code(), t(words::W_OPEN))),
            CellValue::Int(*n),
            CellValue::Money(*f),
            CellValue::Money(*l),
        ]);
    }
    summary.push(vec![
        text(t(words::W_NET_DIFFERENCE_FILE_LOCAL)),
        CellValue::Empty,
        CellValue::Money(
            (r.file_amount_fen - r.file_fee_fen) - (r.local_amount_fen - r.local_fee_fen),
        ),
        CellValue::Empty,
    ]);
    let opt = |v: Option<i64>| v.map_or(CellValue::Empty, CellValue::Money);
    let diff_rows: Vec<Vec<CellValue>> = excs
        .iter()
        .filter(|e| e.category != Category::Unparseable)
        .map(|e| {
            vec![
                CellValue::Int(e.id),
                text(e.category.code().to_string()),
                e.line_no.map_or(CellValue::Empty, CellValue::Int),
                text(
                    e.local_rrn
                        .clone()
                        .or(e.file_rrn.clone())
                        .unwrap_or_default(),
                ),
                text(
                    e.local_terminal
                        .clone()
                        .or(e.file_terminal.clone())
                        .unwrap_or_default(),
                ),
                opt(e.local_amount.or(e.local_fen)),
                opt(e.file_amount.or(e.file_fen)),
                match (e.file_fen.or(e.file_amount), e.local_fen.or(e.local_amount)) {
                    (Some(f), Some(l)) => CellValue::Money(f - l),
                    _ => CellValue::Empty,
                },
                text(e.local_value.clone()),
                text(e.file_value.clone()),
                text(e.status.code().to_string()),
                text(
                    e.resolution
                        .map(|r| r.code().to_string())
                        .unwrap_or_default(),
                ),
                text(e.remark.clone()),
            ]
        })
        .collect();
    let unreadable: Vec<Vec<CellValue>> = excs
        .iter()
        .filter(|e| e.category == Category::Unparseable)
        .map(|e| {
            vec![
                e.line_no.map_or(CellValue::Empty, CellValue::Int),
                text(if lang == Lang::Zh {
                    e.file_value.clone()
                } else {
                    e.local_value.clone()
                }),
                text(e.raw.clone().unwrap_or_default()),
                text(e.status.code().to_string()),
                text(e.remark.clone()),
            ]
        })
        .collect();
    let matched_rows: Vec<Vec<CellValue>> = matched
        .iter()
        .map(|(line, key, pass, amount, txn)| {
            vec![
                CellValue::Int(*line),
                text(key.clone()),
                text(pass.code().to_string()),
                CellValue::Money(*amount),
                CellValue::Int(*txn),
            ]
        })
        .collect();
    let heads = |v: &[T]| v.iter().map(|h| t(*h)).collect::<Vec<_>>();
    let sheets = vec![
        BookSheet {
            name: t(words::W_SUMMARY),
            preamble: vec![
                format!(
                    "{} #{} {} {}",
                    t(words::W_RUN),
                    r.id,
                    r.merchant_no,
                    r.recon_date
                ),
                format!("{} {} ({})", t(words::W_FILE), r.file_name, r.sha256),
            ],
            headers: heads(&[
                words::W_ITEM,
                words::W_COUNT,
                words::W_FILE_AMOUNT,
                words::W_LOCAL_AMOUNT,
            ]),
            rows: summary,
            totals: None,
        },
        BookSheet {
            name: t(words::W_EXCEPTIONS),
            preamble: Vec::new(),
            headers: heads(&[
                words::W_NO,
                words::W_CATEGORY,
                words::W_LINE,
                words::W_RRN,
                words::W_TERMINAL,
                words::W_OURS,
                words::W_ACQUIRER_S,
                words::W_DIFFERENCE,
                words::W_OURS_OTHER,
                words::W_ACQUIRER_S_OTHER,
                words::W_STATUS,
                words::W_RESOLUTION,
                words::W_REMARK,
            ]),
            rows: diff_rows,
            totals: None,
        },
        BookSheet {
            name: t(words::W_MATCHED_2),
            preamble: Vec::new(),
            headers: heads(&[
                words::W_LINE,
                words::W_REFERENCE,
                words::W_PASS,
                words::W_AMOUNT,
                words::W_TRANSACTION,
            ]),
            rows: matched_rows,
            totals: None,
        },
        BookSheet {
            name: t(words::W_UNREADABLE),
            preamble: Vec::new(),
            headers: heads(&[
                words::W_LINE,
                words::W_REASON,
                words::W_RAW_LINE,
                words::W_STATUS,
                words::W_REMARK,
            ]),
            rows: unreadable,
            totals: None,
        },
    ];
    std::fs::create_dir_all(dir).map_err(|e| ServiceError::File(e.to_string()))?;
    let path = dir.join(format!(
        "{}_{}_{}_{}.xlsx",
        words::W_RECON_RUN.get(lang),
        r.id,
        r.merchant_no,
        r.recon_date
    ));
    write_book(&path, &sheets).map_err(ServiceError::File)?;
    Ok(path)
}

/// A file the import offers: where, and whether this database has it already (by SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedFile {
    pub path: PathBuf,
    pub imported: bool,
}

/// The acquirer files the import screen offers, newest name first: the `.csv`, `.txt` and
/// `.xlsx` files of the demo's acquirer folder beside the database file (`<stem>-acquirer`)
/// and of the download folder, each marked when already imported. Needs `reconcile`.
pub fn offered_files(
    env: &Env,
    session: &Session,
    limit: usize,
) -> ServiceResult<Vec<OfferedFile>> {
    let mut dirs = Vec::new();
    if let crate::store::Location::File(p) = &env.store.location {
        if let (Some(dir), Some(stem)) = (p.parent(), p.file_stem()) {
            dirs.push(dir.join(format!("{}-acquirer", stem.to_string_lossy())));
        }
    }
    dirs.push(super::slip::download_dir(env));
    let mut files: Vec<PathBuf> = Vec::new();
    for d in &dirs {
        let Ok(rd) = std::fs::read_dir(d) else {
            continue;
        };
        let mut here: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.is_file()
                    && p.extension().is_some_and(|x| {
                        let x = x.to_string_lossy().to_ascii_lowercase();
                        x == "csv" || x == "txt" || x == "xlsx"
                    })
            })
            .collect();
        here.sort_by(|a, b| b.file_name().cmp(&a.file_name()));
        files.extend(here);
    }
    files.truncate(limit);
    env.query(
        Who::Operator(session),
        Needs::function(&Function::Reconcile),
        "recon.files",
        |uc| {
            let db = uc.db();
            files
                .into_iter()
                .map(|path| {
                    // A file that cannot be read is offered all the same: the import says why.
                    let imported = match std::fs::read(&path) {
                        Ok(bytes) => {
                            q::file_by_sha(&db, &crate::excel::acquirer_file::sha256_hex(&bytes))?
                                .is_some()
                        }
                        Err(_) => false,
                    };
                    Ok(OfferedFile { path, imported })
                })
                .collect()
        },
    )
}

/// The format profiles an import recognises (spec §7.1), kept as data: for the screen that
/// shows them (field map, encodings, unit, type and status maps).
pub fn profiles() -> &'static [Profile] {
    pf::BUILT_IN
}
