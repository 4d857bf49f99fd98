//! What use cases hand to screens and commands: the rows and filters of each list, typed, with
//! enums for every status and kind. Screens name these through the service; they never name the
//! store, which keeps the SQL and the connection to itself.

pub use crate::domain::fast_refund::SupportedBank;
pub use crate::service::review::{
    Available, BankAccountView, InboxPage, InboxQuery, ItemRef, RecordQuery, WithdrawQuote,
};
pub use crate::service::review_lists::{WithdrawalRecord, WithdrawalRecordQuery};
pub use crate::store::audit::{AuditFilter, AuditRow};
pub use crate::store::downloads::{DownloadRow, DownloadState};
pub use crate::store::fast_refunds::{FastRefundEvent, FastRefundFilter, FastRefundRow};
pub use crate::store::merchants::{MerchantRow, TerminalRow};
pub use crate::store::operators::RoleRow;
pub use crate::store::refunds::{RefundEvent, RefundFilter, RefundRow};
pub use crate::store::review::{AppEvent, ApplicationRow, InboxRow, Source, WithdrawalRow};
pub use crate::store::settlement_query::{SettlementFilter, SettlementRow, SettlementTotals};
pub use crate::store::settlements::LedgerLine;
pub use crate::store::summaries::{GroupBy, SummaryRow};
pub use crate::store::transactions::{Breakdown, PageAt, SettledTotals, Totals, TxnFilter, TxnRow};
pub use crate::store::StoreError;

// Reconciliation (Y7): what its screens name.
pub use crate::service::recon::{ExceptionRow, RunDetail, RunRow};
pub use crate::store::recon_ignore::Proposal as IgnoreProposal;
