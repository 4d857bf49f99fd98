//! Reading uploaded .xlsx/.csv files: row numbers as Excel shows them, exact amounts, identifiers
//! typed as numbers, header checks, row limits, refused files, and templates.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rust_xlsxwriter::Workbook;

use merchant_desk::excel::{
    cell_id, cell_money, cell_opt_text, find_columns, read_table, write_template, Cell, Expected,
    ImportError, Reason, RowError, Table, TemplateColumn,
};

const MAX: usize = 999;

/// The batch refund columns (issue 6 part 7), as a caller would declare them.
const COLUMNS: [Expected<'static>; 5] = [
    Expected {
        name: "批次号",
        accepted: &["Batch no."],
        required: true,
    },
    Expected {
        name: "原交易参考号/订单号",
        accepted: &[
            "原交易参考号",
            "原订单号",
            "Original reference or order no.",
        ],
        required: true,
    },
    Expected {
        name: "退货订单号",
        accepted: &["Refund order no."],
        required: true,
    },
    Expected {
        name: "退货金额",
        accepted: &["金额", "Amount"],
        required: true,
    },
    Expected {
        name: "备注",
        accepted: &["Remark"],
        required: false,
    },
];

enum V<'a> {
    S(&'a str),
    N(f64),
}

fn xlsx(dir: &Path, name: &str, rows: &[Vec<V<'_>>]) -> PathBuf {
    let path = dir.join(name);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v {
                V::S(s) => ws.write_string(r as u32, c as u16, *s).unwrap(),
                V::N(n) => ws.write_number(r as u32, c as u16, *n).unwrap(),
            };
        }
    }
    wb.save(&path).unwrap();
    path
}

fn header() -> Vec<V<'static>> {
    ["批次号", "原交易参考号", "退货订单号", "退货金额", "备注"]
        .into_iter()
        .map(V::S)
        .collect()
}

/// What a batch import does with this layer: every bad cell of every row, at its row.
/// (batch, original, refund order, fen) of each good row.
type Good = (String, String, String, i64);

fn check(table: &Table) -> Result<Vec<Good>, Vec<RowError>> {
    let cols = find_columns(&table.header, &COLUMNS)?;
    let mut errors = Vec::new();
    let mut good = Vec::new();
    for row in &table.rows {
        let mut bad = |i: usize, reason: Reason| {
            errors.push(RowError {
                row: row.row_no,
                column: COLUMNS[i].name.to_string(),
                reason,
            })
        };
        let get = |i: usize| row.cell(cols[i].unwrap());
        let batch = cell_id(get(0)).map_err(|r| bad(0, r));
        let orig = cell_id(get(1)).map_err(|r| bad(1, r));
        let refund = cell_id(get(2)).map_err(|r| bad(2, r));
        let fen = cell_money(get(3)).map_err(|r| bad(3, r));
        let _remark = cols[4].map(|i| cell_opt_text(row.cell(i)));
        if let (Ok(b), Ok(o), Ok(r), Ok(f)) = (batch, orig, refund, fen) {
            good.push((b, o, r, f));
        }
    }
    if errors.is_empty() {
        Ok(good)
    } else {
        Err(errors)
    }
}

#[test]
fn three_decimals_are_refused_with_row_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = xlsx(
        dir.path(),
        "b.xlsx",
        &[
            header(),
            vec![V::S("B1"), V::S("000000000001"), V::S("R1"), V::N(12.34)],
            vec![V::S("B1"), V::S("000000000002"), V::S("R2"), V::N(1.005)],
            vec![],
            vec![V::S("B1"), V::S("000000000003"), V::S("R3"), V::S("7.125")],
            vec![V::S("B1"), V::S("000000000004"), V::S("R4"), V::N(0.0)],
            vec![
                V::S("B1"),
                V::S("000000000005"),
                V::S("R5"),
                V::S("1,000.5"),
            ],
        ],
    );
    let table = read_table(&path, MAX).unwrap();
    assert_eq!(table.rows.len(), 5, "the blank row 4 is skipped");
    let errors = check(&table).unwrap_err();
    let got: Vec<(u32, &str, &Reason)> = errors
        .iter()
        .map(|e| (e.row, e.column.as_str(), &e.reason))
        .collect();
    assert_eq!(
        got,
        vec![
            (3, "退货金额", &Reason::TooManyDecimals),
            (5, "退货金额", &Reason::TooManyDecimals),
            (6, "退货金额", &Reason::NotPositive),
        ]
    );
    assert_eq!(
        errors[0].message(true),
        "第 3 行 退货金额：金额最多两位小数"
    );
    assert_eq!(
        errors[0].message(false),
        "row 3, 退货金额: more than two decimals"
    );
}

#[test]
fn identifiers_typed_as_numbers_read_as_typed() {
    let dir = tempfile::tempdir().unwrap();
    let path = xlsx(
        dir.path(),
        "b.xlsx",
        &[
            header(),
            vec![
                V::N(20261123.0),
                V::N(123456789012.0),
                V::N(202611230001.0),
                V::N(100.0),
            ],
            vec![V::S(" B2 "), V::S("000000000009"), V::S("R-9"), V::N(0.01)],
            vec![V::S("B3"), V::N(6225880000001234.0), V::S("R10"), V::N(5.5)],
        ],
    );
    let table = read_table(&path, MAX).unwrap();
    let errors = check(&table).unwrap_err();
    // 16 digits typed as a number: Excel already changed it, so it is refused, not guessed.
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].row, 4);
    assert_eq!(errors[0].reason, Reason::DigitsLost);

    let ok = xlsx(
        dir.path(),
        "ok.xlsx",
        &[
            header(),
            vec![
                V::N(20261123.0),
                V::N(123456789012.0),
                V::N(202611230001.0),
                V::N(100.0),
            ],
            vec![V::S(" B2 "), V::S("000000000009"), V::S("R-9"), V::N(0.01)],
        ],
    );
    let good = check(&read_table(&ok, MAX).unwrap()).unwrap();
    assert_eq!(
        good,
        vec![
            (
                "20261123".to_string(),
                "123456789012".to_string(),
                "202611230001".to_string(),
                10_000
            ),
            (
                "B2".to_string(),
                "000000000009".to_string(),
                "R-9".to_string(),
                1
            ),
        ]
    );
}

#[test]
fn missing_columns_are_reported_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = xlsx(
        dir.path(),
        "b.xlsx",
        &[
            vec![V::S("Batch no."), V::S("Amount")],
            vec![V::S("B1"), V::N(1.0)],
        ],
    );
    let errors = check(&read_table(&path, MAX).unwrap()).unwrap_err();
    let missing: Vec<&str> = errors.iter().map(|e| e.column.as_str()).collect();
    assert_eq!(missing, vec!["原交易参考号/订单号", "退货订单号"]);
    assert!(errors
        .iter()
        .all(|e| e.row == 1 && e.reason == Reason::MissingColumn));
}

#[test]
fn more_than_999_rows_are_refused_and_999_are_quick() {
    let dir = tempfile::tempdir().unwrap();
    let make = |n: usize, name: &str| {
        let mut rows = vec![header()];
        let ids: Vec<(String, String)> = (0..n)
            .map(|i| (format!("{:012}", i), format!("R{i}")))
            .collect();
        for (o, r) in &ids {
            rows.push(vec![
                V::S("B1"),
                V::S(o.as_str()),
                V::S(r.as_str()),
                V::N(12.5),
            ]);
        }
        xlsx(dir.path(), name, &rows)
    };
    let big = make(1000, "big.xlsx");
    assert_eq!(
        read_table(&big, MAX).unwrap_err(),
        ImportError::TooManyRows {
            max: 999,
            found: 1000
        }
    );
    let fine = make(999, "fine.xlsx");
    let t0 = Instant::now();
    let table = read_table(&fine, MAX).unwrap();
    let good = check(&table).unwrap();
    let took = t0.elapsed();
    assert_eq!(good.len(), 999);
    assert_eq!(table.rows.last().unwrap().row_no, 1000);
    eprintln!("read and checked 999 rows in {took:?}");
}

#[test]
fn wrong_kinds_of_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("b.txt");
    std::fs::write(&txt, "批次号\nB1\n").unwrap();
    assert!(matches!(
        read_table(&txt, MAX),
        Err(ImportError::NotXlsxOrCsv(_))
    ));
    let fake = dir.path().join("fake.xlsx");
    std::fs::write(&fake, "not a zip").unwrap();
    let e = read_table(&fake, MAX).unwrap_err();
    assert!(matches!(e, ImportError::CannotRead(..)), "{e:?}");
    let missing = dir.path().join("missing.xlsx");
    assert!(matches!(
        read_table(&missing, MAX),
        Err(ImportError::CannotRead(..))
    ));
    let only_header = xlsx(dir.path(), "h.xlsx", &[header()]);
    assert_eq!(read_table(&only_header, MAX), Err(ImportError::Empty));
    let nothing = xlsx(dir.path(), "n.xlsx", &[]);
    assert_eq!(read_table(&nothing, MAX), Err(ImportError::Empty));
    let empty_csv = dir.path().join("e.csv");
    std::fs::write(&empty_csv, "").unwrap();
    assert_eq!(read_table(&empty_csv, MAX), Err(ImportError::Empty));
    assert!(ImportError::Empty.message_zh().contains("没有数据行"));
}

#[test]
fn csv_in_utf8_with_bom_is_read_and_what_is_not_text_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("b.CSV");
    std::fs::write(
        &csv,
        "\u{feff}批次号,原订单号,退货订单号,金额,备注\r\nB1,000123,R1,\"1,234.50\",\"a, b\"\r\nB1,000124,R2,0.001,\r\n",
    )
    .unwrap();
    let table = read_table(&csv, MAX).unwrap();
    let errors = check(&table).unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (errors[0].row, errors[0].reason.clone()),
        (3, Reason::TooManyDecimals)
    );
    assert_eq!(table.rows[0].cells[1], Cell::Text("000123".into()));
    assert_eq!(cell_money(&table.rows[0].cells[3]), Ok(123_450));

    let gbk = dir.path().join("gbk.csv");
    // "批次号" in GBK is read (Hard edges 4); bytes that are no text in any of the three are not.
    std::fs::write(&gbk, b"\xc5\xfa\xb4\xce\xba\xc5\r\nB1\r\n").unwrap();
    let t = read_table(&gbk, MAX).unwrap();
    assert_eq!(t.header.cells[0], Cell::Text("批次号".into()));
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, b"\xff\xfe\xff\r\nB1\r\n").unwrap();
    let e = read_table(&bad, MAX).unwrap_err();
    assert!(matches!(e, ImportError::UnknownEncoding(_)));
    assert!(e.to_string().contains("CSV UTF-8"));
}

#[test]
fn templates_have_a_header_an_example_and_text_identifier_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("退货模板.xlsx");
    let cols = [
        TemplateColumn {
            header: "批次号",
            text: true,
            example: "20261123",
            width: 0.0,
        },
        TemplateColumn {
            header: "原交易参考号/订单号",
            text: true,
            example: "000000012345",
            width: 0.0,
        },
        TemplateColumn {
            header: "退货订单号",
            text: true,
            example: "RF0001",
            width: 0.0,
        },
        TemplateColumn {
            header: "退货金额",
            text: false,
            example: "100.50",
            width: 12.0,
        },
        TemplateColumn {
            header: "备注",
            text: true,
            example: "顾客退货",
            width: 0.0,
        },
    ];
    write_template(&path, "批量退货", &cols).unwrap();
    let table = read_table(&path, MAX).unwrap();
    let good = check(&table).unwrap();
    assert_eq!(
        good,
        vec![(
            "20261123".to_string(),
            "000000012345".to_string(),
            "RF0001".to_string(),
            10_050
        )]
    );
    // The identifier cells are text, not numbers.
    assert_eq!(table.rows[0].cells[0], Cell::Text("20261123".into()));
    assert!(!dir.path().join(".退货模板.xlsx.part").exists());

    let e = write_template(&dir.path().join("no/such/t.xlsx"), "x", &cols).unwrap_err();
    assert!(e.to_string().contains("cannot write"), "{e}");
}
