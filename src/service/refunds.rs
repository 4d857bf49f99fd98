//! Refunds with maker-checker review (R1–R6): applying, reviewing (signed with the USB key where
//! the reviewer has one), querying, and the history of each application. Clearing happens in the
//! settlement run (`settlement.rs`).

use crate::card::transport::Transport;
use crate::clock::{date_of_ms, ymd};
use crate::domain::function::Function;
use crate::domain::money::parse_amount;
use crate::domain::refund::RefundStatus;
use crate::store::refunds::{self, NewRefund, RefundEvent, RefundFilter, RefundRow};
use crate::store::transactions::{self, TxnRow};
use crate::store::{merchants, operators};

use super::audit::record;
use super::auth::actor_of;
use super::card::{card_required, CardServiceError, CardServiceResult};
use super::error::{invalid, Problem, Rule};
use super::password;
use super::session::{require, scope};
use super::signing::{record_unsigned, sign_decision, Decision};
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

fn in_scope(env: &Env, session: &Session, txn_id: i64) -> ServiceResult<()> {
    if let Some(groups) = scope(env, session)? {
        let g = transactions::terminal_group_of(&env.store.conn, txn_id)?;
        if !g.is_some_and(|g| groups.contains(&g)) {
            return Err(ServiceError::OutOfScope);
        }
    }
    Ok(())
}

fn refundable_in(
    conn: &rusqlite::Connection,
    txn: TxnRow,
    today: i32,
) -> ServiceResult<Refundable> {
    let open = refunds::open_for_txn(conn, txn.id)?;
    let merchant = merchants::all(conn)?
        .into_iter()
        .find(|m| m.id == txn.merchant_id)
        .ok_or(ServiceError::NotFound)?;
    let quota_left = (merchant.daily_refund_quota_fen > 0).then(|| {
        let used = refunds::held_for_day(conn, merchant.id, today).unwrap_or(0);
        (merchant.daily_refund_quota_fen - used).max(0)
    });
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
    require(env, session, Function::RefundApply)?;
    in_scope(env, session, txn_id)?;
    let txn = transactions::by_id(&env.store.conn, txn_id)?.ok_or(ServiceError::NotFound)?;
    refundable_in(&env.store.conn, txn, ymd(date_of_ms(env.now_ms())))
}

/// Finds the original transaction by its reference number (R2).
pub fn refundable_by_rrn(env: &Env, session: &Session, rrn: &str) -> ServiceResult<Refundable> {
    require(env, session, Function::RefundApply)?;
    let rrn = rrn.trim();
    if !crate::domain::ids::is_rrn(rrn) {
        return invalid("rrn", Problem::BadRrn);
    }
    let id = transactions::id_by_rrn(&env.store.conn, rrn)?.ok_or(ServiceError::Invalid {
        field: "rrn",
        problem: Problem::Unknown,
    })?;
    refundable(env, session, id)
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefundInput {
    pub txn_id: i64,
    pub amount: String,
    pub remark: String,
    pub pay_password: String,
    pub refund_order_no: Option<String>,
}

fn check_pay_password(env: &Env, session: &Session, pw: &str) -> ServiceResult<()> {
    if pw.is_empty() {
        return invalid("pay_password", Problem::Required);
    }
    let op = operators::by_id(&env.store.conn, session.operator_id)?
        .ok_or(ServiceError::SessionEnded)?;
    let hash = op.pay_password_hash.unwrap_or(op.password_hash);
    if !password::verify(&hash, pw) {
        return invalid("pay_password", Problem::WrongPassword);
    }
    Ok(())
}

/// Applies for a refund (R2). In direct mode it is submitted at once, in review mode it waits
/// for a reviewer. Checked: the function, the scope, the kind and state of the original, the
/// amount (above zero, two decimals, within what is left), the daily quota, the payment
/// password.
pub fn apply(env: &mut Env, session: &Session, input: &RefundInput) -> ServiceResult<RefundRow> {
    require(env, session, Function::RefundApply)?;
    in_scope(env, session, input.txn_id)?;
    let amount = parse_amount(&input.amount).or_else(|_| invalid("amount", Problem::BadAmount))?;
    if input.remark.chars().count() > 100 {
        return invalid("remark", Problem::TooLong(100));
    }
    check_pay_password(env, session, &input.pay_password)?;
    let now = env.now_ms();
    let today = ymd(date_of_ms(now));
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    let id = insert_application(&tx, session, &ws, input, amount, None, now, today)?;
    tx.commit()?;
    refunds::by_id(&env.store.conn, id)?.ok_or(ServiceError::NotFound)
}

/// Checks the rules against the database as it is inside the caller's transaction, and writes
/// the application with its history and audit rows. Used by single and batch refunds alike.
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_application(
    tx: &rusqlite::Connection,
    session: &Session,
    ws: &str,
    input: &RefundInput,
    amount: i64,
    batch_id: Option<i64>,
    now: i64,
    today: i32,
) -> ServiceResult<i64> {
    let txn = transactions::by_id(tx, input.txn_id)?.ok_or(ServiceError::NotFound)?;
    if !(txn.status == "success" && (txn.txn_type == "sale" || txn.txn_type == "completion")) {
        return Err(ServiceError::Refused(Rule::NotRefundable));
    }
    let r = refundable_in(tx, txn, today)?;
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
    let term = merchants::terminal_by_no(tx, &r.txn.terminal_no)?.ok_or(ServiceError::NotFound)?;
    let id = refunds::insert(
        tx,
        &NewRefund {
            txn_id: r.txn.id,
            merchant_id: r.txn.merchant_id,
            terminal_id: term,
            amount_fen: amount,
            remark: input.remark.trim(),
            refund_order_no: input.refund_order_no.as_deref(),
            batch_id,
            status: status.code(),
            applicant_id: session.operator_id,
            applied_ms: now,
            apply_date: today,
        },
    )?;
    refunds::add_event(
        tx,
        id,
        now,
        Some(session.operator_id),
        "applied",
        status.code(),
        input.remark.trim(),
    )?;
    if status == RefundStatus::Submitted {
        refunds::add_event(
            tx,
            id,
            now,
            Some(session.operator_id),
            "submitted",
            status.code(),
            "",
        )?;
    }
    record(
        tx,
        now,
        actor_of(session, ws),
        "refund.apply",
        &format!("refund#{id} rrn={}", r.txn.rrn),
        "",
        &format!("amount_fen={amount} status={}", status.code()),
    )?;
    Ok(id)
}

/// The applications waiting for this reviewer's decision (their own are listed but cannot be
/// approved by them).
pub fn pending(env: &Env, session: &Session) -> ServiceResult<Vec<RefundRow>> {
    require(env, session, Function::RefundReview)?;
    let f = RefundFilter {
        statuses: vec![RefundStatus::PendingReview.code().into()],
        group_scope: scope(env, session)?,
        ..Default::default()
    };
    let mut rows = refunds::query(&env.store.conn, &f, 10_000)?;
    rows.reverse(); // oldest first: first come, first reviewed
    Ok(rows)
}

/// Any function of the refund family may read an application and its history.
fn may_read(env: &Env, session: &Session) -> ServiceResult<()> {
    let fs = super::session::current_functions(&env.store, session.operator_id)?;
    if [
        Function::RefundQuery,
        Function::RefundReview,
        Function::RefundApply,
    ]
    .iter()
    .any(|f| fs.contains(f))
    {
        Ok(())
    } else {
        require(env, session, Function::RefundQuery)
    }
}

pub fn detail(
    env: &Env,
    session: &Session,
    id: i64,
) -> ServiceResult<(RefundRow, Vec<RefundEvent>)> {
    may_read(env, session)?;
    let row = refunds::by_id(&env.store.conn, id)?.ok_or(ServiceError::NotFound)?;
    in_scope(env, session, row.txn_id)?;
    let events = refunds::events(&env.store.conn, id)?;
    Ok((row, events))
}

/// The refund application query (R5) and the pending clearing list (R6, status filter).
pub fn query(env: &Env, session: &Session, filter: &RefundFilter) -> ServiceResult<Vec<RefundRow>> {
    may_read(env, session)?;
    let mut f = filter.clone();
    f.group_scope = scope(env, session)?;
    Ok(refunds::query(&env.store.conn, &f, 5_000)?)
}

/// How a reviewer confirms a decision: always the payment password, and the card and its PIN
/// where the reviewer has one bound or the policy demands one.
pub struct Confirmation<'a> {
    pub pay_password: &'a str,
    pub card: Option<(&'a mut dyn Transport, &'a str)>,
}

/// Approves or rejects several applications at once (R3, R4): one decision and one signature
/// over the whole list. Either every application is decided or none is.
pub fn review(
    env: &mut Env,
    session: &Session,
    ids: &[i64],
    approve: bool,
    remark: &str,
    confirm: Confirmation,
) -> CardServiceResult<usize> {
    require(env, session, Function::RefundReview)?;
    if ids.is_empty() {
        return Err(ServiceError::NotFound.into());
    }
    if !approve && remark.trim().is_empty() {
        return Err(ServiceError::Invalid {
            field: "remark",
            problem: Problem::Required,
        }
        .into());
    }
    check_pay_password(env, session, confirm.pay_password)?;
    let needs_card = card_required(env, session.operator_id)?;
    if needs_card && confirm.card.is_none() {
        return Err(CardServiceError::NotBound);
    }
    let groups = scope(env, session)?;
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin().map_err(ServiceError::from)?;
    let mut rows = Vec::new();
    for id in ids {
        let row = refunds::by_id(&tx, *id)?.ok_or(ServiceError::NotFound)?;
        if row.status != RefundStatus::PendingReview.code() {
            return Err(ServiceError::Refused(Rule::AlreadyDecided(*id)).into());
        }
        if row.applicant_id == session.operator_id {
            return Err(ServiceError::Refused(Rule::OwnApplication).into());
        }
        if let Some(g) = &groups {
            let tg = transactions::terminal_group_of(&tx, row.txn_id)?;
            if !tg.is_some_and(|x| g.contains(&x)) {
                return Err(ServiceError::OutOfScope.into());
            }
        }
        rows.push(row);
    }
    let decision = Decision {
        kind: "refund".into(),
        ids: rows.iter().map(|r| r.id).collect(),
        amounts_fen: rows.iter().map(|r| r.amount_fen).collect(),
        operator_id: session.operator_id,
        operator_login: session.login.clone(),
        at_ms: now,
        decision: if approve { "approve" } else { "reject" }.into(),
        remark: remark.trim().into(),
    };
    let approval_id = match (needs_card, confirm.card) {
        (true, Some((t, pin))) => sign_decision(&tx, t, pin, &decision)?.id,
        _ => record_unsigned(&tx, &decision)?,
    };
    let (status, event) = if approve {
        (RefundStatus::Submitted, "approved")
    } else {
        (RefundStatus::Rejected, "rejected")
    };
    for row in &rows {
        if !refunds::decide(
            &tx,
            row.id,
            status.code(),
            session.operator_id,
            now,
            remark.trim(),
            Some(approval_id),
        )? {
            return Err(ServiceError::Refused(Rule::AlreadyDecided(row.id)).into());
        }
        refunds::add_event(
            &tx,
            row.id,
            now,
            Some(session.operator_id),
            event,
            status.code(),
            remark.trim(),
        )?;
        if approve {
            refunds::add_event(
                &tx,
                row.id,
                now,
                Some(session.operator_id),
                "submitted",
                status.code(),
                "",
            )?;
        }
        record(
            &tx,
            now,
            actor_of(session, &ws),
            if approve {
                "refund.approve"
            } else {
                "refund.reject"
            },
            &format!("refund#{} rrn={}", row.id, row.rrn),
            "status=pending_review",
            &format!("status={} approval#{approval_id}", status.code()),
        )?;
    }
    tx.commit().map_err(ServiceError::from)?;
    Ok(rows.len())
}

/// The payment password check of `apply`, for the batch refund import.
pub(crate) fn verify_pay_password(env: &Env, session: &Session, pw: &str) -> ServiceResult<()> {
    check_pay_password(env, session, pw)
}
