//! Operators, roles and their functions, and terminal-group scope.

use super::{allowed, coded, Db};
use crate::domain::operator::OperatorStatus;
use crate::store::sql::{params, OptionalExtension, Row};
use crate::store::SqlResult;

#[derive(Debug, Clone)]
pub struct OperatorRow {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub password_hash: String,
    pub pay_password_hash: Option<String>,
    pub status: OperatorStatus,
    pub must_change_password: bool,
    pub failed_logins: i64,
    pub first_failed_ms: Option<i64>,
    pub locked_until_ms: Option<i64>,
    pub all_groups: bool,
    pub card_serial: Option<String>,
    pub last_login_ms: Option<i64>,
    pub pay_failed: i64,
    pub pay_first_failed_ms: Option<i64>,
    pub pay_blocked_until_ms: Option<i64>,
}

const OPERATOR_COLS: &str = "id, login, display_name, password_hash, pay_password_hash, status,
    must_change_password, failed_logins, first_failed_ms, locked_until_ms, all_groups,
    card_serial, last_login_ms, pay_failed, pay_first_failed_ms, pay_blocked_until_ms";

fn operator_row(r: &Row) -> SqlResult<OperatorRow> {
    Ok(OperatorRow {
        id: r.get(0)?,
        login: r.get(1)?,
        display_name: r.get(2)?,
        password_hash: r.get(3)?,
        pay_password_hash: r.get(4)?,
        status: coded(r, 5)?,
        must_change_password: r.get(6)?,
        failed_logins: r.get(7)?,
        first_failed_ms: r.get(8)?,
        locked_until_ms: r.get(9)?,
        all_groups: r.get(10)?,
        card_serial: r.get(11)?,
        last_login_ms: r.get(12)?,
        pay_failed: r.get(13)?,
        pay_first_failed_ms: r.get(14)?,
        pay_blocked_until_ms: r.get(15)?,
    })
}

pub fn by_login(conn: &Db, login: &str) -> SqlResult<Option<OperatorRow>> {
    conn.prepare_cached(&format!(
        "SELECT {OPERATOR_COLS} FROM operators WHERE lower(login) = lower(?1)"
    ))?
    .query_row([login], operator_row)
    .optional()
}

pub fn by_id(conn: &Db, id: i64) -> SqlResult<Option<OperatorRow>> {
    conn.prepare_cached(&format!(
        "SELECT {OPERATOR_COLS} FROM operators WHERE id = ?1"
    ))?
    .query_row([id], operator_row)
    .optional()
}

pub fn all(conn: &Db) -> SqlResult<Vec<OperatorRow>> {
    let mut st = conn.prepare(&format!(
        "SELECT {OPERATOR_COLS} FROM operators ORDER BY login"
    ))?;
    let v = st.query_map(params![], operator_row)?.collect();
    v
}

pub struct NewOperator<'a> {
    pub login: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub pay_password_hash: Option<&'a str>,
    pub must_change_password: bool,
    pub all_groups: bool,
    pub created_ms: i64,
}

pub fn insert(conn: &Db, op: &NewOperator) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO operators (login, display_name, password_hash, pay_password_hash,
            must_change_password, all_groups, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        op.login,
        op.display_name,
        op.password_hash,
        op.pay_password_hash,
        op.must_change_password,
        op.all_groups,
        op.created_ms
    ])?;
    conn.last_insert_rowid()
}

/// Keeps the count of wrong passwords and, when it is reached, the end of the lockout.
pub fn set_failures(
    conn: &Db,
    id: i64,
    failed_logins: i64,
    first_failed_ms: Option<i64>,
    locked_until_ms: Option<i64>,
) -> SqlResult<()> {
    conn.prepare_cached(
        "UPDATE operators SET failed_logins = ?2, first_failed_ms = ?3, locked_until_ms = ?4
         WHERE id = ?1",
    )?
    .execute(params![id, failed_logins, first_failed_ms, locked_until_ms])?;
    Ok(())
}

pub fn record_login(conn: &Db, id: i64, at_ms: i64) -> SqlResult<()> {
    conn.prepare_cached(
        "UPDATE operators SET failed_logins = 0, first_failed_ms = NULL, locked_until_ms = NULL,
            last_login_ms = ?2 WHERE id = ?1",
    )?
    .execute(params![id, at_ms])?;
    Ok(())
}

pub fn set_password(conn: &Db, id: i64, hash: &str, must_change: bool) -> SqlResult<()> {
    conn.prepare_cached(
        "UPDATE operators SET password_hash = ?2, must_change_password = ?3 WHERE id = ?1",
    )?
    .execute(params![id, hash, must_change])?;
    Ok(())
}

pub fn set_pay_password(conn: &Db, id: i64, hash: &str) -> SqlResult<()> {
    conn.prepare_cached("UPDATE operators SET pay_password_hash = ?2 WHERE id = ?1")?
        .execute(params![id, hash])?;
    Ok(())
}

/// The functions of all of an operator's roles.
pub fn functions_of(conn: &Db, operator_id: i64) -> SqlResult<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT DISTINCT rf.function FROM operator_roles orr
         JOIN role_functions rf ON rf.role_id = orr.role_id
         WHERE orr.operator_id = ?1 ORDER BY rf.function",
    )?;
    let v = st.query_map([operator_id], |r| r.get(0))?.collect();
    v
}

/// (id, name, English name) of an operator's roles.
pub fn roles_of(conn: &Db, operator_id: i64) -> SqlResult<Vec<(i64, String, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT r.id, r.name, r.name_en FROM operator_roles orr JOIN roles r ON r.id = orr.role_id
         WHERE orr.operator_id = ?1 ORDER BY r.id",
    )?;
    let v = st
        .query_map([operator_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect();
    v
}

/// The terminal groups an operator is limited to; `None` when they see every terminal.
pub fn group_scope(conn: &Db, operator_id: i64) -> SqlResult<Option<Vec<i64>>> {
    let all: bool = conn
        .prepare_cached("SELECT all_groups FROM operators WHERE id = ?1")?
        .query_row([operator_id], |r| r.get(0))?;
    if all {
        return Ok(None);
    }
    let mut st = conn.prepare_cached(
        "SELECT group_id FROM operator_groups WHERE operator_id = ?1 ORDER BY group_id",
    )?;
    let v: SqlResult<Vec<i64>> = st.query_map([operator_id], |r| r.get(0))?.collect();
    v.map(Some)
}

pub fn insert_role(
    conn: &Db,
    code: Option<&str>,
    name: &str,
    name_en: &str,
    builtin: bool,
    created_ms: i64,
) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO roles (code, name, name_en, builtin, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![code, name, name_en, builtin, created_ms])?;
    conn.last_insert_rowid()
}

pub fn set_role_functions(conn: &Db, role_id: i64, functions: &[&str]) -> SqlResult<()> {
    conn.prepare_cached("DELETE FROM role_functions WHERE role_id = ?1")?
        .execute([role_id])?;
    let mut st =
        conn.prepare_cached("INSERT INTO role_functions (role_id, function) VALUES (?1, ?2)")?;
    for f in functions {
        st.execute(params![role_id, f])?;
    }
    Ok(())
}

pub fn role_id_by_code(conn: &Db, code: &str) -> SqlResult<Option<i64>> {
    conn.prepare_cached("SELECT id FROM roles WHERE code = ?1")?
        .query_row([code], |r| r.get(0))
        .optional()
}

pub fn set_roles(conn: &Db, operator_id: i64, role_ids: &[i64]) -> SqlResult<()> {
    conn.prepare_cached("DELETE FROM operator_roles WHERE operator_id = ?1")?
        .execute([operator_id])?;
    let mut st =
        conn.prepare_cached("INSERT INTO operator_roles (operator_id, role_id) VALUES (?1, ?2)")?;
    for r in role_ids {
        st.execute(params![operator_id, r])?;
    }
    Ok(())
}

pub fn set_group_scope(conn: &Db, operator_id: i64, groups: Option<&[i64]>) -> SqlResult<()> {
    conn.prepare_cached("DELETE FROM operator_groups WHERE operator_id = ?1")?
        .execute([operator_id])?;
    conn.prepare_cached("UPDATE operators SET all_groups = ?2 WHERE id = ?1")?
        .execute(params![operator_id, groups.is_none()])?;
    if let Some(groups) = groups {
        let mut st = conn.prepare_cached(
            "INSERT INTO operator_groups (operator_id, group_id) VALUES (?1, ?2)",
        )?;
        for g in groups {
            st.execute(params![operator_id, g])?;
        }
    }
    Ok(())
}

pub fn set_display_name(conn: &Db, id: i64, name: &str) -> SqlResult<()> {
    conn.prepare_cached("UPDATE operators SET display_name = ?2 WHERE id = ?1")?
        .execute(params![id, name])?;
    Ok(())
}

/// Changes an operator's status, as the domain allows; false when it was not `from`.
pub fn set_status(conn: &Db, id: i64, from: OperatorStatus, to: OperatorStatus) -> SqlResult<bool> {
    allowed(from, to)?;
    let n = conn
        .prepare_cached("UPDATE operators SET status = ?3 WHERE id = ?1 AND status = ?2")?
        .execute(params![id, from.code(), to.code()])?;
    Ok(n == 1)
}

/// Keeps the count of wrong payment passwords and, when reached, the end of the block.
pub fn set_pay_failures(
    conn: &Db,
    id: i64,
    failed: i64,
    first_failed_ms: Option<i64>,
    blocked_until_ms: Option<i64>,
) -> SqlResult<()> {
    conn.prepare_cached(
        "UPDATE operators SET pay_failed = ?2, pay_first_failed_ms = ?3, pay_blocked_until_ms = ?4
         WHERE id = ?1",
    )?
    .execute(params![id, failed, first_failed_ms, blocked_until_ms])?;
    Ok(())
}

/// Clears the lockout and the count of wrong passwords.
pub fn unlock(conn: &Db, id: i64) -> SqlResult<()> {
    conn.prepare_cached(
        "UPDATE operators SET failed_logins = 0, first_failed_ms = NULL, locked_until_ms = NULL,
            pay_failed = 0, pay_first_failed_ms = NULL, pay_blocked_until_ms = NULL
         WHERE id = ?1",
    )?
    .execute([id])?;
    Ok(())
}

pub fn login_exists(conn: &Db, login: &str) -> SqlResult<bool> {
    conn.prepare_cached("SELECT 1 FROM operators WHERE lower(login) = lower(?1)")?
        .query_row([login], |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
}

/// Logins of the active operators that hold the role with this code.
pub fn active_with_role_code(conn: &Db, code: &str) -> SqlResult<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT o.id FROM operators o JOIN operator_roles orr ON orr.operator_id = o.id
         JOIN roles r ON r.id = orr.role_id
         WHERE r.code = ?1 AND o.status = 'active' ORDER BY o.id",
    )?;
    let v = st.query_map([code], |r| r.get(0))?.collect();
    v
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRow {
    pub id: i64,
    pub code: Option<String>,
    pub name: String,
    pub name_en: String,
    pub builtin: bool,
    pub functions: Vec<String>,
    /// Logins of the operators that hold it.
    pub holders: Vec<String>,
}

pub fn roles(conn: &Db) -> SqlResult<Vec<RoleRow>> {
    let mut st = conn.prepare_cached(
        "SELECT r.id, r.code, r.name, r.name_en, r.builtin,
            (SELECT group_concat(function, ',') FROM (SELECT function FROM role_functions
                WHERE role_id = r.id ORDER BY function) f),
            (SELECT group_concat(login, ',') FROM (SELECT o.login FROM operator_roles orr
                JOIN operators o ON o.id = orr.operator_id WHERE orr.role_id = r.id
                ORDER BY o.login) l)
         FROM roles r ORDER BY r.id",
    )?;
    let split = |s: Option<String>| -> Vec<String> {
        s.map(|s| s.split(',').map(str::to_string).collect())
            .unwrap_or_default()
    };
    let v = st
        .query_map(params![], |r| {
            Ok(RoleRow {
                id: r.get(0)?,
                code: r.get(1)?,
                name: r.get(2)?,
                name_en: r.get(3)?,
                builtin: r.get(4)?,
                functions: split(r.get(5)?),
                holders: split(r.get(6)?),
            })
        })?
        .collect();
    v
}

pub fn role_name_exists(conn: &Db, name: &str, except: i64) -> SqlResult<bool> {
    conn.prepare_cached("SELECT 1 FROM roles WHERE name = ?1 AND id <> ?2")?
        .query_row(params![name, except], |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
}

pub fn rename_role(conn: &Db, id: i64, name: &str) -> SqlResult<()> {
    conn.prepare_cached("UPDATE roles SET name = ?2, name_en = ?2 WHERE id = ?1")?
        .execute(params![id, name])?;
    Ok(())
}

pub fn delete_role(conn: &Db, id: i64) -> SqlResult<()> {
    conn.prepare_cached("DELETE FROM roles WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// (id, name) of the groups an operator is limited to.
pub fn scope_names(conn: &Db, operator_id: i64) -> SqlResult<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT g.name FROM operator_groups og JOIN terminal_groups g ON g.id = og.group_id
         WHERE og.operator_id = ?1 ORDER BY g.id",
    )?;
    let v = st.query_map([operator_id], |r| r.get(0))?.collect();
    v
}
