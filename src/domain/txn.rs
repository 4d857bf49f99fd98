//! Transactions: their types and statuses as the store codes them.

/// Implements `code()` (what the store keeps) and `from_code()` for a plain enum.
macro_rules! coded_enum {
    ($name:ident { $($variant:ident = $code:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            pub fn from_code(s: &str) -> Option<Self> {
                match s { $($code => Some($name::$variant),)+ _ => None }
            }
        }
        impl $crate::domain::Coded for $name {
            const NAME: &'static str = stringify!($name);
            fn code(self) -> &'static str { $name::code(self) }
            fn from_code(s: &str) -> Option<Self> { $name::from_code(s) }
        }
    };
}
pub(crate) use coded_enum;

coded_enum!(TxnType {
    Sale = "sale",
    Void = "void",
    Refund = "refund",
    Completion = "completion",
});

coded_enum!(TxnStatus {
    Success = "success",
    Failed = "failed",
    Voided = "voided",
    Reversed = "reversed",
});

impl TxnStatus {
    /// A captured sale can be voided or reversed later; every other status is final.
    pub fn may_become(self, next: TxnStatus) -> bool {
        use TxnStatus::*;
        matches!((self, next), (Success, Voided) | (Success, Reversed))
    }
}

coded_enum!(CardType {
    Debit = "debit",
    Credit = "credit",
});

impl TxnType {
    /// Sales and pre-authorisation completions bring money in; voids and refunds give it back.
    pub fn is_credit_to_merchant(self) -> bool {
        matches!(self, TxnType::Sale | TxnType::Completion)
    }
}

/// How the settlement run counts a transaction's money (every linked row counts in its count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// A successful sale or completion: its amount is trade, its fee is a fee.
    Trade,
    /// A successful refund at the POS: its amount is paid back out of the settlement.
    Refund,
    /// Failed, voided, reversed, or a void (a void cancels its sale, which is not counted).
    Not,
}

impl Counted {
    pub fn code(self) -> &'static str {
        match self {
            Counted::Trade => "trade",
            Counted::Refund => "refund",
            Counted::Not => "not",
        }
    }
}

/// The settlement rule for one transaction (the same as the run's and `check`'s SQL).
pub fn counted(txn_type: TxnType, status: TxnStatus) -> Counted {
    match (txn_type, status) {
        (TxnType::Sale | TxnType::Completion, TxnStatus::Success) => Counted::Trade,
        (TxnType::Refund, TxnStatus::Success) => Counted::Refund,
        _ => Counted::Not,
    }
}

/// The card organisations (their codes match `data/card_orgs.csv`).
pub const CARD_ORGS: &[&str] = &["CUP", "VISA", "MC", "JCB", "AMEX"];

/// Which fee class a card falls in: foreign organisations have their own rate.
pub fn fee_class(card_org: &str, card_type: CardType) -> &'static str {
    if card_org != "CUP" {
        "foreign"
    } else {
        card_type.code()
    }
}

coded_enum!(TerminalStatus {
    Active = "active",
    Disabled = "disabled",
});

impl TerminalStatus {
    pub fn may_become(self, next: TerminalStatus) -> bool {
        self != next
    }
}

coded_enum!(SettlementStatus {
    Settled = "settled",
    Paid = "paid",
});
