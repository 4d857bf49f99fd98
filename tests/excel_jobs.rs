//! Background exports: a transaction query exported on a thread from its own connection, with
//! progress, cancel, failure, and the downloads list kept from start to finish.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_decimal::Decimal;

use merchant_desk::clock::SharedClock;
use merchant_desk::excel::{
    CellValue, ColKind, Column, ExportError, ExportJob, ExportRequest, JobState, OnFinish, RowSink,
    SheetSpec,
};
use merchant_desk::store::downloads::{self, DownloadState};
use merchant_desk::store::transactions::{self, PageAt, TxnFilter};
use merchant_desk::store::Store;

use common::TestDb;

fn txn_spec() -> SheetSpec {
    SheetSpec {
        title: "交易查询".into(),
        columns: vec![
            Column::new("参考号", ColKind::Text),
            Column::new("商户编号", ColKind::Text),
            Column::new("终端号", ColKind::Text),
            Column::new("交易时间", ColKind::DateTime),
            Column::new("交易日期", ColKind::Date),
            Column::new("卡号", ColKind::Text),
            Column::new("金额", ColKind::Money),
            Column::new("手续费", ColKind::Money),
            Column::new("结算日期", ColKind::Date),
            Column::new("订单号", ColKind::Text),
        ],
        total_label: Some("合计".into()),
        preamble: Vec::new(),
    }
}

/// What a screen's Ctrl+E hands the job: its own connection and the query, streamed in pages.
fn txn_producer(
    db: std::path::PathBuf,
    filter: TxnFilter,
) -> impl FnOnce(&mut RowSink<'_>) -> Result<(), ExportError> + Send + 'static {
    move |sink| {
        let store = Store::open(&db).map_err(|e| ExportError::Source(e.to_string()))?;
        let mut at = PageAt::First;
        loop {
            let page = transactions::page(&store.read(), &filter, at, 500)
                .map_err(|e| ExportError::Source(e.to_string()))?;
            for r in &page {
                sink.push(&[
                    CellValue::text(r.rrn.as_str()),
                    CellValue::text(r.merchant_no.as_str()),
                    CellValue::text(r.terminal_no.as_str()),
                    CellValue::DateTime(r.txn_ms),
                    CellValue::Date(r.trade_date),
                    CellValue::text(r.card_masked.as_str()),
                    CellValue::Money(r.amount_fen),
                    CellValue::Money(r.fee_fen),
                    CellValue::opt_date(r.settle_date),
                    CellValue::opt_text(r.order_no.as_deref()),
                ])?;
            }
            match page.last() {
                Some(last) if page.len() == 500 => at = PageAt::After(last.key_in(&filter)),
                _ => return Ok(()),
            }
        }
    }
}

fn fen_of(d: &Data) -> i64 {
    let Data::Float(f) = d else {
        panic!("not a number: {d:?}")
    };
    let dec: Decimal = format!("{f}").parse().unwrap();
    assert!(dec.normalize().scale() <= 2);
    (dec * Decimal::ONE_HUNDRED).try_into().unwrap()
}

fn operator(store: &Store, login: &str) -> i64 {
    merchant_desk::store::operators::by_login(&store.read(), login)
        .unwrap()
        .unwrap()
        .id
}

/// Starts a job the way the export service does: a running row in the downloads list first, and
/// an `on_finish` that reopens the database file to record the outcome (it cannot for an
/// in-memory database, whose caller records it).
fn start_job<F>(
    store: &Store,
    clock: SharedClock,
    req: ExportRequest,
    produce: F,
) -> std::io::Result<ExportJob>
where
    F: FnOnce(&mut RowSink<'_>) -> Result<(), ExportError> + Send + 'static,
{
    let download_id = downloads::insert_running(
        &store.read(),
        req.operator_id,
        &req.title,
        &req.path.display().to_string(),
        clock.now_ms(),
    )
    .unwrap();
    let file = store.sibling_location();
    let chinese = req.chinese;
    let on_finish: OnFinish = Box::new(move |state, rows| {
        let Some(file) = file else { return false };
        let Ok(store) = Store::open_at(&file) else {
            return false;
        };
        let (st, msg) = match state {
            JobState::Running => return false,
            JobState::Done { .. } => (DownloadState::Done, String::new()),
            JobState::Failed { message } => (DownloadState::Failed, message.clone()),
            JobState::Cancelled => (
                DownloadState::Cancelled,
                ExportError::Cancelled.message(chinese),
            ),
        };
        downloads::finish(
            &store.read(),
            download_id,
            st,
            rows as i64,
            &msg,
            clock.now_ms(),
        )
        .unwrap_or(false)
    });
    ExportJob::start(download_id, req, on_finish, produce)
}

fn wait(job: &ExportJob) -> JobState {
    let t0 = Instant::now();
    while !job.is_finished() {
        assert!(t0.elapsed() < Duration::from_secs(60), "job never ended");
        std::thread::sleep(Duration::from_millis(5));
    }
    job.progress().state
}

#[test]
fn a_transaction_query_exports_in_the_background_and_matches_the_database() {
    let db = TestDb::demo(6, 400);
    let env = db.env();
    let clock: SharedClock = Arc::new(db.clock.clone());
    let finance = operator(&env.store, "finance");
    let totals = transactions::totals(&env.store.read(), &TxnFilter::default()).unwrap();
    assert!(totals.count > 1000, "{totals:?}");
    let path = db.dir.path().join("交易查询.xlsx");
    let job = start_job(
        &env.store,
        clock.clone(),
        ExportRequest {
            operator_id: finance,
            title: "交易查询".into(),
            path: path.clone(),
            spec: txn_spec(),
            total_rows: Some(totals.count as u64),
            chinese: true,
        },
        txn_producer(db.path.clone(), TxnFilter::default()),
    )
    .unwrap();
    // Listed as running at once.
    let listed = downloads::list_for_operator(&env.store.read(), finance, 20).unwrap();
    assert_eq!(listed[0].id, job.download_id);

    let state = wait(&job);
    assert_eq!(
        state,
        JobState::Done {
            rows: totals.count as u64
        }
    );
    let p = job.progress();
    assert_eq!(p.rows_done, totals.count as u64);
    assert_eq!(p.fraction(), Some(1.0));

    let row = downloads::get(&env.store.read(), job.download_id)
        .unwrap()
        .unwrap();
    assert_eq!(row.state, DownloadState::Done);
    assert_eq!(row.row_count, totals.count);
    assert_eq!(row.path, path.display().to_string());
    assert!(row.finished_ms.is_some());

    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let n = totals.count as usize;
    assert_eq!(range.height(), n + 2);
    let (mut amount, mut fee) = (0, 0);
    for r in 1..=n {
        assert!(matches!(range.get((r, 0)), Some(Data::String(s)) if s.len() == 12));
        assert!(matches!(range.get((r, 1)), Some(Data::String(s)) if s.len() == 15));
        amount += fen_of(range.get((r, 6)).unwrap());
        fee += fen_of(range.get((r, 7)).unwrap());
    }
    assert_eq!(amount, totals.amount_fen);
    assert_eq!(fee, totals.fee_fen);
    assert_eq!(range.get((n + 1, 0)), Some(&Data::String("合计".into())));
    assert_eq!(fen_of(range.get((n + 1, 6)).unwrap()), totals.amount_fen);
    assert_eq!(fen_of(range.get((n + 1, 7)).unwrap()), totals.fee_fen);
    assert_eq!(job.wait(), JobState::Done { rows: n as u64 });
}

#[test]
fn cancel_and_failure_are_recorded_and_leave_no_file() {
    let db = TestDb::demo(1, 10);
    let env = db.env();
    let clock: SharedClock = Arc::new(db.clock.clone());
    let op = operator(&env.store, "finance");
    let spec = SheetSpec {
        title: "t".into(),
        columns: vec![
            Column::new("单号", ColKind::Text),
            Column::new("金额", ColKind::Money),
        ],
        total_label: Some("合计".into()),
        preamble: Vec::new(),
    };
    // A slow, endless producer: only a cancel stops it.
    let path = db.dir.path().join("slow.xlsx");
    let job = start_job(
        &env.store,
        clock.clone(),
        ExportRequest {
            operator_id: op,
            title: "slow".into(),
            path: path.clone(),
            spec: spec.clone(),
            total_rows: None,
            chinese: false,
        },
        |sink| {
            for i in 0u64.. {
                if i % 1000 == 0 {
                    std::thread::sleep(Duration::from_millis(1));
                }
                sink.push(&[CellValue::text(i.to_string()), CellValue::Money(i as i64)])?;
            }
            Ok(())
        },
    )
    .unwrap();
    let t0 = Instant::now();
    while job.progress().rows_done < 5_000 {
        assert!(t0.elapsed() < Duration::from_secs(30));
        assert_eq!(job.progress().state, JobState::Running);
        assert_eq!(job.progress().fraction(), None);
        std::thread::sleep(Duration::from_millis(2));
    }
    job.cancel();
    assert_eq!(wait(&job), JobState::Cancelled);
    let row = downloads::get(&env.store.read(), job.download_id)
        .unwrap()
        .unwrap();
    assert_eq!(row.state, DownloadState::Cancelled);
    assert!(row.row_count >= 5_000);
    assert_eq!(row.message, "export cancelled; no file was left");
    assert!(!path.exists());

    // A folder that does not exist.
    let bad = db.dir.path().join("gone/t.xlsx");
    let job = start_job(
        &env.store,
        clock.clone(),
        ExportRequest {
            operator_id: op,
            title: "bad".into(),
            path: bad.clone(),
            spec,
            total_rows: Some(1),
            chinese: true,
        },
        |sink| sink.push(&[CellValue::text("1"), CellValue::Money(1)]),
    )
    .unwrap();
    let JobState::Failed { message } = wait(&job) else {
        panic!("expected a failure")
    };
    assert!(message.contains("无法写入文件夹"), "{message}");
    let row = downloads::get(&env.store.read(), job.download_id)
        .unwrap()
        .unwrap();
    assert_eq!(row.state, DownloadState::Failed);
    assert_eq!(row.message, message);
    assert!(!bad.exists());

    let list = downloads::list_for_operator(&env.store.read(), op, 10).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].title, "bad");
    assert_eq!(list[1].title, "slow");
}

#[test]
fn an_in_memory_database_is_recorded_by_the_caller() {
    let store = Store::open_in_memory();
    let op = merchant_desk::store::operators::insert(
        &store.read(),
        &merchant_desk::store::operators::NewOperator {
            login: "mem",
            display_name: "mem",
            password_hash: "$argon2id$x",
            pay_password_hash: None,
            must_change_password: false,
            all_groups: true,
            created_ms: 0,
        },
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let clock: SharedClock = Arc::new(merchant_desk::clock::VirtualClock::new(1_000));
    let job = start_job(
        &store,
        clock.clone(),
        ExportRequest {
            operator_id: op,
            title: "m".into(),
            path: dir.path().join("m.xlsx"),
            spec: SheetSpec {
                title: "m".into(),
                columns: vec![Column::new("a", ColKind::Int)],
                total_label: None,
                preamble: Vec::new(),
            },
            total_rows: None,
            chinese: true,
        },
        |sink| sink.push(&[CellValue::Int(1)]),
    )
    .unwrap();
    assert_eq!(wait(&job), JobState::Done { rows: 1 });
    // The thread could not reopen an in-memory database: the caller records the outcome, once.
    let env = merchant_desk::service::Env::new(store, clock);
    assert!(job.unrecorded().is_some());
    merchant_desk::service::exports::record_unrecorded(&env, &job, true).unwrap();
    assert!(job.unrecorded().is_none());
    merchant_desk::service::exports::record_unrecorded(&env, &job, true).unwrap();
    let store = &env.store;
    let row = downloads::get(&store.read(), job.download_id)
        .unwrap()
        .unwrap();
    assert_eq!(row.state, DownloadState::Done);
    assert_eq!(row.row_count, 1);
    assert_eq!(row.finished_ms, Some(1_000));
}
