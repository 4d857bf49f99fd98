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
use merchant_desk::card::{keys, list_readers, PcscTransport, Slot, Transport, VirtualCard};
use merchant_desk::service::card::{self, CardServiceError};
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

    let info = card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t).unwrap();
    assert_eq!(info.serial, card.serial());
    assert_eq!(info.auth_fpr, card.auth_fpr());
    assert_eq!(info.sign_fpr, card.sign_fpr());
    assert_eq!(
        card::bind_card(&mut f.env, &f.admin, f.clerk_id, &mut f.t),
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
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t).unwrap();
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
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t).unwrap();
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
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t).unwrap();
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
    card::bind_card(&mut f.env, &f.admin, f.checker_id, &mut f.t).unwrap();
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
    card::bind_card(&mut f.env, &f.admin, f.clerk_id, &mut f.t).unwrap();
    card::set_configured_reader(&mut f.env, &f.admin, &reader()).unwrap();
    let (rrn, amount): (String, i64) = f
        .env
        .store
        .raw_connection_for_tests()
        .query_row(
            "SELECT rrn, amount_fen FROM transactions WHERE status = 'success'
             AND txn_type = 'sale' ORDER BY id LIMIT 1",
            [],
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
