//! Which transaction filters the daily rollups can answer: one that only uses whole days,
//! merchant, terminal, terminal group, card organisation, card type, type, status or a
//! settlement. The summaries and the totals under a list both ask here.

use crate::clock::{date_of_ms, day_start_ms, ymd};
use crate::store::summaries::{self, DailyFilter};
use crate::store::transactions::TxnFilter;

use super::ServiceResult;

/// The trade date a moment starts, when it is exactly the start of a business day.
fn whole_day(ms: i64) -> Option<i32> {
    let d = date_of_ms(ms);
    (day_start_ms(d) == ms).then(|| ymd(d))
}

/// The rollup filter that selects the same rows as `f`, when there is one. Needs the store only
/// to turn a settlement into its merchant and date.
pub fn rollup_filter(db: &crate::store::Db, f: &TxnFilter) -> ServiceResult<Option<DailyFilter>> {
    let row_only = f.rrn.is_some()
        || f.bank_code.is_some()
        || f.min_fen.is_some()
        || f.max_fen.is_some()
        || f.card_last4.is_some()
        || f.batch_no.is_some()
        || f.auth_code.is_some();
    if row_only {
        return Ok(None);
    }
    let from_date = match f.from_ms {
        None => None,
        Some(ms) => match whole_day(ms) {
            Some(d) => Some(d),
            None => return Ok(None),
        },
    };
    let to_date = match f.to_ms {
        None => None,
        // The filter's end is exclusive: the day before it is the last one.
        Some(ms) => match whole_day(ms) {
            Some(_) => Some(ymd(date_of_ms(ms - 1))),
            None => return Ok(None),
        },
    };
    let mut d = DailyFilter {
        from_date,
        to_date,
        merchant_id: f.merchant_id,
        terminal_no: f.terminal_no.clone(),
        txn_type: f.txn_type.clone(),
        status: f.status.clone(),
        card_org: f.card_org.clone(),
        card_type: f.card_type.clone(),
        settle_date: None,
        group_scope: f.group_scope.clone(),
    };
    if let Some(sid) = f.settlement_id {
        let Some((merchant, date)) = summaries::settlement_key(db, sid)? else {
            return Ok(None);
        };
        if d.merchant_id.is_some_and(|m| m != merchant) {
            return Ok(None);
        }
        d.merchant_id = Some(merchant);
        d.settle_date = Some(date);
    }
    Ok(Some(d))
}
