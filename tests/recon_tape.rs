//! The 对账 tape (tests/tapes/recon.tape) on a database where finance imported yesterday's demo
//! acquirer file: the run opened, exceptions read side by side, three resolved with a remark
//! through the keys, the run exported. The resolutions the tape made are then read back through
//! the service. Runs on both backends.

mod common;

use common::TestDb;
use merchant_desk::demo::acquirer;
use merchant_desk::domain::recon::{ExceptionStatus, Resolution};
use merchant_desk::script::runner::run_tape;
use merchant_desk::service::recon::{self, ImportRequest};
use merchant_desk::store::merchants;
use merchant_desk::ui::text::Lang;

const DAY: i32 = 20261122;

#[test]
fn finance_resolves_exceptions_of_yesterdays_run_through_the_keys() {
    let db = TestDb::demo(3, 150);
    let mut env = db.env();
    let finance = db.login(&mut env, "finance");
    let file = acquirer::write_day(&env, db.dir.path(), DAY).unwrap();
    let s = recon::import(
        &mut env,
        &finance,
        &ImportRequest {
            path: file,
            format: None,
            date: None,
        },
    )
    .unwrap();
    let downloads = db.dir.path().join("downloads");
    std::fs::create_dir(&downloads).unwrap();
    merchants::set_setting(
        &env.store.read(),
        "download_dir",
        &downloads.display().to_string(),
    )
    .unwrap();
    drop(env);
    let src = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/tapes/recon.tape"
    ))
    .unwrap();
    let mut out = Vec::new();
    if let Err(e) = run_tape(&src, &db.path, Lang::Zh, None, &mut out) {
        panic!("{e:?}\n{}", String::from_utf8_lossy(&out));
    }
    let env = db.env();
    // The run the tape opened: the first store's, with the differences.
    let run = s.runs.iter().map(|r| r.run_id).min().unwrap();
    let resolved: Vec<_> = recon::exceptions(&env, &finance, run, None)
        .unwrap()
        .into_iter()
        .filter(|e| e.status == ExceptionStatus::Resolved)
        .collect();
    let mut got: Vec<(Resolution, String)> = resolved
        .iter()
        .map(|e| (e.resolution.unwrap(), e.remark.clone()))
        .collect();
    got.sort_by_key(|g| g.1.clone());
    let mut want = vec![
        (Resolution::Adjusted, "已核实，收单方漏传".to_string()),
        (Resolution::AcceptedDifference, "已向收单方申请".to_string()),
        (Resolution::Ignored, "测试数据".to_string()),
    ];
    want.sort_by_key(|g| g.1.clone());
    assert_eq!(got, want);
    let mut exported: Vec<String> = std::fs::read_dir(&downloads)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    exported.sort();
    // The run's workbook, and the newest day's statement of the first store.
    assert_eq!(exported.len(), 2, "{exported:?}");
    assert!(exported[0].starts_with("对账批次_"), "{exported:?}");
    assert!(exported[1].starts_with("日结算对账单_"), "{exported:?}");
}
