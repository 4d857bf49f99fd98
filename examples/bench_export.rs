//! Export benchmark: 100,000 rows × 10 columns through merchant-desk's export writer
//! (`excel::write_xlsx`) against rust_xlsxwriter writing the same cells with the same formats
//! directly, both in one run; then 1,000,000 rows through each.
//!
//! Each measurement runs in a child process of this program, so its peak memory (VmHWM) is its
//! own. Run with:
//!
//! ```text
//! cargo run --release --example bench_export                # 100k × 3 runs each, then 1M × 1
//! cargo run --release --example bench_export -- --runs 5 --no-million
//! ```
//!
//! Goals (issue 5): ours ≤ 1.3× direct at 100k rows, < 100 MB peak; 1M rows works. Issue 12:
//! 1M rows at least 2× faster than rust_xlsxwriter's default build (README compares with that
//! build, run beside this one).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use rust_xlsxwriter::{Format, FormatBorder, Workbook};

use merchant_desk::excel::export::{excel_date, excel_datetime, fen_to_excel};
use merchant_desk::excel::{write_xlsx, CellValue, ColKind, Column, SheetSpec};

const HEADERS: [&str; 10] = [
    "参考号",
    "商户编号",
    "终端号",
    "交易时间",
    "交易日期",
    "卡号",
    "金额",
    "手续费",
    "结算日期",
    "订单号",
];

/// One generated row; the same values for both writers.
struct Row {
    rrn: String,
    merchant: String,
    terminal: String,
    ms: i64,
    date: i32,
    card: String,
    amount: i64,
    fee: i64,
    settle: i32,
    order: String,
}

impl Row {
    fn new() -> Row {
        Row {
            rrn: String::with_capacity(12),
            merchant: String::with_capacity(15),
            terminal: String::with_capacity(8),
            ms: 0,
            date: 0,
            card: String::with_capacity(16),
            amount: 0,
            fee: 0,
            settle: 0,
            order: String::with_capacity(20),
        }
    }

    /// Fills row `i` without allocating (the buffers are reused).
    fn fill(&mut self, i: u64) {
        use std::fmt::Write;
        let x = i
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.rrn.clear();
        let _ = write!(self.rrn, "{:012}", (x >> 20) % 1_000_000_000_000);
        self.merchant.clear();
        let _ = write!(self.merchant, "898310{:09}", 58_120_000 + i % 5);
        self.terminal.clear();
        let _ = write!(self.terminal, "{:08}", 10_000_000 + i % 40);
        self.ms = 1_793_000_000_000 + i as i64 * 2_617;
        self.date = 20261101 + (i % 28) as i32;
        self.card.clear();
        let _ = write!(self.card, "622588******{:04}", x % 10_000);
        self.amount = ((x >> 7) % 5_000_000) as i64 + 1;
        self.fee = self.amount * 6 / 1000;
        self.settle = self.date + 1;
        self.order.clear();
        let _ = write!(self.order, "2026{:016}", i);
    }
}

fn spec() -> SheetSpec {
    let kinds = [
        ColKind::Text,
        ColKind::Text,
        ColKind::Text,
        ColKind::DateTime,
        ColKind::Date,
        ColKind::Text,
        ColKind::Money,
        ColKind::Money,
        ColKind::Date,
        ColKind::Text,
    ];
    SheetSpec {
        title: "交易查询".into(),
        columns: HEADERS
            .iter()
            .zip(kinds)
            .map(|(h, k)| Column::new(*h, k))
            .collect(),
        total_label: Some("合计".into()),
        preamble: Vec::new(),
    }
}

fn ours(path: &Path, rows: u64) -> u64 {
    let cancel = AtomicBool::new(false);
    let spec = spec();
    let mut r = Row::new();
    write_xlsx(path, &spec, &cancel, &mut |_| {}, |sink| {
        for i in 0..rows {
            r.fill(i);
            sink.push(&[
                CellValue::text(r.rrn.as_str()),
                CellValue::text(r.merchant.as_str()),
                CellValue::text(r.terminal.as_str()),
                CellValue::DateTime(r.ms),
                CellValue::Date(r.date),
                CellValue::text(r.card.as_str()),
                CellValue::Money(r.amount),
                CellValue::Money(r.fee),
                CellValue::Date(r.settle),
                CellValue::text(r.order.as_str()),
            ])?;
        }
        Ok(())
    })
    .expect("export")
}

/// The same cells, formats, frozen header, autofilter, widths and totals, written straight
/// through rust_xlsxwriter (no part file, no fsync, no cancel or progress checks).
fn direct(path: &Path, rows: u64) -> u64 {
    let dir = path.parent().unwrap();
    let mut wb = Workbook::new();
    wb.set_tempdir(dir).unwrap();
    let ws = wb.add_worksheet_with_constant_memory().unwrap();
    ws.set_name("交易查询").unwrap();
    let header = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    let money = Format::new().set_num_format("#,##0.00");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &header)
            .unwrap();
    }
    ws.set_freeze_panes(1, 0).unwrap();
    let mut r = Row::new();
    let (mut sum_a, mut sum_f) = (0i64, 0i64);
    for i in 0..rows {
        r.fill(i);
        let row = i as u32 + 1;
        ws.write_string_with_format(row, 0, &r.rrn, &text).unwrap();
        ws.write_string_with_format(row, 1, &r.merchant, &text)
            .unwrap();
        ws.write_string_with_format(row, 2, &r.terminal, &text)
            .unwrap();
        ws.write_number_with_format(row, 3, excel_datetime(r.ms), &datetime)
            .unwrap();
        ws.write_number_with_format(row, 4, excel_date(r.date).unwrap(), &date)
            .unwrap();
        ws.write_string_with_format(row, 5, &r.card, &text).unwrap();
        ws.write_number_with_format(row, 6, fen_to_excel(r.amount), &money)
            .unwrap();
        ws.write_number_with_format(row, 7, fen_to_excel(r.fee), &money)
            .unwrap();
        ws.write_number_with_format(row, 8, excel_date(r.settle).unwrap(), &date)
            .unwrap();
        ws.write_string_with_format(row, 9, &r.order, &text)
            .unwrap();
        sum_a += r.amount;
        sum_f += r.fee;
    }
    let total = rows as u32 + 1;
    ws.write_string(total, 0, "合计").unwrap();
    ws.write_number_with_format(total, 6, fen_to_excel(sum_a), &money)
        .unwrap();
    ws.write_number_with_format(total, 7, fen_to_excel(sum_f), &money)
        .unwrap();
    ws.autofilter(0, 0, rows as u32, 9).unwrap();
    for c in 0..10u16 {
        ws.set_column_width(c, 16).unwrap();
    }
    wb.save(path).unwrap();
    rows
}

fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// In the child: run one mode, print `secs peak_kb bytes`.
fn child(mode: &str, rows: u64, dir: &Path) {
    let path = dir.join(format!("{mode}-{rows}.xlsx"));
    let t0 = Instant::now();
    let n = match mode {
        "ours" => ours(&path, rows),
        "direct" => direct(&path, rows),
        _ => panic!("unknown mode {mode}"),
    };
    let secs = t0.elapsed().as_secs_f64();
    assert_eq!(n, rows);
    let bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let _ = std::fs::remove_file(&path);
    println!("{secs} {} {bytes}", peak_rss_kb());
}

struct Measure {
    secs: f64,
    peak_kb: u64,
    bytes: u64,
}

fn run_child(mode: &str, rows: u64, dir: &Path) -> Measure {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--child", mode, "--rows", &rows.to_string(), "--dir"])
        .arg(dir)
        .output()
        .expect("run child");
    assert!(
        out.status.success(),
        "{mode} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.split_whitespace();
    Measure {
        secs: it.next().unwrap().parse().unwrap(),
        peak_kb: it.next().unwrap().parse().unwrap(),
        bytes: it.next().unwrap().parse().unwrap(),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let dir: PathBuf = arg("--dir")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("merchant-desk-bench-export"));
    std::fs::create_dir_all(&dir).unwrap();
    if let Some(mode) = arg("--child") {
        let rows = arg("--rows").unwrap().parse().unwrap();
        child(&mode, rows, &dir);
        return;
    }
    if cfg!(debug_assertions) {
        eprintln!("note: a debug build; use --release for figures");
    }
    let rows: u64 = arg("--rows").map_or(100_000, |r| r.parse().unwrap());
    let runs: usize = arg("--runs").map_or(3, |r| r.parse().unwrap());
    let million = !args.iter().any(|a| a == "--no-million");

    println!("export of {rows} rows × 10 columns, median of {runs} runs each (alternating)");
    let (mut d, mut o) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        d.push(run_child("direct", rows, &dir));
        o.push(run_child("ours", rows, &dir));
    }
    let dm = median(d.iter().map(|m| m.secs).collect());
    let om = median(o.iter().map(|m| m.secs).collect());
    let dpeak = d.iter().map(|m| m.peak_kb).max().unwrap();
    let opeak = o.iter().map(|m| m.peak_kb).max().unwrap();
    println!();
    println!("| writer | rows | time | peak RSS | file |");
    println!("|---|---:|---:|---:|---:|");
    let line = |name: &str, rows: u64, secs: f64, kb: u64, bytes: u64| {
        println!(
            "| {name} | {rows} | {secs:.3} s | {:.1} MB | {:.1} MB |",
            kb as f64 / 1024.0,
            bytes as f64 / 1_048_576.0
        )
    };
    line("rust_xlsxwriter direct", rows, dm, dpeak, d[0].bytes);
    line(
        "merchant-desk excel::write_xlsx",
        rows,
        om,
        opeak,
        o[0].bytes,
    );
    if million {
        let d1 = run_child("direct", 1_000_000, &dir);
        let o1 = run_child("ours", 1_000_000, &dir);
        line(
            "rust_xlsxwriter direct",
            1_000_000,
            d1.secs,
            d1.peak_kb,
            d1.bytes,
        );
        line(
            "merchant-desk excel::write_xlsx",
            1_000_000,
            o1.secs,
            o1.peak_kb,
            o1.bytes,
        );
    }
    let ratio = om / dm;
    println!();
    println!(
        "ours / direct at {rows} rows: {ratio:.2}× (goal ≤ 1.30×); peak {:.1} MB (goal < 100 MB)",
        opeak as f64 / 1024.0
    );
    let _ = std::fs::remove_dir(&dir);
}
