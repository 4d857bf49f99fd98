//! The outcome feed (spec/money-out.md §1.4): the one way a payout leaves 处理中. Its sources are
//! the result file (`merchant-desk outcomes import --file R.csv`), the settlement run (normal
//! withdrawals, T+1), and the demo's simulator of fast withdrawals (`outcomes simulate`). Every outcome is one transaction with its
//! audit row, acting as the system (`Who::System("outcomes")`).
//!
//! A success ends the payout; a failure ends it with its reason code and writes compensating
//! credit lines (the amount and the fee back), since ledger lines are never edited.

use std::path::Path;

use crate::domain::audit::Fields;
use crate::domain::review::{ReasonOutcome, WithdrawalStatus};
use crate::store::review as q;
use crate::store::settlements;

use super::error::{invalid, Problem, Rule};
use super::kernel::{Needs, Uc, Who};
use super::{Env, ServiceError, ServiceResult};

/// 结果: 成功 / 失败 / 异常 / 退票.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutcomeResult {
    Success,
    Failed,
    Exception,
    Returned,
}

impl OutcomeResult {
    pub fn parse(s: &str) -> Option<OutcomeResult> {
        match s.trim() {
            "成功" | "success" => Some(OutcomeResult::Success),
            "失败" | "failed" => Some(OutcomeResult::Failed),
            "异常" | "exception" => Some(OutcomeResult::Exception),
            "退票" | "returned" => Some(OutcomeResult::Returned),
            _ => None,
        }
    }
}

/// One line of the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// 类型: `withdrawal` (`fast_refund` and `transfer` once they are built).
    pub kind: String,
    /// 商户订单号
    pub order_no: String,
    pub result: OutcomeResult,
    pub reason_code: String,
    pub reason_text: String,
    /// 时间 (unix ms); `None`: now.
    pub at_ms: Option<i64>,
}

/// Records one outcome inside the caller's use case.
pub(crate) fn record_in(uc: &Uc, o: &Outcome) -> ServiceResult<()> {
    if o.kind.trim() == "fast_refund" {
        return super::fast_refund::outcome_in(uc, o);
    }
    if o.kind.trim() == "transfer" {
        return super::transfers::outcome_in(uc, o);
    }
    let db = uc.db();
    if o.kind.trim() != "withdrawal" {
        return invalid("kind", Problem::Unknown);
    }
    let w = q::withdrawal_by_order(&db, o.order_no.trim())?.ok_or(ServiceError::Invalid {
        field: "order_no",
        problem: Problem::Unknown,
    })?;
    if w.status != WithdrawalStatus::Processing {
        return Err(ServiceError::Refused(Rule::OutcomeNotApplicable));
    }
    let at = o.at_ms.unwrap_or(uc.now_ms);
    let app = q::application_of(&db, "withdrawals", w.id)?.ok_or(ServiceError::NotFound)?;
    match o.result {
        OutcomeResult::Success => {
            q::set_withdrawal_status(
                &db,
                w.id,
                WithdrawalStatus::Processing,
                WithdrawalStatus::Success,
                at,
                None,
                None,
                "",
            )?;
            q::add_event(&db, app.id, at, None, "success", "")?;
        }
        OutcomeResult::Failed => {
            let code = o.reason_code.trim();
            if code.is_empty() {
                return invalid("reason_code", Problem::Required);
            }
            let (zh, _, kind) = q::reason_code(&db, code)?.ok_or(ServiceError::Invalid {
                field: "reason_code",
                problem: Problem::Unknown,
            })?;
            if kind != ReasonOutcome::Failed {
                return Err(ServiceError::Refused(Rule::OutcomeNotApplicable));
            }
            let text = if o.reason_text.trim().is_empty() {
                zh
            } else {
                o.reason_text.trim().to_string()
            };
            q::set_withdrawal_status(
                &db,
                w.id,
                WithdrawalStatus::Processing,
                WithdrawalStatus::Failed,
                at,
                None,
                Some(code),
                &text,
            )?;
            let memo = format!("{} {code}", w.order_no);
            settlements::append_ledger(
                &db,
                w.merchant_id,
                uc.now_ms,
                "withdrawal",
                w.amount_fen,
                Some("withdrawals"),
                Some(w.id),
                &memo,
            )?;
            if w.fee_fen > 0 {
                settlements::append_ledger(
                    &db,
                    w.merchant_id,
                    uc.now_ms,
                    "fee",
                    w.fee_fen,
                    Some("withdrawals"),
                    Some(w.id),
                    &memo,
                )?;
            }
            q::add_event(&db, app.id, at, None, "failed", &format!("{code} {text}"))?;
        }
        // A withdrawal is paid or it is not: exceptions and returns are for fast refunds and
        // bank transfers.
        OutcomeResult::Exception | OutcomeResult::Returned => {
            return Err(ServiceError::Refused(Rule::OutcomeNotApplicable))
        }
    }
    let to = if o.result == OutcomeResult::Success {
        WithdrawalStatus::Success
    } else {
        WithdrawalStatus::Failed
    };
    uc.audit_change(
        "withdrawal.outcome",
        &format!("withdrawal#{} order={}", w.id, w.order_no),
        &Fields::new().text("status", WithdrawalStatus::Processing.code()),
        &Fields::new()
            .text("status", to.code())
            .text("reason", o.reason_code.trim()),
    )
}

/// Records one outcome as the system, in its own transaction.
pub fn record(env: &mut Env, o: &Outcome) -> ServiceResult<()> {
    env.act(
        Who::System("outcomes"),
        Needs::signed_in(),
        "outcome.record",
        |uc| record_in(uc, o),
    )
}

/// What the demo's simulator did: the fast withdrawals it paid and failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SimulationReport {
    pub paid: Vec<String>,
    pub failed: Vec<(String, &'static str)>,
}

/// The failure codes the simulator answers with (the demo's reason codes).
const SIMULATED_FAILURES: [(&str, &str); 4] = [
    ("R01", "余额不足"),
    ("R02", "账户已销户"),
    ("R03", "账户不存在"),
    ("R04", "账号格式错误"),
];

/// The bank's answer the demo gives a fast withdrawal: decided by the seed and the order number
/// alone (SHA-256), so a run is repeatable: about one in ten fails, with one of the failure codes.
pub fn simulated_outcome(seed: u64, order_no: &str) -> (OutcomeResult, Option<&'static str>) {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    h.update(seed.to_be_bytes());
    h.update(order_no.as_bytes());
    let d = h.finalize();
    if d[0] < 26 {
        (
            OutcomeResult::Failed,
            Some(SIMULATED_FAILURES[d[1] as usize % SIMULATED_FAILURES.len()].0),
        )
    } else {
        (OutcomeResult::Success, None)
    }
}

/// The demo's fast-withdrawal simulator (spec §1.4): answers every fast withdrawal still
/// processing as the bank would, each answer one outcome of the feed (its own transaction and
/// audit row, by the system).
pub fn simulate_fast_withdrawals(env: &mut Env, seed: u64) -> ServiceResult<SimulationReport> {
    let due = env.query(
        Who::System("outcomes"),
        Needs::signed_in(),
        "outcome.simulate",
        |uc| Ok(q::fast_withdrawals_processing(&uc.db())?),
    )?;
    let mut report = SimulationReport::default();
    for w in due {
        let (result, code) = simulated_outcome(seed, &w.order_no);
        let reason_text = code
            .and_then(|c| SIMULATED_FAILURES.iter().find(|(k, _)| *k == c))
            .map(|(_, t)| t.to_string())
            .unwrap_or_default();
        record(
            env,
            &Outcome {
                kind: "withdrawal".into(),
                order_no: w.order_no.clone(),
                result,
                reason_code: code.unwrap_or_default().into(),
                reason_text,
                at_ms: None,
            },
        )?;
        match code {
            Some(c) => report.failed.push((w.order_no, c)),
            None => report.paid.push(w.order_no),
        }
    }
    Ok(report)
}

/// What an import did: how many outcomes were recorded, and each line refused with why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub recorded: usize,
    /// (row number as the file shows it, the error)
    pub refused: Vec<(u32, ServiceError)>,
}

const COLUMNS: [&str; 6] = ["类型", "商户订单号", "结果", "原因代码", "原因说明", "时间"];

/// Imports a result file (.csv or .xlsx) with the columns 类型, 商户订单号, 结果, 原因代码,
/// 原因说明, 时间 (`yyyy-mm-dd hh:mm[:ss]`, business time; empty: now). Each line is its own
/// transaction: a bad line is refused and named, the others are recorded.
pub fn import_file(env: &mut Env, path: &Path) -> Result<ImportReport, String> {
    use crate::excel::import::{cell_text, read_table};
    let table = read_table(path, 100_000).map_err(|e| e.to_string())?;
    let header: Vec<String> = table
        .header
        .cells
        .iter()
        .map(|c| cell_text(c).trim().to_string())
        .collect();
    let mut idx = [0usize; 6];
    for (i, name) in COLUMNS.iter().enumerate() {
        idx[i] = header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("the file has no column {name}"))?;
    }
    let mut lines = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let text = |i: usize| cell_text(row.cell(idx[i])).trim().to_string();
        let parsed = (|| -> ServiceResult<Outcome> {
            let result = OutcomeResult::parse(&text(2)).ok_or(ServiceError::Invalid {
                field: "result",
                problem: Problem::Unknown,
            })?;
            let at = text(5);
            let at_ms = if at.is_empty() {
                None
            } else {
                Some(
                    crate::clock::parse_datetime_ms(&at).ok_or(ServiceError::Invalid {
                        field: "time",
                        problem: Problem::BadDate,
                    })?,
                )
            };
            Ok(Outcome {
                kind: text(0),
                order_no: text(1),
                result,
                reason_code: text(3),
                reason_text: text(4),
                at_ms,
            })
        })();
        lines.push((row.row_no, parsed));
    }
    record_lines(env, &lines).map_err(|e| e.to_string())
}

/// Records the lines of one outcome file as the system in one transaction: each line in its own
/// savepoint, so a refused line (audited with its reason) undoes only itself and the others are
/// kept — one commit for the file instead of one per line.
fn record_lines(
    env: &mut Env,
    lines: &[(u32, ServiceResult<Outcome>)],
) -> ServiceResult<ImportReport> {
    env.act(
        Who::System("outcomes"),
        Needs::signed_in(),
        "outcome.import",
        |uc| {
            let mut report = ImportReport::default();
            for (row, parsed) in lines {
                let done = match parsed {
                    Ok(o) => crate::store::in_savepoint(&uc.db(), || record_in(uc, o)),
                    Err(e) => Err(e.clone()),
                };
                match done {
                    Ok(()) => report.recorded += 1,
                    Err(e) => {
                        uc.audit(
                            "outcome.record.refused",
                            &format!("row {row}"),
                            "",
                            &super::kernel::refusal_text(&e),
                        )?;
                        report.refused.push((*row, e));
                    }
                }
            }
            Ok(report)
        },
    )
}
