//! End to end through the real PC/SC stack: the virtual card connects to vpcd, pcscd sees it
//! in reader "Virtual PCD 00 00", and the app talks to it through `PcscTransport`.
//!
//! Without pcscd (or without vpcd's readers) every test here prints a notice and passes,
//! unless MERCHANT_DESK_REQUIRE_PCSCD=1, when they fail: `scripts/with-pcscd.sh cargo test`
//! sets it. One pcscd and two vpcd ports serve the whole machine, so the tests take turns
//! (a static mutex) and live in this one test binary.

mod common;

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use common::TestDb;
use merchant_desk::card::piv::{self, CardError, INS_GENERAL_AUTHENTICATE};
use merchant_desk::card::vpcd::{reader_name_for_port, VpcdCard, VPCD_PORT_0};
use merchant_desk::card::worker::CardJob;
use merchant_desk::card::{
    keys, list_readers, Algorithm, PcscTransport, Slot, Transport, VirtualCard,
};
use merchant_desk::service::card::{self, CardServiceError, CardSetup};
use merchant_desk::service::signing::{self, Decision};
use merchant_desk::service::{Env, Session};
use merchant_desk::store::{cards, operators};

static STACK: Mutex<()> = Mutex::new(());

const PORT: u16 = VPCD_PORT_0;

fn reader() -> String {
    reader_name_for_port(PORT)
}

/// The PC/SC stack, one test at a time; `None` (after a notice) when it is not there.
fn stack(test: &str) -> Option<MutexGuard<'static, ()>> {
    let guard = STACK.lock().unwrap_or_else(|p| p.into_inner());
    let why = match list_readers() {
        Ok(r) if r.contains(&reader()) => return Some(guard),
        Ok(r) => format!("pcscd has no reader \"{}\" (readers: {r:?})", reader()),
        Err(e) => e.to_string(),
    };
    if std::env::var("MERCHANT_DESK_REQUIRE_PCSCD").as_deref() == Ok("1") {
        panic!("{test}: MERCHANT_DESK_REQUIRE_PCSCD=1 but the PC/SC stack is not usable: {why}");
    }
    eprintln!(
        "skipped {test}: the PC/SC stack is not usable ({why}); run under scripts/with-pcscd.sh"
    );
    None
}

fn wait_present(t: &mut PcscTransport, want: bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if t.card_present().unwrap() == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the reader did not see the card {} within 5 s",
            if want { "inserted" } else { "removed" }
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn insert(t: &mut PcscTransport, card: &VirtualCard) -> VpcdCard {
    let c = VpcdCard::insert(PORT, card.clone());
    wait_present(t, true);
    c
}

fn pull(t: &mut PcscTransport, c: VpcdCard) {
    c.pull();
    wait_present(t, false);
}

struct Fixture {
    _db: TestDb,
    env: Env,
    admin: Session,
    checker_id: i64,
    clerk_id: i64,
    t: PcscTransport,
}

fn fixture() -> Fixture {
    fixture_with(1, 5)
}

fn fixture_with(days: u32, per_day: u32) -> Fixture {
    let db = TestDb::demo(days, per_day);
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    let id = |login: &str| {
        operators::by_login(&env.store.read(), login)
            .unwrap()
            .unwrap()
            .id
    };
    let (checker_id, clerk_id) = (id("checker"), id("clerk"));
    let mut t = PcscTransport::open(&reader()).unwrap();
    wait_present(&mut t, false);
    Fixture {
        _db: db,
        env,
        admin,
        checker_id,
        clerk_id,
        t,
    }
}

fn decision(f: &Fixture, remark: &str) -> Decision {
    Decision {
        kind: "refund".into(),
        ids: vec![1, 2],
        amounts_fen: vec![1_000, 2_500],
        operator_id: f.checker_id,
        operator_login: "checker".into(),
        at_ms: f.env.now_ms(),
        decision: "approve".into(),
        remark: remark.into(),
    }
}

fn sign(f: &mut Fixture, pin: &str, remark: &str) -> Result<i64, CardServiceError> {
    let d = decision(f, remark);
    let tx = f.env.store.begin().unwrap();
    let r = signing::sign_decision(&tx.db(), &mut f.t, pin, &d)?;
    tx.commit().unwrap();
    Ok(r.id)
}

fn approvals(f: &Fixture) -> usize {
    let mut n = 0;
    cards::for_each_approval(&f.env.store.read(), |_| {
        n += 1;
        true
    })
    .unwrap();
    n
}

#[test]
fn e2e_bind_and_login_with_right_and_wrong_pin() {
    let Some(_stack) = stack("e2e_bind_and_login_with_right_and_wrong_pin") else {
        return;
    };
    let mut f = fixture();
    let card = VirtualCard::from_seed("e2e-checker");
    let inserted = insert(&mut f.t, &card);

    let info = card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456").unwrap();
    assert_eq!(info.serial, card.serial());
    assert_eq!(info.auth_fpr, card.auth_fpr());
    assert_eq!(info.sign_fpr, card.sign_fpr());
    assert_eq!(
        card::bind_card(&mut f.env, &f.admin, f.clerk_id, &mut f.t, "123456"),
        Err(CardServiceError::CardInUse("checker".into()))
    );

    let started = Instant::now();
    card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456").unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "654321"),
        Err(CardServiceError::Card(CardError::WrongPin {
            tries_left: 2
        }))
    );
    card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456").unwrap();
    assert_eq!(card.tries_left(), 3);
    assert!(card::is_bound_card_present(&f.env, f.checker_id, &mut f.t).unwrap());

    // Pulled: the app sees it at once, and the same card back.
    pull(&mut f.t, inserted);
    assert!(!card::is_bound_card_present(&f.env, f.checker_id, &mut f.t).unwrap());
    let e = card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456").unwrap_err();
    assert!(
        matches!(&e, CardServiceError::Card(c) if c.is_removal()),
        "{e:?}"
    );
    let inserted = insert(&mut f.t, &card);
    assert!(card::is_bound_card_present(&f.env, f.checker_id, &mut f.t).unwrap());
    card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456").unwrap();
    pull(&mut f.t, inserted);

    // Another card is not the checker's.
    let inserted = insert(&mut f.t, &VirtualCard::from_seed("e2e-stranger"));
    assert!(!card::is_bound_card_present(&f.env, f.checker_id, &mut f.t).unwrap());
    assert_eq!(
        card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456"),
        Err(CardServiceError::WrongCard)
    );
    pull(&mut f.t, inserted);
}

#[test]
fn e2e_pin_blocked_after_three_wrong_tries() {
    let Some(_stack) = stack("e2e_pin_blocked_after_three_wrong_tries") else {
        return;
    };
    let mut f = fixture();
    let card = VirtualCard::from_seed("e2e-checker");
    let inserted = insert(&mut f.t, &card);
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456").unwrap();
    for left in [2, 1] {
        assert_eq!(
            card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "000000"),
            Err(CardServiceError::Card(CardError::WrongPin {
                tries_left: left
            }))
        );
    }
    for pin in ["000000", "123456"] {
        assert_eq!(
            card::login_with_card(&mut f.env, f.checker_id, &mut f.t, pin),
            Err(CardServiceError::Card(CardError::PinBlocked))
        );
    }
    assert_eq!(
        sign(&mut f, "123456", "blocked"),
        Err(CardServiceError::Card(CardError::PinBlocked))
    );
    // Still blocked after the card is pulled and put back.
    pull(&mut f.t, inserted);
    let inserted = insert(&mut f.t, &card);
    assert_eq!(
        card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456"),
        Err(CardServiceError::Card(CardError::PinBlocked))
    );
    pull(&mut f.t, inserted);
}

#[test]
fn e2e_signature_verifies_and_another_cards_does_not() {
    let Some(_stack) = stack("e2e_signature_verifies_and_another_cards_does_not") else {
        return;
    };
    let mut f = fixture();
    let card = VirtualCard::from_seed("e2e-checker");
    let inserted = insert(&mut f.t, &card);
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456").unwrap();
    let id = sign(&mut f, "123456", "审核通过").unwrap();
    let row = cards::approval(&f.env.store.read(), id).unwrap().unwrap();
    assert_eq!(row.key_fpr.unwrap(), card.sign_fpr());
    let v = signing::verify_all(&f.env.store).unwrap();
    assert_eq!((v.verified, v.ok()), (1, true), "{v:?}");
    pull(&mut f.t, inserted);

    // Another card: the service refuses it and keeps nothing ...
    let stranger = VirtualCard::from_seed("e2e-stranger");
    let inserted = insert(&mut f.t, &stranger);
    assert_eq!(
        sign(&mut f, "123456", "by another card"),
        Err(CardServiceError::WrongCard)
    );
    assert_eq!(approvals(&f), 1);
    // ... and its signature, stored under the checker's key by hand, fails verification.
    let d = decision(&f, "forged");
    let payload = signing::canonical_payload(&d);
    let digest = keys::sha256(&payload);
    let sig = piv::sign_with_pin(
        &mut f.t,
        "123456",
        Slot::Signature,
        &digest,
        &stranger.identity().sign_key,
    )
    .unwrap();
    let bound = cards::bound_card(&f.env.store.read(), f.checker_id)
        .unwrap()
        .unwrap();
    assert!(keys::verify_digest(&bound.sign_pubkey, &digest, &sig).is_err());
    let forged = cards::insert_approval(
        &f.env.store.read(),
        &cards::NewApproval {
            kind: "refund",
            operator_id: f.checker_id,
            payload: &payload,
            digest: &digest,
            signature: Some(&sig),
            key_fpr: Some(&bound.sign_fpr),
            created_ms: d.at_ms,
        },
    )
    .unwrap();
    let v = signing::verify_all(&f.env.store).unwrap();
    assert_eq!(v.verified, 1);
    assert_eq!(v.failures.len(), 1, "{v:?}");
    assert_eq!(v.failures[0].0, forged);
    pull(&mut f.t, inserted);
}

#[test]
fn e2e_card_pulled_in_the_middle_of_a_login() {
    let Some(_stack) = stack("e2e_card_pulled_in_the_middle_of_a_login") else {
        return;
    };
    let mut f = fixture();
    let card = VirtualCard::from_seed("e2e-checker");
    let inserted = insert(&mut f.t, &card);
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456").unwrap();
    card.pull_on(Some(INS_GENERAL_AUTHENTICATE));
    let started = Instant::now();
    let e = card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456").unwrap_err();
    assert!(
        matches!(&e, CardServiceError::Card(c) if c.is_removal()),
        "{e:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    wait_present(&mut f.t, false);
    drop(inserted);
    let inserted = insert(&mut f.t, &card);
    card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456").unwrap();
    pull(&mut f.t, inserted);
}

#[test]
fn e2e_card_pulled_in_the_middle_of_a_signature() {
    let Some(_stack) = stack("e2e_card_pulled_in_the_middle_of_a_signature") else {
        return;
    };
    let mut f = fixture();
    let card = VirtualCard::from_seed("e2e-checker");
    let inserted = insert(&mut f.t, &card);
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456").unwrap();
    card.pull_on(Some(INS_GENERAL_AUTHENTICATE));
    let e = sign(&mut f, "123456", "pulled").unwrap_err();
    assert!(
        matches!(&e, CardServiceError::Card(c) if c.is_removal()),
        "{e:?}"
    );
    assert_eq!(approvals(&f), 0);
    wait_present(&mut f.t, false);
    drop(inserted);
    let inserted = insert(&mut f.t, &card);
    sign(&mut f, "123456", "again").unwrap();
    assert!(signing::verify_all(&f.env.store).unwrap().ok());
    pull(&mut f.t, inserted);
}

/// Runs with or without pcscd: a reader that is not there is refused at once, by name.
#[test]
fn unknown_reader_is_refused_at_once() {
    let _stack = STACK.lock().unwrap_or_else(|p| p.into_inner());
    let started = Instant::now();
    match PcscTransport::open("No Such Reader 99") {
        Err(merchant_desk::card::TransportError::NoService) => {}
        Err(merchant_desk::card::TransportError::NoReader { wanted, .. }) => {
            assert_eq!(wanted, "No Such Reader 99")
        }
        Err(e) => panic!("unexpected error {e:?}"),
        Ok(_) => panic!("a reader that does not exist was opened"),
    }
    assert!(started.elapsed() < Duration::from_secs(1));
}

/// `refund-import` of an operator with a card bound: the same login steps as the app, with the
/// PIN from MERCHANT_DESK_PIN and the configured reader. Without the PIN it is refused; with the
/// card in the reader it imports.
#[test]
fn e2e_refund_import_needs_the_card_of_a_card_operator() {
    let Some(_guard) = stack("e2e_refund_import_needs_the_card_of_a_card_operator") else {
        return;
    };
    let mut f = fixture_with(2, 40);
    let card = VirtualCard::from_seed("clerk e2e");
    let c = insert(&mut f.t, &card);
    card::bind_card(&mut f.env, &f.admin, f.clerk_id, &mut f.t, "123456").unwrap();
    card::set_configured_reader(&mut f.env, &f.admin, &reader()).unwrap();
    let (rrn, amount): (String, i64) = f
        .env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT rrn, amount_fen FROM transactions WHERE status = 'success'
             AND txn_type = 'sale' ORDER BY id LIMIT 1",
            merchant_desk::store::params![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let file = f._db.dir.path().join("batch.xlsx");
    {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (i, h) in [
            "批次号",
            "原交易参考号/订单号",
            "退货订单号",
            "退货金额",
            "备注",
        ]
        .iter()
        .enumerate()
        {
            ws.write_string(0, i as u16, *h).unwrap();
        }
        ws.write_string(1, 0, "E2EBATCH1").unwrap();
        ws.write_string(1, 1, &rrn).unwrap();
        ws.write_string(1, 2, "E2EORDER1").unwrap();
        ws.write_string(
            1,
            3,
            merchant_desk::domain::money::format_fen(amount.min(100)),
        )
        .unwrap();
        wb.save(&file).unwrap();
    }
    let run = |pin: Option<&str>| {
        let mut cmd = std::process::Command::new(common::bin());
        cmd.args(["--lang", "en", "--db"])
            .arg(&f._db.path)
            .args(["refund-import", "--operator", "clerk", "--file"])
            .arg(&file)
            .env("MERCHANT_DESK_PASSWORD", "demo1234")
            .env("MERCHANT_DESK_PAY_PASSWORD", "demo1234")
            .env_remove("MERCHANT_DESK_PIN");
        if let Some(p) = pin {
            cmd.env("MERCHANT_DESK_PIN", p);
        }
        cmd.output().unwrap()
    };
    let without = run(None);
    assert!(!without.status.success());
    let wrong = run(Some("000000"));
    assert!(!wrong.status.success(), "a wrong PIN imported");
    let with = run(Some("123456"));
    assert!(
        with.status.success(),
        "{}{}",
        String::from_utf8_lossy(&with.stdout),
        String::from_utf8_lossy(&with.stderr)
    );
    assert!(String::from_utf8_lossy(&with.stdout).contains("E2EBATCH1"));
    pull(&mut f.t, c);
}

/// The administrator's setup of a card as it comes from the factory, then binding it, then
/// the reviewer's login and a refund approved with it, then verify-signatures: the README's
/// "from new" path through pcscd.
#[test]
fn e2e_blank_card_is_set_up_bound_and_used() {
    let Some(_stack) = stack("e2e_blank_card_is_set_up_bound_and_used") else {
        return;
    };
    let mut f = fixture_with(2, 40);
    let card = VirtualCard::blank("e2e-blank");
    let inserted = insert(&mut f.t, &card);
    // Empty slots: binding says so, and nothing is stored.
    assert_eq!(
        card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456"),
        Err(CardServiceError::Card(CardError::NoCertificate(
            Slot::Authentication
        )))
    );
    let setup = CardSetup::parse("", "123456", "24681357", "random").unwrap();
    let done = card::setup_card(&mut f.env, &f.admin, &mut f.t, &setup).unwrap();
    assert_eq!(done.generated, vec![Slot::Authentication, Slot::Signature]);
    assert!(done.pin_changed);
    let new_key = done.new_management_key.clone().unwrap();
    assert!(card.pin_is("24681357"));
    assert!(card.management_key_is(&new_key));
    assert_eq!(done.identity, card.identity());
    assert_eq!(done.identity.serial.len(), 32, "a fresh GUID");
    let info = card::bind_card(
        &mut f.env,
        &f.admin,
        f.checker_id,
        &mut f.t,
        setup.final_pin(),
    )
    .unwrap();
    assert_eq!(info.serial, card.serial());
    assert_eq!(info.auth_fpr, card.auth_fpr());
    // The old default management key no longer opens the card.
    assert_eq!(
        card::prepare_card(&mut f.t, &CardSetup::parse("", "24681357", "", "").unwrap())
            .map(|_| ()),
        Err(CardError::WrongManagementKey)
    );
    // The reviewer logs in and approves a refund with it.
    card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "24681357").unwrap();
    let id = approve_a_refund(&mut f, "24681357");
    assert!(id > 0);
    let v = signing::verify_all(&f.env.store).unwrap();
    assert_eq!((v.verified, v.ok()), (1, true), "{v:?}");
    pull(&mut f.t, inserted);
}

/// A refund applied for by the clerk and approved by the checker with the card; the refund id.
fn approve_a_refund(f: &mut Fixture, pin: &str) -> i64 {
    use merchant_desk::service::refunds::{self, Confirmation, RefundInput};
    use merchant_desk::service::settings;
    use merchant_desk::store::transactions::{self, PageAt, TxnFilter};
    for m in 1..=3 {
        let _ = settings::set_refund(&mut f.env, &f.admin, m, true, 0);
    }
    let sale = transactions::page(
        &f.env.store.read(),
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
    .find(|r| r.trade_date == 20261122 && r.amount_fen >= 100)
    .expect("a sale to refund");
    let clerk = f._db.login(&mut f.env, "clerk");
    let row = refunds::apply(
        &mut f.env,
        &clerk,
        &RefundInput {
            txn_id: sale.id,
            amount: "1.00".into(),
            remark: "顾客退货".into(),
            pay_password: "demo1234".into(),
            refund_order_no: None,
        },
    )
    .unwrap();
    // The service opens the card itself, in the reader the settings name.
    card::set_configured_reader(&mut f.env, &f.admin, &reader()).unwrap();
    let checker = f._db.login_with_card(&mut f.env, "checker", pin);
    let n = refunds::review(
        &mut f.env,
        &checker,
        &[row.id],
        true,
        "核对无误",
        Confirmation {
            pay_password: "demo1234",
            pin: Some(pin),
        },
    )
    .unwrap();
    assert_eq!(n, 1);
    row.id
}

#[test]
fn e2e_card_with_keys_but_no_certificates_is_set_up_and_bound() {
    let Some(_stack) = stack("e2e_card_with_keys_but_no_certificates_is_set_up_and_bound") else {
        return;
    };
    let mut f = fixture();
    let card = VirtualCard::from_seed("e2e-keys-only");
    let old = card.identity();
    card.remove_certificates();
    let inserted = insert(&mut f.t, &card);
    let e = card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456").unwrap_err();
    assert!(
        matches!(&e, CardServiceError::Card(c) if c.needs_setup()),
        "{e:?}"
    );
    let setup = CardSetup::parse("", "", "", "").unwrap();
    let done = card::setup_card(&mut f.env, &f.admin, &mut f.t, &setup).unwrap();
    assert!(!done.pin_changed && done.new_management_key.is_none());
    assert_ne!(
        done.identity.auth_key, old.auth_key,
        "new keys made on the card"
    );
    let info = card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456").unwrap();
    assert_eq!(info.auth_fpr, card.auth_fpr());
    card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456").unwrap();
    pull(&mut f.t, inserted);
}

#[test]
fn e2e_certificate_that_does_not_match_the_key_is_refused() {
    let Some(_stack) = stack("e2e_certificate_that_does_not_match_the_key_is_refused") else {
        return;
    };
    let mut f = fixture();
    for slot in [Slot::Authentication, Slot::Signature] {
        let card = VirtualCard::from_seed("e2e-mismatch");
        card.put_foreign_certificate(slot);
        let inserted = insert(&mut f.t, &card);
        assert_eq!(
            card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456"),
            Err(CardServiceError::Card(CardError::KeyMismatch(slot)))
        );
        assert!(cards::bound_card(&f.env.store.read(), f.checker_id)
            .unwrap()
            .is_none());
        pull(&mut f.t, inserted);
    }
    // A wrong PIN at binding: refused too, the tries counted down.
    let card = VirtualCard::from_seed("e2e-mismatch");
    let inserted = insert(&mut f.t, &card);
    assert_eq!(
        card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "000000"),
        Err(CardServiceError::Card(CardError::WrongPin {
            tries_left: 2
        }))
    );
    assert!(cards::bound_card(&f.env.store.read(), f.checker_id)
        .unwrap()
        .is_none());
    pull(&mut f.t, inserted);
}

#[test]
fn e2e_p384_and_rsa_2048_cards_and_compressed_certificates() {
    let Some(_stack) = stack("e2e_p384_and_rsa_2048_cards_and_compressed_certificates") else {
        return;
    };
    let mut f = fixture();
    for (alg, compressed) in [
        (Algorithm::EccP384, false),
        (Algorithm::Rsa2048, true),
        (Algorithm::EccP256, true),
    ] {
        let card = VirtualCard::with_algorithm(&format!("e2e-{alg}"), alg);
        if compressed {
            card.compress_certificates();
        }
        let inserted = insert(&mut f.t, &card);
        let info = card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456").unwrap();
        assert_eq!(info.sign_fpr, card.sign_fpr(), "{alg}");
        card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456").unwrap();
        sign(&mut f, "123456", &format!("signed with {alg}")).unwrap();
        assert!(signing::verify_all(&f.env.store).unwrap().ok(), "{alg}");
        pull(&mut f.t, inserted);
        card::unbind_card(&mut f.env, &f.admin, f.checker_id, "demo1234").unwrap();
    }
}

#[test]
fn e2e_unsupported_key_algorithm_is_named_at_binding() {
    let Some(_stack) = stack("e2e_unsupported_key_algorithm_is_named_at_binding") else {
        return;
    };
    let mut f = fixture();
    let card = VirtualCard::from_seed("e2e-ed25519");
    card.with_applet(|a| {
        // A certificate whose key is Ed25519 (1.3.101.112).
        let tlv = merchant_desk::card::der::tlv;
        let name = tlv(
            0x30,
            &tlv(
                0x31,
                &tlv(0x30, &[tlv(0x06, &[0x55, 4, 3]), tlv(0x0C, b"ed")].concat()),
            ),
        );
        let alg = tlv(0x30, &tlv(0x06, &[0x2B, 0x65, 0x70]));
        let mut bits = vec![0u8];
        bits.extend([7u8; 32]);
        let spki = tlv(0x30, &[alg.clone(), tlv(0x03, &bits)].concat());
        let validity = tlv(
            0x30,
            &[tlv(0x17, b"250101000000Z"), tlv(0x17, b"491231235959Z")].concat(),
        );
        let tbs = tlv(
            0x30,
            &[
                tlv(0x02, &[1]),
                alg.clone(),
                name.clone(),
                validity,
                name,
                spki,
            ]
            .concat(),
        );
        let cert = tlv(0x30, &[tbs, alg, tlv(0x03, &[0; 65])].concat());
        a.put_object(
            Slot::Authentication.certificate_object(),
            &piv::certificate_object(&cert),
        );
    });
    let inserted = insert(&mut f.t, &card);
    let e = card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456").unwrap_err();
    assert_eq!(
        e,
        CardServiceError::Card(CardError::UnsupportedAlgorithm(
            Slot::Authentication,
            "Ed25519".into()
        ))
    );
    assert!(e.to_string().contains("Ed25519"), "{e}");
    pull(&mut f.t, inserted);
}

/// The once-a-second card watch, as the app runs it (a transport opened for every look, then
/// `is_bound_card_present`): no reset of the card, and after the first look no command at all.
#[test]
fn e2e_card_watch_neither_resets_nor_talks_to_the_card() {
    let Some(_stack) = stack("e2e_card_watch_neither_resets_nor_talks_to_the_card") else {
        return;
    };
    let mut f = fixture();
    let card = VirtualCard::from_seed("e2e-watch");
    let inserted = insert(&mut f.t, &card);
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456").unwrap();
    card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456").unwrap();
    let checker = f.checker_id;
    let look = |env: &merchant_desk::service::Env| {
        let mut t = PcscTransport::open(&reader()).unwrap();
        card::is_bound_card_present(env, checker, &mut t).unwrap()
    };
    assert!(look(&f.env));
    let (resets, commands) = (card.resets(), card.commands());
    for _ in 0..5 {
        assert!(look(&f.env));
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(card.resets(), resets, "the watch reset the card");
    assert_eq!(card.commands(), commands, "the watch talked to the card");
    // A login still works, in the same session of the card (no reset since).
    card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456").unwrap();
    assert_eq!(card.resets(), resets);
    // Pulled and back: seen through the reader's state, the serial read once again.
    pull(&mut f.t, inserted);
    assert!(!look(&f.env));
    let inserted = insert(&mut f.t, &card);
    assert!(look(&f.env));
    let commands = card.commands();
    assert!(look(&f.env));
    assert_eq!(card.commands(), commands);
    pull(&mut f.t, inserted);
}

/// A slow card (a key waiting for its touch): the card part of the login runs on a worker
/// thread and the reader's state is read meanwhile without waiting.
#[test]
fn e2e_slow_card_runs_on_a_worker_and_the_watch_does_not_wait() {
    let Some(_stack) = stack("e2e_slow_card_runs_on_a_worker_and_the_watch_does_not_wait") else {
        return;
    };
    let mut f = fixture();
    let card = VirtualCard::from_seed("e2e-slow");
    let inserted = insert(&mut f.t, &card);
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456").unwrap();
    card.set_touch_delay(Duration::from_millis(1500));
    let login = card::CardLogin::begin(&mut f.env, f.checker_id).unwrap();
    let job_login = login.clone();
    let mut worker_t = PcscTransport::open(&reader()).unwrap();
    let mut job = CardJob::start(move || job_login.run(&mut worker_t, "123456"));
    std::thread::sleep(Duration::from_millis(300));
    assert!(job.poll().is_none(), "still waiting for the touch");
    let started = Instant::now();
    assert!(f.t.card_present().unwrap());
    assert!(
        started.elapsed() < Duration::from_millis(300),
        "the reader's state waited for the card: {:?}",
        started.elapsed()
    );
    let outcome = job.wait(Duration::from_secs(10)).expect("the login ends");
    login.finish(&mut f.env, outcome).unwrap();
    card.set_touch_delay(Duration::ZERO);
    pull(&mut f.t, inserted);
}

/// Another program holding the card exclusively: a clear message, and it works once that
/// program lets go.
#[test]
fn e2e_card_held_by_another_program() {
    let Some(_stack) = stack("e2e_card_held_by_another_program") else {
        return;
    };
    let mut f = fixture();
    let card = VirtualCard::from_seed("e2e-held");
    let inserted = insert(&mut f.t, &card);
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t, "123456").unwrap();
    // Our kept connection is shared; let it go by pulling and reinserting, then another
    // program takes the card exclusively before we talk to it again.
    pull(&mut f.t, inserted);
    let inserted = insert(&mut f.t, &card);
    let ctx = pcsc::Context::establish(pcsc::Scope::User).unwrap();
    let name = std::ffi::CString::new(reader()).unwrap();
    let other = ctx
        .connect(&name, pcsc::ShareMode::Exclusive, pcsc::Protocols::ANY)
        .expect("the other program connects exclusively");
    let e = card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456").unwrap_err();
    assert_eq!(
        e,
        CardServiceError::Card(CardError::Transport(
            merchant_desk::card::TransportError::InUse
        ))
    );
    assert!(e.to_string().contains("another program"), "{e}");
    other
        .disconnect(pcsc::Disposition::LeaveCard)
        .map_err(|(_, e)| e)
        .unwrap();
    card::login_with_card(&mut f.env, f.checker_id, &mut f.t, "123456").unwrap();
    pull(&mut f.t, inserted);
}
