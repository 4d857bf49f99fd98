//! The kernel under every use case: an operator without the function is refused by every use
//! case that takes a session; the refusal changes nothing and writes exactly one audit row; the
//! audit chain verifies afterwards. And the rules the kernel owns: the payment-password block,
//! one answer for a wrong name or password, the unknown name kept only as a keyed hash, and
//! status changes outside the domain's table refused by the store.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::TestDb;
use merchant_desk::domain::refund::RefundStatus;
use merchant_desk::service::audit::{self, ChainCheck};
use merchant_desk::service::card::CardServiceError;
use merchant_desk::service::exports::{self, Sheet};
use merchant_desk::service::refunds::{self, Confirmation, RefundInput};
use merchant_desk::service::views::{
    AuditFilter, GroupBy, PageAt, RefundFilter, SettlementFilter, TxnFilter,
};
use merchant_desk::service::{
    account, admin, auth, batch_refund, card, monitor, settings, settlement, settlement_query,
    slip, summaries, terminals, txn_query, Env, ServiceError, Session,
};
use merchant_desk::store::{Store, StoreErrorKind};

/// Every row of every table but the audit log and the chain's own bookkeeping, as text.
fn fingerprint(store: &Store) -> String {
    let c = store.sql_for_tests();
    let mut tables: Vec<String> = c.tables().unwrap();
    tables.retain(|t| t != "audit_log" && !t.starts_with("sqlite_"));
    let mut out = String::new();
    for t in tables {
        let filter = if t == "settings" {
            " WHERE key NOT IN ('audit_head', 'audit_name_key')"
        } else {
            ""
        };
        let mut st = c.prepare(&format!("SELECT * FROM {t}{filter}")).unwrap();
        let rows = st
            .query_map(merchant_desk::store::params![], |r| {
                let mut line = String::new();
                for i in 0..r.column_count() {
                    let v: merchant_desk::store::Value = r.get(i)?;
                    line.push_str(&format!("{v:?}|"));
                }
                Ok(line)
            })
            .unwrap();
        out.push_str(&t);
        // Sorted: a server's heap order is not the order rows were written.
        let mut rows: Vec<String> = rows.map(Result::unwrap).collect();
        rows.sort();
        for r in rows {
            out.push_str(&r);
            out.push('\n');
        }
    }
    out
}

fn audit_rows(store: &Store) -> Vec<(String, String, String)> {
    let c = store.sql_for_tests();
    let mut st = c
        .prepare("SELECT operator, action, target FROM audit_log ORDER BY id")
        .unwrap();
    st.query_map(merchant_desk::store::params![], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

fn one_id(store: &Store, sql: &str) -> i64 {
    store
        .sql_for_tests()
        .query_row(sql, merchant_desk::store::params![], |r| r.get(0))
        .unwrap()
}

/// Whether an answer is the refusal for a missing function.
trait Denial {
    fn denied(&self) -> bool;
}

impl<T> Denial for Result<T, ServiceError> {
    fn denied(&self) -> bool {
        matches!(self, Err(ServiceError::Denied(_)))
    }
}

impl<T> Denial for Result<T, CardServiceError> {
    fn denied(&self) -> bool {
        matches!(
            self,
            Err(CardServiceError::Service(ServiceError::Denied(_)))
        )
    }
}

impl<T> Denial for Result<T, slip::SlipError> {
    fn denied(&self) -> bool {
        matches!(self, Err(slip::SlipError::Service(ServiceError::Denied(_))))
    }
}

impl<T> Denial for Result<T, batch_refund::BatchError> {
    fn denied(&self) -> bool {
        matches!(
            self,
            Err(batch_refund::BatchError::Service(ServiceError::Denied(_)))
        )
    }
}

struct Ids {
    txn: i64,
    refund: i64,
    merchant: i64,
    operator: i64,
    role: i64,
    terminal: i64,
    group: i64,
    settlement: i64,
    rrn: String,
}

fn sheet(n: usize) -> Sheet {
    Sheet {
        title: "t".into(),
        headers: vec!["h".into(); n],
        total_label: "total".into(),
        words: Arc::new(|_, s: &str| s.to_string()),
        chinese: false,
    }
}

type Case = (&'static str, fn(&mut Env, &Session, &Ids) -> bool);

fn cases() -> Vec<Case> {
    vec![
        ("account.balances", |e, s, _| {
            account::balances(e, s).denied()
        }),
        ("account.ledger", |e, s, i| {
            account::ledger(e, s, i.merchant, None, 20).denied()
        }),
        ("admin.roles", |e, s, _| admin::roles(e, s).denied()),
        ("admin.create_role", |e, s, _| {
            admin::create_role(e, s, "新角色", &BTreeSet::new()).denied()
        }),
        ("admin.rename_role", |e, s, i| {
            admin::rename_role(e, s, i.role, "改名").denied()
        }),
        ("admin.set_role_functions", |e, s, i| {
            admin::set_role_functions(e, s, i.role, &BTreeSet::new()).denied()
        }),
        ("admin.delete_role", |e, s, i| {
            admin::delete_role(e, s, i.role).denied()
        }),
        ("admin.operators", |e, s, _| admin::operators(e, s).denied()),
        ("admin.create_operator", |e, s, i| {
            admin::create_operator(
                e,
                s,
                &admin::OperatorInput {
                    login: "newbie".into(),
                    display_name: "N".into(),
                    password: "abcdef12".into(),
                    pay_password: String::new(),
                    role_ids: vec![i.role],
                    scope: None,
                },
            )
            .denied()
        }),
        ("admin.update_operator", |e, s, i| {
            admin::update_operator(
                e,
                s,
                i.operator,
                &admin::OperatorInput {
                    login: "clerk".into(),
                    display_name: "X".into(),
                    role_ids: vec![i.role],
                    ..Default::default()
                },
            )
            .denied()
        }),
        ("admin.set_operator_active", |e, s, i| {
            admin::set_operator_active(e, s, i.operator, false).denied()
        }),
        ("admin.reset_password", |e, s, i| {
            admin::reset_password(e, s, i.operator, "abcdef12").denied()
        }),
        ("admin.set_pay_password", |e, s, i| {
            admin::set_pay_password(e, s, i.operator, "abcdef12").denied()
        }),
        ("admin.unlock", |e, s, i| {
            admin::unlock(e, s, i.operator).denied()
        }),
        ("admin.role_choices", |e, s, _| {
            admin::role_choices(e, s).denied()
        }),
        ("admin.group_choices", |e, s, _| {
            admin::group_choices(e, s).denied()
        }),
        ("audit.query", |e, s, _| {
            audit::query(e, s, &AuditFilter::default(), 10).denied()
        }),
        ("card.set_configured_reader", |e, s, _| {
            card::set_configured_reader(e, s, "x").denied()
        }),
        ("card.set_login_policy", |e, s, _| {
            card::set_login_policy(e, s, true).denied()
        }),
        ("card.unbind_card", |e, s, i| {
            card::unbind_card(e, s, i.operator, "demo1234").denied()
        }),
        ("exports.txn", |e, s, _| {
            exports::start_txn_export(e, s, &TxnFilter::default(), sheet(19)).denied()
        }),
        ("exports.settlement", |e, s, _| {
            exports::start_settlement_export(e, s, &SettlementFilter::default(), sheet(9)).denied()
        }),
        ("exports.audit", |e, s, _| {
            exports::start_audit_export(e, s, &AuditFilter::default(), sheet(8)).denied()
        }),
        ("exports.refund", |e, s, _| {
            exports::start_refund_export(e, s, &RefundFilter::default(), sheet(12)).denied()
        }),
        ("exports.ledger", |e, s, i| {
            exports::start_ledger_export(e, s, i.merchant, sheet(6)).denied()
        }),
        ("monitor.snapshot", |e, s, _| {
            monitor::snapshot(e, s, 10).denied()
        }),
        ("refunds.refundable", |e, s, i| {
            refunds::refundable(e, s, i.txn).denied()
        }),
        ("refunds.refundable_by_rrn", |e, s, i| {
            refunds::refundable_by_rrn(e, s, &i.rrn).denied()
        }),
        ("refunds.apply", |e, s, i| {
            refunds::apply(
                e,
                s,
                &RefundInput {
                    txn_id: i.txn,
                    amount: "0.01".into(),
                    remark: String::new(),
                    pay_password: "demo1234".into(),
                    refund_order_no: None,
                },
            )
            .denied()
        }),
        ("refunds.pending", |e, s, _| refunds::pending(e, s).denied()),
        ("refunds.detail", |e, s, i| {
            refunds::detail(e, s, i.refund).denied()
        }),
        ("refunds.query", |e, s, _| {
            refunds::query(e, s, &RefundFilter::default()).denied()
        }),
        ("refunds.review", |e, s, i| {
            refunds::review(
                e,
                s,
                &[i.refund],
                true,
                "",
                Confirmation {
                    pay_password: "demo1234",
                    pin: None,
                },
            )
            .denied()
        }),
        ("batch_refund.import", |e, s, _| {
            batch_refund::import(e, s, std::path::Path::new("/nonexistent.xlsx"), "demo1234")
                .denied()
        }),
        ("settings.get", |e, s, _| settings::get(e, s).denied()),
        ("settings.set_refund", |e, s, i| {
            settings::set_refund(e, s, i.merchant, true, 0).denied()
        }),
        ("settings.set_policy", |e, s, _| {
            settings::set_policy(e, s, 6, 32, 10).denied()
        }),
        ("settlement.run_by_operator", |e, s, _| {
            settlement::run_by_operator(e, s, "2026-11-22").denied()
        }),
        ("settlement_query.totals", |e, s, _| {
            settlement_query::totals(e, s, &SettlementFilter::default()).denied()
        }),
        ("settlement_query.page", |e, s, _| {
            settlement_query::page(e, s, &SettlementFilter::default(), 0).denied()
        }),
        ("settlement_query.one", |e, s, i| {
            settlement_query::one(e, s, i.settlement).denied()
        }),
        ("slip.reprint", |e, s, i| {
            slip::reprint(e, s, i.txn).denied()
        }),
        ("slip.save", |e, s, i| {
            slip::save(e, s, i.txn, "slip").denied()
        }),
        ("summaries.summarize", |e, s, _| {
            summaries::summarize(e, s, &TxnFilter::default(), GroupBy::TradeDate).denied()
        }),
        ("terminals.terminals", |e, s, _| {
            terminals::terminals(e, s).denied()
        }),
        ("terminals.groups", |e, s, _| {
            terminals::groups(e, s).denied()
        }),
        ("terminals.merchants_list", |e, s, _| {
            terminals::merchants_list(e, s).denied()
        }),
        ("terminals.set_terminal_active", |e, s, i| {
            terminals::set_terminal_active(e, s, i.terminal, false).denied()
        }),
        ("terminals.move_terminal", |e, s, i| {
            terminals::move_terminal(e, s, i.terminal, None).denied()
        }),
        ("terminals.create_group", |e, s, _| {
            terminals::create_group(e, s, "新组").denied()
        }),
        ("terminals.rename_group", |e, s, i| {
            terminals::rename_group(e, s, i.group, "新名").denied()
        }),
        ("terminals.delete_group", |e, s, i| {
            terminals::delete_group(e, s, i.group).denied()
        }),
        ("txn_query.totals", |e, s, _| {
            txn_query::totals(e, s, &TxnFilter::default()).denied()
        }),
        ("txn_query.page", |e, s, _| {
            txn_query::page(e, s, &TxnFilter::default(), PageAt::First).denied()
        }),
        ("txn_query.jump", |e, s, _| {
            txn_query::jump(e, s, &TxnFilter::default(), 1, 100).denied()
        }),
        ("txn_query.detail", |e, s, i| {
            txn_query::detail(e, s, i.txn).denied()
        }),
    ]
}

#[test]
fn every_use_case_refuses_without_its_function_changes_nothing_and_audits_once() {
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let admin_s = db.login(&mut env, "admin");
    // A role with no function at all, and an operator holding only it.
    let empty = admin::create_role(&mut env, &admin_s, "空角色", &BTreeSet::new()).unwrap();
    admin::create_operator(
        &mut env,
        &admin_s,
        &admin::OperatorInput {
            login: "nobody".into(),
            display_name: "Nobody".into(),
            password: "nobody123".into(),
            pay_password: "demo1234".into(),
            role_ids: vec![empty],
            scope: None,
        },
    )
    .unwrap();
    // One pending refund to act on.
    let clerk = db.login(&mut env, "clerk");
    let txn = one_id(
        &env.store,
        "SELECT id FROM transactions WHERE status = 'success' AND txn_type = 'sale'
         AND trade_date < 20261123 ORDER BY id LIMIT 1",
    );
    let refund = refunds::apply(
        &mut env,
        &clerk,
        &RefundInput {
            txn_id: txn,
            amount: "0.01".into(),
            remark: String::new(),
            pay_password: "demo1234".into(),
            refund_order_no: None,
        },
    )
    .unwrap()
    .id;
    let ids = Ids {
        txn,
        refund,
        merchant: one_id(&env.store, "SELECT min(id) FROM merchants"),
        operator: one_id(&env.store, "SELECT id FROM operators WHERE login = 'clerk'"),
        role: empty,
        terminal: one_id(&env.store, "SELECT min(id) FROM terminals"),
        group: one_id(&env.store, "SELECT min(id) FROM terminal_groups"),
        settlement: one_id(&env.store, "SELECT min(id) FROM settlements"),
        rrn: env
            .store
            .sql_for_tests()
            .query_row("SELECT rrn FROM transactions WHERE id = ?1", [txn], |r| {
                r.get(0)
            })
            .unwrap(),
    };
    let nobody = auth::login(&mut env, "nobody", "nobody123")
        .unwrap()
        .session()
        .unwrap();
    let mut failures = Vec::new();
    for (name, case) in cases() {
        let before = fingerprint(&env.store);
        let audit_before = audit_rows(&env.store);
        let denied = case(&mut env, &nobody, &ids);
        let after = fingerprint(&env.store);
        let audit_after = audit_rows(&env.store);
        let new_rows = &audit_after[audit_before.len()..];
        if !denied {
            failures.push(format!("{name}: not refused"));
        }
        if before != after {
            failures.push(format!("{name}: the database changed"));
        }
        if new_rows.len() != 1 || new_rows[0].0 != "nobody" || new_rows[0].1 != "denied" {
            failures.push(format!("{name}: audit rows {new_rows:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(matches!(
        audit::verify(&env.store).unwrap(),
        ChainCheck::Intact { .. }
    ));
}

#[test]
fn a_wrong_name_and_a_wrong_password_get_one_answer_and_the_name_is_not_kept() {
    let db = TestDb::demo(1, 5);
    let mut env = db.env();
    let wrong_name = auth::login(&mut env, "S3cret-Passw0rd", "x").unwrap_err();
    let wrong_pw = auth::login(&mut env, "clerk", "x").unwrap_err();
    assert_eq!(wrong_name, ServiceError::BadCredentials);
    assert_eq!(wrong_pw, ServiceError::BadCredentials);
    let rows = audit_rows(&env.store);
    let dump = format!("{rows:?}");
    assert!(!dump.contains("S3cret"), "{dump}");
    let tags: Vec<_> = rows
        .iter()
        .filter(|r| r.1 == "login.unknown_operator")
        .collect();
    assert_eq!(tags.len(), 1);
    assert!(tags[0].2.starts_with("name#"));
    // The same name again gives the same tag, so repeated tries stay visible.
    auth::login(&mut env, "S3cret-Passw0rd", "y").unwrap_err();
    let again: Vec<_> = audit_rows(&env.store)
        .into_iter()
        .filter(|r| r.1 == "login.unknown_operator")
        .collect();
    assert_eq!(again.len(), 2);
    assert_eq!(again[0].2, again[1].2);
}

#[test]
fn five_wrong_payment_passwords_block_money_actions_until_an_administrator_unblocks() {
    let db = TestDb::demo(2, 30);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let txn = one_id(
        &env.store,
        "SELECT id FROM transactions WHERE status = 'success' AND txn_type = 'sale'
         ORDER BY id LIMIT 1",
    );
    let apply = |env: &mut Env, pw: &str| {
        refunds::apply(
            env,
            &clerk,
            &RefundInput {
                txn_id: txn,
                amount: "0.01".into(),
                remark: String::new(),
                pay_password: pw.into(),
                refund_order_no: None,
            },
        )
    };
    let refunds_before = one_id(&env.store, "SELECT count(*) FROM refund_applications");
    for _ in 0..4 {
        assert!(matches!(
            apply(&mut env, "wrong"),
            Err(ServiceError::Invalid {
                field: "pay_password",
                ..
            })
        ));
    }
    assert!(matches!(
        apply(&mut env, "wrong"),
        Err(ServiceError::Invalid { .. })
    ));
    // Blocked now, even with the right password.
    assert!(matches!(
        apply(&mut env, "demo1234"),
        Err(ServiceError::PayBlocked { .. })
    ));
    assert_eq!(
        one_id(&env.store, "SELECT count(*) FROM refund_applications"),
        refunds_before
    );
    let actions: Vec<String> = audit_rows(&env.store).into_iter().map(|r| r.1).collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "pay_password.wrong")
            .count(),
        5
    );
    assert!(actions.iter().any(|a| a == "pay_password.blocked"));
    assert!(actions.iter().any(|a| a == "refund.apply.refused"));
    // The login itself is not blocked; an administrator unblocks the payment password.
    let admin_s = db.login(&mut env, "admin");
    let clerk_id = one_id(&env.store, "SELECT id FROM operators WHERE login = 'clerk'");
    admin::unlock(&mut env, &admin_s, clerk_id).unwrap();
    assert!(apply(&mut env, "demo1234").is_ok());
}

#[test]
fn the_store_refuses_a_status_change_the_domain_does_not_allow() {
    use merchant_desk::store::refunds as store_refunds;
    let db = TestDb::demo(2, 30);
    let env = db.env();
    let mut_clerk = {
        let mut env = db.env();
        let clerk = db.login(&mut env, "clerk");
        let txn = one_id(
            &env.store,
            "SELECT id FROM transactions WHERE status = 'success' AND txn_type = 'sale'
             ORDER BY id LIMIT 1",
        );
        refunds::apply(
            &mut env,
            &clerk,
            &RefundInput {
                txn_id: txn,
                amount: "0.01".into(),
                remark: String::new(),
                pay_password: "demo1234".into(),
                refund_order_no: None,
            },
        )
        .unwrap()
    };
    // Direct mode: the application is submitted. Back to pending review is not a transition.
    assert_eq!(mut_clerk.status, RefundStatus::Submitted);
    let tx = env.store.begin().unwrap();
    let e = store_refunds::transition(
        &tx.db(),
        mut_clerk.id,
        RefundStatus::Submitted,
        RefundStatus::PendingReview,
        0,
        None,
    )
    .unwrap_err();
    drop(tx);
    assert_eq!(e.kind, StoreErrorKind::Transition, "{e}");
    // A completed refund never goes back either.
    let tx = env.store.begin().unwrap();
    assert!(store_refunds::transition(
        &tx.db(),
        mut_clerk.id,
        RefundStatus::Completed,
        RefundStatus::PendingClearing,
        0,
        None
    )
    .is_err());
}

/// A demo database where `checker` has the virtual card bound, and an env whose reader is the
/// virtual one.
fn card_bound() -> (TestDb, Env, merchant_desk::card::VirtualReader) {
    use merchant_desk::card::{VirtualCard, VirtualReader};
    use merchant_desk::service::session::CardReaders;
    let db = TestDb::demo(2, 30);
    let mut env = db.env();
    let reader = VirtualReader::new("Virtual test reader");
    env.readers = CardReaders::Virtual(reader.clone());
    let admin_s = db.login(&mut env, "admin");
    let checker_id = one_id(
        &env.store,
        "SELECT id FROM operators WHERE login = 'checker'",
    );
    reader.insert(VirtualCard::from_seed("checker"));
    let mut t = reader.transport();
    card::bind_card(&mut env, &admin_s, checker_id, &mut t, "123456").unwrap();
    (db, env, reader)
}

#[test]
fn a_card_operator_is_not_logged_in_by_the_password_alone() {
    let (_db, mut env, reader) = card_bound();
    // The password step never hands out a session for a card-bound operator.
    let step = auth::login(&mut env, "checker", "demo1234").unwrap();
    let auth::LoginStep::NeedsCard(pending) = step else {
        panic!("a card-bound operator got a session with the password alone");
    };
    // No card in the reader: refused.
    reader.remove();
    assert!(auth::complete_with_card(&mut env, &pending, "123456").is_err());
    // Another card: refused.
    reader.insert(merchant_desk::card::VirtualCard::from_seed("someone else"));
    assert!(auth::complete_with_card(&mut env, &pending, "123456").is_err());
    // The bound card and its PIN: in.
    reader.remove();
    reader.insert(merchant_desk::card::VirtualCard::from_seed("checker"));
    let s = auth::complete_with_card(&mut env, &pending, "123456").unwrap();
    assert_eq!(s.login, "checker");
}

#[test]
fn when_the_card_requirement_cannot_be_read_the_login_is_refused() {
    let (_db, mut env, _reader) = card_bound();
    // Break what the card lookup reads: the login must fail closed, not let the operator in.
    env.store
        .sql_for_tests()
        .execute_batch("ALTER TABLE operators RENAME COLUMN card_sign_pubkey TO broken")
        .unwrap();
    match auth::login(&mut env, "checker", "demo1234") {
        Ok(auth::LoginStep::Done(_)) => panic!("logged in without the card"),
        Ok(auth::LoginStep::NeedsCard(_)) => panic!("the lookup should have failed"),
        Err(e) => assert!(matches!(e, ServiceError::Store(_)), "{e:?}"),
    }
}

#[test]
fn an_approval_by_a_card_operator_needs_the_card_whatever_the_screen_sends() {
    let (db, mut env, reader) = card_bound();
    let _ = &db;
    // A review-mode merchant, a pending refund.
    let admin_s = db.login(&mut env, "admin");
    let txn = one_id(
        &env.store,
        "SELECT id FROM transactions WHERE status = 'success' AND txn_type = 'sale'
         ORDER BY id LIMIT 1",
    );
    let merchant = one_id(
        &env.store,
        &format!("SELECT merchant_id FROM transactions WHERE id = {txn}"),
    );
    settings::set_refund(&mut env, &admin_s, merchant, true, 0).unwrap();
    let clerk = db.login(&mut env, "clerk");
    let r = refunds::apply(
        &mut env,
        &clerk,
        &RefundInput {
            txn_id: txn,
            amount: "0.01".into(),
            remark: String::new(),
            pay_password: "demo1234".into(),
            refund_order_no: None,
        },
    )
    .unwrap();
    assert_eq!(r.status, RefundStatus::PendingReview);
    let step = auth::login(&mut env, "checker", "demo1234").unwrap();
    let auth::LoginStep::NeedsCard(p) = step else {
        panic!()
    };
    let checker = auth::complete_with_card(&mut env, &p, "123456").unwrap();
    // No PIN: refused with the card's own error, nothing decided.
    let no_pin = refunds::review(
        &mut env,
        &checker,
        &[r.id],
        true,
        "",
        Confirmation {
            pay_password: "demo1234",
            pin: None,
        },
    );
    assert!(
        matches!(no_pin, Err(CardServiceError::PinNeeded)),
        "{no_pin:?}"
    );
    // Card pulled mid-decision: refused, nothing decided.
    reader.remove();
    assert!(refunds::review(
        &mut env,
        &checker,
        &[r.id],
        true,
        "",
        Confirmation {
            pay_password: "demo1234",
            pin: Some("123456"),
        },
    )
    .is_err());
    let (row, _) = refunds::detail(&env, &checker, r.id).unwrap();
    assert_eq!(row.status, RefundStatus::PendingReview);
    // With the card: approved and signed.
    reader.insert(merchant_desk::card::VirtualCard::from_seed("checker"));
    refunds::review(
        &mut env,
        &checker,
        &[r.id],
        true,
        "",
        Confirmation {
            pay_password: "demo1234",
            pin: Some("123456"),
        },
    )
    .unwrap();
    let v = merchant_desk::service::signing::verify_all(&env.store).unwrap();
    assert!(v.ok() && v.verified >= 1, "{v:?}");
}

#[test]
fn refund_import_on_the_command_line_refuses_a_card_operator_without_the_card() {
    use merchant_desk::card::{VirtualCard, VirtualReader};
    use merchant_desk::service::session::CardReaders;
    let db = TestDb::demo(2, 30);
    {
        let mut env = db.env();
        let reader = VirtualReader::new("Virtual test reader");
        env.readers = CardReaders::Virtual(reader.clone());
        let admin_s = db.login(&mut env, "admin");
        let clerk_id = one_id(&env.store, "SELECT id FROM operators WHERE login = 'clerk'");
        reader.insert(VirtualCard::from_seed("clerk"));
        card::bind_card(
            &mut env,
            &admin_s,
            clerk_id,
            &mut reader.transport(),
            "123456",
        )
        .unwrap();
    }
    let file = db.dir.path().join("batch.xlsx");
    batch_refund::write_template(&file, merchant_desk::domain::lang::Lang::En).unwrap();
    let out = std::process::Command::new(common::bin())
        .args(["--lang", "en", "refund-import", "--db"])
        .arg(&db.path)
        .args(["--operator", "clerk", "--file"])
        .arg(&file)
        .env("MERCHANT_DESK_PASSWORD", "demo1234")
        .env("MERCHANT_DESK_PAY_PASSWORD", "demo1234")
        .env_remove("MERCHANT_DESK_PIN")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("USB key"), "{err}");
    // With a PIN but no reader configured: refused as well, never let through.
    let out = std::process::Command::new(common::bin())
        .args(["--lang", "en", "refund-import", "--db"])
        .arg(&db.path)
        .args(["--operator", "clerk", "--file"])
        .arg(&file)
        .env("MERCHANT_DESK_PASSWORD", "demo1234")
        .env("MERCHANT_DESK_PAY_PASSWORD", "demo1234")
        .env("MERCHANT_DESK_PIN", "123456")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let store = Store::open(&db.path).unwrap();
    assert_eq!(one_id(&store, "SELECT count(*) FROM refund_batches"), 0);
}
