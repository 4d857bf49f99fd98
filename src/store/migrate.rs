//! Migrations by `PRAGMA user_version`. Each step runs in one transaction, so an older file is
//! upgraded in place or left as it was.

use crate::store::SqlResult;
use rusqlite::Connection;

use super::{reference, APPLICATION_ID};

type Step = fn(&rusqlite::Transaction) -> SqlResult<()>;

// SQLite's migrations; a PostgreSQL database starts at the baseline schema of `pg.rs` and takes
// the twins of the steps after it.

const STEPS: &[Step] = &[
    v1_schema_and_reference_data,
    v2_rollups_and_downloads,
    v3_refund_events,
    v4_refund_quota_index,
    v5_void_cancels_fee,
    v6_sequences,
    v7_payment_password_block,
    v8_applications_holds_withdrawals,
    v9_payees_and_limits,
    v10_reconciliation,
    v11_fast_refunds,
    v12_transfers,
    v13_transfer_reissue,
    v14_recon_ignore_proposals,
    v15_recon_ignore_limit,
];

pub const LATEST: i32 = STEPS.len() as i32;

pub fn migrate(conn: &mut Connection) -> SqlResult<()> {
    let version: i32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, step) in STEPS.iter().enumerate().skip(version.max(0) as usize) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the lock.
        let now: i32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > i as i32 {
            continue;
        }
        step(&tx)?;
        tx.pragma_update(None, "user_version", i as i32 + 1)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.commit()?;
    }
    Ok(())
}

fn v1_schema_and_reference_data(tx: &rusqlite::Transaction) -> SqlResult<()> {
    tx.execute_batch(include_str!("schema_v1.sql"))?;
    reference::load(&super::Db::lite(tx))
}

fn v2_rollups_and_downloads(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v2.sql"))?)
}

fn v3_refund_events(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v3.sql"))?)
}

fn v4_refund_quota_index(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v4.sql"))?)
}

/// A void cancels its sale's fee; files written before kept it on the voided sale (never counted
/// by a settlement, but summed by the lists that show the sale).
fn v5_void_cancels_fee(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v5.sql"))?)
}

/// Generated numbers (reference numbers) are taken from a counter inside the writing
/// transaction, so any number of writers coexist.
fn v6_sequences(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v6.sql"))?)
}

/// Five wrong payment passwords in a business day block an operator's money actions.
fn v7_payment_password_block(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v7.sql"))?)
}

/// Maker-checker for every kind: applications, holds on the balance, payout fees, bank
/// accounts, withdrawals and reason codes.
fn v8_applications_holds_withdrawals(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v8.sql"))?)
}

/// Payee contacts and the per-merchant withdrawal limits.
fn v9_payees_and_limits(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v9.sql"))?)
}

fn v10_reconciliation(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v10.sql"))?)
}

/// Fast refunds: the per-store switch, the fast refunds and their history.
fn v11_fast_refunds(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v11.sql"))?)
}

/// Transfers: batches of rows under one application, the directory of platform accounts.
fn v12_transfers(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v12.sql"))?)
}

fn v13_transfer_reissue(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v13.sql"))?)
}

/// A second person for large ignores of reconciliation exceptions.
fn v14_recon_ignore_proposals(tx: &rusqlite::Transaction) -> SqlResult<()> {
    Ok(tx.execute_batch(include_str!("schema_v14.sql"))?)
}

/// The ignore limit in force when each exception was ignored. A file made for a while on
/// 2026-12-02 got the column with v14 already: it is added only where it is missing.
fn v15_recon_ignore_limit(tx: &rusqlite::Transaction) -> SqlResult<()> {
    let has: i64 = tx.query_row(
        "SELECT count(*) FROM pragma_table_info('recon_exceptions') WHERE name = 'ignore_limit_fen'",
        [],
        |r| r.get(0),
    )?;
    if has == 0 {
        tx.execute_batch(include_str!("schema_v15.sql"))?;
    }
    Ok(())
}
