//! The invariants of issue 6 under random sequences of applying, reviewing, changing the refund
//! settings and running the settlement (property tests), each checked by `merchant-desk check`'s
//! service after every step; and the single rules with their own tests: nobody reviews their
//! own application, a refund is cleared at most once, the quota is never exceeded, refunds wait
//! for balance. Last, `check` itself names what a tampered database breaks.

mod refunds_common;

use merchant_desk::domain::refund::RefundStatus;
use std::sync::OnceLock;

use merchant_desk::clock::{date_of_ms, ymd};
use merchant_desk::service::refunds::{self, Confirmation, RefundInput};
use merchant_desk::service::{check, settings, settlement, Env, Rule, ServiceError, Session};
use merchant_desk::store::merchants;
use proptest::prelude::*;
use refunds_common::*;

fn template() -> &'static Db {
    static DB: OnceLock<Db> = OnceLock::new();
    // One day, not settled yet: every balance starts at zero, so refunds often wait for one.
    DB.get_or_init(|| Db::demo_at("2026-11-23 22:00", 1, 90, 9))
}

fn settle(env: &mut Env, date: i32) -> settlement::SettleReport {
    settlement::run(env, date).unwrap()
}

fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

fn confirm() -> Confirmation<'static> {
    Confirmation {
        pay_password: PW,
        pin: None,
    }
}

#[derive(Debug, Clone)]
enum Op {
    /// Applies for a refund of `pct` percent of what is left (above 100: more than the amount).
    Apply {
        admin: bool,
        txn: usize,
        pct: u8,
    },
    /// Decides one pending application.
    Review {
        admin: bool,
        pick: usize,
        approve: bool,
    },
    /// Runs the settlement for today + `ahead` days (today's run settles nothing of today).
    Settle {
        ahead: u8,
    },
    NextDay,
    /// Sets a merchant's refund mode and daily quota (0: none).
    Mode {
        merchant: usize,
        review: bool,
        quota_yuan: u16,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        5 => (any::<bool>(), 0..400usize, 1..=110u8)
            .prop_map(|(admin, txn, pct)| Op::Apply { admin, txn, pct }),
        3 => (any::<bool>(), 0..50usize, any::<bool>())
            .prop_map(|(admin, pick, approve)| Op::Review { admin, pick, approve }),
        2 => (0..3u8).prop_map(|ahead| Op::Settle { ahead }),
        1 => Just(Op::NextDay),
        1 => (0..3usize, any::<bool>(), prop_oneof![Just(0u16), 50..3000u16])
            .prop_map(|(merchant, review, quota_yuan)| Op::Mode { merchant, review, quota_yuan }),
    ]
}

struct World {
    db: Db,
    env: Env,
    clerk: Session,
    checker: Session,
    admin: Session,
    txns: Vec<i64>,
}

impl World {
    fn new() -> World {
        let db = template().copy();
        let mut env = db.env();
        let clerk = db.login(&mut env, "clerk");
        let checker = db.login(&mut env, "checker");
        let admin = db.login(&mut env, "admin");
        let mut st = env
            .store
            .sql_for_tests()
            .prepare("SELECT id FROM transactions ORDER BY id")
            .unwrap();
        let txns = st
            .query_map(merchant_desk::store::params![], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        drop(st);
        World {
            db,
            env,
            clerk,
            checker,
            admin,
            txns,
        }
    }

    fn run(&mut self, op: &Op) {
        let env = &mut self.env;
        match op {
            Op::Apply { admin, txn, pct } => {
                let who = if *admin { &self.admin } else { &self.clerk };
                let id = self.txns[txn % self.txns.len()];
                let t = merchant_desk::store::transactions::by_id(&env.store.read(), id)
                    .unwrap()
                    .unwrap();
                let left = refunds::refundable(env, who, id)
                    .map(|r| r.left_fen)
                    .unwrap_or(0);
                let amount = if *pct > 100 {
                    t.amount_fen + 1
                } else {
                    (left * *pct as i64 / 100).max(1)
                };
                let r = refunds::apply(
                    env,
                    who,
                    &RefundInput {
                        txn_id: id,
                        amount: yuan(amount),
                        remark: String::new(),
                        pay_password: PW.into(),
                        refund_order_no: None,
                    },
                );
                if let Ok(row) = &r {
                    assert!(row.amount_fen <= left, "applied beyond what was left");
                }
                if amount > left {
                    assert!(r.is_err(), "more than left must be refused");
                }
            }
            Op::Review {
                admin,
                pick,
                approve,
            } => {
                let who = if *admin { &self.admin } else { &self.checker };
                let pending = refunds::pending(env, who).unwrap();
                if pending.is_empty() {
                    return;
                }
                let row = &pending[pick % pending.len()];
                let remark = if *approve { "" } else { "拒绝" };
                let r = refunds::review(env, who, &[row.id], *approve, remark, confirm());
                if row.applicant_id == who.operator_id {
                    assert!(
                        matches!(
                            r,
                            Err(merchant_desk::service::card::CardServiceError::Service(
                                ServiceError::Refused(Rule::OwnApplication)
                            ))
                        ),
                        "own application: {r:?}"
                    );
                } else {
                    assert_eq!(r.unwrap(), 1);
                }
            }
            Op::Settle { ahead } => {
                // A run settles up to its own business day: move to the later day first.
                self.db.clock.advance_ms(*ahead as i64 * 24 * 3600 * 1000);
                let today = date_of_ms(env.now_ms());
                settle(env, ymd(today));
            }
            Op::NextDay => self.db.clock.advance_ms(24 * 3600 * 1000),
            Op::Mode {
                merchant,
                review,
                quota_yuan,
            } => {
                let ms = merchants::all(&env.store.read()).unwrap();
                let m = &ms[merchant % ms.len()];
                settings::set_refund(env, &self.admin, m.id, *review, *quota_yuan as i64 * 100)
                    .unwrap();
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_sequences_keep_every_invariant(ops in proptest::collection::vec(op(), 1..36)) {
        let mut w = World::new();
        for (i, op) in ops.iter().enumerate() {
            w.run(op);
            let report = check::run(&w.env.store).unwrap();
            prop_assert!(report.ok(), "after step {} {:?}:\n{}", i, op, report.text());
        }
        // Whatever happened, a final run clears what the balance covers, and a second run on the
        // same date clears nothing twice.
        let d = ymd(date_of_ms(w.env.now_ms()));
        settle(&mut w.env, d);
        let lines_before = count(&w.env.store, "SELECT count(*) FROM ledger_lines");
        let again = settle(&mut w.env, d);
        prop_assert_eq!(again.merchants_settled, 0);
        prop_assert_eq!(again.refunds_cleared, 0);
        prop_assert_eq!(count(&w.env.store, "SELECT count(*) FROM ledger_lines"), lines_before);
        assert_invariants(&w.env.store);
    }
}

#[test]
fn nobody_reviews_their_own_application_and_a_refusal_changes_nothing() {
    let w = World::new();
    let mut env = w.env;
    let admin = w.admin;
    for m in merchants::all(&env.store.read()).unwrap() {
        settings::set_refund(&mut env, &admin, m.id, true, 0).unwrap();
    }
    let sale = fresh_sales(&env.store, 1).remove(0);
    let row = refunds::apply(
        &mut env,
        &admin,
        &RefundInput {
            txn_id: sale.0,
            amount: "1.00".into(),
            pay_password: PW.into(),
            ..Default::default()
        },
    )
    .unwrap();
    let audit_before = count(&env.store, "SELECT count(*) FROM audit_log");
    let r = refunds::review(&mut env, &admin, &[row.id], true, "", confirm());
    assert!(matches!(
        r,
        Err(merchant_desk::service::card::CardServiceError::Service(
            ServiceError::Refused(Rule::OwnApplication)
        ))
    ));
    // Not even inside a list of others' applications.
    let other = refunds::apply(
        &mut env,
        &w.clerk,
        &RefundInput {
            txn_id: sale.0,
            amount: "1.00".into(),
            pay_password: PW.into(),
            ..Default::default()
        },
    )
    .unwrap();
    let audit_mid = count(&env.store, "SELECT count(*) FROM audit_log");
    assert!(refunds::review(&mut env, &admin, &[other.id, row.id], true, "", confirm()).is_err());
    // The refusal changes nothing but writes its one audit row.
    assert_eq!(
        count(&env.store, "SELECT count(*) FROM audit_log"),
        audit_mid + 1
    );
    assert_eq!(
        count(
            &env.store,
            "SELECT count(*) FROM audit_log WHERE action = 'refund.approve.refused'
               AND id = (SELECT max(id) FROM audit_log)"
        ),
        1
    );
    assert!(audit_mid > audit_before);
    let still = merchant_desk::store::refunds::by_id(&env.store.read(), other.id)
        .unwrap()
        .unwrap();
    assert_eq!(still.status, RefundStatus::PendingReview);
    // The database refuses it too, whatever the code above it does.
    let forced = env.store.sql_for_tests().execute(
        "UPDATE refund_applications SET reviewer_id = applicant_id WHERE id = ?1",
        [row.id],
    );
    assert!(forced.is_err());
    // Someone else may.
    assert_eq!(
        refunds::review(
            &mut env,
            &w.checker,
            &[row.id, other.id],
            true,
            "",
            confirm()
        )
        .unwrap(),
        2
    );
    assert_invariants(&env.store);
}

#[test]
fn a_refund_is_cleared_once_however_often_the_settlement_runs() {
    let w = World::new();
    let mut env = w.env;
    let sales = fresh_sales(&env.store, 5);
    let mut ids = Vec::new();
    for (id, _, _) in &sales {
        ids.push(
            refunds::apply(
                &mut env,
                &w.clerk,
                &RefundInput {
                    txn_id: *id,
                    amount: "1.00".into(),
                    pay_password: PW.into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .id,
        );
    }
    let today = ymd(date_of_ms(env.now_ms()));
    w.db.clock.advance_ms(24 * 3600 * 1000);
    let r1 = settle(&mut env, today + 1);
    assert_eq!(r1.refunds_cleared, 5);
    for d in [today + 1, today + 1, today + 2, today] {
        if d == today + 2 {
            w.db.clock.advance_ms(24 * 3600 * 1000);
        }
        let r = settle(&mut env, d);
        assert_eq!(r.refunds_cleared, 0);
    }
    for id in &ids {
        let n = count(
            &env.store,
            &format!("SELECT count(*) FROM ledger_lines WHERE kind = 'refund' AND ref_id = {id}"),
        );
        assert_eq!(n, 1);
    }
    for (id, _, _) in &sales {
        let t = merchant_desk::store::transactions::by_id(&env.store.read(), *id)
            .unwrap()
            .unwrap();
        assert_eq!(t.refunded_fen, 100);
    }
    assert_invariants(&env.store);
}

#[test]
fn refunds_wait_for_balance_oldest_first_and_clear_when_it_allows() {
    // One day only: nothing settled yet, every balance is zero.
    let db = Db::demo_at("2026-11-23 23:00", 1, 90, 4);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let sales = fresh_sales(&env.store, 3);
    let mut ids = Vec::new();
    for (id, _, amount) in &sales {
        ids.push(
            refunds::apply(
                &mut env,
                &clerk,
                &RefundInput {
                    txn_id: *id,
                    amount: yuan(*amount),
                    pay_password: PW.into(),
                    ..Default::default()
                },
            )
            .unwrap()
            .id,
        );
    }
    // A run for today settles nothing (trade dates before today only) and cannot pay.
    let r = settle(&mut env, 20261123);
    assert_eq!(
        (r.merchants_settled, r.refunds_cleared, r.refunds_waiting),
        (0, 0, 3)
    );
    for id in &ids {
        let row = merchant_desk::store::refunds::by_id(&env.store.read(), *id)
            .unwrap()
            .unwrap();
        assert_eq!(row.status, RefundStatus::PendingClearing);
    }
    assert_invariants(&env.store);
    // Tomorrow's run credits today's trade first, then pays them.
    db.clock.advance_ms(3600 * 1000);
    let r = settle(&mut env, 20261124);
    assert!(r.merchants_settled > 0);
    assert_eq!(r.refunds_cleared, 3);
    let events = merchant_desk::store::refunds::events(&env.store.read(), ids[0]).unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.2.as_str()).collect();
    assert_eq!(
        kinds,
        ["applied", "submitted", "pending_clearing", "cleared"]
    );
    assert_invariants(&env.store);
}

#[test]
fn the_quota_is_never_exceeded_and_resets_the_next_day() {
    let w = World::new();
    let mut env = w.env;
    for m in merchants::all(&env.store.read()).unwrap() {
        settings::set_refund(&mut env, &w.admin, m.id, false, 1_000).unwrap(); // 10 yuan
    }
    let sale = fresh_sales(&env.store, 50)
        .into_iter()
        .find(|s| s.2 >= 2_000)
        .unwrap();
    let apply = |env: &mut Env, fen: i64| {
        refunds::apply(
            env,
            &w.clerk,
            &RefundInput {
                txn_id: sale.0,
                amount: yuan(fen),
                pay_password: PW.into(),
                ..Default::default()
            },
        )
    };
    apply(&mut env, 600).unwrap();
    assert_eq!(
        apply(&mut env, 401).unwrap_err(),
        ServiceError::Refused(Rule::ExceedsQuota(400))
    );
    apply(&mut env, 400).unwrap();
    assert!(apply(&mut env, 1).is_err());
    w.db.clock.advance_ms(24 * 3600 * 1000);
    apply(&mut env, 1_000).unwrap();
    assert_invariants(&env.store);
}

/// Each tampering is named by the invariant it breaks.
#[test]
fn check_names_what_a_tampered_database_breaks() {
    if merchant_desk::store::testing::sqlite_only(
        "tampering with a copied file with foreign keys off",
    ) {
        return;
    }
    let w = World::new();
    let mut env = w.env;
    let sales = fresh_sales(&env.store, 2);
    for (id, _, _) in &sales {
        refunds::apply(
            &mut env,
            &w.clerk,
            &RefundInput {
                txn_id: *id,
                amount: "1.00".into(),
                pay_password: PW.into(),
                ..Default::default()
            },
        )
        .unwrap();
    }
    let today = ymd(date_of_ms(env.now_ms()));
    w.db.clock.advance_ms(24 * 3600 * 1000);
    settle(&mut env, today + 1);
    assert_invariants(&env.store);
    let pristine = w.db.path.clone();
    let cases: &[(&str, &[&str])] = &[
        (
            "UPDATE ledger_lines SET balance_fen = balance_fen + 1
             WHERE id = (SELECT max(id) FROM ledger_lines)",
            &["ledger_running_balance", "balance_is_sum_of_lines"],
        ),
        (
            "INSERT INTO ledger_lines (merchant_id, line_ms, kind, amount_fen, balance_fen,
                ref_table, ref_id, memo)
             SELECT merchant_id, line_ms, kind, amount_fen,
                (SELECT balance_fen FROM ledger_lines l2 WHERE l2.merchant_id = l.merchant_id
                 ORDER BY id DESC LIMIT 1) + amount_fen, ref_table, ref_id, memo
             FROM ledger_lines l WHERE kind = 'refund' LIMIT 1",
            &["cleared_at_most_once", "money_conserved"],
        ),
        (
            "UPDATE transactions SET refunded_fen = amount_fen WHERE id = (SELECT txn_id FROM
                refund_applications LIMIT 1)",
            &["refund_within_amount"],
        ),
        (
            "UPDATE refund_applications SET status = 'pending_review'
             WHERE id = (SELECT min(id) FROM refund_applications)",
            &[
                "allowed_transitions",
                "cleared_at_most_once",
                "refund_within_amount",
                "settlement_matches_transactions",
            ],
        ),
        (
            "UPDATE settlements SET trade_fen = trade_fen + 5, net_fen = net_fen + 5
             WHERE id = (SELECT max(id) FROM settlements)",
            &[
                "settlement_matches_transactions",
                "money_conserved",
                "settlement_credited_once",
                // Its transaction list no longer totals to its row.
                "settlement_list_matches",
            ],
        ),
        (
            "UPDATE txn_daily SET txn_count = txn_count + 1
             WHERE trade_date = (SELECT max(trade_date) FROM txn_daily)",
            &["rollups_match"],
        ),
        (
            "UPDATE audit_log SET after = 'x' WHERE id = 3",
            &["audit_chain"],
        ),
        (
            "UPDATE merchants SET daily_refund_quota_fen = 50",
            &["daily_quota"],
        ),
        (
            "DELETE FROM audit_log WHERE action = 'refund.cleared' AND id = (SELECT max(id)
                FROM audit_log WHERE action = 'refund.cleared')",
            &["refunds_audited", "audit_chain"],
        ),
    ];
    drop(env);
    for (sql, expected) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("t.sqlite3");
        std::fs::copy(&pristine, &p).unwrap();
        let _ = std::fs::copy(
            pristine.with_extension("sqlite3-wal"),
            p.with_extension("sqlite3-wal"),
        );
        let store = merchant_desk::store::Store::open(&p).unwrap();
        let c = store.sql_for_tests();
        c.execute_batch("PRAGMA foreign_keys = OFF").unwrap();
        c.execute_batch(sql).unwrap();
        let report = check::run(&store).unwrap();
        let broken: Vec<&str> = report.broken().iter().map(|i| i.name).collect();
        let mut want: Vec<&str> = expected.to_vec();
        want.sort();
        let mut got = broken.clone();
        got.sort();
        assert_eq!(got, want, "after {sql}:\n{}", report.text());
    }
}
