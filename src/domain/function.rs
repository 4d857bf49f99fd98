//! Functions (功能) are what a role may do; menus and service operations both ask for one.

use super::txn::coded_enum;

coded_enum!(Function {
    TxnQuery = "txn_query",
    TxnExport = "txn_export",
    SettlementQuery = "settlement_query",
    Monitor = "monitor",
    RefundApply = "refund_apply",
    RefundReview = "refund_review",
    RefundQuery = "refund_query",
    FastRefund = "fast_refund",
    AccountView = "account_view",
    RoleManage = "role_manage",
    OperatorManage = "operator_manage",
    TerminalManage = "terminal_manage",
    MerchantSettings = "merchant_settings",
    AuditView = "audit_view",
    SettlementRun = "settlement_run",
    FastRefundReview = "fast_refund_review",
    TransferApply = "transfer_apply",
    TransferReview = "transfer_review",
    WithdrawApply = "withdraw_apply",
    WithdrawReview = "withdraw_review",
    ReviewInbox = "review_inbox",
    ApplicationRecords = "application_records",
    BankAccountManage = "bank_account_manage",
    ContactManage = "contact_manage",
    StatementDownload = "statement_download",
    Reconcile = "reconcile",
    ReconcileResolve = "reconcile_resolve",
});

/// The built-in roles of SPEC.md and their functions. The administrator role has every function
/// and can never be edited.
pub struct DefaultRole {
    pub code: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub functions: &'static [Function],
}

use Function::*;

pub const ADMIN_ROLE: &str = "admin";

pub const DEFAULT_ROLES: &[DefaultRole] = &[
    DefaultRole {
        code: ADMIN_ROLE,
        name_zh: "管理员",
        name_en: "Administrator",
        functions: Function::ALL,
    },
    DefaultRole {
        code: "monitor",
        name_zh: "交易监控",
        name_en: "Transaction monitor",
        functions: &[Monitor, TxnQuery],
    },
    DefaultRole {
        code: "finance",
        name_zh: "财务",
        name_en: "Finance",
        functions: &[
            SettlementQuery,
            TxnQuery,
            TxnExport,
            AccountView,
            StatementDownload,
            Reconcile,
            ReconcileResolve,
        ],
    },
    DefaultRole {
        code: "refund_clerk",
        name_zh: "退货操作员",
        name_en: "Refund clerk",
        functions: &[TxnQuery, RefundApply, RefundQuery],
    },
    DefaultRole {
        code: "refund_checker",
        name_zh: "退货审核员",
        name_en: "Refund reviewer",
        functions: &[TxnQuery, RefundReview, RefundQuery, ReviewInbox],
    },
    DefaultRole {
        code: "fast_refund",
        name_zh: "快速退货操作员",
        name_en: "Fast refund clerk",
        functions: &[TxnQuery, FastRefund],
    },
    DefaultRole {
        code: "applicant",
        name_zh: "申请",
        name_en: "Applicant",
        functions: &[
            TxnQuery,
            TransferApply,
            WithdrawApply,
            ContactManage,
            ApplicationRecords,
            AccountView,
        ],
    },
    DefaultRole {
        code: "fund_checker",
        name_zh: "审核",
        name_en: "Fund reviewer",
        functions: &[
            ReviewInbox,
            TransferReview,
            WithdrawReview,
            ApplicationRecords,
            AccountView,
            FastRefundReview,
        ],
    },
];
