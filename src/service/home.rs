//! The home screen's facts (B6): merchants, balances and the latest transactions in scope.

use crate::store::merchants::{self, MerchantRow};
use crate::store::transactions::{self, PageAt, TxnFilter, TxnRow};

use super::kernel::{Needs, Who};
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
    env.query(Who::Operator(session), Needs::signed_in(), "home", |uc| {
        let conn = &uc.db();
        let group_name = merchants::setting(conn, "merchant_group_name")?.unwrap_or_default();
        let group_name_en = merchants::setting(conn, "merchant_group_name_en")?
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| group_name.clone());
        let list_merchants = super::account::visible_merchants(conn, uc.scope())?;
        let may_see_balance = uc.has(crate::domain::function::Function::AccountView);
        let mut list = Vec::new();
        for m in list_merchants {
            let bal = if may_see_balance {
                Some(merchants::balance_fen(conn, m.id)?)
            } else {
                None
            };
            list.push((m, bal));
        }
        let recent = if uc.has(crate::domain::function::Function::TxnQuery)
            || uc.has(crate::domain::function::Function::Monitor)
        {
            let f = TxnFilter {
                group_scope: uc.scope().map(|s| s.to_vec()),
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
    })
}

/// The merchant group's name in Chinese and English, for the login screen (before a session).
/// A demo database's operators in words (Chinese, English), for its login screen; empty for a
/// real database.
pub fn demo_operators(env: &Env) -> (String, String) {
    let db = env.store.read();
    let get = |k: &str| {
        merchants::setting(&db, k)
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    (get("demo_operators"), get("demo_operators_en"))
}

pub fn group_names(env: &Env) -> (String, String) {
    let db = env.store.read();
    let get = |k: &str| {
        merchants::setting(&db, k)
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    (get("merchant_group_name"), get("merchant_group_name_en"))
}
