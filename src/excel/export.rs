//! The one .xlsx writer every list exports through.
//!
//! A caller describes its columns once ([`Column`], [`SheetSpec`]) and streams rows of
//! [`CellValue`]s into a [`RowSink`]; the writer keeps memory flat (rust_xlsxwriter's constant
//! memory mode, its temporary file in the destination folder), sums every money column exactly in
//! integer fen as rows pass, and only ever leaves a complete file under the final name: it writes
//! `.NAME.part` beside it and renames on success, removing the part file on any error or cancel.

use std::borrow::Cow;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rust_xlsxwriter::{Color, Format, FormatBorder, Workbook, Worksheet, XlsxError};
use unicode_width::UnicodeWidthStr;

/// What a column holds; it decides the cell format and whether the column is totalled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColKind {
    /// Written as text (`@` format): names, and every identifier — reference, order, card,
    /// merchant and terminal numbers — so Excel never turns them into rounded numbers.
    Text,
    /// Fen, written as the number of yuan with `#,##0.00`, totalled in the totals row.
    Money,
    /// Fen like `Money`, but a running figure (a balance after each line): not totalled.
    Balance,
    /// A count or other whole number, written as a number.
    Int,
    /// `YYYYMMDD` as an `i32`, written as an Excel date (`yyyy-mm-dd`).
    Date,
    /// Unix milliseconds, shown in business time (UTC+8) as `yyyy-mm-dd hh:mm:ss`.
    DateTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The header as the operator reads it (the caller picks Chinese or English).
    pub header: String,
    pub kind: ColKind,
    /// Width in Excel character units; `0.0` sizes the column from its header and data.
    pub width: f64,
}

impl Column {
    /// A column sized automatically from its header and the data written.
    pub fn new(header: impl Into<String>, kind: ColKind) -> Column {
        Column {
            header: header.into(),
            kind,
            width: 0.0,
        }
    }
    pub fn with_width(mut self, width: f64) -> Column {
        self.width = width;
        self
    }
}

/// One cell of a row. Text borrows where it can, so streaming a query allocates nothing extra.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue<'a> {
    Empty,
    Text(Cow<'a, str>),
    /// Fen.
    Money(i64),
    Int(i64),
    /// `YYYYMMDD`.
    Date(i32),
    /// Unix milliseconds.
    DateTime(i64),
}

impl<'a> CellValue<'a> {
    pub fn text(s: impl Into<Cow<'a, str>>) -> CellValue<'a> {
        CellValue::Text(s.into())
    }
    /// `None` becomes an empty cell.
    pub fn opt_text(s: Option<&'a str>) -> CellValue<'a> {
        s.map_or(CellValue::Empty, |s| CellValue::Text(Cow::Borrowed(s)))
    }
    pub fn opt_money(fen: Option<i64>) -> CellValue<'a> {
        fen.map_or(CellValue::Empty, CellValue::Money)
    }
    pub fn opt_date(yyyymmdd: Option<i32>) -> CellValue<'a> {
        yyyymmdd.map_or(CellValue::Empty, CellValue::Date)
    }
    pub fn opt_int(n: Option<i64>) -> CellValue<'a> {
        n.map_or(CellValue::Empty, CellValue::Int)
    }
}

/// What to write: the sheet's name, its columns, and the totals row's label.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetSpec {
    /// The worksheet tab's name; characters Excel forbids are replaced and it is cut to 31.
    pub title: String,
    pub columns: Vec<Column>,
    /// `Some("合计")` / `Some("Total")`: a totals row under the data with the sum of each money
    /// column, the label in the first text column. `None`: no totals row.
    pub total_label: Option<String>,
    /// Lines written above the header, one a row (what was asked and when); a blank row follows
    /// them. Empty: the header is the first row.
    pub preamble: Vec<String>,
}

impl SheetSpec {
    /// The row of the header: after the preamble and its blank row.
    fn header_row(&self) -> u32 {
        if self.preamble.is_empty() {
            0
        } else {
            self.preamble.len() as u32 + 1
        }
    }
}

/// Data rows one sheet can hold: Excel's 1,048,576 less the header and totals rows.
pub const MAX_DATA_ROWS: u64 = 1_048_576 - 2;

/// How often (in rows) the progress callback is told.
pub const PROGRESS_EVERY: u64 = 1024;

#[derive(Debug)]
pub enum ExportError {
    /// The destination folder is missing or cannot be written.
    FolderNotWritable { dir: PathBuf, reason: String },
    /// The disk filled up while writing.
    DiskFull { path: PathBuf },
    /// The operator cancelled; nothing was left behind.
    Cancelled,
    /// More rows than one sheet holds.
    TooManyRows { limit: u64 },
    /// A row had a different number of cells than there are columns (a programming error).
    RowShape {
        row: u64,
        expected: usize,
        got: usize,
    },
    /// The rows could not be produced (for example the query failed).
    Source(String),
    /// Any other failure while writing the file.
    Write { path: PathBuf, reason: String },
}

impl ExportError {
    /// The message in Chinese (`Display` gives English).
    pub fn message_zh(&self) -> String {
        match self {
            ExportError::FolderNotWritable { dir, reason } => {
                format!("无法写入文件夹 {}：{reason}", dir.display())
            }
            ExportError::DiskFull { path } => {
                format!("磁盘已满，未能写完 {}，未留下文件", path.display())
            }
            ExportError::Cancelled => "导出已取消，未留下文件".to_string(),
            ExportError::TooManyRows { limit } => {
                format!("行数超过一个工作表的上限 {limit} 行，请缩小查询范围")
            }
            ExportError::RowShape { row, expected, got } => {
                format!("第 {row} 行有 {got} 个单元格，应为 {expected} 个")
            }
            ExportError::Source(e) => format!("读取数据失败：{e}"),
            ExportError::Write { path, reason } => {
                format!("写入 {} 失败：{reason}，未留下文件", path.display())
            }
        }
    }

    /// The message in the operator's language.
    pub fn message(&self, chinese: bool) -> String {
        if chinese {
            self.message_zh()
        } else {
            self.to_string()
        }
    }
}

impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::FolderNotWritable { dir, reason } => {
                write!(f, "cannot write to folder {}: {reason}", dir.display())
            }
            ExportError::DiskFull { path } => write!(
                f,
                "the disk is full; {} was not written and no file was left",
                path.display()
            ),
            ExportError::Cancelled => write!(f, "export cancelled; no file was left"),
            ExportError::TooManyRows { limit } => write!(
                f,
                "more than {limit} rows, the most one sheet holds; narrow the query"
            ),
            ExportError::RowShape { row, expected, got } => {
                write!(f, "row {row} has {got} cells, expected {expected}")
            }
            ExportError::Source(e) => write!(f, "reading the rows failed: {e}"),
            ExportError::Write { path, reason } => write!(
                f,
                "writing {} failed: {reason}; no file was left",
                path.display()
            ),
        }
    }
}

impl std::error::Error for ExportError {}

/// Whether an error's text says the disk is full (ENOSPC). rust_xlsxwriter wraps I/O errors in
/// types (zip's) this crate cannot name, so the debug text is what is left to look at.
fn says_disk_full(debug_text: &str) -> bool {
    debug_text.contains("StorageFull")
        || debug_text.contains("No space left")
        || debug_text.contains("os error 28")
        || debug_text.contains("QuotaExceeded")
}

fn io_error(path: &Path, e: &std::io::Error) -> ExportError {
    if e.kind() == std::io::ErrorKind::StorageFull
        || e.kind() == std::io::ErrorKind::QuotaExceeded
        || e.raw_os_error() == Some(28)
    {
        ExportError::DiskFull {
            path: path.to_path_buf(),
        }
    } else {
        ExportError::Write {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }
}

fn xlsx_error(path: &Path, e: &XlsxError) -> ExportError {
    if let XlsxError::TempFileError(dir, io) = e {
        if says_disk_full(&format!("{io:?}")) {
            return ExportError::DiskFull {
                path: path.to_path_buf(),
            };
        }
        return ExportError::FolderNotWritable {
            dir: dir.clone(),
            reason: io.to_string(),
        };
    }
    if says_disk_full(&format!("{e:?}")) {
        ExportError::DiskFull {
            path: path.to_path_buf(),
        }
    } else {
        ExportError::Write {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }
}

/// `.NAME.part` beside `path`.
pub fn part_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export.xlsx".to_string());
    path.with_file_name(format!(".{name}.part"))
}

/// A file name for an export made at `now_ms`: the title with characters file systems refuse
/// replaced, then the business-time stamp, e.g. `交易查询_20261123_100000.xlsx`, in `dir`. When that
/// name is taken, `_2`, `_3`, … is added, so an export never replaces an earlier one.
pub fn suggest_path(dir: &Path, title: &str, now_ms: i64) -> PathBuf {
    let clean: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() || c.is_whitespace() => '_',
            c => c,
        })
        .take(60)
        .collect();
    let clean = clean.trim_matches(|c| c == '.' || c == '_');
    let clean = if clean.is_empty() { "export" } else { clean };
    let local = now_ms + BUSINESS_OFFSET_MS;
    let days = local.div_euclid(DAY_MS);
    let secs = local.rem_euclid(DAY_MS) / 1000;
    let (y, m, d) = civil_from_days(days);
    let stem = format!(
        "{clean}_{y:04}{m:02}{d:02}_{:02}{:02}{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    let mut path = dir.join(format!("{stem}.xlsx"));
    let mut n = 2;
    while path.exists() || part_path(&path).exists() {
        path = dir.join(format!("{stem}_{n}.xlsx"));
        n += 1;
    }
    path
}

/// Days since 1970-01-01 to (year, month, day).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A sheet name Excel accepts: no `[]:*?/\`, not starting or ending with `'`, 1–31 characters.
pub fn sheet_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => '_',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('\'').trim();
    let cut: String = cleaned.chars().take(31).collect();
    if cut.is_empty() {
        "Sheet1".to_string()
    } else {
        cut
    }
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian; H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Excel's serial day of 1970-01-01 (the 1900 date system, counting from 1899-12-30).
const EXCEL_UNIX_EPOCH: i64 = 25_569;
const BUSINESS_OFFSET_MS: i64 = 8 * 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// `YYYYMMDD` to Excel's serial day number; `None` for an impossible date.
pub fn excel_date(yyyymmdd: i32) -> Option<f64> {
    let (y, m, d) = (
        (yyyymmdd / 10_000) as i64,
        (yyyymmdd / 100 % 100) as i64,
        (yyyymmdd % 100) as i64,
    );
    if !(1900..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some((days_from_civil(y, m, d) + EXCEL_UNIX_EPOCH) as f64)
}

/// Unix milliseconds to Excel's serial date-time in business time (UTC+8).
pub fn excel_datetime(unix_ms: i64) -> f64 {
    let local = unix_ms + BUSINESS_OFFSET_MS;
    let days = local.div_euclid(DAY_MS);
    let ms = local.rem_euclid(DAY_MS);
    (days + EXCEL_UNIX_EPOCH) as f64 + ms as f64 / DAY_MS as f64
}

/// The number Excel stores for an amount of fen. `fen as f64 / 100.0` is the double nearest to
/// the exact decimal (the division is correctly rounded and fen is exact below 2^53), which is
/// the same double Excel stores when the amount is typed in, so it reads back to the same fen.
pub fn fen_to_excel(fen: i64) -> f64 {
    fen as f64 / 100.0
}

/// The formats of one workbook, made once.
pub(super) struct Formats {
    header: Format,
    text: Format,
    money: Format,
    date: Format,
    datetime: Format,
    total_label: Format,
    total_money: Format,
}

impl Formats {
    pub(super) fn new() -> Formats {
        let header = Format::new()
            .set_bold()
            .set_background_color(Color::RGB(0xD9E1F2))
            .set_border_bottom(FormatBorder::Thin);
        Formats {
            header,
            text: Format::new().set_num_format("@"),
            money: Format::new().set_num_format("#,##0.00"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
            total_label: Format::new().set_bold().set_border_top(FormatBorder::Thin),
            total_money: Format::new()
                .set_bold()
                .set_num_format("#,##0.00")
                .set_border_top(FormatBorder::Thin),
        }
    }
}

/// Receives the rows of one export, in order. Given to the producer by [`write_xlsx`].
pub struct RowSink<'w> {
    sheet: &'w mut Worksheet,
    formats: &'w Formats,
    columns: &'w [Column],
    cancel: &'w AtomicBool,
    progress: &'w mut dyn FnMut(u64),
    rows: u64,
    /// Exact sums in fen, per column (only money columns are used).
    sums: Vec<i128>,
    /// Widest data seen per column, in character units.
    widths: Vec<usize>,
    max_money: Vec<u64>,
    path: &'w Path,
    /// The header's row; data start below it.
    top: u32,
    /// The format each column carries (set once with `set_column_format`): a cell of that
    /// format is written without one and takes the column's. rust_xlsxwriter hashes the whole
    /// `Format` for every cell written with one — a quarter of a big export's time.
    column_format: Vec<Option<CellFormat>>,
}

/// Which of [`Formats`] a data cell wears.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum CellFormat {
    Text,
    Money,
    Date,
    DateTime,
}

impl CellFormat {
    /// The format a cell of this value wears (a count wears none).
    pub(super) fn of_cell(v: &CellValue) -> Option<CellFormat> {
        match v {
            CellValue::Text(_) => Some(CellFormat::Text),
            CellValue::Money(_) => Some(CellFormat::Money),
            CellValue::Date(_) => Some(CellFormat::Date),
            CellValue::DateTime(_) => Some(CellFormat::DateTime),
            CellValue::Int(_) | CellValue::Empty => None,
        }
    }

    fn of_column(kind: ColKind) -> Option<CellFormat> {
        match kind {
            ColKind::Text => Some(CellFormat::Text),
            ColKind::Money | ColKind::Balance => Some(CellFormat::Money),
            ColKind::Int => None,
            ColKind::Date => Some(CellFormat::Date),
            ColKind::DateTime => Some(CellFormat::DateTime),
        }
    }

    pub(super) fn format(self, f: &Formats) -> &Format {
        match self {
            CellFormat::Text => &f.text,
            CellFormat::Money => &f.money,
            CellFormat::Date => &f.date,
            CellFormat::DateTime => &f.datetime,
        }
    }
}

impl<'w> RowSink<'w> {
    /// Writes one row. Fails with [`ExportError::Cancelled`] once the cancel flag is set, so a
    /// producer that passes errors on with `?` stops at once.
    pub fn push(&mut self, cells: &[CellValue<'_>]) -> Result<(), ExportError> {
        if self.cancel.load(Ordering::Relaxed) {
            return Err(ExportError::Cancelled);
        }
        if cells.len() != self.columns.len() {
            return Err(ExportError::RowShape {
                row: self.rows + 1,
                expected: self.columns.len(),
                got: cells.len(),
            });
        }
        if self.rows >= MAX_DATA_ROWS - self.top as u64 {
            return Err(ExportError::TooManyRows {
                limit: MAX_DATA_ROWS - self.top as u64,
            });
        }
        let row = self.top + (self.rows + 1) as u32;
        for (i, cell) in cells.iter().enumerate() {
            match cell {
                CellValue::Text(s) => {
                    let w = if s.is_ascii() { s.len() } else { s.width() };
                    if w > self.widths[i] {
                        self.widths[i] = w;
                    }
                }
                CellValue::Money(fen) => {
                    if self.columns[i].kind == ColKind::Money {
                        self.sums[i] += *fen as i128;
                    }
                    let a = fen.unsigned_abs();
                    if a > self.max_money[i] {
                        self.max_money[i] = a;
                    }
                }
                CellValue::Int(n) => {
                    let w = digits(n.unsigned_abs()) + usize::from(*n < 0);
                    if w > self.widths[i] {
                        self.widths[i] = w;
                    }
                }
                _ => {}
            }
            write_cell(
                self.sheet,
                self.formats,
                self.column_format[i],
                row,
                i as u16,
                cell,
            )
            .map_err(|e| xlsx_error(self.path, &e))?;
        }
        self.rows += 1;
        if self.rows.is_multiple_of(PROGRESS_EVERY) {
            (self.progress)(self.rows);
        }
        Ok(())
    }

    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }
}

/// Writes one data cell in its format: without one where its column carries that format
/// already (`set_column_format`), which spares rust_xlsxwriter hashing the whole `Format` for
/// the cell. An empty cell, or a date that is no date, writes nothing.
pub(super) fn write_cell(
    sheet: &mut Worksheet,
    f: &Formats,
    column: Option<CellFormat>,
    row: u32,
    col: u16,
    cell: &CellValue,
) -> Result<(), XlsxError> {
    let own = CellFormat::of_cell(cell);
    let value = match cell {
        CellValue::Empty => return Ok(()),
        CellValue::Text(s) => {
            return if column == Some(CellFormat::Text) {
                sheet.write_string(row, col, s.as_ref()).map(|_| ())
            } else {
                sheet
                    .write_string_with_format(row, col, s.as_ref(), &f.text)
                    .map(|_| ())
            };
        }
        CellValue::Money(fen) => fen_to_excel(*fen),
        CellValue::Int(n) => *n as f64,
        CellValue::Date(d) => match excel_date(*d) {
            Some(serial) => serial,
            None => return Ok(()),
        },
        CellValue::DateTime(ms) => excel_datetime(*ms),
    };
    match own {
        // An unformatted number in a formatted column would take the column's format.
        None if column.is_some() => {
            sheet.write_number_with_format(row, col, value, &Format::default())
        }
        Some(c) if column != Some(c) => {
            sheet.write_number_with_format(row, col, value, c.format(f))
        }
        _ => sheet.write_number(row, col, value),
    }
    .map(|_| ())
}

fn digits(mut n: u64) -> usize {
    let mut d = 1;
    while n >= 10 {
        n /= 10;
        d += 1;
    }
    d
}

/// Width of a `#,##0.00` amount.
fn money_width(max_fen: u64) -> usize {
    let int_digits = digits(max_fen / 100);
    int_digits + (int_digits - 1) / 3 + 3 + 1
}

fn auto_width(col: &Column, data: usize, max_money: u64) -> f64 {
    let header = col.header.width();
    let data = match col.kind {
        ColKind::Money | ColKind::Balance => data.max(money_width(max_money)),
        ColKind::Date => data.max(10),
        ColKind::DateTime => data.max(19),
        ColKind::Text | ColKind::Int => data,
    };
    (header.max(data) + 2).clamp(6, 60) as f64
}

/// Deflating the sheet's XML is a big part of an export's time. Level 2 with zlib-rs (flate2's
/// `zlib-rs` feature, in Cargo.toml) writes 1,000,000 rows × 10 about 2.5× as fast as
/// rust_xlsxwriter's default build (level 6, miniz_oxide), the file 1.3× as large (level 1: no
/// faster, 1.8× as large; level 3: 15% slower). Measured with `bench_export`, figures in README.
pub(super) const ZIP_LEVEL: u8 = 2;

/// Writes an .xlsx of `spec`'s columns with the rows `produce` pushes into the sink, and returns
/// the number of data rows.
///
/// `progress` is told the rows written every [`PROGRESS_EVERY`] rows and at the end; `cancel`
/// stops the export (checked before each row). The header row is frozen and carries an
/// autofilter; money columns are totalled exactly in fen. On any error — the producer's
/// included — or a cancel, no file exists under `path` afterwards (an older file of that name is
/// left as it was) and no part file remains.
pub fn write_xlsx<F>(
    path: &Path,
    spec: &SheetSpec,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
    produce: F,
) -> Result<u64, ExportError>
where
    F: FnOnce(&mut RowSink<'_>) -> Result<(), ExportError>,
{
    let dir = folder_of(path);
    let part = part_path(path);
    // Creating the part file first proves the folder is writable before any row is read.
    let file = match File::create(&part) {
        Ok(f) => f,
        Err(e) => {
            if e.kind() == std::io::ErrorKind::StorageFull {
                return Err(io_error(path, &e));
            }
            return Err(ExportError::FolderNotWritable {
                dir,
                reason: e.to_string(),
            });
        }
    };
    // rust_xlsxwriter panics when its sheet temp file cannot be written (a full disk while
    // streaming); turn that into an error like any other instead of killing the thread.
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        write_into(file, path, &dir, spec, cancel, progress, produce)
    }));
    let result = match outcome {
        Ok(r) => r,
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            if says_disk_full(&text) {
                Err(ExportError::DiskFull {
                    path: path.to_path_buf(),
                })
            } else {
                Err(ExportError::Write {
                    path: path.to_path_buf(),
                    reason: text,
                })
            }
        }
    };
    match result {
        Ok(rows) => match fs::rename(&part, path) {
            Ok(()) => Ok(rows),
            Err(e) => {
                let _ = fs::remove_file(&part);
                Err(io_error(path, &e))
            }
        },
        Err(e) => {
            let _ = fs::remove_file(&part);
            Err(e)
        }
    }
}

fn write_into<F>(
    file: File,
    path: &Path,
    dir: &Path,
    spec: &SheetSpec,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
    produce: F,
) -> Result<u64, ExportError>
where
    F: FnOnce(&mut RowSink<'_>) -> Result<(), ExportError>,
{
    let xerr = |e: XlsxError| xlsx_error(path, &e);
    let ncols = spec.columns.len();
    if ncols == 0 || ncols > 16_384 {
        return Err(ExportError::Write {
            path: path.to_path_buf(),
            reason: format!("{ncols} columns"),
        });
    }
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    // The sheet's temporary file goes in the destination folder: the disk that must hold the
    // result is the one that fills, and a memory-backed /tmp is never used.
    workbook.set_tempdir(dir).map_err(xerr)?;
    workbook.set_zip_compression_level(ZIP_LEVEL);
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(xerr)?;
    sheet.set_name(sheet_name(&spec.title)).map_err(xerr)?;
    let top = spec.header_row();
    for (r, line) in spec.preamble.iter().enumerate() {
        sheet.write_string(r as u32, 0, line).map_err(xerr)?;
    }
    for (i, col) in spec.columns.iter().enumerate() {
        sheet
            .write_string_with_format(top, i as u16, &col.header, &formats.header)
            .map_err(xerr)?;
    }
    sheet.set_freeze_panes(top + 1, 0).map_err(xerr)?;
    let column_format: Vec<Option<CellFormat>> = spec
        .columns
        .iter()
        .map(|c| CellFormat::of_column(c.kind))
        .collect();
    for (i, cf) in column_format.iter().enumerate() {
        if let Some(cf) = cf {
            sheet
                .set_column_format(i as u16, cf.format(&formats))
                .map_err(xerr)?;
        }
    }

    let mut sink = RowSink {
        column_format,
        sheet,
        formats: &formats,
        columns: &spec.columns,
        cancel,
        progress,
        rows: 0,
        sums: vec![0; ncols],
        widths: vec![0; ncols],
        max_money: vec![0; ncols],
        path,
        top,
    };
    produce(&mut sink)?;
    if cancel.load(Ordering::Relaxed) {
        return Err(ExportError::Cancelled);
    }
    let RowSink {
        sheet,
        rows,
        sums,
        mut widths,
        max_money,
        ..
    } = sink;

    let last_data_row = top + rows as u32; // the header is row `top`
    if let Some(label) = &spec.total_label {
        let total_row = last_data_row + 1;
        let label_col = spec.columns.iter().position(|c| c.kind == ColKind::Text);
        for (i, col) in spec.columns.iter().enumerate() {
            let c = i as u16;
            if col.kind == ColKind::Money {
                let sum = i64::try_from(sums[i]).map_err(|_| ExportError::Write {
                    path: path.to_path_buf(),
                    reason: "a total is out of range".into(),
                })?;
                sheet
                    .write_number_with_format(total_row, c, fen_to_excel(sum), &formats.total_money)
                    .map_err(xerr)?;
                let w = money_width(sum.unsigned_abs());
                if w > widths[i] {
                    widths[i] = w;
                }
            } else if Some(i) == label_col {
                sheet
                    .write_string_with_format(total_row, c, label, &formats.total_label)
                    .map_err(xerr)?;
            } else {
                sheet
                    .write_blank(total_row, c, &formats.total_label)
                    .map_err(xerr)?;
            }
        }
    }
    sheet
        .autofilter(top, 0, last_data_row, (ncols - 1) as u16)
        .map_err(xerr)?;
    for (i, col) in spec.columns.iter().enumerate() {
        let width = if col.width > 0.0 {
            col.width
        } else {
            auto_width(col, widths[i], max_money[i])
        };
        sheet.set_column_width(i as u16, width).map_err(xerr)?;
    }
    if cancel.load(Ordering::Relaxed) {
        return Err(ExportError::Cancelled);
    }

    save_to(&mut workbook, file, path)?;
    progress(rows);
    Ok(rows)
}

/// Saves the workbook into the part file and makes it durable.
fn save_to(workbook: &mut Workbook, file: File, path: &Path) -> Result<(), ExportError> {
    let mut out = BufWriter::with_capacity(1 << 16, file);
    workbook
        .save_to_writer(&mut out)
        .map_err(|e| xlsx_error(path, &e))?;
    let file = out.into_inner().map_err(|e| io_error(path, e.error()))?;
    // On disk before the rename, so a crash never leaves a short file under the final name.
    file.sync_all().map_err(|e| io_error(path, &e))
}

/// Writes `rows` (already in memory, or any iterator) — a convenience over [`write_xlsx`].
pub fn write_xlsx_rows<'a, I>(
    path: &Path,
    spec: &SheetSpec,
    cancel: &AtomicBool,
    progress: &mut dyn FnMut(u64),
    rows: I,
) -> Result<u64, ExportError>
where
    I: IntoIterator,
    I::Item: AsRef<[CellValue<'a>]>,
{
    write_xlsx(path, spec, cancel, progress, |sink| {
        for row in rows {
            sink.push(row.as_ref())?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn dates_are_excel_serials() {
        assert_eq!(excel_date(19700101), Some(25569.0));
        assert_eq!(excel_date(19000301), Some(61.0));
        assert_eq!(excel_date(20261123), Some(46349.0));
        assert_eq!(excel_date(20260230), Some(46083.0)); // rolls over; the store never has it
        assert_eq!(excel_date(0), None);
        // 2026-11-23 00:00 in Shanghai is 2026-11-22 16:00 UTC.
        let ms = days_from_civil(2026, 11, 23) * DAY_MS - 8 * 3_600_000;
        assert_eq!(excel_datetime(ms), 46349.0);
        assert_eq!(excel_datetime(ms + 12 * 3_600_000), 46349.5);
    }

    #[test]
    fn sheet_names_are_legal() {
        assert_eq!(sheet_name("交易/查询[1]"), "交易_查询_1_");
        assert_eq!(sheet_name(""), "Sheet1");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }

    #[test]
    fn full_disk_is_named() {
        // /dev/full fails every write with ENOSPC.
        let Ok(mut f) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
            return;
        };
        let e = f
            .write_all(&[0u8; 100_000])
            .and_then(|_| f.flush())
            .unwrap_err();
        assert!(matches!(
            io_error(Path::new("x.xlsx"), &e),
            ExportError::DiskFull { .. }
        ));
        let mut wb = Workbook::new();
        wb.add_worksheet().write(0, 0, "x").unwrap();
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let e = save_to(&mut wb, f, Path::new("x.xlsx")).unwrap_err();
        assert!(matches!(e, ExportError::DiskFull { .. }), "{e:?}");
    }

    #[test]
    fn suggested_names_are_stamped_and_never_taken() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        // 2026-11-23 10:00:05 in Shanghai.
        let ms = days_from_civil(2026, 11, 23) * DAY_MS + 2 * 3_600_000 + 5_000;
        let p = suggest_path(&dir, "交易查询 11/01..11/23", ms);
        assert_eq!(
            p.file_name().unwrap().to_string_lossy(),
            "交易查询_11_01..11_23_20261123_100005.xlsx"
        );
        std::fs::write(&p, b"x").unwrap();
        let q = suggest_path(&dir, "交易查询 11/01..11/23", ms);
        assert!(q.to_string_lossy().ends_with("_100005_2.xlsx"));
        assert_eq!(
            suggest_path(&dir, "///", ms)
                .file_name()
                .unwrap()
                .to_string_lossy(),
            "export_20261123_100005.xlsx"
        );
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    #[test]
    fn money_widths() {
        assert_eq!(money_width(0), 5); // "0.00" + 1
        assert_eq!(money_width(123_456_789), 13); // "1,234,567.89" + 1
    }
}
