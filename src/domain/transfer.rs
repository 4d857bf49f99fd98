//! Transfers 转账 (spec/money-out.md §3, X1–X4): payee kinds, the status of every row and the
//! batch status derived from its rows, and the checks of one row (the same for the single form,
//! the on-screen rows and a file). Reference data (banks, cities, card BINs, platform accounts)
//! is asked through [`Reference`], so the rules stay free of I/O.

use super::money::{parse_amount, AmountError};
use super::review::{check_account_no, AccountNoProblem, ApplicationStatus, HolderType};
use super::txn::coded_enum;

/// At most this many rows in a file (「单次最大支持999笔」).
pub const MAX_FILE_ROWS: usize = 999;
/// At most this many rows on the on-screen form (「最多可添加5条转账信息」).
pub const MAX_FORM_ROWS: usize = 5;
/// Batch and order numbers: 1–32 letters and digits.
pub const MAX_ID_LEN: usize = 32;
pub const MAX_REMARK: usize = 50;

coded_enum!(PayeeKind {
    // 平台账户: another store of the group, or an account of the imported directory.
    Platform = "platform",
    // 对私
    BankPersonal = "bank_personal",
    // 对公
    BankCompany = "bank_company",
});

impl PayeeKind {
    pub fn is_bank(self) -> bool {
        self != PayeeKind::Platform
    }
    pub fn holder(self) -> Option<HolderType> {
        match self {
            PayeeKind::Platform => None,
            PayeeKind::BankPersonal => Some(HolderType::Personal),
            PayeeKind::BankCompany => Some(HolderType::Company),
        }
    }
    /// The 对公对私 column of the bank template.
    pub fn from_public_private(s: &str) -> Option<PayeeKind> {
        match s.trim() {
            "对私" | "private" | "personal" => Some(PayeeKind::BankPersonal),
            "对公" | "public" | "company" => Some(PayeeKind::BankCompany),
            _ => None,
        }
    }
    pub fn fee_kind(self) -> super::review::PayoutFeeKind {
        use super::review::PayoutFeeKind as F;
        match self {
            PayeeKind::Platform => F::TransferPlatform,
            PayeeKind::BankPersonal => F::TransferBankPrivate,
            PayeeKind::BankCompany => F::TransferBankPublic,
        }
    }
}

coded_enum!(TransferStatus {
    // 初始
    Init = "init",
    // 处理中
    Processing = "processing",
    // 成功
    Success = "success",
    // 失败
    Failed = "failed",
    // 退票
    Returned = "returned",
    // 已取消
    Cancelled = "cancelled",
});

impl TransferStatus {
    /// 初始 → 处理中 | 已取消; 处理中 → 成功 | 失败; 成功 → 退票 (bank rows only, checked by
    /// [`TransferStatus::may_become_for`]).
    pub fn may_become(self, next: TransferStatus) -> bool {
        use TransferStatus::*;
        matches!(
            (self, next),
            (Init, Processing)
                | (Init, Cancelled)
                | (Processing, Success)
                | (Processing, Failed)
                | (Success, Returned)
        )
    }
    pub fn may_become_for(self, next: TransferStatus, kind: PayeeKind) -> bool {
        self.may_become(next) && (next != TransferStatus::Returned || kind.is_bank())
    }
    /// Whether the row's money came back (amount and fee credited once).
    pub fn credited_back(self) -> bool {
        matches!(self, TransferStatus::Failed | TransferStatus::Returned)
    }
}

impl super::Transitions for TransferStatus {
    fn may_become(self, next: Self) -> bool {
        TransferStatus::may_become(self, next)
    }
}

/// A batch's status: derived from its application and its rows, never stored apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchStatus {
    // 待审核
    PendingReview,
    // 已拒绝 (rejected, cancelled or expired: never paid)
    Rejected,
    // 处理中
    Processing,
    // 已完成
    Done,
}

impl BatchStatus {
    pub fn code(self) -> &'static str {
        match self {
            BatchStatus::PendingReview => "pending_review",
            BatchStatus::Rejected => "rejected",
            BatchStatus::Processing => "processing",
            BatchStatus::Done => "done",
        }
    }
    pub fn derive(app: ApplicationStatus, rows: &[TransferStatus]) -> BatchStatus {
        match app {
            ApplicationStatus::PendingReview => BatchStatus::PendingReview,
            ApplicationStatus::Rejected
            | ApplicationStatus::Cancelled
            | ApplicationStatus::Expired => BatchStatus::Rejected,
            ApplicationStatus::Approved | ApplicationStatus::AutoApproved => {
                if rows
                    .iter()
                    .any(|s| matches!(s, TransferStatus::Init | TransferStatus::Processing))
                {
                    BatchStatus::Processing
                } else {
                    BatchStatus::Done
                }
            }
        }
    }
}

/// Letters and digits only, 1 to 32 of them.
pub fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_ID_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// One row as typed or read from a file (text, untrimmed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowInput {
    pub account_no: String,
    /// The bank account typed a second time (the single bank form only; `None` elsewhere).
    pub account_no_again: Option<String>,
    pub account_name: String,
    pub bank: String,
    pub province: String,
    pub city: String,
    pub branch: String,
    pub amount: String,
    pub order_no: String,
    pub mobile: String,
    pub remark: String,
    /// A payee contact chosen with F3 (the single form): the service fills the account number
    /// from the contact, so the screen never holds a bank account number in full.
    pub payee_id: Option<i64>,
}

/// What the rules look up.
pub trait Reference {
    /// The name of a platform account (a store of the group by merchant number, or an account
    /// of the directory), and the store's id when it is one of this database.
    fn platform_account(&self, account_no: &str) -> Option<(String, Option<i64>)>;
    /// A bank by code or Chinese name: its code.
    fn bank(&self, code_or_name: &str) -> Option<String>;
    /// The city of a province (both by name): its id.
    fn city(&self, province: &str, city: &str) -> Option<i64>;
    /// A card BIN's bank code and card type.
    fn bin(&self, bin: &str) -> Option<(String, String)>;
}

/// A row that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRow {
    pub kind: PayeeKind,
    pub account_no: String,
    pub account_name: String,
    pub bank_code: Option<String>,
    pub city_id: Option<i64>,
    pub branch: String,
    pub amount_fen: i64,
    pub order_no: String,
    pub mobile: String,
    pub remark: String,
    /// A platform payee that is a store of this database: credited at once.
    pub target_merchant_id: Option<i64>,
}

/// Why a field of a row is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowProblem {
    Required,
    Amount(AmountError),
    IdFormat,
    TooLong(usize),
    TooShort(usize),
    AccountNotDigits,
    AccountLength(usize, usize),
    AccountMismatch,
    UnknownAccount,
    /// 「账户名与账号不符」
    NameMismatch,
    /// 「不能转账给自己」
    ToSelf,
    UnknownBank,
    UnknownCity,
    CreditCard,
    /// The card's BIN belongs to another bank (its code).
    BinOtherBank(String),
    BadMobile,
    NameAllDigits,
}

/// The field names problems are reported under (the service words them).
pub mod field {
    pub const ACCOUNT_NO: &str = "account_no";
    pub const ACCOUNT_NO_AGAIN: &str = "account_no_again";
    pub const ACCOUNT_NAME: &str = "account_name";
    pub const BANK: &str = "bank";
    pub const CITY: &str = "city";
    pub const PROVINCE: &str = "province";
    pub const BRANCH: &str = "branch";
    pub const AMOUNT: &str = "amount";
    pub const ORDER_NO: &str = "order_no";
    pub const MOBILE: &str = "mobile";
    pub const REMARK: &str = "remark";
}

fn is_mobile(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(|c| c.is_ascii_digit())
}

/// Checks one row of kind `kind` paid by the store `payer_merchant_no`: every problem, each
/// with its field (a row can be wrong in several places; all are reported).
pub fn check_row(
    kind: PayeeKind,
    input: &RowInput,
    payer_merchant_no: &str,
    reference: &dyn Reference,
) -> Result<CheckedRow, Vec<(&'static str, RowProblem)>> {
    use field::*;
    let mut bad: Vec<(&'static str, RowProblem)> = Vec::new();
    let amount = match parse_amount(&input.amount) {
        Ok(a) => Some(a),
        Err(AmountError::Empty) => {
            bad.push((AMOUNT, RowProblem::Required));
            None
        }
        Err(e) => {
            bad.push((AMOUNT, RowProblem::Amount(e)));
            None
        }
    };
    let order_no = input.order_no.trim().to_string();
    if order_no.is_empty() {
        bad.push((ORDER_NO, RowProblem::Required));
    } else if !is_id(&order_no) {
        bad.push((ORDER_NO, RowProblem::IdFormat));
    }
    let name = input.account_name.trim().to_string();
    let n = name.chars().count();
    if n == 0 {
        bad.push((ACCOUNT_NAME, RowProblem::Required));
    } else if n > 60 {
        bad.push((ACCOUNT_NAME, RowProblem::TooLong(60)));
    } else if name.chars().all(|c| c.is_ascii_digit()) {
        bad.push((ACCOUNT_NAME, RowProblem::NameAllDigits));
    }
    let mobile = input.mobile.trim().to_string();
    if !mobile.is_empty() && !is_mobile(&mobile) {
        bad.push((MOBILE, RowProblem::BadMobile));
    }
    let remark = input.remark.trim().to_string();
    if remark.chars().count() > MAX_REMARK {
        bad.push((REMARK, RowProblem::TooLong(MAX_REMARK)));
    }
    let mut account_no = String::new();
    let mut bank_code = None;
    let mut city_id = None;
    let mut target = None;
    let branch = input.branch.trim().to_string();
    match kind.holder() {
        None => {
            account_no = input.account_no.trim().to_string();
            if account_no.is_empty() {
                bad.push((ACCOUNT_NO, RowProblem::Required));
            } else if account_no == payer_merchant_no {
                bad.push((ACCOUNT_NO, RowProblem::ToSelf));
            } else {
                match reference.platform_account(&account_no) {
                    None => bad.push((ACCOUNT_NO, RowProblem::UnknownAccount)),
                    Some((real, store)) => {
                        if n > 0 && real != name {
                            bad.push((ACCOUNT_NAME, RowProblem::NameMismatch));
                        }
                        target = store;
                    }
                }
            }
        }
        Some(holder) => {
            match check_account_no(&input.account_no, holder) {
                Err(AccountNoProblem::Empty) => bad.push((ACCOUNT_NO, RowProblem::Required)),
                Err(AccountNoProblem::NotDigits) => {
                    bad.push((ACCOUNT_NO, RowProblem::AccountNotDigits))
                }
                Err(AccountNoProblem::Length(a, b)) => {
                    bad.push((ACCOUNT_NO, RowProblem::AccountLength(a, b)))
                }
                Ok(d) => account_no = d,
            }
            if let Some(again) = &input.account_no_again {
                let again: String = again.chars().filter(|c| !c.is_whitespace()).collect();
                if !account_no.is_empty() && again != account_no {
                    bad.push((ACCOUNT_NO_AGAIN, RowProblem::AccountMismatch));
                }
            }
            if input.bank.trim().is_empty() {
                bad.push((BANK, RowProblem::Required));
            } else {
                bank_code = reference.bank(input.bank.trim());
                if bank_code.is_none() {
                    bad.push((BANK, RowProblem::UnknownBank));
                }
            }
            if input.province.trim().is_empty() {
                bad.push((PROVINCE, RowProblem::Required));
            } else if input.city.trim().is_empty() {
                bad.push((CITY, RowProblem::Required));
            } else {
                city_id = reference.city(input.province.trim(), input.city.trim());
                if city_id.is_none() {
                    bad.push((CITY, RowProblem::UnknownCity));
                }
            }
            let bn = branch.chars().count();
            if bn == 0 {
                bad.push((BRANCH, RowProblem::Required));
            } else if bn < 2 {
                bad.push((BRANCH, RowProblem::TooShort(2)));
            } else if bn > 60 {
                bad.push((BRANCH, RowProblem::TooLong(60)));
            }
            if account_no.len() >= 6 {
                if let Some((bin_bank, card_type)) = reference.bin(&account_no[..6]) {
                    if card_type == "credit" {
                        bad.push((ACCOUNT_NO, RowProblem::CreditCard));
                    } else if holder == HolderType::Personal {
                        if let Some(b) = &bank_code {
                            if *b != bin_bank {
                                bad.push((ACCOUNT_NO, RowProblem::BinOtherBank(bin_bank)));
                            }
                        }
                    }
                }
            }
        }
    }
    match amount {
        Some(amount_fen) if bad.is_empty() => Ok(CheckedRow {
            kind,
            account_no,
            account_name: name,
            bank_code,
            city_id,
            branch: if kind.is_bank() {
                branch
            } else {
                String::new()
            },
            amount_fen,
            order_no,
            mobile,
            remark,
            target_merchant_id: target,
        }),
        _ => Err(bad),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Refs;
    impl Reference for Refs {
        fn platform_account(&self, no: &str) -> Option<(String, Option<i64>)> {
            match no {
                "100000000000002" => Some(("二号店".into(), Some(2))),
                "D001" => Some(("目录账户".into(), None)),
                _ => None,
            }
        }
        fn bank(&self, s: &str) -> Option<String> {
            matches!(s, "ICBC" | "中国工商银行" | "工商银行").then(|| "ICBC".into())
        }
        fn city(&self, p: &str, c: &str) -> Option<i64> {
            (p == "四川省" && c == "成都市").then_some(7)
        }
        fn bin(&self, bin: &str) -> Option<(String, String)> {
            match bin {
                "622202" => Some(("ICBC".into(), "debit".into())),
                "622700" => Some(("CCB".into(), "debit".into())),
                "438088" => Some(("ICBC".into(), "credit".into())),
                _ => None,
            }
        }
    }

    fn bank_row() -> RowInput {
        RowInput {
            account_no: "6222 0210 0112 3456".into(),
            account_no_again: None,
            account_name: "张三".into(),
            bank: "工商银行".into(),
            province: "四川省".into(),
            city: "成都市".into(),
            branch: "成都高新支行".into(),
            amount: "12.34".into(),
            order_no: "ZZ0001".into(),
            mobile: "13800138000".into(),
            remark: "劳务费".into(),
            payee_id: None,
        }
    }

    fn problems(kind: PayeeKind, r: &RowInput) -> Vec<(&'static str, RowProblem)> {
        check_row(kind, r, "100000000000001", &Refs).unwrap_err()
    }

    #[test]
    fn good_rows() {
        let ok = check_row(
            PayeeKind::BankPersonal,
            &bank_row(),
            "100000000000001",
            &Refs,
        )
        .unwrap();
        assert_eq!(ok.account_no, "6222021001123456");
        assert_eq!(ok.amount_fen, 1234);
        assert_eq!(ok.bank_code.as_deref(), Some("ICBC"));
        assert_eq!(ok.city_id, Some(7));
        let p = RowInput {
            account_no: "100000000000002".into(),
            account_name: "二号店".into(),
            amount: "5".into(),
            order_no: "P1".into(),
            ..Default::default()
        };
        let ok = check_row(PayeeKind::Platform, &p, "100000000000001", &Refs).unwrap();
        assert_eq!(ok.target_merchant_id, Some(2));
        assert_eq!(ok.amount_fen, 500);
    }

    #[test]
    fn every_rule() {
        let mut r = bank_row();
        r.amount = "1.005".into();
        assert_eq!(
            problems(PayeeKind::BankPersonal, &r),
            vec![(
                field::AMOUNT,
                RowProblem::Amount(AmountError::TooManyDecimals)
            )]
        );
        r.amount = "0".into();
        assert_eq!(
            problems(PayeeKind::BankPersonal, &r)[0].1,
            RowProblem::Amount(AmountError::NotPositive)
        );
        let mut r = bank_row();
        r.account_no = "622700123456789012".into();
        assert_eq!(
            problems(PayeeKind::BankPersonal, &r),
            vec![(field::ACCOUNT_NO, RowProblem::BinOtherBank("CCB".into()))]
        );
        r.account_no = "4380881234567890".into();
        assert_eq!(
            problems(PayeeKind::BankPersonal, &r)[0].1,
            RowProblem::CreditCard
        );
        r.account_no = "12345".into();
        assert_eq!(
            problems(PayeeKind::BankCompany, &r)[0].1,
            RowProblem::AccountLength(6, 32)
        );
        let mut r = bank_row();
        r.bank = "火星银行".into();
        r.city = "青州市".into();
        r.branch = "".into();
        r.order_no = "A-1".into();
        r.mobile = "12345".into();
        let p = problems(PayeeKind::BankPersonal, &r);
        let fields: Vec<&str> = p.iter().map(|x| x.0).collect();
        for f in [
            field::BANK,
            field::CITY,
            field::BRANCH,
            field::ORDER_NO,
            field::MOBILE,
        ] {
            assert!(fields.contains(&f), "{f} in {p:?}");
        }
        let mut r = bank_row();
        r.account_no_again = Some("6222021001123457".into());
        assert_eq!(
            problems(PayeeKind::BankPersonal, &r),
            vec![(field::ACCOUNT_NO_AGAIN, RowProblem::AccountMismatch)]
        );
        let p = RowInput {
            account_no: "100000000000002".into(),
            account_name: "三号店".into(),
            amount: "5".into(),
            order_no: "P1".into(),
            ..Default::default()
        };
        assert_eq!(
            problems(PayeeKind::Platform, &p),
            vec![(field::ACCOUNT_NAME, RowProblem::NameMismatch)]
        );
        let mut p2 = p.clone();
        p2.account_no = "100000000000001".into();
        assert_eq!(
            problems(PayeeKind::Platform, &p2),
            vec![(field::ACCOUNT_NO, RowProblem::ToSelf)]
        );
        p2.account_no = "999".into();
        assert_eq!(
            problems(PayeeKind::Platform, &p2),
            vec![(field::ACCOUNT_NO, RowProblem::UnknownAccount)]
        );
    }

    #[test]
    fn statuses() {
        use TransferStatus::*;
        assert!(Init.may_become(Processing));
        assert!(Init.may_become(Cancelled));
        assert!(Processing.may_become(Success));
        assert!(Processing.may_become(Failed));
        assert!(Success.may_become_for(Returned, PayeeKind::BankCompany));
        assert!(!Success.may_become_for(Returned, PayeeKind::Platform));
        assert!(!Failed.may_become(Returned));
        assert!(!Returned.may_become(Success));
        assert!(!Init.may_become(Success));
        assert!(Failed.credited_back() && Returned.credited_back() && !Success.credited_back());
        use ApplicationStatus as A;
        assert_eq!(
            BatchStatus::derive(A::PendingReview, &[Init]),
            BatchStatus::PendingReview
        );
        assert_eq!(
            BatchStatus::derive(A::Rejected, &[Cancelled]),
            BatchStatus::Rejected
        );
        assert_eq!(
            BatchStatus::derive(A::Approved, &[Success, Processing]),
            BatchStatus::Processing
        );
        assert_eq!(
            BatchStatus::derive(A::Approved, &[Success, Failed, Returned]),
            BatchStatus::Done
        );
    }

    #[test]
    fn kinds() {
        assert_eq!(
            PayeeKind::from_public_private("对公"),
            Some(PayeeKind::BankCompany)
        );
        assert_eq!(
            PayeeKind::from_public_private(" 对私 "),
            Some(PayeeKind::BankPersonal)
        );
        assert_eq!(PayeeKind::from_public_private("x"), None);
        assert!(!PayeeKind::Platform.is_bank());
    }
}
