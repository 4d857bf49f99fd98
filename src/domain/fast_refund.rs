//! Fast refund 快速退货 (spec/money-out.md §2, F1–F6, V §3.6): the refund paid straight to the
//! cardholder's bank account. Its status machine, the checks of the cardholder form (resident ID
//! per GB 11643, the re-typed card number by Luhn and against the original's mask), which banks
//! and card types are supported (reference data `banks.fast_refund_credit/debit`), why a
//! transaction is not eligible, and the cap on resubmissions. No I/O.

use super::txn::{coded_enum, CardType};

/// Resubmissions of one exception allowed before only 撤销 is left (`fast_refund_max_resubmits`).
pub const MAX_RESUBMITS: i64 = 3;

/// How old a sale may be for a fast refund, in days (`fast_refund_max_age_days`).
pub const MAX_AGE_DAYS: i64 = 180;

coded_enum!(FastRefundStatus {
    // 待审核
    PendingReview = "pending_review",
    // 处理中
    Processing = "processing",
    // 成功
    Success = "success",
    // 失败
    Failed = "failed",
    // 异常
    Exception = "exception",
    // 已拒绝
    Rejected = "rejected",
    // 已撤销
    Cancelled = "cancelled",
});

impl FastRefundStatus {
    /// The table of §2 F5: review, the outcome feed, resubmission and cancel.
    pub fn may_become(self, next: FastRefundStatus) -> bool {
        use FastRefundStatus::*;
        matches!(
            (self, next),
            (PendingReview, Rejected)
                | (PendingReview, Processing)
                | (Processing, Success)
                | (Processing, Failed)
                | (Processing, Exception)
                | (Exception, Processing)
                | (Exception, Cancelled)
        )
    }

    /// Statuses whose amount counts against the transaction's refundable amount and the daily
    /// quota (F6): everything but rejected, failed and cancelled.
    pub fn holds_money(self) -> bool {
        !matches!(
            self,
            FastRefundStatus::Rejected | FastRefundStatus::Failed | FastRefundStatus::Cancelled
        )
    }

    /// Statuses in which the ledger debit has been written (the money left the balance).
    pub fn debited(self) -> bool {
        matches!(
            self,
            FastRefundStatus::Processing
                | FastRefundStatus::Success
                | FastRefundStatus::Failed
                | FastRefundStatus::Exception
                | FastRefundStatus::Cancelled
        )
    }

    /// Statuses balanced by one credit back (the money returned to the merchant).
    pub fn credited_back(self) -> bool {
        matches!(self, FastRefundStatus::Failed | FastRefundStatus::Cancelled)
    }

    pub fn zh(self) -> &'static str {
        use FastRefundStatus::*;
        match self {
            PendingReview => "待审核",
            Rejected => "已拒绝",
            Processing => "处理中",
            Success => "成功",
            Failed => "失败",
            Exception => "异常",
            Cancelled => "已撤销",
        }
    }

    /// The status a file or a query condition names, in Chinese or by code.
    pub fn parse(s: &str) -> Option<FastRefundStatus> {
        let s = s.trim();
        FastRefundStatus::from_code(s).or_else(|| Self::ALL.iter().copied().find(|x| x.zh() == s))
    }
}

coded_enum!(IdType {
    // 身份证
    ResidentId = "resident_id",
    // 护照
    Passport = "passport",
    // 港澳居民来往内地通行证
    HkMacau = "hk_macau",
    // 台湾居民来往大陆通行证
    Taiwan = "taiwan",
    // 其他
    Other = "other",
});

impl IdType {
    pub fn zh(self) -> &'static str {
        match self {
            IdType::ResidentId => "身份证",
            IdType::Passport => "护照",
            IdType::HkMacau => "港澳居民来往内地通行证",
            IdType::Taiwan => "台湾居民来往大陆通行证",
            IdType::Other => "其他",
        }
    }

    /// 证件类型 as a file or form gives it: Chinese word or code; empty means 身份证.
    pub fn parse(s: &str) -> Option<IdType> {
        let s = s.trim();
        if s.is_empty() {
            return Some(IdType::ResidentId);
        }
        IdType::from_code(s).or_else(|| Self::ALL.iter().copied().find(|x| x.zh() == s))
    }
}

/// Why an ID number is refused (the message names the field 证件号码).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdProblem {
    /// Not 18 characters (17 digits + check) nor the old 15 digits.
    Shape,
    /// The birth date inside is not a real date.
    BirthDate,
    /// The 18th character is not the GB 11643 check character.
    CheckChar,
    /// Other ID types: 5–30 characters.
    Length,
}

/// The words name the problem only: the field's name is put before them where they are shown.
impl IdProblem {
    pub fn zh(self) -> &'static str {
        match self {
            IdProblem::Shape => "格式错误（身份证为18位，前17位为数字）",
            IdProblem::BirthDate => "其中的出生日期无效",
            IdProblem::CheckChar => "校验位错误",
            IdProblem::Length => "长度应为5–30位",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            IdProblem::Shape => "a resident ID has 18 characters, the first 17 digits",
            IdProblem::BirthDate => "the birth date in it is not valid",
            IdProblem::CheckChar => "wrong check character",
            IdProblem::Length => "5–30 characters",
        }
    }
}

fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn valid_date(y: u32, m: u32, d: u32) -> bool {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

fn digits_value(s: &str) -> u32 {
    s.bytes().fold(0, |a, b| a * 10 + u32::from(b - b'0'))
}

/// The GB 11643 check character of the first 17 digits: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8
/// 4 2, sum mod 11 → `10X98765432`.
pub fn gb11643_check_char(first17: &str) -> Option<char> {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const C: &[u8; 11] = b"10X98765432";
    if first17.len() != 17 || !first17.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let sum: u32 = first17
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(C[(sum % 11) as usize] as char)
}

/// Checks an ID number of its type; returns it normalised (trimmed, `x` upper-cased).
/// `today` (yyyymmdd) bounds the birth date of a resident ID.
pub fn check_id_number(id_type: IdType, typed: &str, today: i64) -> Result<String, IdProblem> {
    let s = typed.trim().to_uppercase();
    if id_type != IdType::ResidentId {
        let n = s.chars().count();
        return if (5..=30).contains(&n) {
            Ok(s)
        } else {
            Err(IdProblem::Length)
        };
    }
    let b = s.as_bytes();
    let birth = match b.len() {
        18 if b[..17].iter().all(u8::is_ascii_digit)
            && (b[17].is_ascii_digit() || b[17] == b'X') =>
        {
            (
                digits_value(&s[6..10]),
                digits_value(&s[10..12]),
                digits_value(&s[12..14]),
            )
        }
        15 if b.iter().all(u8::is_ascii_digit) => (
            1900 + digits_value(&s[6..8]),
            digits_value(&s[8..10]),
            digits_value(&s[10..12]),
        ),
        _ => return Err(IdProblem::Shape),
    };
    let (y, m, d) = birth;
    let ymd = i64::from(y) * 10000 + i64::from(m) * 100 + i64::from(d);
    if y < 1900 || !valid_date(y, m, d) || ymd > today {
        return Err(IdProblem::BirthDate);
    }
    if b.len() == 18 && gb11643_check_char(&s[..17]) != Some(b[17] as char) {
        return Err(IdProblem::CheckChar);
    }
    Ok(s)
}

/// 110105********1234: the first 6 and last 4 of an ID number kept, the rest starred.
pub fn mask_id_number(id: &str) -> String {
    let c: Vec<char> = id.chars().collect();
    if c.len() <= 10 {
        return c
            .iter()
            .enumerate()
            .map(|(i, ch)| if i + 2 >= c.len() { *ch } else { '*' })
            .collect();
    }
    c.iter()
        .enumerate()
        .map(|(i, ch)| if i < 6 || i + 4 >= c.len() { *ch } else { '*' })
        .collect()
}

/// 张*三: a cardholder name shown in lists with the middle characters starred (first and last
/// kept; two characters keep the first).
pub fn mask_name(name: &str) -> String {
    let c: Vec<char> = name.trim().chars().collect();
    match c.len() {
        0 | 1 => c.iter().collect(),
        2 => format!("{}*", c[0]),
        n => {
            let mut s = String::new();
            s.push(c[0]);
            s.extend(std::iter::repeat_n('*', n - 2));
            s.push(c[n - 1]);
            s
        }
    }
}

/// Why a re-typed card number is refused (the field is 银行卡号).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardProblem {
    /// Not 16–19 digits.
    Shape,
    /// The Luhn check digit is wrong.
    Luhn,
    /// First 6, last 4 or length differ from the original transaction's card: 卡号与原交易卡号不一致.
    NotTheOriginal,
}

impl CardProblem {
    pub fn zh(self) -> &'static str {
        match self {
            CardProblem::Shape => "应为16–19位数字",
            CardProblem::Luhn => "校验位错误",
            CardProblem::NotTheOriginal => "与原交易卡号不一致",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            CardProblem::Shape => "16–19 digits",
            CardProblem::Luhn => "the check digit is wrong",
            CardProblem::NotTheOriginal => "differs from the original transaction's card",
        }
    }
}

/// The Luhn (mod 10) check over a string of digits.
pub fn luhn_ok(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let x = d * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The mask the store keeps for a card (`622202******1234`: first 6, last 4, the length).
pub fn mask_card(digits: &str) -> String {
    let n = digits.len();
    digits
        .char_indices()
        .map(|(i, c)| if i < 6 || i + 4 >= n { c } else { '*' })
        .collect()
}

/// Checks the re-typed full card number against the original's stored mask. The number itself
/// is returned to nobody: only its mask, which equals `original_mask`, may be stored.
pub fn check_card_retyped(typed: &str, original_mask: &str) -> Result<String, CardProblem> {
    let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if !(16..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CardProblem::Shape);
    }
    if !luhn_ok(&digits) {
        return Err(CardProblem::Luhn);
    }
    let mask = mask_card(&digits);
    if mask != original_mask {
        return Err(CardProblem::NotTheOriginal);
    }
    Ok(mask)
}

/// One row of the supported-banks table (快速退货支持银行), from `banks`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupportedBank {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub credit: bool,
    pub debit: bool,
}

impl SupportedBank {
    pub fn supports(&self, card_type: CardType) -> bool {
        match card_type {
            CardType::Credit => self.credit,
            CardType::Debit => self.debit,
        }
    }
}

/// Why a transaction may not be fast-refunded (the 说明 column of the F2 result list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligible {
    /// Not a sale or completion, or not successful.
    NotASale,
    /// The issuing bank does not support fast refunds for this card type: 发卡行不支持.
    BankUnsupported,
    /// Not settled yet (the same-day case is a void at the POS): 未结算.
    NotSettled,
    /// Nothing left to refund: refunded, or refunds (ordinary or fast) still under way.
    FullyRefunded,
    /// Older than `fast_refund_max_age_days`: 超过快速退货期限.
    TooOld,
}

impl Ineligible {
    pub fn zh(self) -> &'static str {
        match self {
            Ineligible::NotASale => "非消费交易",
            Ineligible::BankUnsupported => "发卡行不支持",
            Ineligible::NotSettled => "未结算",
            Ineligible::FullyRefunded => "无可退金额（已退完或退货处理中）",
            Ineligible::TooOld => "超过快速退货期限",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Ineligible::NotASale => "Not a sale",
            Ineligible::BankUnsupported => "Issuing bank not supported",
            Ineligible::NotSettled => "Not settled",
            Ineligible::FullyRefunded => "Nothing left to refund (refunded, or refunds under way)",
            Ineligible::TooOld => "Too old for a fast refund",
        }
    }
}

/// What eligibility looks at, gathered by the service from the transaction and reference data.
#[derive(Debug, Clone, Copy)]
pub struct EligibilityFacts {
    pub is_successful_sale: bool,
    pub bank_supports_card_type: bool,
    pub settled: bool,
    pub refundable_left_fen: i64,
    pub age_days: i64,
}

/// The first reason a transaction is not eligible (F1), or `None` when it is.
pub fn ineligible(f: &EligibilityFacts) -> Option<Ineligible> {
    if !f.is_successful_sale {
        Some(Ineligible::NotASale)
    } else if !f.bank_supports_card_type {
        Some(Ineligible::BankUnsupported)
    } else if !f.settled {
        Some(Ineligible::NotSettled)
    } else if f.refundable_left_fen <= 0 {
        Some(Ineligible::FullyRefunded)
    } else if f.age_days > MAX_AGE_DAYS {
        Some(Ineligible::TooOld)
    } else {
        None
    }
}

/// Whether an exception submitted `submissions` times (the first submission counts as 1) may be
/// resubmitted once more: at most [`MAX_RESUBMITS`] resubmissions.
pub fn may_resubmit(submissions: i64) -> bool {
    submissions - 1 < MAX_RESUBMITS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_table() {
        use FastRefundStatus::*;
        assert!(PendingReview.may_become(Processing));
        assert!(PendingReview.may_become(Rejected));
        assert!(Processing.may_become(Exception));
        assert!(Exception.may_become(Processing));
        assert!(Exception.may_become(Cancelled));
        assert!(!Success.may_become(Failed));
        assert!(!Cancelled.may_become(Processing));
        assert!(!PendingReview.may_become(Success));
        assert!(!Failed.holds_money() && !Cancelled.holds_money() && !Rejected.holds_money());
        assert!(Exception.holds_money() && Processing.holds_money());
        assert!(!PendingReview.debited() && Exception.debited());
        assert_eq!(FastRefundStatus::parse("异常"), Some(Exception));
        assert_eq!(FastRefundStatus::parse("success"), Some(Success));
    }

    #[test]
    fn resident_id_gb11643() {
        // The GB 11643 example number.
        assert_eq!(gb11643_check_char("11010519491231002"), Some('X'));
        assert_eq!(
            check_id_number(IdType::ResidentId, "11010519491231002x", 20261202).unwrap(),
            "11010519491231002X"
        );
        assert_eq!(
            check_id_number(IdType::ResidentId, "110105194912310021", 20261202),
            Err(IdProblem::CheckChar)
        );
        // 1949-02-30 is no date.
        let mut bad = String::from("11010519490230002");
        bad.push(gb11643_check_char(&bad).unwrap());
        assert_eq!(
            check_id_number(IdType::ResidentId, &bad, 20261202),
            Err(IdProblem::BirthDate)
        );
        // Born in the future.
        let mut fut = String::from("11010520300101002");
        fut.push(gb11643_check_char(&fut).unwrap());
        assert_eq!(
            check_id_number(IdType::ResidentId, &fut, 20261202),
            Err(IdProblem::BirthDate)
        );
        assert_eq!(
            check_id_number(IdType::ResidentId, "1101051949123100", 20261202),
            Err(IdProblem::Shape)
        );
        // Old 15-digit numbers.
        assert!(check_id_number(IdType::ResidentId, "110105491231002", 20261202).is_ok());
        assert_eq!(
            check_id_number(IdType::Passport, "E1234", 20261202).unwrap(),
            "E1234"
        );
        assert_eq!(
            check_id_number(IdType::Passport, "E12", 20261202),
            Err(IdProblem::Length)
        );
        assert_eq!(mask_id_number("11010519491231002X"), "110105********002X");
    }

    #[test]
    fn card_retyped() {
        // 4111111111111111 passes Luhn.
        assert!(luhn_ok("4111111111111111"));
        assert!(!luhn_ok("4111111111111112"));
        let mask = mask_card("4111111111111111");
        assert_eq!(mask, "411111******1111");
        assert_eq!(
            check_card_retyped("4111 1111 1111 1111", &mask).unwrap(),
            mask
        );
        assert_eq!(
            check_card_retyped("4111111111111112", &mask),
            Err(CardProblem::Luhn)
        );
        // A valid number of another card.
        assert_eq!(
            check_card_retyped("4111111111111129", &mask),
            Err(CardProblem::NotTheOriginal)
        );
        assert_eq!(
            check_card_retyped("41111111", &mask),
            Err(CardProblem::Shape)
        );
    }

    #[test]
    fn names_masked_and_resubmits_capped() {
        assert_eq!(mask_name("张小三"), "张*三");
        assert_eq!(mask_name("张三"), "张*");
        assert!(may_resubmit(1) && may_resubmit(3));
        assert!(!may_resubmit(4));
    }

    #[test]
    fn eligibility_reasons_in_order() {
        let ok = EligibilityFacts {
            is_successful_sale: true,
            bank_supports_card_type: true,
            settled: true,
            refundable_left_fen: 100,
            age_days: 1,
        };
        assert_eq!(ineligible(&ok), None);
        let f = EligibilityFacts {
            settled: false,
            ..ok
        };
        assert_eq!(ineligible(&f), Some(Ineligible::NotSettled));
        let f = EligibilityFacts {
            refundable_left_fen: 0,
            ..ok
        };
        assert_eq!(ineligible(&f), Some(Ineligible::FullyRefunded));
        let f = EligibilityFacts {
            bank_supports_card_type: false,
            ..ok
        };
        assert_eq!(ineligible(&f), Some(Ineligible::BankUnsupported));
        let f = EligibilityFacts {
            age_days: 181,
            ..ok
        };
        assert_eq!(ineligible(&f), Some(Ineligible::TooOld));
    }
}
