//! The review engine (RV1, spec/money-out.md §1.2–§1.3): applications of every kind, applied
//! for by a maker and decided by a checker; holds on the available balance; several items of
//! mixed kinds decided at once as one decision signed once by the card, all or nothing.
//!
//! Refunds keep their own table and their own screens (R3/R4): the inbox lists their pending
//! applications beside the new kinds, and a mixed decision decides both in one transaction
//! under one signature, writing for each refund exactly what `refunds::review` writes.
//!
//! 可用余额 = ledger balance − Σ active holds. A withdrawal holds its amount plus fee from the
//! moment it is applied for; approval writes the ledger debit and posts the hold in the same
//! transaction; rejection, cancellation and expiry release it.

use std::collections::BTreeMap;

use crate::domain::audit::Fields;
use crate::domain::function::Function;
use crate::domain::refund::RefundStatus;
use crate::domain::review::{
    check_account_no, mask_account_no, AccountNature, AccountNoProblem, ApplicationKind,
    ApplicationStatus, BankAccountStatus, HoldState, HolderType, WithdrawMethod, WithdrawalStatus,
};
use crate::store::review::{
    self as q, ApplicationRow, BankAccountRow, InboxFilter, InboxRow, NewApplication,
    NewBankAccount, NewWithdrawal, RecordFilter, Source,
};
use crate::store::{merchants, refunds, settlements, transactions, Db};

use super::card::{CardServiceError, CardServiceResult};
use super::error::{invalid, Problem, Rule};
use super::kernel::{Needs, Uc, Who};
use super::refunds::{card_required_in, Confirmation};
use super::signing::Decision;
use super::{Env, ServiceError, ServiceResult, Session};

/// The settings key of the review period in days (default 7).
pub const SETTING_EXPIRY_DAYS: &str = "review_expiry_days";
pub const DEFAULT_EXPIRY_DAYS: i64 = 7;
/// 「最多可添加 20 张银行卡」 (K §3.3.1.3).
pub const MAX_BANK_ACCOUNTS: usize = 20;
/// The inbox's page (「每页显示 20 条」 K §3.5.1.1).
pub const PAGE: usize = 20;

/// The checker function of a kind (Fineract's `_CHECKER`).
pub fn checker_function(kind: ApplicationKind) -> Function {
    use ApplicationKind::*;
    match kind {
        Refund | RefundBatch => Function::RefundReview,
        FastRefund | FastRefundBatch => Function::FastRefundReview,
        Transfer | TransferBatch => Function::TransferReview,
        Withdrawal | BankAccount => Function::WithdrawReview,
    }
}

/// The maker function of a kind.
pub fn maker_function(kind: ApplicationKind) -> Function {
    use ApplicationKind::*;
    match kind {
        Refund | RefundBatch => Function::RefundApply,
        FastRefund | FastRefundBatch => Function::FastRefund,
        Transfer | TransferBatch => Function::TransferApply,
        Withdrawal => Function::WithdrawApply,
        BankAccount => Function::BankAccountManage,
    }
}

/// The kinds the inbox can show today (the others have no apply path yet).
pub const INBOX_KINDS: &[ApplicationKind] = &[
    ApplicationKind::Refund,
    ApplicationKind::Withdrawal,
    ApplicationKind::BankAccount,
    ApplicationKind::FastRefund,
    ApplicationKind::FastRefundBatch,
    ApplicationKind::Transfer,
    ApplicationKind::TransferBatch,
];

const REVIEWERS: &[Function] = &[
    Function::RefundReview,
    Function::WithdrawReview,
    Function::TransferReview,
    Function::FastRefundReview,
];

// ---------------------------------------------------------------------------------------------
// Balances and scope

/// A store's balance as the payment forms show it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Available {
    pub merchant_id: i64,
    pub ledger_fen: i64,
    pub held_fen: i64,
    /// 可用余额 = ledger − held.
    pub available_fen: i64,
}

pub(crate) fn available_in(db: &Db, merchant_id: i64) -> ServiceResult<Available> {
    let ledger = merchants::balance_fen(db, merchant_id)?;
    let held = q::active_holds_fen(db, merchant_id)?;
    Ok(Available {
        merchant_id,
        ledger_fen: ledger,
        held_fen: held,
        available_fen: ledger - held,
    })
}

/// Refuses a store outside the operator's terminal groups (a store is in scope when one of its
/// terminals is), and a store that does not exist.
pub(crate) fn require_merchant(uc: &Uc, merchant_id: i64) -> ServiceResult<merchants::MerchantRow> {
    let m = merchants::all(&uc.db())?
        .into_iter()
        .find(|m| m.id == merchant_id)
        .ok_or(ServiceError::Invalid {
            field: "merchant",
            problem: Problem::Unknown,
        })?;
    if let Some(gs) = uc.scope() {
        if !q::merchant_in_groups(&uc.db(), merchant_id, gs)? {
            return Err(ServiceError::OutOfScope);
        }
    }
    Ok(m)
}

pub fn available(env: &Env, session: &Session, merchant_id: i64) -> ServiceResult<Available> {
    env.query(
        Who::Operator(session),
        Needs::any(&[
            Function::WithdrawApply,
            Function::AccountView,
            Function::WithdrawReview,
        ]),
        "account.available",
        |uc| {
            require_merchant(uc, merchant_id)?;
            available_in(&uc.db(), merchant_id)
        },
    )
}

pub(crate) fn expiry_ms(db: &Db, now: i64) -> ServiceResult<i64> {
    let days = merchants::setting(db, SETTING_EXPIRY_DAYS)?
        .and_then(|v| v.parse::<i64>().ok())
        .filter(|d| *d > 0)
        .unwrap_or(DEFAULT_EXPIRY_DAYS);
    Ok(now + days * 86_400_000)
}

/// The stored command: what approval executes and the signatures cover, one `key=value` a
/// line after a version tag, in a fixed order.
pub(crate) fn command(kind: ApplicationKind, fields: &[(&str, String)]) -> Vec<u8> {
    let mut s = format!("merchant-desk/command/v1\nkind={}\n", kind.code());
    for (k, v) in fields {
        s.push_str(k);
        s.push('=');
        s.push_str(v);
        s.push('\n');
    }
    s.into_bytes()
}

pub(crate) fn command_field(cmd: &[u8], key: &str) -> Option<String> {
    std::str::from_utf8(cmd).ok()?.lines().find_map(|l| {
        l.strip_prefix(key)
            .and_then(|r| r.strip_prefix('='))
            .map(str::to_string)
    })
}

pub(crate) fn command_int(cmd: &[u8], key: &str) -> ServiceResult<i64> {
    command_field(cmd, key)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| ServiceError::File(format!("stored command without {key}")))
}

// ---------------------------------------------------------------------------------------------
// Bank accounts (A5)

/// A bank account as screens see it: the number masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccountView {
    pub id: i64,
    pub merchant_id: i64,
    pub holder_type: HolderType,
    pub nature: AccountNature,
    pub bank_code: String,
    pub bank_zh: String,
    pub bank_en: String,
    pub province_zh: String,
    pub city_zh: String,
    pub branch: String,
    /// `*****0771`
    pub masked: String,
    pub account_name: String,
    pub status: BankAccountStatus,
    pub is_default: bool,
    pub added_ms: i64,
}

fn view(b: &BankAccountRow) -> BankAccountView {
    BankAccountView {
        id: b.id,
        merchant_id: b.merchant_id,
        holder_type: b.holder_type,
        nature: b.nature,
        bank_code: b.bank_code.clone(),
        bank_zh: b.bank_zh.clone(),
        bank_en: b.bank_en.clone(),
        province_zh: b.province_zh.clone(),
        city_zh: b.city_zh.clone(),
        branch: b.branch.clone(),
        masked: mask_account_no(&b.account_no),
        account_name: b.account_name.clone(),
        status: b.status,
        is_default: b.is_default,
        added_ms: b.added_ms,
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BankAccountInput {
    pub merchant_id: i64,
    pub holder_type: Option<HolderType>,
    pub nature: Option<AccountNature>,
    /// Code or Chinese name.
    pub bank: String,
    pub province: String,
    pub city: String,
    pub branch: String,
    pub account_no: String,
    pub account_no_again: String,
    pub pay_password: String,
}

/// Adds a bank account of a store: it waits for a second operator's approval (kind
/// `bank_account`) before a withdrawal can use it. Checked: the function, the payment password,
/// the scope, every field (the number's digits and length, typed twice, its BIN's bank and
/// card type), the limit of 20 and duplicates.
pub fn add_bank_account(
    env: &mut Env,
    session: &Session,
    input: &BankAccountInput,
) -> ServiceResult<BankAccountView> {
    let holder = input.holder_type.ok_or(ServiceError::Invalid {
        field: "holder_type",
        problem: Problem::Required,
    })?;
    let nature = input.nature.unwrap_or(AccountNature::Basic);
    let branch = input.branch.trim();
    let digits =
        check_account_no(&input.account_no, holder).map_err(|p| ServiceError::Invalid {
            field: "account_no",
            problem: match p {
                AccountNoProblem::Empty => Problem::Required,
                AccountNoProblem::NotDigits => Problem::NotDigits,
                AccountNoProblem::Length(a, b) => Problem::AccountLength(a, b),
            },
        })?;
    let again: String = input
        .account_no_again
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if again != digits {
        return invalid("account_no_again", Problem::Mismatch);
    }
    env.act(
        Who::Operator(session),
        Needs::function(&Function::BankAccountManage).paid(&input.pay_password),
        "bank_account.add",
        |uc| {
            let me = uc.operator()?;
            let m = require_merchant(uc, input.merchant_id)?;
            let db = uc.db();
            let (bank_code, _, _) =
                q::bank(&db, input.bank.trim())?.ok_or(ServiceError::Invalid {
                    field: "bank",
                    problem: if input.bank.trim().is_empty() {
                        Problem::Required
                    } else {
                        Problem::Unknown
                    },
                })?;
            if input.province.trim().is_empty() {
                return invalid("province", Problem::Required);
            }
            let city =
                match super::payees::resolve_city(&db, input.province.trim(), input.city.trim())? {
                    Ok(Some(id)) => id,
                    Ok(None) => return invalid("city", Problem::Required),
                    Err((field, problem)) => return invalid(field, problem),
                };
            let n = branch.chars().count();
            if n < 2 {
                return invalid("branch", Problem::TooShort(2));
            }
            if n > 60 {
                return invalid("branch", Problem::TooLong(60));
            }
            if let Some((bin_bank, card_type)) = q::bin_bank(&db, &digits[..6])? {
                if card_type == "credit" {
                    return invalid("account_no", Problem::CreditCard);
                }
                if holder == HolderType::Personal && bin_bank != bank_code {
                    let (_, zh, en) = q::bank(&db, &bin_bank)?.unwrap_or_default();
                    return invalid("account_no", Problem::BinOtherBank(zh, en));
                }
            }
            if q::bank_account_no_exists(&db, m.id, &digits)? {
                return invalid("account_no", Problem::Duplicate);
            }
            if q::live_bank_account_count(&db, m.id)? as usize >= MAX_BANK_ACCOUNTS {
                return Err(ServiceError::Refused(Rule::TooManyBankAccounts(
                    MAX_BANK_ACCOUNTS,
                )));
            }
            let id = q::insert_bank_account(
                &db,
                &NewBankAccount {
                    merchant_id: m.id,
                    holder_type: holder,
                    nature,
                    bank_code: &bank_code,
                    city_id: city,
                    branch,
                    account_no: &digits,
                    account_name: &m.name,
                    added_by: me,
                    added_ms: uc.now_ms,
                },
            )?;
            let row = q::bank_account(&db, id)?.ok_or(ServiceError::NotFound)?;
            let masked = mask_account_no(&digits);
            // Language-neutral: the screens name the bank in the operator's language.
            let payee = format!("{} {} {}", row.bank_code, masked, m.name);
            let cmd = command(
                ApplicationKind::BankAccount,
                &[
                    ("merchant_id", m.id.to_string()),
                    ("bank_account_id", id.to_string()),
                    ("bank_code", bank_code.clone()),
                    ("account_no", digits.clone()),
                    ("account_name", m.name.clone()),
                ],
            );
            let order_no = format!("BA{id:08}");
            let app = q::insert_application(
                &db,
                &NewApplication {
                    kind: ApplicationKind::BankAccount,
                    ref_table: "bank_accounts",
                    ref_id: id,
                    merchant_id: m.id,
                    order_no: &order_no,
                    amount_fen: 0,
                    fee_fen: 0,
                    payee_display: &payee,
                    command: &cmd,
                    remark: "",
                    maker_id: me,
                    made_ms: uc.now_ms,
                    expires_ms: expiry_ms(&db, uc.now_ms)?,
                    idempotency_key: &format!("bank_account:{id}"),
                },
            )?;
            q::add_event(&db, app, uc.now_ms, Some(me), "applied", "")?;
            uc.audit_change(
                "bank_account.add",
                &format!("bank_account#{id} application#{app}"),
                &Fields::new(),
                &Fields::new()
                    .text("account", &masked)
                    .text("bank", &bank_code)
                    .text("status", BankAccountStatus::PendingReview.code()),
            )?;
            Ok(view(&row))
        },
    )
}

const ACCOUNT_READERS: &[Function] = &[
    Function::BankAccountManage,
    Function::WithdrawApply,
    Function::WithdrawReview,
];

/// A store's bank accounts (not deleted), masked.
pub fn bank_accounts(
    env: &Env,
    session: &Session,
    merchant_id: i64,
) -> ServiceResult<Vec<BankAccountView>> {
    env.query(
        Who::Operator(session),
        Needs::any(ACCOUNT_READERS),
        "bank_account.list",
        |uc| {
            require_merchant(uc, merchant_id)?;
            Ok(q::bank_accounts(&uc.db(), merchant_id)?
                .iter()
                .map(view)
                .collect())
        },
    )
}

/// The full number of an account, after the payment password; the reveal is audited.
pub fn reveal_account_no(
    env: &mut Env,
    session: &Session,
    id: i64,
    pay_password: &str,
) -> ServiceResult<String> {
    env.act(
        Who::Operator(session),
        Needs::any(ACCOUNT_READERS).paid(pay_password),
        "bank_account.reveal",
        |uc| {
            let b = q::bank_account(&uc.db(), id)?.ok_or(ServiceError::NotFound)?;
            require_merchant(uc, b.merchant_id)?;
            uc.audit(
                "bank_account.reveal",
                &format!("bank_account#{id}"),
                "",
                &mask_account_no(&b.account_no),
            )?;
            Ok(b.account_no)
        },
    )
}

/// Deletes an account (soft: history keeps it); refused while a withdrawal pays to it. A
/// pending one is deleted by cancelling its application.
pub fn delete_bank_account(
    env: &mut Env,
    session: &Session,
    id: i64,
    pay_password: &str,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::BankAccountManage).paid(pay_password),
        "bank_account.delete",
        |uc| {
            let db = uc.db();
            let b = q::bank_account(&db, id)?.ok_or(ServiceError::NotFound)?;
            require_merchant(uc, b.merchant_id)?;
            if b.status != BankAccountStatus::Active {
                return Err(ServiceError::Refused(Rule::AccountNotUsable));
            }
            if q::bank_account_in_use(&db, id)? {
                return Err(ServiceError::Refused(Rule::AccountInUse));
            }
            q::set_bank_account_status(
                &db,
                id,
                BankAccountStatus::Active,
                BankAccountStatus::Deleted,
                uc.now_ms,
            )?;
            uc.audit_change(
                "bank_account.delete",
                &format!("bank_account#{id}"),
                &Fields::new().text("status", BankAccountStatus::Active.code()),
                &Fields::new().text("status", BankAccountStatus::Deleted.code()),
            )
        },
    )
}

// ---------------------------------------------------------------------------------------------
// Withdrawal (A4)

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WithdrawInput {
    pub merchant_id: i64,
    pub bank_account_id: Option<i64>,
    pub amount: String,
    pub method: WithdrawMethod,
    pub remark: String,
    pub pay_password: String,
    /// The form's own key, so a submission sent twice is one application (default: new).
    pub idempotency_key: Option<String>,
    /// The card's PIN, for an applicant with a card bound: the card signs the application
    /// (the maker's signature, spec §1.2's confirmation matrix).
    pub pin: Option<String>,
}

/// What the withdrawal form shows before the operator confirms: the fee and the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WithdrawQuote {
    pub amount_fen: i64,
    pub fee_fen: i64,
    pub total_fen: i64,
    pub available_fen: i64,
}

fn parse_withdraw_amount(s: &str) -> ServiceResult<i64> {
    crate::domain::money::parse_amount(s).map_err(|e| ServiceError::Invalid {
        field: "amount",
        problem: match e {
            crate::domain::money::AmountError::Empty => Problem::Required,
            _ => Problem::BadAmount,
        },
    })
}

/// The fee and total of a withdrawal as typed so far (the form shows them live).
pub fn quote(
    env: &Env,
    session: &Session,
    merchant_id: i64,
    method: WithdrawMethod,
    amount: &str,
) -> ServiceResult<WithdrawQuote> {
    let amount_fen = parse_withdraw_amount(amount)?;
    env.query(
        Who::Operator(session),
        Needs::function(&Function::WithdrawApply),
        "withdrawal.quote",
        |uc| {
            require_merchant(uc, merchant_id)?;
            let db = uc.db();
            let fee = q::payout_fee(&db, merchant_id, method.fee_kind())?.of(amount_fen);
            Ok(WithdrawQuote {
                amount_fen,
                fee_fen: fee,
                total_fen: amount_fen + fee,
                available_fen: available_in(&db, merchant_id)?.available_fen,
            })
        },
    )
}

/// Applies for a withdrawal to an approved own account of the store: the amount plus the fee
/// is held at once (the available balance drops, the ledger does not); a reviewer's approval
/// pays it.
pub fn apply_withdrawal(
    env: &mut Env,
    session: &Session,
    input: &WithdrawInput,
) -> CardServiceResult<ApplicationRow> {
    let amount = parse_withdraw_amount(&input.amount)?;
    let account_id = input.bank_account_id.ok_or(ServiceError::Invalid {
        field: "bank_account",
        problem: Problem::Required,
    })?;
    if input.remark.chars().count() > 50 {
        return Err(ServiceError::Invalid {
            field: "remark",
            problem: Problem::TooLong(50),
        }
        .into());
    }
    let env_ref: &Env = env;
    let mut card_failure: Option<CardServiceError> = None;
    let outcome = env_ref.act(
        Who::Operator(session),
        Needs::function(&Function::WithdrawApply).paid(&input.pay_password),
        "withdrawal.apply",
        |uc| {
            let me = uc.operator()?;
            let m = require_merchant(uc, input.merchant_id)?;
            let db = uc.db();
            if let Some(k) = &input.idempotency_key {
                if let Some(a) = q::application_by_key(&db, k)? {
                    return Ok(a);
                }
            }
            let acct = q::bank_account(&db, account_id)?.ok_or(ServiceError::Invalid {
                field: "bank_account",
                problem: Problem::Unknown,
            })?;
            if acct.merchant_id != m.id
                || acct.status != BankAccountStatus::Active
                || acct.account_name != m.name
            {
                return Err(ServiceError::Refused(Rule::AccountNotUsable));
            }
            super::payout_settings::check_withdraw_limits(uc, m.id, amount)?;
            let fee = q::payout_fee(&db, m.id, input.method.fee_kind())?.of(amount);
            let avail = available_in(&db, m.id)?;
            if amount + fee > avail.available_fen {
                return Err(ServiceError::Refused(Rule::InsufficientBalance(
                    avail.available_fen.max(0),
                )));
            }
            let order_no = q::next_withdrawal_order_no(&db, uc.today)?;
            let wid = q::insert_withdrawal(
                &db,
                &NewWithdrawal {
                    order_no: &order_no,
                    merchant_id: m.id,
                    bank_account_id: acct.id,
                    method: input.method,
                    amount_fen: amount,
                    fee_fen: fee,
                    created_ms: uc.now_ms,
                },
            )?;
            let masked = mask_account_no(&acct.account_no);
            let payee = format!("{} {} {}", acct.bank_code, masked, acct.account_name);
            let cmd = command(
                ApplicationKind::Withdrawal,
                &[
                    ("merchant_id", m.id.to_string()),
                    ("withdrawal_id", wid.to_string()),
                    ("order_no", order_no.clone()),
                    ("bank_account_id", acct.id.to_string()),
                    ("account_no", acct.account_no.clone()),
                    ("account_name", acct.account_name.clone()),
                    ("method", input.method.code().to_string()),
                    ("amount_fen", amount.to_string()),
                    ("fee_fen", fee.to_string()),
                ],
            );
            let key = input
                .idempotency_key
                .clone()
                .unwrap_or_else(|| format!("withdrawal:{order_no}"));
            let app = q::insert_application(
                &db,
                &NewApplication {
                    kind: ApplicationKind::Withdrawal,
                    ref_table: "withdrawals",
                    ref_id: wid,
                    merchant_id: m.id,
                    order_no: &order_no,
                    amount_fen: amount,
                    fee_fen: fee,
                    payee_display: &payee,
                    command: &cmd,
                    remark: input.remark.trim(),
                    maker_id: me,
                    made_ms: uc.now_ms,
                    expires_ms: expiry_ms(&db, uc.now_ms)?,
                    idempotency_key: &key,
                },
            )?;
            q::insert_hold(&db, m.id, app, amount + fee, uc.now_ms)?;
            q::add_event(
                &db,
                app,
                uc.now_ms,
                Some(me),
                "applied",
                input.remark.trim(),
            )?;
            uc.audit_change(
                "withdrawal.apply",
                &format!("withdrawal#{wid} application#{app} order={order_no}"),
                &Fields::new(),
                &Fields::new()
                    .int("amount_fen", amount)
                    .int("fee_fen", fee)
                    .text("method", input.method.code())
                    .text("account", &masked)
                    .text("status", ApplicationStatus::PendingReview.code()),
            )?;
            // An applicant with a card bound signs the application with it.
            if card_required_in(&db, me)? {
                let d = Decision {
                    kind: ApplicationKind::Withdrawal.code().into(),
                    ids: vec![app],
                    amounts_fen: vec![amount + fee],
                    operator_id: me,
                    operator_login: uc.login().to_string(),
                    at_ms: uc.now_ms,
                    decision: "apply".into(),
                    remark: input.remark.trim().into(),
                };
                let signed = super::signing::approval_of(
                    env_ref,
                    &db,
                    true,
                    input.pin.as_deref().filter(|p| !p.is_empty()),
                    &d,
                    &mut card_failure,
                )?;
                q::set_maker_approval(&db, app, signed)?;
            }
            q::application(&db, app)?.ok_or(ServiceError::NotFound)
        },
    );
    match (outcome, card_failure) {
        (Err(_), Some(card)) => Err(card),
        (outcome, _) => outcome.map_err(Into::into),
    }
}

/// A withdrawal as its records show it.
pub fn withdrawal(
    env: &Env,
    session: &Session,
    id: i64,
) -> ServiceResult<crate::store::review::WithdrawalRow> {
    env.query(
        Who::Operator(session),
        Needs::any(&[
            Function::WithdrawApply,
            Function::WithdrawReview,
            Function::ApplicationRecords,
        ]),
        "withdrawal.detail",
        |uc| {
            let w = q::withdrawal(&uc.db(), id)?.ok_or(ServiceError::NotFound)?;
            require_merchant(uc, w.merchant_id)?;
            Ok(w)
        },
    )
}

// ---------------------------------------------------------------------------------------------
// The inbox (RV1)

/// What the reviewer asks the inbox for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxQuery {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// `None`: every kind the reviewer may review.
    pub kind: Option<ApplicationKind>,
    pub keyword: String,
    pub merchant_id: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxPage {
    pub rows: Vec<InboxRow>,
    pub page: usize,
    pub pages: usize,
    pub total: i64,
    pub total_fen: i64,
    /// The reviewer's own pending applications, left out of the list (they cannot act on them).
    pub own_pending: i64,
    /// The kinds this reviewer may review.
    pub kinds: Vec<ApplicationKind>,
}

fn reviewable_kinds(uc: &Uc) -> Vec<ApplicationKind> {
    INBOX_KINDS
        .iter()
        .copied()
        .filter(|k| uc.has(checker_function(*k)))
        .collect()
}

/// One page of 我的待审核, oldest first: the kinds the reviewer holds the checker function of,
/// in their scope, not their own (unless self-approval applies), not expired.
pub fn inbox(
    env: &Env,
    session: &Session,
    qy: &InboxQuery,
    page: usize,
) -> ServiceResult<InboxPage> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::ReviewInbox),
        "review.inbox",
        |uc| {
            let me = uc.operator()?;
            let db = uc.db();
            let mut kinds = reviewable_kinds(uc);
            let all_kinds = kinds.clone();
            if let Some(k) = qy.kind {
                kinds.retain(|x| *x == k);
            }
            let keyword = qy.keyword.trim();
            let f = InboxFilter {
                from_ms: qy.from_ms,
                to_ms: qy.to_ms,
                kinds: kinds.clone(),
                keyword: (!keyword.is_empty()).then(|| keyword.to_string()),
                merchant_id: qy.merchant_id,
                exclude_maker: Some(me),
                group_scope: uc.scope().map(|s| s.to_vec()),
                now_ms: uc.now_ms,
            };
            let (total, total_fen, own) = q::inbox_count(&db, &f)?;
            let pages = (total as usize).div_ceil(PAGE).max(1);
            let page = page.min(pages - 1);
            let rows = q::inbox_page(&db, &f, page * PAGE, PAGE)?;
            Ok(InboxPage {
                rows,
                page,
                pages,
                total,
                total_fen,
                own_pending: own,
                kinds: all_kinds,
            })
        },
    )
}

/// Every item of the inbox under its filters, oldest first (Ctrl+E 导出下载: 「下载指定筛选条件下的所有数据」),
/// at most `EXPORT_MAX`.
pub const EXPORT_MAX: usize = 100_000;

pub fn inbox_all(env: &Env, session: &Session, qy: &InboxQuery) -> ServiceResult<Vec<InboxRow>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::ReviewInbox),
        "review.inbox_export",
        |uc| {
            let me = uc.operator()?;
            let mut kinds = reviewable_kinds(uc);
            if let Some(k) = qy.kind {
                kinds.retain(|x| *x == k);
            }
            let keyword = qy.keyword.trim();
            let f = InboxFilter {
                from_ms: qy.from_ms,
                to_ms: qy.to_ms,
                kinds,
                keyword: (!keyword.is_empty()).then(|| keyword.to_string()),
                merchant_id: qy.merchant_id,
                exclude_maker: Some(me),
                group_scope: uc.scope().map(|s| s.to_vec()),
                now_ms: uc.now_ms,
            };
            Ok(q::inbox_page(&uc.db(), &f, 0, EXPORT_MAX)?)
        },
    )
}

/// The available balance of the stores an inbox page involves (its footer).
pub fn balances(
    env: &Env,
    session: &Session,
    merchant_ids: &[i64],
) -> ServiceResult<Vec<Available>> {
    env.query(
        Who::Operator(session),
        Needs::any(REVIEWERS),
        "review.balances",
        |uc| {
            let mut v = Vec::new();
            for m in merchant_ids {
                v.push(available_in(&uc.db(), *m)?);
            }
            Ok(v)
        },
    )
}

/// An item of the inbox: which table, which id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemRef {
    pub source: Source,
    pub id: i64,
}

impl ItemRef {
    pub fn refund(id: i64) -> ItemRef {
        ItemRef {
            source: Source::Refund,
            id,
        }
    }
    pub fn application(id: i64) -> ItemRef {
        ItemRef {
            source: Source::Application,
            id,
        }
    }
}

impl From<&InboxRow> for ItemRef {
    fn from(r: &InboxRow) -> ItemRef {
        ItemRef {
            source: r.source,
            id: r.id,
        }
    }
}

/// An item as the decision reads it inside its transaction.
enum Loaded {
    Refund(refunds::RefundRow),
    App(ApplicationRow),
}

impl Loaded {
    fn kind(&self) -> ApplicationKind {
        match self {
            Loaded::Refund(_) => ApplicationKind::Refund,
            Loaded::App(a) => a.kind,
        }
    }
    fn id(&self) -> i64 {
        match self {
            Loaded::Refund(r) => r.id,
            Loaded::App(a) => a.id,
        }
    }
    fn label(&self) -> String {
        match self {
            Loaded::Refund(r) => format!("refund {}", r.rrn),
            Loaded::App(a) => format!("{} {}", a.kind.code(), a.order_no),
        }
    }
    fn total_fen(&self) -> i64 {
        match self {
            Loaded::Refund(r) => r.amount_fen,
            Loaded::App(a) => a.amount_fen + a.fee_fen,
        }
    }
}

/// Whether self-approval applies to an application for this reviewer: the store's setting is
/// on, the reviewer holds the kind's maker and checker functions, and has a card bound.
/// A new bank account never: it always takes a second operator (spec A5, decision 5).
fn self_approval_applies(uc: &Uc, db: &Db, a: &ApplicationRow, me: i64) -> ServiceResult<bool> {
    Ok(a.kind != ApplicationKind::BankAccount
        && q::allow_self_approval(db, a.merchant_id)?
        && uc.has(maker_function(a.kind))
        && uc.has(checker_function(a.kind))
        && crate::store::cards::bound_card(db, me)?.is_some())
}

/// Approves or rejects several items of mixed kinds at once (RV1, K §3.5.1.3): one decision,
/// one signature over the list, all or nothing. Checked in the spec's order: every item still
/// pending, not the reviewer's own (unless self-approval applies), in scope, the checker
/// function of its kind, the card, the balance of each store, not expired. When any item
/// fails, nothing changes and every offending item is named (`Rule::Items`).
pub fn decide(
    env: &mut Env,
    session: &Session,
    items: &[ItemRef],
    approve: bool,
    remark: &str,
    confirm: Confirmation,
) -> CardServiceResult<usize> {
    super::signing::check_decision_input(items.len(), approve, remark)?;
    let action = if approve {
        "review.approve"
    } else {
        "review.reject"
    };
    let env_ref: &Env = env;
    let mut card_failure: Option<CardServiceError> = None;
    let outcome = env_ref.act(
        Who::Operator(session),
        Needs::any(REVIEWERS).paid(confirm.pay_password),
        action,
        |uc| {
            let db = uc.db();
            let me = uc.operator()?;
            let mut loaded = Vec::new();
            let mut offences: Vec<(String, Rule)> = Vec::new();
            let mut self_ok = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for it in items.iter().filter(|i| seen.insert(**i)) {
                let l = match it.source {
                    Source::Refund => {
                        Loaded::Refund(refunds::by_id(&db, it.id)?.ok_or(ServiceError::NotFound)?)
                    }
                    Source::Application => {
                        Loaded::App(q::application(&db, it.id)?.ok_or(ServiceError::NotFound)?)
                    }
                };
                let mut own_ok = false;
                let rule = match &l {
                    Loaded::Refund(r) => {
                        if r.status != RefundStatus::PendingReview {
                            Some(Rule::AlreadyDecided(r.id))
                        } else if r.applicant_id == me {
                            Some(Rule::OwnApplication)
                        } else {
                            match uc.require_group(transactions::terminal_group_of(&db, r.txn_id)?)
                            {
                                Err(_) => Some(Rule::NoReviewRight(ApplicationKind::Refund)),
                                Ok(()) if !uc.has(Function::RefundReview) => {
                                    Some(Rule::NoReviewRight(ApplicationKind::Refund))
                                }
                                Ok(()) => None,
                            }
                        }
                    }
                    Loaded::App(a) => {
                        let in_scope = match uc.scope() {
                            None => true,
                            Some(gs) => q::merchant_in_groups(&db, a.merchant_id, gs)?,
                        };
                        if a.status == ApplicationStatus::Expired {
                            Some(Rule::Expired(a.id))
                        } else if a.status != ApplicationStatus::PendingReview {
                            Some(Rule::AlreadyDecided(a.id))
                        } else if a.maker_id == me && {
                            own_ok = approve && self_approval_applies(uc, &db, a, me)?;
                            !own_ok
                        } {
                            Some(Rule::OwnApplication)
                        } else if !in_scope || !uc.has(checker_function(a.kind)) {
                            Some(Rule::NoReviewRight(a.kind))
                        } else if a.expires_ms <= uc.now_ms {
                            Some(Rule::Expired(a.id))
                        } else {
                            None
                        }
                    }
                };
                if let Some(r) = rule {
                    offences.push((l.label(), r));
                }
                self_ok.push(own_ok);
                loaded.push(l);
            }
            // The balance of each store: the marked withdrawals (their holds already count)
            // must fit the ledger balance less the other active holds.
            if approve && offences.is_empty() {
                let mut by_store: BTreeMap<i64, i64> = BTreeMap::new();
                for l in &loaded {
                    if let Loaded::App(a) = l {
                        if a.kind.holds_money() {
                            *by_store.entry(a.merchant_id).or_default() += a.amount_fen + a.fee_fen;
                        }
                    }
                }
                for (m, sum) in &by_store {
                    // The marked items' own holds are in `held` already: they fit when the
                    // balance covers them and every other hold.
                    let av = available_in(&db, *m)?;
                    if av.available_fen < 0 {
                        let name = loaded
                            .iter()
                            .find_map(|l| match l {
                                Loaded::App(a) if a.merchant_id == *m => {
                                    Some(a.merchant_name.clone())
                                }
                                _ => None,
                            })
                            .unwrap_or_default();
                        offences.push((
                            format!("merchant {name}"),
                            Rule::InsufficientBalance((av.available_fen + sum).max(0)),
                        ));
                    }
                }
            }
            if !offences.is_empty() {
                return Err(ServiceError::Refused(
                    if loaded.len() == 1 && offences.len() == 1 {
                        offences.remove(0).1
                    } else {
                        Rule::Items(offences)
                    },
                ));
            }
            let needs_card = card_required_in(&db, me)?
                || (approve && loaded.iter().any(|l| l.kind() != ApplicationKind::Refund));
            let kinds: Vec<&str> = loaded.iter().map(|l| l.kind().code()).collect();
            let kind = if kinds.iter().all(|k| *k == kinds[0]) {
                kinds[0].to_string()
            } else {
                format!("mixed:{}", kinds.join(","))
            };
            let decision = Decision::by(
                uc,
                kind,
                loaded.iter().map(Loaded::id).collect(),
                loaded.iter().map(Loaded::total_fen).collect(),
                approve,
                remark,
            )?;
            let approval_id = super::signing::approval_of(
                env_ref,
                &db,
                needs_card,
                confirm.pin,
                &decision,
                &mut card_failure,
            )?;
            for (l, own) in loaded.iter().zip(self_ok) {
                match l {
                    Loaded::Refund(r) => decide_refund(uc, r, approve, remark.trim(), approval_id)?,
                    Loaded::App(a) => {
                        decide_application(uc, a, approve, remark.trim(), approval_id, own)?
                    }
                }
            }
            Ok(loaded.len())
        },
    );
    match (outcome, card_failure) {
        (Err(_), Some(card)) => Err(card),
        (outcome, _) => outcome.map_err(Into::into),
    }
}

/// A refund decided in a mixed decision: exactly what `refunds::review` writes.
fn decide_refund(
    uc: &Uc,
    row: &refunds::RefundRow,
    approve: bool,
    remark: &str,
    approval_id: i64,
) -> ServiceResult<()> {
    let db = uc.db();
    let me = uc.operator()?;
    let (status, event, action) = if approve {
        (RefundStatus::Submitted, "approved", "refund.approve")
    } else {
        (RefundStatus::Rejected, "rejected", "refund.reject")
    };
    if !refunds::decide(
        &db,
        row.id,
        status,
        me,
        uc.now_ms,
        remark,
        Some(approval_id),
    )? {
        return Err(ServiceError::Refused(Rule::AlreadyDecided(row.id)));
    }
    refunds::add_event(&db, row.id, uc.now_ms, Some(me), event, status, remark)?;
    if approve {
        refunds::add_event(&db, row.id, uc.now_ms, Some(me), "submitted", status, "")?;
    }
    uc.audit_change(
        action,
        &format!("refund#{} rrn={}", row.id, row.rrn),
        &Fields::new().text("status", RefundStatus::PendingReview.code()),
        &Fields::new()
            .text("status", status.code())
            .int("approval", approval_id),
    )
}

fn decide_application(
    uc: &Uc,
    a: &ApplicationRow,
    approve: bool,
    remark: &str,
    approval_id: i64,
    self_approved: bool,
) -> ServiceResult<()> {
    let db = uc.db();
    let me = uc.operator()?;
    let to = if approve {
        ApplicationStatus::Approved
    } else {
        ApplicationStatus::Rejected
    };
    if !q::decide_application(
        &db,
        a.id,
        to,
        me,
        uc.now_ms,
        remark,
        approval_id,
        self_approved,
    )? {
        return Err(ServiceError::Refused(Rule::AlreadyDecided(a.id)));
    }
    q::add_event(
        &db,
        a.id,
        uc.now_ms,
        Some(me),
        if approve { "approved" } else { "rejected" },
        remark,
    )?;
    match a.kind {
        ApplicationKind::Withdrawal => {
            let wid = command_int(&a.command, "withdrawal_id")?;
            let amount = command_int(&a.command, "amount_fen")?;
            let fee = command_int(&a.command, "fee_fen")?;
            let order_no = command_field(&a.command, "order_no").unwrap_or_default();
            if approve {
                move_withdrawal(
                    &db,
                    wid,
                    WithdrawalStatus::PendingReview,
                    WithdrawalStatus::Processing,
                    uc.now_ms,
                    Some(uc.today),
                )?;
                if !q::end_hold(&db, a.id, HoldState::Posted, uc.now_ms)? {
                    return Err(ServiceError::Refused(Rule::AlreadyDecided(a.id)));
                }
                settlements::append_ledger(
                    &db,
                    a.merchant_id,
                    uc.now_ms,
                    "withdrawal",
                    -amount,
                    Some("withdrawals"),
                    Some(wid),
                    &order_no,
                )?;
                if fee > 0 {
                    settlements::append_ledger(
                        &db,
                        a.merchant_id,
                        uc.now_ms,
                        "fee",
                        -fee,
                        Some("withdrawals"),
                        Some(wid),
                        &order_no,
                    )?;
                }
                q::add_event(&db, a.id, uc.now_ms, Some(me), "processing", "")?;
            } else {
                move_withdrawal(
                    &db,
                    wid,
                    WithdrawalStatus::PendingReview,
                    WithdrawalStatus::Rejected,
                    uc.now_ms,
                    None,
                )?;
                q::end_hold(&db, a.id, HoldState::Released, uc.now_ms)?;
            }
        }
        ApplicationKind::BankAccount => {
            let id = command_int(&a.command, "bank_account_id")?;
            let to = if approve {
                BankAccountStatus::Active
            } else {
                BankAccountStatus::Deleted
            };
            if !q::set_bank_account_status(
                &db,
                id,
                BankAccountStatus::PendingReview,
                to,
                uc.now_ms,
            )? {
                return Err(ServiceError::Refused(Rule::AlreadyDecided(a.id)));
            }
        }
        ApplicationKind::FastRefund | ApplicationKind::FastRefundBatch => {
            super::fast_refund::decided(uc, a, approve, me)?;
        }
        ApplicationKind::Transfer | ApplicationKind::TransferBatch => {
            super::transfers::decided_in(uc, a, approve)?
        }
        other => return Err(ServiceError::Refused(Rule::NoReviewRight(other))),
    }
    let mut after = Fields::new()
        .text("status", to.code())
        .int("approval", approval_id);
    if self_approved {
        after = after.int("self_approved", 1);
    }
    uc.audit_change(
        &format!(
            "{}.{}",
            a.kind.code(),
            if approve { "approve" } else { "reject" }
        ),
        &format!("application#{} order={}", a.id, a.order_no),
        &Fields::new().text("status", ApplicationStatus::PendingReview.code()),
        &after,
    )
}

fn move_withdrawal(
    db: &Db,
    id: i64,
    from: WithdrawalStatus,
    to: WithdrawalStatus,
    at_ms: i64,
    date: Option<i32>,
) -> ServiceResult<()> {
    if !q::set_withdrawal_status(db, id, from, to, at_ms, date, None, "")? {
        return Err(ServiceError::Refused(Rule::AlreadyDecided(id)));
    }
    Ok(())
}

/// Ends a pending application without a decision: its payout ends the same way, its hold is
/// released, a pending bank account is deleted.
fn end_pending(uc: &Uc, a: &ApplicationRow, to: ApplicationStatus) -> ServiceResult<()> {
    let db = uc.db();
    if !q::end_application(&db, a.id, to, uc.now_ms)? {
        return Err(ServiceError::Refused(Rule::AlreadyDecided(a.id)));
    }
    q::add_event(&db, a.id, uc.now_ms, uc.operator_id(), to.code(), "")?;
    match a.kind {
        ApplicationKind::Withdrawal => {
            let wid = command_int(&a.command, "withdrawal_id")?;
            let wto = if to == ApplicationStatus::Cancelled {
                WithdrawalStatus::Cancelled
            } else {
                WithdrawalStatus::Expired
            };
            move_withdrawal(
                &db,
                wid,
                WithdrawalStatus::PendingReview,
                wto,
                uc.now_ms,
                None,
            )?;
            q::end_hold(&db, a.id, HoldState::Released, uc.now_ms)?;
        }
        ApplicationKind::BankAccount => {
            let id = command_int(&a.command, "bank_account_id")?;
            q::set_bank_account_status(
                &db,
                id,
                BankAccountStatus::PendingReview,
                BankAccountStatus::Deleted,
                uc.now_ms,
            )?;
        }
        ApplicationKind::FastRefund | ApplicationKind::FastRefundBatch => {
            super::fast_refund::ended(uc, a, to)?;
        }
        ApplicationKind::Transfer | ApplicationKind::TransferBatch => {
            super::transfers::decided_in(uc, a, false)?
        }
        _ => {}
    }
    uc.audit_change(
        &format!("{}.{}", a.kind.code(), to.code()),
        &format!("application#{} order={}", a.id, a.order_no),
        &Fields::new().text("status", ApplicationStatus::PendingReview.code()),
        &Fields::new().text("status", to.code()),
    )
}

/// The maker withdraws a pending application (已撤销); the hold is released.
pub fn cancel(env: &mut Env, session: &Session, application_id: i64) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::any(&[
            Function::ApplicationRecords,
            Function::WithdrawApply,
            Function::BankAccountManage,
            Function::TransferApply,
        ]),
        "application.cancel",
        |uc| {
            let me = uc.operator()?;
            let a = q::application(&uc.db(), application_id)?.ok_or(ServiceError::NotFound)?;
            if a.maker_id != me {
                return Err(ServiceError::Refused(Rule::NotOwnApplication));
            }
            if a.status != ApplicationStatus::PendingReview {
                return Err(ServiceError::Refused(Rule::AlreadyDecided(a.id)));
            }
            end_pending(uc, &a, ApplicationStatus::Cancelled)
        },
    )
}

/// Expires every pending application older than the review period, inside the caller's use
/// case (the settlement run does it too).
pub(crate) fn expire_in(uc: &Uc) -> ServiceResult<usize> {
    let ids = q::expired_pending(&uc.db(), uc.now_ms)?;
    for id in &ids {
        let a = q::application(&uc.db(), *id)?.ok_or(ServiceError::NotFound)?;
        end_pending(uc, &a, ApplicationStatus::Expired)?;
    }
    Ok(ids.len())
}

/// Expires what is due, as the system.
pub fn expire_due(env: &mut Env) -> ServiceResult<usize> {
    env.act(
        Who::System("review"),
        Needs::signed_in(),
        "application.expire",
        |uc| expire_in(uc),
    )
}

/// The settlement run's part (T+1): every normal withdrawal approved before the settlement date
/// is paid, through the outcome feed.
pub(crate) fn complete_normal_withdrawals(uc: &Uc, settle_date: i32) -> ServiceResult<usize> {
    let due = q::normal_withdrawals_due(&uc.db(), settle_date)?;
    for w in &due {
        super::outcomes::record_in(
            uc,
            &super::outcomes::Outcome {
                kind: "withdrawal".into(),
                order_no: w.order_no.clone(),
                result: super::outcomes::OutcomeResult::Success,
                reason_code: String::new(),
                reason_text: String::new(),
                at_ms: None,
            },
        )?;
    }
    Ok(due.len())
}

// ---------------------------------------------------------------------------------------------
// Records (申请记录, RV2 for applicants)

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordQuery {
    pub kind: Option<ApplicationKind>,
    pub status: Option<ApplicationStatus>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub keyword: String,
}

/// The applicant's own applications; with `application_records` and `review_inbox`,
/// everybody's. Newest first.
pub fn records(
    env: &Env,
    session: &Session,
    qy: &RecordQuery,
) -> ServiceResult<Vec<ApplicationRow>> {
    env.query(
        Who::Operator(session),
        Needs::any(&[
            Function::ApplicationRecords,
            Function::WithdrawApply,
            Function::BankAccountManage,
        ]),
        "application.records",
        |uc| {
            let me = uc.operator()?;
            let everybody = uc.has(Function::ApplicationRecords) && uc.has(Function::ReviewInbox);
            let kw = qy.keyword.trim();
            let f = RecordFilter {
                maker_id: (!everybody).then_some(me),
                kinds: qy.kind.into_iter().collect(),
                statuses: qy.status.into_iter().collect(),
                from_ms: qy.from_ms,
                to_ms: qy.to_ms,
                keyword: (!kw.is_empty()).then(|| kw.to_string()),
            };
            Ok(q::records(&uc.db(), &f, 2_000)?)
        },
    )
}

/// An application and its history.
pub fn detail(
    env: &Env,
    session: &Session,
    application_id: i64,
) -> ServiceResult<(ApplicationRow, Vec<q::AppEvent>)> {
    env.query(
        Who::Operator(session),
        Needs::any(&[
            Function::ApplicationRecords,
            Function::ReviewInbox,
            Function::WithdrawApply,
            Function::BankAccountManage,
        ]),
        "application.detail",
        |uc| {
            let db = uc.db();
            let a = q::application(&db, application_id)?.ok_or(ServiceError::NotFound)?;
            require_merchant(uc, a.merchant_id)?;
            let me = uc.operator()?;
            if a.maker_id != me && !uc.has(Function::ReviewInbox) {
                return Err(ServiceError::OutOfScope);
            }
            let ev = q::events(&db, a.id)?;
            Ok((a, ev))
        },
    )
}

/// The self-approval setting of a store (merchant settings, off by default, 「不建议」).
pub fn set_allow_self_approval(
    env: &mut Env,
    session: &Session,
    merchant_id: i64,
    on: bool,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::MerchantSettings),
        "merchant.self_approval",
        |uc| {
            let m = require_merchant(uc, merchant_id)?;
            let before = q::allow_self_approval(&uc.db(), m.id)?;
            q::set_allow_self_approval(&uc.db(), m.id, on)?;
            uc.audit_change(
                "merchant.self_approval",
                &m.merchant_no,
                &Fields::new().int("allow_self_approval", before as i64),
                &Fields::new().int("allow_self_approval", on as i64),
            )
        },
    )
}

/// A payout fee of a store (data, default zero).
pub fn set_payout_fee(
    env: &mut Env,
    session: &Session,
    merchant_id: i64,
    kind: crate::domain::review::PayoutFeeKind,
    fee: crate::domain::review::PayoutFee,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::MerchantSettings),
        "merchant.payout_fee",
        |uc| {
            let m = require_merchant(uc, merchant_id)?;
            let before = q::payout_fee(&uc.db(), m.id, kind)?;
            q::set_payout_fee(&uc.db(), m.id, kind, &fee)?;
            uc.audit_change(
                "merchant.payout_fee",
                &format!("{} {}", m.merchant_no, kind.code()),
                &Fields::new()
                    .int("rate_ppm", before.rate_ppm)
                    .int("fixed_fen", before.fixed_fen),
                &Fields::new()
                    .int("rate_ppm", fee.rate_ppm)
                    .int("fixed_fen", fee.fixed_fen),
            )
        },
    )
}

/// The stores an operator may choose in the money-out screens (their scope): (id, 中文, English).
pub fn stores(env: &Env, session: &Session) -> ServiceResult<Vec<(i64, String, String)>> {
    env.query(
        Who::Operator(session),
        Needs::signed_in(),
        "account.stores",
        |uc| {
            let mut v = Vec::new();
            for m in merchants::all(&uc.db())? {
                let ok = match uc.scope() {
                    None => true,
                    Some(gs) => q::merchant_in_groups(&uc.db(), m.id, gs)?,
                };
                if ok {
                    v.push((m.id, m.name, m.name_en));
                }
            }
            Ok(v)
        },
    )
}
