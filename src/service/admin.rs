//! System management of people (SY1, SY2): roles and their functions, operators, their roles
//! and terminal-group scope, passwords and lockouts. Every operation checks its function here,
//! validates, runs in one transaction and audits the values before and after.

use std::collections::BTreeSet;

use crate::domain::function::{Function, ADMIN_ROLE};
use crate::domain::operator::OperatorStatus;
use crate::store::operators::{self, NewOperator, RoleRow};
use crate::store::{merchants, Db};

use super::auth::policy;
use super::error::{invalid, Problem, Rule};
use super::kernel::{Needs, Who};
use super::password;
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
    env.query(
        Who::Operator(session),
        Needs::function(&Function::RoleManage),
        "admin.roles",
        |uc| {
            let tx = uc.db();
            Ok(operators::roles(&tx)?)
        },
    )
}

fn role(env: &Env, id: i64) -> ServiceResult<RoleRow> {
    operators::roles(&env.store.read())?
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
    env.act(
        Who::Operator(session),
        Needs::function(&Function::RoleManage),
        "role.create",
        |uc| {
            let tx = uc.db();
            let name = clean_name("name", name, 32)?;
            if operators::role_name_exists(&tx, &name, 0)? {
                return invalid("name", Problem::Duplicate);
            }
            let id = operators::insert_role(&tx, None, &name, &name, false, uc.now_ms)?;
            operators::set_role_functions(&tx, id, &codes(functions))?;
            uc.audit("role.create", &name, "", &codes(functions).join(","))?;
            Ok(id)
        },
    )
}

pub fn rename_role(env: &mut Env, session: &Session, id: i64, name: &str) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::RoleManage),
        "role.rename",
        |uc| {
            let tx = uc.db();
            let name = clean_name("name", name, 32)?;
            let old = role(env, id)?;
            if old.code.as_deref() == Some(ADMIN_ROLE) {
                return Err(ServiceError::Refused(Rule::AdminRoleFixed));
            }
            if operators::role_name_exists(&tx, &name, id)? {
                return invalid("name", Problem::Duplicate);
            }
            operators::rename_role(&tx, id, &name)?;
            uc.audit("role.rename", &old.name, &old.name, &name)?;
            Ok(())
        },
    )
}

pub fn set_role_functions(
    env: &mut Env,
    session: &Session,
    id: i64,
    functions: &BTreeSet<Function>,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::RoleManage),
        "role.functions",
        |uc| {
            let tx = uc.db();
            let old = role(env, id)?;
            if old.code.as_deref() == Some(ADMIN_ROLE) {
                return Err(ServiceError::Refused(Rule::AdminRoleFixed));
            }
            operators::set_role_functions(&tx, id, &codes(functions))?;
            uc.audit(
                "role.functions",
                &old.name,
                &old.functions.join(","),
                &codes(functions).join(","),
            )?;
            Ok(())
        },
    )
}

/// Deletes a custom role no operator holds; otherwise says who holds it.
pub fn delete_role(env: &mut Env, session: &Session, id: i64) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::RoleManage),
        "role.delete",
        |uc| {
            let tx = uc.db();
            let old = role(env, id)?;
            if old.builtin {
                return Err(ServiceError::Refused(Rule::AdminRoleFixed));
            }
            if !old.holders.is_empty() {
                return Err(ServiceError::Refused(Rule::InUse(old.holders)));
            }
            operators::delete_role(&tx, id)?;
            uc.audit("role.delete", &old.name, &old.functions.join(","), "")?;
            Ok(())
        },
    )
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
    env.query(
        Who::Operator(session),
        Needs::function(&Function::OperatorManage),
        "admin.operators",
        |uc| operators_in(&uc.db(), uc.now_ms),
    )
}

fn operators_in(conn: &Db, now: i64) -> ServiceResult<Vec<OperatorView>> {
    let mut out = Vec::new();
    for o in operators::all(conn)? {
        let roles = operators::roles_of(conn, o.id)?;
        out.push(OperatorView {
            id: o.id,
            login: o.login,
            display_name: o.display_name,
            active: o.status == OperatorStatus::Active,
            locked: o.locked_until_ms.is_some_and(|u| u > now)
                || o.pay_blocked_until_ms.is_some_and(|u| u > now),
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
    let roles = operators::roles(&env.store.read())?;
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
        let all = merchants::groups(&env.store.read())?;
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
    Ok(operators::role_id_by_code(&env.store.read(), ADMIN_ROLE)?)
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

/// One operator as the list shows it, read inside the caller's use case.
fn view(env: &Env, _session: &Session, id: i64) -> ServiceResult<OperatorView> {
    operators_in(&env.store.read(), env.now_ms())?
        .into_iter()
        .find(|o| o.id == id)
        .ok_or(ServiceError::NotFound)
}

pub fn create_operator(
    env: &mut Env,
    session: &Session,
    input: &OperatorInput,
) -> ServiceResult<i64> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::OperatorManage),
        "operator.create",
        |uc| {
            let tx = uc.db();
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
            let hash = password::hash(&input.password);
            let pay = (!input.pay_password.is_empty()).then(|| password::hash(&input.pay_password));
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
                    created_ms: uc.now_ms,
                },
            )?;
            operators::set_roles(&tx, id, &input.role_ids)?;
            operators::set_group_scope(&tx, id, input.scope.as_deref())?;
            let after = describe(&view(env, session, id)?);
            uc.audit("operator.create", login, "", &after)?;
            Ok(id)
        },
    )
}

/// Changes the name, roles and scope of an operator.
pub fn update_operator(
    env: &mut Env,
    session: &Session,
    id: i64,
    input: &OperatorInput,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::OperatorManage),
        "operator.update",
        |uc| {
            let tx = uc.db();
            let name = clean_name("display_name", &input.display_name, 32)?;
            check_roles_and_scope(env, input)?;
            let before = view(env, session, id)?;
            if let Some(admin) = admin_role_id(env)? {
                let loses_admin =
                    before.role_ids.contains(&admin) && !input.role_ids.contains(&admin);
                let admins = operators::active_with_role_code(&tx, ADMIN_ROLE)?;
                if loses_admin && before.active && admins.len() <= 1 {
                    return Err(ServiceError::Refused(Rule::LastAdmin));
                }
            }
            operators::set_display_name(&tx, id, &name)?;
            operators::set_roles(&tx, id, &input.role_ids)?;
            operators::set_group_scope(&tx, id, input.scope.as_deref())?;
            let after = view(env, session, id)?;
            uc.audit(
                "operator.update",
                &before.login,
                &describe(&before),
                &describe(&after),
            )?;
            Ok(())
        },
    )
}

pub fn set_operator_active(
    env: &mut Env,
    session: &Session,
    id: i64,
    active: bool,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::OperatorManage),
        "operator.set_active",
        |uc| {
            let tx = uc.db();
            let before = view(env, session, id)?;
            if !active {
                if id == session.operator_id {
                    return Err(ServiceError::Refused(Rule::SelfDisable));
                }
                let admins = operators::active_with_role_code(&tx, ADMIN_ROLE)?;
                if admins == [id] {
                    return Err(ServiceError::Refused(Rule::LastAdmin));
                }
            }
            let (from, to) = if active {
                (OperatorStatus::Disabled, OperatorStatus::Active)
            } else {
                (OperatorStatus::Active, OperatorStatus::Disabled)
            };
            if !operators::set_status(&tx, id, from, to)? {
                // Already in that state: nothing to change, nothing to log.
                return Ok(());
            }
            let status = to.code();
            uc.audit(
                if active {
                    "operator.enable"
                } else {
                    "operator.disable"
                },
                &before.login,
                if before.active { "active" } else { "disabled" },
                status,
            )?;
            Ok(())
        },
    )
}

/// Sets a new login password that the operator must change at the next login.
pub fn reset_password(
    env: &mut Env,
    session: &Session,
    id: i64,
    new_password: &str,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::OperatorManage),
        "operator.reset_password",
        |uc| {
            let tx = uc.db();
            policy_check(env, "password", new_password)?;
            let before = view(env, session, id)?;
            let hash = password::hash(new_password);
            operators::set_password(&tx, id, &hash, true)?;
            operators::unlock(&tx, id)?;
            uc.audit(
                "operator.reset_password",
                &before.login,
                "",
                "must_change_password=1",
            )?;
            Ok(())
        },
    )
}

/// Sets an operator's payment password (B5), e.g. for a new operator or a forgotten one.
pub fn set_pay_password(
    env: &mut Env,
    session: &Session,
    id: i64,
    new_password: &str,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::OperatorManage),
        "operator.set_pay_password",
        |uc| {
            let tx = uc.db();
            policy_check(env, "pay_password", new_password)?;
            let before = view(env, session, id)?;
            let hash = password::hash(new_password);
            operators::set_pay_password(&tx, id, &hash)?;
            uc.audit("operator.set_pay_password", &before.login, "", "")?;
            Ok(())
        },
    )
}

/// Ends a lockout (B2).
pub fn unlock(env: &mut Env, session: &Session, id: i64) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::OperatorManage),
        "operator.unlock",
        |uc| {
            let tx = uc.db();
            let before = view(env, session, id)?;
            operators::unlock(&tx, id)?;
            uc.audit(
                "operator.unlock",
                &before.login,
                if before.locked { "locked" } else { "" },
                "",
            )?;
            Ok(())
        },
    )
}

/// (id, name, English name) of every role, for the operator form.
pub fn role_choices(env: &Env, session: &Session) -> ServiceResult<Vec<(i64, String, String)>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::OperatorManage),
        "admin.role_choices",
        |uc| {
            let tx = uc.db();
            Ok(operators::roles(&tx)?
                .into_iter()
                .map(|r| (r.id, r.name, r.name_en))
                .collect())
        },
    )
}

/// (id, name) of every terminal group, for the operator form.
pub fn group_choices(env: &Env, session: &Session) -> ServiceResult<Vec<(i64, String)>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::OperatorManage),
        "admin.group_choices",
        |uc| {
            let tx = uc.db();
            Ok(merchants::groups(&tx)?
                .into_iter()
                .map(|(id, name, _)| (id, name))
                .collect())
        },
    )
}
