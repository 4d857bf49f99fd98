//! The home screen's facts (B6): merchants, balances and the latest transactions in scope.

use crate::store::merchants::{self, MerchantRow};
use crate::store::transactions::{self, PageAt, TxnFilter, TxnRow};

use super::session::scope;
use super::{Env, ServiceResult, Session};

#[derive(Debug, Clone)]
pub struct HomeFacts {
    pub group_name: String,
    pub merchants: Vec<(MerchantRow, i64)>,
    pub recent: Vec<TxnRow>,
}

pub fn facts(env: &Env, session: &Session, recent: usize) -> ServiceResult<HomeFacts> {
    let conn = &env.store.conn;
    let group_name = merchants::setting(conn, "merchant_group_name")?.unwrap_or_default();
    let mut list = Vec::new();
    for m in merchants::all(conn)? {
        let bal = merchants::balance_fen(conn, m.id)?;
        list.push((m, bal));
    }
    let recent = if session.has(crate::domain::function::Function::TxnQuery)
        || session.has(crate::domain::function::Function::Monitor)
    {
        let f = TxnFilter {
            group_scope: scope(env, session)?,
            ..Default::default()
        };
        transactions::page(conn, &f, PageAt::First, recent)?
    } else {
        Vec::new()
    };
    Ok(HomeFacts {
        group_name,
        merchants: list,
        recent,
    })
}
