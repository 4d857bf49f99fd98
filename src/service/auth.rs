//! Login (B1), lockout (B2), unlocking the screen (B3) and changing one's password (B4, B5).

use crate::domain::function::Function;
use crate::domain::password::{
    PasswordPolicy, PasswordProblem, FAILURE_WINDOW_MS, LOCKOUT_MS, MAX_FAILED_LOGINS,
};
use crate::store::{merchants, operators};

use super::audit::{record, Actor};
use super::error::{invalid, Problem};
use super::password;
use super::session::current_functions;
use super::{Env, ServiceError, ServiceResult, Session};

pub fn policy(env: &Env) -> PasswordPolicy {
    let get = |k: &str, d: usize| {
        merchants::setting(&env.store.conn, k)
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let d = PasswordPolicy::default();
    PasswordPolicy {
        min_len: get("password_min_len", d.min_len),
        max_len: get("password_max_len", d.max_len),
    }
}

/// Minutes of no keys before the screen locks (0: never).
pub fn idle_lock_minutes(env: &Env) -> i64 {
    merchants::setting(&env.store.conn, "idle_lock_minutes")
        .ok()
        .flatten()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10)
}

pub fn login(env: &mut Env, login: &str, pw: &str) -> ServiceResult<Session> {
    let op = authenticate(env, login, pw, "login")?;
    let now = env.now_ms();
    let functions = current_functions(&env.store, op.id)?;
    let role_names = operators::roles_of(&env.store.conn, op.id)?
        .into_iter()
        .map(|(_, zh, en)| (zh, en))
        .collect();
    Ok(Session {
        operator_id: op.id,
        login: op.login,
        display_name: op.display_name,
        functions,
        role_names,
        must_change_password: op.must_change_password,
        started_ms: now,
    })
}

/// Checks an operator's password for `purpose` ("login", or "unlock" of a locked screen): the
/// operator must exist, be active and not locked out; a wrong password counts towards the
/// lockout. Every outcome is audited as `<purpose>.<what happened>`, a success as `<purpose>`.
fn authenticate(
    env: &mut Env,
    login: &str,
    pw: &str,
    purpose: &str,
) -> ServiceResult<operators::OperatorRow> {
    let login = login.trim();
    if login.is_empty() {
        return invalid("login", Problem::Required);
    }
    if pw.is_empty() {
        return invalid("password", Problem::Required);
    }
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    let Some(op) = operators::by_login(&tx, login)? else {
        let actor = Actor {
            operator_id: None,
            login,
            workstation: &ws,
        };
        record(
            &tx,
            now,
            actor,
            &format!("{purpose}.unknown_operator"),
            login,
            "",
            "",
        )?;
        tx.commit()?;
        return Err(ServiceError::UnknownOperator);
    };
    let actor = Actor {
        operator_id: Some(op.id),
        login: &op.login,
        workstation: &ws,
    };
    if op.status != "active" {
        record(
            &tx,
            now,
            actor,
            &format!("{purpose}.disabled"),
            &op.login,
            "",
            "",
        )?;
        tx.commit()?;
        return Err(ServiceError::Disabled);
    }
    if let Some(until) = op.locked_until_ms.filter(|&u| u > now) {
        record(
            &tx,
            now,
            actor,
            &format!("{purpose}.locked"),
            &op.login,
            "",
            "",
        )?;
        tx.commit()?;
        return Err(ServiceError::Locked { until_ms: until });
    }
    if !password::verify(&op.password_hash, pw) {
        // Failures count within a day of the first one; an older count starts again.
        let fresh = op
            .first_failed_ms
            .is_none_or(|f| now - f > FAILURE_WINDOW_MS)
            || op.locked_until_ms.is_some();
        let (count, first) = if fresh {
            (1, now)
        } else {
            (op.failed_logins + 1, op.first_failed_ms.unwrap_or(now))
        };
        let locked = (count >= MAX_FAILED_LOGINS).then_some(now + LOCKOUT_MS);
        operators::set_failures(&tx, op.id, count, Some(first), locked)?;
        record(
            &tx,
            now,
            actor,
            &format!("{purpose}.wrong_password"),
            &op.login,
            &format!("failed_logins={}", op.failed_logins),
            &format!("failed_logins={count}"),
        )?;
        if let Some(until) = locked {
            record(
                &tx,
                now,
                actor,
                "operator.locked",
                &op.login,
                "",
                &format!("until={until}"),
            )?;
            tx.commit()?;
            return Err(ServiceError::Locked { until_ms: until });
        }
        tx.commit()?;
        return Err(ServiceError::WrongPassword {
            tries_left: MAX_FAILED_LOGINS - count,
        });
    }
    operators::record_login(&tx, op.id, now)?;
    record(&tx, now, actor, purpose, &op.login, "", "")?;
    tx.commit()?;
    Ok(op)
}

pub fn logout(env: &mut Env, session: &Session) -> ServiceResult<()> {
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    record(
        &tx,
        now,
        actor_of(session, &ws),
        "logout",
        &session.login,
        "",
        "",
    )?;
    tx.commit()?;
    Ok(())
}

pub fn actor_of<'a>(session: &'a Session, ws: &'a str) -> Actor<'a> {
    Actor {
        operator_id: Some(session.operator_id),
        login: &session.login,
        workstation: ws,
    }
}

/// Unlocks a locked screen: the session's own password. Wrong tries count towards the lockout.
pub fn unlock(env: &mut Env, session: &Session, pw: &str) -> ServiceResult<()> {
    authenticate(env, &session.login, pw, "unlock").map(|_| ())
}

fn policy_problem(p: PasswordProblem) -> Problem {
    match p {
        PasswordProblem::TooShort(n) => Problem::TooShort(n),
        PasswordProblem::TooLong(n) => Problem::TooLong(n),
        PasswordProblem::HasSpace => Problem::HasSpace,
        PasswordProblem::Mismatch => Problem::Mismatch,
        PasswordProblem::SameAsOld => Problem::SameAsOld,
    }
}

/// Which password a change is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Login,
    Payment,
}

/// Changes the session's own login or payment password: the old one once, the new one twice.
/// A payment password that was never set is set with the login password as the "old" one.
pub fn change_password(
    env: &mut Env,
    session: &Session,
    which: Which,
    old: &str,
    new1: &str,
    new2: &str,
) -> ServiceResult<()> {
    if old.is_empty() {
        return invalid("old", Problem::Required);
    }
    let policy = policy(env);
    policy.check(new1).map_err(|p| ServiceError::Invalid {
        field: "new1",
        problem: policy_problem(p),
    })?;
    if new1 != new2 {
        return invalid("new2", Problem::Mismatch);
    }
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    let op = operators::by_id(&tx, session.operator_id)?.ok_or(ServiceError::SessionEnded)?;
    if op.status != "active" {
        return Err(ServiceError::SessionEnded);
    }
    let current = match which {
        Which::Login => op.password_hash.clone(),
        Which::Payment => op
            .pay_password_hash
            .clone()
            .unwrap_or(op.password_hash.clone()),
    };
    if !password::verify(&current, old) {
        record(
            &tx,
            now,
            actor_of(session, &ws),
            "password.change_refused",
            &op.login,
            "",
            "",
        )?;
        tx.commit()?;
        return invalid("old", Problem::WrongPassword);
    }
    if password::verify(&current, new1) {
        return invalid("new1", Problem::SameAsOld);
    }
    let hashed = password::hash(new1);
    let action = match which {
        Which::Login => {
            operators::set_password(&tx, op.id, &hashed, false)?;
            "password.change"
        }
        Which::Payment => {
            operators::set_pay_password(&tx, op.id, &hashed)?;
            "pay_password.change"
        }
    };
    record(&tx, now, actor_of(session, &ws), action, &op.login, "", "")?;
    tx.commit()?;
    Ok(())
}

/// Whether the operator may use a function; the menus ask this, the services enforce it.
pub fn may(session: &Session, f: Function) -> bool {
    session.has(f)
}
