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
    Ok(vec![one, once, kept])
}
