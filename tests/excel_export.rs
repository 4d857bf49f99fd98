//! The common .xlsx export, read back with calamine: exact money and totals, identifiers as
//! text, dates as dates, frozen header and autofilter, and no file left on error or cancel.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use calamine::{open_workbook, Data, Reader, Xlsx};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;

use merchant_desk::domain::money::from_fen;
use merchant_desk::excel::export::{excel_date, excel_datetime, fen_to_excel, part_path};
use merchant_desk::excel::{write_xlsx, CellValue, ColKind, Column, ExportError, SheetSpec};

fn spec(total: Option<&str>) -> SheetSpec {
    SheetSpec {
        title: "交易查询".into(),
        columns: vec![
            Column::new("参考号", ColKind::Text),
            Column::new("订单号", ColKind::Text),
            Column::new("卡号", ColKind::Text),
            Column::new("交易日期", ColKind::Date),
            Column::new("交易时间", ColKind::DateTime),
            Column::new("金额", ColKind::Money),
            Column::new("手续费", ColKind::Money),
            Column::new("笔数", ColKind::Int),
        ],
        total_label: total.map(str::to_string),
        preamble: Vec::new(),
    }
}

struct Gen {
    rrn: String,
    order: String,
    card: String,
    date: i32,
    ms: i64,
    amount: i64,
    fee: i64,
}

fn rows(n: usize, seed: u64) -> Vec<Gen> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|i| {
            // Amounts of every size, with awkward cents (0.01, 0.07, 0.29, …) and big values.
            let amount = match i % 4 {
                0 => rng.random_range(1..100),
                1 => rng.random_range(1..1_000_000),
                2 => rng.random_range(1..10_000_000_000),
                _ => rng.random_range(-500_000..500_000),
            };
            Gen {
                rrn: format!("{:012}", rng.random_range(0..1_000_000_000_000u64)),
                // 20 digits and a leading zero: a number would lose both.
                order: format!("0{:019}", rng.random_range(0..u64::MAX / 2)),
                card: format!("622588******{:04}", i % 10_000),
                date: 20261101 + (i % 23) as i32,
                ms: 1_795_000_000_000 + i as i64 * 61_001,
                amount,
                fee: amount.abs() / 200,
            }
        })
        .collect()
}

fn export(path: &Path, rows: &[Gen], total: Option<&str>) -> Result<u64, ExportError> {
    let cancel = AtomicBool::new(false);
    let mut seen = 0u64;
    write_xlsx(path, &spec(total), &cancel, &mut |n| seen = n, |sink| {
        for r in rows {
            sink.push(&[
                CellValue::text(r.rrn.as_str()),
                CellValue::text(r.order.as_str()),
                CellValue::text(r.card.as_str()),
                CellValue::Date(r.date),
                CellValue::DateTime(r.ms),
                CellValue::Money(r.amount),
                CellValue::Money(r.fee),
                CellValue::Int(1),
            ])?;
        }
        Ok(())
    })
}

/// A number cell read back as fen: its shortest round-trip decimal, which must have at most two
/// places.
fn fen_of(d: &Data) -> i64 {
    let f = match d {
        Data::Float(f) => *f,
        Data::Int(n) => *n as f64,
        other => panic!("not a number: {other:?}"),
    };
    let dec: Decimal = format!("{f}").parse().unwrap();
    assert!(dec.normalize().scale() <= 2, "{f} has more than two places");
    let fen = dec * Decimal::ONE_HUNDRED;
    assert!(fen.fract().is_zero());
    fen.try_into().unwrap()
}

fn sheet(path: &Path) -> calamine::Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    assert_eq!(wb.sheet_names(), vec!["交易查询".to_string()]);
    wb.worksheet_range_at(0).unwrap().unwrap()
}

#[test]
fn money_reads_back_to_the_fen_for_many_values() {
    let mut rng = StdRng::seed_from_u64(7);
    let check = |fen: i64| {
        let f = fen_to_excel(fen);
        let dec: Decimal = format!("{f}").parse().unwrap();
        assert_eq!(dec, from_fen(fen), "fen {fen} wrote {f}");
        // A reader that rounds to two places gets the same.
        assert_eq!((f * 100.0).round() as i64, fen);
    };
    for fen in -100_000..=100_000 {
        check(fen);
    }
    for _ in 0..1_000_000 {
        check(rng.random_range(-10_000_000_000_000..10_000_000_000_000));
    }
}

#[test]
fn totals_equal_the_sum_to_the_fen_and_identifiers_stay_text() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("交易.xlsx");
    let data = rows(5_000, 11);
    assert_eq!(export(&path, &data, Some("合计")).unwrap(), 5_000);
    let range = sheet(&path);
    assert_eq!(range.height(), 5_000 + 2);

    let header: Vec<String> = (0..8)
        .map(|c| range.get((0, c)).unwrap().to_string())
        .collect();
    assert_eq!(header[0], "参考号");
    assert_eq!(header[5], "金额");

    let (mut sum_amount, mut sum_fee) = (0i64, 0i64);
    for (i, r) in data.iter().enumerate() {
        let row = i + 1;
        assert_eq!(range.get((row, 0)), Some(&Data::String(r.rrn.clone())));
        assert_eq!(range.get((row, 1)), Some(&Data::String(r.order.clone())));
        assert_eq!(range.get((row, 2)), Some(&Data::String(r.card.clone())));
        match range.get((row, 3)).unwrap() {
            Data::DateTime(dt) => assert_eq!(Some(dt.as_f64()), excel_date(r.date)),
            other => panic!("date cell is {other:?}"),
        }
        match range.get((row, 4)).unwrap() {
            Data::DateTime(dt) => assert_eq!(dt.as_f64(), excel_datetime(r.ms)),
            other => panic!("datetime cell is {other:?}"),
        }
        assert_eq!(fen_of(range.get((row, 5)).unwrap()), r.amount);
        assert_eq!(fen_of(range.get((row, 6)).unwrap()), r.fee);
        sum_amount += r.amount;
        sum_fee += r.fee;
    }
    let total = data.len() + 1;
    assert_eq!(range.get((total, 0)), Some(&Data::String("合计".into())));
    assert_eq!(fen_of(range.get((total, 5)).unwrap()), sum_amount);
    assert_eq!(fen_of(range.get((total, 6)).unwrap()), sum_fee);
    assert!(!part_path(&path).exists());
}

#[test]
fn header_is_frozen_and_filtered_with_formats_and_widths() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    export(&path, &rows(10, 3), Some("Total")).unwrap();
    // Look inside the package where a tool to do so is at hand.
    let Ok(out) = std::process::Command::new("unzip")
        .arg("-p")
        .arg(&path)
        .arg("xl/worksheets/sheet1.xml")
        .output()
    else {
        return;
    };
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(xml.contains(r#"state="frozen""#), "{xml}");
    assert!(xml.contains(r#"<autoFilter ref="A1:H11"/>"#), "{xml}");
    assert!(xml.contains("<cols>"), "{xml}");
    let styles = std::process::Command::new("unzip")
        .arg("-p")
        .arg(&path)
        .arg("xl/styles.xml")
        .output()
        .unwrap();
    let styles = String::from_utf8_lossy(&styles.stdout);
    assert!(styles.contains("#,##0.00"));
    assert!(styles.contains("yyyy-mm-dd"));
}

#[test]
fn no_totals_row_when_not_asked_and_empty_results_still_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    export(&path, &rows(3, 1), None).unwrap();
    assert_eq!(sheet(&path).height(), 4);
    let empty = dir.path().join("empty.xlsx");
    export(&empty, &[], Some("合计")).unwrap();
    let range = sheet(&empty);
    assert_eq!(range.height(), 2);
    assert_eq!(fen_of(range.get((1, 5)).unwrap()), 0);
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn unwritable_folder_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no/such/folder/t.xlsx");
    let e = export(&missing, &rows(3, 1), Some("合计")).unwrap_err();
    assert!(matches!(e, ExportError::FolderNotWritable { .. }), "{e}");
    assert!(e.to_string().contains("cannot write to folder"));
    assert!(e.message_zh().contains("无法写入文件夹"));
    assert!(!missing.exists());

    // A "folder" that is a file.
    let file = dir.path().join("plain");
    std::fs::write(&file, b"x").unwrap();
    let e = export(&file.join("t.xlsx"), &rows(3, 1), None).unwrap_err();
    assert!(matches!(e, ExportError::FolderNotWritable { .. }), "{e}");

    // Not writable even for root.
    let proc_path = Path::new("/proc/merchant-desk-test.xlsx");
    let e = export(proc_path, &rows(3, 1), None).unwrap_err();
    assert!(matches!(e, ExportError::FolderNotWritable { .. }), "{e}");
    assert!(!proc_path.exists());
    assert_eq!(leftovers(dir.path()), vec!["plain".to_string()]);
}

#[test]
fn cancel_leaves_no_file_and_keeps_an_older_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    let cancel = AtomicBool::new(false);
    let data = rows(5_000, 2);
    let mut told = Vec::new();
    let e = write_xlsx(
        &path,
        &spec(Some("合计")),
        &cancel,
        &mut |n| told.push(n),
        |sink| {
            for (i, r) in data.iter().enumerate() {
                if i == 3_000 {
                    cancel.store(true, Ordering::Relaxed);
                }
                sink.push(&[
                    CellValue::text(r.rrn.as_str()),
                    CellValue::Empty,
                    CellValue::Empty,
                    CellValue::Date(r.date),
                    CellValue::DateTime(r.ms),
                    CellValue::Money(r.amount),
                    CellValue::Money(r.fee),
                    CellValue::Int(1),
                ])?;
            }
            Ok(())
        },
    )
    .unwrap_err();
    assert!(matches!(e, ExportError::Cancelled));
    assert_eq!(told, vec![1024, 2048]);
    assert!(
        leftovers(dir.path()).is_empty(),
        "{:?}",
        leftovers(dir.path())
    );

    // An older export of the same name stays as it was.
    std::fs::write(&path, b"older").unwrap();
    cancel.store(true, Ordering::Relaxed);
    let e = export_with(&path, &cancel);
    assert!(matches!(e, Err(ExportError::Cancelled)));
    assert_eq!(std::fs::read(&path).unwrap(), b"older");
    assert_eq!(leftovers(dir.path()), vec!["t.xlsx".to_string()]);
}

fn export_with(path: &Path, cancel: &AtomicBool) -> Result<u64, ExportError> {
    write_xlsx(path, &spec(None), cancel, &mut |_| {}, |sink| {
        sink.push(&[
            CellValue::text("1"),
            CellValue::Empty,
            CellValue::Empty,
            CellValue::Empty,
            CellValue::Empty,
            CellValue::Money(1),
            CellValue::Money(1),
            CellValue::Int(1),
        ])
    })
}

#[test]
fn a_failing_query_or_a_bad_row_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.xlsx");
    let cancel = AtomicBool::new(false);
    let e = write_xlsx(&path, &spec(None), &cancel, &mut |_| {}, |_sink| {
        Err(ExportError::Source("database is locked".into()))
    })
    .unwrap_err();
    assert!(e.to_string().contains("database is locked"));
    let e = write_xlsx(&path, &spec(None), &cancel, &mut |_| {}, |sink| {
        sink.push(&[CellValue::text("only one cell")])
    })
    .unwrap_err();
    assert!(matches!(
        e,
        ExportError::RowShape {
            row: 1,
            expected: 8,
            got: 1
        }
    ));
    // A panic in the producer is an error, not a dead thread, and leaves nothing either.
    let e = write_xlsx(&path, &spec(None), &cancel, &mut |_| {}, |_sink| {
        panic!("producer bug")
    })
    .unwrap_err();
    assert!(e.to_string().contains("producer bug"), "{e}");
    assert!(leftovers(dir.path()).is_empty());
}
