//! Words of the fast refund screens (`assets/text/fast_refund.toml`) and the status names.

use super::T;
use crate::domain::fast_refund::FastRefundStatus;

include!(concat!(env!("OUT_DIR"), "/text/fast_refund.rs"));

pub fn status(s: FastRefundStatus) -> T {
    super::words::word(super::words::FAST_REFUND_STATUS, s.code())
}

/// A fast refund's history event in the operator's language (the detail's 历史).
pub fn event(code: &str) -> T {
    super::words::word(super::words::FAST_REFUND_EVENT, code)
}
