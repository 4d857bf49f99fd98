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
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceError {
    /// The session's roles lack the function.
    Denied(Function),
    /// A field's value is wrong; `field` is the form's field key.
    Invalid {
        field: &'static str,
        problem: Problem,
    },
    UnknownOperator,
    WrongPassword {
        tries_left: i64,
    },
    Locked {
        until_ms: i64,
    },
    Disabled,
    /// The session's operator was disabled or removed since login.
    SessionEnded,
    NotFound,
    OutOfScope,
    Refused(Rule),
    Store(String),
}

impl From<rusqlite::Error> for ServiceError {
    fn from(e: rusqlite::Error) -> Self {
        ServiceError::Store(e.to_string())
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

pub fn invalid<T>(field: &'static str, problem: Problem) -> ServiceResult<T> {
    Err(ServiceError::Invalid { field, problem })
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServiceError::Denied(func) => {
                write!(f, "not permitted: needs function {}", func.code())
            }
            ServiceError::Invalid { field, problem } => write!(f, "{field}: {problem:?}"),
            ServiceError::Store(e) => write!(f, "database error: {e}"),
            other => write!(f, "{other:?}"),
        }
    }
}

impl std::error::Error for ServiceError {}
