//! Maker-checker applications (申请) and what they move: holds on the available balance, the
//! merchant's own bank accounts, withdrawals, and the outcome feed's reason codes
//! (spec/money-out.md §1.2–§1.4, §5 A4–A5). Every status has its table of transitions; the store
//! refuses any other change.

use super::txn::coded_enum;

coded_enum!(ApplicationKind {
    Refund = "refund",
    RefundBatch = "refund_batch",
    FastRefund = "fast_refund",
    FastRefundBatch = "fast_refund_batch",
    Transfer = "transfer",
    TransferBatch = "transfer_batch",
    Withdrawal = "withdrawal",
    BankAccount = "bank_account",
});

impl ApplicationKind {
    /// Whether an application of this kind holds money while it waits (its amount plus fee
    /// lowers the available balance).
    pub fn holds_money(self) -> bool {
        !matches!(self, ApplicationKind::BankAccount | ApplicationKind::Refund)
    }
}

coded_enum!(ApplicationStatus {
    PendingReview = "pending_review",
    Approved = "approved",
    Rejected = "rejected",
    Cancelled = "cancelled",
    Expired = "expired",
    AutoApproved = "auto_approved",
});

impl ApplicationStatus {
    /// 待审核 → 审核通过 | 审核拒绝 | 已撤销 | 已过期; every other status is terminal.
    pub fn may_become(self, next: ApplicationStatus) -> bool {
        use ApplicationStatus::*;
        self == PendingReview && matches!(next, Approved | Rejected | Cancelled | Expired)
    }
}

coded_enum!(HoldState {
    Active = "active",
    // The money left: the ledger line was written in the same transaction.
    Posted = "posted",
    // Rejected, cancelled or expired: nothing was paid.
    Released = "released",
});

impl HoldState {
    pub fn may_become(self, next: HoldState) -> bool {
        self == HoldState::Active && matches!(next, HoldState::Posted | HoldState::Released)
    }
}

coded_enum!(BankAccountStatus {
    PendingReview = "pending_review",
    Active = "active",
    Deleted = "deleted",
});

impl BankAccountStatus {
    /// A new account waits for a second operator; a rejected, cancelled or expired one is deleted
    /// (kept for history); an active one may be deleted.
    pub fn may_become(self, next: BankAccountStatus) -> bool {
        use BankAccountStatus::*;
        matches!(
            (self, next),
            (PendingReview, Active) | (PendingReview, Deleted) | (Active, Deleted)
        )
    }
}

coded_enum!(HolderType {
    // 对私
    Personal = "personal",
    // 对公
    Company = "company",
});

coded_enum!(AccountNature {
    // 基本户
    Basic = "basic",
    // 一般户
    General = "general",
});

coded_enum!(WithdrawMethod {
    // 普通提现 (T+1日到帐): completed by the next settlement run.
    Normal = "normal",
    // 快速提现 (2小时到账): completed by the outcome feed.
    Fast = "fast",
});

coded_enum!(WithdrawalStatus {
    PendingReview = "pending_review",
    Processing = "processing",
    Success = "success",
    Failed = "failed",
    Rejected = "rejected",
    Cancelled = "cancelled",
    Expired = "expired",
});

impl WithdrawalStatus {
    pub fn may_become(self, next: WithdrawalStatus) -> bool {
        use WithdrawalStatus::*;
        matches!(
            (self, next),
            (PendingReview, Processing)
                | (PendingReview, Rejected)
                | (PendingReview, Cancelled)
                | (PendingReview, Expired)
                | (Processing, Success)
                | (Processing, Failed)
        )
    }
}

coded_enum!(PayoutFeeKind {
    TransferPlatform = "transfer_platform",
    TransferBankPrivate = "transfer_bank_private",
    TransferBankPublic = "transfer_bank_public",
    WithdrawNormal = "withdraw_normal",
    WithdrawFast = "withdraw_fast",
});

impl WithdrawMethod {
    pub fn fee_kind(self) -> PayoutFeeKind {
        match self {
            WithdrawMethod::Normal => PayoutFeeKind::WithdrawNormal,
            WithdrawMethod::Fast => PayoutFeeKind::WithdrawFast,
        }
    }
}

/// A payout fee as data: `amount × rate` (parts per million) rounded half up, plus a fixed part,
/// then at least `min`, at most `cap` (each when set). All integer fen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PayoutFee {
    pub rate_ppm: i64,
    pub min_fen: Option<i64>,
    pub cap_fen: Option<i64>,
    pub fixed_fen: i64,
}

impl PayoutFee {
    pub fn of(&self, amount_fen: i64) -> i64 {
        let mut fee = super::money::fee_fen(amount_fen, self.rate_ppm, None) + self.fixed_fen;
        if let Some(m) = self.min_fen {
            fee = fee.max(m);
        }
        if let Some(c) = self.cap_fen {
            fee = fee.min(c);
        }
        fee.max(0)
    }
}

/// What a bank account number may be wrong with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountNoProblem {
    Empty,
    NotDigits,
    /// Outside the length of its holder type (personal 16–19, company 6–32).
    Length(usize, usize),
}

/// The digits of an account number typed with spaces, checked against its holder type's length.
pub fn check_account_no(typed: &str, holder: HolderType) -> Result<String, AccountNoProblem> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() {
        return Err(AccountNoProblem::Empty);
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(AccountNoProblem::NotDigits);
    }
    let (lo, hi) = match holder {
        HolderType::Personal => (16, 19),
        HolderType::Company => (6, 32),
    };
    if !(lo..=hi).contains(&digits.len()) {
        return Err(AccountNoProblem::Length(lo, hi));
    }
    Ok(digits)
}

/// A bank account number as every list shows it: five stars and the last four (`*****0771`).
pub fn mask_account_no(no: &str) -> String {
    let n = no.chars().count();
    let last4: String = no.chars().skip(n.saturating_sub(4)).collect();
    format!("*****{last4}")
}

/// An amount in Chinese capitals (大写), as the withdrawal form shows it beside the figures:
/// 1234.56 → 壹仟贰佰叁拾肆元伍角陆分, 1.00 → 壹元整, 0.05 → 伍分, 1001.50 → 壹仟零壹元伍角.
/// Negative amounts are written with 负.
pub fn amount_in_capitals(fen: i64) -> String {
    const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    const UNITS: [&str; 4] = ["", "拾", "佰", "仟"];
    const GROUPS: [&str; 4] = ["", "万", "亿", "万亿"];
    let mut out = String::new();
    if fen < 0 {
        out.push('负');
    }
    let abs = fen.unsigned_abs();
    let yuan = abs / 100;
    let jiao = (abs / 10 % 10) as usize;
    let fen_d = (abs % 10) as usize;
    if yuan > 0 {
        let mut groups = Vec::new();
        let mut y = yuan;
        while y > 0 {
            groups.push((y % 10_000) as usize);
            y /= 10_000;
        }
        let mut wrote = false;
        let mut zero = false;
        for (gi, &g) in groups.iter().enumerate().rev() {
            if g == 0 {
                zero = wrote;
                continue;
            }
            if wrote && (zero || g < 1000) {
                out.push('零');
            }
            zero = false;
            let digits = [g / 1000, g / 100 % 10, g / 10 % 10, g % 10];
            let mut inner_zero = false;
            let mut in_group = false;
            for (i, &d) in digits.iter().enumerate() {
                if d == 0 {
                    inner_zero = in_group;
                    continue;
                }
                if inner_zero {
                    out.push('零');
                    inner_zero = false;
                }
                out.push(DIGITS[d]);
                out.push_str(UNITS[3 - i]);
                in_group = true;
            }
            out.push_str(GROUPS[gi.min(3)]);
            wrote = true;
        }
        out.push('元');
    }
    match (jiao, fen_d) {
        (0, 0) if yuan == 0 => out.push_str("零元整"),
        (0, 0) => out.push('整'),
        (j, f) => {
            if j > 0 {
                out.push(DIGITS[j]);
                out.push('角');
            } else if yuan > 0 {
                out.push('零');
            }
            if f > 0 {
                out.push(DIGITS[f]);
                out.push('分');
            }
        }
    }
    out
}

// Whether an outcome's reason code (`reason_codes.outcome`) makes a payout failed for good or
// an exception that can be fixed and resubmitted (F4).
coded_enum!(ReasonOutcome {
    Failed = "failed",
    Exception = "exception",
});

/// The payee line of an application as stored: language-neutral, `<bank code> <masked> <name>`
/// (the account name is the holder's own, the same in every language). Shown with the bank's
/// Chinese name in Chinese and its short code in English; a line stored before (already in Chinese) shows as it is.
pub fn payee_line(stored: &str, lang: super::lang::Lang) -> String {
    const BANKS: &str = include_str!("../../data/banks.csv");
    // A transfer batch: `<rows> × <payee kind code>`.
    if let Some((n, kind)) = stored.split_once(" × ") {
        use super::transfer::PayeeKind as K;
        if let Some(k) = K::from_code(kind) {
            let (zh, en) = match k {
                K::Platform => ("平台账户", "platform"),
                K::BankPersonal => ("对私", "personal"),
                K::BankCompany => ("对公", "company"),
            };
            return match lang {
                super::lang::Lang::Zh => format!("{n} 笔 {zh}"),
                super::lang::Lang::En => format!("{n} × {en}"),
            };
        }
    }
    let Some((code, rest)) = stored.split_once(' ') else {
        return stored.to_string();
    };
    for line in BANKS.lines().skip(1) {
        let mut f = line.split(',');
        if f.next() == Some(code) {
            // In English the bank's short code (CCB, ICBC) keeps the masked number in a
            // narrow column; in Chinese its Chinese name.
            return match lang {
                super::lang::Lang::Zh => format!("{} {rest}", f.next().unwrap_or(code)),
                super::lang::Lang::En => stored.to_string(),
            };
        }
    }
    stored.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_transfer_batch_payee_line_in_words() {
        use crate::domain::lang::Lang;
        assert_eq!(payee_line("20 × bank_personal", Lang::Zh), "20 笔 对私");
        assert_eq!(payee_line("20 × bank_personal", Lang::En), "20 × personal");
        assert_eq!(payee_line("3 × platform", Lang::Zh), "3 笔 平台账户");
        assert_eq!(payee_line("2 × other", Lang::Zh), "2 × other");
    }

    #[test]
    fn capitals() {
        assert_eq!(amount_in_capitals(123_456), "壹仟贰佰叁拾肆元伍角陆分");
        assert_eq!(amount_in_capitals(100), "壹元整");
        assert_eq!(amount_in_capitals(5), "伍分");
        assert_eq!(amount_in_capitals(50), "伍角");
        assert_eq!(amount_in_capitals(0), "零元整");
        assert_eq!(amount_in_capitals(105), "壹元零伍分");
        assert_eq!(amount_in_capitals(100_100), "壹仟零壹元整");
        assert_eq!(amount_in_capitals(101_000), "壹仟零壹拾元整");
        assert_eq!(amount_in_capitals(100_000_000), "壹佰万元整");
        assert_eq!(amount_in_capitals(100_010_000), "壹佰万零壹佰元整");
        assert_eq!(amount_in_capitals(1_000_000_000), "壹仟万元整");
        assert_eq!(amount_in_capitals(10_001_000_000), "壹亿零壹万元整");
        assert_eq!(amount_in_capitals(1_000), "壹拾元整");
        assert_eq!(amount_in_capitals(20_000_000), "贰拾万元整");
        assert_eq!(amount_in_capitals(200_500_000), "贰佰万伍仟元整");
        assert_eq!(amount_in_capitals(200_050_000), "贰佰万零伍佰元整");
    }

    #[test]
    fn account_numbers() {
        assert_eq!(
            check_account_no("6222 0210 0112 3456", HolderType::Personal),
            Ok("6222021001123456".into())
        );
        assert_eq!(
            check_account_no("622202100112345", HolderType::Personal),
            Err(AccountNoProblem::Length(16, 19))
        );
        assert_eq!(
            check_account_no("12345a", HolderType::Company),
            Err(AccountNoProblem::NotDigits)
        );
        assert_eq!(
            check_account_no("123456", HolderType::Company),
            Ok("123456".into())
        );
        assert_eq!(mask_account_no("31001234560771"), "*****0771");
    }

    #[test]
    fn transitions() {
        use ApplicationStatus as A;
        assert!(A::PendingReview.may_become(A::Approved));
        assert!(A::PendingReview.may_become(A::Expired));
        assert!(!A::Approved.may_become(A::Rejected));
        assert!(!A::Cancelled.may_become(A::Approved));
        use WithdrawalStatus as W;
        assert!(W::PendingReview.may_become(W::Processing));
        assert!(W::Processing.may_become(W::Failed));
        assert!(!W::Success.may_become(W::Failed));
        assert!(!W::PendingReview.may_become(W::Success));
        assert!(HoldState::Active.may_become(HoldState::Posted));
        assert!(!HoldState::Posted.may_become(HoldState::Released));
        assert!(BankAccountStatus::PendingReview.may_become(BankAccountStatus::Active));
        assert!(!BankAccountStatus::Deleted.may_become(BankAccountStatus::Active));
    }

    #[test]
    fn payout_fee() {
        let f = PayoutFee {
            rate_ppm: 1_000,
            min_fen: Some(100),
            cap_fen: Some(2_500),
            fixed_fen: 0,
        };
        assert_eq!(f.of(10_000), 100);
        assert_eq!(f.of(1_000_000), 1_000);
        assert_eq!(f.of(100_000_000), 2_500);
        assert_eq!(PayoutFee::default().of(123_456), 0);
    }
}
