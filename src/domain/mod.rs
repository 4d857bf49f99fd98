//! Types and rules with no I/O.

pub mod audit;
pub mod batch_file;
pub mod fast_refund;
pub mod function;
pub mod ids;
pub mod lang;
pub mod money;
pub mod operator;
pub mod password;
pub mod payee;
pub mod recon;
pub mod refund;
pub mod review;
pub mod transfer;
pub mod txn;

/// An enum the store keeps as its text code (statuses, types, functions).
pub trait Coded: Copy + Sized + 'static {
    const NAME: &'static str;
    fn code(self) -> &'static str;
    fn from_code(s: &str) -> Option<Self>;
}

/// A status whose changes follow a table of allowed transitions; the store refuses any other.
pub trait Transitions: Coded + PartialEq {
    fn may_become(self, next: Self) -> bool;
}

impl Transitions for refund::RefundStatus {
    fn may_become(self, next: Self) -> bool {
        refund::RefundStatus::may_become(self, next)
    }
}

impl Transitions for txn::TxnStatus {
    fn may_become(self, next: Self) -> bool {
        txn::TxnStatus::may_become(self, next)
    }
}

impl Transitions for operator::OperatorStatus {
    fn may_become(self, next: Self) -> bool {
        operator::OperatorStatus::may_become(self, next)
    }
}

macro_rules! transitions {
    ($($t:ty),+) => {$(
        impl Transitions for $t {
            fn may_become(self, next: Self) -> bool {
                <$t>::may_become(self, next)
            }
        }
    )+};
}

transitions!(
    review::ApplicationStatus,
    review::HoldState,
    review::BankAccountStatus,
    review::WithdrawalStatus
);

impl Transitions for txn::TerminalStatus {
    fn may_become(self, next: Self) -> bool {
        txn::TerminalStatus::may_become(self, next)
    }
}

transitions!(fast_refund::FastRefundStatus);
