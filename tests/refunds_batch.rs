//! Batch refund (R7): the template, good files, and bad files refused whole with every bad row
//! listed and nothing stored.

mod refunds_common;

use merchant_desk::excel::import::{read_table, Reason, RowError};
use merchant_desk::service::batch_refund::{self, BatchError};
use merchant_desk::service::{refunds, settings, ServiceError};
use merchant_desk::store::{merchants, operators};
use merchant_desk::ui::text::Lang;
use refunds_common::*;

const NOW: &str = "2026-11-23 10:00";

fn db() -> Db {
    Db::demo_at(NOW, 3, 300, 5)
}

/// The refund tables a refused import leaves untouched, and the audit log, which gains one row
/// per refusal.
fn footprint(conn: &merchant_desk::store::Store) -> (i64, i64, i64, i64) {
    (
        count(conn, "SELECT count(*) FROM refund_applications"),
        count(conn, "SELECT count(*) FROM refund_batches"),
        count(conn, "SELECT count(*) FROM refund_events"),
        count(conn, "SELECT count(*) FROM audit_log"),
    )
}

/// The footprint after `n` refusals: nothing stored, and each refusal wrote its one audit row.
fn refused(before: (i64, i64, i64, i64), n: i64) -> (i64, i64, i64, i64) {
    (before.0, before.1, before.2, before.3 + n)
}

/// The actions of the last `n` audit rows, oldest first.
fn last_actions(store: &merchant_desk::store::Store, n: usize) -> Vec<String> {
    let mut st = store
        .sql_for_tests()
        .prepare("SELECT action FROM audit_log ORDER BY id DESC LIMIT ?1")
        .unwrap();
    let mut v: Vec<String> = st
        .query_map([n as i64], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    v.reverse();
    v
}

const REFUSED: &str = "refund.batch_import.refused";

fn rows_of(e: BatchError) -> Vec<RowError> {
    match e {
        BatchError::Rows(r) => r,
        other => panic!("expected bad rows, got {other:?}"),
    }
}

fn other_en(r: &RowError) -> String {
    r.reason.message(false)
}

#[test]
fn a_good_file_becomes_one_batch_and_rows_on_one_transaction_add_up() {
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let sales = fresh_sales(&env.store, 3);
    let (_, rrn0, amt0) = &sales[0];
    let half = amt0 / 2;
    let path = db.file("good.xlsx");
    write_xlsx(
        &path,
        HEADER,
        &[
            row("PT001", rrn0, "R1", half as f64 / 100.0, "顾客退货"),
            row("PT001", rrn0, "R2", (amt0 - half) as f64 / 100.0, ""),
            row("PT001", &sales[1].1, "R3", 0.01, ""),
            // An RRN typed as a number reads back as typed.
            vec![
                t("PT001"),
                X::N(sales[2].1.parse::<f64>().unwrap()),
                t("R4"),
                X::N(1.5),
            ],
        ],
    );
    let s = batch_refund::import(&mut env, &clerk, &path, PW).unwrap();
    assert_eq!(s.batch_no, "PT001");
    assert_eq!(s.rows, 4);
    assert_eq!(s.total_fen, amt0 + 1 + 150);
    assert_eq!(s.submitted, 4, "direct mode: submitted at once");
    let c = &env.store;
    assert_eq!(
        count(
            c,
            &format!(
                "SELECT count(*) FROM refund_applications WHERE batch_id = {}",
                s.batch_id
            )
        ),
        4
    );
    // The first transaction is now fully spoken for: one more fen is refused, by row.
    let path2 = db.file("more.xlsx");
    write_xlsx(&path2, HEADER, &[row("PT002", rrn0, "R5", 0.01, "")]);
    let before = footprint(&env.store);
    let err = rows_of(batch_refund::import(&mut env, &clerk, &path2, PW).unwrap_err());
    assert_eq!(err.len(), 1);
    assert_eq!(err[0].row, 2);
    assert!(
        other_en(&err[0]).contains("more than what is left"),
        "{err:?}"
    );
    assert_eq!(footprint(&env.store), refused(before, 1));
    assert_eq!(last_actions(&env.store, 1), vec![REFUSED]);
    assert_invariants(&env.store);
}

#[test]
fn in_review_mode_the_batch_waits_for_a_reviewer_like_any_application() {
    let db = db();
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    for m in merchants::all(&env.store.read()).unwrap() {
        settings::set_refund(&mut env, &admin, m.id, true, 0).unwrap();
    }
    let clerk = db.login(&mut env, "clerk");
    let sales = fresh_sales(&env.store, 5);
    let path = db.file("b.csv");
    let mut csv = String::from("Batch no.,Original reference no.,Refund order no.,Amount,Remark\n");
    for (i, (_, rrn, _)) in sales.iter().enumerate() {
        csv.push_str(&format!("PTCSV1,{rrn},CSV{i},1.00,\"a, b\"\n"));
    }
    std::fs::write(&path, csv).unwrap();
    let s = batch_refund::import(&mut env, &clerk, &path, PW).unwrap();
    assert_eq!((s.rows, s.pending_review, s.submitted), (5, 5, 0));
    let checker = db.login(&mut env, "checker");
    let pending = refunds::pending(&env, &checker).unwrap();
    assert_eq!(pending.len(), 5);
    assert!(pending.iter().all(|r| r.batch_id == Some(s.batch_id)));
    assert_eq!(pending[0].remark, "a, b");
    let n = refunds::review(
        &mut env,
        &checker,
        &s.application_ids[..3],
        true,
        "",
        refunds::Confirmation {
            pay_password: PW,
            pin: None,
        },
    )
    .unwrap();
    assert_eq!(n, 3);
    assert_invariants(&env.store);
}

#[test]
fn every_bad_row_is_listed_with_its_reason_and_nothing_is_stored() {
    let db = db();
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    let clerk = db.login(&mut env, "clerk");
    // Limit the clerk to the first terminal group.
    let (g1, _, _) = merchants::groups(&env.store.read()).unwrap()[0];
    let clerk_id = operators::by_login(&env.store.read(), "clerk")
        .unwrap()
        .unwrap()
        .id;
    operators::set_group_scope(&env.store.read(), clerk_id, Some(&[g1])).unwrap();
    let in_scope: Vec<(i64, String, i64)> = fresh_sales(&env.store, 400)
        .into_iter()
        .filter(|(id, _, _)| {
            merchant_desk::store::transactions::terminal_group_of(&env.store.read(), *id).unwrap()
                == Some(g1)
        })
        .collect();
    let outside = fresh_sales(&env.store, 400)
        .into_iter()
        .find(|(id, _, _)| {
            merchant_desk::store::transactions::terminal_group_of(&env.store.read(), *id).unwrap()
                != Some(g1)
        })
        .unwrap();
    // A voided sale, and an order number shared by two transactions.
    let voided: String = env
        .store
        .sql_for_tests()
        .query_row(
            "SELECT rrn FROM transactions WHERE status = 'voided' AND terminal_id IN
               (SELECT id FROM terminals WHERE group_id = ?1) LIMIT 1",
            [g1],
            |r| r.get(0),
        )
        .unwrap();
    env.store
        .sql_for_tests()
        .execute(
            "UPDATE transactions SET order_no = 'DUPORDER' WHERE id IN (?1, ?2)",
            [in_scope[5].0, in_scope[6].0],
        )
        .unwrap();
    // A refund order number used before.
    let before_path = db.file("first.xlsx");
    write_xlsx(
        &before_path,
        HEADER,
        &[row("USED1", &in_scope[7].1, "OLDORDER", 1.0, "")],
    );
    batch_refund::import(&mut env, &clerk, &before_path, PW).unwrap();
    let _ = admin;

    let (a, b) = (&in_scope[0], &in_scope[1]);
    let rows = vec![
        /* 2 */ row("PT9", &a.1, "OK1", 1.0, ""),
        /* 3 */ row("PT9", &b.1, "Z1", 0.0, ""),
        /* 4 */ row("PT9", &b.1, "N1", -5.0, ""),
        /* 5 */ row("PT9", &b.1, "D3", 1.005, ""),
        /* 6 */ row("PT9", &b.1, "OK1", 1.0, ""), // repeats row 2's order number
        /* 7 */ row("PT9", "999999999999", "NF1", 1.0, ""),
        /* 8 */ row("PT9", &outside.1, "SC1", 1.0, ""),
        /* 9 */ row("PT9", &voided, "VO1", 1.0, ""),
        /* 10 */
        row("PT9", &a.1, "EX1", a.2 as f64 / 100.0, ""), // row 2 took 1 yuan already
        /* 11 */ row("PT8", &b.1, "BN1", 1.0, ""),
        /* 12 */ row("PT9", &b.1, "OLDORDER", 1.0, ""),
        /* 13 */ row("PT9", &b.1, "BAD-ORDER", 1.0, ""),
        /* 14 */ row("PT9", "DUPORDER", "AM1", 1.0, ""),
        /* 15 */ vec![t("PT9"), t(&b.1), X::E, X::E],
        /* 16 */ row("PT9", &b.1, "LONG1", 1.0, &"长".repeat(101)),
    ];
    let path = db.file("bad.xlsx");
    write_xlsx(&path, HEADER, &rows);
    let before = footprint(&env.store);
    let err = rows_of(batch_refund::import(&mut env, &clerk, &path, PW).unwrap_err());
    assert_eq!(footprint(&env.store), refused(before, 1), "nothing stored");
    assert_eq!(last_actions(&env.store, 1), vec![REFUSED]);
    let at = |row: u32| -> Vec<&RowError> { err.iter().filter(|e| e.row == row).collect() };
    assert!(at(2).is_empty(), "row 2 is good: {:?}", at(2));
    assert_eq!(at(3)[0].reason, Reason::NotPositive);
    assert_eq!(at(4)[0].reason, Reason::NotPositive);
    assert_eq!(at(5)[0].reason, Reason::TooManyDecimals);
    assert_eq!(at(6)[0].reason, Reason::DuplicateInFile(2));
    assert!(other_en(at(7)[0]).contains("no transaction"));
    assert!(other_en(at(8)[0]).contains("outside your terminal groups"));
    assert!(other_en(at(9)[0]).contains("only successful sales"));
    assert!(other_en(at(10)[0]).contains("more than what is left"));
    assert_eq!(at(10)[0].column, "退货金额");
    assert!(other_en(at(11)[0]).contains("differs from row 2"));
    assert!(other_en(at(12)[0]).contains("used before"));
    assert!(other_en(at(13)[0]).contains("letters or digits"));
    assert!(other_en(at(14)[0]).contains("several transactions"));
    let r15: Vec<&Reason> = at(15).iter().map(|e| &e.reason).collect();
    assert_eq!(r15, vec![&Reason::Required, &Reason::Required]);
    assert_eq!(at(16)[0].reason, Reason::TooLong(100));
    // Both languages, with the row number.
    let zh = batch_refund::row_message(at(5)[0], Lang::Zh);
    assert_eq!(zh, "第 5 行 退货金额：金额最多两位小数");
    let en = batch_refund::row_message(at(5)[0], Lang::En);
    assert_eq!(en, "row 5, Refund amount: more than two decimals");
    assert_invariants(&env.store);
}

#[test]
fn a_batch_number_is_used_once_and_has_at_most_32_letters_or_digits() {
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let sales = fresh_sales(&env.store, 3);
    let p1 = db.file("1.xlsx");
    write_xlsx(&p1, HEADER, &[row("SAME", &sales[0].1, "A1", 1.0, "")]);
    batch_refund::import(&mut env, &clerk, &p1, PW).unwrap();
    let p2 = db.file("2.xlsx");
    write_xlsx(&p2, HEADER, &[row("SAME", &sales[1].1, "A2", 1.0, "")]);
    let e = rows_of(batch_refund::import(&mut env, &clerk, &p2, PW).unwrap_err());
    assert!(other_en(&e[0]).contains("imported before"), "{e:?}");
    let p3 = db.file("3.xlsx");
    let long = "B".repeat(33);
    write_xlsx(&p3, HEADER, &[row(&long, &sales[1].1, "A3", 1.0, "")]);
    let e = rows_of(batch_refund::import(&mut env, &clerk, &p3, PW).unwrap_err());
    assert_eq!(e[0].column, "批次号");
    let ok32 = "C".repeat(32);
    write_xlsx(&p3, HEADER, &[row(&ok32, &sales[1].1, "A3", 1.0, "")]);
    batch_refund::import(&mut env, &clerk, &p3, PW).unwrap();
}

#[test]
fn files_that_are_not_tables_are_refused_with_the_reason() {
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let before = footprint(&env.store);
    // Not .xlsx or .csv.
    let txt = db.file("refunds.txt");
    std::fs::write(&txt, "hello").unwrap();
    assert!(matches!(
        batch_refund::import(&mut env, &clerk, &txt, PW),
        Err(BatchError::File(
            merchant_desk::excel::import::ImportError::NotXlsxOrCsv(_)
        ))
    ));
    // A .xlsx that is not a workbook.
    let fake = db.file("fake.xlsx");
    std::fs::write(&fake, "not a zip").unwrap();
    assert!(matches!(
        batch_refund::import(&mut env, &clerk, &fake, PW),
        Err(BatchError::File(_))
    ));
    // Empty: a header and no rows.
    let empty = db.file("empty.xlsx");
    write_xlsx(&empty, HEADER, &[]);
    assert!(matches!(
        batch_refund::import(&mut env, &clerk, &empty, PW),
        Err(BatchError::File(
            merchant_desk::excel::import::ImportError::Empty
        ))
    ));
    // Missing columns, each named at the header's row.
    let missing = db.file("missing.xlsx");
    write_xlsx(&missing, &["批次号", "备注"], &[vec![t("X1"), t("r")]]);
    let e = rows_of(batch_refund::import(&mut env, &clerk, &missing, PW).unwrap_err());
    let cols: Vec<&str> = e.iter().map(|r| r.column.as_str()).collect();
    assert_eq!(cols, vec!["原交易参考号/订单号", "退货订单号", "退货金额"]);
    assert!(e
        .iter()
        .all(|r| r.row == 1 && r.reason == Reason::MissingColumn));
    assert_eq!(footprint(&env.store), refused(before, 4));
    assert_eq!(last_actions(&env.store, 4), vec![REFUSED; 4]);
}

#[test]
fn at_most_999_rows_and_the_1000th_is_named() {
    let db = Db::demo_at(NOW, 3, 1000, 6);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let sales = fresh_sales(&env.store, 1000);
    assert_eq!(sales.len(), 1000);
    let path = db.file("1000.xlsx");
    batch_file(&path, "BIG1", &sales, |_| 1);
    let before = footprint(&env.store);
    let e = rows_of(batch_refund::import(&mut env, &clerk, &path, PW).unwrap_err());
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0].row, 1001,
        "header at row 1, the 1000th data row at 1001"
    );
    assert!(other_en(&e[0]).contains("999"));
    assert_eq!(footprint(&env.store), refused(before, 1));
    assert_eq!(last_actions(&env.store, 1), vec![REFUSED]);
    batch_file(&path, "BIG1", &sales[..999], |_| 1);
    let s = batch_refund::import(&mut env, &clerk, &path, PW).unwrap();
    assert_eq!(s.rows, 999);
    assert_invariants(&env.store);
}

#[test]
fn the_payment_password_and_the_function_are_required() {
    let db = db();
    let mut env = db.env();
    let sales = fresh_sales(&env.store, 1);
    let path = db.file("p.xlsx");
    batch_file(&path, "PW1", &sales, |_| 100);
    let clerk = db.login(&mut env, "clerk");
    let before = footprint(&env.store);
    assert!(matches!(
        batch_refund::import(&mut env, &clerk, &path, "wrong-password"),
        Err(BatchError::Service(ServiceError::Invalid {
            field: "pay_password",
            ..
        }))
    ));
    // A wrong payment password stores nothing; it is counted towards the block.
    assert_eq!(footprint(&env.store), refused(before, 1));
    assert_eq!(last_actions(&env.store, 1), vec!["pay_password.wrong"]);
    let finance = db.login(&mut env, "finance");
    let before = footprint(&env.store);
    let e = batch_refund::import(&mut env, &finance, &path, PW).unwrap_err();
    assert!(matches!(e, BatchError::Service(ServiceError::Denied(_))));
    assert_eq!(footprint(&env.store), refused(before, 1));
    assert_eq!(last_actions(&env.store, 1), vec!["denied"]);
    assert!(merchant_desk::ui::text::refund::batch_error_lines(&e, Lang::Zh)[0].contains("无权限"));
}

#[test]
fn rows_add_up_against_the_daily_quota() {
    let db = db();
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    for m in merchants::all(&env.store.read()).unwrap() {
        settings::set_refund(&mut env, &admin, m.id, false, 10_000).unwrap(); // 100 yuan a day
    }
    let clerk = db.login(&mut env, "clerk");
    // Three sales of one merchant, each of at least 50 yuan.
    let m1 = merchants::all(&env.store.read()).unwrap()[0].id;
    let sales: Vec<(i64, String, i64)> = fresh_sales(&env.store, 500)
        .into_iter()
        .filter(|(id, _, amount)| {
            *amount >= 5_000
                && merchant_desk::store::transactions::by_id(&env.store.read(), *id)
                    .unwrap()
                    .unwrap()
                    .merchant_id
                    == m1
        })
        .take(3)
        .collect();
    let path = db.file("q.xlsx");
    batch_file(&path, "Q1", &sales, |_| 4_000);
    let e = rows_of(batch_refund::import(&mut env, &clerk, &path, PW).unwrap_err());
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].row, 4, "the third 40 yuan crosses the 100 yuan quota");
    assert!(other_en(&e[0]).contains("quota"), "{e:?}");
    batch_file(&path, "Q1", &sales[..2], |_| 4_000);
    batch_refund::import(&mut env, &clerk, &path, PW).unwrap();
    assert_invariants(&env.store);
}

#[test]
fn the_template_reads_back_with_its_columns_in_either_language() {
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    for (lang, name) in [(Lang::Zh, "模板"), (Lang::En, "template.xlsx")] {
        let written = batch_refund::write_template(&db.file(name), lang).unwrap();
        assert_eq!(written.extension().unwrap(), "xlsx");
        let table = read_table(&written, 999).unwrap();
        assert_eq!(table.rows.len(), 1, "one example row");
        // Importing the template as it is: the example row names no real transaction.
        let e = rows_of(batch_refund::import(&mut env, &clerk, &written, PW).unwrap_err());
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].row, 2);
        assert!(other_en(&e[0]).contains("no transaction"));
    }
}

#[test]
fn an_order_number_finds_its_transaction() {
    let db = db();
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let sale = fresh_sales(&env.store, 1).remove(0);
    env.store
        .sql_for_tests()
        .execute(
            "UPDATE transactions SET order_no = 'SHOP20261122A7' WHERE id = ?1",
            [sale.0],
        )
        .unwrap();
    let path = db.file("o.xlsx");
    write_xlsx(
        &path,
        HEADER,
        &[row("ORD1", "SHOP20261122A7", "X1", 2.0, "")],
    );
    let s = batch_refund::import(&mut env, &clerk, &path, PW).unwrap();
    let r = merchant_desk::store::refunds::by_id(&env.store.read(), s.application_ids[0])
        .unwrap()
        .unwrap();
    assert_eq!(r.txn_id, sale.0);
    assert_eq!(r.refund_order_no.as_deref(), Some("X1"));
}
