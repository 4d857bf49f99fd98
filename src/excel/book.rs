//! A workbook of several sheets, each small enough to hold in memory (a statement: a summary
//! and one sheet per kind of movement; a reconciliation run's export). Money as the exact
//! decimal of its fen with two places; written to a part file and renamed, so a failed write
//! leaves nothing under the name.

use std::path::Path;

use rust_xlsxwriter::{Format, FormatBorder, Workbook};

use super::export::{
    excel_date, fen_to_excel, part_path, sheet_name, write_cell, CellFormat, CellValue, Formats,
    PROGRESS_EVERY, ZIP_LEVEL,
};

pub struct BookSheet<'a> {
    pub name: String,
    /// Lines above the header (one cell each).
    pub preamble: Vec<String>,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<CellValue<'a>>>,
    /// A last row in bold (the totals), if any.
    pub totals: Option<Vec<CellValue<'a>>>,
}

pub fn write_book(path: &Path, sheets: &[BookSheet]) -> Result<(), String> {
    write_book_with(path, sheets, &mut |_| true)
        .map(|_| ())
        .map_err(Option::unwrap_or_default)
}

/// The rows of every sheet (what [`write_book_with`] tells as done at the end).
pub fn book_rows(sheets: &[BookSheet]) -> u64 {
    sheets
        .iter()
        .map(|s| s.rows.len() as u64 + u64::from(s.totals.is_some()))
        .sum()
}

/// [`write_book`] telling `tick` the rows written so far (every [`PROGRESS_EVERY`] rows and at
/// each sheet's end); when `tick` answers false the write stops and no file is left, the error
/// being `Err(None)`.
pub fn write_book_with(
    path: &Path,
    sheets: &[BookSheet],
    tick: &mut dyn FnMut(u64) -> bool,
) -> Result<u64, Option<String>> {
    write_book_inner(path, sheets, tick).inspect_err(|_| {
        let _ = std::fs::remove_file(part_path(path));
    })
}

fn write_book_inner(
    path: &Path,
    sheets: &[BookSheet],
    tick: &mut dyn FnMut(u64) -> bool,
) -> Result<u64, Option<String>> {
    let mut done: u64 = 0;
    let part = part_path(path);
    let header = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let bold_money = Format::new().set_bold().set_num_format("#,##0.00");
    let bold = Format::new().set_bold();
    // The data cells as every export writes them (one format per column, zlib-rs level).
    let formats = Formats::new();
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(ZIP_LEVEL);
    // The sheets' temporary files go beside the result: the disk that must hold it.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        wb.set_tempdir(dir).map_err(|e| Some(e.to_string()))?;
    }
    for s in sheets {
        let ws = wb
            .add_worksheet_with_constant_memory()
            .map_err(|e| Some(e.to_string()))?;
        ws.set_name(sheet_name(&s.name))
            .map_err(|e| Some(e.to_string()))?;
        for (c, h) in s.headers.iter().enumerate() {
            ws.set_column_width(c as u16, (h.chars().count() as f64 * 2.2).max(12.0))
                .map_err(|e| Some(e.to_string()))?;
        }
        let mut r: u32 = 0;
        for line in &s.preamble {
            ws.write_string(r, 0, line)
                .map_err(|e| Some(e.to_string()))?;
            r += 1;
        }
        if !s.preamble.is_empty() {
            r += 1;
        }
        for (c, h) in s.headers.iter().enumerate() {
            ws.write_string_with_format(r, c as u16, h, &header)
                .map_err(|e| Some(e.to_string()))?;
        }
        r += 1;
        // Each column carries the format of its first data cell.
        let columns: Vec<Option<CellFormat>> = (0..s.headers.len())
            .map(|c| {
                s.rows
                    .iter()
                    .filter_map(|row| row.get(c))
                    .find(|v| !matches!(v, CellValue::Empty))
                    .and_then(CellFormat::of_cell)
            })
            .collect();
        for (c, cf) in columns.iter().enumerate() {
            if let Some(cf) = cf {
                ws.set_column_format(c as u16, cf.format(&formats))
                    .map_err(|e| Some(e.to_string()))?;
            }
        }
        for row in &s.rows {
            for (c, v) in row.iter().enumerate() {
                let res = match v {
                    // Not a date Excel can show: the number as it came.
                    CellValue::Date(d) if excel_date(*d).is_none() => {
                        ws.write_string(r, c as u16, d.to_string()).map(|_| ())
                    }
                    v => write_cell(
                        ws,
                        &formats,
                        columns.get(c).copied().flatten(),
                        r,
                        c as u16,
                        v,
                    ),
                };
                res.map_err(|e| Some(e.to_string()))?;
            }
            r += 1;
            done += 1;
            if done.is_multiple_of(PROGRESS_EVERY) && !tick(done) {
                return Err(None);
            }
        }
        if let Some(totals) = &s.totals {
            done += 1;
            for (c, v) in totals.iter().enumerate() {
                let c = c as u16;
                let res = match v {
                    CellValue::Empty => continue,
                    CellValue::Text(t) => ws.write_string_with_format(r, c, t.as_ref(), &bold),
                    CellValue::Money(f) => {
                        ws.write_number_with_format(r, c, fen_to_excel(*f), &bold_money)
                    }
                    v => write_cell(ws, &formats, None, r, c, v).map(|()| &mut *ws),
                };
                res.map(|_| ()).map_err(|e| Some(e.to_string()))?;
            }
        }
        if !tick(done) {
            return Err(None);
        }
    }
    if let Err(e) = wb.save(&part) {
        let _ = std::fs::remove_file(&part);
        return Err(Some(e.to_string()));
    }
    std::fs::rename(&part, path).map_err(|e| {
        let _ = std::fs::remove_file(&part);
        Some(e.to_string())
    })?;
    Ok(done)
}
