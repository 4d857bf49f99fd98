//! Importing an acquirer's file from the 对账 screen (tests/tapes/recon_import.tape): the files
//! of the download folder offered, a file in no known layout refused naming its header and the
//! nearest profile (nothing stored), yesterday's demo file chosen and imported (its run opens),
//! the same file refused the second time. Then read back through the service: one file, its
//! runs; the format profiles shown as data. The demo's acquirer folder beside a database file
//! is offered too. Both backends.

mod common;

use common::TestDb;
use merchant_desk::demo::acquirer;
use merchant_desk::script::runner::run_tape;
use merchant_desk::service::recon;
use merchant_desk::store::merchants;
use merchant_desk::ui::text::Lang;

const DAY: i32 = 20261122;

#[test]
fn finance_imports_yesterdays_file_from_the_screen() {
    let db = TestDb::demo(3, 150);
    let env = db.env();
    let downloads = db.dir.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    merchants::set_setting(
        &env.store.read(),
        "download_dir",
        &downloads.display().to_string(),
    )
    .unwrap();
    acquirer::write_day(&env, &downloads, DAY).unwrap();
    std::fs::write(
        downloads.join("odd-layout-20261122.csv"),
        "流水号,金额,备注\n1,10.00,x\n",
    )
    .unwrap();
    drop(env);
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/tapes/recon_import.tape"
    ))
    .unwrap();
    let mut out = Vec::new();
    if let Err(e) = run_tape(&src, &db.path, Lang::Zh, None, &mut out) {
        panic!("{e:?}\n{}", String::from_utf8_lossy(&out));
    }
    let text = String::from_utf8_lossy(&out);
    // The refusal names what it found and what it is nearest to.
    assert!(text.contains("表头：流水号,金额,备注"), "{text}");
    let env = db.env();
    assert_eq!(
        env.store
            .query_i64_for_tests("SELECT count(*) FROM recon_files")
            .unwrap(),
        1
    );
    let mut env = env;
    let finance = db.login(&mut env, "finance");
    let runs = recon::runs(&env, &finance, 50).unwrap();
    assert!(!runs.is_empty());
    assert!(runs.iter().all(|r| r.file_name == "acquirer-20261122.csv"));
    assert!(runs.iter().all(|r| r.recon_date == DAY));
    let offered = recon::offered_files(&env, &finance, 50).unwrap();
    assert_eq!(offered.len(), 2);
    assert!(offered
        .iter()
        .any(|o| o.imported && o.path.ends_with("acquirer-20261122.csv")));
    assert!(offered
        .iter()
        .any(|o| !o.imported && o.path.ends_with("odd-layout-20261122.csv")));
    // A clerk has no 对账: not even the list of files.
    let clerk = db.login(&mut env, "clerk");
    assert!(recon::offered_files(&env, &clerk, 50).is_err());
}

#[test]
fn the_demo_acquirer_folder_beside_the_database_file_is_offered() {
    if merchant_desk::store::testing::postgres_under_test().is_some() {
        // A server's database has no folder beside it: only the download folder is offered.
        return;
    }
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let stem = db.path.file_stem().unwrap().to_string_lossy().into_owned();
    let dir = db.path.parent().unwrap().join(format!("{stem}-acquirer"));
    let files = acquirer::write_days(&env, &dir, DAY - 1, DAY + 1).unwrap();
    merchants::set_setting(
        &env.store.read(),
        "download_dir",
        &db.dir.path().join("none").display().to_string(),
    )
    .unwrap();
    let finance = db.login(&mut env, "finance");
    let offered = recon::offered_files(&env, &finance, 50).unwrap();
    let mut want = files.clone();
    want.sort();
    want.reverse();
    assert_eq!(
        offered.iter().map(|o| o.path.clone()).collect::<Vec<_>>(),
        want
    );
    assert!(offered.iter().all(|o| !o.imported));
}
