//! Reference data from `data/`: card organisations, banks and their BINs, provinces and cities.
//! Loaded by the first migration; the files are embedded in the binary.

use super::Db;
use crate::store::sql::{params, OptionalExtension};
use crate::store::SqlResult;

const CARD_ORGS: &str = include_str!("../../data/card_orgs.csv");
const BANKS: &str = include_str!("../../data/banks.csv");
const CARD_BINS: &str = include_str!("../../data/card_bins.csv");
const REGIONS: &str = include_str!("../../data/regions.csv");

/// Data rows of a simple CSV (header skipped, no quoting), each with its fields trimmed.
fn rows(csv: &str) -> impl Iterator<Item = Vec<&str>> {
    csv.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::trim).collect())
}

pub fn load(conn: &Db) -> SqlResult<()> {
    let mut st = conn.prepare(
        "INSERT INTO card_orgs (code, name_zh, name_en, foreign_card) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for r in rows(CARD_ORGS) {
        st.execute(params![r[0], r[1], r[2], r[3].parse::<i64>().unwrap_or(0)])?;
    }
    let mut st = conn.prepare(
        "INSERT INTO banks (code, name_zh, name_en, fast_refund_credit, fast_refund_debit)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for r in rows(BANKS) {
        st.execute(params![
            r[0],
            r[1],
            r[2],
            r[3].parse::<i64>().unwrap_or(0),
            r[4].parse::<i64>().unwrap_or(0)
        ])?;
    }
    let mut st = conn.prepare(
        "INSERT INTO card_bins (bin, bank_code, card_org, card_type) VALUES (?1, ?2, ?3, ?4)",
    )?;
    for r in rows(CARD_BINS) {
        st.execute(params![r[0], r[1], r[2], r[3]])?;
    }
    let mut prov = conn.prepare(
        "INSERT INTO provinces (code, name_zh, name_en) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?;
    let mut city = conn.prepare(
        "INSERT INTO cities (province_code, name_zh, name_en) VALUES (?1, ?2, ?3)\n         ON CONFLICT DO NOTHING",
    )?;
    for r in rows(REGIONS) {
        let code: i64 = r[0].parse().unwrap_or(0);
        prov.execute(params![code, r[1], r[2]])?;
        city.execute(params![code, r[3], r[4]])?;
    }
    Ok(())
}

#[derive(Debug, Clone)]
pub struct CardBin {
    pub bin: String,
    pub bank_code: String,
    pub card_org: String,
    pub card_type: String,
}

pub fn card_bins(conn: &Db) -> SqlResult<Vec<CardBin>> {
    let mut st =
        conn.prepare("SELECT bin, bank_code, card_org, card_type FROM card_bins ORDER BY bin")?;
    let v = st
        .query_map(params![], |r| {
            Ok(CardBin {
                bin: r.get(0)?,
                bank_code: r.get(1)?,
                card_org: r.get(2)?,
                card_type: r.get(3)?,
            })
        })?
        .collect();
    v
}

/// (code, Chinese name, English name) of every bank of the reference data the first migration
/// loads (the templates list them without a database at hand).
pub fn bank_list() -> Vec<(String, String, String)> {
    rows(BANKS)
        .filter(|r| r.len() >= 3)
        .map(|r| (r[0].to_string(), r[1].to_string(), r[2].to_string()))
        .collect()
}

/// (code, Chinese name, English name) of every bank.
pub fn banks(conn: &Db) -> SqlResult<Vec<(String, String, String)>> {
    let mut st = conn.prepare("SELECT code, name_zh, name_en FROM banks ORDER BY code")?;
    let v = st
        .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect();
    v
}

/// (code, Chinese name, English name) of every card organisation.
pub fn card_orgs(conn: &Db) -> SqlResult<Vec<(String, String, String)>> {
    let mut st = conn.prepare("SELECT code, name_zh, name_en FROM card_orgs ORDER BY rowid")?;
    let v = st
        .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect();
    v
}

pub fn city_count(conn: &Db) -> SqlResult<i64> {
    conn.query_row("SELECT count(*) FROM cities", params![], |r| r.get(0))
}

/// A city's Chinese name and its province's (to show, or fill in again, a stored place).
pub fn place_of(conn: &Db, city_id: i64) -> SqlResult<Option<(String, String)>> {
    conn.prepare_cached(
        "SELECT p.name_zh, c.name_zh FROM cities c JOIN provinces p ON p.code = c.province_code
         WHERE c.id = ?1",
    )?
    .query_row(params![city_id], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()
}
