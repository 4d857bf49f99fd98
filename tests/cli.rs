//! The command line: exit statuses and messages for bad databases and tapes, and audit verify.

mod common;

use std::process::Command;

use common::{bin, TestDb};

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin()).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_file_that_is_not_ours_is_refused_and_left_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "just some text, not a database at all\n".repeat(50)).unwrap();
    let before = std::fs::read(&text).unwrap();
    let (code, _, err) = run(&["--db", text.to_str().unwrap(), "audit", "verify"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a merchant-desk database"), "{err}");
    assert_eq!(std::fs::read(&text).unwrap(), before);

    // Another application's SQLite file is not ours either.
    let other = dir.path().join("other.sqlite3");
    let c = rusqlite::Connection::open(&other).unwrap();
    c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(c);
    let before = std::fs::read(&other).unwrap();
    let (code, _, err) = run(&["--db", other.to_str().unwrap(), "audit", "verify"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a merchant-desk database"), "{err}");
    assert_eq!(std::fs::read(&other).unwrap(), before);
}

#[test]
fn a_newer_database_is_refused_and_left_unchanged() {
    if merchant_desk::store::testing::sqlite_only(
        "editing the SQLite file with a second connection",
    ) {
        return;
    }
    let db = TestDb::demo(1, 5);
    {
        let c = rusqlite::Connection::open(&db.path).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA user_version = 999;")
            .unwrap();
    }
    let before = std::fs::read(&db.path).unwrap();
    let (code, _, err) = run(&["--db", db.path.to_str().unwrap(), "audit", "verify"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("newer merchant-desk"), "{err}");
    assert_eq!(std::fs::read(&db.path).unwrap(), before);
}

#[test]
fn a_database_that_cannot_be_opened_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&["--db", dir.path().to_str().unwrap(), "audit", "verify"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot open"), "{err}");
}

#[test]
fn tapes_report_unknown_commands_and_failed_waits() {
    let db = TestDb::demo(1, 5);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.tape");
    std::fs::write(&bad, "Set Width 80\nType \"x\"\nJump 3\n").unwrap();
    let (code, _, err) = run(&[
        "--db",
        db.path.to_str().unwrap(),
        "script",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains(":3:"), "{err}");

    let wait = dir.path().join("wait.tape");
    std::fs::write(&wait, "Set WaitTimeout 1s\nWait /no such text/\n").unwrap();
    let (code, _, err) = run(&[
        "--db",
        db.path.to_str().unwrap(),
        "script",
        wait.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(
        err.contains("no such text") && err.contains("操作员登录"),
        "{err}"
    );

    let good = dir.path().join("good.tape");
    let frames = dir.path().join("frames");
    std::fs::write(
        &good,
        "Set Width 80\nSet Height 24\nType \"clerk\"\nEnter\nType \"demo1234\"\nEnter\nWait /最近交易/\nScreenshot home\n",
    )
    .unwrap();
    let (code, out, err) = run(&[
        "--db",
        db.path.to_str().unwrap(),
        "script",
        good.to_str().unwrap(),
        "--frames",
        frames.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("最近交易"));
    let frame = std::fs::read_to_string(frames.join("home.txt")).unwrap();
    assert_eq!(frame.lines().count(), 24);
    assert!(frame.lines().all(|l| l == l.trim_end()));
}

#[test]
fn audit_verify_passes_then_names_an_edited_row() {
    if merchant_desk::store::testing::sqlite_only(
        "editing the SQLite file with a second connection",
    ) {
        return;
    }
    let db = TestDb::demo(1, 5);
    let (code, out, err) = run(&["--db", db.path.to_str().unwrap(), "audit", "verify"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("intact"), "{out}");
    {
        let c = rusqlite::Connection::open(&db.path).unwrap();
        c.execute("UPDATE audit_log SET operator = 'mallory' WHERE id = 1", [])
            .unwrap();
    }
    let (code, out, _) = run(&["--db", db.path.to_str().unwrap(), "audit", "verify"]);
    assert_eq!(code, 1);
    assert!(out.contains("row 1"), "{out}");
}

#[test]
fn demo_command_writes_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.sqlite3");
    let (code, out, err) = run(&[
        "demo",
        "--db",
        path.to_str().unwrap(),
        "--days",
        "2",
        "--per-day",
        "50",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("transactions"), "{out}");
    // A second run refuses to mix a second group into the same file.
    let (code, _, err) = run(&["demo", "--db", path.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("already holds"), "{err}");
}
