//! Fast refund 快速退货 (spec/money-out.md §2, F1–F6, V §3.6): the refund paid straight to the
//! cardholder's bank account. Every use case goes through the kernel with the `fast_refund`
//! function; the store must have agreed (`fast_refund_enabled`).
//!
//! Money: applying holds the amount (refused when the available balance is short). In the
//! store's direct refund mode the application is approved at once: the hold is posted and one
//! ledger debit (`refund`, memo 快速退货) written per fast refund, which starts as 处理中. In review
//! mode it waits (待审核) until a `fast_refund_review` checker approves it in the review centre
//! (`review::decide` calls [`decided`]). The outcome feed moves 处理中 to 成功, 失败 (credit back)
//! or 异常; an exception is edited and resubmitted (at most three times) or cancelled (credit
//! back).
//!
//! F6: the refundable amount and the daily quota are ONE computation for ordinary and fast
//! refunds (`store::refunds::open_for_txn` / `held_for_day`, read by `refunds::refundable_in`):
//! checked at application, on every batch row counting the rows above, and again at approval.

use std::collections::BTreeMap;

use crate::domain::audit::Fields;
use crate::domain::fast_refund::{
    self as fr, check_card_retyped, check_id_number, ineligible, EligibilityFacts,
    FastRefundStatus, IdType, Ineligible, SupportedBank,
};
use crate::domain::function::Function;
use crate::domain::money::parse_amount;
use crate::domain::review::{ApplicationKind, ApplicationStatus, HoldState, ReasonOutcome};
use crate::store::fast_refunds::{
    self as q, FastRefundEvent, FastRefundFilter, FastRefundRow, Holder, NewFastRefund,
};
use crate::store::review::{self as rq, ApplicationRow, NewApplication};
use crate::store::transactions::{self, TxnRow};
use crate::store::{merchants, settlements, Db};

use super::card::{CardServiceError, CardServiceResult};
use super::error::{Problem, Rule};
use super::kernel::{Needs, Uc, Who};
use super::outcomes::{Outcome, OutcomeResult};
use super::refunds::{card_required_in, refundable_in, Refundable};
use super::review::{available_in, command, expiry_ms};
use super::signing::Decision;
use super::txn_query::visible_txn;
use super::{Env, ServiceError, ServiceResult, Session};

/// The ledger memo of a fast refund's debit (and, with the reason, of its credit back).
pub const MEMO: &str = "快速退货";

const REF_TABLE: &str = "fast_refunds";

fn bad(field: &'static str, problem: Problem) -> ServiceError {
    ServiceError::Invalid { field, problem }
}

/// The original transaction as the fast-refund form shows it: what is left, the quota, whether
/// (and why not) it is eligible.
#[derive(Debug, Clone, PartialEq)]
pub struct Original {
    pub refundable: Refundable,
    pub ineligible: Option<Ineligible>,
    pub fast_refund_enabled: bool,
}

/// Whole days from one yyyymmdd date to another (negative when `to` is earlier).
fn days_between(from: i32, to: i32) -> i64 {
    let d = |v: i32| {
        jiff::civil::Date::new((v / 10000) as i16, (v / 100 % 100) as i8, (v % 100) as i8).ok()
    };
    match (d(from), d(to)) {
        // A date minus a date is a span of whole days.
        (Some(a), Some(b)) => i64::from((b - a).get_days()),
        _ => i64::MAX,
    }
}

fn bank_of(db: &Db, code: &str) -> ServiceResult<Option<SupportedBank>> {
    Ok(q::supported_banks(db)?.into_iter().find(|b| b.code == code))
}

fn original_in(db: &Db, txn: TxnRow, today: i32) -> ServiceResult<Original> {
    let enabled = q::enabled(db, txn.merchant_id)?;
    let bank_ok = bank_of(db, &txn.bank_code)?.is_some_and(|b| b.supports(txn.card_type));
    let age = days_between(txn.trade_date, today);
    let r = refundable_in(db, txn, today)?;
    let facts = EligibilityFacts {
        is_successful_sale: r.refusal() != Some(Rule::NotRefundable),
        bank_supports_card_type: bank_ok,
        settled: r.txn.settle_date.is_some(),
        refundable_left_fen: r.left_fen,
        age_days: age,
    };
    Ok(Original {
        ineligible: ineligible(&facts),
        refundable: r,
        fast_refund_enabled: enabled,
    })
}

/// The original transaction of a fast refund, by id (F2 screen 1 → form).
pub fn original(env: &Env, session: &Session, txn_id: i64) -> ServiceResult<Original> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::FastRefund),
        "fast_refund.original",
        |uc| {
            let txn = visible_txn(uc, txn_id)?;
            original_in(&uc.db(), txn, uc.today)
        },
    )
}

/// The original transaction by its reference number or order number.
pub fn original_by_reference(
    env: &Env,
    session: &Session,
    reference: &str,
) -> ServiceResult<Original> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::FastRefund),
        "fast_refund.original",
        |uc| {
            let txn = find_original(uc, reference)?;
            original_in(&uc.db(), txn, uc.today)
        },
    )
}

fn find_original(uc: &Uc, reference: &str) -> ServiceResult<TxnRow> {
    let reference = reference.trim();
    if reference.is_empty() {
        return Err(bad("reference", Problem::Required));
    }
    let ids = crate::store::refunds::txns_by_reference(&uc.db(), reference)?;
    match ids.as_slice() {
        [] => Err(bad("reference", Problem::Unknown)),
        [id] => visible_txn(uc, *id),
        _ => Err(bad("reference", Problem::Duplicate)),
    }
}

/// The supported-banks table (快速退货支持银行), reference data.
pub fn supported_banks(env: &Env, session: &Session) -> ServiceResult<Vec<SupportedBank>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::FastRefund),
        "fast_refund.banks",
        |uc| Ok(q::supported_banks(&uc.db())?),
    )
}

/// Turns the store's agreement to fast refunds on or off (administrator, payment password).
pub fn set_enabled(
    env: &mut Env,
    session: &Session,
    merchant_id: i64,
    on: bool,
    pay_password: &str,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::MerchantSettings).paid(pay_password),
        "fast_refund.enable",
        |uc| {
            let me = uc.operator()?;
            super::review::require_merchant(uc, merchant_id)?;
            let db = uc.db();
            let before = q::enabled(&db, merchant_id)?;
            if !q::set_enabled(&db, merchant_id, on, me, uc.now_ms)? {
                return Err(ServiceError::NotFound);
            }
            uc.audit_change(
                "fast_refund.enable",
                &format!("merchant#{merchant_id}"),
                &Fields::new().int("fast_refund_enabled", i64::from(before)),
                &Fields::new().int("fast_refund_enabled", i64::from(on)),
            )
        },
    )
}

/// The cardholder's details as typed (form or batch line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HolderInput {
    pub holder_name: String,
    /// 证件类型: Chinese word or code; empty is 身份证.
    pub id_type: String,
    pub id_number: String,
    pub province: String,
    pub city: String,
    pub branch: String,
    pub remark: String,
}

/// One fast refund as typed: the original, the amount, the bank, the card re-typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FastRefundInput {
    pub txn_id: i64,
    pub amount: String,
    /// 开户银行: code or Chinese name; empty takes the original's.
    pub bank: String,
    pub card_number: String,
    pub holder: HolderInput,
    /// 退货订单号; empty: generated.
    pub order_no: String,
}

/// The cardholder's details checked against the catalogue (§1.7) and the reference data.
fn check_holder(db: &Db, h: &HolderInput, today: i32) -> ServiceResult<Holder> {
    let name = h.holder_name.trim();
    let n = name.chars().count();
    if n == 0 {
        return Err(bad("holder_name", Problem::Required));
    }
    if n > 60 {
        return Err(bad("holder_name", Problem::TooLong(60)));
    }
    if !crate::domain::payee::name_has_letters(name) {
        return Err(bad("holder_name", Problem::NoLetters));
    }
    let id_type = IdType::parse(&h.id_type).ok_or(bad("id_type", Problem::Unknown))?;
    if h.id_number.trim().is_empty() {
        return Err(bad("id_number", Problem::Required));
    }
    let id_number = check_id_number(id_type, &h.id_number, i64::from(today))
        .map_err(|p| bad("id_number", Problem::IdNumber(p)))?;
    if h.province.trim().is_empty() {
        return Err(bad("province", Problem::Required));
    }
    if h.city.trim().is_empty() {
        return Err(bad("city", Problem::Required));
    }
    let province = crate::store::payees::province(db, h.province.trim())?
        .ok_or(bad("province", Problem::Unknown))?;
    let city_id = match crate::store::payees::city_in(db, province, h.city.trim())? {
        Some(id) => id,
        None => {
            return Err(
                match crate::store::payees::provinces_of_city(db, h.city.trim())?
                    .into_iter()
                    .next()
                {
                    Some((zh, en)) => bad(
                        "city",
                        Problem::CityNotInProvince(h.province.trim().to_string(), zh, en),
                    ),
                    None => bad("city", Problem::Unknown),
                },
            )
        }
    };
    let branch = h.branch.trim();
    let bn = branch.chars().count();
    if bn == 0 {
        return Err(bad("branch", Problem::Required));
    }
    if bn < 2 {
        return Err(bad("branch", Problem::TooShort(2)));
    }
    if bn > 60 {
        return Err(bad("branch", Problem::TooLong(60)));
    }
    let remark = h.remark.trim();
    if remark.chars().count() > 50 {
        return Err(bad("remark", Problem::TooLong(50)));
    }
    Ok(Holder {
        holder_name: name.to_string(),
        id_type,
        id_number,
        city_id,
        branch: branch.to_string(),
        remark: remark.to_string(),
    })
}

/// A line checked whole: what will be stored.
struct Checked {
    txn: TxnRow,
    amount_fen: i64,
    card_masked: String,
    bank_code: String,
    holder: Holder,
    order_no: Option<String>,
    review_mode: bool,
}

/// What the lines above in the same application already take: per transaction and from the
/// day's quota (F6 on every batch row).
#[derive(Default)]
struct Above {
    per_txn: BTreeMap<i64, i64>,
    quota: i64,
    orders: Vec<String>,
    total: i64,
}

fn check_line(uc: &Uc, input: &FastRefundInput, above: &mut Above) -> ServiceResult<Checked> {
    let db = uc.db();
    if input.amount.trim().is_empty() {
        return Err(bad("amount", Problem::Required));
    }
    let amount = parse_amount(&input.amount).map_err(|_| bad("amount", Problem::BadAmount))?;
    let txn = visible_txn(uc, input.txn_id)?;
    let o = original_in(&db, txn, uc.today)?;
    if !o.fast_refund_enabled {
        return Err(ServiceError::Refused(Rule::FastRefundDisabled));
    }
    let r = o.refundable;
    // The amount is checked before eligibility's "fully refunded": both name what is left.
    if let Some(why) = o.ineligible.filter(|w| *w != Ineligible::FullyRefunded) {
        return Err(ServiceError::Refused(Rule::FastRefundIneligible(why)));
    }
    let left = r.left_fen - above.per_txn.get(&r.txn.id).copied().unwrap_or(0);
    if amount > left {
        return Err(ServiceError::Refused(Rule::ExceedsRefundable(left.max(0))));
    }
    if let Some(q) = r.quota_left_fen {
        let q = q - above.quota;
        if amount > q {
            return Err(ServiceError::Refused(Rule::ExceedsQuota(q.max(0))));
        }
    }
    // The bank: the original's, or another name for the same one; supported for the card type.
    let bank_code = if input.bank.trim().is_empty() {
        r.txn.bank_code.clone()
    } else {
        let (code, _, _) =
            rq::bank(&db, input.bank.trim())?.ok_or(bad("bank", Problem::Unknown))?;
        code
    };
    let bank = bank_of(&db, &bank_code)?.ok_or(bad("bank", Problem::Unknown))?;
    if !bank.supports(r.txn.card_type) {
        return Err(bad("bank", Problem::BankUnsupported));
    }
    if bank_code != r.txn.bank_code {
        return Err(bad(
            "bank",
            Problem::BinOtherBank(r.txn.bank_name.clone(), r.txn.bank_name_en.clone()),
        ));
    }
    if input.card_number.trim().is_empty() {
        return Err(bad("card_number", Problem::Required));
    }
    let card_masked = check_card_retyped(&input.card_number, &r.txn.card_masked)
        .map_err(|p| bad("card_number", Problem::Card(p)))?;
    let holder = check_holder(&db, &input.holder, uc.today)?;
    let order_no = match input.order_no.trim() {
        "" => None,
        o => {
            if o.len() > 32 || !o.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(bad("order_no", Problem::BadRrn));
            }
            if above.orders.iter().any(|x| x == o) || q::order_no_taken(&db, o)? {
                return Err(bad("order_no", Problem::Duplicate));
            }
            Some(o.to_string())
        }
    };
    *above.per_txn.entry(r.txn.id).or_default() += amount;
    above.quota += amount;
    above.total += amount;
    if let Some(o) = &order_no {
        above.orders.push(o.clone());
    }
    Ok(Checked {
        amount_fen: amount,
        card_masked,
        bank_code,
        holder,
        order_no,
        review_mode: r.review_mode,
        txn: r.txn,
    })
}

/// Writes one application over the checked lines (one line: `fast_refund`; more:
/// `fast_refund_batch`), its hold, the fast refunds, their history and audit; in direct mode
/// approves it at once. Returns the application id.
fn store_application(
    env: &Env,
    uc: &Uc,
    lines: &[Checked],
    batch_no: Option<&str>,
    pin: Option<&str>,
    card_failure: &mut Option<CardServiceError>,
) -> ServiceResult<i64> {
    let db = uc.db();
    let me = uc.operator()?;
    let merchant_id = lines[0].txn.merchant_id;
    if lines.iter().any(|l| l.txn.merchant_id != merchant_id) {
        return Err(bad("merchant", Problem::Mismatch));
    }
    let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
    let avail = available_in(&db, merchant_id)?;
    if total > avail.available_fen {
        return Err(ServiceError::Refused(Rule::InsufficientBalance(
            avail.available_fen.max(0),
        )));
    }
    let kind = if batch_no.is_some() {
        ApplicationKind::FastRefundBatch
    } else {
        ApplicationKind::FastRefund
    };
    let review_mode = lines[0].review_mode;
    let status = if review_mode {
        FastRefundStatus::PendingReview
    } else {
        FastRefundStatus::Processing
    };
    // The order numbers first: the application names the first.
    let mut orders = Vec::with_capacity(lines.len());
    for l in lines {
        orders.push(match &l.order_no {
            Some(o) => o.clone(),
            None => {
                let mut o = q::next_order_no(&db, uc.today)?;
                while orders.contains(&o) || q::order_no_taken(&db, &o)? {
                    let n: u32 = o[9..].parse().unwrap_or(0) + 1;
                    o = format!("{}F{n:05}", uc.today);
                }
                o
            }
        });
    }
    let mut fields: Vec<(&str, String)> = vec![
        ("merchant_id", merchant_id.to_string()),
        ("batch_no", batch_no.unwrap_or("").to_string()),
        ("count", lines.len().to_string()),
        ("amount_fen", total.to_string()),
    ];
    for (l, o) in lines.iter().zip(&orders) {
        fields.push((
            "line",
            format!(
                "{o}|{}|{}|{}|{}|{}|{}|{}|{}|{}",
                l.txn.id,
                l.amount_fen,
                l.card_masked,
                l.bank_code,
                l.holder.holder_name,
                l.holder.id_type.code(),
                l.holder.id_number,
                l.holder.city_id,
                l.holder.branch
            ),
        ));
    }
    let cmd = command(kind, &fields);
    let payee = if lines.len() == 1 {
        format!(
            "{} {} {}",
            lines[0].bank_code,
            lines[0].card_masked,
            fr::mask_name(&lines[0].holder.holder_name)
        )
    } else {
        format!("{} × {}", batch_no.unwrap_or(""), lines.len())
    };
    let key = format!("{}:{}", kind.code(), orders[0]);
    let app = rq::insert_application(
        &db,
        &NewApplication {
            kind,
            ref_table: if batch_no.is_some() {
                "fast_refund_batches"
            } else {
                REF_TABLE
            },
            ref_id: -1,
            merchant_id,
            order_no: batch_no.unwrap_or(&orders[0]),
            amount_fen: total,
            fee_fen: 0,
            payee_display: &payee,
            command: &cmd,
            remark: lines[0].holder.remark.as_str(),
            maker_id: me,
            made_ms: uc.now_ms,
            expires_ms: expiry_ms(&db, uc.now_ms)?,
            idempotency_key: &key,
        },
    )?;
    rq::insert_hold(&db, merchant_id, app, total, uc.now_ms)?;
    rq::add_event(&db, app, uc.now_ms, Some(me), "applied", "")?;
    let mut first = None;
    for (l, o) in lines.iter().zip(&orders) {
        let term =
            merchants::terminal_by_no(&db, &l.txn.terminal_no)?.ok_or(ServiceError::NotFound)?;
        let id = q::insert(
            &db,
            &NewFastRefund {
                order_no: o,
                txn_id: l.txn.id,
                merchant_id,
                terminal_id: term,
                batch_no,
                application_id: app,
                amount_fen: l.amount_fen,
                card_masked: &l.card_masked,
                bank_code: &l.bank_code,
                holder: &l.holder,
                status: FastRefundStatus::PendingReview,
                applicant_id: me,
                applied_ms: uc.now_ms,
                apply_date: uc.today,
            },
        )?;
        first.get_or_insert(id);
        q::add_event(&db, id, uc.now_ms, Some(me), "applied", None, "")?;
        uc.audit_change(
            "fast_refund.apply",
            &format!(
                "fast_refund#{id} application#{app} order={o} rrn={}",
                l.txn.rrn
            ),
            &Fields::new(),
            &Fields::new()
                .int("amount_fen", l.amount_fen)
                .text("card", &l.card_masked)
                .text("id_number", &fr::mask_id_number(&l.holder.id_number))
                .text("status", status.code()),
        )?;
    }
    q::set_application_ref(&db, app, first.unwrap_or(app))?;
    // An applicant with a card bound signs the application with it.
    if card_required_in(&db, me)? {
        let d = Decision {
            kind: kind.code().into(),
            ids: vec![app],
            amounts_fen: vec![total],
            operator_id: me,
            operator_login: uc.login().to_string(),
            at_ms: uc.now_ms,
            decision: "apply".into(),
            remark: String::new(),
        };
        let signed = super::signing::approval_of(env, &db, true, pin, &d, card_failure)?;
        rq::set_maker_approval(&db, app, signed)?;
    }
    if !review_mode {
        q::auto_approve(&db, app, uc.now_ms)?;
        pay(uc, app, Some(me))?;
    }
    Ok(app)
}

/// The money leaves (approval, or direct mode): the hold is posted, one debit per fast refund,
/// each 待审核 → 处理中.
fn pay(uc: &Uc, app: i64, by: Option<i64>) -> ServiceResult<()> {
    let db = uc.db();
    if !rq::end_hold(&db, app, HoldState::Posted, uc.now_ms)? {
        return Err(ServiceError::Refused(Rule::AlreadyDecided(app)));
    }
    for f in q::of_application(&db, app)? {
        if !q::set_status(
            &db,
            f.id,
            FastRefundStatus::PendingReview,
            FastRefundStatus::Processing,
            uc.now_ms,
            None,
        )? {
            return Err(ServiceError::Refused(Rule::AlreadyDecided(app)));
        }
        settlements::append_ledger(
            &db,
            f.merchant_id,
            uc.now_ms,
            "refund",
            -f.amount_fen,
            Some(REF_TABLE),
            Some(f.id),
            &format!("{MEMO} {}", f.order_no),
        )?;
        q::add_event(&db, f.id, uc.now_ms, by, "processing", None, "")?;
    }
    rq::add_event(&db, app, uc.now_ms, by, "processing", "")?;
    Ok(())
}

fn with_card<T>(
    outcome: ServiceResult<T>,
    card_failure: Option<CardServiceError>,
) -> CardServiceResult<T> {
    match (outcome, card_failure) {
        (Err(_), Some(card)) => Err(card),
        (outcome, _) => outcome.map_err(Into::into),
    }
}

/// A single fast refund (F2): checked whole, then one application with its hold; the store's
/// refund mode decides whether it waits for review.
pub fn apply(
    env: &mut Env,
    session: &Session,
    input: &FastRefundInput,
    pay_password: &str,
    pin: Option<&str>,
) -> CardServiceResult<FastRefundRow> {
    let env_ref: &Env = env;
    let mut card_failure = None;
    let outcome = env_ref.act(
        Who::Operator(session),
        Needs::function(&Function::FastRefund).paid(pay_password),
        "fast_refund.apply",
        |uc| {
            let line = check_line(uc, input, &mut Above::default())?;
            let app = store_application(env_ref, uc, &[line], None, pin, &mut card_failure)?;
            q::of_application(&uc.db(), app)?
                .into_iter()
                .next()
                .ok_or(ServiceError::NotFound)
        },
    );
    with_card(outcome, card_failure)
}

/// A bad line of a batch: its row number (as the file counts them) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    pub row: usize,
    pub error: ServiceError,
}

/// What a batch's validation found: every line's verdict, the totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchCheck {
    pub count: usize,
    pub total_fen: i64,
    pub bad: Vec<BadLine>,
}

/// A batch of fast refunds as read from the template (F3).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BatchInput {
    pub batch_no: String,
    /// Each line with the row number the file gives it; `reference` finds the original.
    pub lines: Vec<(usize, String, FastRefundInput)>,
}

fn check_batch(uc: &Uc, b: &BatchInput) -> ServiceResult<(Vec<Checked>, BatchCheck)> {
    let bn = b.batch_no.trim();
    if bn.is_empty() {
        return Err(bad("batch_no", Problem::Required));
    }
    if bn.len() > 32 || !bn.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return Err(bad("batch_no", Problem::BadRrn));
    }
    if q::batch_no_taken(&uc.db(), bn)? {
        return Err(bad("batch_no", Problem::Duplicate));
    }
    if b.lines.is_empty() || b.lines.len() > 999 {
        return Err(bad("lines", Problem::Range(1, 999)));
    }
    let mut above = Above::default();
    let mut ok: Vec<Checked> = Vec::new();
    let mut badl = Vec::new();
    for (row, reference, line) in &b.lines {
        let result = find_original(uc, reference).and_then(|t| {
            let mut l = line.clone();
            l.txn_id = t.id;
            check_line(uc, &l, &mut above)
        });
        // One batch, one store: the store of the first good line pays, a line of another
        // store is named (a batch of several stores would have no one balance to hold).
        let result = result.and_then(|c| match ok.first() {
            Some(first) if first.txn.merchant_id != c.txn.merchant_id => Err(
                ServiceError::Refused(Rule::BatchOtherStore(c.txn.merchant_no.clone())),
            ),
            _ => Ok(c),
        });
        match result {
            Ok(c) => ok.push(c),
            Err(e) => badl.push(BadLine {
                row: *row,
                error: e,
            }),
        }
    }
    // The balance the batch would hold, known before the confirmation (and checked again when
    // it is stored).
    if let (true, Some(first)) = (badl.is_empty(), ok.first()) {
        let total: i64 = ok.iter().map(|c| c.amount_fen).sum();
        let avail = available_in(&uc.db(), first.txn.merchant_id)?;
        if total > avail.available_fen {
            return Err(ServiceError::Refused(Rule::InsufficientBalance(
                avail.available_fen.max(0),
            )));
        }
    }
    let check = BatchCheck {
        count: b.lines.len(),
        total_fen: above.total,
        bad: badl,
    };
    Ok((ok, check))
}

/// Validates a batch whole without storing anything (the confirmation screen's numbers). A
/// file with bad lines comes back with every line and its reason, and is audited as refused
/// (like a transfer file's check).
pub fn validate_batch(env: &Env, session: &Session, b: &BatchInput) -> ServiceResult<BatchCheck> {
    let mut refused: Option<BatchCheck> = None;
    let outcome = env.query(
        Who::Operator(session),
        Needs::function(&Function::FastRefund),
        "fast_refund.batch_check",
        |uc| {
            let check = check_batch(uc, b)?.1;
            if check.bad.is_empty() {
                return Ok(check);
            }
            let items = check
                .bad
                .iter()
                .map(|l| (format!("row {}", l.row), rule_of(&l.error)))
                .collect();
            refused = Some(check);
            Err(ServiceError::Refused(Rule::Items(items)))
        },
    );
    match (outcome, refused) {
        (Err(_), Some(check)) => Ok(check),
        (outcome, _) => outcome,
    }
}

/// Stores a batch (F3): every line checked (counting the lines above for the refundable amount
/// and the quota) and the batch's total against the available balance; any bad line refuses the
/// whole file and nothing is written. One `fast_refund_batch` application.
pub fn apply_batch(
    env: &mut Env,
    session: &Session,
    b: &BatchInput,
    pay_password: &str,
    pin: Option<&str>,
) -> CardServiceResult<(i64, BatchCheck)> {
    let env_ref: &Env = env;
    let mut card_failure = None;
    let outcome = env_ref.act(
        Who::Operator(session),
        Needs::function(&Function::FastRefund).paid(pay_password),
        "fast_refund.batch",
        |uc| {
            let (lines, check) = check_batch(uc, b)?;
            if !check.bad.is_empty() {
                return Err(ServiceError::Refused(Rule::Items(
                    check
                        .bad
                        .iter()
                        .map(|l| (format!("row {}", l.row), rule_of(&l.error)))
                        .collect(),
                )));
            }
            let app = store_application(
                env_ref,
                uc,
                &lines,
                Some(b.batch_no.trim()),
                pin,
                &mut card_failure,
            )?;
            Ok((app, check))
        },
    );
    with_card(outcome, card_failure)
}

/// A line's error as a rule of the refused batch (a field problem becomes its own rule entry).
fn rule_of(e: &ServiceError) -> Rule {
    match e {
        ServiceError::Refused(r) => r.clone(),
        ServiceError::Invalid { field, problem } => {
            Rule::Items(vec![(field.to_string(), problem_rule(problem))])
        }
        _ => Rule::BadFile,
    }
}

fn problem_rule(p: &Problem) -> Rule {
    match p {
        Problem::BankUnsupported => Rule::FastRefundIneligible(Ineligible::BankUnsupported),
        _ => Rule::BadFile,
    }
}

/// The review centre's decision on a fast-refund application (called inside `review::decide`,
/// after the application's status changed): approval checks the refundable amount and the
/// quota again (F6) and pays; rejection releases the hold.
pub(crate) fn decided(uc: &Uc, a: &ApplicationRow, approve: bool, by: i64) -> ServiceResult<()> {
    let db = uc.db();
    let lines = q::of_application(&db, a.id)?;
    if approve {
        let merchant = merchants::all(&db)?
            .into_iter()
            .find(|m| m.id == a.merchant_id)
            .ok_or(ServiceError::NotFound)?;
        for f in &lines {
            // Everything counted (this fast refund included) must still fit.
            let txn = transactions::by_id(&db, f.txn_id)?.ok_or(ServiceError::NotFound)?;
            let open = crate::store::refunds::open_for_txn(&db, f.txn_id)?;
            if txn.refunded_fen + open > txn.amount_fen {
                return Err(ServiceError::Refused(Rule::ExceedsRefundable(
                    (txn.amount_fen - txn.refunded_fen - open + f.amount_fen).max(0),
                )));
            }
            if merchant.daily_refund_quota_fen > 0 {
                let used = crate::store::refunds::held_for_day(&db, f.merchant_id, f.apply_date)?;
                if used > merchant.daily_refund_quota_fen {
                    return Err(ServiceError::Refused(Rule::ExceedsQuota(
                        (merchant.daily_refund_quota_fen - used + f.amount_fen).max(0),
                    )));
                }
            }
        }
        q::add_events(&lines, &db, uc.now_ms, by, "approved")?;
        pay(uc, a.id, Some(by))
    } else {
        for f in &lines {
            if !q::set_status(
                &db,
                f.id,
                FastRefundStatus::PendingReview,
                FastRefundStatus::Rejected,
                uc.now_ms,
                None,
            )? {
                return Err(ServiceError::Refused(Rule::AlreadyDecided(a.id)));
            }
        }
        q::add_events(&lines, &db, uc.now_ms, by, "rejected")?;
        rq::end_hold(&db, a.id, HoldState::Released, uc.now_ms)?;
        Ok(())
    }
}

/// A pending fast-refund application ends without a decision (cancelled by its maker or
/// expired): like a rejection for the money.
pub(crate) fn ended(uc: &Uc, a: &ApplicationRow, to: ApplicationStatus) -> ServiceResult<()> {
    let db = uc.db();
    let lines = q::of_application(&db, a.id)?;
    for f in &lines {
        q::set_status(
            &db,
            f.id,
            FastRefundStatus::PendingReview,
            FastRefundStatus::Rejected,
            uc.now_ms,
            None,
        )?;
    }
    q::add_events(
        &lines,
        &db,
        uc.now_ms,
        uc.operator_id().unwrap_or(a.maker_id),
        to.code(),
    )?;
    rq::end_hold(&db, a.id, HoldState::Released, uc.now_ms)?;
    Ok(())
}

/// One line of the outcome feed for a fast refund (`类型 = fast_refund`, by 退货订单号): 成功, 失败
/// (credit back, with a reason of kind `failed`) or 异常 (a reason of kind `exception`).
pub(crate) fn outcome_in(uc: &Uc, o: &Outcome) -> ServiceResult<()> {
    let db = uc.db();
    let f = q::by_order(&db, o.order_no.trim())?.ok_or(bad("order_no", Problem::Unknown))?;
    if f.status != FastRefundStatus::Processing {
        return Err(ServiceError::Refused(Rule::OutcomeNotApplicable));
    }
    let at = o.at_ms.unwrap_or(uc.now_ms);
    let reason = || -> ServiceResult<(String, String, ReasonOutcome)> {
        let code = o.reason_code.trim();
        if code.is_empty() {
            return Err(bad("reason_code", Problem::Required));
        }
        let (zh, _, kind) =
            rq::reason_code(&db, code)?.ok_or(bad("reason_code", Problem::Unknown))?;
        let text = if o.reason_text.trim().is_empty() {
            zh
        } else {
            o.reason_text.trim().to_string()
        };
        Ok((code.to_string(), text, kind))
    };
    let to = match o.result {
        OutcomeResult::Success => {
            q::set_status(&db, f.id, f.status, FastRefundStatus::Success, at, None)?;
            q::add_event(&db, f.id, at, None, "success", None, "")?;
            FastRefundStatus::Success
        }
        OutcomeResult::Failed | OutcomeResult::Returned => {
            let (code, text, _) = reason()?;
            q::set_status(
                &db,
                f.id,
                f.status,
                FastRefundStatus::Failed,
                at,
                Some((&code, &text)),
            )?;
            credit_back(uc, &f, &code)?;
            q::add_event(&db, f.id, at, None, "failed", Some(&code), &text)?;
            FastRefundStatus::Failed
        }
        OutcomeResult::Exception => {
            let (code, text, kind) = reason()?;
            if kind != ReasonOutcome::Exception {
                return Err(ServiceError::Refused(Rule::OutcomeNotApplicable));
            }
            q::set_status(
                &db,
                f.id,
                f.status,
                FastRefundStatus::Exception,
                at,
                Some((&code, &text)),
            )?;
            q::add_event(&db, f.id, at, None, "exception", Some(&code), &text)?;
            FastRefundStatus::Exception
        }
    };
    uc.audit_change(
        "fast_refund.outcome",
        &format!("fast_refund#{} order={}", f.id, f.order_no),
        &Fields::new().text("status", f.status.code()),
        &Fields::new()
            .text("status", to.code())
            .text("reason", o.reason_code.trim()),
    )
}

fn credit_back(uc: &Uc, f: &FastRefundRow, why: &str) -> ServiceResult<()> {
    settlements::append_ledger(
        &uc.db(),
        f.merchant_id,
        uc.now_ms,
        "refund",
        f.amount_fen,
        Some(REF_TABLE),
        Some(f.id),
        &format!("{MEMO} {} {why}", f.order_no),
    )?;
    Ok(())
}

fn exception_in_scope(uc: &Uc, id: i64) -> ServiceResult<FastRefundRow> {
    let f = q::by_id(&uc.db(), id)?.ok_or(ServiceError::NotFound)?;
    visible_txn(uc, f.txn_id)?;
    if !q::enabled(&uc.db(), f.merchant_id)? {
        return Err(ServiceError::Refused(Rule::FastRefundDisabled));
    }
    if f.status != FastRefundStatus::Exception {
        return Err(ServiceError::Refused(Rule::OutcomeNotApplicable));
    }
    Ok(f)
}

/// Resubmits an exception (F4, 重新快速退货) with the cardholder's details edited and the card
/// number typed again: 异常 → 处理中, one submission more, at most three resubmissions. The
/// amount, the original and the bank are locked; the debit stays as it is.
pub fn resubmit(
    env: &mut Env,
    session: &Session,
    id: i64,
    holder: &HolderInput,
    card_number: &str,
    pay_password: &str,
) -> ServiceResult<FastRefundRow> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::FastRefund).paid(pay_password),
        "fast_refund.resubmit",
        |uc| {
            let me = uc.operator()?;
            let f = exception_in_scope(uc, id)?;
            if !fr::may_resubmit(f.submissions) {
                return Err(ServiceError::Refused(Rule::ResubmitLimit(
                    f.submissions - 1,
                )));
            }
            let db = uc.db();
            if card_number.trim().is_empty() {
                return Err(bad("card_number", Problem::Required));
            }
            check_card_retyped(card_number, &f.card_masked)
                .map_err(|p| bad("card_number", Problem::Card(p)))?;
            let h = check_holder(&db, holder, uc.today)?;
            if !q::resubmit(&db, f.id, &h, uc.now_ms)? {
                return Err(ServiceError::Refused(Rule::AlreadyDecided(f.id)));
            }
            let old = holder_fields(&f.holder_name, &f.id_number, f.city_id, &f.branch);
            let new = holder_fields(&h.holder_name, &h.id_number, h.city_id, &h.branch);
            q::add_event(
                &db,
                f.id,
                uc.now_ms,
                Some(me),
                "resubmitted",
                f.reason_code.as_deref(),
                &format!(
                    "{} → {}",
                    describe(&db, &f.branch, f.city_id)?,
                    describe(&db, &h.branch, h.city_id)?
                ),
            )?;
            uc.audit_change(
                "fast_refund.resubmit",
                &format!("fast_refund#{} order={}", f.id, f.order_no),
                &old.text("status", FastRefundStatus::Exception.code()),
                &new.text("status", FastRefundStatus::Processing.code())
                    .int("submissions", f.submissions + 1),
            )?;
            q::by_id(&db, f.id)?.ok_or(ServiceError::NotFound)
        },
    )
}

/// A place as the history shows it: province, city, branch.
fn describe(db: &Db, branch: &str, city_id: i64) -> ServiceResult<String> {
    Ok(match crate::store::reference::place_of(db, city_id)? {
        Some((province, city)) if province == city => format!("{city} {branch}"),
        Some((province, city)) => format!("{province} {city} {branch}"),
        None => format!("city#{city_id} {branch}"),
    })
}

fn holder_fields(name: &str, id: &str, city: i64, branch: &str) -> Fields {
    Fields::new()
        .text("holder", &fr::mask_name(name))
        .text("id_number", &fr::mask_id_number(id))
        .int("city_id", city)
        .text("branch", branch)
}

/// Cancels an exception (撤销): 异常 → 已撤销; the money is credited back and the refundable
/// amount and the quota are released (they count only money-holding statuses).
pub fn cancel(
    env: &mut Env,
    session: &Session,
    id: i64,
    pay_password: &str,
) -> ServiceResult<FastRefundRow> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::FastRefund).paid(pay_password),
        "fast_refund.cancel",
        |uc| {
            let me = uc.operator()?;
            let f = exception_in_scope(uc, id)?;
            let db = uc.db();
            if !q::set_status(
                &db,
                f.id,
                FastRefundStatus::Exception,
                FastRefundStatus::Cancelled,
                uc.now_ms,
                None,
            )? {
                return Err(ServiceError::Refused(Rule::AlreadyDecided(f.id)));
            }
            credit_back(uc, &f, "撤销")?;
            q::add_event(&db, f.id, uc.now_ms, Some(me), "cancelled", None, "")?;
            uc.audit_change(
                "fast_refund.cancel",
                &format!("fast_refund#{} order={}", f.id, f.order_no),
                &Fields::new().text("status", FastRefundStatus::Exception.code()),
                &Fields::new().text("status", FastRefundStatus::Cancelled.code()),
            )?;
            q::by_id(&db, f.id)?.ok_or(ServiceError::NotFound)
        },
    )
}

/// Scope as a merchant list: the stores of the operator's terminal groups (all when unscoped).
fn scope_merchants(uc: &Uc) -> ServiceResult<Vec<i64>> {
    let db = uc.db();
    let all = merchants::all(&db)?;
    Ok(match uc.scope() {
        None => all.iter().map(|m| m.id).collect(),
        Some(gs) => {
            let mut v = Vec::new();
            for m in &all {
                if rq::merchant_in_groups(&db, m.id, gs)? {
                    v.push(m.id);
                }
            }
            v
        }
    })
}

/// The query (F5) and the exception list (F4: `status = 异常`, oldest first).
pub fn query(
    env: &Env,
    session: &Session,
    filter: &FastRefundFilter,
) -> ServiceResult<Vec<FastRefundRow>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::FastRefund),
        "fast_refund.query",
        |uc| {
            let mut f = filter.clone();
            let scope = scope_merchants(uc)?;
            if scope.is_empty() {
                return Ok(Vec::new());
            }
            f.merchant_ids = scope;
            Ok(q::query(&uc.db(), &f, 10_000)?)
        },
    )
}

/// The exception list (快速退货异常列表): every exception in scope, oldest first.
pub fn exceptions(env: &Env, session: &Session) -> ServiceResult<Vec<FastRefundRow>> {
    query(
        env,
        session,
        &FastRefundFilter {
            status: Some(FastRefundStatus::Exception),
            oldest_first: true,
            ..FastRefundFilter::default()
        },
    )
}

/// A fast refund with its whole history and its application (the approval signature).
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub row: FastRefundRow,
    pub txn: TxnRow,
    pub events: Vec<FastRefundEvent>,
    pub application: ApplicationRow,
    /// The cardholder's place: (province, city), Chinese names as the form takes them.
    pub place: Option<(String, String)>,
    /// The bank's names (Chinese, English) for its code.
    pub bank: Option<(String, String)>,
}

pub fn detail(env: &Env, session: &Session, id: i64) -> ServiceResult<Detail> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::FastRefund),
        "fast_refund.detail",
        |uc| {
            let db = uc.db();
            let row = q::by_id(&db, id)?.ok_or(ServiceError::NotFound)?;
            let txn = visible_txn(uc, row.txn_id)?;
            let application =
                rq::application(&db, row.application_id)?.ok_or(ServiceError::NotFound)?;
            Ok(Detail {
                events: q::events(&db, id)?,
                place: crate::store::reference::place_of(&db, row.city_id)?,
                bank: crate::store::reference::banks(&db)?
                    .into_iter()
                    .find(|b| b.0 == row.bank_code)
                    .map(|b| (b.1, b.2)),
                row,
                txn,
                application,
            })
        },
    )
}
