//! The merchant's account (A1, A2): balances and the ledger (收支明细), within the operator's
//! scope of merchants.

use crate::domain::function::Function;
use crate::store::merchants::{self, MerchantRow};
use crate::store::settlements::{self, LedgerLine};
use crate::store::Db;

use super::kernel::{Needs, Uc, Who};
use super::{Env, ServiceError, ServiceResult, Session};

/// The merchants whose terminals the operator may see.
pub(crate) fn visible_merchants(db: &Db, scope: Option<&[i64]>) -> ServiceResult<Vec<MerchantRow>> {
    let all = merchants::all(db)?;
    let Some(groups) = scope else {
        return Ok(all);
    };
    let ids: Vec<i64> = merchants::terminals(db)?
        .into_iter()
        .filter(|t| t.group_id.is_some_and(|g| groups.contains(&g)))
        .map(|t| t.merchant_id)
        .collect();
    Ok(all.into_iter().filter(|m| ids.contains(&m.id)).collect())
}

/// Refuses a merchant outside the operator's scope.
pub(crate) fn require_merchant(uc: &Uc, merchant_id: i64) -> ServiceResult<()> {
    if visible_merchants(&uc.db(), uc.scope())?
        .iter()
        .any(|m| m.id == merchant_id)
    {
        Ok(())
    } else {
        Err(ServiceError::OutOfScope)
    }
}

/// (merchant, balance in fen).
pub fn balances(env: &Env, session: &Session) -> ServiceResult<Vec<(MerchantRow, i64)>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::AccountView),
        "account.balances",
        |uc| {
            let db = uc.db();
            let mut v = Vec::new();
            for m in visible_merchants(&db, uc.scope())? {
                let b = merchants::balance_fen(&db, m.id)?;
                v.push((m, b));
            }
            Ok(v)
        },
    )
}

/// Each store's balance as 收支明细 shows it: the ledger balance, what active holds keep, and
/// 可用余额 = ledger − holds (spec/money-out.md §1.3).
pub fn available_balances(
    env: &Env,
    session: &Session,
) -> ServiceResult<Vec<(MerchantRow, super::review::Available)>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::AccountView),
        "account.balances",
        |uc| {
            let db = uc.db();
            let mut v = Vec::new();
            for m in visible_merchants(&db, uc.scope())? {
                let a = super::review::available_in(&db, m.id)?;
                v.push((m, a));
            }
            Ok(v)
        },
    )
}

pub fn ledger(
    env: &Env,
    session: &Session,
    merchant_id: i64,
    before_id: Option<i64>,
    limit: usize,
) -> ServiceResult<Vec<LedgerLine>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::AccountView),
        "account.ledger",
        |uc| {
            require_merchant(uc, merchant_id)?;
            Ok(settlements::ledger(
                &uc.db(),
                merchant_id,
                before_id,
                limit,
            )?)
        },
    )
}
