//! Settlement query 结算查询 (S1, S3, S4): the conditions as typed, pages and totals within the
//! operator's terminal-group scope, and one settlement.

use crate::clock::parse_date;
use crate::clock::ymd;
use crate::domain::function::Function;
use crate::store::settlement_query::{
    self as store, SettlementFilter, SettlementRow, SettlementTotals,
};

use super::error::{invalid, Problem};
use super::kernel::{Needs, Uc, Who};
use super::txn_query::resolve_merchant;
use super::{Env, ServiceError, ServiceResult, Session};

pub const PAGE_SIZE: usize = 20;

/// The settlement statuses: settled (结算完成), paid out to the merchant's account (已划款).
pub const STATUSES: &[&str] = &["settled", "paid"];

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SettlementQueryInput {
    pub from_date: String,
    pub to_date: String,
    /// A merchant number or a part of a merchant's name.
    pub merchant: String,
    pub status: Option<&'static str>,
}

pub fn build_filter(env: &Env, input: &SettlementQueryInput) -> ServiceResult<SettlementFilter> {
    let date = |field: &'static str, s: &str| -> ServiceResult<Option<i32>> {
        match s.trim() {
            "" => Ok(None),
            s => parse_date(s)
                .map(|d| Some(ymd(d)))
                .or_else(|_| invalid(field, Problem::BadDate)),
        }
    };
    let from_date = date("from_date", &input.from_date)?;
    let to_date = date("to_date", &input.to_date)?;
    if let (Some(a), Some(b)) = (from_date, to_date) {
        if b < a {
            return invalid("to_date", Problem::DateOrder);
        }
    }
    Ok(SettlementFilter {
        from_date,
        to_date,
        merchant_id: resolve_merchant(env, "merchant", &input.merchant)?,
        status: input.status.map(str::to_string),
        id: None,
        group_scope: None,
    })
}

/// Runs `body` as a settlement query: the function checked, the filter limited to the scope.
fn scoped<T>(
    env: &Env,
    session: &Session,
    f: &SettlementFilter,
    body: impl FnOnce(&Uc, &SettlementFilter) -> ServiceResult<T>,
) -> ServiceResult<T> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::SettlementQuery),
        "settlement.query",
        |uc| {
            let mut f = f.clone();
            f.group_scope = uc.scope().map(|s| s.to_vec());
            body(uc, &f)
        },
    )
}

pub fn totals(
    env: &Env,
    session: &Session,
    f: &SettlementFilter,
) -> ServiceResult<SettlementTotals> {
    scoped(env, session, f, |uc, f| Ok(store::totals(&uc.db(), f)?))
}

/// Page `index` (0-based) of 20 settlements.
pub fn page(
    env: &Env,
    session: &Session,
    f: &SettlementFilter,
    index: usize,
) -> ServiceResult<Vec<SettlementRow>> {
    scoped(env, session, f, |uc, f| {
        Ok(store::page(&uc.db(), f, index * PAGE_SIZE, PAGE_SIZE)?)
    })
}

/// Every settlement of the result (for an export).
pub fn all(
    env: &Env,
    session: &Session,
    f: &SettlementFilter,
) -> ServiceResult<Vec<SettlementRow>> {
    scoped(env, session, f, |uc, f| {
        Ok(store::page(&uc.db(), f, 0, usize::MAX >> 1)?)
    })
}

/// One settlement as the operator's scope sees it.
pub fn one(env: &Env, session: &Session, id: i64) -> ServiceResult<SettlementRow> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::SettlementQuery),
        "settlement.one",
        |uc| {
            let db = uc.db();
            let groups = uc.scope().map(|s| s.to_vec());
            let scoped = groups.is_some();
            match store::one(&db, id, groups)? {
                Some(r) => Ok(r),
                None if scoped && store::one(&db, id, None)?.is_some() => {
                    Err(ServiceError::OutOfScope)
                }
                None => Err(ServiceError::NotFound),
            }
        },
    )
}
