//! A second person for large ignores (spec/money-out.md §7.5, maker-checker): resolving an
//! exception as 已忽略 when its difference is above the setting `recon_ignore_limit_fen`
//! (default ¥1,000) records a proposal and leaves the exception open; a different operator with
//! `reconcile_resolve` confirms it (the exception is then resolved as ignored by the confirmer,
//! with the proposer's remark) or rejects it (it stays open). The proposer is refused as the
//! confirmer. Nothing moves money.

use crate::domain::audit::Fields;
use crate::domain::function::Function;
use crate::domain::recon::{ExceptionStatus, Resolution, RunStatus};
use crate::store::merchants;
use crate::store::recon as q;
use crate::store::recon_ignore::{self as p, Proposal};
use crate::store::Db;

use super::error::Rule;
use super::kernel::{Needs, Uc, Who};
use super::{Env, ServiceError, ServiceResult, Session};

/// The limit when the setting is not set: ¥1,000.00.
pub const DEFAULT_LIMIT_FEN: i64 = 100_000;

/// The difference an ignore is weighed by: between the two sides when both have an amount,
/// otherwise the one side's amount (a row missing on either side), in fen.
pub fn difference_fen(file_fen: Option<i64>, local_fen: Option<i64>) -> i64 {
    match (file_fen, local_fen) {
        (Some(a), Some(b)) => (a - b).abs(),
        (Some(a), None) | (None, Some(a)) => a.abs(),
        (None, None) => 0,
    }
}

/// The setting `recon_ignore_limit_fen`, else [`DEFAULT_LIMIT_FEN`]; a setting that is no
/// number refuses (any error while deciding refuses).
pub fn limit_fen(db: &Db) -> ServiceResult<i64> {
    match merchants::setting(db, "recon_ignore_limit_fen")? {
        None => Ok(DEFAULT_LIMIT_FEN),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or(ServiceError::Invalid {
                field: "recon_ignore_limit_fen",
                problem: super::Problem::Unknown,
            }),
    }
}

pub(crate) fn pending_proposal(db: &Db, exception_id: i64) -> ServiceResult<Option<Proposal>> {
    Ok(p::pending(db, exception_id)?)
}

/// Records the proposal (inside the resolving use case).
pub(crate) fn propose(
    uc: &mut Uc,
    exception_id: i64,
    difference: i64,
    remark: &str,
) -> ServiceResult<()> {
    let me = uc.operator()?;
    let id = p::insert(&uc.db(), exception_id, difference, remark, me, uc.now_ms)?;
    uc.audit_change(
        "recon.ignore_propose",
        &format!("recon_exception#{exception_id}"),
        &Fields::new().text("status", "open"),
        &Fields::new()
            .text("proposal", &id.to_string())
            .text("resolution", Resolution::Ignored.code())
            .text("difference", &crate::domain::money::format_fen(difference))
            .text("remark", remark),
    )
}

/// The pending proposals of a run, for its screen.
pub fn pending(env: &Env, session: &Session, run_id: i64) -> ServiceResult<Vec<Proposal>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::Reconcile),
        "recon.view",
        |uc| {
            if uc.scope().is_some() {
                return Err(ServiceError::OutOfScope);
            }
            Ok(p::pending_of_run(&uc.db(), run_id)?)
        },
    )
}

/// Confirms (`true`) or rejects the pending proposal to ignore an exception, as a different
/// operator than the one who proposed it.
pub fn decide(
    env: &mut Env,
    session: &Session,
    exception_id: i64,
    confirm: bool,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::ReconcileResolve),
        "recon.ignore_decide",
        |uc| {
            if uc.scope().is_some() {
                return Err(ServiceError::OutOfScope);
            }
            let me = uc.operator()?;
            let db = uc.db();
            let e = q::get_exception(&db, exception_id)?.ok_or(ServiceError::NotFound)?;
            let run = q::get_run(&db, e.run_id)?.ok_or(ServiceError::NotFound)?;
            let prop = p::pending(&db, exception_id)?
                .ok_or(ServiceError::Refused(Rule::AlreadyDecided(exception_id)))?;
            if prop.proposed_by == me {
                return Err(ServiceError::Refused(Rule::OwnApplication));
            }
            if e.status != ExceptionStatus::Open || run.status != RunStatus::Active {
                return Err(ServiceError::Refused(Rule::AlreadyDecided(exception_id)));
            }
            if !p::decide(&db, prop.id, confirm, me, uc.now_ms)? {
                return Err(ServiceError::Refused(Rule::AlreadyDecided(exception_id)));
            }
            if confirm
                && !q::resolve(
                    &db,
                    exception_id,
                    Resolution::Ignored,
                    &prop.remark,
                    Some(me),
                    uc.now_ms,
                )?
            {
                return Err(ServiceError::Refused(Rule::AlreadyDecided(exception_id)));
            }
            if confirm {
                crate::store::recon::note_ignore_limit(&db, exception_id, limit_fen(&db)?)?;
            }
            uc.audit_change(
                "recon.ignore_decide",
                &format!("recon_exception#{exception_id}"),
                &Fields::new()
                    .text("status", "open")
                    .text("proposal", &prop.id.to_string())
                    .text("proposed_by", &prop.proposed_login),
                &Fields::new()
                    .text("status", if confirm { "resolved" } else { "open" })
                    .text("proposal", if confirm { "confirmed" } else { "rejected" })
                    .text("remark", &prop.remark),
            )
        },
    )
}
