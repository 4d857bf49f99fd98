//! The issue "Hard edges": each point's failure, proven fixed.

mod refunds_common;

use merchant_desk::excel::import::{Reason, RowError};
use merchant_desk::service::batch_refund::{self, BatchError};
use merchant_desk::service::refunds::{self, RefundInput};
use merchant_desk::service::ServiceError;
use refunds_common::*;

const NOW: &str = "2026-11-23 10:00";

fn db() -> Db {
    Db::demo_at(NOW, 3, 300, 5)
}

fn rows_of(e: BatchError) -> Vec<RowError> {
    match e {
        BatchError::Rows(r) => r,
        other => panic!("expected bad rows, got {other:?}"),
    }
}

fn refund_count(store: &merchant_desk::store::Store) -> i64 {
    let conn = store;
    count(conn, "SELECT count(*) FROM refund_applications")
}

/// Hard edges 2: "12,34" is not 1,234.00: not in a form, not in a .csv, not in an .xlsx text cell.
#[test]
fn a_decimal_comma_is_refused_everywhere_not_read_as_grouping() {
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let sales = fresh_sales(&env.store, 2);
    let before = refund_count(&env.store);

    // The form.
    let e = refunds::apply(
        &mut env,
        &clerk,
        &RefundInput {
            txn_id: sales[0].0,
            amount: "12,34".into(),
            remark: String::new(),
            pay_password: PW.into(),
            refund_order_no: None,
        },
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            ServiceError::Invalid {
                field: "amount",
                ..
            }
        ),
        "{e:?}"
    );

    // A .csv (the comma quoted, as Excel writes it).
    let csv = db.file("comma.csv");
    std::fs::write(
        &csv,
        format!(
            "批次号,原交易参考号/订单号,退货订单号,退货金额,备注\n\
             PTC1,{},C1,\"12,34\",\nPTC1,{},C2,\"1,234.5\",\n",
            sales[0].1, sales[1].1
        ),
    )
    .unwrap();
    let err = rows_of(batch_refund::import(&mut env, &clerk, &csv, PW).unwrap_err());
    let r2: Vec<&RowError> = err.iter().filter(|e| e.row == 2).collect();
    assert_eq!(r2.len(), 1, "{err:?}");
    assert_eq!(r2[0].column, "退货金额");
    assert_eq!(r2[0].reason, Reason::NotANumber);
    assert_eq!(
        batch_refund::row_message(r2[0], merchant_desk::ui::text::Lang::En),
        "row 2, Refund amount: not a number"
    );
    // Row 3's grouping comma is a grouping comma: whatever is wrong with it, not the number.
    assert!(
        err.iter()
            .all(|e| e.row != 3 || e.reason != Reason::NotANumber),
        "{err:?}"
    );

    // An .xlsx whose amount column holds text.
    let xlsx = db.file("comma.xlsx");
    write_xlsx(
        &xlsx,
        HEADER,
        &[vec![t("PTX1"), t(&sales[0].1), t("X1"), t("12,34")]],
    );
    let err = rows_of(batch_refund::import(&mut env, &clerk, &xlsx, PW).unwrap_err());
    assert_eq!(err.len(), 1, "{err:?}");
    assert_eq!((err[0].row, err[0].reason.clone()), (2, Reason::NotANumber));

    assert_eq!(refund_count(&env.store), before, "nothing stored");
    assert_invariants(&env.store);
}

/// A workbook of several sheets: (name, hidden, active, rows below the header).
fn write_sheets(path: &std::path::Path, sheets: &[(&str, bool, bool, Vec<Vec<X>>)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, hidden, active, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (c, h) in HEADER.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match cell {
                    X::T(s) => {
                        ws.write_string(r, c, s).unwrap();
                    }
                    X::N(n) => {
                        ws.write_number(r, c, *n).unwrap();
                    }
                    X::E => {}
                }
            }
        }
        if *active {
            ws.set_active(true);
        }
        if *hidden {
            ws.set_hidden(true);
        }
    }
    wb.save(path).unwrap();
}

/// Hard edges 1: A hidden first sheet is never read; what the clerk sees is.
#[test]
fn a_hidden_sheet_is_never_imported_and_two_visible_data_sheets_are_refused() {
    use merchant_desk::excel::import::ImportError;
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let sales = fresh_sales(&env.store, 5);
    let hidden: Vec<Vec<X>> = (0..3)
        .map(|i| row("PTH1", &sales[i].1, &format!("H{i}"), 77.0, ""))
        .collect();
    let seen: Vec<Vec<X>> = (3..5)
        .map(|i| row("PTV1", &sales[i].1, &format!("V{i}"), 1.0, ""))
        .collect();
    let path = db.file("hidden_first.xlsx");
    // The hidden sheet even carries the template's own name.
    write_sheets(
        &path,
        &[
            ("批量退货", true, false, hidden.clone()),
            ("Sheet2", false, true, seen.clone()),
        ],
    );
    let s = batch_refund::import(&mut env, &clerk, &path, PW).unwrap();
    assert_eq!((s.batch_no.as_str(), s.rows, s.total_fen), ("PTV1", 2, 200));
    assert_eq!(
        count(
            &env.store,
            "SELECT count(*) FROM refund_applications WHERE amount_fen = 7700"
        ),
        0
    );

    // Two visible sheets with data: refused, naming both; nothing stored.
    let before = refund_count(&env.store);
    let two = db.file("two_visible.xlsx");
    let seen2: Vec<Vec<X>> = (0..2)
        .map(|i| row("PTV2", &sales[i].1, &format!("W{i}"), 1.0, ""))
        .collect();
    write_sheets(
        &two,
        &[
            ("批量退货", false, true, seen2),
            ("Sheet2", false, false, hidden),
        ],
    );
    match batch_refund::import(&mut env, &clerk, &two, PW) {
        Err(BatchError::File(e @ ImportError::SeveralSheets(_))) => {
            assert_eq!(
                e,
                ImportError::SeveralSheets(vec!["批量退货".into(), "Sheet2".into()])
            );
            let en = e.to_string();
            assert!(
                en.contains("\"批量退货\"") && en.contains("\"Sheet2\""),
                "{en}"
            );
            assert!(e.message_zh().contains("“Sheet2”"));
        }
        other => panic!("expected SeveralSheets, got {other:?}"),
    }
    assert_eq!(refund_count(&env.store), before);

    // A visible but empty second sheet does not count.
    let empty_too = db.file("empty_second.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "PTV3").unwrap();
    ws.write_string(1, 1, &sales[0].1).unwrap();
    ws.write_string(1, 2, "E1").unwrap();
    ws.write_number(1, 3, 1.0).unwrap();
    wb.add_worksheet().set_active(true);
    wb.save(&empty_too).unwrap();
    let s = batch_refund::import(&mut env, &clerk, &empty_too, PW).unwrap();
    assert_eq!((s.rows, s.total_fen), (1, 100));
    assert_invariants(&env.store);
}

fn money_footprint(store: &merchant_desk::store::Store) -> (i64, i64, i64, i64) {
    let conn = store;
    (
        count(conn, "SELECT count(*) FROM settlements"),
        count(conn, "SELECT count(*) FROM ledger_lines"),
        count(
            conn,
            "SELECT count(*) FROM refund_applications WHERE status = 'completed'",
        ),
        count(conn, "SELECT count(settlement_id) FROM transactions"),
    )
}

/// Hard edges 3: 日终结算 refuses a date after today, from the screen's service and from the command line;
/// `check` names a settlement dated after the day of its run.
#[test]
fn the_settlement_run_refuses_the_future_and_check_names_a_future_settlement() {
    if merchant_desk::store::testing::sqlite_only("a test of the SQLite file or its raw connection")
    {
        return;
    }
    use merchant_desk::service::{check, settlement, Problem};
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let admin = db.login(&mut env, "admin");
    // Something a future run would clear.
    let sale = &fresh_sales(&env.store, 1)[0];
    refunds::apply(
        &mut env,
        &clerk,
        &RefundInput {
            txn_id: sale.0,
            amount: "1.00".into(),
            remark: String::new(),
            pay_password: PW.into(),
            refund_order_no: None,
        },
    )
    .unwrap();
    let before = money_footprint(&env.store);
    let e = settlement::run(&mut env, 20270601).unwrap_err();
    assert_eq!(
        e,
        ServiceError::Invalid {
            field: "date",
            problem: Problem::FutureDate
        }
    );
    // Tomorrow is the future too; the screen's path says so as well.
    let e = settlement::run_by_operator(&mut env, &admin, "2026-11-24").unwrap_err();
    assert!(matches!(
        e,
        ServiceError::Invalid {
            field: "date",
            problem: Problem::FutureDate
        }
    ));
    assert_eq!(money_footprint(&env.store), before, "nothing settled");
    // Today is fine.
    settlement::run_by_operator(&mut env, &admin, "2026-11-23").unwrap();
    assert_invariants(&env.store);

    // A settlement made on an earlier day than its date (what the old run wrote) is named.
    let c = env.store.raw_connection_for_tests();
    c.execute(
        "UPDATE settlements SET created_ms = created_ms - 2 * 86400000
         WHERE id = (SELECT max(id) FROM settlements)",
        [],
    )
    .unwrap();
    let report = check::run(&env.store).unwrap();
    let broken: Vec<&str> = report.broken().iter().map(|i| i.name).collect();
    assert_eq!(
        broken,
        ["settlement_not_ahead_of_its_run"],
        "{}",
        report.text()
    );
    assert!(
        report.text().contains("was made on 20261121"),
        "{}",
        report.text()
    );
}

/// Hard edges 3, on the command line: `settle --date` after today exits 1 and changes nothing.
#[test]
fn settle_on_the_command_line_refuses_a_date_after_today() {
    use std::process::Command;
    let db = db();
    let before = {
        let env = db.env();
        money_footprint(&env.store)
    };
    let out = Command::new(env!("CARGO_BIN_EXE_merchant-desk"))
        .args([
            "--db",
            db.path.to_str().unwrap(),
            "settle",
            "--date",
            "2999-06-01",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("after today"), "{err}");
    let env = db.env();
    assert_eq!(money_footprint(&env.store), before);
    assert_invariants(&env.store);
}

/// Hard edges 11: A voided sale has no fee; a settlement's list, summed as the list sums it, equals the
/// settlement row; its export says how each row was counted and totals to the settlement.
#[test]
fn a_settlements_list_and_export_total_what_the_settlement_row_says() {
    if merchant_desk::store::testing::sqlite_only("a test of the SQLite file or its raw connection")
    {
        return;
    }
    use merchant_desk::excel::JobState;
    use merchant_desk::service::{check, exports, txn_query};
    use merchant_desk::store::transactions::TxnFilter;
    let db = Db::demo_at(NOW, 4, 300, 7);
    let mut env = db.env();
    let finance = db.login(&mut env, "finance");
    let dir = tempfile::tempdir().unwrap();
    merchant_desk::store::merchants::set_setting(
        &env.store.read(),
        "download_dir",
        &dir.path().display().to_string(),
    )
    .unwrap();
    // A settlement holding a voided sale.
    let (sid, count_, trade, fee, refund): (i64, i64, i64, i64, i64) = env
        .store
        .raw_connection_for_tests()
        .query_row(
            "SELECT s.id, s.txn_count, s.trade_fen, s.fee_fen, s.refund_fen FROM settlements s
             WHERE EXISTS (SELECT 1 FROM transactions t
                 WHERE t.settlement_id = s.id AND t.status = 'voided')
             ORDER BY s.id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    assert_eq!(
        count(
            &env.store,
            "SELECT count(*) FROM transactions WHERE status = 'voided' AND fee_fen <> 0"
        ),
        0,
        "a void cancels its sale's fee"
    );
    let f = TxnFilter {
        settlement_id: Some(sid),
        ..Default::default()
    };
    // The list's own sums: its fee total is the settlement's, and its settled totals are the row.
    let plain = txn_query::totals(&env, &finance, &f).unwrap();
    assert_eq!((plain.count, plain.fee_fen), (count_, fee));
    let settled = txn_query::settled_totals(&env, &finance, &f).unwrap();
    assert_eq!(
        (settled.count, settled.trade_fen, settled.fee_fen),
        (count_, trade, fee)
    );
    let cleared: i64 = env
        .store
        .raw_connection_for_tests()
        .query_row(
            "SELECT coalesce(sum(amount_fen), 0) FROM refund_applications r JOIN settlements s
               ON s.merchant_id = r.merchant_id AND s.settle_date = r.cleared_date
             WHERE s.id = ?1 AND r.status = 'completed'",
            [sid],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(settled.pos_refund_fen + cleared, refund);

    // The export: a "settled as" column and totals equal to the settlement.
    let n = exports::TXN_COLUMNS.len();
    let sheet = exports::Sheet {
        title: "结算交易".into(),
        headers: (0..n).map(|i| format!("列{i}")).collect(),
        total_label: "合计".into(),
        words: std::sync::Arc::new(|_: exports::Code, v: &str| v.to_string()),
        chinese: true,
    };
    let job = exports::start_txn_export(&env, &finance, &f, sheet).unwrap();
    let path = job.path.clone();
    assert!(matches!(job.wait(), JobState::Done { .. }));
    use calamine::{open_workbook, Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let range = wb.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(|r| r.to_vec()).collect();
    let fen = |d: &Data| match d {
        Data::Float(f) => (f * 100.0).round() as i64,
        Data::Int(i) => i * 100,
        Data::Empty => 0,
        other => panic!("not money: {other:?}"),
    };
    let total = rows.last().unwrap();
    assert_eq!(fen(&total[10]), fee, "fees");
    assert_eq!(fen(&total[n - 2]), trade, "settled trade");
    assert_eq!(
        fen(&total[n - 1]),
        settled.pos_refund_fen,
        "settled POS refunds"
    );
    let data = &rows[1..rows.len() - 1];
    assert_eq!(data.len() as i64, count_);
    for r in data {
        let (ty, st) = (r[7].to_string(), r[8].to_string());
        let want = match (ty.as_str(), st.as_str()) {
            ("sale" | "completion", "success") => "trade",
            ("refund", "success") => "refund",
            _ => "not",
        };
        assert_eq!(r[n - 3].to_string(), want, "{r:?}");
    }
    assert_invariants(&env.store);

    // check names a voided sale that keeps its fee (an older file, say).
    env.store
        .raw_connection_for_tests()
        .execute(
            "UPDATE transactions SET fee_fen = 7 WHERE id =
               (SELECT id FROM transactions WHERE status = 'voided' AND settlement_id = ?1 LIMIT 1)",
            [sid],
        )
        .unwrap();
    let report = check::run(&env.store).unwrap();
    let broken: Vec<&str> = report.broken().iter().map(|i| i.name).collect();
    assert_eq!(broken, ["settlement_list_matches"], "{}", report.text());
    assert!(report.text().contains("a void cancels the fee"));
}

/// Hard edges 11, for files written before: opening one cancels its voided sales' fees, and check passes.
#[test]
fn an_older_file_has_its_voided_sales_fees_cancelled_when_opened() {
    if merchant_desk::store::testing::sqlite_only("a test of the SQLite file or its raw connection")
    {
        return;
    }
    let db = Db::demo_at(NOW, 2, 200, 8);
    {
        let c = rusqlite::Connection::open(&db.path).unwrap();
        let n = c
            .execute(
                "UPDATE transactions SET fee_fen = 5 WHERE status = 'voided'",
                [],
            )
            .unwrap();
        assert!(n > 0);
        // What a version-4 file looks like: no counters of generated numbers yet.
        c.execute_batch(
            "DROP TABLE sequences;
             ALTER TABLE operators DROP COLUMN pay_failed;
             ALTER TABLE operators DROP COLUMN pay_first_failed_ms;
             ALTER TABLE operators DROP COLUMN pay_blocked_until_ms;
             DROP TABLE transfers; DROP TABLE transfer_batches; DROP TABLE platform_accounts;
             DROP TABLE payees; DROP TABLE payout_limits; DROP TABLE holds; DROP TABLE application_events; DROP TABLE applications;
             DROP TABLE withdrawals; DROP TABLE bank_accounts; DROP TABLE payout_fees;
             DROP TABLE reason_codes; ALTER TABLE merchants DROP COLUMN allow_self_approval;
             DROP INDEX refund_app_pending_count;
             DROP TABLE recon_ignore_proposals;
             DROP TABLE recon_exceptions; DROP TABLE recon_rows; DROP TABLE recon_runs;
             DROP TABLE recon_files;
             DROP TABLE fast_refund_events; DROP TABLE fast_refunds;
             ALTER TABLE merchants DROP COLUMN fast_refund_enabled;
             ALTER TABLE merchants DROP COLUMN fast_refund_enabled_ms;
             ALTER TABLE merchants DROP COLUMN fast_refund_enabled_by;
             PRAGMA user_version = 4",
        )
        .unwrap();
    }
    let env = db.env();
    assert_eq!(
        count(
            &env.store,
            "SELECT count(*) FROM transactions WHERE status = 'voided' AND fee_fen <> 0"
        ),
        0
    );
    assert_invariants(&env.store);
}

/// Hard edges 4: A .csv saved by Excel on Chinese Windows (GBK), in GB18030, or in UTF-8 with or without
/// BOM imports alike.
#[test]
fn a_csv_in_gbk_gb18030_or_utf8_imports_alike() {
    if merchant_desk::store::testing::sqlite_only("a test of the SQLite file or its raw connection")
    {
        return;
    }
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let sales = fresh_sales(&env.store, 4);
    let csv = |batch: &str, i: usize, remark: &str| {
        format!(
            "批次号,原交易参考号/订单号,退货订单号,退货金额,备注\r\n{batch},{},{batch}R,1.00,{remark}\r\n",
            sales[i].1
        )
    };
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "gbk.csv",
            {
                let text = csv("PTGBK", 0, "顾客退货");
                let (b, _, unmappable) = encoding_rs::GBK.encode(&text);
                assert!(!unmappable);
                b.into_owned()
            },
            "顾客退货",
        ),
        (
            "gb18030.csv",
            {
                let text = csv("PTGB18030", 1, "𠀀退货");
                let (b, _, unmappable) = encoding_rs::GB18030.encode(&text);
                assert!(!unmappable);
                b.into_owned()
            },
            "𠀀退货",
        ),
        (
            "utf8.csv",
            csv("PTUTF8", 2, "顾客退货").into_bytes(),
            "顾客退货",
        ),
        (
            "utf8bom.csv",
            {
                let mut b = b"\xEF\xBB\xBF".to_vec();
                b.extend(csv("PTBOM", 3, "顾客退货").into_bytes());
                b
            },
            "顾客退货",
        ),
    ];
    for (name, bytes, remark) in files {
        let path = db.file(name);
        std::fs::write(&path, bytes).unwrap();
        let s = batch_refund::import(&mut env, &clerk, &path, PW)
            .unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!((s.rows, s.total_fen), (1, 100), "{name}");
        let stored: String = env
            .store
            .raw_connection_for_tests()
            .query_row(
                "SELECT remark FROM refund_applications WHERE batch_id = ?1",
                [s.batch_id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(stored, remark, "{name}");
    }
    // Neither: refused, naming the encodings it may be in.
    let bad = db.file("latin.csv");
    std::fs::write(&bad, b"\xff\xfe\xff,\x80\r\n").unwrap();
    match batch_refund::import(&mut env, &clerk, &bad, PW) {
        Err(BatchError::File(e)) => {
            assert!(e.to_string().contains("UTF-8, GBK or GB18030"), "{e}");
        }
        other => panic!("expected a refused file, got {other:?}"),
    }
    assert_invariants(&env.store);
}

/// Hard edges 5: Eight `feed` processes on one database all finish: every reference number is allocated
/// inside the writing transaction, and voucher numbers per terminal and batch too.
#[test]
fn eight_feeds_on_one_database_all_write_with_unique_numbers() {
    use std::process::{Command, Stdio};
    let db = Db::demo_at(NOW, 1, 50, 9);
    let before = {
        let env = db.env();
        count(&env.store, "SELECT count(*) FROM transactions")
    };
    let children: Vec<_> = (0..8)
        .map(|i| {
            Command::new(env!("CARGO_BIN_EXE_merchant-desk"))
                .args([
                    "--db",
                    db.path.to_str().unwrap(),
                    "feed",
                    "--rate",
                    "1000",
                    "--count",
                    "40",
                    "--seed",
                    &i.to_string(),
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let env = db.env();
    let c = &env.store;
    assert_eq!(
        count(c, "SELECT count(*) FROM transactions"),
        before + 8 * 40
    );
    assert_eq!(
        count(
            c,
            "SELECT count(*) FROM (SELECT 1 FROM transactions
               GROUP BY terminal_id, batch_no, voucher_no HAVING count(*) > 1) dup"
        ),
        0,
        "voucher numbers repeat within a batch"
    );
    assert_invariants(c);
}

/// Hard edges 6: A valid database in a folder SQLite cannot create its `-shm` file in is not called
/// foreign: the message says the folder is read-only, the exit status is 2, the file is as it was.
#[test]
fn a_database_in_a_read_only_folder_is_named_as_such_not_foreign() {
    if merchant_desk::store::testing::sqlite_only("a test of the SQLite file or its raw connection")
    {
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let db = Db::demo_at(NOW, 1, 20, 3);
    {
        // Fold the WAL into the file and close it, as a finished session leaves it.
        let c = rusqlite::Connection::open(&db.path).unwrap();
        c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    }
    let folder = db.dir.path().join("ro");
    std::fs::create_dir(&folder).unwrap();
    let path = folder.join("md.sqlite3");
    std::fs::copy(&db.path, &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    std::fs::set_permissions(db.dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_merchant-desk"));
    cmd.args(["--db", path.to_str().unwrap(), "check"]);
    if unsafe { libc::geteuid() } == 0 {
        // Root writes into any folder: be nobody, for whom the folder is read-only.
        cmd.uid(65534).gid(65534);
    }
    let out = cmd.output().unwrap();
    std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(!err.contains("not a merchant-desk database"), "{err}");
    assert!(err.contains("is not writable (read-only)"), "{err}");
    assert!(err.contains("md.sqlite3-shm"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "left unchanged");
    assert!(!folder.join("md.sqlite3-shm").exists());
}

/// Hard edges 8: Without a terminal the application says so and exits 2 (no panic, no database made); a
/// `--db` URL of a scheme the build does not serve is refused, exit 2, and makes no folder.
#[test]
fn no_terminal_and_a_database_url_are_refused_with_exit_2() {
    if merchant_desk::store::testing::sqlite_only("a test of the SQLite file or its raw connection")
    {
        return;
    }
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_merchant-desk");
    let db = dir.path().join("new.sqlite3");
    let out = Command::new(bin)
        .args(["--db", db.to_str().unwrap()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("needs a terminal"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!db.exists(), "no database is made");

    for url in ["mysql://h/db", "sqlite://x.db"] {
        let out = Command::new(bin)
            .current_dir(dir.path())
            .args(["--db", url, "check"])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{url}: {err}");
        assert!(
            err.contains("or a PostgreSQL server (postgres://…)"),
            "{err}"
        );
        let scheme = url.split(':').next().unwrap();
        assert!(!dir.path().join(format!("{scheme}:")).exists(), "{url}");
    }
    // A file:// URL names a file.
    let made = Db::demo_at(NOW, 1, 10, 2);
    let url = format!("file://{}", made.path.display());
    let out = Command::new(bin)
        .args(["--db", &url, "check"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Hard edges 7: One fault, one status: a database that cannot be written gives 2 at every stage of
/// `refund-import` (the login's audit row, the import's own rows), a refusal gives 1.
#[test]
fn refund_import_exits_2_whenever_the_database_cannot_be_written_and_1_for_refusals() {
    if merchant_desk::store::testing::sqlite_only("a test of the SQLite file or its raw connection")
    {
        return;
    }
    use std::process::Command;
    let db = db();
    let sales = {
        let env = db.env();
        fresh_sales(&env.store, 2)
    };
    let good = db.file("good.xlsx");
    batch_file(&good, "PTEXIT1", &sales, |_| 100);
    let bad = db.file("bad.xlsx");
    write_xlsx(
        &bad,
        HEADER,
        &[row("PTEXIT2", "999999999999", "X1", 1.0, "")],
    );
    let import = |file: &std::path::Path, pw: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_merchant-desk"))
            .args([
                "--db",
                db.path.to_str().unwrap(),
                "refund-import",
                "--operator",
                "clerk",
                "--file",
                file.to_str().unwrap(),
            ])
            .env("MERCHANT_DESK_PASSWORD", pw)
            .env("MERCHANT_DESK_PAY_PASSWORD", PW)
            .output()
            .unwrap();
        (
            out.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let sql = |s: &str| {
        rusqlite::Connection::open(&db.path)
            .unwrap()
            .execute_batch(s)
            .unwrap()
    };
    // Refusals: a wrong password, a bad row.
    assert_eq!(import(&good, "wrong-password").0, Some(1));
    let (code, out) = import(&bad, PW);
    assert_eq!(code, Some(1), "{out}");
    // The database refuses every write of the import itself (as a full disk does).
    sql(
        "CREATE TRIGGER full_disk BEFORE INSERT ON refund_applications
         BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;",
    );
    let (code, out) = import(&good, PW);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.contains("disk is full"), "{out}");
    sql("DROP TRIGGER full_disk");
    // ... or already the login's audit row.
    sql("CREATE TRIGGER full_disk BEFORE INSERT ON audit_log
         BEGIN SELECT RAISE(FAIL, 'database or disk is full'); END;");
    let (code, out) = import(&good, PW);
    assert_eq!(code, Some(2), "{out}");
    sql("DROP TRIGGER full_disk");
    // And when it can write, the same file goes in.
    let (code, out) = import(&good, PW);
    assert_eq!(code, Some(0), "{out}");
    let env = db.env();
    assert_invariants(&env.store);
}

/// Hard edges 10: `demo` onto a disk that fills up leaves no half-made database: it builds beside the
/// target and renames at the end. (The disk "fills" at 1 MB: a file size limit on the process,
/// with SIGXFSZ ignored, fails its writes as a full disk does.)
#[test]
fn demo_onto_a_full_disk_leaves_no_half_made_database() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("demo.sqlite3");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_merchant-desk"));
    cmd.args([
        "--db",
        target.to_str().unwrap(),
        "demo",
        "--days",
        "40",
        "--per-day",
        "400",
    ]);
    unsafe {
        cmd.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let lim = libc::rlimit {
                rlim_cur: 1 << 20,
                rlim_max: 1 << 20,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let out = cmd.output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?} ({err})");

    // Without the limit the same command makes the database, and only it.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_merchant-desk"))
        .args([
            "--db",
            target.to_str().unwrap(),
            "demo",
            "--days",
            "2",
            "--per-day",
            "40",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    // The database, and the demo acquirer's files of each past day beside it.
    assert_eq!(left, ["demo-acquirer", "demo.sqlite3"]);
    assert_invariants(&merchant_desk::store::Store::open(&target).unwrap());
}

/// Speed: the bulk build of `demo` (a private file, rollups a settled day at a time, no journal)
/// writes the same rows as the normal build the tests use, and passes `check`.
#[test]
fn the_bulk_demo_build_writes_the_same_rows_as_the_normal_build() {
    if merchant_desk::store::testing::sqlite_only("a test of the SQLite file or its raw connection")
    {
        return;
    }
    use std::sync::Arc;
    let normal = Db::demo_at(NOW, 4, 300, 5);
    let dir = tempfile::tempdir().unwrap();
    let bulk = dir.path().join("bulk.sqlite3");
    let clock = merchant_desk::clock::VirtualClock::new(
        merchant_desk::clock::parse_datetime_ms(NOW).unwrap(),
    );
    merchant_desk::demo::create(
        &bulk,
        Arc::new(clock),
        merchant_desk::demo::DemoOptions {
            days: 4,
            per_day: 300,
            seed: 5,
        },
    )
    .unwrap();
    // The test fixture puts every store back in direct refund mode after its build; so here.
    rusqlite::Connection::open(&bulk)
        .unwrap()
        .execute("UPDATE merchants SET refund_mode = 'direct'", [])
        .unwrap();
    let dump = |path: &std::path::Path| -> Vec<String> {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut out = Vec::new();
        for table in [
            "transactions",
            "settlements",
            "ledger_lines",
            "txn_daily",
            "sequences",
            "merchants",
            "terminals",
        ] {
            // The triggers of a normal build leave emptied rollup rows behind (a row that moved
            // to another status or settlement date); they sum to nothing.
            let filter = if table == "txn_daily" {
                "WHERE txn_count <> 0 OR amount_fen <> 0 OR fee_fen <> 0"
            } else {
                ""
            };
            let n = conn
                .prepare(&format!("SELECT * FROM {table}"))
                .unwrap()
                .column_count();
            let order: Vec<String> = (1..=n.min(8)).map(|i| i.to_string()).collect();
            let mut st = conn
                .prepare(&format!(
                    "SELECT * FROM {table} {filter} ORDER BY {}",
                    order.join(", ")
                ))
                .unwrap();
            let rows = st
                .query_map([], |r| {
                    let cells: Vec<String> = (0..n)
                        .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                        .collect();
                    Ok(format!("{table}: {}", cells.join("|")))
                })
                .unwrap();
            out.extend(rows.map(Result::unwrap));
        }
        // The same schema: the indexes the bulk build dropped are back, and the triggers.
        let mut st = conn
            .prepare("SELECT type, name, sql FROM sqlite_schema ORDER BY name")
            .unwrap();
        let rows = st
            .query_map([], |r| {
                Ok(format!(
                    "schema: {}|{}|{:?}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?
                ))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
        out
    };
    let (a, b) = (dump(&normal.path), dump(&bulk));
    assert!(a.len() > 1000, "{}", a.len());
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x, y);
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_merchant-desk"))
        .args(["--db", bulk.to_str().unwrap(), "check"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
