//! Reading an acquirer's file (spec §7.1–7.2): the bytes and their SHA-256, the text in the
//! encoding it is in (UTF-8, else GBK/GB18030; a file mostly UTF-8 with a few rows in GBK keeps
//! those rows with replacement characters, so they become unreadable-row exceptions), and the
//! records: delimited lines split into cells (the raw line kept), fixed-width lines as they are,
//! or a sheet's rows. What the records mean is the format profile's business (domain::recon).

use std::path::Path;

use sha2::{Digest, Sha256};

use super::import::{cell_text, parse_csv, read_table_upto, Cell};
use crate::domain::recon::profile::Encoding;

/// The largest acquirer file read (a big day is about 27,000 rows).
pub const MAX_ROWS: usize = 500_000;
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;

/// One record of the file: its line (or sheet row) number, its cells, and the raw line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: u32,
    pub cells: Vec<String>,
    pub raw: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Delimited text or a sheet: records with cells.
    Table(Vec<Record>),
    /// Text lines without a delimiter (fixed width): each record has one cell, the line.
    Lines(Vec<Record>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquirerFile {
    pub name: String,
    pub size: u64,
    pub sha256: String,
    /// What the text was read as (`None` for a sheet).
    pub encoding: Option<Encoding>,
    pub content: Content,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    CannotRead(String),
    TooLarge(u64),
    Empty,
    /// Neither UTF-8 nor GBK/GB18030.
    UnknownEncoding,
    /// Not .csv, .txt or .xlsx.
    UnknownKind(String),
    /// The sheet could not be read (truncated, damaged, hidden sheets...).
    Sheet(String),
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Decodes the text: all UTF-8, or all GB18030 (GBK is part of it) when no line is UTF-8 with
/// Chinese in it; a mixture keeps the UTF-8 reading, with the foreign lines garbled.
pub fn decode(bytes: &[u8]) -> Result<(String, Encoding), FileError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(body) {
        return Ok((s.to_string(), Encoding::Utf8));
    }
    let utf8_lines = body
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_ascii() && std::str::from_utf8(l).is_ok())
        .count();
    if utf8_lines == 0 {
        let gb = body.strip_prefix(b"\x84\x31\x95\x33").unwrap_or(body);
        return encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(gb)
            .map(|s| (s.into_owned(), Encoding::Gb18030))
            .ok_or(FileError::UnknownEncoding);
    }
    Ok((String::from_utf8_lossy(body).into_owned(), Encoding::Utf8))
}

fn text_records(text: &str) -> Content {
    let lines: Vec<(u32, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i as u32 + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    let first = lines
        .iter()
        .find(|(_, l)| !l.starts_with('#'))
        .map(|(_, l)| *l)
        .unwrap_or("");
    if !first.contains(',') && !first.contains('\t') {
        return Content::Lines(
            lines
                .into_iter()
                .map(|(n, l)| Record {
                    line: n,
                    cells: vec![l.to_string()],
                    raw: l.to_string(),
                })
                .collect(),
        );
    }
    let tab = !first.contains(',');
    let mut out = Vec::with_capacity(lines.len());
    for (n, l) in lines {
        let cells: Vec<String> = if tab {
            l.split('\t').map(str::to_string).collect()
        } else if l.contains('"') {
            parse_csv(l)
                .into_iter()
                .next()
                .map(|r| r.cells.iter().map(cell_text).collect())
                .unwrap_or_default()
        } else {
            l.split(',').map(str::to_string).collect()
        };
        out.push(Record {
            line: n,
            cells,
            raw: l.to_string(),
        });
    }
    Content::Table(out)
}

/// Reads an acquirer's file whole.
pub fn read(path: &Path) -> Result<AcquirerFile, FileError> {
    let meta = std::fs::metadata(path).map_err(|e| FileError::CannotRead(e.to_string()))?;
    if meta.len() > MAX_BYTES {
        return Err(FileError::TooLarge(meta.len()));
    }
    let bytes = std::fs::read(path).map_err(|e| FileError::CannotRead(e.to_string()))?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(FileError::Empty);
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let sha256 = sha256_hex(&bytes);
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let (encoding, content) = match ext.as_str() {
        "xlsx" => {
            let t =
                read_table_upto(path, MAX_ROWS).map_err(|e| FileError::Sheet(e.message(true)))?;
            let rec = |row_no: u32, cells: &[Cell]| {
                let cells: Vec<String> = cells.iter().map(cell_text).collect();
                Record {
                    line: row_no,
                    raw: cells.join(","),
                    cells,
                }
            };
            let mut v = vec![rec(t.header.row_no, &t.header.cells)];
            v.extend(t.rows.iter().map(|r| rec(r.row_no, &r.cells)));
            (None, Content::Table(v))
        }
        "csv" | "txt" | "dat" => {
            // A sheet renamed .csv or .txt is still a sheet's zip: refused as unreadable text.
            if bytes.starts_with(b"PK\x03\x04") {
                return Err(FileError::UnknownKind(ext));
            }
            let (text, enc) = decode(&bytes)?;
            (Some(enc), text_records(&text))
        }
        _ => return Err(FileError::UnknownKind(ext)),
    };
    Ok(AcquirerFile {
        name,
        size: meta.len(),
        sha256,
        encoding,
        content,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_whole_or_mixed() {
        let (gbk, _, _) = encoding_rs::GBK.encode("商户号,终端号\n1,2\n");
        assert_eq!(
            decode(&gbk).unwrap(),
            ("商户号,终端号\n1,2\n".to_string(), Encoding::Gb18030)
        );
        let mut mixed = "商户号,终端号\n".as_bytes().to_vec();
        mixed.extend_from_slice(&encoding_rs::GBK.encode("消费,2\n").0);
        let (t, e) = decode(&mixed).unwrap();
        assert_eq!(e, Encoding::Utf8);
        assert!(t.lines().nth(1).unwrap().contains('\u{FFFD}'));
    }
}
