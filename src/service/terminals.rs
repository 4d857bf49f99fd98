//! System management of terminals and terminal groups (SY3, SY4).

use crate::domain::function::Function;
use crate::domain::ids;
use crate::domain::txn::TerminalStatus;
use crate::store::merchants::{self, MerchantRow, NewTerminal, TerminalRow};

use super::error::{invalid, Problem};
use super::kernel::{Needs, Who};
use super::{Env, ServiceError, ServiceResult, Session};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TerminalInput {
    pub terminal_no: String,
    pub merchant_id: i64,
    pub serial_no: String,
    pub name: String,
    pub location: String,
    pub group_id: Option<i64>,
}

pub fn terminals(env: &Env, session: &Session) -> ServiceResult<Vec<TerminalRow>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::TerminalManage),
        "terminals.terminals",
        |uc| {
            let tx = uc.db();
            Ok(merchants::terminals(&tx)?)
        },
    )
}

/// (id, name, member count).
pub fn groups(env: &Env, session: &Session) -> ServiceResult<Vec<(i64, String, i64)>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::TerminalManage),
        "terminals.groups",
        |uc| {
            let tx = uc.db();
            Ok(merchants::groups(&tx)?)
        },
    )
}

/// The merchants, for the terminal form's choice of store.
pub fn merchants_list(env: &Env, session: &Session) -> ServiceResult<Vec<MerchantRow>> {
    env.query(
        Who::Operator(session),
        Needs::function(&Function::TerminalManage),
        "terminals.merchants",
        |uc| Ok(merchants::all(&uc.db())?),
    )
}

fn describe(t: &TerminalRow) -> String {
    format!(
        "merchant={} serial={} name={} location={} status={} group={}",
        t.merchant_id,
        t.serial_no,
        t.name,
        t.location,
        t.status.code(),
        t.group_id.map(|g| g.to_string()).unwrap_or_default()
    )
}

fn check(env: &Env, input: &TerminalInput) -> ServiceResult<()> {
    if !merchants::all(&env.store.read())?
        .iter()
        .any(|m| m.id == input.merchant_id)
    {
        return invalid("merchant", Problem::Unknown);
    }
    if input.name.chars().count() > 32 {
        return invalid("name", Problem::TooLong(32));
    }
    if input.serial_no.chars().count() > 32 {
        return invalid("serial_no", Problem::TooLong(32));
    }
    if let Some(g) = input.group_id {
        if !merchants::groups(&env.store.read())?
            .iter()
            .any(|x| x.0 == g)
        {
            return invalid("group", Problem::Unknown);
        }
    }
    Ok(())
}

pub fn create_terminal(
    env: &mut Env,
    session: &Session,
    input: &TerminalInput,
) -> ServiceResult<i64> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::TerminalManage),
        "terminal.create",
        |uc| {
            let tx = uc.db();
            let no = input.terminal_no.trim();
            if no.is_empty() {
                return invalid("terminal_no", Problem::Required);
            }
            if no.chars().count() != 8 {
                return invalid("terminal_no", Problem::Length(8));
            }
            if !ids::is_terminal_no(no) {
                return invalid("terminal_no", Problem::BadTerminalNo);
            }
            check(env, input)?;
            if merchants::terminal_by_no(&tx, no)?.is_some() {
                return invalid("terminal_no", Problem::Duplicate);
            }
            let id = merchants::insert_terminal(
                &tx,
                &NewTerminal {
                    terminal_no: no,
                    merchant_id: input.merchant_id,
                    serial_no: input.serial_no.trim(),
                    name: input.name.trim(),
                    location: input.location.trim(),
                    group_id: input.group_id,
                    created_ms: uc.now_ms,
                },
            )?;
            let after = merchants::terminal_by_id(&tx, id)?.map(|t| describe(&t));
            uc.audit("terminal.create", no, "", &after.unwrap_or_default())?;
            Ok(id)
        },
    )
}

fn terminal(env: &Env, id: i64) -> ServiceResult<TerminalRow> {
    merchants::terminal_by_id(&env.store.read(), id)?.ok_or(ServiceError::NotFound)
}

pub fn update_terminal(
    env: &mut Env,
    session: &Session,
    id: i64,
    input: &TerminalInput,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::TerminalManage),
        "terminal.update",
        |uc| {
            let tx = uc.db();
            check(env, input)?;
            let before = terminal(env, id)?;
            merchants::update_terminal(
                &tx,
                id,
                input.merchant_id,
                input.serial_no.trim(),
                input.name.trim(),
                input.location.trim(),
            )?;
            merchants::set_terminal_group(&tx, id, input.group_id)?;
            let after = merchants::terminal_by_id(&tx, id)?.map(|t| describe(&t));
            uc.audit(
                "terminal.update",
                &before.terminal_no,
                &describe(&before),
                &after.unwrap_or_default(),
            )?;
            Ok(())
        },
    )
}

pub fn set_terminal_active(
    env: &mut Env,
    session: &Session,
    id: i64,
    active: bool,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::TerminalManage),
        "terminal.set_active",
        |uc| {
            let tx = uc.db();
            let before = terminal(env, id)?;
            let to = if active {
                TerminalStatus::Active
            } else {
                TerminalStatus::Disabled
            };
            if before.status == to {
                return Ok(());
            }
            merchants::set_terminal_status(&tx, id, before.status, to)?;
            let status = to.code();
            uc.audit(
                if active {
                    "terminal.enable"
                } else {
                    "terminal.disable"
                },
                &before.terminal_no,
                before.status.code(),
                status,
            )?;
            Ok(())
        },
    )
}

/// Moves a terminal into a group (or out of every group with `None`).
pub fn move_terminal(
    env: &mut Env,
    session: &Session,
    id: i64,
    group: Option<i64>,
) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::TerminalManage),
        "terminal.move",
        |uc| {
            let tx = uc.db();
            let before = terminal(env, id)?;
            if let Some(g) = group {
                if !merchants::groups(&tx)?.iter().any(|x| x.0 == g) {
                    return invalid("group", Problem::Unknown);
                }
            }
            merchants::set_terminal_group(&tx, id, group)?;
            uc.audit(
                "terminal.move",
                &before.terminal_no,
                &before.group_id.map(|g| g.to_string()).unwrap_or_default(),
                &group.map(|g| g.to_string()).unwrap_or_default(),
            )?;
            Ok(())
        },
    )
}

fn group_name(field: &'static str, name: &str) -> ServiceResult<String> {
    let n = name.trim();
    if n.is_empty() {
        return invalid(field, Problem::Required);
    }
    if n.chars().count() > 32 {
        return invalid(field, Problem::TooLong(32));
    }
    Ok(n.to_string())
}

pub fn create_group(env: &mut Env, session: &Session, name: &str) -> ServiceResult<i64> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::TerminalManage),
        "group.create",
        |uc| {
            let tx = uc.db();
            let name = group_name("name", name)?;
            if merchants::group_name_exists(&tx, &name, 0)? {
                return invalid("name", Problem::Duplicate);
            }
            let id = merchants::insert_group(&tx, &name, uc.now_ms)?;
            uc.audit("group.create", &name, "", &name)?;
            Ok(id)
        },
    )
}

pub fn rename_group(env: &mut Env, session: &Session, id: i64, name: &str) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::TerminalManage),
        "group.rename",
        |uc| {
            let tx = uc.db();
            let name = group_name("name", name)?;
            let old = merchants::groups(&tx)?
                .into_iter()
                .find(|g| g.0 == id)
                .ok_or(ServiceError::NotFound)?;
            if merchants::group_name_exists(&tx, &name, id)? {
                return invalid("name", Problem::Duplicate);
            }
            merchants::rename_group(&tx, id, &name)?;
            uc.audit("group.rename", &old.1, &old.1, &name)?;
            Ok(())
        },
    )
}

/// Deletes a group: its terminals go back to no group. Operators limited to it lose that
/// group; an operator limited to only this group is refused first, naming them.
pub fn delete_group(env: &mut Env, session: &Session, id: i64) -> ServiceResult<()> {
    env.act(
        Who::Operator(session),
        Needs::function(&Function::TerminalManage),
        "group.delete",
        |uc| {
            let tx = uc.db();
            let old = merchants::groups(&tx)?
                .into_iter()
                .find(|g| g.0 == id)
                .ok_or(ServiceError::NotFound)?;
            let limited = merchants::group_operators(&tx, id)?;
            let mut stranded = Vec::new();
            for login in &limited {
                if let Some(op) = crate::store::operators::by_login(&tx, login)? {
                    if crate::store::operators::group_scope(&tx, op.id)?
                        .is_some_and(|g| g.len() == 1)
                    {
                        stranded.push(login.clone());
                    }
                }
            }
            if !stranded.is_empty() {
                return Err(ServiceError::Refused(super::Rule::InUse(stranded)));
            }
            merchants::delete_group(&tx, id)?;
            uc.audit("group.delete", &old.1, &format!("members={}", old.2), "")?;
            Ok(())
        },
    )
}
