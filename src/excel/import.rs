//! Reading an uploaded .xlsx or .csv: the visible sheet as rows of typed cells with the row
//! numbers the operator sees in Excel, readers for identifiers and amounts, a header check, and
//! the writer of import templates.
//!
//! Batch rules (SPEC "Rules") are the caller's; this module reports problems as
//! [`RowError`] (row number, column name, reason) so every caller lists them the same way.

use std::path::{Path, PathBuf};

use calamine::{open_workbook, DataRef, Reader, SheetType, SheetVisible, Xlsx};
use rust_xlsxwriter::{Format, FormatBorder, Workbook};

use crate::domain::money::{parse_amount, AmountError};
use crate::excel::export::{civil_from_days, part_path, sheet_name, ExportError};

/// One cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Int(i64),
    /// A number as Excel stores it.
    Float(f64),
    Bool(bool),
    /// A date or date-time as Excel's serial number.
    DateTime(f64),
    /// An Excel error value such as `#N/A`.
    Error(String),
}

impl Cell {
    /// Empty, or text of only spaces.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(s) => s.trim().is_empty(),
            _ => false,
        }
    }
}

/// A row and its 1-based number as Excel shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub row_no: u32,
    /// From column A; a short row simply has fewer cells.
    pub cells: Vec<Cell>,
}

impl SheetRow {
    /// The cell at a 0-based column index; `Empty` beyond the row's end.
    pub fn cell(&self, col: usize) -> &Cell {
        self.cells.get(col).unwrap_or(&Cell::Empty)
    }
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(Cell::is_blank)
    }
}

/// The header row (the first non-blank row) and the non-blank rows below it.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: SheetRow,
    pub rows: Vec<SheetRow>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ImportError {
    /// Neither .xlsx nor .csv.
    NotXlsxOrCsv(PathBuf),
    /// Missing, unreadable, or not really a workbook.
    CannotRead(PathBuf, String),
    /// A .csv in none of UTF-8 (Excel's "CSV UTF-8"), GBK or GB18030 (its plain "CSV" on Chinese
    /// Windows).
    UnknownEncoding(PathBuf),
    /// No header, or a header and no data rows.
    Empty,
    /// More data rows than allowed (the batch rules allow 999).
    TooManyRows { max: usize, found: usize },
    /// More than one visible sheet holds data: which one did the clerk mean? Their names.
    SeveralSheets(Vec<String>),
}

impl ImportError {
    pub fn message_zh(&self) -> String {
        match self {
            ImportError::NotXlsxOrCsv(p) => {
                format!("{} 不是 .xlsx 或 .csv 文件", p.display())
            }
            ImportError::CannotRead(p, e) => format!("无法读取 {}：{e}", p.display()),
            ImportError::UnknownEncoding(p) => format!(
                "{} 的编码不是 UTF-8、GBK 或 GB18030，请在 Excel 中另存为“CSV UTF-8”或 .xlsx",
                p.display()
            ),
            ImportError::Empty => "文件没有数据行".to_string(),
            ImportError::TooManyRows { max, found } => {
                format!("文件有 {found} 行数据，最多 {max} 行")
            }
            ImportError::SeveralSheets(names) => format!(
                "文件有多个含数据的工作表（{}），请只保留一个",
                names
                    .iter()
                    .map(|n| format!("“{n}”"))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        }
    }
    pub fn message(&self, chinese: bool) -> String {
        if chinese {
            self.message_zh()
        } else {
            self.to_string()
        }
    }
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::NotXlsxOrCsv(p) => {
                write!(f, "{} is not an .xlsx or .csv file", p.display())
            }
            ImportError::CannotRead(p, e) => write!(f, "cannot read {}: {e}", p.display()),
            ImportError::UnknownEncoding(p) => write!(
                f,
                "{} is not in UTF-8, GBK or GB18030; save it from Excel as \"CSV UTF-8\" or as .xlsx",
                p.display()
            ),
            ImportError::Empty => write!(f, "the file has no data rows"),
            ImportError::TooManyRows { max, found } => {
                write!(
                    f,
                    "the file has {found} data rows; at most {max} are allowed"
                )
            }
            ImportError::SeveralSheets(names) => write!(
                f,
                "more than one visible sheet holds data ({}); keep only one",
                names
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

impl std::error::Error for ImportError {}

/// Reads the one visible sheet holding data of an .xlsx (see [`read_xlsx`]), or a .csv, refusing other files, files without data rows
/// and files with more than `max_rows` data rows. Blank rows are skipped but keep numbering.
pub fn read_table(path: &Path, max_rows: usize) -> Result<Table, ImportError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let all = match ext.as_str() {
        "xlsx" => read_xlsx(path)?,
        "csv" => read_csv(path)?,
        _ => return Err(ImportError::NotXlsxOrCsv(path.to_path_buf())),
    };
    let mut it = all.into_iter().filter(|r| !r.is_blank());
    let header = it.next().ok_or(ImportError::Empty)?;
    let rows: Vec<SheetRow> = it.collect();
    if rows.is_empty() {
        return Err(ImportError::Empty);
    }
    if rows.len() > max_rows {
        return Err(ImportError::TooManyRows {
            max: max_rows,
            found: rows.len(),
        });
    }
    Ok(Table { header, rows })
}

/// The rows of the one visible worksheet that holds data. Hidden and very hidden sheets are never
/// read (the clerk cannot see them); a file where more than one visible sheet holds data is
/// refused, naming them, rather than guessing which one the clerk meant. A template has one
/// sheet, so its sheet (by name) and the active sheet are that one sheet whenever the file is
/// accepted.
fn read_xlsx(path: &Path) -> Result<Vec<SheetRow>, ImportError> {
    let cannot = |e: String| ImportError::CannotRead(path.to_path_buf(), e);
    let mut wb: Xlsx<std::io::BufReader<std::fs::File>> =
        open_workbook(path).map_err(|e: calamine::XlsxError| cannot(e.to_string()))?;
    let visible: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    let mut with_data = Vec::new();
    for name in visible {
        if !read_sheet(&mut wb, &name, 1).map_err(cannot)?.is_empty() {
            with_data.push(name);
        }
    }
    match with_data.len() {
        0 => Ok(Vec::new()),
        1 => read_sheet(&mut wb, &with_data[0], usize::MAX).map_err(cannot),
        _ => Err(ImportError::SeveralSheets(with_data)),
    }
}

/// The non-blank rows of a worksheet, in order, at most `limit` of them, cell by cell from the
/// sheet's XML (never the whole sheet as one rectangle).
fn read_sheet(
    wb: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    name: &str,
    limit: usize,
) -> Result<Vec<SheetRow>, String> {
    let mut reader = wb.worksheet_cells_reader(name).map_err(|e| e.to_string())?;
    let mut rows: std::collections::BTreeMap<u32, Vec<Cell>> = std::collections::BTreeMap::new();
    while let Some(c) = reader.next_cell().map_err(|e| e.to_string())? {
        let (row, col) = c.get_position();
        let cell = match c.get_value() {
            DataRef::Empty => Cell::Empty,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
                Cell::Text(s.clone())
            }
            DataRef::SharedString(s) => Cell::Text(s.to_string()),
            DataRef::Int(n) => Cell::Int(*n),
            DataRef::Float(f) => Cell::Float(*f),
            DataRef::Bool(b) => Cell::Bool(*b),
            DataRef::DateTime(dt) => Cell::DateTime(dt.as_f64()),
            DataRef::Error(e) => Cell::Error(e.to_string()),
        };
        if cell.is_blank() {
            continue;
        }
        if !rows.contains_key(&row) && rows.len() >= limit {
            break;
        }
        let cells = rows.entry(row).or_default();
        let col = col as usize;
        if cells.len() <= col {
            cells.resize(col + 1, Cell::Empty);
        }
        cells[col] = cell;
    }
    Ok(rows
        .into_iter()
        .map(|(row, cells)| SheetRow {
            row_no: row + 1,
            cells,
        })
        .collect())
}

fn read_csv(path: &Path) -> Result<Vec<SheetRow>, ImportError> {
    let bytes = std::fs::read(path)
        .map_err(|e| ImportError::CannotRead(path.to_path_buf(), e.to_string()))?;
    let text = decode_csv(&bytes).ok_or_else(|| ImportError::UnknownEncoding(path.to_path_buf()))?;
    Ok(parse_csv(&text))
}

/// The text of a .csv: UTF-8 (with or without its BOM), else GB18030, which includes GBK (what
/// Excel's plain "CSV" writes on Chinese Windows); `None` when it is none of them. UTF-8 wins when
/// the bytes are valid in both: non-ASCII GBK text is almost never valid UTF-8.
pub fn decode_csv(bytes: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest).ok().map(std::borrow::Cow::Borrowed);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some(std::borrow::Cow::Borrowed(s));
    }
    // GB18030's own BOM, then the bytes as GB18030 without replacing anything malformed.
    let body = bytes.strip_prefix(b"\x84\x31\x95\x33").unwrap_or(bytes);
    encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(body)
}

/// RFC 4180 CSV: commas, `"` quoting with `""` inside, line breaks inside quotes, CRLF or LF.
/// Row numbers count lines as Excel shows records (a quoted line break stays in its record).
pub fn parse_csv(text: &str) -> Vec<SheetRow> {
    let mut rows = Vec::new();
    let mut cells: Vec<Cell> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    let mut row_no = 1u32;
    let mut chars = text.chars().peekable();
    let push_field = |cells: &mut Vec<Cell>, field: &mut String, was_quoted: &mut bool| {
        let f = std::mem::take(field);
        cells.push(if f.is_empty() && !*was_quoted {
            Cell::Empty
        } else {
            Cell::Text(f)
        });
        *was_quoted = false;
    };
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                quoted = true;
                was_quoted = true;
            }
            ',' => push_field(&mut cells, &mut field, &mut was_quoted),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                push_field(&mut cells, &mut field, &mut was_quoted);
                while matches!(cells.last(), Some(Cell::Empty)) {
                    cells.pop();
                }
                rows.push(SheetRow {
                    row_no,
                    cells: std::mem::take(&mut cells),
                });
                row_no += 1;
                any = false;
            }
            c => field.push(c),
        }
    }
    if any {
        push_field(&mut cells, &mut field, &mut was_quoted);
        while matches!(cells.last(), Some(Cell::Empty)) {
            cells.pop();
        }
        rows.push(SheetRow { row_no, cells });
    }
    rows
}

/// Why a cell or a row is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The header has no such column.
    MissingColumn,
    /// The cell is empty.
    Required,
    NotANumber,
    TooManyDecimals,
    NotPositive,
    TooLarge,
    /// A number of more than 15 digits: Excel has already rounded it. Format the column as text.
    DigitsLost,
    /// A number with a fraction where an identifier was expected.
    NotAnIdentifier,
    TooLong(usize),
    /// Another row of this file (its row number) has the same value.
    DuplicateInFile(u32),
    /// A rule of the caller's, in both languages.
    Other {
        zh: String,
        en: String,
    },
}

impl Reason {
    pub fn message(&self, chinese: bool) -> String {
        let (zh, en): (String, String) = match self {
            Reason::MissingColumn => ("缺少此列".into(), "column missing".into()),
            Reason::Required => ("不能为空".into(), "required".into()),
            Reason::NotANumber => ("不是数字".into(), "not a number".into()),
            Reason::TooManyDecimals => (
                "金额最多两位小数".into(),
                "more than two decimals".into(),
            ),
            Reason::NotPositive => ("金额必须大于零".into(), "must be above zero".into()),
            Reason::TooLarge => ("金额过大".into(), "too large".into()),
            Reason::DigitsLost => (
                "超过15位的数字已被 Excel 改写，请将该列设为文本后重新输入".into(),
                "a number of more than 15 digits, already rounded by Excel; format the column as text and type it again".into(),
            ),
            Reason::NotAnIdentifier => (
                "应为编号，不能有小数".into(),
                "an identifier cannot have decimals".into(),
            ),
            Reason::TooLong(n) => (format!("最多 {n} 个字符"), format!("at most {n} characters")),
            Reason::DuplicateInFile(r) => (
                format!("与第 {r} 行重复"),
                format!("same as row {r}"),
            ),
            Reason::Other { zh, en } => (zh.clone(), en.clone()),
        };
        if chinese {
            zh
        } else {
            en
        }
    }
}

/// A problem at a row (1-based, as Excel shows it) and column (its header name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: u32,
    pub column: String,
    pub reason: Reason,
}

impl RowError {
    /// `第 3 行 金额：金额最多两位小数` / `row 3, Amount: more than two decimals`.
    pub fn message(&self, chinese: bool) -> String {
        if chinese {
            format!(
                "第 {} 行 {}：{}",
                self.row,
                self.column,
                self.reason.message(true)
            )
        } else {
            format!(
                "row {}, {}: {}",
                self.row,
                self.column,
                self.reason.message(false)
            )
        }
    }
}

/// Renders a float that holds a whole number without ".0", others in the shortest form that
/// reads back to the same double (never with an exponent).
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// A cell as trimmed text: numbers holding whole numbers read without ".0" (an order number
/// typed as a number reads as typed), dates as `yyyy-mm-dd[ hh:mm:ss]`, empty as "".
pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Text(s) => s.trim().to_string(),
        Cell::Int(n) => n.to_string(),
        Cell::Float(f) => float_text(*f),
        Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Cell::DateTime(serial) => {
            let secs = (serial * 86_400.0).round() as i64;
            let (y, m, d) = civil_from_days(secs.div_euclid(86_400) - 25_569);
            let s = secs.rem_euclid(86_400);
            if s == 0 {
                format!("{y:04}-{m:02}-{d:02}")
            } else {
                format!(
                    "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
                    s / 3600,
                    s / 60 % 60,
                    s % 60
                )
            }
        }
        Cell::Error(e) => e.clone(),
    }
}

/// An identifier (order, reference or batch number): required, trimmed text. A number is taken
/// only while Excel kept every digit (at most 15) and it has no fraction.
pub fn cell_id(cell: &Cell) -> Result<String, Reason> {
    let s = match cell {
        Cell::Int(n) if n.unsigned_abs() >= 1_000_000_000_000_000 => {
            return Err(Reason::DigitsLost)
        }
        Cell::Float(f) if f.fract() != 0.0 => return Err(Reason::NotAnIdentifier),
        Cell::Float(f) if f.abs() >= 1e15 => return Err(Reason::DigitsLost),
        c => cell_text(c),
    };
    if s.is_empty() {
        Err(Reason::Required)
    } else {
        Ok(s)
    }
}

/// Optional text: trimmed, `None` when blank.
pub fn cell_opt_text(cell: &Cell) -> Option<String> {
    let s = cell_text(cell);
    (!s.is_empty()).then_some(s)
}

fn amount_reason(e: AmountError) -> Reason {
    match e {
        AmountError::Empty => Reason::Required,
        AmountError::NotANumber => Reason::NotANumber,
        AmountError::TooManyDecimals => Reason::TooManyDecimals,
        AmountError::NotPositive => Reason::NotPositive,
        AmountError::TooLarge => Reason::TooLarge,
    }
}

/// An amount in yuan to fen: exact, above zero, at most two decimals. A number cell is taken at
/// the exact decimal its double reads back as (shortest round-trip form), so `12.34` is 1234 fen
/// and `1.005` is refused rather than rounded.
pub fn cell_money(cell: &Cell) -> Result<i64, Reason> {
    let text = match cell {
        Cell::Empty => return Err(Reason::Required),
        Cell::Text(s) => s.trim().to_string(),
        Cell::Int(n) => n.to_string(),
        Cell::Float(f) if !f.is_finite() => return Err(Reason::NotANumber),
        // Rust prints the shortest decimal that reads back to the same double, without exponent.
        Cell::Float(f) => format!("{f}"),
        Cell::Bool(_) | Cell::DateTime(_) | Cell::Error(_) => return Err(Reason::NotANumber),
    };
    parse_amount(&text).map_err(amount_reason)
}

fn normal_header(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '*' && *c != '＊')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A column an import expects: its name in error messages and every header accepted for it
/// (Chinese, English, old names). Headers match ignoring case, spaces and `*` marks.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub name: &'a str,
    pub accepted: &'a [&'a str],
    pub required: bool,
}

/// Finds each expected column in the header row: its 0-based index, or `None` for an optional
/// column that is absent. Every missing required column is reported at the header's row.
pub fn find_columns(
    header: &SheetRow,
    expected: &[Expected<'_>],
) -> Result<Vec<Option<usize>>, Vec<RowError>> {
    let names: Vec<String> = header
        .cells
        .iter()
        .map(|c| normal_header(&cell_text(c)))
        .collect();
    let mut found = Vec::with_capacity(expected.len());
    let mut missing = Vec::new();
    for e in expected {
        let idx = e
            .accepted
            .iter()
            .chain(std::iter::once(&e.name))
            .find_map(|a| {
                let a = normal_header(a);
                names.iter().position(|n| *n == a)
            });
        if idx.is_none() && e.required {
            missing.push(RowError {
                row: header.row_no,
                column: e.name.to_string(),
                reason: Reason::MissingColumn,
            });
        }
        found.push(idx);
    }
    if missing.is_empty() {
        Ok(found)
    } else {
        Err(missing)
    }
}

/// Reports every value seen before in the same column (within the file), each at its later row.
/// `values` are (row number, value); blank values are ignored.
pub fn duplicates_in_file<'a>(
    column: &str,
    values: impl IntoIterator<Item = (u32, &'a str)>,
) -> Vec<RowError> {
    let mut seen: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    let mut out = Vec::new();
    for (row, v) in values {
        if v.is_empty() {
            continue;
        }
        match seen.get(v) {
            Some(first) => out.push(RowError {
                row,
                column: column.to_string(),
                reason: Reason::DuplicateInFile(*first),
            }),
            None => {
                seen.insert(v, row);
            }
        }
    }
    out
}

/// A column of an import template.
#[derive(Debug, Clone, Copy)]
pub struct TemplateColumn<'a> {
    pub header: &'a str,
    /// Identifiers and free text: the column is formatted as text, so what is typed stays as
    /// typed (no lost digits or leading zeros).
    pub text: bool,
    /// The example row's value; a non-text column's example that is a number is written as one.
    pub example: &'a str,
    pub width: f64,
}

/// Writes an import template: a bold header row, one example row, text-formatted identifier
/// columns. Written to a part file and renamed, like exports.
pub fn write_template(
    path: &Path,
    sheet_title: &str,
    columns: &[TemplateColumn<'_>],
) -> Result<(), ExportError> {
    let werr = |e: rust_xlsxwriter::XlsxError| ExportError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    sheet.set_name(sheet_name(sheet_title)).map_err(werr)?;
    let header = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let text = Format::new().set_num_format("@");
    let number = Format::new().set_num_format("0.00");
    for (i, c) in columns.iter().enumerate() {
        let col = i as u16;
        sheet
            .write_string_with_format(0, col, c.header, &header)
            .map_err(werr)?;
        let width = if c.width > 0.0 {
            c.width
        } else {
            (unicode_width::UnicodeWidthStr::width(c.header).max(c.example.len()) + 4) as f64
        };
        sheet.set_column_width(col, width).map_err(werr)?;
        if c.text {
            sheet.set_column_format(col, &text).map_err(werr)?;
            sheet
                .write_string_with_format(1, col, c.example, &text)
                .map_err(werr)?;
        } else if let Ok(n) = c.example.trim().parse::<f64>() {
            sheet
                .write_number_with_format(1, col, n, &number)
                .map_err(werr)?;
        } else if !c.example.is_empty() {
            sheet.write_string(1, col, c.example).map_err(werr)?;
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(werr)?;
    let bytes = wb.save_to_buffer().map_err(werr)?;
    let part = part_path(path);
    let write = std::fs::write(&part, &bytes).and_then(|_| std::fs::rename(&part, path));
    if let Err(e) = write {
        let _ = std::fs::remove_file(&part);
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        return Err(if e.raw_os_error() == Some(28) {
            ExportError::DiskFull {
                path: path.to_path_buf(),
            }
        } else {
            ExportError::FolderNotWritable {
                dir,
                reason: e.to_string(),
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_row_numbers() {
        let rows = parse_csv("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\n3,\n");
        assert_eq!(rows.len(), 4);
        assert_eq!(
            rows[1].cells,
            vec![Cell::Text("x,1".into()), Cell::Text("say \"hi\"".into())]
        );
        assert_eq!(rows[2].row_no, 3);
        assert!(rows[2].is_blank());
        assert_eq!(rows[3].row_no, 4);
        assert_eq!(rows[3].cells, vec![Cell::Text("3".into())]);
    }

    #[test]
    fn numbers_read_as_typed() {
        assert_eq!(cell_text(&Cell::Float(202611230001.0)), "202611230001");
        assert_eq!(cell_text(&Cell::Text("  0012 ".into())), "0012");
        assert_eq!(
            cell_id(&Cell::Float(123456789012345.0)),
            Ok("123456789012345".into())
        );
        assert_eq!(
            cell_id(&Cell::Float(6225880000001234.0)),
            Err(Reason::DigitsLost)
        );
        assert_eq!(cell_id(&Cell::Float(12.5)), Err(Reason::NotAnIdentifier));
        assert_eq!(cell_id(&Cell::Empty), Err(Reason::Required));
        assert_eq!(cell_text(&Cell::DateTime(46349.5)), "2026-11-23 12:00:00");
        assert_eq!(cell_text(&Cell::DateTime(46349.0)), "2026-11-23");
    }

    #[test]
    fn money_is_exact() {
        assert_eq!(cell_money(&Cell::Float(12.34)), Ok(1234));
        assert_eq!(cell_money(&Cell::Float(0.1)), Ok(10));
        assert_eq!(cell_money(&Cell::Int(5)), Ok(500));
        assert_eq!(cell_money(&Cell::Text(" 1,234.50 ".into())), Ok(123450));
        assert_eq!(
            cell_money(&Cell::Float(1.005)),
            Err(Reason::TooManyDecimals)
        );
        assert_eq!(
            cell_money(&Cell::Float(0.1 + 0.2)),
            Err(Reason::TooManyDecimals)
        );
        assert_eq!(cell_money(&Cell::Float(0.0)), Err(Reason::NotPositive));
        assert_eq!(cell_money(&Cell::Float(-3.0)), Err(Reason::NotPositive));
        assert_eq!(
            cell_money(&Cell::Text("abc".into())),
            Err(Reason::NotANumber)
        );
        assert_eq!(cell_money(&Cell::Empty), Err(Reason::Required));
        for fen in [1i64, 7, 10, 99, 101, 12345, 999_999_999, 100_000_000_000] {
            assert_eq!(cell_money(&Cell::Float(fen as f64 / 100.0)), Ok(fen));
        }
    }

    #[test]
    fn headers_match_either_language() {
        let header = SheetRow {
            row_no: 1,
            cells: vec![Cell::Text("批次号*".into()), Cell::Text(" Amount ".into())],
        };
        let exp = [
            Expected {
                name: "批次号",
                accepted: &["Batch no."],
                required: true,
            },
            Expected {
                name: "金额",
                accepted: &["amount"],
                required: true,
            },
            Expected {
                name: "备注",
                accepted: &["Remark"],
                required: false,
            },
        ];
        assert_eq!(
            find_columns(&header, &exp),
            Ok(vec![Some(0), Some(1), None])
        );
        let exp2 = [Expected {
            name: "退货订单号",
            accepted: &["Refund order no."],
            required: true,
        }];
        let err = find_columns(&header, &exp2).unwrap_err();
        assert_eq!(err[0].column, "退货订单号");
        assert_eq!(err[0].reason, Reason::MissingColumn);
    }

    #[test]
    fn duplicates_name_the_first_row() {
        let e = duplicates_in_file("订单号", [(2, "A1"), (3, "B"), (4, "A1"), (5, "")]);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].row, 4);
        assert_eq!(e[0].reason, Reason::DuplicateInFile(2));
    }
}
