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
    SettlementQuery,
    SettlementYesterday,
    Monitor,
    Downloads,
    RefundApply,
    RefundReview,
    RefundQuery,
    PendingClearing,
    Ledger,
    SettleRun,
    Operators,
    Roles,
    Terminals,
    Groups,
    Settings,
    PayoutSettings,
    FastRefundApply,
    FastRefundQuery,
    FastRefundBatch,
    AuditLog,
    BatchRefund,
    ReviewInbox,
    Withdraw,
    WithdrawRecords,
    AppRecords,
    BankAccounts,
    Payees,
    ChangePassword,
    ChangePayPassword,
    Logout,
    Recon,
    Statements,
    Transfer,
    TransferBatch,
    TransferRecords,
}

pub struct Entry {
    pub id: EntryId,
    pub name: T,
    /// Pinyin initials, for the palette.
    pub initials: &'static str,
    /// Any one of these functions opens it (empty: everyone) — the same list the entry's use
    /// cases accept, so the menu offers exactly what the service will serve.
    pub needs: &'static [Function],
}

pub const ENTRIES: &[Entry] = &[
    Entry {
        id: EntryId::TxnQuery,
        name: t::SCR_TXN_QUERY,
        initials: "jycx",
        needs: &[Function::TxnQuery],
    },
    Entry {
        id: EntryId::TxnToday,
        name: t::SCR_TXN_TODAY,
        initials: "drjymx",
        needs: &[Function::TxnQuery],
    },
    Entry {
        id: EntryId::TxnYesterday,
        name: t::SCR_TXN_YESTERDAY,
        initials: "zrjymx",
        needs: &[Function::TxnQuery],
    },
    Entry {
        id: EntryId::SettlementQuery,
        name: crate::ui::text::query::SCR_SETTLEMENT_QUERY,
        initials: "jscx",
        needs: &[Function::SettlementQuery],
    },
    Entry {
        id: EntryId::SettlementYesterday,
        name: crate::ui::text::query::SCR_SETTLEMENT_YESTERDAY,
        initials: "zrjsmx",
        needs: &[Function::SettlementQuery],
    },
    Entry {
        id: EntryId::Monitor,
        name: crate::ui::text::query::SCR_MONITOR,
        initials: "ssjyjk",
        needs: &[Function::Monitor],
    },
    Entry {
        id: EntryId::Downloads,
        name: crate::ui::text::query::SCR_DOWNLOADS,
        initials: "xzzx",
        needs: &[Function::TxnExport],
    },
    Entry {
        id: EntryId::RefundApply,
        name: crate::ui::text::review::SCR_APPLY,
        initials: "thsq",
        needs: &[Function::RefundApply],
    },
    Entry {
        id: EntryId::RefundReview,
        name: crate::ui::text::review::SCR_REVIEW,
        initials: "thsh",
        needs: &[Function::RefundReview],
    },
    Entry {
        id: EntryId::RefundQuery,
        name: crate::ui::text::review::SCR_QUERY,
        initials: "thsqcx",
        needs: &[Function::RefundQuery],
    },
    Entry {
        id: EntryId::PendingClearing,
        name: crate::ui::text::review::SCR_PENDING_CLEARING,
        initials: "dqsthlb",
        needs: &[Function::RefundQuery],
    },
    Entry {
        id: EntryId::Ledger,
        name: crate::ui::text::review::SCR_LEDGER,
        initials: "szmx",
        needs: &[Function::AccountView],
    },
    Entry {
        id: EntryId::SettleRun,
        name: crate::ui::text::review::SCR_SETTLE,
        initials: "rzjs",
        needs: &[Function::SettlementRun],
    },
    Entry {
        id: EntryId::Operators,
        name: crate::ui::text::admin::SCR_OPERATORS,
        initials: "czygl",
        needs: &[Function::OperatorManage],
    },
    Entry {
        id: EntryId::Roles,
        name: crate::ui::text::admin::SCR_ROLES,
        initials: "jsygn",
        needs: &[Function::RoleManage],
    },
    Entry {
        id: EntryId::Terminals,
        name: crate::ui::text::admin::SCR_TERMINALS,
        initials: "zdgl",
        needs: &[Function::TerminalManage],
    },
    Entry {
        id: EntryId::Groups,
        name: crate::ui::text::admin::SCR_GROUPS,
        initials: "zdzgl",
        needs: &[Function::TerminalManage],
    },
    Entry {
        id: EntryId::Settings,
        name: crate::ui::text::admin::SCR_SETTINGS,
        initials: "shsz",
        needs: &[Function::MerchantSettings],
    },
    Entry {
        id: EntryId::PayoutSettings,
        name: crate::ui::text::money_out::SCR_PAYOUT_SETTINGS,
        initials: "fksz",
        needs: &[Function::MerchantSettings],
    },
    Entry {
        id: EntryId::AuditLog,
        name: crate::ui::text::admin::SCR_AUDIT,
        initials: "czrz",
        needs: &[Function::AuditView],
    },
    Entry {
        id: EntryId::BatchRefund,
        name: crate::ui::text::refund::SCR_BATCH_REFUND,
        initials: "plth",
        needs: &[Function::RefundApply],
    },
    Entry {
        id: EntryId::ReviewInbox,
        name: crate::ui::text::money_out::SCR_INBOX,
        initials: "wddsh",
        needs: &[Function::ReviewInbox],
    },
    Entry {
        id: EntryId::Withdraw,
        name: crate::ui::text::money_out::SCR_WITHDRAW,
        initials: "tx",
        needs: &[Function::WithdrawApply],
    },
    Entry {
        id: EntryId::WithdrawRecords,
        name: crate::ui::text::money_out::SCR_WITHDRAW_RECORDS,
        initials: "txjl",
        needs: crate::service::review_lists::WITHDRAWAL_READERS,
    },
    Entry {
        id: EntryId::AppRecords,
        name: crate::ui::text::money_out::SCR_RECORDS,
        initials: "sqjl",
        needs: &[Function::ApplicationRecords],
    },
    Entry {
        id: EntryId::BankAccounts,
        name: crate::ui::text::money_out::SCR_BANK_ACCOUNTS,
        initials: "yhzh",
        needs: &[Function::BankAccountManage],
    },
    Entry {
        id: EntryId::Payees,
        name: crate::ui::text::payees::SCR_PAYEES,
        initials: "lxr",
        needs: &[Function::ContactManage],
    },
    Entry {
        id: EntryId::FastRefundApply,
        name: crate::ui::text::fast_refund::SCR_APPLY,
        initials: "ksth",
        needs: &[Function::FastRefund],
    },
    Entry {
        id: EntryId::FastRefundQuery,
        name: crate::ui::text::fast_refund::SCR_QUERY,
        initials: "ksthcx",
        needs: &[Function::FastRefund],
    },
    Entry {
        id: EntryId::FastRefundBatch,
        name: crate::ui::text::fast_refund::SCR_BATCH,
        initials: "plksth",
        needs: &[Function::FastRefund],
    },
    Entry {
        id: EntryId::ChangePassword,
        name: t::SCR_CHANGE_PASSWORD,
        initials: "xgmm",
        needs: &[],
    },
    Entry {
        id: EntryId::ChangePayPassword,
        name: t::SCR_CHANGE_PAY_PASSWORD,
        initials: "xgzfmm",
        needs: &[],
    },
    Entry {
        id: EntryId::Recon,
        name: crate::ui::text::recon::SCR_RECON,
        initials: "dz",
        needs: &[Function::Reconcile],
    },
    Entry {
        id: EntryId::Statements,
        name: crate::ui::text::recon::SCR_STATEMENTS,
        initials: "jsdzd",
        needs: &[Function::StatementDownload],
    },
    Entry {
        id: EntryId::Transfer,
        name: crate::ui::text::transfer::SCR_TRANSFER,
        initials: "zz",
        needs: &[Function::TransferApply],
    },
    Entry {
        id: EntryId::TransferBatch,
        name: crate::ui::text::transfer::SCR_TRANSFER_BATCH,
        initials: "plzz",
        needs: &[Function::TransferApply],
    },
    Entry {
        id: EntryId::TransferRecords,
        name: crate::ui::text::transfer::SCR_TRANSFER_RECORDS,
        initials: "zzjl",
        needs: crate::service::transfers::READERS,
    },
    Entry {
        id: EntryId::Logout,
        name: t::LOGOUT,
        initials: "tcdl",
        needs: &[],
    },
];

/// The entries this session may open, in menu order.
pub fn allowed(session: &Session) -> Vec<&'static Entry> {
    ENTRIES
        .iter()
        .filter(|e| e.needs.is_empty() || e.needs.iter().any(|&f| session.has(f)))
        .collect()
}

/// Entries whose Chinese or English name, or pinyin initials, contain what was typed; the ones
/// whose initials or name are exactly it first, then those that begin with it, then the rest,
/// each group in menu order (`dz` is 对账 before 终端组管理's `zdzgl`).
pub fn matching(session: &Session, typed: &str) -> Vec<&'static Entry> {
    let q = typed.trim().to_lowercase();
    let mut found: Vec<(u8, &'static Entry)> = allowed(session)
        .into_iter()
        .filter_map(|e| {
            let zh = e.name.get(Lang::Zh);
            let en = e.name.get(Lang::En).to_lowercase();
            let rank = if q.is_empty() || e.initials == q || zh == q || en == q {
                0
            } else if e.initials.starts_with(&q) || zh.starts_with(&q) || en.starts_with(&q) {
                1
            } else if zh.contains(&q) || en.contains(&q) || e.initials.contains(&q) {
                2
            } else {
                return None;
            };
            Some((rank, e))
        })
        .collect();
    // A stable sort keeps the menu order inside each rank.
    found.sort_by_key(|(rank, _)| *rank);
    found.into_iter().map(|(_, e)| e).collect()
}

pub fn open(id: EntryId, cx: &mut Cx) -> Outcome {
    let today = date_of_ms(cx.now_ms());
    match id {
        EntryId::TxnQuery => Outcome::nav(Nav::Push(Box::new(TxnQuery::new(cx.lang)))),
        EntryId::TxnToday => TxnQuery::for_day(cx, today),
        EntryId::TxnYesterday => TxnQuery::for_day(cx, today.yesterday().unwrap_or(today)),
        EntryId::SettlementQuery => super::settlement_query::SettlementQuery::open(cx),
        EntryId::SettlementYesterday => super::settlement_query::SettlementQuery::yesterday(cx),
        EntryId::Monitor => super::monitor::Monitor::open(cx),
        EntryId::Downloads => super::downloads::Downloads::open(cx),
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
        EntryId::RefundApply => super::refund_apply::RefundApply::open(cx),
        EntryId::RefundReview => super::refund_review::RefundReview::open(cx),
        EntryId::RefundQuery => super::refund_query::RefundQuery::open(cx),
        EntryId::PendingClearing => super::refund_query::RefundQuery::open_pending_clearing(cx),
        EntryId::Ledger => super::ledger::Ledger::open(cx),
        EntryId::SettleRun => super::settle_run::SettleRun::open(cx),
        EntryId::Operators => super::operators::Operators::open(cx),
        EntryId::Roles => super::roles::Roles::open(cx),
        EntryId::Terminals => super::terminals::Terminals::open(cx),
        EntryId::Groups => super::groups::Groups::open(cx),
        EntryId::Settings => super::settings::SettingsScreen::open(cx),
        EntryId::AuditLog => super::audit_log::AuditLog::open(cx),
        EntryId::BatchRefund => super::batch_refund::BatchRefund::open(cx),
        EntryId::ReviewInbox => super::review_inbox::ReviewInbox::open(cx),
        EntryId::Withdraw => super::withdraw::Withdraw::open(cx),
        EntryId::WithdrawRecords => super::withdraw_records::WithdrawRecords::open(cx),
        EntryId::AppRecords => super::app_records::AppRecords::open(cx),
        EntryId::BankAccounts => super::bank_accounts::BankAccounts::open(cx),
        EntryId::Payees => super::payees::Payees::open(cx),
        EntryId::PayoutSettings => super::payout_settings::PayoutSettingsScreen::open(cx),
        EntryId::FastRefundApply => super::fast_refund_apply::FastRefundApply::open(cx),
        EntryId::FastRefundQuery => super::fast_refund_query::FastRefundQuery::open(cx),
        EntryId::FastRefundBatch => super::fast_refund_batch::FastRefundBatch::open(cx),
        EntryId::Logout => Outcome::nav(Nav::Logout),
        EntryId::Recon => super::recon::Recon::open(cx),
        EntryId::Statements => super::statements::Statements::open(cx),
        EntryId::Transfer => super::transfer::Transfer::open(cx),
        EntryId::TransferBatch => super::transfer_batch::TransferBatch::open(cx),
        EntryId::TransferRecords => super::transfer_records::TransferRecords::open(cx),
    }
}
