//! Summary tabs of a transaction result (T6): by trade date, settlement date, merchant and card
//! organisation. A filter that only uses whole days, merchant, terminal, terminal group, card
//! organisation, card type, type, status or a settlement is answered from the daily rollups;
//! any other filter by a GROUP BY over the rows it selects.

use crate::clock::{date_of_ms, day_start_ms, ymd};
use crate::store::summaries::{self, DailyFilter, GroupBy, SummaryRow};
use crate::store::transactions::TxnFilter;

use super::txn_query::scoped;
use super::{Env, ServiceResult, Session};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub by: GroupBy,
    pub rows: Vec<SummaryRow>,
    /// Whether the daily rollups answered.
    pub from_rollups: bool,
}

impl Summary {
    pub fn total(&self) -> (i64, i64, i64, i64) {
        self.rows.iter().fold((0, 0, 0, 0), |a, r| {
            (
                a.0 + r.count,
                a.1 + r.amount_fen,
                a.2 + r.fee_fen,
                a.3 + r.net_fen,
            )
        })
    }
}

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

/// One summary of the result of `filter`, within the operator's scope.
pub fn summarize(
    env: &Env,
    session: &Session,
    filter: &TxnFilter,
    by: GroupBy,
) -> ServiceResult<Summary> {
    scoped(env, session, filter, |uc, f| {
        let conn = &uc.db();
        Ok(match rollup_filter(conn, f)? {
            Some(d) => Summary {
                by,
                rows: summaries::from_rollups(conn, &d, by)?,
                from_rollups: true,
            },
            None => Summary {
                by,
                rows: summaries::from_rows(conn, f, by)?,
                from_rollups: false,
            },
        })
    })
}

/// The same summary always by GROUP BY over the rows (to prove the rollups right, and for the
/// benchmark's comparison).
pub fn summarize_from_rows(
    env: &Env,
    session: &Session,
    filter: &TxnFilter,
    by: GroupBy,
) -> ServiceResult<Vec<SummaryRow>> {
    scoped(env, session, filter, |uc, f| {
        Ok(summaries::from_rows(&uc.db(), f, by)?)
    })
}
