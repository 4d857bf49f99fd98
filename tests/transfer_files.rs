//! The transfer files (X2) on both backends: the templates carry their template version and,
//! on a second sheet, the accepted bank names; the import reads the template's sheet and
//! ignores that reference sheet (a hidden sheet is never read, a second visible sheet of data
//! is refused); control totals (总笔数, 总金额) are checked when given, and a file whose totals
//! disagree with its rows stores nothing.

mod common;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::TestDb;
use merchant_desk::domain::lang::Lang;
use merchant_desk::excel::import::ImportError;
use merchant_desk::service::transfers::{self, TransferError};
use merchant_desk::service::Env;

const PW: &str = "demo1234";

fn count(env: &Env, sql: &str) -> i64 {
    env.store
        .sql_for_tests()
        .query_row(sql, merchant_desk::store::params![], |r| r.get(0))
        .unwrap()
}

fn sheet_text(path: &std::path::Path, name: &str) -> String {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_templates_carry_their_version_and_the_banks_and_read_back() {
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    for (lang, reference) in [
        (Lang::Zh, transfers::REFERENCE_SHEETS[0]),
        (Lang::En, transfers::REFERENCE_SHEETS[1]),
    ] {
        let bank = transfers::write_template(&db.dir.path().join("bank"), true, lang).unwrap();
        let wb: Xlsx<_> = open_workbook(&bank).unwrap();
        let names = wb.sheet_names();
        assert_eq!(names.len(), 2, "{names:?}");
        assert_eq!(names[1], reference);
        let text = sheet_text(&bank, reference);
        assert!(text.contains(transfers::TEMPLATE_VERSION), "{text}");
        assert!(text.contains("ICBC|工商银行"), "{text}");
        assert!(text.contains("CCB|建设银行"), "{text}");
        // The import reads the template's sheet, not the reference sheet; the example row's
        // control totals (1 row, 12.34) are read and agree.
        let req = transfers::read_file(&bank, 1).unwrap();
        assert_eq!(req.rows.len(), 1);
        assert_eq!(req.control_count, Some(1));
        assert_eq!(req.control_total_fen, Some(1234));
        let platform =
            transfers::write_template(&db.dir.path().join("platform"), false, lang).unwrap();
        let text = sheet_text(&platform, reference);
        assert!(text.contains(transfers::TEMPLATE_VERSION), "{text}");
        let req = transfers::read_file(&platform, 1).unwrap();
        assert_eq!(req.control_total_fen, Some(1234));
        transfers::preview(&env, &clerk, &req).unwrap();
    }
}

const HEADER: [&str; 12] = [
    "商户批次号",
    "收款开户名",
    "收款开户银行",
    "收款银行所在省份",
    "收款银行所在市",
    "收款支行名称",
    "收款银行帐号",
    "转账金额（元）",
    "对公对私",
    "收款人联系手机",
    "转账备注",
    "商户订单号",
];

fn bank_row(batch: &str, i: usize) -> Vec<String> {
    vec![
        batch.into(),
        format!("张{i}"),
        "工商银行".into(),
        "四川省".into(),
        "成都市".into(),
        "工商银行成都高新支行".into(),
        format!("6222020000001{i:03}"),
        format!("{i}.00"),
        "对私".into(),
        "13800138000".into(),
        "劳务费".into(),
        format!("ZZ{batch}{i:04}"),
    ]
}

/// (name, hidden, rows with the header first)
fn workbook(path: &std::path::Path, sheets: &[(&str, bool, Vec<Vec<String>>)]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    for (name, hidden, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                ws.write_string(r as u32, c as u16, v).unwrap();
            }
        }
        if *hidden {
            ws.set_hidden(true);
        }
    }
    wb.save(path).unwrap();
}

fn table(batch: &str, n: usize) -> Vec<Vec<String>> {
    let mut rows = vec![HEADER.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
    rows.extend((1..=n).map(|i| bank_row(batch, i)));
    rows
}

#[test]
fn the_reference_sheet_is_ignored_a_hidden_sheet_never_read_a_second_data_sheet_refused() {
    let db = TestDb::demo(3, 40);
    let reference = vec![
        vec![
            "模板版本".to_string(),
            transfers::TEMPLATE_VERSION.to_string(),
        ],
        vec!["ICBC".into(), "工商银行".into()],
    ];
    let junk = table("HID", 7);
    let path = db.dir.path().join("filled.xlsx");
    workbook(
        &path,
        &[
            ("批量转账到银行账户", false, table("F1", 3)),
            (transfers::REFERENCE_SHEETS[0], false, reference.clone()),
            ("藏起来的", true, junk),
        ],
    );
    let req = transfers::read_file(&path, 1).unwrap();
    assert_eq!(req.rows.len(), 3);
    assert_eq!(req.batch_no.as_deref(), Some("F1"));
    // Another visible sheet of data (not the reference sheet): which one was meant? Refused.
    let two = db.dir.path().join("two.xlsx");
    workbook(
        &two,
        &[
            ("批量转账到银行账户", false, table("F2", 3)),
            ("Sheet2", false, reference),
        ],
    );
    match transfers::read_file(&two, 1) {
        Err(TransferError::File(ImportError::SeveralSheets(names))) => {
            assert_eq!(names.len(), 2, "{names:?}")
        }
        other => panic!("expected several sheets refused, got {other:?}"),
    }
}

fn csv_with_totals(
    dir: &std::path::Path,
    name: &str,
    batch: &str,
    n: usize,
    totals: &[(usize, &str, &str)],
) -> std::path::PathBuf {
    let mut text = HEADER.join(",");
    text.push_str(",总笔数,总金额（元）");
    for i in 1..=n {
        let (c, a) = totals
            .iter()
            .find(|(row, _, _)| *row == i)
            .map(|(_, c, a)| (*c, *a))
            .unwrap_or(("", ""));
        text.push('\n');
        text.push_str(&bank_row(batch, i).join(","));
        text.push_str(&format!(",{c},{a}"));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn control_totals_are_checked_when_given() {
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let clerk = db.login(&mut env, "clerk");
    let dir = db.dir.path();
    // 3 rows of 1.00, 2.00, 3.00: 6.00.
    let refused = |env: &mut Env, path: &std::path::Path| -> Vec<String> {
        match transfers::import_file(env, &clerk, 1, path, PW, None) {
            Err(TransferError::Rows(rows)) => rows
                .iter()
                .map(|r| transfers::row_message(r, Lang::En))
                .collect(),
            other => panic!("expected bad rows, got {other:?}"),
        }
    };
    let wrong_count = csv_with_totals(dir, "c1.csv", "C1", 3, &[(1, "4", "6.00")]);
    let m = refused(&mut env, &wrong_count);
    assert!(
        m.iter()
            .any(|m| m.contains("the control count 4 does not match the 3 rows")),
        "{m:?}"
    );
    let wrong_total = csv_with_totals(dir, "c2.csv", "C2", 3, &[(1, "3", "6.01")]);
    let m = refused(&mut env, &wrong_total);
    assert!(
        m.iter()
            .any(|m| m.contains("the control total 6.01 does not match the rows' 6.00")),
        "{m:?}"
    );
    let two_totals = csv_with_totals(dir, "c3.csv", "C3", 3, &[(1, "3", "6.00"), (3, "2", "")]);
    let m = refused(&mut env, &two_totals);
    assert!(
        m.iter()
            .any(|m| m.starts_with("row 4") && m.contains("differs from the total count of row 2")),
        "{m:?}"
    );
    let not_a_number = csv_with_totals(dir, "c4.csv", "C4", 3, &[(2, "three", "6.00")]);
    let m = refused(&mut env, &not_a_number);
    assert!(m.iter().any(|m| m.starts_with("row 3")), "{m:?}");
    assert_eq!(count(&env, "SELECT count(*) FROM transfers"), 0);
    assert_eq!(count(&env, "SELECT count(*) FROM transfer_batches"), 0);
    // Right totals (repeated on a later row too), or none at all: stored.
    let right = csv_with_totals(dir, "c5.csv", "C5", 3, &[(1, "3", "6.00"), (3, "3", "6")]);
    let sent = transfers::import_file(&mut env, &clerk, 1, &right, PW, None).unwrap();
    assert_eq!((sent.rows, sent.amount_fen), (3, 600));
    let none = csv_with_totals(dir, "c6.csv", "C6", 3, &[]);
    transfers::import_file(&mut env, &clerk, 1, &none, PW, None).unwrap();
    assert_eq!(count(&env, "SELECT count(*) FROM transfers"), 6);
    let report = merchant_desk::service::check::run(&env.store).unwrap();
    assert!(report.ok(), "{}", report.text());
}
