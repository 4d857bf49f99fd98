//! Both backends: PostgreSQL is there when the suite requires it, `migrate-to` moves a SQLite
//! database whole onto a server, and a second workstation hears of a commit at once.

mod common;

use std::process::Command;

use common::bin;
use merchant_desk::store::testing::{postgres_under_test, with_database};
use merchant_desk::store::Store;

/// The server the suite runs beside (`scripts/with-postgres.sh`), or `None` when there is none
/// and none is required; with `MERCHANT_DESK_REQUIRE_PG=1` (CI) a missing server fails.
fn server() -> Option<String> {
    let url = std::env::var("MERCHANT_DESK_TEST_PG")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        assert!(
            std::env::var("MERCHANT_DESK_REQUIRE_PG").as_deref() != Ok("1"),
            "MERCHANT_DESK_REQUIRE_PG=1 but no PostgreSQL server: run under scripts/with-postgres.sh"
        );
        eprintln!("no PostgreSQL server (scripts/with-postgres.sh starts one): skipped");
    }
    url
}

/// Runs the application with `args` (its data directory a throwaway one: a demo on a server
/// writes its acquirer files there); its output, after asserting it succeeded.
fn run_ok(args: &[&str]) -> std::process::Output {
    let data = tempfile::tempdir().unwrap();
    let out = Command::new(bin())
        .args(args)
        .env("XDG_DATA_HOME", data.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "merchant-desk {}: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn new_database(server: &str, name: &str) -> String {
    let mut admin = postgres::Client::connect(server, postgres::NoTls).unwrap();
    // One statement each: neither may run inside a transaction block.
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    with_database(server, name)
}

#[test]
fn the_server_is_there_when_required_and_a_foreign_database_is_refused() {
    let Some(server) = server() else { return };
    let url = new_database(&server, &format!("md_foreign_{}", std::process::id()));
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    c.batch_execute("CREATE TABLE customers (id bigint)")
        .unwrap();
    drop(c);
    let err = Store::open_at(&merchant_desk::store::Location::Server(url.clone()))
        .err()
        .expect("refused");
    assert!(
        err.to_string().contains("is not a merchant-desk database"),
        "{err}"
    );
    // Left as it was.
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

#[test]
fn migrate_to_copies_a_sqlite_database_whole_and_verifies_it() {
    let Some(server) = server() else { return };
    if postgres_under_test().is_some() {
        // The SQLite run covers it; the PostgreSQL run of the suite has no SQLite source here.
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("demo.sqlite3");
    let out = Command::new(bin())
        .args(["demo", "--days", "3", "--per-day", "80", "--db"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Text with the characters COPY's text format escapes reaches the server unchanged.
    let awkward = "Tab\there, line\nbreak, back\\slash, \\N";
    Store::open(&file)
        .unwrap()
        .execute_for_tests(&format!(
            "UPDATE merchants SET address = '{awkward}' WHERE id = 1"
        ))
        .unwrap();
    let url = new_database(&server, &format!("md_moved_{}", std::process::id()));
    let out = Command::new(bin())
        .args(["migrate-to", "--from"])
        .arg(&file)
        .args(["--to", &url])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("all invariants hold"), "{text}");
    assert!(text.contains("audit log on the target intact"), "{text}");
    // The same money on both.
    let lite = Store::open(&file).unwrap();
    let pg = Store::open(std::path::Path::new(&url)).unwrap();
    for sql in [
        "SELECT count(*) FROM transactions",
        "SELECT coalesce(sum(amount_fen), 0) FROM transactions",
        "SELECT coalesce(sum(net_fen), 0) FROM settlements",
        "SELECT coalesce(sum(amount_fen), 0) FROM ledger_lines",
        "SELECT count(*) FROM audit_log",
        "SELECT coalesce(sum(amount_fen), 0) FROM txn_daily",
    ] {
        assert_eq!(
            lite.query_i64_for_tests(sql).unwrap(),
            pg.query_i64_for_tests(sql).unwrap(),
            "{sql}"
        );
    }
    let address = |store: &Store| {
        store
            .sql_for_tests()
            .query_row(
                "SELECT address FROM merchants WHERE id = 1",
                merchant_desk::store::params![],
                |r| r.get::<String>(0),
            )
            .unwrap()
    };
    assert_eq!(address(&pg), awkward);
    assert_eq!(address(&lite), awkward);
    // A second copy into the now full database is refused and changes nothing.
    let before = pg
        .query_i64_for_tests("SELECT count(*) FROM transactions")
        .unwrap();
    let out = Command::new(bin())
        .args(["migrate-to", "--from"])
        .arg(&file)
        .args(["--to", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("already holds a merchant group"));
    assert_eq!(
        pg.query_i64_for_tests("SELECT count(*) FROM transactions")
            .unwrap(),
        before
    );
}

#[test]
fn a_second_workstation_hears_of_a_commit_at_once() {
    let Some(server) = server() else { return };
    let url = new_database(&server, &format!("md_notify_{}", std::process::id()));
    let location = merchant_desk::store::Location::Server(url);
    let a = Store::open_at(&location).unwrap();
    let b = Store::open_at(&location).unwrap();
    let seen = b.data_version().unwrap();
    assert_eq!(b.data_version().unwrap(), seen, "nothing changed yet");
    let tx = a.begin().unwrap();
    merchant_desk::store::merchants::set_setting(&tx.db(), "idle_lock_minutes", "15").unwrap();
    tx.commit().unwrap();
    assert_ne!(b.data_version().unwrap(), seen, "B heard of A's commit");
}

#[test]
fn the_demo_fills_a_server_whole_and_its_rollups_agree() {
    let Some(server) = server() else { return };
    if postgres_under_test().is_some() {
        return; // one run is enough: this test makes its own server database
    }
    let url = new_database(&server, &format!("md_demo_{}", std::process::id()));
    run_ok(&["demo", "--days", "4", "--per-day", "120", "--db", &url]);
    let pg = Store::open(std::path::Path::new(&url)).unwrap();
    let count = pg
        .query_i64_for_tests("SELECT count(*) FROM transactions")
        .unwrap();
    // Three whole past days; today's only up to the real clock (at 01:00 in Shanghai, hardly
    // any), so today is not counted on.
    assert!(count >= 3 * 100, "{count} transactions");
    assert_eq!(
        pg.query_i64_for_tests("SELECT coalesce(sum(txn_count), 0) FROM txn_daily")
            .unwrap(),
        count
    );
    assert_eq!(
        pg.query_i64_for_tests("SELECT coalesce(sum(amount_fen), 0) FROM txn_daily")
            .unwrap(),
        pg.query_i64_for_tests("SELECT coalesce(sum(amount_fen), 0) FROM transactions")
            .unwrap()
    );
    // The triggers are on again: a new transaction joins its rollup.
    let out = Command::new(bin())
        .args(["feed", "--count", "5", "--db", &url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        pg.query_i64_for_tests("SELECT coalesce(sum(txn_count), 0) FROM txn_daily")
            .unwrap(),
        count + 5
    );
    run_ok(&["check", "--db", &url]);
    // A demo into a database that holds one is refused.
    let out = Command::new(bin())
        .args(["demo", "--days", "1", "--per-day", "10", "--db", &url])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already holds a merchant group"));
}
