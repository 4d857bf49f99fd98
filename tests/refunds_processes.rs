//! Real processes on one database: two reviewers deciding the same applications at the same
//! moment (exactly one decision stands, the other is told), and `kill -9` of the settlement run
//! and of a batch import at random points (all of their effects or none, the invariants hold, a
//! rerun completes).

mod refunds_common;

use merchant_desk::domain::refund::RefundStatus;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use merchant_desk::service::card::CardServiceError;
use merchant_desk::service::refunds::{self, Confirmation, RefundInput};
use merchant_desk::service::{auth, batch_refund, settings, Rule, ServiceError};
use merchant_desk::store::merchants;
use rand::{Rng, SeedableRng};
use refunds_common::*;

fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_merchant-desk"))
}

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Started by `two_reviewers_deciding_at_the_same_moment...` as a separate process: logs in as
/// MD_CHILD_LOGIN and, at the agreed wall-clock moments, decides each application of
/// MD_CHILD_IDS, printing what it was told.
#[test]
#[ignore = "a child process of the concurrency test, which starts it"]
fn child_reviewer() {
    let Ok(db) = std::env::var("MD_CHILD_DB") else {
        return;
    };
    let var = |k: &str| std::env::var(k).unwrap();
    let clock = merchant_desk::clock::VirtualClock::new(
        merchant_desk::clock::parse_datetime_ms("2026-11-23 10:00").unwrap(),
    );
    let store = merchant_desk::store::Store::open(Path::new(&db)).unwrap();
    let mut env = merchant_desk::service::Env::new(store, std::sync::Arc::new(clock));
    let login = var("MD_CHILD_LOGIN");
    let session = auth::login(&mut env, &login, PW)
        .unwrap()
        .session()
        .unwrap();
    let approve = var("MD_CHILD_APPROVE") == "1";
    let start: i64 = var("MD_CHILD_START").parse().unwrap();
    let step: i64 = var("MD_CHILD_STEP").parse().unwrap();
    for (i, id) in var("MD_CHILD_IDS").split(',').enumerate() {
        let id: i64 = id.parse().unwrap();
        let at = start + i as i64 * step;
        while wall_ms() < at {
            std::thread::sleep(Duration::from_micros(200));
        }
        let r = refunds::review(
            &mut env,
            &session,
            &[id],
            approve,
            if approve { "" } else { "不符合退货条件" },
            Confirmation {
                pay_password: PW,
                pin: None,
            },
        );
        let what = match r {
            Ok(1) => "decided".to_string(),
            Err(CardServiceError::Service(ServiceError::Refused(Rule::AlreadyDecided(x))))
                if x == id =>
            {
                "told".to_string()
            }
            other => format!("unexpected {other:?}"),
        };
        println!("RESULT {id} {what}");
    }
}

#[test]
fn two_reviewers_deciding_at_the_same_moment_one_decision_stands_the_other_is_told() {
    let db = Db::demo_at("2026-11-23 10:00", 2, 200, 12);
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    for m in merchants::all(&env.store.read()).unwrap() {
        settings::set_refund(&mut env, &admin, m.id, true, 0).unwrap();
    }
    let clerk = db.login(&mut env, "clerk");
    let mut ids = Vec::new();
    for (txn, _, _) in fresh_sales(&env.store, 12) {
        let r = refunds::apply(
            &mut env,
            &clerk,
            &RefundInput {
                txn_id: txn,
                amount: "1.00".into(),
                pay_password: PW.into(),
                ..Default::default()
            },
        )
        .unwrap();
        ids.push(r.id);
    }
    drop(env);
    let ids_arg = ids
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(",");
    let start = wall_ms() + 3_000;
    let spawn = |login: &str, approve: bool| {
        Command::new(std::env::current_exe().unwrap())
            .args([
                "child_reviewer",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("MD_CHILD_DB", &db.path)
            .env("MD_CHILD_LOGIN", login)
            .env("MD_CHILD_APPROVE", if approve { "1" } else { "0" })
            .env("MD_CHILD_IDS", &ids_arg)
            .env("MD_CHILD_START", start.to_string())
            .env("MD_CHILD_STEP", "250")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    // Two reviewers: one approves, the other rejects, each at the same moments.
    let a = spawn("checker", true);
    let b = spawn("admin", false);
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let results = |o: &std::process::Output| -> Vec<(i64, String)> {
        assert!(
            o.status.success(),
            "child failed: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout)
            .lines()
            // The test harness may print its own words before the first line.
            .filter_map(|l| l.find("RESULT ").map(|i| &l[i + "RESULT ".len()..]))
            .map(|l| {
                let (id, what) = l.split_once(' ').unwrap();
                (id.parse().unwrap(), what.to_string())
            })
            .collect()
    };
    let (ra, rb) = (results(&a), results(&b));
    assert_eq!(ra.len(), ids.len());
    assert_eq!(rb.len(), ids.len());
    let env = db.env();
    let mut approved = 0;
    for ((id, wa), (id2, wb)) in ra.iter().zip(&rb) {
        assert_eq!(id, id2);
        let pair = (wa.as_str(), wb.as_str());
        assert!(
            pair == ("decided", "told") || pair == ("told", "decided"),
            "refund #{id}: checker {wa}, admin {wb}"
        );
        let row = merchant_desk::store::refunds::by_id(&env.store.read(), *id)
            .unwrap()
            .unwrap();
        let events = merchant_desk::store::refunds::events(&env.store.read(), *id).unwrap();
        let decisions = events
            .iter()
            .filter(|e| e.2 == "approved" || e.2 == "rejected")
            .count();
        assert_eq!(decisions, 1, "refund #{id}: {events:?}");
        if wa == "decided" {
            assert_eq!(row.status, RefundStatus::Submitted);
            assert_eq!(row.reviewer.as_deref(), Some("checker"));
            approved += 1;
        } else {
            assert_eq!(row.status, RefundStatus::Rejected);
            assert_eq!(row.reviewer.as_deref(), Some("admin"));
        }
    }
    eprintln!(
        "{} of {} races won by the approving reviewer",
        approved,
        ids.len()
    );
    assert_invariants(&env.store);
}

/// The settlements of a date, the ledger and the refund statuses: what a completed run leaves.
fn money_state(store: &merchant_desk::store::Store) -> Vec<String> {
    let conn = store.sql_for_tests();
    let mut out = Vec::new();
    for sql in [
        "SELECT merchant_id, settle_date, txn_count, trade_fen, fee_fen, refund_fen, net_fen
         FROM settlements ORDER BY merchant_id, settle_date",
        // A settlement line's reference is the settlement's id, which a server's sequence may
        // skip after a killed run (sequences are not rolled back): compared by the rest.
        "SELECT merchant_id, kind, amount_fen, balance_fen,
            CASE WHEN kind = 'settlement' THEN 0 ELSE coalesce(ref_id, 0) END FROM ledger_lines
         ORDER BY id",
        "SELECT id, status, coalesce(cleared_date, 0) FROM refund_applications ORDER BY id",
        "SELECT count(*), coalesce(sum(refunded_fen), 0), count(settlement_id) FROM transactions",
    ] {
        let mut st = conn.prepare(sql).unwrap();
        let rows = st
            .query_map(merchant_desk::store::params![], |r| {
                (0..r.column_count())
                    .map(|i| {
                        r.get::<i64>(i)
                            .map(|v| v.to_string())
                            .or_else(|_| r.get::<String>(i))
                    })
                    .collect::<Result<Vec<_>, _>>()
                    .map(|v| v.join(","))
            })
            .unwrap()
            .collect::<Result<Vec<_>, _>>()
            .unwrap();
        out.extend(rows);
    }
    out
}

fn settle_cmd(db: &Path) -> Command {
    let mut c = Command::new(bin());
    c.args([
        "--db",
        db.to_str().unwrap(),
        "settle",
        "--date",
        "2026-11-24",
    ])
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    c
}

#[test]
fn the_settlement_run_killed_at_random_points_leaves_all_or_nothing_and_reruns() {
    // A busy day not yet settled, and 999 refunds submitted against it.
    let pristine = Db::demo_at("2026-11-23 23:30", 1, 20_000, 21);
    {
        let mut env = pristine.env();
        let clerk = pristine.login(&mut env, "clerk");
        let sales = fresh_sales(&env.store, 999);
        let f = pristine.file("r.xlsx");
        batch_file(&f, "CRASH1", &sales, |a| (a / 3).max(1));
        batch_refund::import(&mut env, &clerk, &f, PW).unwrap();
    }
    // The uninterrupted run: how long it takes and what it leaves.
    let reference = pristine.copy();
    let started = Instant::now();
    let out = settle_cmd(&reference.path).output().unwrap();
    let full = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = money_state(&reference.env().store);
    assert_invariants(&reference.env().store);
    eprintln!("uninterrupted settlement run: {full:?}");

    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let (mut none, mut all) = (0, 0);
    for round in 0..8 {
        let db = pristine.copy();
        let before = money_state(&db.env().store);
        let mut child = settle_cmd(&db.path).spawn().unwrap();
        let delay = rng.random_range(0..(full.as_millis() as u64 * 11 / 10).max(2));
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        {
            let env = db.env();
            assert_invariants(&env.store);
            let now = money_state(&env.store);
            if now == before {
                none += 1;
            } else {
                assert_eq!(
                    now, expected,
                    "round {round}: a partial run after {delay} ms"
                );
                all += 1;
            }
        }
        eprintln!("round {round}: killed after {delay} ms ({status:?})");
        let out = settle_cmd(&db.path).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let env = db.env();
        assert_invariants(&env.store);
        assert_eq!(
            money_state(&env.store),
            expected,
            "round {round}: the rerun"
        );
    }
    eprintln!("killed runs that left nothing: {none}, that had finished: {all}");
}

fn import_cmd(db: &Path, file: &Path) -> Command {
    let mut c = Command::new(bin());
    c.args([
        "--db",
        db.to_str().unwrap(),
        "refund-import",
        "--operator",
        "clerk",
        "--file",
        file.to_str().unwrap(),
    ])
    .env("MERCHANT_DESK_PASSWORD", PW)
    .env("MERCHANT_DESK_PAY_PASSWORD", PW)
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    c
}

#[test]
fn a_batch_import_killed_at_random_points_is_whole_or_absent_and_reruns() {
    let pristine = Db::demo_at("2026-11-23 23:30", 1, 3_000, 22);
    let sales = fresh_sales(&pristine.env().store, 999);
    assert_eq!(sales.len(), 999);
    let file = pristine.file("batch.xlsx");
    batch_file(&file, "KILLME", &sales, |a| (a / 2).max(1));
    let reference = pristine.copy();
    let started = Instant::now();
    let out = import_cmd(&reference.path, &file).output().unwrap();
    let full = started.elapsed();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("uninterrupted import: {full:?}");
    let apps = |db: &Db| count(&db.env().store, "SELECT count(*) FROM refund_applications");
    assert_eq!(apps(&reference), 999);

    let mut rng = rand::rngs::StdRng::seed_from_u64(8);
    for round in 0..8 {
        let db = pristine.copy();
        let mut child = import_cmd(&db.path, &file).spawn().unwrap();
        let delay = rng.random_range(0..(full.as_millis() as u64 * 11 / 10).max(2));
        std::thread::sleep(Duration::from_millis(delay));
        child.kill().unwrap();
        child.wait().unwrap();
        assert_invariants(&db.env().store);
        let n = apps(&db);
        let batches = count(&db.env().store, "SELECT count(*) FROM refund_batches");
        assert!(
            (n, batches) == (0, 0) || (n, batches) == (999, 1),
            "round {round}: {n} applications, {batches} batches after {delay} ms"
        );
        eprintln!("round {round}: killed after {delay} ms: {n} applications");
        let out = import_cmd(&db.path, &file).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        if n == 0 {
            assert!(out.status.success(), "round {round}: {stdout}");
        } else {
            // Already imported whole: the same file again is refused, by its batch number.
            assert_eq!(out.status.code(), Some(1), "round {round}: {stdout}");
            assert!(stdout.contains("批次号"), "{stdout}");
        }
        assert_eq!(apps(&db), 999);
        assert_invariants(&db.env().store);
    }
}
