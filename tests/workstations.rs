//! Eight processes on one database of the backend under test for a few seconds — two appliers,
//! two reviewers racing on the same applications, a feed at 200 transactions/s, a settlement run,
//! queries and an export: every write landed once, every race had one winner, `check` and the
//! audit chain pass, nobody saw "database is locked". (The figures of a longer run on both
//! backends: `cargo run --release --example bench_load`.)

mod load;

/// A worker of the load test: this test binary started again by the test below.
#[test]
#[ignore = "a worker process of the load test, which starts it"]
fn load_worker() {
    load::worker_from_env();
}

#[test]
fn eight_workstations_at_once_every_write_lands_once_and_nobody_sees_a_lock() {
    let dir = tempfile::tempdir().unwrap();
    let db = merchant_desk::store::testing::fresh_database(dir.path());
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    load::prepare(&db, &downloads, 300);
    let report = load::run(&db, 6.0, || {
        let mut c = std::process::Command::new(std::env::current_exe().unwrap());
        c.args([
            "load_worker",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ]);
        c
    });
    eprintln!(
        "{} applied, {} approved, {} races lost and told, {} refused, {} fed, {} settled, {} refunds cleared",
        report.applied,
        report.decided,
        report.races_lost,
        report.refused,
        report.fed,
        report.settled_txns,
        report.refunds_cleared
    );
    for row in report.table_rows("test") {
        eprintln!("{row}");
    }
    // Everybody did something while the others wrote.
    for op in [
        "apply for a refund",
        "approve a refund",
        "write a fed transaction",
        "settlement run",
        "first page",
        "export 3 days (.xlsx)",
    ] {
        assert!(
            report.ops.contains_key(op),
            "nobody did {op}: {:?}",
            report.ops.keys()
        );
    }
    assert!(report.decided > 0);
}
