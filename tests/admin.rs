//! System management: every operation refuses an operator without the function (nothing
//! changed, the refusal audited), and the rules of roles, operators, terminals and groups hold.

mod common;

use std::collections::BTreeSet;

use common::TestDb;
use merchant_desk::domain::function::Function;
use merchant_desk::service::admin::{self, OperatorInput};
use merchant_desk::service::terminals::{self, TerminalInput};
use merchant_desk::service::{audit, auth, settings, Env, Problem, Rule, ServiceError, Session};
use merchant_desk::store::audit::AuditFilter;
use merchant_desk::store::transactions::{PageAt, TxnFilter};

/// A digest of every table an admin operation can change.
fn state(env: &Env) -> String {
    let mut out = String::new();
    for table in [
        "operators",
        "operator_roles",
        "operator_groups",
        "roles",
        "role_functions",
        "terminals",
        "terminal_groups",
        "merchants",
        "settings",
    ] {
        let mut st = env
            .store
            .sql_for_tests()
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
            .unwrap();
        let rows: Vec<String> = st
            .query_map(merchant_desk::store::params![], |r| {
                let mut s = String::new();
                for i in 0..r.column_count() {
                    let v: merchant_desk::store::Value = r.get(i)?;
                    s.push_str(&format!("{v:?}|"));
                }
                Ok(s)
            })
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        out.push_str(&format!("{table}:{}\n", rows.join("\n")));
    }
    // The audit head changes with every audited refusal: leave it out of the comparison.
    out.lines()
        .filter(|l| !l.contains("audit_head"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn denied_count(env: &Env) -> i64 {
    env.store
        .sql_for_tests()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'denied'",
            merchant_desk::store::params![],
            |r| r.get(0),
        )
        .unwrap()
}

fn expect_refused<T: std::fmt::Debug>(
    env: &mut Env,
    f: Function,
    op: impl FnOnce(&mut Env) -> Result<T, ServiceError>,
) {
    let before = state(env);
    let denials = denied_count(env);
    let result = op(env);
    assert_eq!(result.unwrap_err(), ServiceError::Denied(f));
    assert_eq!(state(env), before, "nothing may change");
    assert_eq!(denied_count(env), denials + 1, "the refusal is audited");
}

#[test]
fn every_admin_operation_refuses_an_operator_without_the_function() {
    let db = TestDb::demo(1, 10);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let s = &clerk;
    let fs: BTreeSet<Function> = [Function::TxnQuery].into();
    let input = OperatorInput {
        login: "newbie".into(),
        display_name: "New".into(),
        password: "secret99".into(),
        role_ids: vec![1],
        ..Default::default()
    };
    let tin = TerminalInput {
        terminal_no: "20000001".into(),
        merchant_id: 1,
        ..Default::default()
    };
    expect_refused(&mut env, Function::RoleManage, |e| admin::roles(e, s));
    expect_refused(&mut env, Function::RoleManage, |e| {
        admin::create_role(e, s, "x", &fs)
    });
    expect_refused(&mut env, Function::RoleManage, |e| {
        admin::rename_role(e, s, 2, "x")
    });
    expect_refused(&mut env, Function::RoleManage, |e| {
        admin::set_role_functions(e, s, 2, &fs)
    });
    expect_refused(&mut env, Function::RoleManage, |e| {
        admin::delete_role(e, s, 2)
    });
    expect_refused(&mut env, Function::OperatorManage, |e| {
        admin::operators(e, s)
    });
    expect_refused(&mut env, Function::OperatorManage, |e| {
        admin::create_operator(e, s, &input)
    });
    expect_refused(&mut env, Function::OperatorManage, |e| {
        admin::update_operator(e, s, 1, &input)
    });
    expect_refused(&mut env, Function::OperatorManage, |e| {
        admin::set_operator_active(e, s, 1, false)
    });
    expect_refused(&mut env, Function::OperatorManage, |e| {
        admin::reset_password(e, s, 1, "secret99")
    });
    expect_refused(&mut env, Function::OperatorManage, |e| {
        admin::set_pay_password(e, s, 1, "secret99")
    });
    expect_refused(&mut env, Function::OperatorManage, |e| {
        admin::unlock(e, s, 1)
    });
    expect_refused(&mut env, Function::TerminalManage, |e| {
        terminals::terminals(e, s)
    });
    expect_refused(&mut env, Function::TerminalManage, |e| {
        terminals::groups(e, s)
    });
    expect_refused(&mut env, Function::TerminalManage, |e| {
        terminals::create_terminal(e, s, &tin)
    });
    expect_refused(&mut env, Function::TerminalManage, |e| {
        terminals::update_terminal(e, s, 1, &tin)
    });
    expect_refused(&mut env, Function::TerminalManage, |e| {
        terminals::set_terminal_active(e, s, 1, false)
    });
    expect_refused(&mut env, Function::TerminalManage, |e| {
        terminals::move_terminal(e, s, 1, None)
    });
    expect_refused(&mut env, Function::TerminalManage, |e| {
        terminals::create_group(e, s, "g")
    });
    expect_refused(&mut env, Function::TerminalManage, |e| {
        terminals::rename_group(e, s, 1, "g")
    });
    expect_refused(&mut env, Function::TerminalManage, |e| {
        terminals::delete_group(e, s, 1)
    });
    expect_refused(&mut env, Function::MerchantSettings, |e| {
        settings::get(e, s)
    });
    expect_refused(&mut env, Function::MerchantSettings, |e| {
        settings::set_refund(e, s, 1, true, 100)
    });
    expect_refused(&mut env, Function::MerchantSettings, |e| {
        settings::set_policy(e, s, 8, 32, 5)
    });
    expect_refused(&mut env, Function::AuditView, |e| {
        audit::query(e, s, &AuditFilter::default(), 10)
    });
}

fn admin_session(db: &TestDb, env: &mut Env) -> Session {
    db.login(env, "admin")
}

#[test]
fn a_custom_role_limited_to_a_group_sees_only_that_group() {
    let db = TestDb::demo(2, 60);
    let mut env = db.env();
    let a = admin_session(&db, &mut env);
    let role = admin::create_role(&mut env, &a, "只查交易", &[Function::TxnQuery].into()).unwrap();
    let groups = terminals::groups(&env, &a).unwrap();
    let id = admin::create_operator(
        &mut env,
        &a,
        &OperatorInput {
            login: "viewer".into(),
            display_name: "查询员".into(),
            password: "first123".into(),
            pay_password: String::new(),
            role_ids: vec![role],
            scope: Some(vec![groups[1].0]),
        },
    )
    .unwrap();
    let v = auth::login(&mut env, "viewer", "first123")
        .unwrap()
        .session()
        .unwrap();
    assert!(v.must_change_password);
    assert_eq!(v.functions, [Function::TxnQuery].into());
    let rows =
        merchant_desk::service::txn_query::page(&env, &v, &TxnFilter::default(), PageAt::First)
            .unwrap();
    let members: Vec<String> = terminals::terminals(&env, &a)
        .unwrap()
        .into_iter()
        .filter(|t| t.group_id == Some(groups[1].0))
        .map(|t| t.terminal_no)
        .collect();
    assert!(!rows.is_empty() && rows.iter().all(|r| members.contains(&r.terminal_no)));
    // Deleting the role is refused while viewer holds it, naming viewer.
    assert_eq!(
        admin::delete_role(&mut env, &a, role),
        Err(ServiceError::Refused(Rule::InUse(vec!["viewer".into()])))
    );
    // A change takes effect at the operator's next action.
    admin::set_role_functions(&mut env, &a, role, &[Function::Monitor].into()).unwrap();
    assert_eq!(
        merchant_desk::service::txn_query::page(&env, &v, &TxnFilter::default(), PageAt::First),
        Err(ServiceError::Denied(Function::TxnQuery))
    );
    admin::set_operator_active(&mut env, &a, id, false).unwrap();
    assert_eq!(
        merchant_desk::service::txn_query::page(&env, &v, &TxnFilter::default(), PageAt::First),
        Err(ServiceError::SessionEnded)
    );
}

#[test]
fn the_last_administrator_and_oneself_are_protected() {
    let db = TestDb::demo(1, 5);
    let mut env = db.env();
    let a = admin_session(&db, &mut env);
    assert_eq!(
        admin::set_operator_active(&mut env, &a, a.operator_id, false),
        Err(ServiceError::Refused(Rule::SelfDisable))
    );
    let ops = admin::operators(&env, &a).unwrap();
    let me = ops.iter().find(|o| o.login == "admin").unwrap();
    let clerk_role = ops
        .iter()
        .find(|o| o.login == "clerk")
        .unwrap()
        .role_ids
        .clone();
    let input = OperatorInput {
        display_name: me.display_name.clone(),
        role_ids: clerk_role,
        scope: None,
        ..Default::default()
    };
    assert_eq!(
        admin::update_operator(&mut env, &a, me.id, &input),
        Err(ServiceError::Refused(Rule::LastAdmin))
    );
    assert_eq!(
        admin::rename_role(&mut env, &a, me.role_ids[0], "boss"),
        Err(ServiceError::Refused(Rule::AdminRoleFixed))
    );
    assert_eq!(
        admin::set_role_functions(&mut env, &a, me.role_ids[0], &BTreeSet::new()),
        Err(ServiceError::Refused(Rule::AdminRoleFixed))
    );
}

#[test]
fn reset_password_forces_a_change_and_unlock_ends_a_lockout() {
    let db = TestDb::demo(1, 5);
    let mut env = db.env();
    let a = admin_session(&db, &mut env);
    for _ in 0..5 {
        auth::login(&mut env, "clerk", "bad-guess").unwrap_err();
    }
    assert!(matches!(
        auth::login(&mut env, "clerk", "demo1234"),
        Err(ServiceError::Locked { .. })
    ));
    let clerk = admin::operators(&env, &a)
        .unwrap()
        .into_iter()
        .find(|o| o.login == "clerk")
        .unwrap();
    assert!(clerk.locked);
    admin::unlock(&mut env, &a, clerk.id).unwrap();
    assert!(auth::login(&mut env, "clerk", "demo1234").is_ok());
    assert_eq!(
        admin::reset_password(&mut env, &a, clerk.id, "short"),
        Err(ServiceError::Invalid {
            field: "password",
            problem: Problem::TooShort(6)
        })
    );
    admin::reset_password(&mut env, &a, clerk.id, "temp4567").unwrap();
    assert!(
        auth::login(&mut env, "clerk", "temp4567")
            .unwrap()
            .session()
            .unwrap()
            .must_change_password
    );
}

#[test]
fn terminals_and_groups_validate_and_refuse_duplicates() {
    let db = TestDb::demo(1, 5);
    let mut env = db.env();
    let a = admin_session(&db, &mut env);
    let mut t = TerminalInput {
        terminal_no: "1234567".into(),
        merchant_id: 1,
        name: "5号收银台".into(),
        ..Default::default()
    };
    assert_eq!(
        terminals::create_terminal(&mut env, &a, &t),
        Err(ServiceError::Invalid {
            field: "terminal_no",
            problem: Problem::Length(8)
        })
    );
    t.terminal_no = "10000001".into();
    assert_eq!(
        terminals::create_terminal(&mut env, &a, &t),
        Err(ServiceError::Invalid {
            field: "terminal_no",
            problem: Problem::Duplicate
        })
    );
    t.terminal_no = "20000001".into();
    let id = terminals::create_terminal(&mut env, &a, &t).unwrap();
    let g = terminals::create_group(&mut env, &a, "临时组").unwrap();
    assert_eq!(
        terminals::create_group(&mut env, &a, "临时组"),
        Err(ServiceError::Invalid {
            field: "name",
            problem: Problem::Duplicate
        })
    );
    assert_eq!(
        terminals::create_group(&mut env, &a, "  "),
        Err(ServiceError::Invalid {
            field: "name",
            problem: Problem::Required
        })
    );
    terminals::move_terminal(&mut env, &a, id, Some(g)).unwrap();
    terminals::delete_group(&mut env, &a, g).unwrap();
    let after = terminals::terminals(&env, &a)
        .unwrap()
        .into_iter()
        .find(|x| x.id == id)
        .unwrap();
    assert_eq!(after.group_id, None, "members go back to no group");
}

#[test]
fn settings_are_validated_and_take_effect() {
    let db = TestDb::demo(1, 5);
    let mut env = db.env();
    let a = admin_session(&db, &mut env);
    assert_eq!(
        settings::set_policy(&mut env, &a, 4, 32, 10),
        Err(ServiceError::Invalid {
            field: "min_len",
            problem: Problem::Range(6, 32)
        })
    );
    settings::set_policy(&mut env, &a, 8, 20, 3).unwrap();
    settings::set_refund(&mut env, &a, 1, true, 500_000).unwrap();
    let s = settings::get(&env, &a).unwrap();
    assert_eq!((s.password_min_len, s.idle_lock_minutes), (8, 3));
    assert_eq!(s.merchants[0].refund_mode, "review");
    assert_eq!(s.merchants[0].daily_refund_quota_fen, 500_000);
    let clerk = db.login(&mut env, "clerk");
    assert_eq!(
        auth::change_password(
            &mut env,
            &clerk,
            auth::Which::Login,
            "demo1234",
            "abc1234",
            "abc1234"
        ),
        Err(ServiceError::Invalid {
            field: "new1",
            problem: Problem::TooShort(8)
        })
    );
    // Every change above is in the audit log, which still verifies.
    let log = audit::query(&env, &a, &AuditFilter::default(), 100).unwrap();
    assert!(log
        .iter()
        .any(|r| r.action == "settings.policy" && r.after.contains("8..20")));
    assert!(matches!(
        audit::verify(&env.store).unwrap(),
        audit::ChainCheck::Intact { .. }
    ));
}
