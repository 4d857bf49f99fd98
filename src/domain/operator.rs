//! Operators' statuses and their transitions.

use super::txn::coded_enum;

coded_enum!(OperatorStatus {
    Active = "active",
    Disabled = "disabled",
});

impl OperatorStatus {
    pub fn may_become(self, next: OperatorStatus) -> bool {
        self != next
    }
}
