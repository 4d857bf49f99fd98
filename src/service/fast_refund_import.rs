//! The batch fast-refund file (F3, 批量快速退货): read from .xlsx or .csv with the shared reader
//! (hidden sheets, GBK, truncated or renamed files refused there), its columns found by their
//! headers, every line checked by `fast_refund::validate_batch` counting the lines above, and
//! stored only when every line is good (`fast_refund::apply_batch`). `fast-refund-import` on
//! the command line and the batch screen both come here.

use std::path::Path;

use crate::excel::import::{
    cell_id, cell_opt_text, cell_text, find_columns, read_table_upto, Expected, ImportError,
    RowError,
};

use super::card::CardServiceError;
use super::fast_refund::{
    self as fr, BadLine, BatchCheck, BatchInput, FastRefundInput, HolderInput,
};
use super::{Env, Session};

pub const MAX_ROWS: usize = 999;

/// The template's columns (spec §2 F3), in order: 批次号 then A–L.
pub const COLUMNS: [(&str, &str, bool); 13] = [
    ("批次号", "Batch no.", true),
    (
        "原交易参考号/订单号",
        "Original reference or order no.",
        true,
    ),
    ("退货订单号", "Refund order no.", true),
    ("退货金额", "Refund amount", true),
    ("持卡人姓名", "Cardholder name", true),
    ("证件类型", "ID type", false),
    ("证件号码", "ID number", true),
    ("开户银行", "Bank", true),
    ("开卡省份", "Province", true),
    ("开卡城市", "City", true),
    ("开户支行", "Branch", true),
    ("银行卡号", "Card number", true),
    ("备注", "Remark", false),
];

/// An example value per column of [`COLUMNS`] (a real-looking line, so the clerk sees what
/// each column takes; the card number passes its check digit but belongs to no one).
const EXAMPLES: [&str; 13] = [
    "KT20261123001",
    "260000000101",
    "KT20261123000001",
    "50.00",
    "张三",
    "身份证",
    "110101199003071233",
    "工商银行",
    "上海市",
    "上海市",
    "工商银行上海分行营业部",
    "6212260000000029652",
    "",
];

/// Writes the batch fast-refund template (headers in `lang`; both languages are read back),
/// adding `.xlsx` to a path without it; returns the path written. The identifier columns are
/// text, so Excel keeps every digit of a card or ID number.
pub fn write_template(
    path: &Path,
    lang: crate::domain::lang::Lang,
) -> Result<std::path::PathBuf, crate::excel::ExportError> {
    let path = match path.extension() {
        Some(e) if e.eq_ignore_ascii_case("xlsx") => path.to_path_buf(),
        _ => {
            let mut p = path.as_os_str().to_owned();
            p.push(".xlsx");
            std::path::PathBuf::from(p)
        }
    };
    let cols: Vec<crate::excel::import::TemplateColumn> = COLUMNS
        .iter()
        .zip(EXAMPLES)
        .map(
            |((zh, en, _), example)| crate::excel::import::TemplateColumn {
                header: match lang {
                    crate::domain::lang::Lang::Zh => zh,
                    crate::domain::lang::Lang::En => en,
                },
                // Only the amount is a number.
                text: *zh != "退货金额",
                example,
                width: 0.0,
            },
        )
        .collect();
    let sheet = match lang {
        crate::domain::lang::Lang::Zh => "批量快速退货",
        crate::domain::lang::Lang::En => "Batch fast refund",
    };
    crate::excel::import::write_template(&path, sheet, &cols)?;
    Ok(path)
}

/// Why a file was not stored.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportFailure {
    /// Not readable as a table, or too many rows.
    File(ImportError),
    /// Cells that cannot be read (a missing column, a number that lost its digits).
    Cells(Vec<RowError>),
    /// Lines that break a rule (each with the row number as Excel shows it).
    Lines(Vec<BadLine>),
    /// Refused as a whole (permission, password, card, database).
    Service(CardServiceError),
}

/// Reads a file into a batch: the row numbers are the ones Excel shows.
pub fn read(path: &Path) -> Result<BatchInput, ImportFailure> {
    let table = read_table_upto(path, MAX_ROWS).map_err(ImportFailure::File)?;
    if table.rows.len() > MAX_ROWS {
        return Err(ImportFailure::File(ImportError::TooManyRows {
            max: MAX_ROWS,
            found: table.rows.len(),
        }));
    }
    let accepted: Vec<[&str; 1]> = COLUMNS.iter().map(|c| [c.1]).collect();
    let expected: Vec<Expected> = COLUMNS
        .iter()
        .zip(&accepted)
        .map(|(c, a)| Expected {
            name: c.0,
            accepted: a,
            required: c.2,
        })
        .collect();
    let cols = find_columns(&table.header, &expected).map_err(ImportFailure::Cells)?;
    let mut errors = Vec::new();
    let mut batch_no = String::new();
    let mut lines = Vec::new();
    for r in &table.rows {
        let text = |i: usize| cols[i].map(|c| cell_text(r.cell(c))).unwrap_or_default();
        let id = |i: usize, errors: &mut Vec<RowError>| match cols[i].map(|c| cell_id(r.cell(c))) {
            Some(Ok(s)) => s,
            Some(Err(reason)) => {
                errors.push(RowError {
                    row: r.row_no,
                    column: COLUMNS[i].0.to_string(),
                    reason,
                });
                String::new()
            }
            None => String::new(),
        };
        let b = id(0, &mut errors);
        if batch_no.is_empty() {
            batch_no = b;
        } else if !b.is_empty() && b != batch_no {
            errors.push(RowError {
                row: r.row_no,
                column: COLUMNS[0].0.to_string(),
                reason: crate::excel::import::Reason::Other {
                    zh: format!("批次号与上面的行不同（{batch_no}）"),
                    en: format!("batch number differs from the rows above ({batch_no})"),
                },
            });
        }
        let reference = id(1, &mut errors);
        let order_no = id(2, &mut errors);
        let card = id(11, &mut errors);
        lines.push((
            r.row_no as usize,
            reference,
            FastRefundInput {
                txn_id: 0,
                amount: text(3),
                bank: text(7),
                card_number: card,
                order_no,
                holder: HolderInput {
                    holder_name: text(4),
                    id_type: text(5),
                    id_number: text(6),
                    province: text(8),
                    city: text(9),
                    branch: text(10),
                    remark: cols[12]
                        .and_then(|c| cell_opt_text(r.cell(c)))
                        .unwrap_or_default(),
                },
            },
        ));
    }
    if !errors.is_empty() {
        return Err(ImportFailure::Cells(errors));
    }
    Ok(BatchInput { batch_no, lines })
}

/// Reads, validates whole and stores a batch file: nothing is stored unless every line is good.
pub fn import(
    env: &mut Env,
    session: &Session,
    path: &Path,
    pay_password: &str,
    pin: Option<&str>,
) -> Result<(i64, BatchCheck), ImportFailure> {
    let batch = read(path)?;
    let check =
        fr::validate_batch(env, session, &batch).map_err(|e| ImportFailure::Service(e.into()))?;
    if !check.bad.is_empty() {
        return Err(ImportFailure::Lines(check.bad));
    }
    fr::apply_batch(env, session, &batch, pay_password, pin).map_err(ImportFailure::Service)
}
