//! What a use case can answer instead of a result. The ui turns each into words in the
//! operator's language; a field-level problem names the field so the form can mark it.

use crate::domain::function::Function;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooShort(usize),
    TooLong(usize),
    HasSpace,
    Mismatch,
    SameAsOld,
    BadDate,
    DateOrder,
    /// After today (a settlement run settles up to today).
    FutureDate,
    BadRrn,
    BadTerminalNo,
    BadAmount,
    Unknown,
    WrongPassword,
    /// Another record already has this value.
    Duplicate,
    /// Must be exactly this many characters.
    Length(usize),
    /// A whole number in a range.
    Range(i64, i64),
    BadLogin,
    /// A bank account number with something other than digits.
    NotDigits,
    /// A bank account number outside its holder type's length (personal 16–19, company 6–32).
    AccountLength(usize, usize),
    /// The account number's BIN belongs to another bank (its name in Chinese, English).
    BinOtherBank(String, String),
    /// The BIN is a credit card's: 「不支持信用卡」.
    CreditCard,
    /// The city is not in the province typed: (the province as typed, where the city is in
    /// Chinese, in English).
    CityNotInProvince(String, String, String),
    /// A name made of digits only.
    NoLetters,
    /// Not a mobile number (`1[3-9]` and nine more digits).
    BadMobile,
    /// An active payee contact has this account already: 「联系人已存在」.
    PayeeExists,
    /// Not a percentage from 0 to 100 with at most four decimals (a fee rate).
    BadRate,
    /// A single withdrawal limit above the daily one.
    AboveDailyLimit,
    /// A minimum fee above the cap.
    AboveCap,
    /// A resident ID with a bad shape, birth date or GB 11643 check character (fast refund).
    IdNumber(crate::domain::fast_refund::IdProblem),
    /// A re-typed card number that fails Luhn or differs from the original's mask.
    Card(crate::domain::fast_refund::CardProblem),
    /// The bank does not support fast refunds for the card's type.
    BankUnsupported,
}

/// Rules of system management that refuse an action as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// The last active administrator cannot be disabled or lose the role.
    LastAdmin,
    /// Nobody disables themselves.
    SelfDisable,
    /// The administrator role stays whole.
    AdminRoleFixed,
    /// Still referenced: by whom.
    InUse(Vec<String>),
    /// Nobody reviews their own application.
    OwnApplication,
    /// Another reviewer decided this application first.
    AlreadyDecided(i64),
    /// Only sales and completions in success state are refunded.
    NotRefundable,
    /// More than the transaction has left to refund (fen left).
    ExceedsRefundable(i64),
    /// More than the merchant's daily refund quota has left (fen left).
    ExceedsQuota(i64),
    /// The card refused or could not be used for a decision that needs it (the card's own
    /// error says why).
    CardRefused,
    /// A batch file with bad rows: refused whole (the rows and reasons are in the answer).
    BadFile,
    /// Amount plus fee above the available balance (fen available).
    InsufficientBalance(i64),
    /// The merchant already has this many bank accounts (最多可添加 20 张银行卡).
    TooManyBankAccounts(usize),
    /// The withdrawal account is not the merchant's, not approved yet, deleted, or its name is
    /// no longer the merchant's.
    AccountNotUsable,
    /// A pending or processing withdrawal still pays to the account.
    AccountInUse,
    /// The reviewer lacks the checker function of this kind (无权审核：提现).
    NoReviewRight(crate::domain::review::ApplicationKind),
    /// The application waited longer than the review period.
    Expired(i64),
    /// Only the maker cancels an application.
    NotOwnApplication,
    /// An outcome that does not apply to the item as it stands (e.g. a result for a payout
    /// that is not processing).
    OutcomeNotApplicable,
    /// The group has this many payee contacts already.
    TooManyPayees(usize),
    /// Above the store's single-withdrawal limit (the limit in fen).
    WithdrawSingleLimit(i64),
    /// Above what the store's daily withdrawal limit leaves today (the limit, what is left).
    WithdrawDailyLimit(i64, i64),
    /// A decision over several items refused whole: each offending item (its label) and why.
    Items(Vec<(String, Rule)>),
    /// The store has not agreed to fast refunds: 「本商户未开通快速退货」.
    FastRefundDisabled,
    /// The original transaction cannot be fast-refunded (why, for the 说明 column).
    FastRefundIneligible(crate::domain::fast_refund::Ineligible),
    /// An exception resubmitted this many times already: only 撤销 is left.
    ResubmitLimit(i64),
    /// A batch is one store's: this line's original is another store's (its merchant number).
    BatchOtherStore(String),
    /// Only a failed or returned transfer row is re-issued.
    NotReissuable,
    /// The transfer row was re-issued already (by this row id).
    AlreadyReissued(i64),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// The session's roles lack the function.
    #[error("not permitted: needs function {}", .0.code())]
    Denied(Function),
    /// A field's value is wrong; `field` is the form's field key.
    #[error("{field}: {problem:?}")]
    Invalid {
        field: &'static str,
        problem: Problem,
    },
    /// A wrong login name or a wrong password: one answer for both, so the login tells nobody
    /// which names exist.
    #[error("wrong operator name or password")]
    BadCredentials,
    #[error("operator locked until {until_ms}")]
    Locked { until_ms: i64 },
    #[error("operator disabled")]
    Disabled,
    /// The session's operator was disabled or removed since login.
    #[error("the session ended: the operator was disabled or removed")]
    SessionEnded,
    #[error("not found")]
    NotFound,
    #[error("outside the operator's terminal groups")]
    OutOfScope,
    #[error("refused: {0:?}")]
    Refused(Rule),
    /// Five wrong payment passwords: money actions and approvals are blocked until then.
    #[error("money actions blocked until {until_ms} (five wrong payment passwords)")]
    PayBlocked { until_ms: i64 },
    #[error("database error: {0}")]
    Store(crate::store::StoreError),
    /// A file the use case reads or writes (a slip, an export) could not be.
    #[error("file error: {0}")]
    File(String),
}

impl From<crate::store::StoreError> for ServiceError {
    fn from(e: crate::store::StoreError) -> Self {
        ServiceError::Store(e)
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

pub fn invalid<T>(field: &'static str, problem: Problem) -> ServiceResult<T> {
    Err(ServiceError::Invalid { field, problem })
}
