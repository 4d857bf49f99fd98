//! System management of people (SY1, SY2): roles and their functions, operators, their roles
//! and terminal-group scope, passwords and lockouts. Every operation checks its function here,
//! validates, runs in one transaction and audits the values before and after.

use std::collections::BTreeSet;

use crate::domain::function::{Function, ADMIN_ROLE};
use crate::store::merchants;
use crate::store::operators::{self, NewOperator, RoleRow};

use super::audit::record;
use super::auth::{actor_of, policy};
use super::error::{invalid, Problem, Rule};
use super::password;
use super::session::require;
use super::{Env, ServiceError, ServiceResult, Session};

fn policy_check(env: &Env, field: &'static str, pw: &str) -> ServiceResult<()> {
    use crate::domain::password::PasswordProblem as P;
    policy(env).check(pw).map_err(|p| ServiceError::Invalid {
        field,
        problem: match p {
            P::TooShort(n) => Problem::TooShort(n),
            P::TooLong(n) => Problem::TooLong(n),
            P::HasSpace => Problem::HasSpace,
            P::Mismatch => Problem::Mismatch,
            P::SameAsOld => Problem::SameAsOld,
        },
    })
}

fn clean_name(field: &'static str, name: &str, max: usize) -> ServiceResult<String> {
    let n = name.trim();
    if n.is_empty() {
        return invalid(field, Problem::Required);
    }
    if n.chars().count() > max {
        return invalid(field, Problem::TooLong(max));
    }
    Ok(n.to_string())
}

// ---------------------------------------------------------------- roles

pub fn roles(env: &Env, session: &Session) -> ServiceResult<Vec<RoleRow>> {
    require(env, session, Function::RoleManage)?;
    Ok(operators::roles(&env.store.conn)?)
}

fn role(env: &Env, id: i64) -> ServiceResult<RoleRow> {
    operators::roles(&env.store.conn)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(ServiceError::NotFound)
}

fn codes(functions: &BTreeSet<Function>) -> Vec<&'static str> {
    functions.iter().map(|f| f.code()).collect()
}

pub fn create_role(
    env: &mut Env,
    session: &Session,
    name: &str,
    functions: &BTreeSet<Function>,
) -> ServiceResult<i64> {
    require(env, session, Function::RoleManage)?;
    let name = clean_name("name", name, 32)?;
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    if operators::role_name_exists(&tx, &name, 0)? {
        return invalid("name", Problem::Duplicate);
    }
    let id = operators::insert_role(&tx, None, &name, &name, false, now)?;
    operators::set_role_functions(&tx, id, &codes(functions))?;
    record(
        &tx,
        now,
        actor_of(session, &ws),
        "role.create",
        &name,
        "",
        &codes(functions).join(","),
    )?;
    tx.commit()?;
    Ok(id)
}

pub fn rename_role(env: &mut Env, session: &Session, id: i64, name: &str) -> ServiceResult<()> {
    require(env, session, Function::RoleManage)?;
    let name = clean_name("name", name, 32)?;
    let old = role(env, id)?;
    if old.code.as_deref() == Some(ADMIN_ROLE) {
        return Err(ServiceError::Refused(Rule::AdminRoleFixed));
    }
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    if operators::role_name_exists(&tx, &name, id)? {
        return invalid("name", Problem::Duplicate);
    }
    operators::rename_role(&tx, id, &name)?;
    record(
        &tx,
        now,
        actor_of(session, &ws),
        "role.rename",
        &old.name,
        &old.name,
        &name,
    )?;
    tx.commit()?;
    Ok(())
}

pub fn set_role_functions(
    env: &mut Env,
    session: &Session,
    id: i64,
    functions: &BTreeSet<Function>,
) -> ServiceResult<()> {
    require(env, session, Function::RoleManage)?;
    let old = role(env, id)?;
    if old.code.as_deref() == Some(ADMIN_ROLE) {
        return Err(ServiceError::Refused(Rule::AdminRoleFixed));
    }
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    operators::set_role_functions(&tx, id, &codes(functions))?;
    record(
        &tx,
        now,
        actor_of(session, &ws),
        "role.functions",
        &old.name,
        &old.functions.join(","),
        &codes(functions).join(","),
    )?;
    tx.commit()?;
    Ok(())
}

/// Deletes a custom role no operator holds; otherwise says who holds it.
pub fn delete_role(env: &mut Env, session: &Session, id: i64) -> ServiceResult<()> {
    require(env, session, Function::RoleManage)?;
    let old = role(env, id)?;
    if old.builtin {
        return Err(ServiceError::Refused(Rule::AdminRoleFixed));
    }
    if !old.holders.is_empty() {
        return Err(ServiceError::Refused(Rule::InUse(old.holders)));
    }
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    operators::delete_role(&tx, id)?;
    record(
        &tx,
        now,
        actor_of(session, &ws),
        "role.delete",
        &old.name,
        &old.functions.join(","),
        "",
    )?;
    tx.commit()?;
    Ok(())
}

// ---------------------------------------------------------------- operators

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorView {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub active: bool,
    pub locked: bool,
    pub must_change_password: bool,
    pub role_ids: Vec<i64>,
    pub role_names: Vec<String>,
    pub role_names_en: Vec<String>,
    /// `None`: every terminal group.
    pub scope: Option<Vec<i64>>,
    pub scope_names: Vec<String>,
    pub card_serial: Option<String>,
    pub last_login_ms: Option<i64>,
}

pub fn operators(env: &Env, session: &Session) -> ServiceResult<Vec<OperatorView>> {
    require(env, session, Function::OperatorManage)?;
    let conn = &env.store.conn;
    let now = env.now_ms();
    let mut out = Vec::new();
    for o in operators::all(conn)? {
        let roles = operators::roles_of(conn, o.id)?;
        out.push(OperatorView {
            id: o.id,
            login: o.login,
            display_name: o.display_name,
            active: o.status == "active",
            locked: o.locked_until_ms.is_some_and(|u| u > now),
            must_change_password: o.must_change_password,
            role_ids: roles.iter().map(|r| r.0).collect(),
            role_names: roles.iter().map(|r| r.1.clone()).collect(),
            role_names_en: roles.into_iter().map(|r| r.2).collect(),
            scope: operators::group_scope(conn, o.id)?,
            scope_names: operators::scope_names(conn, o.id)?,
            card_serial: o.card_serial,
            last_login_ms: o.last_login_ms,
        });
    }
    Ok(out)
}

/// What the operator form gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OperatorInput {
    pub login: String,
    pub display_name: String,
    /// The first login password (new operators only); they change it at first login.
    pub password: String,
    /// The first payment password (new operators only); empty: none yet.
    pub pay_password: String,
    pub role_ids: Vec<i64>,
    pub scope: Option<Vec<i64>>,
}

fn check_roles_and_scope(env: &Env, input: &OperatorInput) -> ServiceResult<()> {
    let roles = operators::roles(&env.store.conn)?;
    if input.role_ids.is_empty() {
        return invalid("roles", Problem::Required);
    }
    if input
        .role_ids
        .iter()
        .any(|id| !roles.iter().any(|r| r.id == *id))
    {
        return invalid("roles", Problem::Unknown);
    }
    if let Some(groups) = &input.scope {
        let all = merchants::groups(&env.store.conn)?;
        if groups.is_empty() {
            return invalid("scope", Problem::Required);
        }
        if groups.iter().any(|g| !all.iter().any(|(id, _, _)| id == g)) {
            return invalid("scope", Problem::Unknown);
        }
    }
    Ok(())
}

fn admin_role_id(env: &Env) -> ServiceResult<Option<i64>> {
    Ok(operators::role_id_by_code(&env.store.conn, ADMIN_ROLE)?)
}

fn describe(v: &OperatorView) -> String {
    format!(
        "name={} roles={} scope={} status={}",
        v.display_name,
        v.role_names.join("/"),
        if v.scope.is_none() {
            "all".to_string()
        } else {
            v.scope_names.join("/")
        },
        if v.active { "active" } else { "disabled" }
    )
}

fn view(env: &Env, session: &Session, id: i64) -> ServiceResult<OperatorView> {
    operators(env, session)?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or(ServiceError::NotFound)
}

pub fn create_operator(
    env: &mut Env,
    session: &Session,
    input: &OperatorInput,
) -> ServiceResult<i64> {
    require(env, session, Function::OperatorManage)?;
    let login = input.login.trim();
    if login.is_empty() {
        return invalid("login", Problem::Required);
    }
    if login.len() > 32
        || !login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
    {
        return invalid("login", Problem::BadLogin);
    }
    let name = clean_name("display_name", &input.display_name, 32)?;
    policy_check(env, "password", &input.password)?;
    if !input.pay_password.is_empty() {
        policy_check(env, "pay_password", &input.pay_password)?;
    }
    check_roles_and_scope(env, input)?;
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let hash = password::hash(&input.password);
    let pay = (!input.pay_password.is_empty()).then(|| password::hash(&input.pay_password));
    let tx = env.store.begin()?;
    if operators::login_exists(&tx, login)? {
        return invalid("login", Problem::Duplicate);
    }
    let id = operators::insert(
        &tx,
        &NewOperator {
            login,
            display_name: &name,
            password_hash: &hash,
            pay_password_hash: pay.as_deref(),
            must_change_password: true,
            all_groups: input.scope.is_none(),
            created_ms: now,
        },
    )?;
    operators::set_roles(&tx, id, &input.role_ids)?;
    operators::set_group_scope(&tx, id, input.scope.as_deref())?;
    tx.commit()?;
    let after = describe(&view(env, session, id)?);
    let tx = env.store.begin()?;
    record(
        &tx,
        now,
        actor_of(session, &ws),
        "operator.create",
        login,
        "",
        &after,
    )?;
    tx.commit()?;
    Ok(id)
}

/// Changes the name, roles and scope of an operator.
pub fn update_operator(
    env: &mut Env,
    session: &Session,
    id: i64,
    input: &OperatorInput,
) -> ServiceResult<()> {
    require(env, session, Function::OperatorManage)?;
    let name = clean_name("display_name", &input.display_name, 32)?;
    check_roles_and_scope(env, input)?;
    let before = view(env, session, id)?;
    if let Some(admin) = admin_role_id(env)? {
        let loses_admin = before.role_ids.contains(&admin) && !input.role_ids.contains(&admin);
        let admins = operators::active_with_role_code(&env.store.conn, ADMIN_ROLE)?;
        if loses_admin && before.active && admins.len() <= 1 {
            return Err(ServiceError::Refused(Rule::LastAdmin));
        }
    }
    let now = env.now_ms();
    let ws = env.workstation.clone();
    {
        let tx = env.store.begin()?;
        operators::set_display_name(&tx, id, &name)?;
        operators::set_roles(&tx, id, &input.role_ids)?;
        operators::set_group_scope(&tx, id, input.scope.as_deref())?;
        tx.commit()?;
    }
    let after = view(env, session, id)?;
    let tx = env.store.begin()?;
    record(
        &tx,
        now,
        actor_of(session, &ws),
        "operator.update",
        &before.login,
        &describe(&before),
        &describe(&after),
    )?;
    tx.commit()?;
    Ok(())
}

pub fn set_operator_active(
    env: &mut Env,
    session: &Session,
    id: i64,
    active: bool,
) -> ServiceResult<()> {
    require(env, session, Function::OperatorManage)?;
    let before = view(env, session, id)?;
    if !active {
        if id == session.operator_id {
            return Err(ServiceError::Refused(Rule::SelfDisable));
        }
        let admins = operators::active_with_role_code(&env.store.conn, ADMIN_ROLE)?;
        if admins == [id] {
            return Err(ServiceError::Refused(Rule::LastAdmin));
        }
    }
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let status = if active { "active" } else { "disabled" };
    let tx = env.store.begin()?;
    operators::set_status(&tx, id, status)?;
    record(
        &tx,
        now,
        actor_of(session, &ws),
        if active {
            "operator.enable"
        } else {
            "operator.disable"
        },
        &before.login,
        if before.active { "active" } else { "disabled" },
        status,
    )?;
    tx.commit()?;
    Ok(())
}

/// Sets a new login password that the operator must change at the next login.
pub fn reset_password(
    env: &mut Env,
    session: &Session,
    id: i64,
    new_password: &str,
) -> ServiceResult<()> {
    require(env, session, Function::OperatorManage)?;
    policy_check(env, "password", new_password)?;
    let before = view(env, session, id)?;
    let hash = password::hash(new_password);
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    operators::set_password(&tx, id, &hash, true)?;
    operators::unlock(&tx, id)?;
    record(
        &tx,
        now,
        actor_of(session, &ws),
        "operator.reset_password",
        &before.login,
        "",
        "must_change_password=1",
    )?;
    tx.commit()?;
    Ok(())
}

/// Sets an operator's payment password (B5), e.g. for a new operator or a forgotten one.
pub fn set_pay_password(
    env: &mut Env,
    session: &Session,
    id: i64,
    new_password: &str,
) -> ServiceResult<()> {
    require(env, session, Function::OperatorManage)?;
    policy_check(env, "pay_password", new_password)?;
    let before = view(env, session, id)?;
    let hash = password::hash(new_password);
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    operators::set_pay_password(&tx, id, &hash)?;
    record(
        &tx,
        now,
        actor_of(session, &ws),
        "operator.set_pay_password",
        &before.login,
        "",
        "",
    )?;
    tx.commit()?;
    Ok(())
}

/// Ends a lockout (B2).
pub fn unlock(env: &mut Env, session: &Session, id: i64) -> ServiceResult<()> {
    require(env, session, Function::OperatorManage)?;
    let before = view(env, session, id)?;
    let now = env.now_ms();
    let ws = env.workstation.clone();
    let tx = env.store.begin()?;
    operators::unlock(&tx, id)?;
    record(
        &tx,
        now,
        actor_of(session, &ws),
        "operator.unlock",
        &before.login,
        if before.locked { "locked" } else { "" },
        "",
    )?;
    tx.commit()?;
    Ok(())
}

/// (id, name, English name) of every role, for the operator form.
pub fn role_choices(env: &Env, session: &Session) -> ServiceResult<Vec<(i64, String, String)>> {
    require(env, session, Function::OperatorManage)?;
    Ok(operators::roles(&env.store.conn)?
        .into_iter()
        .map(|r| (r.id, r.name, r.name_en))
        .collect())
}

/// (id, name) of every terminal group, for the operator form.
pub fn group_choices(env: &Env, session: &Session) -> ServiceResult<Vec<(i64, String)>> {
    require(env, session, Function::OperatorManage)?;
    Ok(merchants::groups(&env.store.conn)?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect())
}
