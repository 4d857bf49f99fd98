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
        Problem::NotDigits => T("只能是数字", "digits only").get(lang).into(),
        Problem::AccountLength(a, b) => T("应为 {a}–{b} 位数字", "must be {a}–{b} digits")
            .get(lang)
            .replace("{a}", &a.to_string())
            .replace("{b}", &b.to_string()),
        Problem::BinOtherBank(zh, en) => T(
            "卡号与开户银行不符（卡号属于{b}）",
            "the number belongs to another bank ({b})",
        )
        .get(lang)
        .replace("{b}", if lang == Lang::Zh { zh } else { en }),
        Problem::CreditCard => T("不支持信用卡", "credit cards are not accepted")
            .get(lang)
            .into(),
        Problem::CityNotInProvince(p, zh, en) => crate::domain::payee::R_CITY_NOT_IN_PROVINCE
            .get(lang)
            .replace("{p}", p)
            .replace("{q}", if lang == Lang::Zh { zh } else { en }),
        Problem::NoLetters => crate::domain::payee::R_NO_LETTERS.get(lang).into(),
        Problem::BadMobile => crate::domain::payee::R_BAD_MOBILE.get(lang).into(),
        Problem::PayeeExists => crate::domain::payee::R_EXISTS.get(lang).into(),
        Problem::AboveDailyLimit => T("不能高于每日限额", "cannot be above the daily limit")
            .get(lang)
            .into(),
        Problem::AboveCap => T("不能高于最高服务费", "cannot be above the cap")
            .get(lang)
            .into(),
        Problem::BadRate => T(
            "应为 0–100 的百分数，最多四位小数",
            "a percentage from 0 to 100, at most four decimals",
        )
        .get(lang)
        .into(),
        Problem::IdNumber(p) => match lang {
            Lang::Zh => p.zh().into(),
            Lang::En => p.en().into(),
        },
        Problem::Card(p) => match lang {
            Lang::Zh => p.zh().into(),
            Lang::En => p.en().into(),
        },
        Problem::BankUnsupported => T(
            "该银行不支持此卡类型的快速退货",
            "the bank does not support fast refunds for this card type",
        )
        .get(lang)
        .into(),
        _ => "?".into(),
    }
}

pub fn rule(r: &Rule, lang: Lang) -> String {
    match r {
        Rule::BatchOtherStore(no) => BATCH_OTHER_STORE.get(lang).replace("{no}", no),
        Rule::FastRefundDisabled => T(
            "本商户未开通快速退货",
            "This store has not agreed to fast refunds",
        )
        .get(lang)
        .into(),
        Rule::FastRefundIneligible(why) => match lang {
            Lang::Zh => format!("该交易不能快速退货：{}", why.zh()),
            Lang::En => format!("This transaction cannot be fast-refunded: {}", why.en()),
        },
        Rule::NotReissuable => T(
            "只有失败或退票的转账可以重新转账",
            "Only a failed or returned transfer can be re-issued",
        )
        .get(lang)
        .into(),
        Rule::AlreadyReissued(id) => T(
            "这笔转账已重新转账过一次（#{id}）",
            "This transfer was re-issued already (#{id})",
        )
        .get(lang)
        .replace("{id}", &id.to_string()),
        Rule::ResubmitLimit(n) => T(
            "已重新提交 {n} 次，不能再提交；只能撤销",
            "Resubmitted {n} times already: it can only be cancelled",
        )
        .get(lang)
        .replace("{n}", &n.to_string()),
        Rule::InsufficientBalance(avail) => T(
            "余额不足（可用余额 ¥{a}）",
            "Not enough balance (available ¥{a})",
        )
        .get(lang)
        .replace("{a}", &format_fen(*avail)),
        Rule::TooManyBankAccounts(n) => T("最多可添加 {n} 张银行卡", "At most {n} bank accounts")
            .get(lang)
            .replace("{n}", &n.to_string()),
        Rule::TooManyPayees(n) => T("联系人最多 {n} 个", "At most {n} payee contacts")
            .get(lang)
            .replace("{n}", &n.to_string()),
        Rule::WithdrawSingleLimit(limit) => T(
            "提现金额超过单笔限额 ¥{l}",
            "Above the single withdrawal limit of ¥{l}",
        )
        .get(lang)
        .replace("{l}", &format_fen(*limit)),
        Rule::WithdrawDailyLimit(limit, left) => T(
            "超过每日提现限额 ¥{l}（今日还可提现 ¥{r}）",
            "Above the daily withdrawal limit of ¥{l} (¥{r} left today)",
        )
        .get(lang)
        .replace("{l}", &format_fen(*limit))
        .replace("{r}", &format_fen(*left)),
        Rule::AccountNotUsable => T(
            "提现账户不可用：须为本商户已审核通过、户名与商户名称一致的账户",
            "The account cannot be used: it must be this store's, approved, in the store's name",
        )
        .get(lang)
        .into(),
        Rule::AccountInUse => T(
            "该账户有待审核或处理中的提现，不能删除",
            "A pending or processing withdrawal pays to this account; it cannot be deleted",
        )
        .get(lang)
        .into(),
        Rule::NoReviewRight(k) => T("无权审核：{k}", "Not permitted to review: {k}")
            .get(lang)
            .replace("{k}", kind(*k).get(lang)),
        Rule::Expired(id) => T("申请 #{id} 已过期", "Application #{id} has expired")
            .get(lang)
            .replace("{id}", &id.to_string()),
        Rule::NotOwnApplication => T(
            "只能撤销本人提交的申请",
            "Only its applicant can cancel an application",
        )
        .get(lang)
        .into(),
        Rule::OutcomeNotApplicable => T(
            "该结果不适用于此笔记录的当前状态",
            "This result does not apply to the item as it stands",
        )
        .get(lang)
        .into(),
        Rule::Items(items) => {
            let head = T(
                "整批未处理，以下记录不符合条件：",
                "Nothing was decided; these items do not qualify: ",
            )
            .get(lang);
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
        Some(("merchant", rest)) => format!("{} {rest}", T("商户", "Store").get(lang)),
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
            &T("；普通提现到账 {n} 笔", "; {n} withdrawn")
                .get(lang)
                .replace("{n}", &r.withdrawals_completed.to_string()),
        );
    }
    if r.applications_expired > 0 {
        s.push_str(
            &T("；过期申请 {n} 笔", "; {n} applications expired")
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
