//! The daily settlement run (T+1): for a settlement date, each merchant's captured transactions
//! from before that date are summed, a settlement is written, the net is credited to the ledger
//! and the transactions are linked — all in one transaction, so a killed run leaves all or none.

use crate::clock::format_ymd;
use crate::store::settlements;

use super::audit::{record, Actor};
use super::{Env, ServiceResult};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettleReport {
    pub settle_date: i32,
    pub merchants_settled: usize,
    pub txn_count: i64,
    pub net_fen: i64,
}

pub fn run(env: &mut Env, actor: Actor, settle_date: i32) -> ServiceResult<SettleReport> {
    let now = env.now_ms();
    let tx = env.store.begin()?;
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
                &format!("结算 {}", format_ymd(settle_date)),
            )?;
        }
        report.merchants_settled += 1;
        report.txn_count += s.txn_count;
        report.net_fen += net;
    }
    if report.merchants_settled > 0 {
        record(
            &tx,
            now,
            actor,
            "settlement.run",
            &format_ymd(settle_date),
            "",
            &format!(
                "merchants={} txns={} net_fen={}",
                report.merchants_settled, report.txn_count, report.net_fen
            ),
        )?;
    }
    tx.commit()?;
    Ok(report)
}
