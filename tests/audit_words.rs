//! Every action the services write to the audit log has words in both languages
//! (`assets/audit.toml`): the Chinese screen never shows a code such as `refund.cleared`.

use merchant_desk::ui::text::audit::{action_words, payload};
use merchant_desk::ui::text::Lang;

fn sources(dir: &str, out: &mut Vec<(String, String)>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(p.to_str().unwrap(), out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push((
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
}

#[test]
fn every_action_code_in_the_services_has_words() {
    let mut files = Vec::new();
    for d in ["src/service", "src/demo", "src/excel"] {
        sources(d, &mut files);
    }
    // Dotted lowercase literals are action codes there (file names aside).
    let code = regex::Regex::new(r#""([a-z][a-z_]*(?:\.[a-z_]+)+)""#).unwrap();
    let mut missing = Vec::new();
    let mut seen = 0;
    for (path, text) in &files {
        for c in code.captures_iter(text) {
            let c = &c[1];
            if [".xml", ".xlsx", ".csv", ".txt", ".toml", ".rels"]
                .iter()
                .any(|e| c.ends_with(e))
            {
                continue;
            }
            seen += 1;
            for lang in [Lang::Zh, Lang::En] {
                if action_words(c, lang).is_none() {
                    missing.push(format!("{path}: {c}"));
                }
            }
        }
    }
    assert!(seen > 50, "the scan found the codes ({seen})");
    // The actions written without a dot, and the endings the services add to them.
    for c in [
        "login",
        "logout",
        "unlock",
        "denied",
        "login.wrong_password",
        "login.unknown_operator",
        "login.disabled",
        "login.locked",
        "unlock.wrong_password",
        "refund.apply.refused",
        "withdrawal.apply.refused",
    ] {
        for lang in [Lang::Zh, Lang::En] {
            if action_words(c, lang).is_none() {
                missing.push(c.to_string());
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "no words for: {missing:#?}");
}

#[test]
fn the_chinese_audit_payload_names_no_field_code() {
    for p in [
        "amount_fen=1000 status=completed",
        "merchants=3 txns=300 net_fen=31655620 refunds_cleared=0 refunds_cleared_fen=0",
        "mode=review quota_fen=500000",
        "failed_logins=4",
        "until=1795000000000",
        "status=pending_review approval=7",
        "password=6..32 idle=10",
    ] {
        let zh = payload(p, Lang::Zh);
        assert!(!zh.chars().any(|c| c == '_' || c == '='), "{p} -> {zh}");
        assert!(
            !zh.split(|c: char| !c.is_ascii_alphabetic())
                .any(|w| w.len() > 1),
            "{p} -> {zh}"
        );
    }
}
