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

fn refund_count(conn: &rusqlite::Connection) -> i64 {
    count(conn, "SELECT count(*) FROM refund_applications")
}

/// 2. "12,34" is not 1,234.00: not in a form, not in a .csv, not in an .xlsx text cell.
#[test]
fn a_decimal_comma_is_refused_everywhere_not_read_as_grouping() {
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let sales = fresh_sales(&env.store.conn, 2);
    let before = refund_count(&env.store.conn);

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
        matches!(e, ServiceError::Invalid { field: "amount", .. }),
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
        err.iter().all(|e| e.row != 3 || e.reason != Reason::NotANumber),
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

    assert_eq!(refund_count(&env.store.conn), before, "nothing stored");
    assert_invariants(&env.store.conn);
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

/// 1. A hidden first sheet is never read; what the clerk sees is.
#[test]
fn a_hidden_sheet_is_never_imported_and_two_visible_data_sheets_are_refused() {
    use merchant_desk::excel::import::ImportError;
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let sales = fresh_sales(&env.store.conn, 5);
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
            &env.store.conn,
            "SELECT count(*) FROM refund_applications WHERE amount_fen = 7700"
        ),
        0
    );

    // Two visible sheets with data: refused, naming both; nothing stored.
    let before = refund_count(&env.store.conn);
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
            assert!(en.contains("\"批量退货\"") && en.contains("\"Sheet2\""), "{en}");
            assert!(e.message_zh().contains("“Sheet2”"));
        }
        other => panic!("expected SeveralSheets, got {other:?}"),
    }
    assert_eq!(refund_count(&env.store.conn), before);

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
    assert_invariants(&env.store.conn);
}

fn system_actor(ws: &str) -> merchant_desk::service::audit::Actor<'_> {
    merchant_desk::service::audit::Actor {
        operator_id: None,
        login: "system",
        workstation: ws,
    }
}

fn money_footprint(conn: &rusqlite::Connection) -> (i64, i64, i64, i64) {
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

/// 3. 日终结算 refuses a date after today, from the screen's service and from the command line;
/// `check` names a settlement dated after the day of its run.
#[test]
fn the_settlement_run_refuses_the_future_and_check_names_a_future_settlement() {
    use merchant_desk::service::{check, settlement, Problem};
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let admin = db.login(&mut env, "admin");
    // Something a future run would clear.
    let sale = &fresh_sales(&env.store.conn, 1)[0];
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
    let before = money_footprint(&env.store.conn);
    let ws = env.workstation.clone();
    let e = settlement::run(&mut env, system_actor(&ws), 20270601).unwrap_err();
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
    assert_eq!(money_footprint(&env.store.conn), before, "nothing settled");
    // Today is fine.
    settlement::run_by_operator(&mut env, &admin, "2026-11-23").unwrap();
    assert_invariants(&env.store.conn);

    // A settlement made on an earlier day than its date (what the old run wrote) is named.
    let c = &env.store.conn;
    c.execute(
        "UPDATE settlements SET created_ms = created_ms - 2 * 86400000
         WHERE id = (SELECT max(id) FROM settlements)",
        [],
    )
    .unwrap();
    let report = check::run(c).unwrap();
    let broken: Vec<&str> = report.broken().iter().map(|i| i.name).collect();
    assert_eq!(broken, ["settlement_not_ahead_of_its_run"], "{}", report.text());
    assert!(report.text().contains("was made on 20261121"), "{}", report.text());
}

/// 3, on the command line: `settle --date` after today exits 1 and changes nothing.
#[test]
fn settle_on_the_command_line_refuses_a_date_after_today() {
    use std::process::Command;
    let db = db();
    let before = {
        let env = db.env();
        money_footprint(&env.store.conn)
    };
    let out = Command::new(env!("CARGO_BIN_EXE_merchant-desk"))
        .args(["--db", db.path.to_str().unwrap(), "settle", "--date", "2999-06-01"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("after today"), "{err}");
    let env = db.env();
    assert_eq!(money_footprint(&env.store.conn), before);
    assert_invariants(&env.store.conn);
}
