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

// The template of K §3.3.2.2.2, in K's order; 对公对私 and 手机 are this application's additions.
pub const COL_NAME: T = T("收款开户名", "Account name");
pub const COL_BANK: T = T("收款开户银行", "Bank");
pub const COL_PROVINCE: T = T("收款银行所在省份", "Province");
pub const COL_CITY: T = T("收款银行所在市", "City");
pub const COL_BRANCH: T = T("收款银行名称", "Branch");
pub const COL_ACCOUNT_NO: T = T("收款银行帐号", "Account no.");
pub const COL_REMARK: T = T("备注", "Remark");
pub const COL_HOLDER: T = T("对公对私", "Company / personal");
pub const COL_MOBILE: T = T("收款人联系手机", "Mobile");
pub const TEMPLATE_SHEET: T = T("银行账户联系人", "Bank payees");

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

// Why a field or a row is refused.
pub const R_UNKNOWN_BANK: T = T("开户银行不存在", "no such bank");
pub const R_UNKNOWN_PROVINCE: T = T("省份不存在", "no such province");
pub const R_CITY_NOT_IN_PROVINCE: T = T(
    "城市不属于{p}（属于{q}）",
    "the city is not in {p} (it is in {q})",
);
pub const R_UNKNOWN_CITY: T = T("城市不存在", "no such city");
pub const R_NOT_DIGITS: T = T("只能是数字", "digits only");
pub const R_ACCOUNT_LENGTH: T = T("应为 {a}–{b} 位数字", "must be {a}–{b} digits");
pub const R_BIN_OTHER_BANK: T = T(
    "卡号与开户银行不符（卡号属于{b}）",
    "the number belongs to another bank ({b})",
);
pub const R_TOO_SHORT: T = T("至少 {n} 个字符", "at least {n} characters");
pub const R_NO_LETTERS: T = T("不能全是数字", "cannot be digits only");
pub const R_BAD_MOBILE: T = T("手机号格式不对", "not a mobile number");
pub const R_BAD_HOLDER: T = T(
    "应为 对公 或 对私",
    "must be 对公 (company) or 对私 (personal)",
);
pub const R_EXISTS: T = T("联系人已存在", "the contact exists already");
pub const R_TOO_MANY_ROWS: T = T(
    "最多 {max} 行，文件有 {found} 行",
    "at most {max} rows, the file has {found}",
);
pub const R_TOO_MANY_PAYEES: T = T(
    "联系人最多 {max} 个，已有 {n} 个",
    "at most {max} contacts, {n} exist already",
);
