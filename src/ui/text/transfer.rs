//! Strings of 转账 (transfers, X1–X4).

use super::T;

// The words: assets/text/transfer.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/transfer.rs"));

use crate::domain::transfer::{BatchStatus, TransferStatus};

pub fn status(s: TransferStatus) -> T {
    match s {
        TransferStatus::Init => ST_INIT,
        TransferStatus::Processing => ST_PROCESSING,
        TransferStatus::Success => ST_SUCCESS,
        TransferStatus::Failed => ST_FAILED,
        TransferStatus::Returned => ST_RETURNED,
        TransferStatus::Cancelled => ST_CANCELLED,
    }
}

pub fn batch_status(s: BatchStatus) -> T {
    match s {
        BatchStatus::PendingReview => BS_PENDING,
        BatchStatus::Rejected => BS_REJECTED,
        BatchStatus::Processing => BS_PROCESSING,
        BatchStatus::Done => BS_DONE,
    }
}
