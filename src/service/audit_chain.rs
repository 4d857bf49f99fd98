//! Appending to the audit chain: the one writer of audit rows, used by the kernel inside each use
//! case's transaction (and by login, which runs before there is a session).

use crate::domain::audit::{row_hash, AuditContent, GENESIS};
use crate::store::audit::{self as store_audit, AuditRow};
use crate::store::Db;
use crate::store::SqlResult;

/// Who did something: an operator, or the system (a command-line run).
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub operator_id: Option<i64>,
    pub login: &'a str,
    pub workstation: &'a str,
}

/// Appends one row to the chain, inside the caller's transaction.
pub fn record(
    conn: &Db,
    at_ms: i64,
    actor: Actor,
    action: &str,
    target: &str,
    before: &str,
    after: &str,
) -> SqlResult<()> {
    let (last_id, prev) = store_audit::last(conn)?.unwrap_or((0, GENESIS.to_vec()));
    let id = last_id + 1;
    let content = AuditContent {
        id,
        at_ms,
        operator_id: actor.operator_id,
        operator: actor.login,
        workstation: actor.workstation,
        action,
        target,
        before,
        after,
    };
    let hash = row_hash(&prev, &content);
    store_audit::insert(
        conn,
        &AuditRow {
            id,
            at_ms,
            operator_id: actor.operator_id,
            operator: actor.login.to_string(),
            workstation: actor.workstation.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            before: before.to_string(),
            after: after.to_string(),
            prev_hash: prev,
            hash: hash.to_vec(),
        },
    )?;
    // The head of the chain is kept apart, so removing the newest rows is caught as well.
    crate::store::merchants::set_setting(conn, AUDIT_HEAD, &format!("{id}:{}", hex::encode(hash)))
}

pub const AUDIT_HEAD: &str = "audit_head";
