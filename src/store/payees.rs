//! Payee contacts (schema v9) and the reference look-ups their checks need. Portable SQL:
//! numbered placeholders, `coalesce`, `RETURNING id`, no SQLite-only functions.

use crate::store::sql::{params, OptionalExtension, Row};
use crate::store::SqlResult;

use super::{allowed, coded, Db};
use crate::domain::payee::{PayeeKind, PayeeStatus};
use crate::domain::review::HolderType;

/// A payee as stored. The account number is in full: only the service's reveal (after the
/// payment password) hands it to a screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayeeRow {
    pub id: i64,
    pub kind: PayeeKind,
    pub account_name: String,
    pub account_no: String,
    pub holder_type: Option<HolderType>,
    pub bank_code: Option<String>,
    pub bank_zh: String,
    pub bank_en: String,
    pub province_zh: String,
    pub province_en: String,
    pub city_zh: String,
    pub city_en: String,
    pub branch: String,
    pub mobile: String,
    pub remark: String,
    pub status: PayeeStatus,
    pub added_ms: i64,
    pub last_used_ms: Option<i64>,
    pub use_count: i64,
}

const COLS: &str = "y.id, y.kind, y.account_name, y.account_no, y.holder_type, y.bank_code,
    coalesce(k.name_zh, ''), coalesce(k.name_en, ''), coalesce(p.name_zh, ''),
    coalesce(p.name_en, ''), coalesce(c.name_zh, ''), coalesce(c.name_en, ''), y.branch,
    y.mobile, y.remark, y.status, y.added_ms, y.last_used_ms, y.use_count";
const JOINS: &str = "LEFT JOIN banks k ON k.code = y.bank_code
    LEFT JOIN cities c ON c.id = y.city_id
    LEFT JOIN provinces p ON p.code = c.province_code";

fn row(r: &Row) -> SqlResult<PayeeRow> {
    let holder: Option<String> = r.get(4)?;
    Ok(PayeeRow {
        id: r.get(0)?,
        kind: coded(r, 1)?,
        account_name: r.get(2)?,
        account_no: r.get(3)?,
        holder_type: holder.as_deref().and_then(HolderType::from_code),
        bank_code: r.get(5)?,
        bank_zh: r.get(6)?,
        bank_en: r.get(7)?,
        province_zh: r.get(8)?,
        province_en: r.get(9)?,
        city_zh: r.get(10)?,
        city_en: r.get(11)?,
        branch: r.get(12)?,
        mobile: r.get(13)?,
        remark: r.get(14)?,
        status: coded(r, 15)?,
        added_ms: r.get(16)?,
        last_used_ms: r.get(17)?,
        use_count: r.get(18)?,
    })
}

pub struct NewPayee<'a> {
    pub kind: PayeeKind,
    pub account_name: &'a str,
    pub account_no: &'a str,
    pub holder_type: Option<HolderType>,
    pub bank_code: Option<&'a str>,
    pub city_id: Option<i64>,
    pub branch: &'a str,
    pub mobile: &'a str,
    pub remark: &'a str,
    pub added_by: i64,
    pub added_ms: i64,
}

pub fn insert(conn: &Db, p: &NewPayee) -> SqlResult<i64> {
    conn.prepare_cached(
        "INSERT INTO payees (kind, account_name, account_no, holder_type, bank_code, city_id,
            branch, mobile, remark, status, added_by, added_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'active', ?10, ?11)
         RETURNING id",
    )?
    .query_row(
        params![
            p.kind.code(),
            p.account_name,
            p.account_no,
            p.holder_type.map(HolderType::code),
            p.bank_code,
            p.city_id,
            p.branch,
            p.mobile,
            p.remark,
            p.added_by,
            p.added_ms
        ],
        |r| r.get(0),
    )
}

pub fn get(conn: &Db, id: i64) -> SqlResult<Option<PayeeRow>> {
    conn.prepare_cached(&format!(
        "SELECT {COLS} FROM payees y {JOINS} WHERE y.id = ?1"
    ))?
    .query_row([id], row)
    .optional()
}

/// The active payees of a kind, oldest first; a keyword matches the name, the remark or the
/// account number's last four.
pub fn list(conn: &Db, kind: PayeeKind, keyword: &str) -> SqlResult<Vec<PayeeRow>> {
    let kw = keyword.trim();
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLS} FROM payees y {JOINS}
         WHERE y.kind = ?1 AND y.status = 'active'
           AND (?2 = '' OR y.account_name LIKE '%' || ?2 || '%' OR y.remark LIKE '%' || ?2 || '%'
                OR y.account_no LIKE '%' || ?2)
         ORDER BY y.id"
    ))?;
    let v = st.query_map(params![kind.code(), kw], row)?.collect();
    v
}

/// Whether an active payee of the kind has this account number.
pub fn exists(conn: &Db, kind: PayeeKind, account_no: &str) -> SqlResult<bool> {
    conn.prepare_cached(
        "SELECT 1 FROM payees WHERE kind = ?1 AND account_no = ?2 AND status = 'active'",
    )?
    .query_row(params![kind.code(), account_no], |_| Ok(()))
    .optional()
    .map(|o| o.is_some())
}

pub fn active_count(conn: &Db) -> SqlResult<i64> {
    conn.prepare_cached("SELECT count(*) FROM payees WHERE status = 'active'")?
        .query_row(params![], |r| r.get(0))
}

/// Deletes (softly) an active payee; false when it was not active.
pub fn delete(conn: &Db, id: i64, at_ms: i64) -> SqlResult<bool> {
    allowed(PayeeStatus::Active, PayeeStatus::Deleted)?;
    let n = conn
        .prepare_cached(
            "UPDATE payees SET status = 'deleted', deleted_ms = ?2
             WHERE id = ?1 AND status = 'active'",
        )?
        .execute(params![id, at_ms])?;
    Ok(n == 1)
}

/// A province by its Chinese or English name: its code.
pub fn province(conn: &Db, name: &str) -> SqlResult<Option<i64>> {
    conn.prepare_cached("SELECT code FROM provinces WHERE name_zh = ?1 OR name_en = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()
}

/// A city of a province (by the province's code): its id.
pub fn city_in(conn: &Db, province_code: i64, city: &str) -> SqlResult<Option<i64>> {
    conn.prepare_cached(
        "SELECT id FROM cities WHERE province_code = ?1 AND (name_zh = ?2 OR name_en = ?2)",
    )?
    .query_row(params![province_code, city], |r| r.get(0))
    .optional()
}

/// The provinces (中文, English) that have a city of this name, for a mismatch's message.
pub fn provinces_of_city(conn: &Db, city: &str) -> SqlResult<Vec<(String, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT p.name_zh, p.name_en FROM cities c JOIN provinces p ON p.code = c.province_code
         WHERE c.name_zh = ?1 OR c.name_en = ?1 ORDER BY p.code",
    )?;
    let v = st
        .query_map([city], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect();
    v
}

/// A bank by its code, its Chinese or its English name: (code, 中文, English).
pub fn bank(conn: &Db, name: &str) -> SqlResult<Option<(String, String, String)>> {
    conn.prepare_cached(
        "SELECT code, name_zh, name_en FROM banks WHERE code = ?1 OR name_zh = ?1 OR name_en = ?1
         ORDER BY code LIMIT 1",
    )?
    .query_row([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .optional()
}
