//! Refund applications and the transitions their status may take (V §3.4):
//! 待审核 → 已拒绝 | 已提交 → 待清算 → 已完成; in direct mode an application starts as 已提交.

use super::txn::coded_enum;

coded_enum!(RefundStatus {
    PendingReview = "pending_review",
    Rejected = "rejected",
    Submitted = "submitted",
    PendingClearing = "pending_clearing",
    Completed = "completed",
});

impl RefundStatus {
    pub fn may_become(self, next: RefundStatus) -> bool {
        use RefundStatus::*;
        matches!(
            (self, next),
            (PendingReview, Rejected)
                | (PendingReview, Submitted)
                | (Submitted, PendingClearing)
                | (Submitted, Completed)
                | (PendingClearing, Completed)
        )
    }

    /// Statuses whose amount counts against the transaction's refundable amount and the quota.
    pub fn holds_money(self) -> bool {
        !matches!(self, RefundStatus::Rejected)
    }
}

#[cfg(test)]
mod tests {
    use super::RefundStatus::*;

    #[test]
    fn transitions() {
        assert!(PendingReview.may_become(Submitted));
        assert!(PendingReview.may_become(Rejected));
        assert!(!Rejected.may_become(Submitted));
        assert!(!Completed.may_become(PendingClearing));
        assert!(Submitted.may_become(PendingClearing));
        assert!(PendingClearing.may_become(Completed));
    }
}
