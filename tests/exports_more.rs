//! Ctrl+E of the audit log, the refund query and the ledger: every row through the common
//! writer, read back with calamine; amounts exact, the running balance not totalled.

mod common;

use std::path::Path;
use std::sync::Arc;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::TestDb;
use merchant_desk::excel::JobState;
use merchant_desk::service::exports::{
    self, Code, Sheet, AUDIT_COLUMNS, LEDGER_COLUMNS, REFUND_COLUMNS,
};
use merchant_desk::service::refunds::{self, RefundInput};
use merchant_desk::service::{settlement, ServiceError};
use merchant_desk::store::audit::AuditFilter;
use merchant_desk::store::merchants;
use merchant_desk::store::refunds::RefundFilter;
use merchant_desk::store::transactions::{self, PageAt, TxnFilter};

fn sheet_of(title: &str, n: usize) -> Sheet {
    Sheet {
        title: title.into(),
        headers: (0..n).map(|i| format!("列{i}")).collect(),
        total_label: "合计".into(),
        words: Arc::new(|_: Code, v: &str| v.to_string()),
        chinese: true,
    }
}

fn rows(path: &Path) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

fn fen(d: &Data) -> i64 {
    match d {
        Data::Float(f) => (f * 100.0).round() as i64,
        Data::Int(i) => i * 100,
        Data::Empty => 0,
        other => panic!("not money: {other:?}"),
    }
}

#[test]
fn audit_refund_and_ledger_lists_export_every_row_exactly() {
    let db = TestDb::demo(3, 60);
    let mut env = db.env();
    let dir = tempfile::tempdir().unwrap();
    merchants::set_setting(
        &env.store.read(),
        "download_dir",
        &dir.path().display().to_string(),
    )
    .unwrap();
    let clerk = db.login(&mut env, "clerk");
    let sales: Vec<_> = transactions::page(
        &env.store.read(),
        &TxnFilter {
            txn_type: Some("sale".into()),
            status: Some("success".into()),
            merchant_id: Some(1),
            ..Default::default()
        },
        PageAt::First,
        50,
    )
    .unwrap()
    .into_iter()
    .filter(|r| r.trade_date == 20261122)
    .take(3)
    .collect();
    let amounts = ["1.23", "4.56", "0.01"];
    for (s, a) in sales.iter().zip(amounts) {
        refunds::apply(
            &mut env,
            &clerk,
            &RefundInput {
                txn_id: s.id,
                amount: a.into(),
                remark: "x".into(),
                pay_password: "demo1234".into(),
                refund_order_no: None,
            },
        )
        .unwrap();
    }
    let admin = db.login(&mut env, "admin");
    settlement::run_by_operator(&mut env, &admin, "2026-11-23").unwrap();

    // Refunds: three rows and a totals row equal to 5.80.
    let job = exports::start_refund_export(
        &env,
        &admin,
        &RefundFilter::default(),
        sheet_of("退货", REFUND_COLUMNS.len()),
    )
    .unwrap();
    let path = job.path.clone();
    assert!(matches!(job.wait(), JobState::Done { rows: 3 }));
    let r = rows(&path);
    assert_eq!(r.len(), 5);
    assert_eq!(fen(&r[4][6]), 580);
    assert!(
        matches!(&r[1][2], Data::String(s) if s.len() == 12),
        "RRN stays text"
    );

    // Ledger: every line; the balance column is not totalled, income − expense = balance.
    let job = exports::start_ledger_export(&env, &admin, 1, sheet_of("收支", LEDGER_COLUMNS.len()))
        .unwrap();
    let path = job.path.clone();
    assert!(matches!(job.wait(), JobState::Done { .. }));
    let r = rows(&path);
    let total = r.last().unwrap();
    let balance = merchants::balance_fen(&env.store.read(), 1).unwrap();
    assert_eq!(fen(&total[2]) - fen(&total[3]), balance);
    assert_eq!(total[4], Data::Empty, "a running balance has no total");
    assert_eq!(fen(&r[1][4]), balance, "newest line first");

    // Audit log: every row, newest first.
    let job = exports::start_audit_export(
        &env,
        &admin,
        &AuditFilter::default(),
        sheet_of("日志", AUDIT_COLUMNS.len()),
    )
    .unwrap();
    let JobState::Done { rows: n } = job.wait() else {
        panic!("audit export failed")
    };
    let count: i64 = env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT count(*) FROM audit_log",
            merchant_desk::store::params![],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        n as i64 >= count - 2,
        "the export's own rows may come after it"
    );

    // An operator without the account function cannot export a ledger (the demo's clerk also
    // holds the 申请 role, which reads the account).
    let monitor = db.login(&mut env, "monitor");
    assert!(matches!(
        exports::start_ledger_export(&env, &monitor, 1, sheet_of("x", LEDGER_COLUMNS.len())),
        Err(ServiceError::Denied(_))
    ));
}
