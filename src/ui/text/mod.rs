//! Every string the screens show, in Chinese (the default) and English, in one place.

use crate::domain::function::Function;
use crate::service::{Problem, Rule, ServiceError};

pub use crate::domain::lang::{Lang, T};

pub mod t {
    use super::T;

    // The words: assets/text/common.toml (build.rs).
    include!(concat!(env!("OUT_DIR"), "/text/common.rs"));
}

/// A coded value as its code: the store's enums and plain text alike.
pub trait AsCode {
    fn as_code(&self) -> &str;
}

impl AsCode for str {
    fn as_code(&self) -> &str {
        self
    }
}

impl AsCode for String {
    fn as_code(&self) -> &str {
        self
    }
}

impl<C: crate::domain::Coded> AsCode for C {
    fn as_code(&self) -> &str {
        self.code()
    }
}

pub fn txn_type(code: &(impl AsCode + ?Sized)) -> T {
    match code.as_code() {
        "sale" => t::TYPE_SALE,
        "void" => t::TYPE_VOID,
        "refund" => t::TYPE_REFUND,
        "completion" => t::TYPE_COMPLETION,
        _ => T("?", "?"),
    }
}

pub fn txn_status(code: &(impl AsCode + ?Sized)) -> T {
    match code.as_code() {
        "success" => t::ST_SUCCESS,
        "failed" => t::ST_FAILED,
        "voided" => t::ST_VOIDED,
        "reversed" => t::ST_REVERSED,
        _ => T("?", "?"),
    }
}

/// How the settlement counts a transaction (`domain::txn::Counted::code`).
pub fn counted(code: &str) -> T {
    match code {
        "trade" => t::COUNTED_TRADE,
        "refund" => t::COUNTED_REFUND,
        _ => t::COUNTED_NOT,
    }
}

pub fn card_type(code: &(impl AsCode + ?Sized)) -> T {
    match code.as_code() {
        "credit" => t::CARD_CREDIT,
        _ => t::CARD_DEBIT,
    }
}

pub fn card_org(code: &str) -> T {
    words::word(words::CARD_ORG, code)
}

pub fn function_name(f: Function) -> T {
    words::word(words::FUNCTION, f.code())
}

fn problem(p: &Problem, lang: Lang) -> String {
    let n = |tx: T, n: usize| tx.get(lang).replace("{n}", &n.to_string());
    match p {
        Problem::Required => t::P_REQUIRED.get(lang).into(),
        Problem::TooShort(k) => n(t::P_TOO_SHORT, *k),
        Problem::TooLong(k) => n(t::P_TOO_LONG, *k),
        Problem::HasSpace => t::P_HAS_SPACE.get(lang).into(),
        Problem::Mismatch => t::P_MISMATCH.get(lang).into(),
        Problem::SameAsOld => t::P_SAME_AS_OLD.get(lang).into(),
        Problem::BadDate => t::P_BAD_DATE.get(lang).into(),
        Problem::DateOrder => t::P_DATE_ORDER.get(lang).into(),
        Problem::FutureDate => t::P_FUTURE_DATE.get(lang).into(),
        Problem::BadRrn => t::P_BAD_RRN.get(lang).into(),
        Problem::BadTerminalNo => t::P_BAD_TERMINAL.get(lang).into(),
        Problem::BadAmount => t::P_BAD_AMOUNT.get(lang).into(),
        Problem::Unknown => t::P_UNKNOWN.get(lang).into(),
        Problem::WrongPassword => t::P_WRONG_PASSWORD.get(lang).into(),
        Problem::Duplicate => t::P_DUPLICATE.get(lang).into(),
        Problem::Length(k) => n(t::P_LENGTH, *k),
        Problem::Range(a, b) => t::P_RANGE
            .get(lang)
            .replace("{a}", &a.to_string())
            .replace("{b}", &b.to_string()),
        Problem::BadLogin => t::P_BAD_LOGIN.get(lang).into(),
        other => money_out::problem(other, lang),
    }
}

/// What a form shows beside a field that has a problem.
pub fn field_problem(p: &Problem, lang: Lang) -> String {
    problem(p, lang)
}

/// A service's refusal in the operator's language. `field_label` names the field of an
/// `Invalid` error.
pub fn error(e: &ServiceError, lang: Lang, field_label: impl Fn(&str) -> String) -> String {
    match e {
        ServiceError::Denied(f) => t::ERR_DENIED
            .get(lang)
            .replace("{f}", function_name(*f).get(lang)),
        ServiceError::Invalid { field, problem: p } => {
            format!("{}: {}", field_label(field), problem(p, lang))
        }
        ServiceError::BadCredentials => t::ERR_BAD_CREDENTIALS.get(lang).into(),
        ServiceError::PayBlocked { until_ms } => t::ERR_PAY_BLOCKED
            .get(lang)
            .replace("{until}", &crate::clock::format_ms(*until_ms)[..16]),
        ServiceError::File(e) => t::ERR_FILE.get(lang).replace("{e}", e),
        ServiceError::Locked { until_ms } => t::ERR_LOCKED
            .get(lang)
            .replace("{until}", &crate::clock::format_ms(*until_ms)[..16]),
        ServiceError::Disabled => t::ERR_DISABLED.get(lang).into(),
        ServiceError::SessionEnded => t::ERR_SESSION_ENDED.get(lang).into(),
        ServiceError::NotFound => t::ERR_NOT_FOUND.get(lang).into(),
        ServiceError::OutOfScope => t::ERR_OUT_OF_SCOPE.get(lang).into(),
        ServiceError::Store(s) if s.is_busy() => t::ERR_BUSY.get(lang).into(),
        ServiceError::Store(s) => t::ERR_STORE.get(lang).replace("{e}", &s.message),
        ServiceError::Refused(rule) => match rule {
            Rule::LastAdmin => t::ERR_LAST_ADMIN.get(lang).into(),
            Rule::SelfDisable => t::ERR_SELF_DISABLE.get(lang).into(),
            Rule::AdminRoleFixed => t::ERR_ADMIN_ROLE_FIXED.get(lang).into(),
            Rule::InUse(who) => t::ERR_IN_USE.get(lang).replace("{who}", &who.join(", ")),
            Rule::OwnApplication => t::ERR_OWN_APPLICATION.get(lang).into(),
            Rule::AlreadyDecided(id) => t::ERR_ALREADY_DECIDED
                .get(lang)
                .replace("{id}", &id.to_string()),
            Rule::NotRefundable => t::ERR_NOT_REFUNDABLE.get(lang).into(),
            Rule::ExceedsRefundable(left) => t::ERR_EXCEEDS_REFUNDABLE
                .get(lang)
                .replace("{left}", &crate::domain::money::format_fen(*left)),
            Rule::ExceedsQuota(left) => t::ERR_EXCEEDS_QUOTA
                .get(lang)
                .replace("{left}", &crate::domain::money::format_fen(*left)),
            Rule::CardRefused => t::ERR_CARD_REFUSED.get(lang).into(),
            Rule::BadFile => t::ERR_BAD_FILE.get(lang).into(),
            other => money_out::rule(other, lang),
        },
    }
}

// The strings of each area live beside this file, so the whole text of the app stays in this one
// module while different screens grow without touching each other's lists.
pub mod admin;
pub mod audit;
pub mod card;
pub mod fast_refund;
pub mod keys;
pub mod money_out;
pub mod payees;
pub mod query;
pub mod refund;
pub mod review;
pub mod words;

/// A refusal of a use case that involves the USB key, in words.
pub fn card_error(e: &crate::service::card::CardServiceError, lang: Lang) -> String {
    card::service(e, lang)
}
pub mod recon;
pub mod transfer;
