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
    /// A part of an .xlsx (or a .csv) that unpacks beyond the limit, in MB.
    PartTooBig { part: String, limit_mb: u64 },
    /// A row (as Excel numbers it) with data beyond the last column an import reads.
    TooWide { row: u32, max: usize },
    /// Another bound of [`limits`], in both languages.
    TooLarge { zh: String, en: String },
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
            ImportError::TooManyRows { max, .. } => {
                format!("文件超过 {max} 行数据，最多 {max} 行")
            }
            ImportError::PartTooBig { part, limit_mb } => format!(
                "文件中的 {part} 解压后超过 {limit_mb} MB，无法导入（是否为损坏或恶意文件？）"
            ),
            ImportError::TooWide { row, max } => {
                format!("第 {row} 行在第 {max} 列之后还有数据，无法导入")
            }
            ImportError::TooLarge { zh, .. } => format!("文件过大，无法导入：{zh}"),
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
            ImportError::TooManyRows { max, .. } => {
                write!(
                    f,
                    "the file has more than {max} data rows; at most {max} are allowed"
                )
            }
            ImportError::PartTooBig { part, limit_mb } => write!(
                f,
                "{part} in the file unpacks beyond {limit_mb} MB: not imported (a damaged or hostile file?)"
            ),
            ImportError::TooWide { row, max } => {
                write!(f, "row {row} holds data beyond column {max}: not imported")
            }
            ImportError::TooLarge { en, .. } => write!(f, "the file is too large to import: {en}"),
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

/// Bounds of what an import reads, whatever the file holds, so that memory stays well under
/// 100 MB for any input (a zip bomb, a sheet a million columns wide, one huge cell).
pub mod limits {
    /// One part of an .xlsx unpacked.
    pub const PART_BYTES: u64 = 64 << 20;
    /// A whole .csv file (read whole, and decoded once more when it is GBK).
    pub const CSV_BYTES: u64 = 16 << 20;
    /// Every part of an .xlsx unpacked, together (a bound on the time the check takes).
    pub const ARCHIVE_BYTES: u64 = 256 << 20;
    /// Entries of an .xlsx.
    pub const PARTS: usize = 10_000;
    /// Strings in the shared-strings table (a 999-row file needs a few thousand).
    pub const SHARED_STRINGS: u64 = 200_000;
    /// The longest stretch of an .xlsx part's XML between two `<` (a tag and its text; Excel's
    /// own limit for a cell is 32,767 characters).
    pub const XML_RUN_BYTES: u64 = 1 << 20;
    /// Columns of a row that may hold data.
    pub const COLUMNS: usize = 256;
    /// Text kept from all the cells read.
    pub const TEXT_BYTES: usize = 8 << 20;
}

/// Reads the one visible sheet holding data of an .xlsx (see [`read_xlsx`]), or a .csv, refusing
/// other files, files without data rows and files with more than `max_rows` data rows (reading
/// stops at the row after the last allowed). Blank rows are skipped but keep numbering.
pub fn read_table(path: &Path, max_rows: usize) -> Result<Table, ImportError> {
    let table = read_table_upto(path, max_rows)?;
    if table.rows.len() > max_rows {
        return Err(ImportError::TooManyRows {
            max: max_rows,
            found: table.rows.len(),
        });
    }
    Ok(table)
}

/// Like [`read_table`], but a file with more than `max_rows` data rows is not refused here: the
/// table holds the first `max_rows + 1` of them (the caller names the first row too many) and
/// nothing further is read.
pub fn read_table_upto(path: &Path, max_rows: usize) -> Result<Table, ImportError> {
    read_table_upto_except(path, max_rows, &[])
}

/// Like [`read_table_upto`], but the visible sheets named in `ignored` (a template's own
/// reference sheet, such as its list of accepted banks) are not read; the one other visible
/// sheet holding data is the table. Hidden sheets are never read, whatever their name.
pub fn read_table_upto_except(
    path: &Path,
    max_rows: usize,
    ignored: &[&str],
) -> Result<Table, ImportError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    // The header, then at most one row more than allowed.
    let limit = max_rows.saturating_add(2);
    let all = match ext.as_str() {
        "xlsx" => read_xlsx(path, limit, ignored)?,
        "csv" => read_csv(path, limit)?,
        _ => return Err(ImportError::NotXlsxOrCsv(path.to_path_buf())),
    };
    let mut it = all.into_iter().filter(|r| !r.is_blank());
    let header = it.next().ok_or(ImportError::Empty)?;
    let rows: Vec<SheetRow> = it.collect();
    if rows.is_empty() {
        return Err(ImportError::Empty);
    }
    Ok(Table { header, rows })
}

/// Streams every part of an .xlsx before calamine sees it: no part may unpack beyond
/// [`limits::PART_BYTES`] (counted as it unpacks: the sizes a zip declares can lie), nor all of
/// them beyond [`limits::ARCHIVE_BYTES`]; an XML part has no stretch longer than
/// [`limits::XML_RUN_BYTES`] between two tags; the shared strings are at most
/// [`limits::SHARED_STRINGS`] (calamine reserves what the file declares). Nothing is kept.
fn check_archive(path: &Path) -> Result<(), ImportError> {
    use std::io::Read;
    let cannot = |e: String| ImportError::CannotRead(path.to_path_buf(), e);
    let file = std::fs::File::open(path).map_err(|e| cannot(e.to_string()))?;
    let mut zip =
        zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| cannot(e.to_string()))?;
    if zip.len() > limits::PARTS {
        return Err(ImportError::TooLarge {
            zh: format!("文件有 {} 个部件，最多 {}", zip.len(), limits::PARTS),
            en: format!("{} parts in the file, at most {}", zip.len(), limits::PARTS),
        });
    }
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 << 10];
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| cannot(e.to_string()))?;
        let name = part.name().map_err(|e| cannot(e.to_string()))?.into_owned();
        let too_big = || ImportError::PartTooBig {
            part: name.clone(),
            limit_mb: limits::PART_BYTES >> 20,
        };
        if part.size() > limits::PART_BYTES {
            return Err(too_big());
        }
        let lower = name.to_ascii_lowercase();
        let xml = lower.ends_with(".xml") || lower.ends_with(".rels");
        let shared = lower.ends_with("sharedstrings.xml");
        let mut scan = XmlScan::default();
        let mut size = 0u64;
        loop {
            let n = part.read(&mut buf).map_err(|e| cannot(e.to_string()))?;
            if n == 0 {
                break;
            }
            size += n as u64;
            total += n as u64;
            if size > limits::PART_BYTES {
                return Err(too_big());
            }
            if total > limits::ARCHIVE_BYTES {
                return Err(ImportError::TooLarge {
                    zh: format!("文件解压后超过 {} MB", limits::ARCHIVE_BYTES >> 20),
                    en: format!("the file unpacks beyond {} MB", limits::ARCHIVE_BYTES >> 20),
                });
            }
            if xml {
                scan.feed(&buf[..n], shared)
                    .map_err(|(zh, en)| ImportError::TooLarge { zh, en })?;
            }
        }
    }
    Ok(())
}

/// What [`check_archive`] watches in an XML part, chunk by chunk.
#[derive(Default)]
struct XmlScan {
    /// Bytes since the last `<`.
    run: u64,
    /// The last bytes of the previous chunk, for a pattern cut in two.
    tail: Vec<u8>,
    /// End tags of shared strings (`</si>`, `</x:si>`) so far.
    strings: u64,
    /// The start of the part up to the end of its `<sst …>` tag (shared strings only).
    head: Vec<u8>,
    head_done: bool,
}

impl XmlScan {
    fn feed(&mut self, chunk: &[u8], shared: bool) -> Result<(), (String, String)> {
        for &b in chunk {
            if b == b'<' {
                self.run = 0;
            } else {
                self.run += 1;
                if self.run > limits::XML_RUN_BYTES {
                    return Err((
                        format!(
                            "文件中有超过 {} KB 的单个单元格或标记",
                            limits::XML_RUN_BYTES >> 10
                        ),
                        format!(
                            "the file holds a single cell or tag of more than {} KB",
                            limits::XML_RUN_BYTES >> 10
                        ),
                    ));
                }
            }
        }
        if !shared {
            return Ok(());
        }
        if !self.head_done {
            self.head
                .extend_from_slice(&chunk[..chunk.len().min(64 << 10)]);
            if let Some(declared) = declared_unique_count(&self.head) {
                self.head_done = true;
                if declared.is_some_and(|n| n > limits::SHARED_STRINGS) {
                    return Err(too_many_strings());
                }
                self.head = Vec::new();
            } else if self.head.len() >= 64 << 10 {
                return Err((
                    "共享字符串表的开头无法识别".into(),
                    "the shared strings table does not start as it should".into(),
                ));
            }
        }
        let mut window = std::mem::take(&mut self.tail);
        window.extend_from_slice(chunk);
        self.strings += window
            .windows(4)
            .filter(|w| (w[0] == b'/' || w[0] == b':') && &w[1..] == b"si>")
            .count() as u64;
        if self.strings > limits::SHARED_STRINGS {
            return Err(too_many_strings());
        }
        self.tail = window[window.len().saturating_sub(3)..].to_vec();
        Ok(())
    }
}

fn too_many_strings() -> (String, String) {
    (
        format!("共享字符串超过 {} 个", limits::SHARED_STRINGS),
        format!("more than {} shared strings", limits::SHARED_STRINGS),
    )
}

/// Once the `<sst …>` start tag is complete in `head`: `Some(its uniqueCount)` (`None` inside when
/// it has none); `None` while the tag is not complete yet.
fn declared_unique_count(head: &[u8]) -> Option<Option<u64>> {
    let start = head
        .windows(4)
        .position(|w| (w[0] == b'<' || w[0] == b':') && &w[1..] == b"sst")?;
    let end = start + head[start..].iter().position(|&b| b == b'>')?;
    let tag = &head[start..end];
    let key = b"uniqueCount=\"";
    Some(tag.windows(key.len()).position(|w| w == key).map(|i| {
        tag[i + key.len()..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .fold(0u64, |n, &b| {
                n.saturating_mul(10).saturating_add((b - b'0') as u64)
            })
    }))
}

/// The rows of the one visible worksheet that holds data. Hidden and very hidden sheets are never
/// read (the clerk cannot see them); a file where more than one visible sheet holds data is
/// refused, naming them, rather than guessing which one the clerk meant. A template has one
/// sheet, so its sheet (by name) and the active sheet are that one sheet whenever the file is
/// accepted.
fn read_xlsx(path: &Path, limit: usize, ignored: &[&str]) -> Result<Vec<SheetRow>, ImportError> {
    let cannot = |e: String| ImportError::CannotRead(path.to_path_buf(), e);
    check_archive(path)?;
    let mut wb: Xlsx<std::io::BufReader<std::fs::File>> =
        open_workbook(path).map_err(|e: calamine::XlsxError| cannot(e.to_string()))?;
    let visible: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.visible == SheetVisible::Visible && s.typ == SheetType::WorkSheet)
        .filter(|s| !ignored.contains(&s.name.as_str()))
        .map(|s| s.name.clone())
        .collect();
    let mut with_data = Vec::new();
    for name in visible {
        if !read_sheet(&mut wb, &name, 1)
            .map_err(|e| e.into_import(path))?
            .is_empty()
        {
            with_data.push(name);
        }
    }
    match with_data.len() {
        0 => Ok(Vec::new()),
        1 => read_sheet(&mut wb, &with_data[0], limit).map_err(|e| e.into_import(path)),
        _ => Err(ImportError::SeveralSheets(with_data)),
    }
}

/// Why reading a sheet stopped.
enum SheetError {
    Read(String),
    Bound(ImportError),
}

impl SheetError {
    fn into_import(self, path: &Path) -> ImportError {
        match self {
            SheetError::Read(e) => ImportError::CannotRead(path.to_path_buf(), e),
            SheetError::Bound(e) => e,
        }
    }
}

/// Counts the text kept from cells against [`limits::TEXT_BYTES`].
fn keep_text(budget: &mut usize, s: &str) -> Result<(), ImportError> {
    *budget = budget.saturating_add(s.len());
    if *budget > limits::TEXT_BYTES {
        return Err(ImportError::TooLarge {
            zh: format!("文件的文字超过 {} MB", limits::TEXT_BYTES >> 20),
            en: format!(
                "the file holds more than {} MB of text",
                limits::TEXT_BYTES >> 20
            ),
        });
    }
    Ok(())
}

/// The non-blank rows of a worksheet, in order, at most `limit` of them, cell by cell from the
/// sheet's XML (never the whole sheet as one rectangle).
fn read_sheet(
    wb: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    name: &str,
    limit: usize,
) -> Result<Vec<SheetRow>, SheetError> {
    let read = |e: calamine::XlsxError| SheetError::Read(e.to_string());
    let mut reader = wb.worksheet_cells_reader(name).map_err(read)?;
    let mut rows: std::collections::BTreeMap<u32, Vec<Cell>> = std::collections::BTreeMap::new();
    let mut text = 0usize;
    while let Some(c) = reader.next_cell().map_err(read)? {
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
        let col = col as usize;
        if col >= limits::COLUMNS {
            return Err(SheetError::Bound(ImportError::TooWide {
                row: row + 1,
                max: limits::COLUMNS,
            }));
        }
        if let Cell::Text(s) | Cell::Error(s) = &cell {
            keep_text(&mut text, s).map_err(SheetError::Bound)?;
        }
        let cells = rows.entry(row).or_default();
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

fn read_csv(path: &Path, limit: usize) -> Result<Vec<SheetRow>, ImportError> {
    use std::io::Read;
    let cannot = |e: std::io::Error| ImportError::CannotRead(path.to_path_buf(), e.to_string());
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(limits::CSV_BYTES + 1).read_to_end(&mut bytes))
        .map_err(cannot)?;
    if bytes.len() as u64 > limits::CSV_BYTES {
        return Err(ImportError::PartTooBig {
            part: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            limit_mb: limits::CSV_BYTES >> 20,
        });
    }
    let text =
        decode_csv(&bytes).ok_or_else(|| ImportError::UnknownEncoding(path.to_path_buf()))?;
    parse_csv_upto(&text, limit)
}

/// The text of a .csv: UTF-8 (with or without its BOM), else GB18030, which includes GBK (what
/// Excel's plain "CSV" writes on Chinese Windows); `None` when it is none of them. UTF-8 wins when
/// the bytes are valid in both: non-ASCII GBK text is almost never valid UTF-8.
pub fn decode_csv(bytes: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .ok()
            .map(std::borrow::Cow::Borrowed);
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
    parse_csv_upto(text, usize::MAX).unwrap_or_default()
}

/// [`parse_csv`] that stops after `limit` non-blank rows and refuses a row with data beyond
/// [`limits::COLUMNS`] (never holding more cells than that).
fn parse_csv_upto(text: &str, limit: usize) -> Result<Vec<SheetRow>, ImportError> {
    struct Acc {
        rows: Vec<SheetRow>,
        cells: Vec<Cell>,
        field: String,
        was_quoted: bool,
        row_no: u32,
        text: usize,
    }
    impl Acc {
        fn push_field(&mut self) -> Result<(), ImportError> {
            let f = std::mem::take(&mut self.field);
            let cell = if f.is_empty() && !self.was_quoted {
                Cell::Empty
            } else {
                Cell::Text(f)
            };
            self.was_quoted = false;
            if self.cells.len() >= limits::COLUMNS {
                if cell.is_blank() {
                    return Ok(());
                }
                return Err(ImportError::TooWide {
                    row: self.row_no,
                    max: limits::COLUMNS,
                });
            }
            if let Cell::Text(s) = &cell {
                keep_text(&mut self.text, s)?;
            }
            self.cells.push(cell);
            Ok(())
        }
        /// Ends a record; `true` when `limit` non-blank rows are kept.
        fn end_row(&mut self, limit: usize) -> Result<bool, ImportError> {
            self.push_field()?;
            while matches!(self.cells.last(), Some(Cell::Empty)) {
                self.cells.pop();
            }
            let row = SheetRow {
                row_no: self.row_no,
                cells: std::mem::take(&mut self.cells),
            };
            if !row.is_blank() {
                self.rows.push(row);
            }
            self.row_no += 1;
            Ok(self.rows.len() >= limit)
        }
    }
    let mut acc = Acc {
        rows: Vec::new(),
        cells: Vec::new(),
        field: String::new(),
        was_quoted: false,
        row_no: 1,
        text: 0,
    };
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    acc.field.push('"');
                } else {
                    quoted = false;
                }
            } else {
                acc.field.push(c);
            }
            continue;
        }
        match c {
            '"' if acc.field.is_empty() => {
                quoted = true;
                acc.was_quoted = true;
            }
            ',' => acc.push_field()?,
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                any = false;
                if acc.end_row(limit)? {
                    return Ok(acc.rows);
                }
            }
            c => acc.field.push(c),
        }
    }
    if any {
        acc.end_row(limit)?;
    }
    Ok(acc.rows)
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
    write_template_with(path, sheet_title, columns, None)
}

/// A second sheet of a template: its name and its rows of text (a template version, the
/// accepted values of a column). The import is told to ignore it by name.
pub struct ReferenceSheet<'a> {
    pub name: &'a str,
    pub rows: Vec<Vec<String>>,
}

/// [`write_template`] with a reference sheet after the template's sheet.
pub fn write_template_with(
    path: &Path,
    sheet_title: &str,
    columns: &[TemplateColumn<'_>],
    reference: Option<&ReferenceSheet<'_>>,
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
    if let Some(r) = reference {
        let sheet = wb.add_worksheet();
        sheet.set_name(sheet_name(r.name)).map_err(werr)?;
        for (y, row) in r.rows.iter().enumerate() {
            for (x, v) in row.iter().enumerate() {
                sheet
                    .write_string_with_format(y as u32, x as u16, v, &text)
                    .map_err(werr)?;
            }
        }
        for x in 0..r.rows.iter().map(Vec::len).max().unwrap_or(0) {
            sheet.set_column_width(x as u16, 24).map_err(werr)?;
        }
    }
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
        // The blank line 3 is skipped but keeps its number.
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[1].cells,
            vec![Cell::Text("x,1".into()), Cell::Text("say \"hi\"".into())]
        );
        assert_eq!(rows[2].row_no, 4);
        assert_eq!(rows[2].cells, vec![Cell::Text("3".into())]);
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
