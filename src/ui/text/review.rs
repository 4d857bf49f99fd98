//! Strings of refund application, review, refund query, the pending clearing list, the account
//! ledger and the settlement run.

use super::T;

// The words: assets/text/review.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/review.rs"));

pub fn refund_status(code: &(impl super::AsCode + ?Sized)) -> T {
    match code.as_code() {
        "pending_review" => ST_PENDING_REVIEW,
        "rejected" => ST_REJECTED,
        "submitted" => ST_SUBMITTED,
        "pending_clearing" => ST_PENDING_CLEARING,
        "completed" => ST_COMPLETED,
        _ => T("?", "?"),
    }
}

pub fn refund_event(code: &str) -> T {
    match code {
        "applied" => EV_APPLIED,
        "approved" => EV_APPROVED,
        "rejected" => EV_REJECTED,
        "submitted" => EV_SUBMITTED,
        "pending_clearing" => EV_PENDING_CLEARING,
        "cleared" => EV_CLEARED,
        _ => T("?", "?"),
    }
}

pub fn ledger_kind(code: &(impl super::AsCode + ?Sized)) -> T {
    match code.as_code() {
        "settlement" => KIND_SETTLEMENT,
        "refund" => KIND_REFUND,
        "transfer" => KIND_TRANSFER,
        "withdrawal" => KIND_WITHDRAWAL,
        "topup" => KIND_TOPUP,
        "fee" => KIND_FEE,
        _ => T("?", "?"),
    }
}
