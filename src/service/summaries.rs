//! Summary tabs of a transaction result (T6): by trade date, settlement date, merchant and card
//! organisation. A filter that only uses whole days, merchant, terminal, terminal group, card
//! organisation, card type, type, status or a settlement is answered from the daily rollups;
//! any other filter by a GROUP BY over the rows it selects.

use crate::store::summaries::{self, GroupBy, SummaryRow};
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

/// One summary of the result of `filter`, within the operator's scope.
pub fn summarize(
    env: &Env,
    session: &Session,
    filter: &TxnFilter,
    by: GroupBy,
) -> ServiceResult<Summary> {
    scoped(env, session, filter, |uc, f| {
        let conn = &uc.db();
        Ok(match super::rollups::rollup_filter(conn, f)? {
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
