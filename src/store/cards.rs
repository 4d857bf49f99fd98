//! Cards bound to operators (their public keys, serial and fingerprints) and signed approvals.

use super::Db;
use crate::store::sql::{params, OptionalExtension, Row};
use crate::store::SqlResult;

/// The card bound to an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundCard {
    pub operator_id: i64,
    pub login: String,
    pub serial: String,
    /// 65-byte uncompressed P-256 points.
    pub auth_pubkey: Vec<u8>,
    pub sign_pubkey: Vec<u8>,
    pub auth_fpr: String,
    pub sign_fpr: String,
}

pub struct NewBinding<'a> {
    pub serial: &'a str,
    pub auth_pubkey: &'a [u8],
    pub sign_pubkey: &'a [u8],
    pub auth_fpr: &'a str,
    pub sign_fpr: &'a str,
}

fn bound_card_row(r: &Row) -> SqlResult<BoundCard> {
    Ok(BoundCard {
        operator_id: r.get(0)?,
        login: r.get(1)?,
        serial: r.get(2)?,
        auth_pubkey: r.get(3)?,
        sign_pubkey: r.get(4)?,
        auth_fpr: r.get(5)?,
        sign_fpr: r.get(6)?,
    })
}

const BOUND_COLS: &str = "id, login, card_serial, card_auth_pubkey, card_sign_pubkey,
    card_auth_fpr, card_sign_fpr";

/// The operator's card; `None` when none is bound (or the operator does not exist).
pub fn bound_card(conn: &Db, operator_id: i64) -> SqlResult<Option<BoundCard>> {
    conn.query_row(
        &format!(
            "SELECT {BOUND_COLS} FROM operators WHERE id = ?1 AND card_serial IS NOT NULL
             AND card_auth_pubkey IS NOT NULL AND card_sign_pubkey IS NOT NULL"
        ),
        [operator_id],
        bound_card_row,
    )
    .optional()
}

/// (id, login) of the operator a card serial is bound to.
pub fn operator_by_serial(conn: &Db, serial: &str) -> SqlResult<Option<(i64, String)>> {
    conn.query_row(
        "SELECT id, login FROM operators WHERE card_serial = ?1",
        [serial],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

pub fn bind(conn: &Db, operator_id: i64, b: &NewBinding) -> SqlResult<()> {
    conn.execute(
        "UPDATE operators SET card_serial = ?2, card_auth_pubkey = ?3, card_sign_pubkey = ?4,
            card_auth_fpr = ?5, card_sign_fpr = ?6 WHERE id = ?1",
        params![
            operator_id,
            b.serial,
            b.auth_pubkey,
            b.sign_pubkey,
            b.auth_fpr,
            b.sign_fpr
        ],
    )?;
    Ok(())
}

/// Forgets the operator's card; false when none was bound.
pub fn unbind(conn: &Db, operator_id: i64) -> SqlResult<bool> {
    let n = conn.execute(
        "UPDATE operators SET card_serial = NULL, card_auth_pubkey = NULL,
            card_sign_pubkey = NULL, card_auth_fpr = NULL, card_sign_fpr = NULL
         WHERE id = ?1 AND card_serial IS NOT NULL",
        [operator_id],
    )?;
    Ok(n > 0)
}

pub struct NewApproval<'a> {
    pub kind: &'a str,
    pub operator_id: i64,
    pub payload: &'a [u8],
    pub digest: &'a [u8; 32],
    pub signature: Option<&'a [u8]>,
    pub key_fpr: Option<&'a str>,
    pub created_ms: i64,
}

pub fn insert_approval(conn: &Db, a: &NewApproval) -> SqlResult<i64> {
    conn.execute(
        "INSERT INTO approvals (kind, operator_id, payload, digest, signature, key_fpr, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            a.kind,
            a.operator_id,
            a.payload,
            &a.digest[..],
            a.signature,
            a.key_fpr,
            a.created_ms
        ],
    )?;
    conn.last_insert_rowid()
}

/// An approval with its operator's current sign key (for verification).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRow {
    pub id: i64,
    pub kind: String,
    pub operator_id: i64,
    pub payload: Vec<u8>,
    pub digest: Vec<u8>,
    pub signature: Option<Vec<u8>>,
    pub key_fpr: Option<String>,
    pub created_ms: i64,
    pub operator_login: Option<String>,
    pub operator_sign_pubkey: Option<Vec<u8>>,
    pub operator_sign_fpr: Option<String>,
}

const APPROVAL_SELECT: &str = "SELECT a.id, a.kind, a.operator_id, a.payload, a.digest,
        a.signature, a.key_fpr, a.created_ms, o.login, o.card_sign_pubkey, o.card_sign_fpr
    FROM approvals a LEFT JOIN operators o ON o.id = a.operator_id";

fn approval_row(r: &Row) -> SqlResult<ApprovalRow> {
    Ok(ApprovalRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        operator_id: r.get(2)?,
        payload: r.get(3)?,
        digest: r.get(4)?,
        signature: r.get(5)?,
        key_fpr: r.get(6)?,
        created_ms: r.get(7)?,
        operator_login: r.get(8)?,
        operator_sign_pubkey: r.get(9)?,
        operator_sign_fpr: r.get(10)?,
    })
}

pub fn approval(conn: &Db, id: i64) -> SqlResult<Option<ApprovalRow>> {
    conn.query_row(
        &format!("{APPROVAL_SELECT} WHERE a.id = ?1"),
        [id],
        approval_row,
    )
    .optional()
}

/// Every approval in id order, handed to `f` one at a time; `f` returns false to stop.
pub fn for_each_approval(conn: &Db, mut f: impl FnMut(ApprovalRow) -> bool) -> SqlResult<()> {
    let mut st = conn.prepare(&format!("{APPROVAL_SELECT} ORDER BY a.id"))?;
    let mut rows = st.query(params![])?;
    while let Some(r) = rows.next()? {
        if !f(approval_row(&r)?) {
            break;
        }
    }
    Ok(())
}

/// The `after` texts of the audit rows that recorded card bindings, oldest first: the history
/// of which keys were bound to whom, kept by the hash-chained log.
pub fn binding_history(conn: &Db) -> SqlResult<Vec<String>> {
    let mut st =
        conn.prepare_cached("SELECT after FROM audit_log WHERE action = 'card.bind' ORDER BY id")?;
    let v = st.query_map(params![], |r| r.get(0))?.collect();
    v
}
