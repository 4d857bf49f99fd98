//! Refunds with maker-checker review (R1–R6): applying, reviewing (signed with the USB key where
//! the reviewer has one), querying, and the history of each application. Clearing happens in the
//! settlement run (`settlement.rs`).

use crate::domain::audit::Fields;
use crate::domain::function::Function;
use crate::domain::money::parse_amount;
use crate::domain::refund::RefundStatus;
use crate::domain::txn::TxnStatus;
use crate::store::refunds::{self, NewRefund, RefundEvent, RefundFilter, RefundRow};
use crate::store::transactions::{self, TxnRow};
use crate::store::{cards, merchants, Db};

use super::card::{CardServiceError, CardServiceResult};
use super::error::{invalid, Problem, Rule};
use super::kernel::{Needs, Uc, Who};
use super::signing::Decision;
use super::txn_query::visible_txn;
use super::{Env, ServiceError, ServiceResult, Session};

/// What can still be refunded on a transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Refundable {
    pub txn: TxnRow,
    /// Refunds still on their way (applied, approved, waiting for clearing).
    pub open_fen: i64,
    pub left_fen: i64,
    pub review_mode: bool,
    /// What the merchant's daily quota has left today (`None`: no quota).
    pub quota_left_fen: Option<i64>,
}

impl Refundable {
    /// Why no refund can be applied for at all, before anything is typed: the original is not
    /// a successful sale or completion, or nothing is left to refund on it.
    pub fn refusal(&self) -> Option<Rule> {
        if !(self.txn.status == TxnStatus::Success && self.txn.txn_type.is_credit_to_merchant()) {
            return Some(Rule::NotRefundable);
        }
        (self.left_fen == 0).then_some(Rule::ExceedsRefundable(0))
    }

    /// The typed amount checked against what is left and today's quota: the rules `apply`
    /// checks again inside its use case, here before the payment password is asked.
    pub fn check_amount(&self, typed: &str) -> ServiceResult<i64> {
        let amount = parse_amount(typed).or_else(|_| invalid("amount", Problem::BadAmount))?;
        if let Some(rule) = self.refusal() {
            return Err(ServiceError::Refused(rule));
        }
        if amount > self.left_fen {
            return Err(ServiceError::Refused(Rule::ExceedsRefundable(
                self.left_fen,
            )));
        }
        if let Some(q) = self.quota_left_fen {
            if amount > q {
                return Err(ServiceError::Refused(Rule::ExceedsQuota(q)));
            }
        }
        Ok(amount)
    }
}

pub(crate) fn refundable_in(db: &Db, txn: TxnRow, today: i32) -> ServiceResult<Refundable> {
    let open = refunds::open_for_txn(db, txn.id)?;
    let merchant = merchants::all(db)?
        .into_iter()
        .find(|m| m.id == txn.merchant_id)
        .ok_or(ServiceError::NotFound)?;
    let quota_left = if merchant.daily_refund_quota_fen > 0 {
        // An error reading what was used today refuses; it is never taken as "nothing used".
        let used = refunds::held_for_day(db, merchant.id, today)?;
        Some((merchant.daily_refund_quota_fen - used).max(0))
    } else {
        None
    };
    Ok(Refundable {
        left_fen: (txn.amount_fen - txn.refunded_fen - open).max(0),
        open_fen: open,
        review_mode: merchant.refund_mode == "review",
        quota_left_fen: quota_left,
        txn,
    })
}

/// The original transaction and what is left to refund on it.
pub fn refundable(env: &Env, session: &Session, txn_id: i64) -> ServiceResult<Refundable> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::RefundApply),
        "refund.refundable",
        |uc| {
            let txn = visible_txn(uc, txn_id)?;
            refundable_in(&uc.db(), txn, uc.today)
        },
    )
}

/// Finds the original transaction by its reference number (R2).
pub fn refundable_by_rrn(env: &Env, session: &Session, rrn: &str) -> ServiceResult<Refundable> {
    let rrn = rrn.trim();
    env.query(
        Who::Operator(session),
        Needs::function(&Function::RefundApply),
        "refund.refundable",
        |uc| {
            if !crate::domain::ids::is_rrn(rrn) {
                return invalid("rrn", Problem::BadRrn);
            }
            let id = transactions::id_by_rrn(&uc.db(), rrn)?.ok_or(ServiceError::Invalid {
                field: "rrn",
                problem: Problem::Unknown,
            })?;
            let txn = visible_txn(uc, id)?;
            refundable_in(&uc.db(), txn, uc.today)
        },
    )
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefundInput {
    pub txn_id: i64,
    pub amount: String,
    pub remark: String,
    pub pay_password: String,
    pub refund_order_no: Option<String>,
}

/// Applies for a refund (R2). In direct mode it is submitted at once, in review mode it waits
/// for a reviewer. Checked: the function, the payment password, the scope, the kind and state of
/// the original, the amount (above zero, two decimals, within what is left), the daily quota.
pub fn apply(env: &mut Env, session: &Session, input: &RefundInput) -> ServiceResult<RefundRow> {
    let amount = parse_amount(&input.amount).or_else(|_| invalid("amount", Problem::BadAmount))?;
    if input.remark.chars().count() > 100 {
        return invalid("remark", Problem::TooLong(100));
    }
    env.act(
        Who::Operator(session),
        Needs::function(&Function::RefundApply).paid(&input.pay_password),
        "refund.apply",
        |uc| {
            visible_txn(uc, input.txn_id)?;
            let id = insert_application(uc, input, amount, None)?;
            refunds::by_id(&uc.db(), id)?.ok_or(ServiceError::NotFound)
        },
    )
}

/// Checks the rules against the database as it is inside the use case's transaction, and writes
/// the application with its history and audit rows. Used by single and batch refunds alike.
pub(crate) fn insert_application(
    uc: &Uc,
    input: &RefundInput,
    amount: i64,
    batch_id: Option<i64>,
) -> ServiceResult<i64> {
    let db = uc.db();
    let me = uc.operator()?;
    let txn = transactions::by_id(&db, input.txn_id)?.ok_or(ServiceError::NotFound)?;
    if !(txn.status == TxnStatus::Success && txn.txn_type.is_credit_to_merchant()) {
        return Err(ServiceError::Refused(Rule::NotRefundable));
    }
    let r = refundable_in(&db, txn, uc.today)?;
    if amount > r.left_fen {
        return Err(ServiceError::Refused(Rule::ExceedsRefundable(r.left_fen)));
    }
    if let Some(q) = r.quota_left_fen {
        if amount > q {
            return Err(ServiceError::Refused(Rule::ExceedsQuota(q)));
        }
    }
    let status = if r.review_mode {
        RefundStatus::PendingReview
    } else {
        RefundStatus::Submitted
    };
    let term = merchants::terminal_by_no(&db, &r.txn.terminal_no)?.ok_or(ServiceError::NotFound)?;
    let id = refunds::insert(
        &db,
        &NewRefund {
            txn_id: r.txn.id,
            merchant_id: r.txn.merchant_id,
            terminal_id: term,
            amount_fen: amount,
            remark: input.remark.trim(),
            refund_order_no: input.refund_order_no.as_deref(),
            batch_id,
            status,
            applicant_id: me,
            applied_ms: uc.now_ms,
            apply_date: uc.today,
        },
    )?;
    refunds::add_event(
        &db,
        id,
        uc.now_ms,
        Some(me),
        "applied",
        status,
        input.remark.trim(),
    )?;
    if status == RefundStatus::Submitted {
        refunds::add_event(&db, id, uc.now_ms, Some(me), "submitted", status, "")?;
    }
    uc.audit_change(
        "refund.apply",
        &format!("refund#{id} rrn={}", r.txn.rrn),
        &Fields::new(),
        &Fields::new()
            .int("amount_fen", amount)
            .text("status", status.code()),
    )?;
    Ok(id)
}

/// The applications waiting for this reviewer's decision (their own are listed but cannot be
/// approved by them).
pub fn pending(env: &Env, session: &Session) -> ServiceResult<Vec<RefundRow>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::RefundReview),
        "refund.pending",
        |uc| {
            let f = RefundFilter {
                statuses: vec![RefundStatus::PendingReview],
                group_scope: uc.scope().map(|s| s.to_vec()),
                ..Default::default()
            };
            let mut rows = refunds::query(&uc.db(), &f, 10_000)?;
            rows.reverse(); // oldest first: first come, first reviewed
            Ok(rows)
        },
    )
}

/// Any function of the refund family may read an application and its history.
const READERS: &[Function] = &[
    Function::RefundQuery,
    Function::RefundReview,
    Function::RefundApply,
];

pub fn detail(
    env: &Env,
    session: &Session,
    id: i64,
) -> ServiceResult<(RefundRow, Vec<RefundEvent>)> {
    env.query(
        Who::Operator(session),
        Needs::any(READERS),
        "refund.detail",
        |uc| {
            let db = uc.db();
            let row = refunds::by_id(&db, id)?.ok_or(ServiceError::NotFound)?;
            uc.require_group(transactions::terminal_group_of(&db, row.txn_id)?)?;
            let events = refunds::events(&db, id)?;
            Ok((row, events))
        },
    )
}

/// The refund application query (R5) and the pending clearing list (R6, status filter).
pub fn query(env: &Env, session: &Session, filter: &RefundFilter) -> ServiceResult<Vec<RefundRow>> {
    env.query(
        Who::Operator(session),
        Needs::any(READERS),
        "refund.query",
        |uc| {
            let mut f = filter.clone();
            f.group_scope = uc.scope().map(|s| s.to_vec());
            Ok(refunds::query(&uc.db(), &f, 5_000)?)
        },
    )
}

/// How a reviewer confirms a decision: always the payment password, and the card's PIN where
/// the reviewer has a card bound or the policy demands one. The service opens the card in this
/// workstation's reader itself; no screen holds it.
pub struct Confirmation<'a> {
    pub pay_password: &'a str,
    pub pin: Option<&'a str>,
}

/// Approves or rejects several applications at once (R3, R4): one decision and one signature
/// over the whole list. Either every application is decided or none is. Whether the card is
/// needed is decided here, inside the transaction; if it cannot be read the decision is refused.
pub fn review(
    env: &mut Env,
    session: &Session,
    ids: &[i64],
    approve: bool,
    remark: &str,
    confirm: Confirmation,
) -> CardServiceResult<usize> {
    super::signing::check_decision_input(ids.len(), approve, remark)?;
    let action = if approve {
        "refund.approve"
    } else {
        "refund.reject"
    };
    let env_ref: &Env = env;
    let mut card_failure: Option<CardServiceError> = None;
    let outcome = env_ref.act(
        Who::Operator(session),
        Needs::function(&Function::RefundReview).paid(confirm.pay_password),
        action,
        |uc| {
            let db = uc.db();
            let me = uc.operator()?;
            let needs_card = card_required_in(&db, me)?;
            let mut rows = Vec::new();
            for id in ids {
                let row = refunds::by_id(&db, *id)?.ok_or(ServiceError::NotFound)?;
                if row.status != RefundStatus::PendingReview {
                    return Err(ServiceError::Refused(Rule::AlreadyDecided(*id)));
                }
                if row.applicant_id == me {
                    return Err(ServiceError::Refused(Rule::OwnApplication));
                }
                uc.require_group(transactions::terminal_group_of(&db, row.txn_id)?)?;
                rows.push(row);
            }
            let decision = Decision::by(
                uc,
                "refund".into(),
                rows.iter().map(|r| r.id).collect(),
                rows.iter().map(|r| r.amount_fen).collect(),
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
            let (status, event) = if approve {
                (RefundStatus::Submitted, "approved")
            } else {
                (RefundStatus::Rejected, "rejected")
            };
            for row in &rows {
                if !refunds::decide(
                    &db,
                    row.id,
                    status,
                    me,
                    uc.now_ms,
                    remark.trim(),
                    Some(approval_id),
                )? {
                    return Err(ServiceError::Refused(Rule::AlreadyDecided(row.id)));
                }
                refunds::add_event(
                    &db,
                    row.id,
                    uc.now_ms,
                    Some(me),
                    event,
                    status,
                    remark.trim(),
                )?;
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
                )?;
            }
            Ok(rows.len())
        },
    );
    match (outcome, card_failure) {
        (Err(_), Some(card)) => Err(card),
        (outcome, _) => outcome.map_err(Into::into),
    }
}

/// Whether an operator must confirm with the card: one is bound, or the policy demands a card
/// of everyone. Read inside the caller's transaction; an error refuses.
pub(crate) fn card_required_in(db: &Db, operator_id: i64) -> ServiceResult<bool> {
    Ok(cards::bound_card(db, operator_id)?.is_some()
        || merchants::setting(db, super::card::SETTING_LOGIN_POLICY)?
            .is_some_and(|v| v == "required"))
}
