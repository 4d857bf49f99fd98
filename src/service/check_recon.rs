//! The invariants of reconciliation, part of `merchant-desk check`: one active run per store
//! and clearing date; no transaction matched by two active runs (a second is a duplicate); each
//! run keeps every row of its file. (Reconciliation never writes money: its tables have no
//! ledger lines to prove.)

use crate::store::recon as q;
use crate::store::Db;
use crate::store::SqlResult;

use super::check::Invariant;

pub(crate) fn invariants(conn: &Db) -> SqlResult<Vec<Invariant>> {
    let (twins, twice, rows) = q::integrity(conn)?;
    let mut one = Invariant::new(
        "recon_one_active_run",
        "each store and clearing date has at most one active reconciliation run",
    );
    twins.into_iter().for_each(|b| one.breach(b));
    let mut once = Invariant::new(
        "recon_matched_once",
        "no transaction is matched by two active reconciliation runs",
    );
    twice.into_iter().for_each(|b| once.breach(b));
    let mut kept = Invariant::new(
        "recon_rows_kept",
        "each reconciliation run keeps every row of its file",
    );
    rows.into_iter().for_each(|b| kept.breach(b));
    // A large ignore had a second person (spec §7.5): every exception resolved as ignored
    // above the limit was confirmed by its resolver on another operator's proposal; no
    // proposal waits on an exception that is no longer open.
    let limit = crate::store::merchants::setting(conn, "recon_ignore_limit_fen")?
        .and_then(|v| v.trim().parse::<i64>().ok())
        .unwrap_or(super::recon_ignore::DEFAULT_LIMIT_FEN);
    let (unbacked, stale) = crate::store::recon_ignore::integrity(conn, limit)?;
    let mut second = Invariant::new(
        "recon_large_ignore_confirmed",
        "every exception ignored above the limit was confirmed by a second operator",
    );
    unbacked
        .into_iter()
        .for_each(|id| second.breach(format!("recon_exception#{id}")));
    let mut waiting = Invariant::new(
        "recon_ignore_proposal_open",
        "a proposal to ignore waits only on an open exception",
    );
    stale
        .into_iter()
        .for_each(|id| waiting.breach(format!("recon_ignore_proposal#{id}")));
    Ok(vec![one, once, kept, second, waiting])
}
