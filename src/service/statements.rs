//! Statements 结算对账单 (A3, spec/money-out.md §5, K §3.6.4): per store, a day's or a month's
//! workbook: 汇总 (opening balance, every movement by kind with count, amount, fee and net,
//! closing balance, and the self-check that opening + movements = closing = the ledger), then
//! one sheet per kind that occurred. A statement that fails its own check is not produced. The
//! kinds are a table: transfers and fast refunds slot in as more rows of it.

use std::path::{Path, PathBuf};

use crate::clock::{date_from_ymd, date_of_ms, ymd};
use crate::domain::function::Function;
use crate::domain::lang::{Lang, T};
use crate::domain::txn::{counted, Counted};
use crate::excel::book::{write_book, BookSheet};
use crate::excel::export::CellValue;
use crate::store::merchants;
use crate::store::statements::{self as q, LineRow, SettledTxn};

use super::kernel::{Needs, Who};
use super::{Env, ServiceError, ServiceResult, Session};

/// The words of the workbook in both languages (assets/text/statements_book.toml, build.rs).
mod words {
    use crate::domain::lang::T;
    include!(concat!(env!("OUT_DIR"), "/text/statements_book.rs"));
}

/// A day (`YYYYMMDD`) or a month (`YYYYMM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day(i32),
    Month(i32),
}

impl Period {
    /// The first and last day, `YYYYMMDD`.
    pub fn days(self) -> Option<(i32, i32)> {
        match self {
            Period::Day(d) => date_from_ymd(d).map(|_| (d, d)),
            Period::Month(m) => {
                let x = date_from_ymd(m * 100 + 1)?;
                let last = x.last_of_month();
                Some((ymd(x), ymd(last)))
            }
        }
    }
    pub fn label(self) -> String {
        match self {
            Period::Day(d) => format!("{:04}-{:02}-{:02}", d / 10000, d / 100 % 100, d % 100),
            Period::Month(m) => format!("{:04}-{:02}", m / 100, m % 100),
        }
    }
}

/// The kinds of movement a statement has a sheet for: which ledger lines they are (kind and
/// sign), in order. Transfers (to platform accounts, to cards) and fast refunds add rows here.
pub struct SheetKind {
    pub code: &'static str,
    pub name: T,
    /// The ledger kinds it takes, and the sign (+1 credits, -1 debits, 0 both).
    pub ledger: &'static [(&'static str, i8)],
}

pub const KINDS: &[SheetKind] = &[
    SheetKind {
        code: "acquiring",
        name: words::W_CARD_TRANSACTIONS,
        ledger: &[("settlement", 0)],
    },
    SheetKind {
        code: "refund",
        name: words::W_REFUNDS,
        ledger: &[("refund", 0)],
    },
    SheetKind {
        code: "transfer_platform",
        name: words::W_TRANSFERS_TO_ACCOUNTS,
        ledger: &[("transfer", 0)],
    },
    SheetKind {
        code: "withdrawal",
        name: words::W_TRANSFERS_TO_CARDS_AND_WITHDRAWALS,
        ledger: &[("withdrawal", -1), ("fee", -1)],
    },
    SheetKind {
        code: "return",
        name: words::W_RETURNS,
        ledger: &[("withdrawal", 1), ("fee", 1)],
    },
    SheetKind {
        code: "other",
        name: words::W_OTHER,
        ledger: &[("topup", 0)],
    },
];

/// The day a ledger line belongs to: a settlement's settlement date, otherwise the business
/// day it was written on.
fn business_date(l: &LineRow) -> i32 {
    l.settle_date.unwrap_or_else(|| ymd(date_of_ms(l.line_ms)))
}

fn kind_of(l: &LineRow) -> usize {
    KINDS
        .iter()
        .position(|k| {
            k.ledger.iter().any(|(kind, sign)| {
                *kind == l.kind && (*sign == 0 || (*sign > 0) == (l.amount_fen > 0))
            })
        })
        .unwrap_or(KINDS.len() - 1)
}

/// One kind's line of the summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    pub kind: &'static str,
    pub count: i64,
    /// Card transactions: the trade amount; otherwise the sum of the lines.
    pub amount_fen: i64,
    pub fee_fen: i64,
    /// What the ledger moved.
    pub net_fen: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub merchant_no: String,
    pub merchant_name: String,
    pub period: Period,
    pub opening_fen: i64,
    pub movements: Vec<Movement>,
    pub closing_fen: i64,
    /// The ledger's balance at the period's end, read apart.
    pub ledger_closing_fen: i64,
    lines: Vec<LineRow>,
    txns: Vec<SettledTxn>,
}

#[derive(Debug)]
pub enum StatementError {
    Service(ServiceError),
    /// The statement fails its own check: (what, the difference in fen).
    Check(String, i64),
    Write(String),
}

impl From<ServiceError> for StatementError {
    fn from(e: ServiceError) -> Self {
        StatementError::Service(e)
    }
}

impl std::fmt::Display for StatementError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StatementError::Service(e) => write!(f, "{e}"),
            StatementError::Check(what, d) => {
                write!(
                    f,
                    "the statement fails its check: {what} differs by {}",
                    crate::domain::money::format_fen(*d)
                )
            }
            StatementError::Write(e) => write!(f, "{e}"),
        }
    }
}

/// Builds a statement from the ledger and checks it; needs `statement_download` and every
/// terminal group (a statement covers every terminal).
pub fn build(
    env: &Env,
    session: &Session,
    merchant_no: &str,
    period: Period,
) -> Result<Statement, StatementError> {
    let mut failed = None;
    let r = env.query(
        Who::Operator(session),
        Needs::function(&Function::StatementDownload),
        "statement.produce",
        |uc| {
            if uc.scope().is_some() {
                return Err(ServiceError::OutOfScope);
            }
            let db = uc.db();
            let m = merchants::all(&db)?
                .into_iter()
                .find(|m| m.merchant_no == merchant_no.trim())
                .ok_or(ServiceError::Invalid {
                    field: "merchant",
                    problem: super::Problem::Unknown,
                })?;
            let (from, to) = period.days().ok_or(ServiceError::Invalid {
                field: "period",
                problem: super::Problem::BadDate,
            })?;
            let all = q::all_lines(&db, m.id)?;
            let mut opening = 0;
            let mut lines = Vec::new();
            let mut ledger_closing = 0;
            for l in all {
                let d = business_date(&l);
                if d < from {
                    opening += l.amount_fen;
                }
                if d <= to {
                    ledger_closing += l.amount_fen;
                    if d >= from {
                        lines.push(l);
                    }
                }
            }
            let mut txns = Vec::new();
            for l in lines
                .iter()
                .filter(|l| l.kind == "settlement" && l.ref_table.as_deref() == Some("settlements"))
            {
                if let Some(id) = l.ref_id {
                    txns.extend(q::settled_txns(&db, id)?);
                }
            }
            let mut movements: Vec<Movement> = KINDS
                .iter()
                .map(|k| Movement {
                    kind: k.code,
                    count: 0,
                    amount_fen: 0,
                    fee_fen: 0,
                    net_fen: 0,
                })
                .collect();
            for l in &lines {
                let m = &mut movements[kind_of(l)];
                m.net_fen += l.amount_fen;
                if m.kind != "acquiring" {
                    m.count += 1;
                    m.amount_fen += l.amount_fen;
                }
            }
            // Card transactions: counted as the settlement counts them.
            let acq = &mut movements[0];
            let mut detail_net = 0;
            for t in &txns {
                match counted(t.txn_type, t.status) {
                    Counted::Trade => {
                        acq.count += 1;
                        acq.amount_fen += t.amount_fen;
                        acq.fee_fen += t.fee_fen;
                        detail_net += t.amount_fen - t.fee_fen;
                    }
                    Counted::Refund => {
                        acq.count += 1;
                        acq.amount_fen -= t.amount_fen;
                        detail_net -= t.amount_fen;
                    }
                    Counted::Not => {}
                }
            }
            if detail_net != acq.net_fen {
                failed = Some((
                    "收单交易 / card transactions".to_string(),
                    detail_net - acq.net_fen,
                ));
                return Err(ServiceError::File("check".into()));
            }
            let closing = opening + movements.iter().map(|m| m.net_fen).sum::<i64>();
            if closing != ledger_closing {
                failed = Some((
                    "期末余额 / closing balance".to_string(),
                    closing - ledger_closing,
                ));
                return Err(ServiceError::File("check".into()));
            }
            Ok(Statement {
                merchant_no: m.merchant_no,
                merchant_name: m.name,
                period,
                opening_fen: opening,
                movements,
                closing_fen: closing,
                ledger_closing_fen: ledger_closing,
                lines,
                txns,
            })
        },
    );
    match (r, failed) {
        (Err(_), Some((what, d))) => Err(StatementError::Check(what, d)),
        (r, _) => r.map_err(StatementError::Service),
    }
}

fn type_word(t: crate::domain::txn::TxnType, lang: Lang) -> &'static str {
    use crate::domain::txn::TxnType::*;
    match t {
        Sale => words::W_SALE,
        Completion => words::W_COMPLETION,
        Refund => words::W_REFUND,
        Void => words::W_VOID,
    }
    .get(lang)
}

/// A text cell borrowing the statement's text: no copy of a string per cell.
fn borrowed(x: &str) -> CellValue<'_> {
    CellValue::Text(std::borrow::Cow::Borrowed(x))
}

/// The workbook's sheets: 汇总, then each kind that has rows (and 按日汇总 for a month).
pub fn sheets(s: &Statement, lang: Lang, produced_ms: i64) -> Vec<BookSheet<'_>> {
    let t = |x: T| x.get(lang).to_string();
    let text = |x: String| CellValue::Text(x.into());
    let word = |x: &'static str| CellValue::Text(std::borrow::Cow::Borrowed(x));
    let mut out = Vec::new();
    let title = match s.period {
        Period::Day(_) => t(words::W_DAILY_STATEMENT),
        Period::Month(_) => t(words::W_MONTHLY_STATEMENT),
    };
    let mut rows: Vec<Vec<CellValue>> = vec![vec![
        text(t(words::W_OPENING_BALANCE)),
        CellValue::Empty,
        CellValue::Empty,
        CellValue::Empty,
        CellValue::Money(s.opening_fen),
    ]];
    for (k, m) in KINDS.iter().zip(&s.movements) {
        rows.push(vec![
            text(k.name.get(lang).to_string()),
            CellValue::Int(m.count),
            CellValue::Money(m.amount_fen),
            CellValue::Money(m.fee_fen),
            CellValue::Money(m.net_fen),
        ]);
    }
    rows.push(vec![
        text(t(words::W_CLOSING_BALANCE)),
        CellValue::Empty,
        CellValue::Empty,
        CellValue::Empty,
        CellValue::Money(s.closing_fen),
    ]);
    rows.push(vec![
        text(t(words::W_LEDGER_BALANCE)),
        CellValue::Empty,
        CellValue::Empty,
        CellValue::Empty,
        CellValue::Money(s.ledger_closing_fen),
    ]);
    out.push(BookSheet {
        name: t(words::W_SUMMARY),
        preamble: vec![
            format!("{title}"),
            format!("{}：{}", t(words::W_STORE), s.merchant_name),
            format!("{}：{}", t(words::W_MERCHANT_NO), s.merchant_no),
            format!("{}：{}", t(words::W_PERIOD), s.period.label()),
            format!(
                "{}：{}",
                t(words::W_PRODUCED),
                crate::clock::format_ms(produced_ms)
            ),
            t(words::W_CHECK_OPENING_NET_OF_EVERY_KIND_CLOSING),
        ],
        headers: vec![
            t(words::W_KIND),
            t(words::W_COUNT),
            t(words::W_AMOUNT),
            t(words::W_FEE),
            t(words::W_NET),
        ],
        rows,
        totals: None,
    });
    if !s.txns.is_empty() {
        let rows: Vec<Vec<CellValue>> = s
            .txns
            .iter()
            .map(|x| {
                vec![
                    CellValue::Date(x.settle_date),
                    CellValue::Date(x.trade_date),
                    CellValue::DateTime(x.txn_ms),
                    borrowed(&x.terminal_no),
                    borrowed(&x.batch_no),
                    borrowed(&x.voucher_no),
                    borrowed(&x.rrn),
                    borrowed(&x.card_masked),
                    borrowed(&x.card_org),
                    borrowed(&x.card_type),
                    borrowed(&x.bank_zh),
                    word(type_word(x.txn_type, lang)),
                    word(x.status.code()),
                    CellValue::Money(x.amount_fen),
                    CellValue::Money(x.fee_fen),
                    CellValue::Money(match counted(x.txn_type, x.status) {
                        Counted::Trade => x.amount_fen - x.fee_fen,
                        Counted::Refund => -x.amount_fen,
                        Counted::Not => 0,
                    }),
                ]
            })
            .collect();
        let net: i64 = s.movements[0].net_fen;
        let mut totals = vec![text(t(words::W_TOTAL))];
        totals.extend((0..14).map(|_| CellValue::Empty));
        totals.push(CellValue::Money(net));
        out.push(BookSheet {
            name: KINDS[0].name.get(lang).to_string(),
            preamble: Vec::new(),
            headers: [
                words::W_SETTLEMENT_DATE,
                words::W_TRADE_DATE,
                words::W_TIME,
                words::W_TERMINAL,
                words::W_BATCH,
                words::W_VOUCHER,
                words::W_RRN,
                words::W_CARD,
                words::W_CARD_ORG,
                words::W_CARD_TYPE,
                words::W_ISSUER,
                words::W_TYPE,
                words::W_STATUS,
                words::W_AMOUNT_2,
                words::W_FEE,
                words::W_NET_2,
            ]
            .iter()
            .map(|h| t(*h))
            .collect(),
            rows,
            totals: Some(totals),
        });
    }
    for (i, k) in KINDS.iter().enumerate().skip(1) {
        let lines: Vec<&LineRow> = s.lines.iter().filter(|l| kind_of(l) == i).collect();
        if lines.is_empty() {
            continue;
        }
        let rows = lines
            .iter()
            .map(|l| {
                vec![
                    CellValue::DateTime(l.line_ms),
                    borrowed(&l.memo),
                    borrowed(&l.kind),
                    CellValue::Money(l.amount_fen),
                    CellValue::Money(l.balance_fen),
                ]
            })
            .collect();
        out.push(BookSheet {
            name: k.name.get(lang).to_string(),
            preamble: Vec::new(),
            headers: vec![
                t(words::W_TIME_2),
                t(words::W_MEMO),
                t(words::W_KIND),
                t(words::W_AMOUNT),
                t(words::W_BALANCE),
            ],
            rows,
            totals: Some(vec![
                text(t(words::W_TOTAL)),
                CellValue::Empty,
                CellValue::Empty,
                CellValue::Money(s.movements[i].net_fen),
                CellValue::Empty,
            ]),
        });
    }
    if let Period::Month(_) = s.period {
        let mut days: std::collections::BTreeMap<i32, Vec<i64>> = std::collections::BTreeMap::new();
        for l in &s.lines {
            let d = business_date(l);
            let e = days.entry(d).or_insert_with(|| vec![0; KINDS.len()]);
            e[kind_of(l)] += l.amount_fen;
        }
        let rows = days
            .iter()
            .map(|(d, v)| {
                let mut r = vec![CellValue::Date(*d)];
                r.extend(v.iter().map(|x| CellValue::Money(*x)));
                r.push(CellValue::Money(v.iter().sum()));
                r
            })
            .collect();
        let mut headers = vec![t(words::W_DATE)];
        headers.extend(KINDS.iter().map(|k| k.name.get(lang).to_string()));
        headers.push(t(words::W_NET));
        out.push(BookSheet {
            name: t(words::W_BY_DAY),
            preamble: Vec::new(),
            headers,
            rows,
            totals: None,
        });
    }
    out
}

/// Builds, checks and writes the statement into `dir`; returns the file.
pub fn produce(
    env: &Env,
    session: &Session,
    merchant_no: &str,
    period: Period,
    dir: &Path,
    lang: Lang,
) -> Result<PathBuf, StatementError> {
    let s = build(env, session, merchant_no, period)?;
    let now = env.clock.now_ms();
    let name = match period {
        Period::Day(_) => format!(
            "{}_{}_{}.xlsx",
            words::W_DAILY_STATEMENT_2.get(lang),
            s.merchant_no,
            s.period.label()
        ),
        Period::Month(_) => format!(
            "{}_{}_{}.xlsx",
            words::W_MONTHLY_STATEMENT_2.get(lang),
            s.merchant_no,
            s.period.label()
        ),
    };
    std::fs::create_dir_all(dir).map_err(|e| StatementError::Write(e.to_string()))?;
    let path = dir.join(name);
    write_book(&path, &sheets(&s, lang, now)).map_err(StatementError::Write)?;
    Ok(path)
}

/// The days of a month that have a statement (any ledger line), for the month view.
pub fn days_with_statement(
    env: &Env,
    session: &Session,
    merchant_no: &str,
    month: i32,
) -> ServiceResult<Vec<i32>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::StatementDownload),
        "statement.days",
        |uc| {
            let db = uc.db();
            let m = merchants::all(&db)?
                .into_iter()
                .find(|m| m.merchant_no == merchant_no.trim())
                .ok_or(ServiceError::NotFound)?;
            let (from, to) = Period::Month(month).days().ok_or(ServiceError::NotFound)?;
            let mut days: Vec<i32> = q::all_lines(&db, m.id)?
                .iter()
                .map(business_date)
                .filter(|d| (from..=to).contains(d))
                .collect();
            days.sort_unstable();
            days.dedup();
            Ok(days)
        },
    )
}

/// The stores a statement can be made for: (merchant number, name).
pub fn stores(env: &Env, session: &Session) -> ServiceResult<Vec<(String, String)>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::StatementDownload),
        "statement.days",
        |uc| {
            if uc.scope().is_some() {
                return Err(ServiceError::OutOfScope);
            }
            Ok(merchants::all(&uc.db())?
                .into_iter()
                .map(|m| (m.merchant_no, m.name))
                .collect())
        },
    )
}

/// The downloads list's title of a statement, also its file name's stem.
pub fn title(merchant_no: &str, period: Period, lang: Lang) -> String {
    let kind = match period {
        Period::Day(_) => words::W_DAILY_STATEMENT_2,
        Period::Month(_) => words::W_MONTHLY_STATEMENT_2,
    };
    format!(
        "{}_{}_{}",
        kind.get(lang),
        merchant_no.trim(),
        period.label()
    )
}

/// Starts writing a day's or a month's statement in the background (the export runner: a row
/// in 下载中心 from start to finish, progress, cancel). Who may, which store and which period
/// are decided before it starts; the statement is built and checked on the job's thread with a
/// connection of its own (for an in-memory database, here), and one that fails its check
/// leaves no file and a failed row saying why.
pub fn start_export(
    env: &Env,
    session: &Session,
    merchant_no: &str,
    period: Period,
    lang: Lang,
) -> ServiceResult<crate::excel::ExportJob> {
    use crate::excel::ExportError;
    let no = merchant_no.trim().to_string();
    env.query(
        Who::Operator(session),
        Needs::function(&Function::StatementDownload),
        "statement.produce",
        |uc| {
            if uc.scope().is_some() {
                return Err(ServiceError::OutOfScope);
            }
            period.days().ok_or(ServiceError::Invalid {
                field: "period",
                problem: super::Problem::BadDate,
            })?;
            merchants::all(&uc.db())?
                .into_iter()
                .find(|m| m.merchant_no == no)
                .map(|_| ())
                .ok_or(ServiceError::Invalid {
                    field: "merchant",
                    problem: super::Problem::Unknown,
                })
        },
    )?;
    let to_export = |e: StatementError| match e {
        StatementError::Service(e) => ExportError::Source(e.to_string()),
        e => ExportError::Source(e.to_string()),
    };
    // Built here only when there is no second connection (an in-memory database).
    let source = env
        .sibling()
        .ok_or_else(|| build(env, session, &no, period));
    let session = session.clone();
    let now = env.clock.now_ms();
    let title = title(&no, period, lang);
    super::exports::launch_work(
        env,
        &session.clone(),
        &title,
        None,
        lang == Lang::Zh,
        move |path, control| {
            let s = match source {
                Ok(env) => build(&env, &session, &no, period),
                Err(built) => built,
            }
            .map_err(to_export)?;
            if control.cancelled() {
                return Err(ExportError::Cancelled);
            }
            let book = sheets(&s, lang, now);
            control.set_total(crate::excel::book::book_rows(&book));
            crate::excel::book::write_book_with(path, &book, &mut |n| {
                control.done(n);
                !control.cancelled()
            })
            .map_err(|e| match e {
                None => ExportError::Cancelled,
                Some(reason) => ExportError::Write {
                    path: path.to_path_buf(),
                    reason,
                },
            })
        },
    )
}
