//! Words of the fast refund screens (`assets/text/fast_refund.toml`) and the status names.

use super::T;
use crate::domain::fast_refund::FastRefundStatus;

include!(concat!(env!("OUT_DIR"), "/text/fast_refund.rs"));

pub fn status(s: FastRefundStatus) -> T {
    use FastRefundStatus::*;
    match s {
        PendingReview => T("待审核", "Pending review"),
        Processing => T("处理中", "Processing"),
        Success => T("成功", "Succeeded"),
        Failed => T("失败", "Failed"),
        Exception => T("异常", "Exception"),
        Rejected => T("已拒绝", "Rejected"),
        Cancelled => T("已撤销", "Cancelled"),
    }
}

/// A fast refund's history event in the operator's language (the detail's 历史).
pub fn event(code: &str) -> T {
    match code {
        "exception" => T("异常（银行退回）", "exception (returned by the bank)"),
        "resubmitted" => T("修改后重新提交", "corrected and resubmitted"),
        other => super::money_out::event(other),
    }
}
