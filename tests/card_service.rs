//! The card use cases with the in-process virtual card: binding, login with the card, signed
//! approvals and their verification. (tests/card_e2e.rs runs the same through pcscd and vpcd.)

mod common;

use common::TestDb;
use merchant_desk::card::piv::{CardError, INS_GENERAL_AUTHENTICATE};
use merchant_desk::card::{TransportError, VirtualCard, VirtualReader};
use merchant_desk::domain::function::Function;
use merchant_desk::service::card::{self, CardServiceError};
use merchant_desk::service::signing::{self, Decision};
use merchant_desk::service::{Env, ServiceError, Session};
use merchant_desk::store::{cards, operators};

struct Fixture {
    _db: TestDb,
    env: Env,
    admin: Session,
    checker_id: i64,
    clerk_id: i64,
    reader: VirtualReader,
}

fn fixture() -> Fixture {
    let db = TestDb::demo(1, 5);
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    let id = |login: &str| {
        operators::by_login(&env.store.read(), login)
            .unwrap()
            .unwrap()
            .id
    };
    let (checker_id, clerk_id) = (id("checker"), id("clerk"));
    Fixture {
        _db: db,
        env,
        admin,
        checker_id,
        clerk_id,
        reader: VirtualReader::new("Virtual test reader"),
    }
}

fn audit_actions(env: &Env) -> Vec<String> {
    let mut v = Vec::new();
    merchant_desk::store::audit::for_each(&env.store.read(), |r| {
        v.push(r.action);
        true
    })
    .unwrap();
    v
}

fn decision(f: &Fixture, remark: &str) -> Decision {
    Decision {
        kind: "refund".into(),
        ids: vec![1],
        amounts_fen: vec![1_000],
        operator_id: f.checker_id,
        operator_login: "checker".into(),
        at_ms: f.env.now_ms(),
        decision: "approve".into(),
        remark: remark.into(),
    }
}

fn sign(f: &mut Fixture, pin: &str, remark: &str) -> Result<i64, CardServiceError> {
    let d = decision(f, remark);
    let mut t = f.reader.transport();
    let tx = f.env.store.begin().unwrap();
    let r = signing::sign_decision(&tx.db(), &mut t, pin, &d)?;
    tx.commit().unwrap();
    Ok(r.id)
}

#[test]
fn bind_login_and_unbind() {
    let mut f = fixture();
    let card = VirtualCard::from_seed("checker");
    f.reader.insert(card.clone());
    let mut t = f.reader.transport();
    let info = card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut t, "123456").unwrap();
    assert_eq!(info.serial, card.serial());
    assert_eq!(info.auth_fpr, card.auth_fpr());
    assert_eq!(info.sign_fpr, card.sign_fpr());
    assert_eq!(
        card::bound_card(&f.env, f.checker_id).unwrap(),
        Some(info.clone())
    );
    assert!(card::card_required(&f.env, f.checker_id).unwrap());
    assert!(!card::card_required(&f.env, f.clerk_id).unwrap());

    // The card belongs to one operator; an operator has one card.
    assert_eq!(
        card::bind_card(&mut f.env, &f.admin, f.clerk_id, &mut t, "123456"),
        Err(CardServiceError::CardInUse("checker".into()))
    );
    f.reader.insert(VirtualCard::from_seed("other"));
    assert_eq!(
        card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut t, "123456"),
        Err(CardServiceError::AlreadyBound)
    );
    f.reader.insert(card.clone());

    // Login: right PIN; wrong PIN with tries left; another card.
    card::login_with_card(&mut f.env, f.checker_id, &mut t, "123456").unwrap();
    assert_eq!(
        card::login_with_card(&mut f.env, f.checker_id, &mut t, "654321"),
        Err(CardServiceError::Card(CardError::WrongPin {
            tries_left: 2
        }))
    );
    card::login_with_card(&mut f.env, f.checker_id, &mut t, "123456").unwrap();
    f.reader.insert(VirtualCard::from_seed("other"));
    assert_eq!(
        card::login_with_card(&mut f.env, f.checker_id, &mut t, "123456"),
        Err(CardServiceError::WrongCard)
    );
    f.reader.remove();
    assert_eq!(
        card::login_with_card(&mut f.env, f.checker_id, &mut t, "123456"),
        Err(CardServiceError::Card(CardError::Transport(
            TransportError::NoCard
        )))
    );
    assert!(!card::is_bound_card_present(&f.env, f.checker_id, &mut t).unwrap());
    f.reader.insert(card.clone());
    assert!(card::is_bound_card_present(&f.env, f.checker_id, &mut t).unwrap());

    // Unbinding needs the acting administrator's payment password.
    let wrong = card::unbind_card(&mut f.env, &f.admin, f.checker_id, "nope1234");
    assert!(matches!(
        wrong,
        Err(CardServiceError::Service(ServiceError::Invalid {
            field: "pay_password",
            ..
        }))
    ));
    card::unbind_card(&mut f.env, &f.admin, f.checker_id, "demo1234").unwrap();
    assert_eq!(card::bound_card(&f.env, f.checker_id).unwrap(), None);
    assert_eq!(
        card::login_with_card(&mut f.env, f.checker_id, &mut t, "123456"),
        Err(CardServiceError::NotBound)
    );
    assert_eq!(
        card::unbind_card(&mut f.env, &f.admin, f.checker_id, "demo1234"),
        Err(CardServiceError::NotBound)
    );
    // Now the card can go to the clerk.
    card::bind_card(&mut f.env, &f.admin, f.clerk_id, &mut t, "123456").unwrap();

    let actions = audit_actions(&f.env);
    for a in [
        "card.bind",
        "card.bind_refused",
        "login.card",
        "login.card_refused",
        "card.unbind_refused",
        "card.unbind",
    ] {
        assert!(actions.iter().any(|x| x == a), "audit has {a}: {actions:?}");
    }
    assert!(matches!(
        merchant_desk::service::audit::verify(&f.env.store).unwrap(),
        merchant_desk::service::audit::ChainCheck::Intact { .. }
    ));
}

#[test]
fn only_administrators_bind_and_unbind() {
    let mut f = fixture();
    let db_clerk = {
        let mut env = f._db.env();
        f._db.login(&mut env, "clerk")
    };
    assert!(!db_clerk.has(Function::OperatorManage));
    f.reader.insert(VirtualCard::from_seed("checker"));
    let mut t = f.reader.transport();
    assert_eq!(
        card::bind_card(&mut f.env, &db_clerk, f.checker_id, &mut t, "123456"),
        Err(CardServiceError::Service(ServiceError::Denied(
            Function::OperatorManage
        )))
    );
    assert_eq!(
        card::unbind_card(&mut f.env, &db_clerk, f.checker_id, "demo1234"),
        Err(CardServiceError::Service(ServiceError::Denied(
            Function::OperatorManage
        )))
    );
    assert_eq!(card::bound_card(&f.env, f.checker_id).unwrap(), None);
}

#[test]
fn pin_blocked_after_three_wrong_tries() {
    let mut f = fixture();
    let card = VirtualCard::from_seed("checker");
    f.reader.insert(card.clone());
    let mut t = f.reader.transport();
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut t, "123456").unwrap();
    for left in [2, 1] {
        assert_eq!(
            card::login_with_card(&mut f.env, f.checker_id, &mut t, "000000"),
            Err(CardServiceError::Card(CardError::WrongPin {
                tries_left: left
            }))
        );
    }
    for pin in ["000000", "123456"] {
        assert_eq!(
            card::login_with_card(&mut f.env, f.checker_id, &mut t, pin),
            Err(CardServiceError::Card(CardError::PinBlocked))
        );
    }
    assert_eq!(
        sign(&mut f, "123456", "x"),
        Err(CardServiceError::Card(CardError::PinBlocked))
    );
}

#[test]
fn signed_approvals_verify_and_tampering_is_named() {
    let mut f = fixture();
    let card = VirtualCard::from_seed("checker");
    f.reader.insert(card.clone());
    let mut t = f.reader.transport();
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut t, "123456").unwrap();

    let first = sign(&mut f, "123456", "第一笔").unwrap();
    let second = sign(&mut f, "123456", "second").unwrap();
    let row = cards::approval(&f.env.store.read(), first)
        .unwrap()
        .unwrap();
    assert_eq!(row.key_fpr.as_deref(), Some(card.sign_fpr().as_str()));
    assert_eq!(
        signing::decode_payload(&row.payload).unwrap().remark,
        "第一笔"
    );
    // A wrong PIN signs nothing; another card is refused and nothing is kept.
    assert_eq!(
        sign(&mut f, "000000", "x"),
        Err(CardServiceError::Card(CardError::WrongPin {
            tries_left: 2
        }))
    );
    f.reader.insert(VirtualCard::from_seed("other"));
    assert_eq!(
        sign(&mut f, "123456", "x"),
        Err(CardServiceError::WrongCard)
    );
    f.reader.insert(card.clone());
    // Pulled in the middle of the signature.
    card.pull_on(Some(INS_GENERAL_AUTHENTICATE));
    match sign(&mut f, "123456", "x") {
        Err(CardServiceError::Card(e)) => assert!(e.is_removal(), "{e:?}"),
        other => panic!("expected a removal, got {other:?}"),
    }
    f.reader.insert(card.clone());
    let unsigned = {
        let d = decision(&f, "no card");
        let tx = f.env.store.begin().unwrap();
        let id = signing::record_unsigned(&tx.db(), &d).unwrap();
        tx.commit().unwrap();
        id
    };

    let v = signing::verify_all(&f.env.store).unwrap();
    assert_eq!(v.verified, 2);
    assert_eq!(v.unsigned, vec![unsigned]);
    assert!(v.ok(), "{v:?}");

    // Unbinding keeps old approvals verifiable: the key is in the audit log's binding record.
    card::unbind_card(&mut f.env, &f.admin, f.checker_id, "demo1234").unwrap();
    let v = signing::verify_all(&f.env.store).unwrap();
    assert_eq!((v.verified, v.ok()), (2, true), "{v:?}");

    // One changed byte of a signature, or of a payload, is named.
    let conn = f.env.store.sql_for_tests();
    let mut sig = cards::approval(&f.env.store.read(), first)
        .unwrap()
        .unwrap()
        .signature
        .unwrap();
    let last = sig.len() - 1;
    sig[last] ^= 0x01;
    conn.execute(
        "UPDATE approvals SET signature = ?1 WHERE id = ?2",
        merchant_desk::store::params![sig, first],
    )
    .unwrap();
    let mut payload = cards::approval(&f.env.store.read(), second)
        .unwrap()
        .unwrap()
        .payload;
    let at = payload.windows(6).position(|w| w == b"second").unwrap();
    payload[at + 4] = b'N';
    conn.execute(
        "UPDATE approvals SET payload = ?1 WHERE id = ?2",
        merchant_desk::store::params![payload, second],
    )
    .unwrap();
    let v = signing::verify_all(&f.env.store).unwrap();
    assert_eq!(v.verified, 0);
    let ids: Vec<i64> = v.failures.iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, vec![first, second], "{v:?}");
    assert!(v.failures[0].1.contains("does not verify"), "{v:?}");
    assert!(v.failures[1].1.contains("digest"), "{v:?}");
}

#[test]
fn a_signature_by_another_card_does_not_verify() {
    let mut f = fixture();
    let checker = VirtualCard::from_seed("checker");
    f.reader.insert(checker.clone());
    let mut t = f.reader.transport();
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut t, "123456").unwrap();
    // Someone stores a decision signed by another card under the checker's key fingerprint.
    let other = VirtualReader::new("other");
    other.insert(VirtualCard::from_seed("forger"));
    let mut ot = other.transport();
    let d = decision(&f, "forged");
    let payload = signing::canonical_payload(&d);
    let digest = merchant_desk::card::keys::sha256(&payload);
    let forger_key = VirtualCard::from_seed("forger").identity().sign_key;
    let sig = merchant_desk::card::piv::sign_with_pin(
        &mut ot,
        "123456",
        merchant_desk::card::Slot::Signature,
        &digest,
        &forger_key,
    )
    .unwrap();
    let id = cards::insert_approval(
        &f.env.store.read(),
        &cards::NewApproval {
            kind: "refund",
            operator_id: f.checker_id,
            payload: &payload,
            digest: &digest,
            signature: Some(&sig),
            key_fpr: Some(&checker.sign_fpr()),
            created_ms: d.at_ms,
        },
    )
    .unwrap();
    let v = signing::verify_all(&f.env.store).unwrap();
    assert_eq!(v.failures.len(), 1, "{v:?}");
    assert_eq!(v.failures[0].0, id);
    // And under the forger's own fingerprint: never bound to the checker.
    f.env
        .store
        .sql_for_tests()
        .execute(
            "UPDATE approvals SET key_fpr = ?1 WHERE id = ?2",
            merchant_desk::store::params![VirtualCard::from_seed("forger").sign_fpr(), id],
        )
        .unwrap();
    let v = signing::verify_all(&f.env.store).unwrap();
    assert!(v.failures[0].1.contains("never bound"), "{v:?}");
}

#[test]
fn card_pulled_in_the_middle_of_a_login() {
    let mut f = fixture();
    let card = VirtualCard::from_seed("checker");
    f.reader.insert(card.clone());
    let mut t = f.reader.transport();
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut t, "123456").unwrap();
    card.pull_on(Some(INS_GENERAL_AUTHENTICATE));
    match card::login_with_card(&mut f.env, f.checker_id, &mut t, "123456") {
        Err(CardServiceError::Card(e)) => assert!(e.is_removal(), "{e:?}"),
        other => panic!("expected a removal, got {other:?}"),
    }
    assert!(!f.reader.is_present());
    f.reader.insert(card);
    card::login_with_card(&mut f.env, f.checker_id, &mut t, "123456").unwrap();
}

#[test]
fn reader_and_policy_settings() {
    let mut f = fixture();
    assert_eq!(card::configured_reader(&f.env), None);
    card::set_configured_reader(&mut f.env, &f.admin, "Virtual PCD 00 00").unwrap();
    assert_eq!(
        card::configured_reader(&f.env).as_deref(),
        Some("Virtual PCD 00 00")
    );
    assert!(!card::card_required(&f.env, f.clerk_id).unwrap());
    card::set_login_policy(&mut f.env, &f.admin, true).unwrap();
    assert!(card::card_required(&f.env, f.clerk_id).unwrap());
}

#[test]
fn setup_is_audited_without_secrets_and_only_for_administrators() {
    let mut f = fixture();
    let card = VirtualCard::blank("svc-blank");
    f.reader.insert(card.clone());
    let mut t = f.reader.transport();
    let setup = card::CardSetup::parse("", "", "86427531", "random").unwrap();
    let clerk = f._db.login(&mut f.env, "clerk");
    assert!(matches!(
        card::setup_card(&mut f.env, &clerk, &mut t, &setup),
        Err(CardServiceError::Service(ServiceError::Denied(_)))
    ));
    assert!(!card.has_certificate(merchant_desk::card::Slot::Authentication));
    let done = card::setup_card(&mut f.env, &f.admin, &mut t, &setup).unwrap();
    let key = hex::encode(done.new_management_key.as_ref().unwrap());
    // A wrong management key is refused and audited.
    let wrong = card::CardSetup::parse(&"11".repeat(24), "86427531", "", "").unwrap();
    assert_eq!(
        card::setup_card(&mut f.env, &f.admin, &mut t, &wrong),
        Err(CardServiceError::Card(CardError::WrongManagementKey))
    );
    let actions = audit_actions(&f.env);
    assert!(actions.contains(&"card.setup".to_string()), "{actions:?}");
    assert!(
        actions.contains(&"card.setup_failed".to_string()),
        "{actions:?}"
    );
    let mut texts = Vec::new();
    merchant_desk::store::audit::for_each(&f.env.store.read(), |r| {
        texts.push(format!("{} {}", r.before, r.after));
        true
    })
    .unwrap();
    let all = texts.join("\n").to_lowercase();
    assert!(!all.contains("86427531"), "the PIN is not logged");
    assert!(!all.contains(&key), "the management key is not logged");
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut t, "86427531").unwrap();
    // Invalid form values are named.
    assert_eq!(
        card::CardSetup::parse("0102", "", "", ""),
        Err(card::SetupField::ManagementKey(
            "2 bytes; a management key has 16, 24 or 32 bytes (32, 48 or 64 hex digits)".into()
        ))
    );
    assert_eq!(
        card::CardSetup::parse("", "", "123", ""),
        Err(card::SetupField::NewPin)
    );
}
