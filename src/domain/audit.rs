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

/// The before/after payload of an audit row: named fields, typed when written and read by the
/// same codec, so `check` never parses free text. Written as `name=value` pairs separated by
/// spaces (the format older rows already have); a value with a space or `=` is kept whole by
/// escaping them (`\s`, `\e`, `\\`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    pub fn new() -> Fields {
        Fields::default()
    }

    pub fn int(mut self, name: &str, v: i64) -> Fields {
        self.0.push((name.into(), v.to_string()));
        self
    }

    pub fn text(mut self, name: &str, v: &str) -> Fields {
        self.0.push((name.into(), v.into()));
        self
    }

    pub fn render(&self) -> String {
        let esc = |s: &str| {
            s.replace('\\', "\\\\")
                .replace(' ', "\\s")
                .replace('=', "\\e")
        };
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={}", esc(v)))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Reads a rendered payload; words without `=` are skipped.
    pub fn parse(s: &str) -> Fields {
        let unesc = |s: &str| {
            let mut out = String::new();
            let mut it = s.chars();
            while let Some(c) = it.next() {
                if c == '\\' {
                    match it.next() {
                        Some('s') => out.push(' '),
                        Some('e') => out.push('='),
                        Some(o) => out.push(o),
                        None => {}
                    }
                } else {
                    out.push(c);
                }
            }
            out
        };
        Fields(
            s.split_whitespace()
                .filter_map(|w| w.split_once('='))
                .map(|(k, v)| (k.to_string(), unesc(v)))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The fields in the order they were written: (name, value).
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn get_int(&self, name: &str) -> Option<i64> {
        self.get(name)?.parse().ok()
    }
}

#[cfg(test)]
mod fields_tests {
    use super::Fields;

    #[test]
    fn round_trip_keeps_spaces_and_equals() {
        let f = Fields::new()
            .int("amount_fen", -1200)
            .text("remark", "a b=c\\d")
            .text("status", "submitted");
        let back = Fields::parse(&f.render());
        assert_eq!(back, f);
        assert_eq!(back.get_int("amount_fen"), Some(-1200));
        assert_eq!(
            Fields::parse("mode=review quota_fen=500").get_int("quota_fen"),
            Some(500)
        );
    }
}
