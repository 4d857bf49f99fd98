//! The home screen's facts (B6): merchants, balances and the latest transactions in scope.

use crate::store::merchants::{self, MerchantRow};
use crate::store::transactions::{self, PageAt, TxnFilter, TxnRow};

use super::session::scope;
use super::{Env, ServiceResult, Session};

#[derive(Debug, Clone)]
pub struct HomeFacts {
    pub group_name: String,
    pub group_name_en: String,
    /// The merchants whose terminals the operator may see, with the balance where the operator
    /// may see the account.
    pub merchants: Vec<(MerchantRow, Option<i64>)>,
    pub recent: Vec<TxnRow>,
}

pub fn facts(env: &Env, session: &Session, recent: usize) -> ServiceResult<HomeFacts> {
    let conn = &env.store.conn;
    let group_name = merchants::setting(conn, "merchant_group_name")?.unwrap_or_default();
    let group_name_en = merchants::setting(conn, "merchant_group_name_en")?
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| group_name.clone());
    let scope_groups = scope(env, session)?;
    let visible: Option<Vec<i64>> = scope_groups.as_ref().map(|groups| {
        merchants::terminals(conn)
            .unwrap_or_default()
            .into_iter()
            .filter(|t| t.group_id.is_some_and(|g| groups.contains(&g)))
            .map(|t| t.merchant_id)
            .collect()
    });
    let may_see_balance = session.has(crate::domain::function::Function::AccountView);
    let mut list = Vec::new();
    for m in merchants::all(conn)? {
        if visible.as_ref().is_some_and(|v| !v.contains(&m.id)) {
            continue;
        }
        let bal = if may_see_balance {
            Some(merchants::balance_fen(conn, m.id)?)
        } else {
            None
        };
        list.push((m, bal));
    }
    let recent = if session.has(crate::domain::function::Function::TxnQuery)
        || session.has(crate::domain::function::Function::Monitor)
    {
        let f = TxnFilter {
            group_scope: scope_groups,
            ..Default::default()
        };
        transactions::page(conn, &f, PageAt::First, recent)?
    } else {
        Vec::new()
    };
    Ok(HomeFacts {
        group_name,
        group_name_en,
        merchants: list,
        recent,
    })
}
