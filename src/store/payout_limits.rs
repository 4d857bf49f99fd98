//! A store's withdrawal limits (schema v9) and what its withdrawals of a day already take.
//! Portable SQL: numbered placeholders, `coalesce`, every sum cast to BIGINT.

use crate::store::sql::{params, OptionalExtension};
use crate::store::SqlResult;

use super::Db;

/// (single, daily) limits in fen; `None` is no limit.
pub fn withdraw_limits(conn: &Db, merchant_id: i64) -> SqlResult<(Option<i64>, Option<i64>)> {
    Ok(conn
        .prepare_cached(
            "SELECT withdraw_single_fen, withdraw_daily_fen FROM payout_limits
             WHERE merchant_id = ?1",
        )?
        .query_row([merchant_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?
        .unwrap_or((None, None)))
}

pub fn set_withdraw_limits(
    conn: &Db,
    merchant_id: i64,
    single_fen: Option<i64>,
    daily_fen: Option<i64>,
) -> SqlResult<()> {
    conn.prepare_cached(
        "INSERT INTO payout_limits (merchant_id, withdraw_single_fen, withdraw_daily_fen)
         VALUES (?1, ?2, ?3)
         ON CONFLICT (merchant_id) DO UPDATE SET withdraw_single_fen = ?2,
            withdraw_daily_fen = ?3",
    )?
    .execute(params![merchant_id, single_fen, daily_fen])?;
    Ok(())
}

/// The amount of a store's withdrawals applied for in `[from_ms, to_ms)` that still count
/// (pending, processing or paid; not rejected, cancelled, expired or failed).
pub fn withdrawn_between(conn: &Db, merchant_id: i64, from_ms: i64, to_ms: i64) -> SqlResult<i64> {
    conn.prepare_cached(
        "SELECT CAST(coalesce(sum(amount_fen), 0) AS BIGINT) FROM withdrawals
         WHERE merchant_id = ?1 AND created_ms >= ?2 AND created_ms < ?3
           AND status IN ('pending_review', 'processing', 'success')",
    )?
    .query_row(params![merchant_id, from_ms, to_ms], |r| r.get(0))
}
