//! Settlement query, the complete transaction query (advanced fields, summaries, slips), the
//! monitor and the feed: results, terminal-group scope per screen's service, and refusals.

mod common;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use common::TestDb;
use merchant_desk::domain::function::Function;
use merchant_desk::domain::txn::{TxnStatus, TxnType};
use merchant_desk::service::settlement_query::{self, SettlementQueryInput};
use merchant_desk::service::slip::{self, SlipError};
use merchant_desk::service::txn_query::{self, AdvancedInput, TxnQueryInput};
use merchant_desk::service::{monitor, summaries, Env, Problem, ServiceError, Session};
use merchant_desk::store::summaries::GroupBy;
use merchant_desk::store::transactions::{self, PageAt, TxnFilter};
use merchant_desk::store::{merchants, operators, Store};

/// Limits `login` to the first terminal group; returns that group's terminal numbers.
fn limit_to_first_group(env: &Env, login: &str) -> Vec<String> {
    let groups = merchants::groups(&env.store.read()).unwrap();
    let g1 = groups[0].0;
    let op = operators::by_login(&env.store.read(), login)
        .unwrap()
        .unwrap();
    operators::set_group_scope(&env.store.read(), op.id, Some(&[g1])).unwrap();
    merchants::terminals(&env.store.read())
        .unwrap()
        .into_iter()
        .filter(|t| t.group_id == Some(g1))
        .map(|t| t.terminal_no)
        .collect()
}

fn days(from: &str, to: &str) -> TxnQueryInput {
    TxnQueryInput {
        from_date: from.into(),
        to_date: to.into(),
        ..Default::default()
    }
}

#[test]
fn rollup_summaries_equal_the_raw_group_by_for_every_rollup_filter() {
    let db = TestDb::demo(6, 150);
    let mut env = db.env();
    let s = db.login(&mut env, "admin");
    let base = txn_query::build_filter(&days("2026-11-19", "2026-11-23")).unwrap();
    let merchant = merchants::all(&env.store.read()).unwrap()[1].id;
    let settlement: i64 = env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT max(id) FROM settlements",
            merchant_desk::store::params![],
            |r| r.get(0),
        )
        .unwrap();
    let filters = vec![
        TxnFilter::default(),
        base.clone(),
        TxnFilter {
            merchant_id: Some(merchant),
            ..base.clone()
        },
        TxnFilter {
            terminal_no: Some("10000005".into()),
            ..base.clone()
        },
        TxnFilter {
            card_org: Some("CUP".into()),
            card_type: Some("credit".into()),
            txn_type: Some("sale".into()),
            status: Some("success".into()),
            ..base.clone()
        },
        TxnFilter {
            settlement_id: Some(settlement),
            ..Default::default()
        },
    ];
    for f in &filters {
        for by in GroupBy::ALL {
            let fast = summaries::summarize(&env, &s, f, by).unwrap();
            assert!(fast.from_rollups, "{f:?} should use the rollups");
            let raw = summaries::summarize_from_rows(&env, &s, f, by).unwrap();
            assert_eq!(fast.rows, raw, "{by:?} of {f:?}");
            let totals = txn_query::totals(&env, &s, f).unwrap();
            let (n, amount, fee, _) = fast.total();
            assert_eq!(
                (n, amount, fee),
                (totals.count, totals.amount_fen, totals.fee_fen)
            );
        }
    }
    // The same holds within a terminal-group scope.
    limit_to_first_group(&env, "admin");
    for by in GroupBy::ALL {
        let fast = summaries::summarize(&env, &s, &base, by).unwrap();
        let raw = summaries::summarize_from_rows(&env, &s, &base, by).unwrap();
        assert_eq!(fast.rows, raw);
    }
}

#[test]
fn row_filters_are_summed_from_the_rows_and_match_the_list() {
    let db = TestDb::demo(3, 150);
    let mut env = db.env();
    let s = db.login(&mut env, "finance");
    let mut input = days("2026-11-21", "2026-11-23");
    input.advanced = AdvancedInput {
        min_amount: "100".into(),
        max_amount: "5,000.00".into(),
        bank: "工商".into(),
        ..Default::default()
    };
    let f = txn_query::build_filter_in(&env, &input).unwrap();
    assert_eq!(f.min_fen, Some(10_000));
    assert_eq!(f.max_fen, Some(500_000));
    assert!(f.bank_code.is_some());
    let sum = summaries::summarize(&env, &s, &f, GroupBy::CardOrg).unwrap();
    assert!(!sum.from_rollups);
    let all = transactions::page(&env.store.read(), &f, PageAt::First, 100_000).unwrap();
    assert!(!all.is_empty());
    assert!(all
        .iter()
        .all(|r| (10_000..=500_000).contains(&r.amount_fen)
            && Some(&r.bank_code) == f.bank_code.as_ref()));
    assert_eq!(sum.total().0, all.len() as i64);
    assert_eq!(sum.total().1, all.iter().map(|r| r.amount_fen).sum::<i64>());
    // Every advanced field narrows the same rows the list shows.
    let one = &all[0];
    let exact = TxnFilter {
        card_last4: Some(one.card_masked[one.card_masked.len() - 4..].to_string()),
        batch_no: Some(one.batch_no.clone()),
        auth_code: Some(one.auth_code.clone()),
        merchant_id: Some(one.merchant_id),
        ..f.clone()
    };
    let rows = txn_query::page(&env, &s, &exact, PageAt::First).unwrap();
    assert!(rows.iter().any(|r| r.id == one.id));
    let sum = summaries::summarize(&env, &s, &exact, GroupBy::Merchant).unwrap();
    assert_eq!(
        sum.total().0,
        txn_query::totals(&env, &s, &exact).unwrap().count
    );
}

#[test]
fn advanced_fields_are_checked_and_named() {
    let db = TestDb::demo(1, 5);
    let env = db.env();
    let bad = |a: AdvancedInput| {
        let input = TxnQueryInput {
            advanced: a,
            ..Default::default()
        };
        match txn_query::build_filter_in(&env, &input) {
            Err(ServiceError::Invalid { field, problem }) => (field, problem),
            other => panic!("expected a refusal, got {other:?}"),
        }
    };
    assert_eq!(
        bad(AdvancedInput {
            card_last4: "12a4".into(),
            ..Default::default()
        }),
        ("card_last4", Problem::Length(4))
    );
    assert_eq!(
        bad(AdvancedInput {
            min_amount: "0.001".into(),
            ..Default::default()
        }),
        ("min_amount", Problem::BadAmount)
    );
    assert_eq!(
        bad(AdvancedInput {
            min_amount: "20".into(),
            max_amount: "10".into(),
            ..Default::default()
        }),
        ("max_amount", Problem::DateOrder)
    );
    assert_eq!(
        bad(AdvancedInput {
            merchant: "鑫源".into(),
            ..Default::default()
        }),
        ("merchant", Problem::Unknown)
    );
    assert_eq!(
        bad(AdvancedInput {
            bank: "no such bank".into(),
            ..Default::default()
        }),
        ("bank", Problem::Unknown)
    );
    let ok = txn_query::build_filter_in(
        &env,
        &TxnQueryInput {
            advanced: AdvancedInput {
                merchant: "徐家汇".into(),
                auth_code: "ab12cd".into(),
                ..Default::default()
            },
            ..Default::default()
        },
    )
    .unwrap();
    assert!(ok.merchant_id.is_some());
    assert_eq!(ok.auth_code.as_deref(), Some("AB12CD"));
}

#[test]
fn settlement_query_lists_totals_and_yesterday() {
    let db = TestDb::demo(5, 100);
    let mut env = db.env();
    let s = db.login(&mut env, "finance");
    let all = settlement_query::build_filter(&env, &SettlementQueryInput::default()).unwrap();
    let totals = settlement_query::totals(&env, &s, &all).unwrap();
    let (n, net): (i64, i64) = env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT count(*), sum(net_fen) FROM settlements",
            merchant_desk::store::params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((totals.settlements, totals.net_fen), (n, net));
    let page = settlement_query::page(&env, &s, &all, 0).unwrap();
    assert_eq!(page.len() as i64, n.min(20));
    assert!(page
        .windows(2)
        .all(|w| w[0].settle_date >= w[1].settle_date));
    // Yesterday's settlements: one per merchant.
    let y = settlement_query::build_filter(
        &env,
        &SettlementQueryInput {
            from_date: "2026-11-22".into(),
            to_date: "2026-11-22".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let rows = settlement_query::page(&env, &s, &y, 0).unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r.settle_date == 20261122));
    // Its transactions are the ones it settled, and add up to its trade amount.
    let one = &rows[0];
    let f = TxnFilter {
        settlement_id: Some(one.id),
        ..Default::default()
    };
    let txns = txn_query::totals(&env, &s, &f).unwrap();
    assert_eq!(txns.count, one.txn_count);
    let captured: i64 = transactions::page(&env.store.read(), &f, PageAt::First, 10_000)
        .unwrap()
        .iter()
        .filter(|r| {
            r.status == TxnStatus::Success
                && (r.txn_type == TxnType::Sale || r.txn_type == TxnType::Completion)
        })
        .map(|r| r.amount_fen)
        .sum();
    assert_eq!(captured, one.trade_fen);
    // A bad date range and an unknown merchant are named.
    assert!(matches!(
        settlement_query::build_filter(
            &env,
            &SettlementQueryInput {
                from_date: "2026-11-22".into(),
                to_date: "2026-11-01".into(),
                ..Default::default()
            }
        ),
        Err(ServiceError::Invalid {
            field: "to_date",
            ..
        })
    ));
    // Nothing matches: an empty page, zero totals.
    let none = settlement_query::build_filter(
        &env,
        &SettlementQueryInput {
            from_date: "2020-01-01".into(),
            to_date: "2020-01-02".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(settlement_query::page(&env, &s, &none, 0)
        .unwrap()
        .is_empty());
    assert_eq!(
        settlement_query::totals(&env, &s, &none)
            .unwrap()
            .settlements,
        0
    );
}

#[test]
fn settlement_query_scope_shows_only_the_groups_share() {
    let db = TestDb::demo(4, 120);
    let mut env = db.env();
    let s = db.login(&mut env, "finance");
    let all = settlement_query::build_filter(&env, &SettlementQueryInput::default()).unwrap();
    let everything = settlement_query::totals(&env, &s, &all).unwrap();
    let mine = limit_to_first_group(&env, "finance");
    let scoped = settlement_query::totals(&env, &s, &all).unwrap();
    assert!(scoped.txn_count < everything.txn_count);
    assert!(scoped.trade_fen < everything.trade_fen);
    for row in settlement_query::page(&env, &s, &all, 0).unwrap() {
        // The figures are those of the scoped transactions of that settlement.
        let f = TxnFilter {
            settlement_id: Some(row.id),
            ..Default::default()
        };
        let rows = txn_query::page(&env, &s, &f, PageAt::First).unwrap();
        assert!(rows.iter().all(|r| mine.contains(&r.terminal_no)));
        assert_eq!(
            txn_query::totals(&env, &s, &f).unwrap().count,
            row.txn_count
        );
        assert_eq!(settlement_query::one(&env, &s, row.id).unwrap(), row);
    }
    // A settlement of a merchant with none of the group's terminals is out of scope.
    let other: i64 = env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT s.id FROM settlements s WHERE NOT EXISTS (SELECT 1 FROM terminals t
             WHERE t.merchant_id = s.merchant_id AND t.terminal_no IN (?1, ?2))",
            [&mine[0], &mine[1]],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        settlement_query::one(&env, &s, other),
        Err(ServiceError::OutOfScope)
    );
    // Without the function: refused.
    let clerk = db.login(&mut env, "clerk");
    assert_eq!(
        settlement_query::totals(&env, &clerk, &all),
        Err(ServiceError::Denied(Function::SettlementQuery))
    );
}

#[test]
fn summaries_keep_to_the_scope() {
    let db = TestDb::demo(3, 120);
    let mut env = db.env();
    let s = db.login(&mut env, "clerk");
    let f = txn_query::build_filter(&days("2026-11-21", "2026-11-23")).unwrap();
    let everything = summaries::summarize(&env, &s, &f, GroupBy::Merchant).unwrap();
    limit_to_first_group(&env, "clerk");
    let scoped = summaries::summarize(&env, &s, &f, GroupBy::Merchant).unwrap();
    // The first group is one store's terminals: one merchant, fewer rows.
    assert_eq!(scoped.rows.len(), 1);
    assert!(everything.rows.len() > 1);
    assert_eq!(
        scoped.total().0,
        txn_query::totals(&env, &s, &f).unwrap().count
    );
    let raw = summaries::summarize_from_rows(&env, &s, &f, GroupBy::Merchant).unwrap();
    assert_eq!(scoped.rows, raw);
}

#[test]
fn slips_reprint_only_before_today_within_scope_and_save_to_the_download_dir() {
    let db = TestDb::demo(2, 60);
    let mut env = db.env();
    let dir = tempfile::tempdir().unwrap();
    merchants::set_setting(
        &env.store.read(),
        "download_dir",
        &dir.path().display().to_string(),
    )
    .unwrap();
    let s = db.login(&mut env, "clerk");
    let rows =
        transactions::page(&env.store.read(), &TxnFilter::default(), PageAt::First, 200).unwrap();
    let today = rows.iter().find(|r| r.trade_date == 20261123).unwrap();
    assert_eq!(
        slip::reprint(&env, &s, today.id).unwrap_err(),
        SlipError::Today
    );
    let old = rows
        .iter()
        .find(|r| r.trade_date < 20261123 && r.status == TxnStatus::Success)
        .unwrap();
    let facts = slip::reprint(&env, &s, old.id).unwrap();
    assert_eq!(facts.txn.rrn, old.rrn);
    let path = slip::save(&mut env, &s, old.id, "slip text\n").unwrap();
    assert_eq!(path.parent().unwrap(), dir.path());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "slip text\n");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty());
    let audited: i64 = env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'txn.reprint_slip' AND target = ?1",
            [&old.rrn],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(audited, 1);
    // Out of scope: refused.
    let mine = limit_to_first_group(&env, "clerk");
    let other = rows
        .iter()
        .find(|r| r.trade_date < 20261123 && !mine.contains(&r.terminal_no))
        .unwrap();
    assert_eq!(
        slip::reprint(&env, &s, other.id).unwrap_err(),
        SlipError::Service(ServiceError::OutOfScope)
    );
}

#[test]
fn the_monitor_shows_the_latest_in_scope_and_notices_other_writers() {
    let db = TestDb::demo(2, 80);
    let mut env = db.env();
    let s: Session = db.login(&mut env, "monitor");
    let snap = monitor::snapshot(&env, &s, 30).unwrap();
    assert_eq!(snap.latest.len(), monitor::LATEST);
    assert!(snap
        .latest
        .windows(2)
        .all(|w| (w[0].txn_ms, w[0].id) > (w[1].txn_ms, w[1].id)));
    assert_eq!(snap.per_minute.len(), 30);
    let mut watch = monitor::Watch::default();
    assert!(watch.changed(&env));
    assert!(!watch.changed(&env));
    // Another process (here: another connection) feeds three transactions.
    let mut other = Store::open(&db.path).unwrap();
    let stop = AtomicBool::new(false);
    let report = merchant_desk::demo::feed::run(
        &mut other,
        Arc::new(db.clock.clone()),
        merchant_desk::demo::feed::FeedOptions {
            rate: 1000,
            seed: 9,
            limit: Some(3),
        },
        &stop,
        |_, _| {},
    )
    .unwrap();
    assert_eq!(report.written, 3);
    assert!(watch.changed(&env));
    let after = monitor::snapshot(&env, &s, 30).unwrap();
    let newest: i64 = other
        .sql_for_tests()
        .query_row(
            "SELECT max(id) FROM transactions",
            merchant_desk::store::params![],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(after.latest[0].id, newest);
    assert_eq!(
        after.per_minute.iter().sum::<u64>(),
        snap.per_minute.iter().sum::<u64>() + 3
    );
    // Scope: only the group's terminals.
    let mine = limit_to_first_group(&env, "monitor");
    let scoped = monitor::snapshot(&env, &s, 30).unwrap();
    assert!(scoped.latest.iter().all(|r| mine.contains(&r.terminal_no)));
    // Without the function: refused.
    let finance = db.login(&mut env, "finance");
    assert_eq!(
        monitor::snapshot(&env, &finance, 30),
        Err(ServiceError::Denied(Function::Monitor))
    );
}

#[test]
fn the_feed_waits_while_the_database_is_locked_and_loses_nothing() {
    if merchant_desk::store::testing::sqlite_only("SQLite busy timeout and BEGIN IMMEDIATE") {
        return;
    }
    let db = TestDb::demo(1, 10);
    let before: i64 = db
        .env()
        .store
        .sql_for_tests()
        .query_row(
            "SELECT count(*) FROM transactions",
            merchant_desk::store::params![],
            |r| r.get(0),
        )
        .unwrap();
    let mut store = Store::open(&db.path).unwrap();
    store
        .raw_connection_for_tests()
        .busy_timeout(std::time::Duration::from_millis(100))
        .unwrap();
    // Another process holds the write lock for a while.
    let path = db.path.clone();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch("BEGIN IMMEDIATE").unwrap();
        locked_tx.send(()).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        c.execute_batch("COMMIT").unwrap();
    });
    locked_rx.recv().unwrap();
    let stop = AtomicBool::new(false);
    let report = merchant_desk::demo::feed::run(
        &mut store,
        Arc::new(db.clock.clone()),
        merchant_desk::demo::feed::FeedOptions {
            rate: 1000,
            seed: 5,
            limit: Some(5),
        },
        &stop,
        |_, _| {},
    )
    .unwrap();
    holder.join().unwrap();
    assert_eq!(report.written, 5);
    assert!(report.retries > 0, "the lock was waited for");
    let after: i64 = store
        .sql_for_tests()
        .query_row(
            "SELECT count(*) FROM transactions",
            merchant_desk::store::params![],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(after, before + 5);
}
