//! A refund approved with the reviewer's USB key: the decision is signed over the list, the
//! signature verifies with `verify-signatures`, and one changed byte is named.

mod common;

use merchant_desk::domain::refund::RefundStatus;
use std::process::Command;

use common::{bin, TestDb};
use merchant_desk::card::{VirtualCard, VirtualReader};
use merchant_desk::service::card::{self, CardServiceError};
use merchant_desk::service::refunds::{self, Confirmation, RefundInput};
use merchant_desk::service::session::CardReaders;
use merchant_desk::service::{settings, Rule, ServiceError};
use merchant_desk::store::transactions::{self, PageAt, TxnFilter};
use merchant_desk::store::{operators, refunds as store_refunds};

fn verify(db: &TestDb) -> (i32, String) {
    let out = Command::new(bin())
        .args(["--db", db.path.to_str().unwrap(), "verify-signatures"])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn approvals_signed_by_the_card_verify_and_a_changed_byte_is_named() {
    if merchant_desk::store::testing::sqlite_only("tampering through a second SQLite connection") {
        return;
    }
    let db = TestDb::demo(2, 40);
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    let reader = VirtualReader::new("test reader");
    reader.insert(VirtualCard::from_seed("checker-key"));
    let checker_id = operators::by_login(&env.store.read(), "checker")
        .unwrap()
        .unwrap()
        .id;
    card::bind_card(
        &mut env,
        &admin,
        checker_id,
        &mut reader.transport(),
        "123456",
    )
    .unwrap();
    for m in 1..=3 {
        settings::set_refund(&mut env, &admin, m, true, 0).unwrap();
    }
    // Two sales from yesterday, refunded in part by the clerk.
    let sales: Vec<_> = transactions::page(
        &env.store.read(),
        &TxnFilter {
            txn_type: Some("sale".into()),
            status: Some("success".into()),
            ..Default::default()
        },
        PageAt::First,
        100,
    )
    .unwrap()
    .into_iter()
    .filter(|r| r.trade_date == 20261122)
    .take(2)
    .collect();
    let clerk = db.login(&mut env, "clerk");
    let mut ids = Vec::new();
    for s in &sales {
        let row = refunds::apply(
            &mut env,
            &clerk,
            &RefundInput {
                txn_id: s.id,
                amount: "1.00".into(),
                remark: "顾客退货".into(),
                pay_password: "demo1234".into(),
                refund_order_no: None,
            },
        )
        .unwrap();
        assert_eq!(row.status, RefundStatus::PendingReview);
        ids.push(row.id);
    }
    // The service reads the card in this workstation's reader: here, the virtual one.
    env.readers = CardReaders::Virtual(reader.clone());
    // A reviewer with a card bound logs in with it.
    let checker = db.login_with_card(&mut env, "checker", "123456");
    // Without the card's PIN the reviewer with a bound card is refused.
    let r = refunds::review(
        &mut env,
        &checker,
        &ids,
        true,
        "",
        Confirmation {
            pay_password: "demo1234",
            pin: None,
        },
    );
    assert!(matches!(r, Err(CardServiceError::PinNeeded)), "{r:?}");
    // With the card and the right PIN: one decision, one signature over both.
    let n = refunds::review(
        &mut env,
        &checker,
        &ids,
        true,
        "核对无误",
        Confirmation {
            pay_password: "demo1234",
            pin: Some("123456"),
        },
    )
    .unwrap();
    assert_eq!(n, 2);
    let a = store_refunds::by_id(&env.store.read(), ids[0])
        .unwrap()
        .unwrap();
    let b = store_refunds::by_id(&env.store.read(), ids[1])
        .unwrap()
        .unwrap();
    assert_eq!(a.status, RefundStatus::Submitted);
    assert!(a.approval_id.is_some() && a.approval_id == b.approval_id);
    // Deciding again is refused: someone (here: the same reviewer) decided first.
    let again = refunds::review(
        &mut env,
        &checker,
        &ids[..1],
        false,
        "晚了",
        Confirmation {
            pay_password: "demo1234",
            pin: Some("123456"),
        },
    );
    assert!(matches!(
        again,
        Err(CardServiceError::Service(ServiceError::Refused(
            Rule::AlreadyDecided(_)
        )))
    ));
    drop(env);
    let (code, out) = verify(&db);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 signed approvals verified"), "{out}");
    {
        let c = rusqlite::Connection::open(&db.path).unwrap();
        c.execute(
            "UPDATE approvals SET signature = CAST(substr(signature, 1, 10) || X'00' || substr(signature, 12) AS BLOB)
             WHERE signature IS NOT NULL",
            [],
        )
        .unwrap();
    }
    let (code, out) = verify(&db);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(&format!("approval {}", a.approval_id.unwrap())),
        "{out}"
    );
}
