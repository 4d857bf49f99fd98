//! The merchant's account (A1, A2): balances and the ledger (收支明细), within the operator's
//! scope of merchants.

use crate::domain::function::Function;
use crate::store::merchants::{self, MerchantRow};
use crate::store::settlements::{self, LedgerLine};

use super::session::{require, scope};
use super::{Env, ServiceError, ServiceResult, Session};

/// The merchants whose terminals the operator may see.
fn visible_merchants(env: &Env, session: &Session) -> ServiceResult<Vec<MerchantRow>> {
    let conn = &env.store.conn;
    let all = merchants::all(conn)?;
    let Some(groups) = scope(env, session)? else {
        return Ok(all);
    };
    let ids: Vec<i64> = merchants::terminals(conn)?
        .into_iter()
        .filter(|t| t.group_id.is_some_and(|g| groups.contains(&g)))
        .map(|t| t.merchant_id)
        .collect();
    Ok(all.into_iter().filter(|m| ids.contains(&m.id)).collect())
}

/// (merchant, balance in fen).
pub fn balances(env: &Env, session: &Session) -> ServiceResult<Vec<(MerchantRow, i64)>> {
    require(env, session, Function::AccountView)?;
    let mut v = Vec::new();
    for m in visible_merchants(env, session)? {
        let b = merchants::balance_fen(&env.store.conn, m.id)?;
        v.push((m, b));
    }
    Ok(v)
}

pub fn ledger(
    env: &Env,
    session: &Session,
    merchant_id: i64,
    before_id: Option<i64>,
    limit: usize,
) -> ServiceResult<Vec<LedgerLine>> {
    require(env, session, Function::AccountView)?;
    if !visible_merchants(env, session)?
        .iter()
        .any(|m| m.id == merchant_id)
    {
        return Err(ServiceError::OutOfScope);
    }
    Ok(settlements::ledger(
        &env.store.conn,
        merchant_id,
        before_id,
        limit,
    )?)
}
