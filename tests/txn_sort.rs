//! `s` in a transaction list: oldest first, the time column's header says ▲, and the keyset
//! pages read the result in that order from end to end (the first page holds the remainder);
//! then largest amount first (▼ on the amount), smallest first, and back to newest first.

mod common;

use common::TestDb;
use merchant_desk::script::runner::run_tape;
use merchant_desk::service::txn_query::{self, TxnQueryInput, PAGE_SIZE};
use merchant_desk::ui::text::Lang;

fn rrns(screen: &str) -> Vec<String> {
    screen
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 12)
        .map(String::from)
        .collect()
}

#[test]
fn s_sorts_the_transactions_oldest_first_across_pages() {
    let db = TestDb::demo(3, 70);
    let src = r#"Set Width 120
Set Height 36
Now "2026-11-23 10:00"
Type "finance"
Enter
Type "demo1234"
Enter
Wait /最近交易/
Ctrl+P
Type "jycx"
Enter
Type "2026-11-22"
Tab
Type "2026-11-22"
Enter
Wait /第 1\/\d+ 页/
Screenshot newest
Type "s"
Wait /第 1\/\d+ 页/
Screenshot oldest1
PageDown
Wait /第 2\/\d+ 页/
Screenshot oldest2
End
Screenshot oldest_last
Type "s"
Wait /第 1\/\d+ 页/
Screenshot largest1
PageDown
Wait /第 2\/\d+ 页/
Screenshot largest2
Type "s"
Wait /第 1\/\d+ 页/
Screenshot smallest1
Type "s"
Screenshot newest_again
"#;
    let mut out = Vec::new();
    let run = run_tape(src, &db.path, Lang::Zh, None, &mut out).unwrap();
    let shot = |n: &str| {
        run.screenshots
            .iter()
            .find(|(s, _)| s == n)
            .unwrap()
            .1
            .clone()
    };

    let mut env = db.env();
    let s = db.login(&mut env, "finance");
    let input = TxnQueryInput {
        from_date: "2026-11-22".into(),
        to_date: "2026-11-22".into(),
        ..Default::default()
    };
    let f = txn_query::build_filter_in(&env, &input).unwrap();
    let mut all: Vec<String> = txn_query::all_rows(&env, &s, &f, 100_000)
        .unwrap()
        .into_iter()
        .map(|r| r.rrn)
        .collect();
    assert!(all.len() > 2 * PAGE_SIZE, "{}", all.len());
    assert_eq!(rrns(&shot("newest"))[..PAGE_SIZE], all[..PAGE_SIZE]);
    assert!(shot("newest").contains('▼'), "{}", shot("newest"));

    all.reverse();
    let rest = all.len() - (all.len().div_ceil(PAGE_SIZE) - 1) * PAGE_SIZE;
    let one = shot("oldest1");
    assert!(one.contains('▲'), "{one}");
    assert_eq!(rrns(&one)[..rest], all[..rest], "{one}");
    let two = shot("oldest2");
    assert_eq!(
        rrns(&two)[..PAGE_SIZE],
        all[rest..rest + PAGE_SIZE],
        "{two}"
    );
    let last = shot("oldest_last");
    let n = all.len();
    assert_eq!(rrns(&last)[..PAGE_SIZE], all[n - PAGE_SIZE..], "{last}");
    assert!(shot("newest_again").contains('▼'));
    assert_eq!(rrns(&shot("newest_again"))[..PAGE_SIZE], {
        let mut a = all.clone();
        a.reverse();
        a[..PAGE_SIZE].to_vec()
    });

    // By amount: largest first across pages, then smallest first (the remainder first).
    let by_amount = merchant_desk::store::transactions::TxnFilter {
        by_amount: true,
        ..f.clone()
    };
    let mut big: Vec<String> = txn_query::all_rows(&env, &s, &by_amount, 100_000)
        .unwrap()
        .into_iter()
        .map(|r| r.rrn)
        .collect();
    let one = shot("largest1");
    assert_eq!(rrns(&one)[..PAGE_SIZE], big[..PAGE_SIZE], "{one}");
    let two = shot("largest2");
    assert_eq!(
        rrns(&two)[..PAGE_SIZE],
        big[PAGE_SIZE..2 * PAGE_SIZE],
        "{two}"
    );
    big.reverse();
    let small = shot("smallest1");
    assert_eq!(rrns(&small)[..rest], big[..rest], "{small}");
    assert!(small.contains('▲'), "{small}");
}
