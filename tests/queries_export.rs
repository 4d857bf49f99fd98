//! Ctrl+E of this area's lists: a settlement's transactions and the settlement list exported
//! through the common writer, read back with calamine; the totals match the screen to the fen,
//! and the scope holds in the file too.

mod common;

use std::path::Path;
use std::sync::Arc;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::TestDb;
use merchant_desk::excel::JobState;
use merchant_desk::service::exports::{self, Code, Sheet, SETTLEMENT_COLUMNS, TXN_COLUMNS};
use merchant_desk::service::settlement_query::{self, SettlementQueryInput};
use merchant_desk::service::{txn_query, Env, ServiceError};
use merchant_desk::store::downloads::DownloadState;
use merchant_desk::store::transactions::TxnFilter;
use merchant_desk::store::{merchants, operators};

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
        other => panic!("not money: {other:?}"),
    }
}

fn download_dir(env: &Env) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    merchants::set_setting(
        &env.store.read(),
        "download_dir",
        &dir.path().display().to_string(),
    )
    .unwrap();
    dir
}

#[test]
fn yesterdays_settlement_transactions_export_with_totals_matching_the_screen() {
    let db = TestDb::demo(3, 90);
    let mut env = db.env();
    let _dir = download_dir(&env);
    let s = db.login(&mut env, "finance");
    let y = settlement_query::build_filter(
        &env,
        &SettlementQueryInput {
            from_date: "2026-11-22".into(),
            to_date: "2026-11-22".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let settlement = settlement_query::page(&env, &s, &y, 0).unwrap()[0].clone();
    let f = TxnFilter {
        settlement_id: Some(settlement.id),
        ..Default::default()
    };
    let screen = txn_query::totals(&env, &s, &f).unwrap();
    let job =
        exports::start_txn_export(&env, &s, &f, sheet_of("结算交易", TXN_COLUMNS.len())).unwrap();
    let path = job.path.clone();
    let id = job.download_id;
    assert_eq!(
        job.wait(),
        JobState::Done {
            rows: screen.count as u64
        }
    );
    let sheet = rows(&path);
    // Header, the rows, the totals row.
    assert_eq!(sheet.len() as i64, screen.count + 2);
    let data = &sheet[1..sheet.len() - 1];
    let total = sheet.last().unwrap();
    assert_eq!(total[1], Data::String("合计".into()));
    assert_eq!(fen(&total[9]), screen.amount_fen);
    assert_eq!(fen(&total[10]), screen.fee_fen);
    assert_eq!(
        data.iter().map(|r| fen(&r[9])).sum::<i64>(),
        screen.amount_fen
    );
    // Reference numbers stay text, all 12 digits.
    assert!(data
        .iter()
        .all(|r| matches!(&r[1], Data::String(s) if s.len() == 12)));
    // The downloads list has it, done.
    let list = exports::downloads(&env, &s, 10).unwrap();
    let row = list.iter().find(|r| r.id == id).unwrap();
    assert_eq!(row.state, DownloadState::Done);
    assert_eq!(row.row_count, screen.count);
}

#[test]
fn settlement_list_export_and_scope() {
    let db = TestDb::demo(4, 90);
    let mut env = db.env();
    let _dir = download_dir(&env);
    let s = db.login(&mut env, "finance");
    let all = settlement_query::build_filter(&env, &SettlementQueryInput::default()).unwrap();
    let screen = settlement_query::totals(&env, &s, &all).unwrap();
    let job = exports::start_settlement_export(
        &env,
        &s,
        &all,
        sheet_of("结算明细", SETTLEMENT_COLUMNS.len()),
    )
    .unwrap();
    let path = job.path.clone();
    assert!(matches!(job.wait(), JobState::Done { .. }));
    let sheet = rows(&path);
    assert_eq!(sheet.len() as i64, screen.settlements + 2);
    let total = sheet.last().unwrap();
    assert_eq!(fen(&total[4]), screen.trade_fen);
    assert_eq!(fen(&total[7]), screen.net_fen);

    // Limited to one group: the transaction export holds only its terminals.
    let groups = merchants::groups(&env.store.read()).unwrap();
    let op = operators::by_login(&env.store.read(), "finance")
        .unwrap()
        .unwrap();
    operators::set_group_scope(&env.store.read(), op.id, Some(&[groups[0].0])).unwrap();
    let mine: Vec<String> = merchants::terminals(&env.store.read())
        .unwrap()
        .into_iter()
        .filter(|t| t.group_id == Some(groups[0].0))
        .map(|t| t.terminal_no)
        .collect();
    let f = TxnFilter::default();
    let scoped = txn_query::totals(&env, &s, &f).unwrap();
    let job = exports::start_txn_export(&env, &s, &f, sheet_of("交易", TXN_COLUMNS.len())).unwrap();
    let path = job.path.clone();
    assert_eq!(
        job.wait(),
        JobState::Done {
            rows: scoped.count as u64
        }
    );
    let sheet = rows(&path);
    assert!(sheet[1..sheet.len() - 1]
        .iter()
        .all(|r| matches!(&r[6], Data::String(t) if mine.contains(t))));
    assert_eq!(fen(&sheet.last().unwrap()[9]), scoped.amount_fen);

    // Without the export function: refused, nothing started.
    let clerk = db.login(&mut env, "clerk");
    assert!(matches!(
        exports::start_txn_export(&env, &clerk, &f, sheet_of("x", TXN_COLUMNS.len())),
        Err(ServiceError::Denied(_))
    ));
}

/// An export in the order shown: smallest amount first walks the keyset pages from the other
/// end (more rows than one chunk), every row once.
#[test]
fn an_ascending_amount_export_is_written_smallest_first() {
    let db = TestDb::demo(3, 1_500);
    let mut env = db.env();
    let _dir = download_dir(&env);
    let s = db.login(&mut env, "finance");
    let f = TxnFilter {
        by_amount: true,
        ascending: true,
        ..Default::default()
    };
    let screen = txn_query::totals(&env, &s, &f).unwrap();
    let job = exports::start_txn_export(&env, &s, &f, sheet_of("交易", TXN_COLUMNS.len())).unwrap();
    let path = job.path.clone();
    assert_eq!(
        job.wait(),
        JobState::Done {
            rows: screen.count as u64
        }
    );
    let sheet = rows(&path);
    let data = &sheet[1..sheet.len() - 1];
    let amounts: Vec<i64> = data.iter().map(|r| fen(&r[9])).collect();
    assert_eq!(amounts.len() as i64, screen.count);
    assert!(
        screen.count > 2_000,
        "more than one chunk: {}",
        screen.count
    );
    assert!(amounts.windows(2).all(|w| w[0] <= w[1]), "{amounts:?}");
    // Every reference once.
    let mut rrns: Vec<String> = data.iter().map(|r| r[1].to_string()).collect();
    rrns.sort();
    rrns.dedup();
    assert_eq!(rrns.len() as i64, screen.count);
}
