//! The audit log, a hash chain: each row keeps the SHA-256 of the previous row's hash and its own
//! content (see `domain::audit`).

use super::Db;
use crate::store::sql::{params, OptionalExtension, Row};
use crate::store::SqlResult;

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub id: i64,
    pub at_ms: i64,
    pub operator_id: Option<i64>,
    pub operator: String,
    pub workstation: String,
    pub action: String,
    pub target: String,
    pub before: String,
    pub after: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

pub fn last(conn: &Db) -> SqlResult<Option<(i64, Vec<u8>)>> {
    conn.prepare_cached("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")?
        .query_row(params![], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()
}

pub fn insert(conn: &Db, row: &AuditRow) -> SqlResult<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (id, at_ms, operator_id, operator, workstation, action, target,
            before, after, prev_hash, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        row.id,
        row.at_ms,
        row.operator_id,
        row.operator,
        row.workstation,
        row.action,
        row.target,
        row.before,
        row.after,
        row.prev_hash,
        row.hash
    ])?;
    Ok(())
}

fn audit_row(r: &Row) -> SqlResult<AuditRow> {
    Ok(AuditRow {
        id: r.get(0)?,
        at_ms: r.get(1)?,
        operator_id: r.get(2)?,
        operator: r.get(3)?,
        workstation: r.get(4)?,
        action: r.get(5)?,
        target: r.get(6)?,
        before: r.get(7)?,
        after: r.get(8)?,
        prev_hash: r.get(9)?,
        hash: r.get(10)?,
    })
}

/// Every row in order, handed to `f` one at a time (the log can be long).
pub fn for_each(conn: &Db, mut f: impl FnMut(AuditRow) -> bool) -> SqlResult<()> {
    let mut st = conn.prepare(
        "SELECT id, at_ms, operator_id, operator, workstation, action, target, before, after,
            prev_hash, hash FROM audit_log ORDER BY id",
    )?;
    let mut rows = st.query(params![])?;
    while let Some(r) = rows.next()? {
        let row = audit_row(&r)?;
        if !f(row) {
            break;
        }
    }
    Ok(())
}

/// What the audit screen asks for; rows come newest first, `before_id` pages back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    pub operator: Option<String>,
    /// Matches actions that start with this text (e.g. `login`).
    pub action_prefix: Option<String>,
    pub before_id: Option<i64>,
}

pub fn query(conn: &Db, f: &AuditFilter, limit: usize) -> SqlResult<Vec<AuditRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, at_ms, operator_id, operator, workstation, action, target, before, after,
            prev_hash, hash FROM audit_log
         WHERE (?1 IS NULL OR at_ms >= ?1) AND (?2 IS NULL OR at_ms < ?2)
           AND (?3 IS NULL OR operator = ?3) AND (?4 IS NULL OR substr(action, 1, length(CAST(?4 AS TEXT))) = ?4)
           AND (?5 IS NULL OR id < ?5)
         ORDER BY id DESC LIMIT ?6",
    )?;
    let v = st
        .query_map(
            params![
                f.from_ms,
                f.to_ms,
                f.operator,
                f.action_prefix,
                f.before_id,
                limit as i64
            ],
            audit_row,
        )?
        .collect();
    v
}
