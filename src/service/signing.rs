//! Signed approvals (Y3). A decision (approve or reject a refund, transfer, batch, withdrawal)
//! is written in one canonical byte form, hashed with SHA-256, and signed by slot 9C of the
//! reviewer's card after the PIN; the signature is verified with the key bound to the reviewer
//! before it is kept in `approvals`. Anyone can re-verify every stored approval later
//! (`verify_all`, behind `merchant-desk verify-signatures`).
//!
//! The canonical form (version 1): the tag `merchant-desk/approval/v1`, then the fields in this
//! fixed order, each as a 1-byte name length, the name, a 4-byte big-endian value length and
//! the value. Numbers are 8-byte big-endian two's complement; lists of numbers are their
//! concatenation; text is UTF-8.
//!
//! | name | value |
//! |---|---|
//! | kind | text: `refund`, `transfer`, `batch`, `withdrawal`, ... |
//! | ids | numbers: the ids of what is decided (applications, batch rows) |
//! | amounts_fen | numbers: their amounts in fen |
//! | operator_id | number: the reviewer |
//! | operator | text: the reviewer's login |
//! | at_ms | number: when, milliseconds since 1970 UTC |
//! | decision | text: `approve` or `reject` |
//! | remark | text |

use crate::store::Db;
use crate::store::SqlResult;

use crate::card::keys::{self, fingerprint, sha256};
use crate::card::piv::{self, Slot};
use crate::card::Transport;
use crate::store::cards::{self, ApprovalRow, NewApproval};

use super::card::{binding_field, CardServiceError, CardServiceResult};

pub const PAYLOAD_TAG: &[u8] = b"merchant-desk/approval/v1";

/// What a reviewer decides, as it is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub kind: String,
    pub ids: Vec<i64>,
    pub amounts_fen: Vec<i64>,
    pub operator_id: i64,
    pub operator_login: String,
    pub at_ms: i64,
    pub decision: String,
    pub remark: String,
}

impl Decision {
    /// The decision of the use case's operator, now: approve or reject the items with their
    /// amounts.
    pub(crate) fn by(
        uc: &super::kernel::Uc,
        kind: String,
        ids: Vec<i64>,
        amounts_fen: Vec<i64>,
        approve: bool,
        remark: &str,
    ) -> super::ServiceResult<Decision> {
        Ok(Decision {
            kind,
            ids,
            amounts_fen,
            operator_id: uc.operator()?,
            operator_login: uc.login().to_string(),
            at_ms: uc.now_ms,
            decision: if approve { "approve" } else { "reject" }.into(),
            remark: remark.trim().into(),
        })
    }
}

/// The checks of a reviewer's decision before anything is read: something chosen, a remark
/// when rejecting (K §3.5.1.2), at most 200 characters.
pub(crate) fn check_decision_input(
    items: usize,
    approve: bool,
    remark: &str,
) -> super::ServiceResult<()> {
    use super::{Problem, ServiceError};
    if items == 0 {
        return Err(ServiceError::NotFound);
    }
    if !approve && remark.trim().is_empty() {
        return Err(ServiceError::Invalid {
            field: "remark",
            problem: Problem::Required,
        });
    }
    if remark.chars().count() > 200 {
        return Err(ServiceError::Invalid {
            field: "remark",
            problem: Problem::TooLong(200),
        });
    }
    Ok(())
}

/// What the store keeps with a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedApproval {
    /// The `approvals` row; the decision's own row refers to it (`approval_id`).
    pub id: i64,
    pub payload: Vec<u8>,
    pub digest: [u8; 32],
    pub signature: Vec<u8>,
    pub key_fpr: String,
}

const FIELDS: [&str; 8] = [
    "kind",
    "ids",
    "amounts_fen",
    "operator_id",
    "operator",
    "at_ms",
    "decision",
    "remark",
];

fn put(out: &mut Vec<u8>, name: &str, value: &[u8]) {
    out.push(name.len() as u8);
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(&(value.len() as u32).to_be_bytes());
    out.extend_from_slice(value);
}

fn numbers(v: &[i64]) -> Vec<u8> {
    v.iter().flat_map(|n| n.to_be_bytes()).collect()
}

/// The canonical bytes of a decision (see the module's documentation).
pub fn canonical_payload(d: &Decision) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&(PAYLOAD_TAG.len() as u32).to_be_bytes());
    out.extend_from_slice(PAYLOAD_TAG);
    put(&mut out, FIELDS[0], d.kind.as_bytes());
    put(&mut out, FIELDS[1], &numbers(&d.ids));
    put(&mut out, FIELDS[2], &numbers(&d.amounts_fen));
    put(&mut out, FIELDS[3], &d.operator_id.to_be_bytes());
    put(&mut out, FIELDS[4], d.operator_login.as_bytes());
    put(&mut out, FIELDS[5], &d.at_ms.to_be_bytes());
    put(&mut out, FIELDS[6], d.decision.as_bytes());
    put(&mut out, FIELDS[7], d.remark.as_bytes());
    out
}

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("the payload is cut short".into());
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }

    fn len32(&mut self) -> Result<usize, String> {
        Ok(u32::from_be_bytes(self.take(4)?.try_into().expect("4 bytes")) as usize)
    }
}

/// Reads canonical bytes back; refuses anything that is not exactly that form.
pub fn decode_payload(bytes: &[u8]) -> Result<Decision, String> {
    let mut c = Cursor(bytes);
    let tag_len = c.len32()?;
    if c.take(tag_len)? != PAYLOAD_TAG {
        return Err("the payload is not a version 1 approval".into());
    }
    let mut values: Vec<&[u8]> = Vec::with_capacity(FIELDS.len());
    for name in FIELDS {
        let n = c.take(1)?[0] as usize;
        if c.take(n)? != name.as_bytes() {
            return Err(format!("the payload's field {name} is missing"));
        }
        let len = c.len32()?;
        values.push(c.take(len)?);
    }
    if !c.0.is_empty() {
        return Err("bytes after the payload's last field".into());
    }
    let text = |i: usize| {
        String::from_utf8(values[i].to_vec())
            .map_err(|_| format!("the payload's {} is not UTF-8", FIELDS[i]))
    };
    let nums = |i: usize| -> Result<Vec<i64>, String> {
        if !values[i].len().is_multiple_of(8) {
            return Err(format!(
                "the payload's {} is not a list of numbers",
                FIELDS[i]
            ));
        }
        Ok(values[i]
            .chunks(8)
            .map(|c| i64::from_be_bytes(c.try_into().expect("8 bytes")))
            .collect())
    };
    let num = |i: usize| -> Result<i64, String> {
        match nums(i)?.as_slice() {
            [n] => Ok(*n),
            _ => Err(format!("the payload's {} is not one number", FIELDS[i])),
        }
    };
    Ok(Decision {
        kind: text(0)?,
        ids: nums(1)?,
        amounts_fen: nums(2)?,
        operator_id: num(3)?,
        operator_login: text(4)?,
        at_ms: num(5)?,
        decision: text(6)?,
        remark: text(7)?,
    })
}

/// Signs a decision with the reviewer's card and keeps it in `approvals`, inside the caller's
/// transaction (`conn`). The PIN is verified right before slot 9C signs; the signature is
/// checked with the reviewer's bound sign key, so another card is refused (`WrongCard`).
/// The caller writes the decision itself, with its audit row, in the same transaction.
pub fn sign_decision(
    conn: &Db,
    transport: &mut dyn Transport,
    pin: &str,
    decision: &Decision,
) -> CardServiceResult<SignedApproval> {
    let Some(card) = cards::bound_card(conn, decision.operator_id)? else {
        return Err(CardServiceError::NotBound);
    };
    let payload = canonical_payload(decision);
    let digest = sha256(&payload);
    let signature =
        piv::sign_with_pin(transport, pin, Slot::Signature, &digest, &card.sign_pubkey)?;
    let id = cards::insert_approval(
        conn,
        &NewApproval {
            kind: &decision.kind,
            operator_id: decision.operator_id,
            payload: &payload,
            digest: &digest,
            signature: Some(&signature),
            key_fpr: Some(&card.sign_fpr),
            created_ms: decision.at_ms,
        },
    )?;
    Ok(SignedApproval {
        id,
        payload,
        digest,
        signature,
        key_fpr: card.sign_fpr,
    })
}

/// Keeps a decision without a signature, where the policy lets an operator without a card
/// approve; `verify_all` counts it as unsigned.
pub fn record_unsigned(conn: &Db, decision: &Decision) -> SqlResult<i64> {
    let payload = canonical_payload(decision);
    cards::insert_approval(
        conn,
        &NewApproval {
            kind: &decision.kind,
            operator_id: decision.operator_id,
            payload: &payload,
            digest: &sha256(&payload),
            signature: None,
            key_fpr: None,
            created_ms: decision.at_ms,
        },
    )
}

/// The outcome of re-verifying every stored approval.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verification {
    /// Signed approvals whose signature verified.
    pub verified: usize,
    /// Approvals kept without a signature (policy allowed it).
    pub unsigned: Vec<i64>,
    /// (approval id, why it fails).
    pub failures: Vec<(i64, String)>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.failures.is_empty()
    }
}

/// What `merchant-desk verify-signatures` prints: one line per failure, then a summary.
impl std::fmt::Display for Verification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (id, reason) in &self.failures {
            writeln!(f, "approval {id}: FAILED: {reason}")?;
        }
        write!(
            f,
            "{} signatures verified, {} failed, {} approvals unsigned",
            self.verified,
            self.failures.len(),
            self.unsigned.len()
        )
    }
}

/// A sign key that was bound to `operator_id` with fingerprint `fpr`, per the audit log.
fn historic_key(history: &[String], operator_id: i64, fpr: &str) -> Option<Vec<u8>> {
    history.iter().rev().find_map(|after| {
        let op = binding_field(after, "operator_id")?.parse::<i64>().ok()?;
        if op != operator_id || binding_field(after, "sign_fpr")? != fpr {
            return None;
        }
        hex::decode(binding_field(after, "sign_key")?).ok()
    })
}

fn check(row: &ApprovalRow, history: &[String]) -> Result<bool, String> {
    if row.digest.len() != 32 || sha256(&row.payload)[..] != row.digest[..] {
        return Err("its digest is not the SHA-256 of its payload".into());
    }
    let d = decode_payload(&row.payload).map_err(|e| format!("its payload is unreadable: {e}"))?;
    if d.kind != row.kind {
        return Err(format!(
            "its payload is of kind {}, the row says {}",
            d.kind, row.kind
        ));
    }
    if d.operator_id != row.operator_id {
        return Err(format!(
            "its payload names operator {}, the row says {}",
            d.operator_id, row.operator_id
        ));
    }
    let (sig, fpr) = match (&row.signature, &row.key_fpr) {
        (None, None) => return Ok(false),
        (Some(s), Some(f)) => (s, f),
        (None, Some(_)) => return Err("its signature is missing".into()),
        (Some(_), None) => return Err("it names no key".into()),
    };
    let who = row
        .operator_login
        .clone()
        .unwrap_or_else(|| format!("#{}", row.operator_id));
    let key = match (&row.operator_sign_pubkey, &row.operator_sign_fpr) {
        (Some(k), Some(f)) if f == fpr => k.clone(),
        _ => historic_key(history, row.operator_id, fpr)
            .ok_or_else(|| format!("its key {fpr} was never bound to operator {who}"))?,
    };
    if fingerprint(&key) != *fpr {
        return Err(format!("the key bound as {fpr} has another fingerprint"));
    }
    let mut digest = [0u8; 32];
    digest.copy_from_slice(&row.digest);
    keys::verify_digest(&key, &digest, sig).map_err(|e| match e {
        keys::VerifyError::Mismatch => {
            format!("its signature does not verify with {who}'s key {fpr}")
        }
        other => format!("{other}"),
    })?;
    Ok(true)
}

/// Re-verifies every stored approval: digest = SHA-256(payload), the payload matches its row,
/// and the signature verifies with the key bound to its operator (now, or earlier per the
/// audit log's binding records).
pub fn verify_all(store: &crate::store::Store) -> Result<Verification, crate::store::StoreError> {
    let tx = store.begin_read()?;
    let v = verify_all_in(&tx.db())?;
    tx.commit()?;
    Ok(v)
}

fn verify_all_in(conn: &Db) -> SqlResult<Verification> {
    let history = cards::binding_history(conn)?;
    let mut v = Verification::default();
    cards::for_each_approval(conn, |row| {
        match check(&row, &history) {
            Ok(true) => v.verified += 1,
            Ok(false) => v.unsigned.push(row.id),
            Err(reason) => v.failures.push((row.id, reason)),
        }
        true
    })?;
    Ok(v)
}

/// The approval record of a decision, inside the decision's transaction: signed by the
/// reviewer's card (its PIN verified right before slot 9C signs) where the card is needed, else
/// kept unsigned. A card that refuses or is missing refuses the decision: its own error goes to
/// `card_failure` for the screen, and the kernel audits the refusal.
pub(crate) fn approval_of(
    env: &super::Env,
    db: &Db,
    needs_card: bool,
    pin: Option<&str>,
    decision: &Decision,
    card_failure: &mut Option<CardServiceError>,
) -> super::ServiceResult<i64> {
    if !needs_card {
        return Ok(record_unsigned(db, decision)?);
    }
    let signed = match pin {
        None => Err(CardServiceError::PinNeeded),
        Some(pin) => env
            .open_card()
            .map_err(|e| CardServiceError::Card(e.into()))
            .and_then(|mut t| sign_decision(db, &mut *t, pin, decision)),
    };
    match signed {
        Ok(a) => Ok(a.id),
        Err(CardServiceError::Service(e)) => Err(e),
        Err(e) => {
            *card_failure = Some(e);
            Err(super::ServiceError::Refused(super::Rule::CardRefused))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decision() -> Decision {
        Decision {
            kind: "refund".into(),
            ids: vec![7, 9],
            amounts_fen: vec![12_345, -1],
            operator_id: 3,
            operator_login: "checker".into(),
            at_ms: 1_795_000_000_000,
            decision: "approve".into(),
            remark: "顾客退货".into(),
        }
    }

    #[test]
    fn canonical_form_round_trips_and_is_strict() {
        let d = decision();
        let p = canonical_payload(&d);
        assert_eq!(decode_payload(&p), Ok(d.clone()));
        assert!(p.starts_with(b"\x00\x00\x00\x19merchant-desk/approval/v1\x04kind"));
        // Every field changes the bytes.
        let mut e = d.clone();
        e.remark.push(' ');
        assert_ne!(canonical_payload(&e), p);
        let mut e = d.clone();
        e.ids = vec![79];
        assert_ne!(canonical_payload(&e), p);
        // Length prefixes keep field boundaries: moving a character between fields differs.
        let mut a = d.clone();
        a.decision = "approvex".into();
        a.remark = "y".into();
        let mut b = d.clone();
        b.decision = "approve".into();
        b.remark = "xy".into();
        assert_ne!(canonical_payload(&a), canonical_payload(&b));
        let mut longer = p.clone();
        longer.push(0);
        assert!(decode_payload(&longer).is_err());
        assert!(decode_payload(&p[..p.len() - 1]).is_err());
        assert!(decode_payload(b"").is_err());
    }

    #[test]
    fn verification_report() {
        let v = Verification {
            verified: 2,
            unsigned: vec![5],
            failures: vec![(3, "its signature does not verify".into())],
        };
        assert_eq!(
            v.to_string(),
            "approval 3: FAILED: its signature does not verify\n\
             2 signatures verified, 1 failed, 1 approvals unsigned"
        );
        assert!(!v.ok());
    }
}
