//! The audit chain's hash: SHA-256 over the previous row's hash and this row's fields, each
//! length-prefixed so no two different rows can produce the same byte stream.

use sha2::{Digest, Sha256};

pub struct AuditContent<'a> {
    pub id: i64,
    pub at_ms: i64,
    pub operator_id: Option<i64>,
    pub operator: &'a str,
    pub workstation: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub before: &'a str,
    pub after: &'a str,
}

pub fn row_hash(prev_hash: &[u8], c: &AuditContent) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"merchant-desk audit v1\0");
    h.update(prev_hash);
    h.update(c.id.to_be_bytes());
    h.update(c.at_ms.to_be_bytes());
    h.update(c.operator_id.unwrap_or(-1).to_be_bytes());
    for field in [
        c.operator,
        c.workstation,
        c.action,
        c.target,
        c.before,
        c.after,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    h.finalize().into()
}

pub const GENESIS: [u8; 32] = [0u8; 32];
