//! Strings of the money-out features: the review inbox (我的待审核), application records,
//! bank accounts and withdrawal, and their refusals.

use super::{Lang, T};
use crate::domain::money::format_fen;
use crate::domain::review::{
    ApplicationKind, ApplicationStatus, BankAccountStatus, WithdrawalStatus,
};
use crate::service::{Problem, Rule};

// The words: assets/text/money_out.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/money_out.rs"));

use super::words::{self, word};
pub fn kind(k: ApplicationKind) -> T {
    word(words::APPLICATION_KIND, k.code())
}

pub fn status(s: ApplicationStatus) -> T {
    word(words::APPLICATION_STATUS, s.code())
}

pub fn withdrawal_status(s: WithdrawalStatus) -> T {
    word(words::WITHDRAWAL_STATUS, s.code())
}

pub fn account_status(s: BankAccountStatus) -> T {
    word(words::BANK_ACCOUNT_STATUS, s.code())
}

pub fn problem(p: &Problem, lang: Lang) -> String {
    match p {
        Problem::NotDigits => W_DIGITS_ONLY.get(lang).into(),
        Problem::AccountLength(a, b) => W_MUST_BE_A_B_DIGITS
            .get(lang)
            .replace("{a}", &a.to_string())
            .replace("{b}", &b.to_string()),
        Problem::BinOtherBank(zh, en) => W_THE_NUMBER_BELONGS_TO_ANOTHER_BANK_B
            .get(lang)
            .replace("{b}", if lang == Lang::Zh { zh } else { en }),
        Problem::CreditCard => W_CREDIT_CARDS_ARE_NOT_ACCEPTED.get(lang).into(),
        Problem::CityNotInProvince(p, zh, en) => crate::domain::payee::R_CITY_NOT_IN_PROVINCE
            .get(lang)
            .replace("{p}", p)
            .replace("{q}", if lang == Lang::Zh { zh } else { en }),
        Problem::NoLetters => crate::domain::payee::R_NO_LETTERS.get(lang).into(),
        Problem::BadMobile => crate::domain::payee::R_BAD_MOBILE.get(lang).into(),
        Problem::PayeeExists => crate::domain::payee::R_EXISTS.get(lang).into(),
        Problem::AboveDailyLimit => W_CANNOT_BE_ABOVE_THE_DAILY_LIMIT.get(lang).into(),
        Problem::AboveCap => W_CANNOT_BE_ABOVE_THE_CAP.get(lang).into(),
        Problem::BadRate => W_A_PERCENTAGE_FROM_0_TO_100_AT_MOST_FOUR.get(lang).into(),
        Problem::IdNumber(p) => match lang {
            Lang::Zh => p.zh().into(),
            Lang::En => p.en().into(),
        },
        Problem::Card(p) => match lang {
            Lang::Zh => p.zh().into(),
            Lang::En => p.en().into(),
        },
        Problem::BankUnsupported => W_THE_BANK_DOES_NOT_SUPPORT_FAST_REFUNDS_F.get(lang).into(),
        _ => "?".into(),
    }
}

pub fn rule(r: &Rule, lang: Lang) -> String {
    match r {
        Rule::BatchOtherStore(no) => BATCH_OTHER_STORE.get(lang).replace("{no}", no),
        Rule::FastRefundDisabled => W_THIS_STORE_HAS_NOT_AGREED_TO_FAST_REFUND.get(lang).into(),
        Rule::FastRefundIneligible(why) => match lang {
            Lang::Zh => format!("该交易不能快速退货：{}", why.zh()),
            Lang::En => format!("This transaction cannot be fast-refunded: {}", why.en()),
        },
        Rule::NotReissuable => W_ONLY_A_FAILED_OR_RETURNED_TRANSFER_CAN_B.get(lang).into(),
        Rule::AlreadyReissued(id) => W_THIS_TRANSFER_WAS_RE_ISSUED_ALREADY_ID
            .get(lang)
            .replace("{id}", &id.to_string()),
        Rule::ResubmitLimit(n) => W_RESUBMITTED_N_TIMES_ALREADY_IT_CAN_ONLY
            .get(lang)
            .replace("{n}", &n.to_string()),
        Rule::InsufficientBalance(avail) => W_NOT_ENOUGH_BALANCE_AVAILABLE_A
            .get(lang)
            .replace("{a}", &format_fen(*avail)),
        Rule::TooManyBankAccounts(n) => W_AT_MOST_N_BANK_ACCOUNTS
            .get(lang)
            .replace("{n}", &n.to_string()),
        Rule::TooManyPayees(n) => W_AT_MOST_N_PAYEE_CONTACTS
            .get(lang)
            .replace("{n}", &n.to_string()),
        Rule::WithdrawSingleLimit(limit) => W_ABOVE_THE_SINGLE_WITHDRAWAL_LIMIT_OF_L
            .get(lang)
            .replace("{l}", &format_fen(*limit)),
        Rule::WithdrawDailyLimit(limit, left) => W_ABOVE_THE_DAILY_WITHDRAWAL_LIMIT_OF_L_R
            .get(lang)
            .replace("{l}", &format_fen(*limit))
            .replace("{r}", &format_fen(*left)),
        Rule::AccountNotUsable => W_THE_ACCOUNT_CANNOT_BE_USED_IT_MUST_BE_TH.get(lang).into(),
        Rule::AccountInUse => W_A_PENDING_OR_PROCESSING_WITHDRAWAL_PAYS.get(lang).into(),
        Rule::NoReviewRight(k) => W_NOT_PERMITTED_TO_REVIEW_K
            .get(lang)
            .replace("{k}", kind(*k).get(lang)),
        Rule::Expired(id) => W_APPLICATION_ID_HAS_EXPIRED
            .get(lang)
            .replace("{id}", &id.to_string()),
        Rule::NotOwnApplication => W_ONLY_ITS_APPLICANT_CAN_CANCEL_AN_APPLICA.get(lang).into(),
        Rule::OutcomeNotApplicable => W_THIS_RESULT_DOES_NOT_APPLY_TO_THE_ITEM_A.get(lang).into(),
        Rule::Items(items) => {
            let head = W_NOTHING_WAS_DECIDED_THESE_ITEMS_DO_NOT_Q.get(lang);
            let list: Vec<String> = items
                .iter()
                .map(|(label, r)| {
                    format!(
                        "{} — {}",
                        item_label(label, lang),
                        super::error(
                            &crate::service::ServiceError::Refused(r.clone()),
                            lang,
                            |f| f.to_string(),
                        )
                    )
                })
                .collect();
            format!("{head}{}", list.join("；"))
        }
        _ => "?".into(),
    }
}

/// An offending item's label (`withdrawal 20261123000001`) in words.
fn item_label(label: &str, lang: Lang) -> String {
    match label.split_once(' ') {
        Some(("merchant", rest)) => format!("{} {rest}", STORE.get(lang)),
        Some((k, rest)) => match ApplicationKind::from_code(k) {
            Some(k) => format!("{} {rest}", kind(k).get(lang)),
            None => label.to_string(),
        },
        None => label.to_string(),
    }
}

/// What the settlement run did for money out, after its refund words (nothing when nothing).
pub fn settled_more(r: &crate::service::settlement::SettleReport, lang: Lang) -> String {
    let mut s = String::new();
    if r.withdrawals_completed > 0 {
        s.push_str(
            &W_N_WITHDRAWN
                .get(lang)
                .replace("{n}", &r.withdrawals_completed.to_string()),
        );
    }
    if r.applications_expired > 0 {
        s.push_str(
            &W_N_APPLICATIONS_EXPIRED
                .get(lang)
                .replace("{n}", &r.applications_expired.to_string()),
        );
    }
    s
}

pub fn event(code: &str) -> T {
    word(words::APPLICATION_EVENT, code)
}

pub fn fee_kind(k: crate::domain::review::PayoutFeeKind) -> T {
    word(words::PAYOUT_FEE_KIND, k.code())
}
