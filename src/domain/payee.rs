//! Payee contacts (联系人, spec/money-out.md §5 A5, K §3.3.2): platform accounts (a store of the
//! group, by its merchant number) and bank accounts, with the field rules of §1.7 and the words
//! of the contact template (K §3.3.2.2.2) in both languages.

use super::lang::{Lang, T};
use super::txn::coded_enum;

coded_enum!(PayeeKind {
    // 平台账户
    Platform = "platform",
    // 银行账户
    Bank = "bank",
});

coded_enum!(PayeeStatus {
    Active = "active",
    Deleted = "deleted",
});

impl PayeeStatus {
    pub fn may_become(self, next: PayeeStatus) -> bool {
        self == PayeeStatus::Active && next == PayeeStatus::Deleted
    }
}

impl super::Transitions for PayeeStatus {
    fn may_become(self, next: Self) -> bool {
        PayeeStatus::may_become(self, next)
    }
}

/// 「收款开户名」: 1–60 characters after trimming.
pub const MAX_NAME: usize = 60;
/// 开户支行: 2–60 characters.
pub const MIN_BRANCH: usize = 2;
pub const MAX_BRANCH: usize = 60;
/// 备注: at most 50 characters (§1.7).
pub const MAX_REMARK: usize = 50;
/// At most this many contacts (Proposal, §5 A5).
pub const MAX_PAYEES: usize = 5_000;
/// At most this many rows in one contact file.
pub const MAX_ROWS: usize = 999;

/// A mobile number as §1.7 has it: `^1[3-9]\d{9}$`.
pub fn is_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
}

/// An account name has at least one character that is not a digit.
pub fn name_has_letters(s: &str) -> bool {
    s.chars().any(|c| !c.is_ascii_digit() && !c.is_whitespace())
}

// The template of K §3.3.2.2.2, in K's order (对公对私 and 手机 are this application's
// additions), and why a field or a row is refused. The words: assets/text/payee_file.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/payee_file.rs"));

pub const COLUMNS: &[T] = &[
    COL_NAME,
    COL_BANK,
    COL_PROVINCE,
    COL_CITY,
    COL_BRANCH,
    COL_ACCOUNT_NO,
    COL_REMARK,
    COL_HOLDER,
    COL_MOBILE,
];

/// A column's name (given in Chinese) in the operator's language.
pub fn column_name(zh: &str, lang: Lang) -> String {
    COLUMNS
        .iter()
        .find(|t| t.0 == zh)
        .map(|t| t.get(lang).to_string())
        .unwrap_or_else(|| zh.to_string())
}
