//! Merchants, their fee rates, terminals and terminal groups.

use super::Db;
use crate::store::sql::{params, OptionalExtension};
use crate::store::SqlResult;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantRow {
    pub id: i64,
    pub merchant_no: String,
    pub name: String,
    pub name_en: String,
    pub address: String,
    pub refund_mode: String,
    pub daily_refund_quota_fen: i64,
}

pub fn all(conn: &Db) -> SqlResult<Vec<MerchantRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, merchant_no, name, name_en, address, refund_mode, daily_refund_quota_fen
         FROM merchants ORDER BY id",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok(MerchantRow {
                id: r.get(0)?,
                merchant_no: r.get(1)?,
                name: r.get(2)?,
                name_en: r.get(3)?,
                address: r.get(4)?,
                refund_mode: r.get(5)?,
                daily_refund_quota_fen: r.get(6)?,
            })
        })?
        .collect();
    v
}

pub fn insert(
    conn: &Db,
    merchant_no: &str,
    name: &str,
    name_en: &str,
    address: &str,
    created_ms: i64,
) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO merchants (merchant_no, name, name_en, address, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![merchant_no, name, name_en, address, created_ms])?;
    conn.last_insert_rowid()
}

pub fn set_fee_rate(
    conn: &Db,
    merchant_id: i64,
    card_class: &str,
    rate_ppm: i64,
    cap_fen: Option<i64>,
) -> SqlResult<()> {
    conn.prepare_cached(
        "INSERT INTO fee_rates (merchant_id, card_class, rate_ppm, cap_fen) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (merchant_id, card_class) DO UPDATE SET rate_ppm = ?3, cap_fen = ?4",
    )?
    .execute(params![merchant_id, card_class, rate_ppm, cap_fen])?;
    Ok(())
}

/// (merchant id, card class, rate in ppm, cap in fen).
pub type FeeRate = (i64, String, i64, Option<i64>);

/// The fee rates of every merchant.
pub fn fee_rates(conn: &Db) -> SqlResult<Vec<FeeRate>> {
    let mut st =
        conn.prepare_cached("SELECT merchant_id, card_class, rate_ppm, cap_fen FROM fee_rates")?;
    let v = st
        .query_map(params![], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect();
    v
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerminalRow {
    pub id: i64,
    pub terminal_no: String,
    pub merchant_id: i64,
    pub serial_no: String,
    pub name: String,
    pub location: String,
    pub status: crate::domain::txn::TerminalStatus,
    pub group_id: Option<i64>,
}

pub fn terminals(conn: &Db) -> SqlResult<Vec<TerminalRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, terminal_no, merchant_id, serial_no, name, location, status, group_id
         FROM terminals ORDER BY terminal_no",
    )?;
    let v = st
        .query_map(params![], |r| {
            Ok(TerminalRow {
                id: r.get(0)?,
                terminal_no: r.get(1)?,
                merchant_id: r.get(2)?,
                serial_no: r.get(3)?,
                name: r.get(4)?,
                location: r.get(5)?,
                status: super::coded(r, 6)?,
                group_id: r.get(7)?,
            })
        })?
        .collect();
    v
}

pub fn terminal_by_no(conn: &Db, terminal_no: &str) -> SqlResult<Option<i64>> {
    conn.prepare_cached("SELECT id FROM terminals WHERE terminal_no = ?1")?
        .query_row([terminal_no], |r| r.get(0))
        .optional()
}

pub struct NewTerminal<'a> {
    pub terminal_no: &'a str,
    pub merchant_id: i64,
    pub serial_no: &'a str,
    pub name: &'a str,
    pub location: &'a str,
    pub group_id: Option<i64>,
    pub created_ms: i64,
}

pub fn insert_terminal(conn: &Db, t: &NewTerminal) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO terminals (terminal_no, merchant_id, serial_no, name, location, group_id,
            created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        t.terminal_no,
        t.merchant_id,
        t.serial_no,
        t.name,
        t.location,
        t.group_id,
        t.created_ms
    ])?;
    conn.last_insert_rowid()
}

pub fn insert_group(conn: &Db, name: &str, created_ms: i64) -> SqlResult<i64> {
    conn.prepare_cached("INSERT INTO terminal_groups (name, created_ms) VALUES (?1, ?2)")?
        .execute(params![name, created_ms])?;
    conn.last_insert_rowid()
}

/// (id, name, member count) of every terminal group.
pub fn groups(conn: &Db) -> SqlResult<Vec<(i64, String, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT g.id, g.name, (SELECT count(*) FROM terminals t WHERE t.group_id = g.id)
         FROM terminal_groups g ORDER BY g.id",
    )?;
    let v = st
        .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect();
    v
}

pub fn setting(conn: &Db, key: &str) -> SqlResult<Option<String>> {
    conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

pub fn set_setting(conn: &Db, key: &str, value: &str) -> SqlResult<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = ?2",
    )?
    .execute(params![key, value])?;
    Ok(())
}

/// A merchant's balance: the running balance of its newest ledger line.
pub fn balance_fen(conn: &Db, merchant_id: i64) -> SqlResult<i64> {
    conn.prepare_cached(
        "SELECT coalesce((SELECT balance_fen FROM ledger_lines WHERE merchant_id = ?1
            ORDER BY id DESC LIMIT 1), 0)",
    )?
    .query_row([merchant_id], |r| r.get(0))
}

pub fn terminal_by_id(conn: &Db, id: i64) -> SqlResult<Option<TerminalRow>> {
    Ok(terminals(conn)?.into_iter().find(|t| t.id == id))
}

pub fn update_terminal(
    conn: &Db,
    id: i64,
    merchant_id: i64,
    serial_no: &str,
    name: &str,
    location: &str,
) -> SqlResult<()> {
    conn.prepare_cached(
        "UPDATE terminals SET merchant_id = ?2, serial_no = ?3, name = ?4, location = ?5
         WHERE id = ?1",
    )?
    .execute(params![id, merchant_id, serial_no, name, location])?;
    Ok(())
}

/// Enables or disables a terminal, as the domain allows.
pub fn set_terminal_status(
    conn: &Db,
    id: i64,
    from: crate::domain::txn::TerminalStatus,
    to: crate::domain::txn::TerminalStatus,
) -> SqlResult<()> {
    super::allowed(from, to)?;
    conn.prepare_cached("UPDATE terminals SET status = ?3 WHERE id = ?1 AND status = ?2")?
        .execute(params![id, from.code(), to.code()])?;
    Ok(())
}

pub fn set_terminal_group(conn: &Db, id: i64, group: Option<i64>) -> SqlResult<()> {
    conn.prepare_cached("UPDATE terminals SET group_id = ?2 WHERE id = ?1")?
        .execute(params![id, group])?;
    Ok(())
}

pub fn group_name_exists(conn: &Db, name: &str, except: i64) -> SqlResult<bool> {
    conn.prepare_cached("SELECT 1 FROM terminal_groups WHERE name = ?1 AND id <> ?2")?
        .query_row(params![name, except], |_| Ok(()))
        .optional()
        .map(|o| o.is_some())
}

pub fn rename_group(conn: &Db, id: i64, name: &str) -> SqlResult<()> {
    conn.prepare_cached("UPDATE terminal_groups SET name = ?2 WHERE id = ?1")?
        .execute(params![id, name])?;
    Ok(())
}

/// Deletes a group; its terminals go back to no group and operators limited to it lose it.
pub fn delete_group(conn: &Db, id: i64) -> SqlResult<()> {
    conn.prepare_cached("UPDATE terminals SET group_id = NULL WHERE group_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM operator_groups WHERE group_id = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM terminal_groups WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// Logins of the operators limited to a group.
pub fn group_operators(conn: &Db, id: i64) -> SqlResult<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT o.login FROM operator_groups og JOIN operators o ON o.id = og.operator_id
         WHERE og.group_id = ?1 ORDER BY o.login",
    )?;
    let v = st.query_map([id], |r| r.get(0))?.collect();
    v
}

pub fn set_refund_settings(
    conn: &Db,
    merchant_id: i64,
    refund_mode: &str,
    daily_refund_quota_fen: i64,
) -> SqlResult<()> {
    conn.prepare_cached(
        "UPDATE merchants SET refund_mode = ?2, daily_refund_quota_fen = ?3 WHERE id = ?1",
    )?
    .execute(params![merchant_id, refund_mode, daily_refund_quota_fen])?;
    Ok(())
}
