//! Proposals to ignore a reconciliation exception above the limit (schema v13): the first
//! person proposes, a different one confirms or rejects. Portable SQL.

use crate::store::sql::{params, OptionalExtension};
use crate::store::SqlResult;

use super::Db;

/// A pending proposal: (id, difference in fen, remark, proposer's id, proposer's login, when).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: i64,
    pub exception_id: i64,
    pub difference_fen: i64,
    pub remark: String,
    pub proposed_by: i64,
    pub proposed_login: String,
    pub proposed_ms: i64,
}

pub fn insert(
    db: &Db,
    exception_id: i64,
    difference_fen: i64,
    remark: &str,
    by: i64,
    ms: i64,
) -> SqlResult<i64> {
    db.prepare_cached(
        "INSERT INTO recon_ignore_proposals (exception_id, difference_fen, remark, proposed_by,
            proposed_ms, status)
         VALUES (?1, ?2, ?3, ?4, ?5, 'pending') RETURNING id",
    )?
    .query_row(params![exception_id, difference_fen, remark, by, ms], |r| {
        r.get(0)
    })
}

/// The pending proposal of an exception, if any.
pub fn pending(db: &Db, exception_id: i64) -> SqlResult<Option<Proposal>> {
    db.prepare_cached(
        "SELECT p.id, p.exception_id, p.difference_fen, p.remark, p.proposed_by, o.login,
            p.proposed_ms
         FROM recon_ignore_proposals p JOIN operators o ON o.id = p.proposed_by
         WHERE p.exception_id = ?1 AND p.status = 'pending'",
    )?
    .query_row(params![exception_id], |r| {
        Ok(Proposal {
            id: r.get(0)?,
            exception_id: r.get(1)?,
            difference_fen: r.get(2)?,
            remark: r.get(3)?,
            proposed_by: r.get(4)?,
            proposed_login: r.get(5)?,
            proposed_ms: r.get(6)?,
        })
    })
    .optional()
}

/// The pending proposals of a run's exceptions.
pub fn pending_of_run(db: &Db, run_id: i64) -> SqlResult<Vec<Proposal>> {
    let mut st = db.prepare_cached(
        "SELECT p.id, p.exception_id, p.difference_fen, p.remark, p.proposed_by, o.login,
            p.proposed_ms
         FROM recon_ignore_proposals p JOIN operators o ON o.id = p.proposed_by
         JOIN recon_exceptions e ON e.id = p.exception_id
         WHERE e.run_id = ?1 AND p.status = 'pending' ORDER BY p.id",
    )?;
    let rows = st.query_map(params![run_id], |r| {
        Ok(Proposal {
            id: r.get(0)?,
            exception_id: r.get(1)?,
            difference_fen: r.get(2)?,
            remark: r.get(3)?,
            proposed_by: r.get(4)?,
            proposed_login: r.get(5)?,
            proposed_ms: r.get(6)?,
        })
    })?;
    rows.collect()
}

/// Confirms or rejects a pending proposal; false when it is not pending (any more).
pub fn decide(db: &Db, id: i64, confirmed: bool, by: i64, ms: i64) -> SqlResult<bool> {
    let n = db.execute(
        "UPDATE recon_ignore_proposals SET status = ?2, decided_by = ?3, decided_ms = ?4
         WHERE id = ?1 AND status = 'pending' AND proposed_by <> ?3",
        params![id, if confirmed { "confirmed" } else { "rejected" }, by, ms],
    )?;
    Ok(n == 1)
}

/// For `check`: exceptions resolved as ignored with a difference above `limit_fen` (the
/// difference as the service reckons it) that no confirmed proposal of another operator backs,
/// by the one who resolved it; and pending proposals on exceptions no longer open.
pub fn integrity(db: &Db, limit_fen: i64) -> SqlResult<(Vec<i64>, Vec<i64>)> {
    let mut st = db.prepare_cached(
        "SELECT e.id FROM recon_exceptions e
         WHERE e.status = 'resolved' AND e.resolution = 'ignored'
           AND (CASE
                  WHEN e.file_fen IS NOT NULL AND e.local_fen IS NOT NULL
                    THEN abs(e.file_fen - e.local_fen)
                  ELSE abs(coalesce(e.file_fen, e.local_fen, 0))
                END) > coalesce(e.ignore_limit_fen, ?1)
           AND e.carried_from IS NULL
           AND NOT EXISTS (SELECT 1 FROM recon_ignore_proposals p
                WHERE p.exception_id = e.id AND p.status = 'confirmed'
                  AND p.decided_by = e.resolved_by AND p.proposed_by <> p.decided_by)
         ORDER BY e.id",
    )?;
    let unbacked = st
        .query_map(params![limit_fen], |r| r.get(0))?
        .collect::<SqlResult<Vec<i64>>>()?;
    let mut st = db.prepare_cached(
        "SELECT p.id FROM recon_ignore_proposals p JOIN recon_exceptions e ON e.id = p.exception_id
         WHERE p.status = 'pending' AND e.status <> 'open' ORDER BY p.id",
    )?;
    let stale = st
        .query_map(params![], |r| r.get(0))?
        .collect::<SqlResult<Vec<i64>>>()?;
    Ok((unbacked, stale))
}

/// The pending proposals of a run's exceptions: (proposal, the exception's category and match
/// key), to carry them onto the same difference of the run that supersedes it.
pub fn pending_keys_of_run(db: &Db, run_id: i64) -> SqlResult<Vec<(i64, Option<String>, String)>> {
    let mut st = db.prepare_cached(
        "SELECT p.id, e.category, e.match_key FROM recon_ignore_proposals p
         JOIN recon_exceptions e ON e.id = p.exception_id
         WHERE e.run_id = ?1 AND p.status = 'pending' ORDER BY p.id",
    )?;
    let v = st
        .query_map(params![run_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect();
    v
}

/// Moves a pending proposal onto another exception (the same difference in a new run).
pub fn move_pending(db: &Db, proposal_id: i64, exception_id: i64) -> SqlResult<()> {
    db.execute(
        "UPDATE recon_ignore_proposals SET exception_id = ?2 WHERE id = ?1 AND status = 'pending'",
        params![proposal_id, exception_id],
    )?;
    Ok(())
}
