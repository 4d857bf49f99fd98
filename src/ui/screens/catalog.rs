//! The screens an operator can open from the menu and the Ctrl+P palette, and what each needs.
//! A menu lists only what works, and only what the operator's roles allow.

use crate::clock::date_of_ms;
use crate::domain::function::Function;
use crate::service::auth::Which;
use crate::service::Session;
use crate::ui::text::{t, Lang, T};

use super::change_password::ChangePassword;
use super::txn_query::TxnQuery;
use super::{Cx, Nav, Outcome};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryId {
    TxnQuery,
    TxnToday,
    TxnYesterday,
    Operators,
    Roles,
    Terminals,
    Groups,
    Settings,
    AuditLog,
    ChangePassword,
    ChangePayPassword,
    Logout,
}

pub struct Entry {
    pub id: EntryId,
    pub name: T,
    /// Pinyin initials, for the palette.
    pub initials: &'static str,
    pub needs: Option<Function>,
}

pub const ENTRIES: &[Entry] = &[
    Entry {
        id: EntryId::TxnQuery,
        name: t::SCR_TXN_QUERY,
        initials: "jycx",
        needs: Some(Function::TxnQuery),
    },
    Entry {
        id: EntryId::TxnToday,
        name: t::SCR_TXN_TODAY,
        initials: "drjymx",
        needs: Some(Function::TxnQuery),
    },
    Entry {
        id: EntryId::TxnYesterday,
        name: t::SCR_TXN_YESTERDAY,
        initials: "zrjymx",
        needs: Some(Function::TxnQuery),
    },
    Entry {
        id: EntryId::Operators,
        name: crate::ui::text::admin::SCR_OPERATORS,
        initials: "czygl",
        needs: Some(Function::OperatorManage),
    },
    Entry {
        id: EntryId::Roles,
        name: crate::ui::text::admin::SCR_ROLES,
        initials: "jsygn",
        needs: Some(Function::RoleManage),
    },
    Entry {
        id: EntryId::Terminals,
        name: crate::ui::text::admin::SCR_TERMINALS,
        initials: "zdgl",
        needs: Some(Function::TerminalManage),
    },
    Entry {
        id: EntryId::Groups,
        name: crate::ui::text::admin::SCR_GROUPS,
        initials: "zdzgl",
        needs: Some(Function::TerminalManage),
    },
    Entry {
        id: EntryId::Settings,
        name: crate::ui::text::admin::SCR_SETTINGS,
        initials: "shsz",
        needs: Some(Function::MerchantSettings),
    },
    Entry {
        id: EntryId::AuditLog,
        name: crate::ui::text::admin::SCR_AUDIT,
        initials: "czrz",
        needs: Some(Function::AuditView),
    },
    Entry {
        id: EntryId::ChangePassword,
        name: t::SCR_CHANGE_PASSWORD,
        initials: "xgmm",
        needs: None,
    },
    Entry {
        id: EntryId::ChangePayPassword,
        name: t::SCR_CHANGE_PAY_PASSWORD,
        initials: "xgzfmm",
        needs: None,
    },
    Entry {
        id: EntryId::Logout,
        name: t::LOGOUT,
        initials: "tcdl",
        needs: None,
    },
];

/// The entries this session may open, in menu order.
pub fn allowed(session: &Session) -> Vec<&'static Entry> {
    ENTRIES
        .iter()
        .filter(|e| e.needs.is_none_or(|f| session.has(f)))
        .collect()
}

/// Entries whose Chinese or English name, or pinyin initials, contain what was typed.
pub fn matching(session: &Session, typed: &str) -> Vec<&'static Entry> {
    let q = typed.trim().to_lowercase();
    allowed(session)
        .into_iter()
        .filter(|e| {
            q.is_empty()
                || e.name.get(Lang::Zh).contains(&q)
                || e.name.get(Lang::En).to_lowercase().contains(&q)
                || e.initials.contains(&q)
        })
        .collect()
}

pub fn open(id: EntryId, cx: &mut Cx) -> Outcome {
    let today = date_of_ms(cx.now_ms());
    match id {
        EntryId::TxnQuery => Outcome::nav(Nav::Push(Box::new(TxnQuery::new(cx.lang)))),
        EntryId::TxnToday => TxnQuery::for_day(cx, today),
        EntryId::TxnYesterday => TxnQuery::for_day(cx, today.yesterday().unwrap_or(today)),
        EntryId::ChangePassword => Outcome::nav(Nav::Push(Box::new(ChangePassword::new(
            Which::Login,
            cx.lang,
            crate::service::auth::policy(cx.env),
        )))),
        EntryId::ChangePayPassword => Outcome::nav(Nav::Push(Box::new(ChangePassword::new(
            Which::Payment,
            cx.lang,
            crate::service::auth::policy(cx.env),
        )))),
        EntryId::Operators => super::operators::Operators::open(cx),
        EntryId::Roles => super::roles::Roles::open(cx),
        EntryId::Terminals => super::terminals::Terminals::open(cx),
        EntryId::Groups => super::groups::Groups::open(cx),
        EntryId::Settings => super::settings::SettingsScreen::open(cx),
        EntryId::AuditLog => super::audit_log::AuditLog::open(cx),
        EntryId::Logout => Outcome::nav(Nav::Logout),
    }
}
