//! The audit log in the operator's language: action codes and before/after fields as words,
//! from `assets/audit.toml` (embedded at build time).

use super::{Lang, T};
use crate::clock::format_ms;
use crate::domain::audit::Fields;
use crate::domain::money::format_fen;

include!(concat!(env!("OUT_DIR"), "/audit_words.rs"));

fn find(table: &[(&str, T)], code: &str) -> Option<T> {
    table
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .map(|i| table[i].1)
}

/// The words of an action code, if the vocabulary has them: the code itself, or a known action
/// with a known ending (`refund.apply.refused`, `login.wrong_password`).
pub fn action_words(code: &str, lang: Lang) -> Option<String> {
    if let Some(t) = find(AUDIT_ACTIONS, code) {
        return Some(t.get(lang).to_string());
    }
    let (base, end) = code.rsplit_once('.')?;
    let base = find(AUDIT_ACTIONS, base)?.get(lang);
    let end = find(AUDIT_SUFFIXES, end)?.get(lang);
    Some(match lang {
        Lang::Zh => format!("{base}{end}"),
        Lang::En => format!("{base} {end}"),
    })
}

/// An action as the audit log shows it: its words, else its code.
pub fn action(code: &str, lang: Lang) -> String {
    action_words(code, lang).unwrap_or_else(|| code.to_string())
}

fn value(name: &str, v: &str, lang: Lang) -> String {
    if name.ends_with("_fen") {
        if let Ok(fen) = v.parse::<i64>() {
            return format_fen(fen);
        }
    }
    if name.ends_with("_ms") || name.ends_with("until") {
        if let Ok(ms) = v.parse::<i64>() {
            return format_ms(ms);
        }
    }
    if let Some(t) = find(AUDIT_VALUES, v) {
        return t.get(lang).to_string();
    }
    if let Some(words) = action_words(v, lang) {
        return words;
    }
    v.to_string()
}

/// A before/after payload (`amount_fen=1000 status=completed`) in words: `金额 10.00，状态 已完成`
/// / `amount 10.00, status completed`. A payload that is not `name=value` pairs shows as it is.
pub fn payload(text: &str, lang: Lang) -> String {
    let fields = Fields::parse(text);
    if fields.pairs().next().is_none() {
        return text.to_string();
    }
    let parts: Vec<String> = fields
        .pairs()
        .map(|(k, v)| {
            let name = find(AUDIT_FIELDS, k).map_or(k, |t| t.get(lang));
            format!("{name} {}", value(k, v, lang))
        })
        .collect();
    parts.join(match lang {
        Lang::Zh => "，",
        Lang::En => ", ",
    })
}

/// The audit log's "action" condition typed as the screen shows actions (`退货`, `Log in`):
/// the common start of the codes whose words start with it (of the kind most of them are),
/// so one prefix finds them; a code typed as such stays; `None` when nothing matches.
pub fn code_prefix_for(typed: &str, lang: Lang) -> Option<String> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    // A code as the services write it (`refund.`) stays a code.
    if AUDIT_ACTIONS.iter().any(|(c, _)| c.starts_with(typed)) {
        return Some(typed.to_string());
    }
    let codes: Vec<&str> = AUDIT_ACTIONS
        .iter()
        .filter(|(_, t)| {
            t.get(lang)
                .to_lowercase()
                .starts_with(&typed.to_lowercase())
        })
        .map(|(c, _)| *c)
        .collect();
    // Codes of one kind share their first part (`refund.`); where the words match several
    // kinds, the kind with the most matches is meant.
    let kind = |c: &str| c.split('.').next().unwrap_or("").to_string();
    let mut best: Option<(usize, String)> = None;
    for c in &codes {
        let n = codes.iter().filter(|d| kind(d) == kind(c)).count();
        if best.as_ref().is_none_or(|(m, _)| n > *m) {
            best = Some((n, kind(c)));
        }
    }
    let (_, k) = best?;
    let group: Vec<&str> = codes.into_iter().filter(|c| kind(c) == k).collect();
    let first = *group.first()?;
    let mut n = first.len();
    for c in &group[1..] {
        n = n.min(
            first
                .bytes()
                .zip(c.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        );
    }
    (n > 0).then(|| first[..n].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_fields_read_as_words() {
        assert_eq!(action("refund.cleared", Lang::Zh), "退货已清算");
        assert_eq!(action("refund.cleared", Lang::En), "Refund cleared");
        assert_eq!(action("refund.apply.refused", Lang::Zh), "申请退货被拒绝");
        assert_eq!(
            action("login.wrong_password", Lang::En),
            "Log in (wrong password)"
        );
        assert_eq!(
            payload("amount_fen=1000 status=completed", Lang::Zh),
            "金额 10.00，状态 已完成"
        );
        assert_eq!(
            payload("merchants=3 txns=300 net_fen=31655620", Lang::En),
            "stores 3, transactions 300, net 316,556.20"
        );
        assert_eq!(
            payload("failed=1 during=refund.apply", Lang::Zh),
            "失败次数 1，操作 申请退货"
        );
        assert_eq!(payload("", Lang::Zh), "");
        assert_eq!(
            code_prefix_for("退货", Lang::Zh).as_deref(),
            Some("refund.")
        );
        assert_eq!(code_prefix_for("登录", Lang::Zh).as_deref(), Some("login"));
        assert_eq!(
            code_prefix_for("refund.", Lang::En).as_deref(),
            Some("refund.")
        );
        assert_eq!(code_prefix_for("Log", Lang::En).as_deref(), Some("login"));
    }

    #[test]
    fn the_tables_are_sorted_for_the_binary_search() {
        for table in [AUDIT_ACTIONS, AUDIT_FIELDS, AUDIT_VALUES, AUDIT_SUFFIXES] {
            assert!(table.windows(2).all(|w| w[0].0 < w[1].0));
        }
    }
}
