//! The one path of every use case. A use case names what it needs (a function, or any of a few,
//! and optionally the payment password) and gets a `Uc`: the operator's functions and scope read
//! once, the business time, and one transaction — IMMEDIATE for a change, a read snapshot for a
//! query. The guards run in order (the operator still active → the function → the payment
//! password) before the body; the body validates with the domain's rules and calls the store.
//!
//! On success the transaction commits with the audit rows the body wrote. On any error it rolls
//! back, so nothing is half written; a refusal (a missing function, out of scope, a rule, a wrong
//! or blocked payment password) then writes exactly one audit row in a transaction of its own, on
//! every path — the screen, a tape, the command line.
//!
//! System actions (the settlement run, imports of outcomes, command-line maintenance) act as
//! `Who::System`, so "no session" is always said, never forgotten.

use std::collections::BTreeSet;

use crate::clock::{date_of_ms, ymd};
use crate::domain::audit::Fields;
use crate::domain::function::Function;
use crate::domain::password::Failures;
use crate::store::{operators, Db, WriteTx};

use super::audit_chain::{record, Actor};
use super::error::{Problem, ServiceError, ServiceResult};
use super::{password, Env, Session};

/// Who acts.
#[derive(Debug, Clone, Copy)]
pub enum Who<'a> {
    Operator(&'a Session),
    /// The application itself, logged as `system`; the name says which part (`settlement`,
    /// `demo`, `cli`) in the refusal rows.
    System(&'static str),
}

/// What a use case needs before its body runs.
#[derive(Debug, Clone, Copy)]
pub struct Needs<'a> {
    /// The operator must hold one of these (empty: any operator).
    pub any_of: &'a [Function],
    /// Checked against the operator's payment password, with the five-tries block.
    pub pay_password: Option<&'a str>,
}

impl<'a> Needs<'a> {
    pub fn function(f: &'a Function) -> Needs<'a> {
        Needs {
            any_of: std::slice::from_ref(f),
            pay_password: None,
        }
    }
    pub fn any(fs: &'a [Function]) -> Needs<'a> {
        Needs {
            any_of: fs,
            pay_password: None,
        }
    }
    /// Only an active operator (their own password, their own home screen).
    pub fn signed_in() -> Needs<'static> {
        Needs {
            any_of: &[],
            pay_password: None,
        }
    }
    pub fn paid(mut self, pw: &'a str) -> Needs<'a> {
        self.pay_password = Some(pw);
        self
    }
}

/// The acting party as the audit log names it.
#[derive(Debug, Clone)]
struct ActorName {
    /// For the system actor, which part of the application acts.
    part: &'static str,
    operator_id: Option<i64>,
    login: String,
    workstation: String,
}

impl ActorName {
    fn actor(&self) -> Actor<'_> {
        Actor {
            operator_id: self.operator_id,
            login: &self.login,
            workstation: &self.workstation,
        }
    }
}

/// A use case in progress: its transaction, who acts, what they may do, and the business time.
pub struct Uc<'t> {
    tx: WriteTx<'t>,
    actor: ActorName,
    pub now_ms: i64,
    /// The business day (Asia/Shanghai) of `now_ms`, as yyyymmdd.
    pub today: i32,
    functions: BTreeSet<Function>,
    scope: Option<Vec<i64>>,
}

impl<'t> Uc<'t> {
    pub fn db(&self) -> Db<'_> {
        self.tx.db()
    }

    /// The operator acting, `None` for the system.
    pub fn operator_id(&self) -> Option<i64> {
        self.actor.operator_id
    }

    /// The operator acting; a use case that needs one refuses the system actor.
    pub fn operator(&self) -> ServiceResult<i64> {
        self.actor.operator_id.ok_or(ServiceError::SessionEnded)
    }

    pub fn login(&self) -> &str {
        &self.actor.login
    }

    pub fn workstation(&self) -> &str {
        &self.actor.workstation
    }

    pub fn has(&self, f: Function) -> bool {
        self.actor.operator_id.is_none() || self.functions.contains(&f)
    }

    /// The terminal groups the operator may see (`None`: all).
    pub fn scope(&self) -> Option<&[i64]> {
        self.scope.as_deref()
    }

    /// Refuses a record whose terminal group is outside the operator's scope.
    pub fn require_group(&self, group: Option<i64>) -> ServiceResult<()> {
        match &self.scope {
            None => Ok(()),
            Some(gs) if group.is_some_and(|g| gs.contains(&g)) => Ok(()),
            Some(_) => Err(ServiceError::OutOfScope),
        }
    }

    /// Appends an audit row whose before/after are typed fields.
    pub fn audit_change(
        &self,
        action: &str,
        target: &str,
        before: &Fields,
        after: &Fields,
    ) -> ServiceResult<()> {
        self.audit(action, target, &before.render(), &after.render())
    }

    /// Appends an audit row inside this use case's transaction.
    pub fn audit(
        &self,
        action: &str,
        target: &str,
        before: &str,
        after: &str,
    ) -> ServiceResult<()> {
        record(
            &self.tx.db(),
            self.now_ms,
            self.actor.actor(),
            action,
            target,
            before,
            after,
        )?;
        Ok(())
    }
}

/// Whether an error is a refusal the audit log must show (as opposed to a typo in a form or a
/// record that is not there).
fn is_refusal(e: &ServiceError) -> bool {
    matches!(
        e,
        ServiceError::Denied(_)
            | ServiceError::OutOfScope
            | ServiceError::Refused(_)
            | ServiceError::PayBlocked { .. }
    )
}

impl Env {
    /// Runs a use case that changes state: one IMMEDIATE transaction, committed only if the
    /// body succeeds. `action` names it in the audit log (a refusal is `<action>.refused`).
    pub fn act<T>(
        &self,
        who: Who,
        needs: Needs,
        action: &str,
        body: impl FnOnce(&mut Uc) -> ServiceResult<T>,
    ) -> ServiceResult<T> {
        self.run(who, needs, action, true, body)
    }

    /// Runs a use case that only reads: the same guards, one consistent snapshot. A refusal is
    /// audited like any other.
    pub fn query<T>(
        &self,
        who: Who,
        needs: Needs,
        action: &str,
        body: impl FnOnce(&Uc) -> ServiceResult<T>,
    ) -> ServiceResult<T> {
        self.run(who, needs, action, false, |uc| body(uc))
    }

    fn run<T>(
        &self,
        who: Who,
        needs: Needs,
        action: &str,
        write: bool,
        body: impl FnOnce(&mut Uc) -> ServiceResult<T>,
    ) -> ServiceResult<T> {
        let now = self.now_ms();
        let actor = match who {
            Who::Operator(s) => ActorName {
                part: "",
                operator_id: Some(s.operator_id),
                login: s.login.clone(),
                workstation: self.workstation.clone(),
            },
            Who::System(part) => ActorName {
                part,
                operator_id: None,
                login: "system".to_string(),
                workstation: self.workstation.clone(),
            },
        };
        let pre = match (actor.operator_id, needs.pay_password) {
            (Some(id), Some(pw)) if !pw.is_empty() => pre_check_pay_password(self, id, pw),
            _ => None,
        };
        let tx = if write {
            self.store.begin()?
        } else {
            self.store.begin_read()?
        };
        let mut uc = Uc {
            tx,
            actor,
            now_ms: now,
            today: ymd(date_of_ms(now)),
            functions: BTreeSet::new(),
            scope: None,
        };
        let outcome = guards(&mut uc, needs, pre).and_then(|()| body(&mut uc));
        match outcome {
            Ok(v) => {
                uc.tx.commit()?;
                Ok(v)
            }
            Err(e) => {
                let actor = uc.actor.clone();
                drop(uc); // rolls back
                self.after_refusal(&actor, action, &e, now)?;
                Err(e)
            }
        }
    }

    /// After a rolled-back use case: a refusal writes its one audit row; a wrong payment password
    /// counts towards the block, which a fifth one sets.
    fn after_refusal(
        &self,
        actor: &ActorName,
        action: &str,
        e: &ServiceError,
        now: i64,
    ) -> ServiceResult<()> {
        let wrong_pay = matches!(
            e,
            ServiceError::Invalid {
                field: "pay_password",
                problem: Problem::WrongPassword
            }
        );
        if !is_refusal(e) && !wrong_pay {
            return Ok(());
        }
        let tx = self.store.begin()?;
        let db = tx.db();
        let a = actor.actor();
        match e {
            ServiceError::Denied(f) => record(&db, now, a, "denied", f.code(), action, "")?,
            _ if wrong_pay => {
                if let Some(id) = actor.operator_id {
                    if let Some(op) = operators::by_id(&db, id)? {
                        let f = Failures {
                            count: op.pay_failed,
                            first_ms: op.pay_first_failed_ms,
                            blocked_until_ms: op.pay_blocked_until_ms,
                        }
                        .after_wrong(now);
                        let (count, blocked) = (f.count, f.blocked_until_ms);
                        operators::set_pay_failures(&db, id, count, f.first_ms, blocked)?;
                        record(
                            &db,
                            now,
                            a,
                            "pay_password.wrong",
                            &op.login,
                            &format!("failed={}", op.pay_failed),
                            &format!("failed={count} during={action}"),
                        )?;
                        if let Some(until) = blocked {
                            record(
                                &db,
                                now,
                                a,
                                "pay_password.blocked",
                                &op.login,
                                "",
                                &format!("until={until}"),
                            )?;
                        }
                    }
                }
            }
            other => record(
                &db,
                now,
                a,
                &format!("{action}.refused"),
                actor.part,
                "",
                &refusal_text(other),
            )?,
        }
        tx.commit()?;
        Ok(())
    }
}

/// How a refusal is written in the audit log.
pub(crate) fn refusal_text(e: &ServiceError) -> String {
    match e {
        ServiceError::OutOfScope => "out_of_scope".into(),
        ServiceError::Refused(rule) => format!("rule={rule:?}"),
        ServiceError::PayBlocked { until_ms } => format!("pay_blocked_until={until_ms}"),
        other => format!("{other:?}"),
    }
}

/// The payment password checked before the write lock is taken. argon2 takes tens of
/// milliseconds by design; inside the lock every other workstation would wait that long for
/// each payment (the load test saw the feed starve behind appliers and reviewers). The guard
/// inside the transaction uses this answer only when the hash it reads there is the one checked
/// here, so the decision is the same as if it were made inside.
struct PreChecked {
    hash: String,
    matches: bool,
}

fn pre_check_pay_password(env: &Env, operator_id: i64, pw: &str) -> Option<PreChecked> {
    // A failed read only means the guard checks inside, as it always could.
    let op = operators::by_id(&env.store.read(), operator_id).ok()??;
    let hash = op.pay_password_hash.unwrap_or(op.password_hash);
    let matches = password::verify(&hash, pw);
    Some(PreChecked { hash, matches })
}

/// The ordered guards: the operator is still active, holds the function, and (where asked) typed
/// the payment password, which is not blocked.
fn guards(uc: &mut Uc, needs: Needs, pre: Option<PreChecked>) -> ServiceResult<()> {
    let Some(id) = uc.actor.operator_id else {
        return Ok(());
    };
    let db = uc.tx.db();
    let op = operators::by_id(&db, id)?.ok_or(ServiceError::SessionEnded)?;
    if op.status != crate::domain::operator::OperatorStatus::Active {
        return Err(ServiceError::SessionEnded);
    }
    let functions: BTreeSet<Function> = operators::functions_of(&db, id)?
        .iter()
        .filter_map(|c| Function::from_code(c))
        .collect();
    let scope = operators::group_scope(&db, id)?;
    if !needs.any_of.is_empty() && !needs.any_of.iter().any(|f| functions.contains(f)) {
        return Err(ServiceError::Denied(needs.any_of[0]));
    }
    if let Some(pw) = needs.pay_password {
        if let Some(until) = op.pay_blocked_until_ms.filter(|&u| u > uc.now_ms) {
            return Err(ServiceError::PayBlocked { until_ms: until });
        }
        if pw.is_empty() {
            return Err(ServiceError::Invalid {
                field: "pay_password",
                problem: Problem::Required,
            });
        }
        let hash = op.pay_password_hash.as_ref().unwrap_or(&op.password_hash);
        let matches = match pre {
            Some(p) if &p.hash == hash => p.matches,
            _ => password::verify(hash, pw),
        };
        if !matches {
            return Err(ServiceError::Invalid {
                field: "pay_password",
                problem: Problem::WrongPassword,
            });
        }
        if op.pay_failed > 0 || op.pay_blocked_until_ms.is_some() {
            operators::set_pay_failures(&db, id, 0, None, None)?;
        }
    }
    uc.functions = functions;
    uc.scope = scope;
    Ok(())
}
