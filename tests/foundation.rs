//! The foundation's services: login and lockout, scoped and paged transaction queries, the audit
//! chain, migrations and the rollups.

mod common;

use common::TestDb;
use merchant_desk::domain::function::Function;
use merchant_desk::service::audit::{verify, ChainCheck};
use merchant_desk::service::txn_query::{self, TxnQueryInput, PAGE_SIZE};
use merchant_desk::service::{auth, Env, ServiceError, Session};
use merchant_desk::store::transactions::{self, PageAt, TxnFilter};
use merchant_desk::store::{merchants, operators, Store};

fn failed_logins(env: &merchant_desk::service::Env, login: &str) -> i64 {
    operators::by_login(&env.store.read(), login)
        .unwrap()
        .unwrap()
        .failed_logins
}

fn audit_actions(env: &merchant_desk::service::Env) -> Vec<String> {
    let mut v = Vec::new();
    merchant_desk::store::audit::for_each(&env.store.read(), |r| {
        v.push(r.action);
        true
    })
    .unwrap();
    v
}

#[test]
fn five_wrong_passwords_lock_for_a_day_and_every_failure_is_audited() {
    let db = TestDb::demo(1, 5);
    let mut env = db.env();
    // A wrong name and a wrong password get the same answer.
    assert_eq!(
        auth::login(&mut env, "ghost", "x").err(),
        Some(ServiceError::BadCredentials)
    );
    for tries in 1..=4 {
        assert_eq!(
            auth::login(&mut env, "clerk", "wrong").err(),
            Some(ServiceError::BadCredentials)
        );
        assert_eq!(failed_logins(&env, "clerk"), tries);
    }
    let locked = auth::login(&mut env, "clerk", "wrong");
    assert!(matches!(locked, Err(ServiceError::Locked { .. })));
    // The right password does not help while locked.
    assert!(matches!(
        auth::login(&mut env, "clerk", "demo1234"),
        Err(ServiceError::Locked { .. })
    ));
    let actions = audit_actions(&env);
    assert!(actions.contains(&"login.unknown_operator".to_string()));
    // The unknown name is kept as a keyed hash, never as the typed text.
    let mut unknown = Vec::new();
    merchant_desk::store::audit::for_each(&env.store.read(), |r| {
        if r.action == "login.unknown_operator" {
            unknown.push((r.operator.clone(), r.target.clone()));
        }
        true
    })
    .unwrap();
    assert_eq!(unknown.len(), 1);
    for name in [&unknown[0].0, &unknown[0].1] {
        let hex = name.strip_prefix("name#").expect("a name# tag");
        assert_eq!(hex.len(), 16, "{name}");
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{name}");
        assert!(!name.contains("ghost"));
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "login.wrong_password")
            .count(),
        5
    );
    assert!(actions.contains(&"operator.locked".to_string()));
    assert!(actions.contains(&"login.locked".to_string()));
    // 24 hours later the lock is over and the count starts again.
    db.clock.advance_ms(24 * 3600 * 1000 + 1);
    assert!(auth::login(&mut env, "clerk", "demo1234").is_ok());
    assert_eq!(
        auth::login(&mut env, "clerk", "wrong").err(),
        Some(ServiceError::BadCredentials)
    );
    assert_eq!(failed_logins(&env, "clerk"), 1);
}

#[test]
fn failures_spread_over_more_than_a_day_do_not_lock() {
    let db = TestDb::demo(1, 5);
    let mut env = db.env();
    for _ in 0..4 {
        auth::login(&mut env, "finance", "bad").unwrap_err();
    }
    assert_eq!(failed_logins(&env, "finance"), 4);
    db.clock.advance_ms(25 * 3600 * 1000);
    assert_eq!(
        auth::login(&mut env, "finance", "bad").err(),
        Some(ServiceError::BadCredentials)
    );
    // The count started again: one failure, no lock.
    assert_eq!(failed_logins(&env, "finance"), 1);
    assert!(auth::login(&mut env, "finance", "demo1234").is_ok());
}

#[test]
fn a_disabled_operator_cannot_log_in() {
    let db = TestDb::demo(1, 5);
    let mut env = db.env();
    env.store
        .sql_for_tests()
        .execute(
            "UPDATE operators SET status = 'disabled' WHERE login = 'monitor'",
            merchant_desk::store::params![],
        )
        .unwrap();
    assert_eq!(
        auth::login(&mut env, "monitor", "demo1234").err(),
        Some(ServiceError::Disabled)
    );
}

#[test]
fn keyset_pages_walk_the_same_rows_as_offset_in_both_directions() {
    let db = TestDb::demo(3, 130);
    let mut env = db.env();
    let s = db.login(&mut env, "finance");
    let filter = txn_query::build_filter(&TxnQueryInput {
        from_date: "2026-11-21".into(),
        to_date: "2026-11-23".into(),
        ..Default::default()
    })
    .unwrap();
    // The totals come from the daily rollups; they equal the raw sums to the fen.
    let rolled = txn_query::totals(&env, &s, &filter).unwrap();
    assert_eq!(
        rolled,
        transactions::totals(&env.store.read(), &filter).unwrap()
    );
    let total = rolled.count as usize;
    assert!(total > 5 * PAGE_SIZE);
    // By time (newest first) and by amount (largest first): the same walk in either order.
    for by_amount in [false, true] {
        let filter = TxnFilter {
            by_amount,
            ..filter.clone()
        };
        walk_pages(&env, &s, &filter, total);
    }
}

fn walk_pages(env: &Env, s: &Session, filter: &TxnFilter, total: usize) {
    let all = transactions::page(&env.store.read(), filter, PageAt::First, 100_000).unwrap();
    assert_eq!(all.len(), total);
    let order: Vec<(i64, i64)> = all
        .iter()
        .map(|r| {
            let k = r.key_in(filter);
            (k.value, k.id)
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(order, sorted, "largest first, ties by id");
    if filter.by_amount {
        assert!(all.windows(2).all(|w| w[0].amount_fen >= w[1].amount_fen));
    }
    // Forward.
    let mut pages = vec![txn_query::page(env, s, filter, PageAt::First).unwrap()];
    while pages.len() * PAGE_SIZE < total {
        let last = pages.last().unwrap().last().unwrap().key_in(filter);
        pages.push(txn_query::page(env, s, filter, PageAt::After(last)).unwrap());
    }
    let walked: Vec<i64> = pages.iter().flatten().map(|r| r.id).collect();
    assert_eq!(walked, all.iter().map(|r| r.id).collect::<Vec<_>>());
    // Backward from the last page.
    let rest = total - (total.div_ceil(PAGE_SIZE) - 1) * PAGE_SIZE;
    let mut page = txn_query::page(env, s, filter, PageAt::Last(rest)).unwrap();
    assert_eq!(page, *pages.last().unwrap());
    for expected in pages.iter().rev().skip(1) {
        page = txn_query::page(env, s, filter, PageAt::Before(page[0].key_in(filter))).unwrap();
        assert_eq!(&page, expected);
    }
    // Jumps from either end land on the same rows.
    for (i, expected) in pages.iter().enumerate() {
        let jumped = txn_query::jump(env, s, filter, i, total).unwrap();
        assert_eq!(&jumped, expected, "page {i}");
    }
}

#[test]
fn scope_limits_every_query_and_detail_and_functions_are_enforced() {
    let db = TestDb::demo(2, 80);
    let mut env = db.env();
    let s = db.login(&mut env, "clerk");
    let groups = merchants::groups(&env.store.read()).unwrap();
    let (g1, _, _) = groups[0];
    let clerk = operators::by_login(&env.store.read(), "clerk")
        .unwrap()
        .unwrap();
    operators::set_group_scope(&env.store.read(), clerk.id, Some(&[g1])).unwrap();
    let terminals = merchants::terminals(&env.store.read()).unwrap();
    let in_group: Vec<String> = terminals
        .iter()
        .filter(|t| t.group_id == Some(g1))
        .map(|t| t.terminal_no.clone())
        .collect();
    let f = TxnFilter::default();
    let rows = txn_query::page(&env, &s, &f, PageAt::First).unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| in_group.contains(&r.terminal_no)));
    let scoped_total = txn_query::totals(&env, &s, &f).unwrap();
    let everything = transactions::totals(&env.store.read(), &f).unwrap();
    assert!(scoped_total.count < everything.count);
    // Another group's transaction is refused in detail.
    let other = transactions::page(&env.store.read(), &f, PageAt::First, 500)
        .unwrap()
        .into_iter()
        .find(|r| !in_group.contains(&r.terminal_no))
        .unwrap();
    assert_eq!(
        txn_query::detail(&env, &s, other.id),
        Err(ServiceError::OutOfScope)
    );
    // Without the function the query is refused, even with a session from before.
    env.store
        .sql_for_tests()
        .execute(
            "DELETE FROM role_functions WHERE function = 'txn_query'",
            merchant_desk::store::params![],
        )
        .unwrap();
    assert_eq!(
        txn_query::page(&env, &s, &f, PageAt::First),
        Err(ServiceError::Denied(Function::TxnQuery))
    );
}

#[test]
fn the_audit_chain_detects_edits_removals_and_truncation() {
    let db = TestDb::demo(1, 5);
    let mut env = db.env();
    db.login(&mut env, "clerk");
    auth::login(&mut env, "clerk", "nope").unwrap_err();
    let ChainCheck::Intact { rows } = verify(&env.store).unwrap() else {
        panic!("chain should be intact");
    };
    assert!(rows >= 3);
    env.store
        .sql_for_tests()
        .execute("DELETE FROM audit_log WHERE id = ?1", [rows])
        .unwrap();
    assert!(matches!(
        verify(&env.store).unwrap(),
        ChainCheck::Broken { .. }
    ));
    let db2 = TestDb::demo(1, 5);
    let mut env2 = db2.env();
    db2.login(&mut env2, "admin");
    env2.store
        .sql_for_tests()
        .execute(
            "DELETE FROM audit_log WHERE id = 1",
            merchant_desk::store::params![],
        )
        .unwrap();
    assert_eq!(
        verify(&env2.store).unwrap(),
        ChainCheck::Broken {
            id: 2,
            reason: "row 1 is missing".into()
        }
    );
}

#[test]
fn an_older_database_is_upgraded_in_place() {
    if merchant_desk::store::testing::sqlite_only("upgrading an older SQLite file") {
        return;
    }
    let db = TestDb::demo(2, 40);
    {
        // Take the file back to schema version 1.
        let c = rusqlite::Connection::open(&db.path).unwrap();
        c.execute_batch(
            "DROP TRIGGER txn_daily_insert; DROP TRIGGER txn_daily_update;
             DROP TRIGGER txn_daily_delete; DROP TABLE txn_daily; DROP TABLE downloads;
             DROP TABLE refund_events; DROP INDEX refund_app_applied;
             DROP INDEX refund_app_quota;
             CREATE INDEX refund_app_date ON refund_applications(merchant_id, apply_date);
             ALTER TABLE operators DROP COLUMN pay_failed;
             ALTER TABLE operators DROP COLUMN pay_first_failed_ms;
             ALTER TABLE operators DROP COLUMN pay_blocked_until_ms;
             DROP TABLE sequences;
             DROP TABLE transfers; DROP TABLE transfer_batches; DROP TABLE platform_accounts;
             DROP TABLE holds; DROP TABLE application_events; DROP TABLE applications;
             DROP TABLE withdrawals; DROP TABLE bank_accounts; DROP TABLE payout_fees;
             DROP TABLE reason_codes; ALTER TABLE merchants DROP COLUMN allow_self_approval;
             DROP INDEX refund_app_pending_count;
             DROP TABLE payees; DROP TABLE payout_limits;
             DROP TABLE recon_ignore_proposals;
             DROP TABLE recon_exceptions; DROP TABLE recon_rows; DROP TABLE recon_runs;
             DROP TABLE recon_files;
             DROP TABLE fast_refund_events; DROP TABLE fast_refunds;
             ALTER TABLE merchants DROP COLUMN fast_refund_enabled;
             ALTER TABLE merchants DROP COLUMN fast_refund_enabled_ms;
             ALTER TABLE merchants DROP COLUMN fast_refund_enabled_by;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let store = Store::open(&db.path).unwrap();
    let v: i32 = store
        .sql_for_tests()
        .query_row(
            "PRAGMA user_version",
            merchant_desk::store::params![],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(v, merchant_desk::store::migrate::LATEST);
    let (n, sum): (i64, i64) = store
        .sql_for_tests()
        .query_row(
            "SELECT sum(txn_count), sum(amount_fen) FROM txn_daily",
            merchant_desk::store::params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let (n2, sum2): (i64, i64) = store
        .sql_for_tests()
        .query_row(
            "SELECT count(*), sum(amount_fen) FROM transactions",
            merchant_desk::store::params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((n, sum), (n2, sum2));
}

#[test]
fn rollups_equal_the_raw_aggregation_after_settlement() {
    let db = TestDb::demo(4, 150);
    let env = db.env();
    let raw: Vec<(i64, String, i64, i64)> = {
        let mut st = env
            .store
            .sql_for_tests()
            .prepare(
                "SELECT trade_date, card_org, count(*), sum(amount_fen) FROM transactions
                 GROUP BY 1, 2 ORDER BY 1, 2",
            )
            .unwrap();
        st.query_map(merchant_desk::store::params![], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    let rolled: Vec<(i64, String, i64, i64)> = {
        let mut st = env
            .store
            .sql_for_tests()
            .prepare(
                "SELECT trade_date, card_org, sum(txn_count), sum(amount_fen) FROM txn_daily
                 GROUP BY 1, 2 HAVING sum(txn_count) > 0 ORDER BY 1, 2",
            )
            .unwrap();
        st.query_map(merchant_desk::store::params![], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
    };
    assert_eq!(raw, rolled);
}

#[test]
fn demo_settlements_match_their_transactions_and_the_ledger() {
    let db = TestDb::demo(5, 100);
    let env = db.env();
    let c = env.store.sql_for_tests();
    let db_ = env.store.read();
    // Each settlement's trade amount is the sum of its captured sales and completions.
    let bad: i64 = c
        .query_row(
            "SELECT count(*) FROM settlements s WHERE s.trade_fen <> (
                SELECT coalesce(sum(amount_fen), 0) FROM transactions t
                WHERE t.settlement_id = s.id AND t.status = 'success'
                  AND t.txn_type IN ('sale', 'completion'))",
            merchant_desk::store::params![],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(bad, 0);
    // Every merchant's balance is the sum of its ledger lines and of its settlements' nets.
    for m in merchants::all(&db_).unwrap() {
        let bal = merchants::balance_fen(&db_, m.id).unwrap();
        let (lines, nets): (i64, i64) = c
            .query_row(
                "SELECT (SELECT coalesce(sum(amount_fen), 0) FROM ledger_lines WHERE merchant_id = ?1),
                        (SELECT coalesce(sum(net_fen), 0) FROM settlements WHERE merchant_id = ?1)",
                [m.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(bal, lines);
        assert_eq!(bal, nets);
    }
    // Today's transactions are not settled yet; yesterday's are, on today's date.
    let unsettled_past: i64 = c
        .query_row(
            "SELECT count(*) FROM transactions WHERE settle_date IS NULL AND trade_date < 20261123",
            merchant_desk::store::params![],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unsettled_past, 0);
}

#[test]
fn unlocking_the_screen_is_audited_as_an_unlock_and_wrong_tries_count() {
    let db = TestDb::demo(1, 5);
    let mut env = db.env();
    let s = db.login(&mut env, "finance");
    assert_eq!(
        auth::unlock(&mut env, &s, "nope"),
        Err(ServiceError::BadCredentials)
    );
    assert_eq!(failed_logins(&env, "finance"), 1);
    auth::unlock(&mut env, &s, "demo1234").unwrap();
    let actions = audit_actions(&env);
    assert!(actions.contains(&"unlock.wrong_password".to_string()));
    assert_eq!(actions.last().map(String::as_str), Some("unlock"));
}
