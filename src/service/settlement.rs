//! The daily settlement run (T+1): for a settlement date, each merchant's captured transactions
//! from before that date are summed, a settlement is written, the net is credited to the ledger
//! and the transactions are linked — all in one transaction, so a killed run leaves all or none.

use crate::clock::format_ymd;
use crate::store::settlements;

use crate::domain::audit::Fields;
use crate::domain::refund::RefundStatus;
use crate::store::Db;

use super::kernel::{Needs, Uc, Who};
use super::{Env, ServiceResult};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettleReport {
    pub settle_date: i32,
    pub merchants_settled: usize,
    pub txn_count: i64,
    pub net_fen: i64,
    /// Refund applications paid out of the balance in this run.
    pub refunds_cleared: usize,
    pub refunds_cleared_fen: i64,
    /// Refund applications still waiting for balance after this run.
    pub refunds_waiting: usize,
    /// Normal withdrawals (T+1) paid in this run, and applications expired.
    pub withdrawals_completed: usize,
    pub applications_expired: usize,
}

/// The settlement run as the system (the command line, a nightly job).
pub fn run(env: &mut Env, settle_date: i32) -> ServiceResult<SettleReport> {
    env.act(
        Who::System("settlement"),
        Needs::signed_in(),
        "settlement.run",
        |uc| settle(uc, settle_date),
    )
}

/// Settles `settle_date`. A date after today (the business day of the run) is refused: it would
/// settle today's still-open transactions and clear refunds ahead of time.
fn settle(uc: &Uc, settle_date: i32) -> ServiceResult<SettleReport> {
    let now = uc.now_ms;
    if settle_date > uc.today {
        return super::error::invalid("date", super::Problem::FutureDate);
    }
    let tx = uc.db();
    let mut report = SettleReport {
        settle_date,
        ..Default::default()
    };
    for s in settlements::unsettled_sums(&tx, settle_date)? {
        if settlements::exists(&tx, s.merchant_id, settle_date)? {
            continue;
        }
        let id = settlements::insert(
            &tx,
            s.merchant_id,
            settle_date,
            s.txn_count,
            s.trade_fen,
            s.fee_fen,
            s.pos_refund_fen,
            now,
        )?;
        settlements::link_txns(&tx, s.merchant_id, settle_date, id)?;
        let net = s.trade_fen - s.fee_fen - s.pos_refund_fen;
        if net != 0 {
            settlements::append_ledger(
                &tx,
                s.merchant_id,
                now,
                "settlement",
                net,
                Some("settlements"),
                Some(id),
                &format_ymd(settle_date),
            )?;
        }
        report.merchants_settled += 1;
        report.txn_count += s.txn_count;
        report.net_fen += net;
    }
    clear_refunds(uc, settle_date, &mut report)?;
    report.withdrawals_completed = super::review::complete_normal_withdrawals(uc, settle_date)?;
    report.applications_expired = super::review::expire_in(uc)?;
    if report.merchants_settled > 0 || report.refunds_cleared > 0 {
        uc.audit_change(
            "settlement.run",
            &format_ymd(settle_date),
            &Fields::new(),
            &Fields::new()
                .int("merchants", report.merchants_settled as i64)
                .int("txns", report.txn_count)
                .int("net_fen", report.net_fen)
                .int("refunds_cleared", report.refunds_cleared as i64)
                .int("refunds_cleared_fen", report.refunds_cleared_fen),
        )?;
    }
    Ok(report)
}

/// Pays submitted refunds out of each merchant's balance, oldest first; one the balance cannot
/// cover waits in the pending clearing list (待清算) for a later run. A cleared refund is a ledger
/// debit, counts on that day's settlement of its merchant, and adds to what its transaction has
/// had refunded.
fn clear_refunds(uc: &Uc, settle_date: i32, report: &mut SettleReport) -> ServiceResult<()> {
    use crate::store::{merchants, refunds, transactions};
    let now = uc.now_ms;
    let db: Db = uc.db();
    let tx = &db;
    for a in refunds::awaiting_clearing(tx)? {
        let (id, merchant_id, txn_id, amount, status) =
            (a.id, a.merchant_id, a.txn_id, a.amount_fen, a.status);
        let balance = merchants::balance_fen(tx, merchant_id)?;
        if balance < amount {
            if status == RefundStatus::Submitted {
                refunds::transition(
                    tx,
                    id,
                    RefundStatus::Submitted,
                    RefundStatus::PendingClearing,
                    now,
                    None,
                )?;
                refunds::add_event(
                    tx,
                    id,
                    now,
                    None,
                    "pending_clearing",
                    RefundStatus::PendingClearing,
                    "",
                )?;
            }
            report.refunds_waiting += 1;
            continue;
        }
        if !refunds::transition(
            tx,
            id,
            status,
            RefundStatus::Completed,
            now,
            Some(settle_date),
        )? {
            continue;
        }
        settlements::append_ledger(
            tx,
            merchant_id,
            now,
            "refund",
            -amount,
            Some("refund_applications"),
            Some(id),
            &format!("#{id}"),
        )?;
        transactions::add_refunded(tx, txn_id, amount)?;
        let sid = match settlements::id_of(tx, merchant_id, settle_date)? {
            Some(sid) => sid,
            None => settlements::insert(tx, merchant_id, settle_date, 0, 0, 0, 0, now)?,
        };
        settlements::add_cleared_refunds(tx, sid, amount)?;
        refunds::add_event(tx, id, now, None, "cleared", RefundStatus::Completed, "")?;
        uc.audit_change(
            "refund.cleared",
            &format!("refund#{id}"),
            &Fields::new().text("status", status.code()),
            &Fields::new()
                .text("status", RefundStatus::Completed.code())
                .int("amount_fen", amount),
        )?;
        report.refunds_cleared += 1;
        report.refunds_cleared_fen += amount;
    }
    Ok(())
}

/// The settlement run started by an operator with the function (from the screen).
pub fn run_by_operator(
    env: &mut Env,
    session: &super::Session,
    date_text: &str,
) -> ServiceResult<SettleReport> {
    env.act(
        Who::Operator(session),
        Needs::function(&crate::domain::function::Function::SettlementRun),
        "settlement.run",
        |uc| {
            let date =
                crate::clock::parse_date(date_text).map_err(|_| super::ServiceError::Invalid {
                    field: "date",
                    problem: super::Problem::BadDate,
                })?;
            settle(uc, crate::clock::ymd(date))
        },
    )
}
