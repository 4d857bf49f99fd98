//! Walks the money screens (settlements, a settlement's transactions, yesterday's transactions,
//! the ledger) at 80×24 and 120×36, in Chinese and English, and checks every money cell on
//! screen against the value the service gives: each must appear whole, on the row it belongs to.

mod common;

use common::TestDb;
use merchant_desk::domain::money::format_fen;
use merchant_desk::script::runner::run_tape;
use merchant_desk::service::settlement_query::{self, SettlementQueryInput};
use merchant_desk::service::txn_query::{self, TxnQueryInput};
use merchant_desk::service::views::PageAt;
use merchant_desk::service::{account, Env, Session};
use merchant_desk::ui::text::Lang;

const SIZES: &[(u16, u16)] = &[(80, 24), (120, 36)];

/// The tokens of a screen line: split at spaces and box borders.
fn tokens(line: &str) -> Vec<&str> {
    line.split(|c: char| c.is_whitespace() || "│┌┐└┘─›".contains(c))
        .filter(|t| !t.is_empty())
        .collect()
}

fn screens(db: &TestDb, w: u16, h: u16, lang: Lang) -> Vec<(String, String)> {
    let src = format!(
        r#"Set Width {w}
Set Height {h}
Now "2026-11-23 10:00"
Type "admin"
Enter
Type "demo1234"
Enter
Wait /最近交易|Recent transactions/
Ctrl+P
Type "jscx"
Enter
Type "2026-11-20"
Enter
Wait /合计|Total/
Screenshot settlements
Enter
Wait+Screen /净额|net/
Screenshot settlement_txns
Escape 2
Ctrl+P
Type "zrjymx"
Enter
Wait /1\/\d/
Screenshot yesterday
Escape 2
Ctrl+P
Type "szmx"
Enter
Wait /收支明细|Ledger|ledger/
Screenshot ledger
"#
    );
    let copy = match merchant_desk::store::testing::postgres_under_test() {
        None => {
            let copy = db.dir.path().join(format!("walk-{w}-{lang:?}.sqlite3"));
            std::fs::copy(&db.path, &copy).unwrap();
            copy
        }
        Some(_) => merchant_desk::store::testing::copy_database(&db.path, db.dir.path()),
    };
    let mut out = Vec::new();
    match run_tape(&src, &copy, lang, None, &mut out) {
        Ok(run) => run.screenshots,
        Err(e) => panic!("{w}x{h} {lang:?}: {e:?}"),
    }
}

fn shot<'a>(shots: &'a [(String, String)], name: &str) -> &'a str {
    &shots.iter().find(|(n, _)| n == name).unwrap().1
}

/// The line holding `key` as a whole token.
fn line_with<'a>(screen: &'a str, key: &str) -> Option<&'a str> {
    screen.lines().find(|l| tokens(l).contains(&key))
}

fn check_settlements(env: &Env, s: &Session, screen: &str, lang: Lang, size: (u16, u16)) {
    let input = SettlementQueryInput {
        from_date: "2026-11-20".into(),
        ..Default::default()
    };
    let f = settlement_query::build_filter(env, &input).unwrap();
    let totals = settlement_query::totals(env, s, &f).unwrap();
    let rows = settlement_query::page(env, s, &f, 0).unwrap();
    let total_label = if lang == Lang::Zh { "合计" } else { "Total" };
    let total = screen
        .lines()
        .find(|l| tokens(l).first() == Some(&total_label))
        .unwrap_or_else(|| panic!("{size:?} {lang:?}: no totals row\n{screen}"));
    let t = tokens(total);
    for fen in [totals.trade_fen, totals.net_fen] {
        assert!(
            t.contains(&format_fen(fen).as_str()),
            "{size:?} {lang:?}: total {} not whole in {total:?}",
            format_fen(fen)
        );
    }
    assert!(t.contains(&totals.txn_count.to_string().as_str()));
    // The rows, in order under the header.
    let lines: Vec<&str> = screen.lines().collect();
    let head = lines
        .iter()
        .position(|l| {
            l.contains(if lang == Lang::Zh {
                "结算净额"
            } else {
                "Net"
            })
        })
        .unwrap();
    let shown: Vec<&str> = lines[head + 1..]
        .iter()
        .copied()
        .take_while(|l| tokens(l).first().is_some_and(|t| t.starts_with("2026-")))
        .collect();
    assert!(!shown.is_empty(), "{size:?} {lang:?}: no rows\n{screen}");
    for (line, row) in shown.iter().zip(&rows) {
        let t = tokens(line);
        for fen in [row.trade_fen, row.net_fen] {
            assert!(
                t.contains(&format_fen(fen).as_str()),
                "{size:?} {lang:?}: {} not whole in {line:?}",
                format_fen(fen)
            );
        }
    }
}

fn check_txns(env: &Env, s: &Session, screen: &str, input: &TxnQueryInput, size: (u16, u16)) {
    let f = txn_query::build_filter_in(env, input).unwrap();
    let rows = txn_query::page(env, s, &f, PageAt::First).unwrap();
    let mut seen = 0;
    for r in &rows {
        if let Some(line) = line_with(screen, &r.rrn) {
            seen += 1;
            assert!(
                tokens(line).contains(&format_fen(r.amount_fen).as_str()),
                "{size:?}: {} of {} not whole in {line:?}",
                format_fen(r.amount_fen),
                r.rrn
            );
        }
    }
    assert!(seen >= 5, "{size:?}: only {seen} rows found\n{screen}");
}

#[test]
fn every_money_cell_on_the_money_screens_is_whole_and_the_services_value() {
    let db = TestDb::demo(3, 60);
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    for &(w, h) in SIZES {
        for lang in [Lang::Zh, Lang::En] {
            let shots = screens(&db, w, h, lang);
            if std::env::var_os("SHOW_SCREENS").is_some() {
                for (name, text) in &shots {
                    eprintln!("--- {w}x{h} {lang:?} {name}\n{text}");
                }
            }
            check_settlements(&env, &admin, shot(&shots, "settlements"), lang, (w, h));
            // The first settlement's transactions.
            let input = SettlementQueryInput {
                from_date: "2026-11-20".into(),
                ..Default::default()
            };
            let f = settlement_query::build_filter(&env, &input).unwrap();
            let first = &settlement_query::page(&env, &admin, &f, 0).unwrap()[0];
            let mut tf = txn_query::build_filter_in(&env, &TxnQueryInput::default()).unwrap();
            tf.settlement_id = Some(first.id);
            let rows = txn_query::page(&env, &admin, &tf, PageAt::First).unwrap();
            let screen = shot(&shots, "settlement_txns");
            // The totals under a settlement's transactions equal the settlement row to the fen.
            let net = if lang == Lang::Zh { "净额" } else { "Net" };
            let below: Vec<&str> = screen
                .lines()
                .skip_while(|l| {
                    !l.contains(if lang == Lang::Zh {
                        "计入结算："
                    } else {
                        "Settled:"
                    })
                })
                .take(3)
                .collect();
            let words = below.join("  ");
            let t = tokens(&words);
            let at = t
                .iter()
                .position(|w| *w == net)
                .unwrap_or_else(|| panic!("{w}x{h} {lang:?}: no net under the list\n{screen}"));
            assert_eq!(
                t[at + 1],
                format_fen(first.net_fen),
                "{w}x{h} {lang:?}\n{screen}"
            );
            assert!(t.contains(&format_fen(first.trade_fen).as_str()));
            assert!(t.contains(&format_fen(first.fee_fen).as_str()));
            for r in rows.iter().take(5) {
                let line = line_with(screen, &r.rrn)
                    .unwrap_or_else(|| panic!("{w}x{h} {lang:?}: {} missing\n{screen}", r.rrn));
                assert!(tokens(line).contains(&format_fen(r.amount_fen).as_str()));
            }
            let yesterday = TxnQueryInput {
                from_date: "2026-11-22".into(),
                to_date: "2026-11-22".into(),
                ..Default::default()
            };
            check_txns(&env, &admin, shot(&shots, "yesterday"), &yesterday, (w, h));
            // The ledger of the first merchant: each balance whole on its line.
            let (m, _) = &account::balances(&env, &admin).unwrap()[0];
            let lines = account::ledger(&env, &admin, m.id, None, 10).unwrap();
            let screen = shot(&shots, "ledger");
            for l in lines.iter().take(3) {
                let bal = format_fen(l.balance_fen);
                assert!(
                    line_with(screen, &bal).is_some(),
                    "{w}x{h} {lang:?}: balance {bal} not whole\n{screen}"
                );
            }
        }
    }
}

#[test]
fn the_breakdown_under_a_list_is_its_rows_by_meaning_and_a_settlements_equals_its_row() {
    use merchant_desk::domain::txn::{TxnStatus, TxnType};
    use merchant_desk::store::transactions;
    let db = TestDb::demo(3, 60);
    let mut env = db.env();
    let s = db.login(&mut env, "finance");
    let f = txn_query::build_filter_in(&env, &TxnQueryInput::default()).unwrap();
    let b = txn_query::breakdown(&env, &s, &f).unwrap();
    let rows = transactions::page(&env.store.read(), &f, PageAt::First, 100_000).unwrap();
    let sum = |keep: &dyn Fn(&transactions::TxnRow) -> bool| {
        let v: Vec<_> = rows.iter().filter(|r| keep(r)).collect();
        (v.len() as i64, v.iter().map(|r| r.amount_fen).sum::<i64>())
    };
    let ok = |r: &transactions::TxnRow| r.status == TxnStatus::Success;
    assert_eq!(
        (b.trade_count, b.trade_fen),
        sum(&|r| ok(r) && matches!(r.txn_type, TxnType::Sale | TxnType::Completion))
    );
    assert_eq!(
        (b.refund_count, b.refund_fen),
        sum(&|r| ok(r) && r.txn_type == TxnType::Refund)
    );
    assert_eq!(
        (b.void_count, b.void_fen),
        sum(&|r| ok(r) && r.txn_type == TxnType::Void)
    );
    assert_eq!(
        (b.failed_count, b.failed_fen),
        sum(&|r| matches!(r.status, TxnStatus::Failed | TxnStatus::Reversed))
    );
    // Every settlement: its transactions' breakdown is the row, to the fen (no refund
    // applications are cleared in the demo).
    let all = settlement_query::build_filter(&env, &SettlementQueryInput::default()).unwrap();
    for row in settlement_query::all(&env, &s, &all).unwrap() {
        let mut tf = f.clone();
        tf.settlement_id = Some(row.id);
        let b = txn_query::breakdown(&env, &s, &tf).unwrap();
        assert_eq!(
            (b.trade_fen, b.fee_fen, b.refund_fen, b.net_fen()),
            (row.trade_fen, row.fee_fen, row.refund_fen, row.net_fen),
            "settlement #{}",
            row.id
        );
    }
}
