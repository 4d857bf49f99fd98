//! Batch refund (R7, K §4.1.2.2): the .xlsx template, and importing a filled one under the batch
//! rules of SPEC "Rules". A file with any bad row is refused whole, with every bad row and its
//! reason, and nothing of it is stored; a good file becomes one batch of refund applications in
//! one IMMEDIATE transaction, each checked by the same rules as a single application (so several
//! rows on one transaction add up, and so do the rows against the daily quota). The applications
//! then go through review like any other, or are submitted at once in direct mode.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::domain::batch_file as tr;
use crate::domain::function::Function;
use crate::domain::lang::{Lang, T};
use crate::domain::money::format_fen;
use crate::excel::export::ExportError;
use crate::excel::import::{
    cell_id, cell_money, cell_text, duplicates_in_file, find_columns, read_table_upto, Expected,
    ImportError, Reason, RowError, TemplateColumn,
};
use crate::store::{refunds, transactions};

use super::kernel::{Needs, Uc, Who};
use super::refunds::{insert_application, RefundInput};
use super::{Env, Rule, ServiceError, Session};

/// At most this many data rows in one file.
pub const MAX_ROWS: usize = 999;
/// Batch and refund order numbers: at most this many letters and digits.
pub const MAX_ID_LEN: usize = 32;
/// The remark of an application, as for a single refund.
pub const MAX_REMARK: usize = 100;

/// What a good file became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSummary {
    pub batch_id: i64,
    pub batch_no: String,
    pub file_name: String,
    pub rows: usize,
    pub total_fen: i64,
    /// The applications, in the file's row order.
    pub application_ids: Vec<i64>,
    /// How many wait for a reviewer (merchants in review mode).
    pub pending_review: usize,
    /// How many were submitted at once (merchants in direct mode).
    pub submitted: usize,
}

/// Why a file was refused. Nothing of it was stored.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchError {
    /// The operator may not, the payment password is wrong, or the database failed.
    Service(ServiceError),
    /// Not .xlsx or .csv, unreadable, or without data rows.
    File(ImportError),
    /// Every bad row with its reason (missing columns are reported at the header's row).
    Rows(Vec<RowError>),
}

impl From<ServiceError> for BatchError {
    fn from(e: ServiceError) -> Self {
        BatchError::Service(e)
    }
}

impl From<crate::store::StoreError> for BatchError {
    fn from(e: crate::store::StoreError) -> Self {
        BatchError::Service(e.into())
    }
}

impl std::fmt::Display for BatchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lines = match (self, self.file_lines(Lang::En)) {
            (_, Some(lines)) => lines,
            (BatchError::Service(e), None) => vec![e.to_string()],
            _ => Vec::new(),
        };
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{line}")?;
        }
        Ok(())
    }
}

impl std::error::Error for BatchError {}

/// A bad row in the operator's language: `第 3 行 退货金额：金额最多两位小数` /
/// `row 3, Refund amount: more than two decimals`.
pub fn row_message(e: &RowError, lang: Lang) -> String {
    let reason = e.reason.message(lang == Lang::Zh);
    let column = tr::column_name(&e.column, lang);
    match (lang, column.is_empty()) {
        (Lang::Zh, true) => format!("第 {} 行：{reason}", e.row),
        (Lang::Zh, false) => format!("第 {} 行 {column}：{reason}", e.row),
        (Lang::En, true) => format!("row {}: {reason}", e.row),
        (Lang::En, false) => format!("row {}, {column}: {reason}", e.row),
    }
}

impl BatchError {
    /// One line per problem; a refusal of the service itself is said by the caller (the ui
    /// words service errors), so it comes back as `None` here.
    pub fn file_lines(&self, lang: Lang) -> Option<Vec<String>> {
        match self {
            BatchError::Service(_) => None,
            BatchError::File(e) => Some(vec![e.message(lang == Lang::Zh)]),
            BatchError::Rows(rows) => Some(rows.iter().map(|r| row_message(r, lang)).collect()),
        }
    }
}

fn other(t: T) -> Reason {
    Reason::Other {
        zh: t.0.to_string(),
        en: t.1.to_string(),
    }
}

fn other_with(t: T, what: &str, value: &str) -> Reason {
    Reason::Other {
        zh: t.0.replace(what, value),
        en: t.1.replace(what, value),
    }
}

/// Letters and digits only, 1 to 32 of them.
fn is_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_ID_LEN && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The columns of the file: the name errors give (Chinese) and every header accepted for it.
fn expected() -> [Expected<'static>; 5] {
    [
        Expected {
            name: tr::COL_BATCH_NO.0,
            accepted: &[
                "批次号",
                "Batch no.",
                "Batch no",
                "Batch number",
                "batch_no",
            ],
            required: true,
        },
        Expected {
            name: tr::COL_ORIGINAL.0,
            accepted: &[
                "原交易参考号/订单号",
                "原交易参考号",
                "原参考号",
                "原订单号",
                "原交易订单号",
                "参考号/订单号",
                "Original reference or order no.",
                "Original reference or order number",
                "Original reference no.",
                "Original order no.",
                "Original RRN",
                "original",
            ],
            required: true,
        },
        Expected {
            name: tr::COL_REFUND_ORDER_NO.0,
            accepted: &[
                "退货订单号",
                "退款订单号",
                "商户退货订单号",
                "Refund order no.",
                "Refund order number",
                "refund_order_no",
            ],
            required: true,
        },
        Expected {
            name: tr::COL_AMOUNT.0,
            accepted: &["退货金额", "退款金额", "金额", "Refund amount", "Amount"],
            required: true,
        },
        Expected {
            name: tr::COL_REMARK.0,
            accepted: &["备注", "Remark", "Remarks", "Memo"],
            required: false,
        },
    ]
}

/// Writes the template for `lang` (headers in that language; both are accepted on import). A
/// path without the .xlsx extension gets it; returns the path written.
pub fn write_template(path: &Path, lang: Lang) -> Result<PathBuf, ExportError> {
    let path = match path.extension() {
        Some(e) if e.eq_ignore_ascii_case("xlsx") => path.to_path_buf(),
        _ => {
            let mut p = path.as_os_str().to_owned();
            p.push(".xlsx");
            PathBuf::from(p)
        }
    };
    let cols = [
        TemplateColumn {
            header: tr::COL_BATCH_NO.get(lang),
            text: true,
            example: "PT20261123001",
            width: 18.0,
        },
        TemplateColumn {
            header: tr::COL_ORIGINAL.get(lang),
            text: true,
            example: "202611230001",
            width: 32.0,
        },
        TemplateColumn {
            header: tr::COL_REFUND_ORDER_NO.get(lang),
            text: true,
            example: "TH20261123000001",
            width: 22.0,
        },
        TemplateColumn {
            header: tr::COL_AMOUNT.get(lang),
            text: false,
            example: "12.34",
            width: 14.0,
        },
        TemplateColumn {
            header: tr::COL_REMARK.get(lang),
            text: true,
            example: "",
            width: 30.0,
        },
    ];
    crate::excel::import::write_template(&path, tr::TEMPLATE_SHEET.get(lang), &cols)?;
    Ok(path)
}

/// One data row as read, each value `None` where the cell was refused.
struct Parsed {
    row: u32,
    reference: Option<String>,
    order_no: Option<String>,
    amount: Option<i64>,
    remark: String,
}

/// Imports a filled template as one batch of refund applications (see the module comment).
/// Needs the refund application function and the operator's payment password.
pub fn import(
    env: &mut Env,
    session: &Session,
    path: &Path,
    pay_password: &str,
) -> Result<BatchSummary, BatchError> {
    // A refused file is a refusal like any other: nothing stored, one audit row. Its rows and
    // reasons go back to the caller beside the kernel's answer.
    let mut refused: Option<BatchError> = None;
    let outcome = env.act(
        Who::Operator(session),
        Needs::function(&Function::RefundApply).paid(pay_password),
        "refund.batch_import",
        |uc| match import_in(uc, path) {
            Ok(summary) => Ok(summary),
            Err(BatchError::Service(e)) => Err(e),
            Err(bad) => {
                refused = Some(bad);
                Err(ServiceError::Refused(Rule::BadFile))
            }
        },
    );
    match (outcome, refused) {
        (Err(_), Some(bad)) => Err(bad),
        (outcome, _) => outcome.map_err(BatchError::Service),
    }
}

fn import_in(uc: &Uc, path: &Path) -> Result<BatchSummary, BatchError> {
    let table = read_table_upto(path, MAX_ROWS).map_err(BatchError::File)?;
    if table.rows.len() > MAX_ROWS {
        return Err(BatchError::Rows(vec![RowError {
            row: table.rows[MAX_ROWS].row_no,
            column: String::new(),
            reason: Reason::Other {
                zh: tr::R_TOO_MANY_ROWS
                    .0
                    .replace("{max}", &MAX_ROWS.to_string())
                    .replace("{found}", &table.rows.len().to_string()),
                en: tr::R_TOO_MANY_ROWS
                    .1
                    .replace("{max}", &MAX_ROWS.to_string())
                    .replace("{found}", &table.rows.len().to_string()),
            },
        }]));
    }
    let cols = find_columns(&table.header, &expected()).map_err(BatchError::Rows)?;
    let col = |i: usize| cols[i].expect("required column found");
    let (c_batch, c_ref, c_order, c_amount) = (col(0), col(1), col(2), col(3));
    let c_remark = cols[4];

    let mut errors: Vec<RowError> = Vec::new();
    let err = |errors: &mut Vec<RowError>, row: u32, column: T, reason: Reason| {
        errors.push(RowError {
            row,
            column: column.0.to_string(),
            reason,
        })
    };

    // Cell by cell.
    let mut batch_no: Option<(u32, String)> = None;
    let mut parsed = Vec::with_capacity(table.rows.len());
    for r in &table.rows {
        let row = r.row_no;
        match cell_id(r.cell(c_batch)) {
            Err(reason) => err(&mut errors, row, tr::COL_BATCH_NO, reason),
            Ok(b) if !is_id(&b) => err(&mut errors, row, tr::COL_BATCH_NO, other(tr::R_ID_FORMAT)),
            Ok(b) => match &batch_no {
                None => batch_no = Some((row, b)),
                Some((first, v)) if *v != b => err(
                    &mut errors,
                    row,
                    tr::COL_BATCH_NO,
                    other_with(tr::R_BATCH_NO_DIFFERS, "{row}", &first.to_string()),
                ),
                Some(_) => {}
            },
        }
        let reference = match cell_id(r.cell(c_ref)) {
            Err(reason) => {
                err(&mut errors, row, tr::COL_ORIGINAL, reason);
                None
            }
            Ok(s) if !is_id(&s) => {
                err(&mut errors, row, tr::COL_ORIGINAL, other(tr::R_ID_FORMAT));
                None
            }
            Ok(s) => Some(s),
        };
        let order_no = match cell_id(r.cell(c_order)) {
            Err(reason) => {
                err(&mut errors, row, tr::COL_REFUND_ORDER_NO, reason);
                None
            }
            Ok(s) if !is_id(&s) => {
                err(
                    &mut errors,
                    row,
                    tr::COL_REFUND_ORDER_NO,
                    other(tr::R_ID_FORMAT),
                );
                None
            }
            Ok(s) => Some(s),
        };
        let amount = match cell_money(r.cell(c_amount)) {
            Err(reason) => {
                err(&mut errors, row, tr::COL_AMOUNT, reason);
                None
            }
            Ok(a) => Some(a),
        };
        let remark = c_remark.map(|c| cell_text(r.cell(c))).unwrap_or_default();
        if remark.chars().count() > MAX_REMARK {
            err(
                &mut errors,
                row,
                tr::COL_REMARK,
                Reason::TooLong(MAX_REMARK),
            );
        }
        parsed.push(Parsed {
            row,
            reference,
            order_no,
            amount,
            remark,
        });
    }
    // Refund order numbers repeated in the file: the later rows are wrong.
    let dups = duplicates_in_file(
        tr::COL_REFUND_ORDER_NO.0,
        parsed
            .iter()
            .filter_map(|p| p.order_no.as_deref().map(|o| (p.row, o))),
    );
    let dup_rows: HashSet<u32> = dups.iter().map(|e| e.row).collect();
    errors.extend(dups);

    // Against the database, all in one transaction that is committed only for a good file.
    let now = uc.now_ms;
    let me = uc.operator()?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let db = uc.db();
    let tx = &db;
    if let Some((row, b)) = &batch_no {
        if refunds::batch_no_exists(tx, b)? {
            err(
                &mut errors,
                *row,
                tr::COL_BATCH_NO,
                other(tr::R_BATCH_NO_USED),
            );
        }
    }
    for p in &mut parsed {
        if let Some(o) = &p.order_no {
            if dup_rows.contains(&p.row) {
                p.order_no = None;
            } else if refunds::order_no_exists(tx, o)? {
                err(
                    &mut errors,
                    p.row,
                    tr::COL_REFUND_ORDER_NO,
                    other(tr::R_ORDER_NO_USED),
                );
                p.order_no = None;
            }
        }
    }
    let total_fen: i64 = parsed.iter().filter_map(|p| p.amount).sum();
    // The batch row is written only while the file is good so far; the rows below are checked
    // either way, so every bad row is listed at once.
    let batch_id = match &batch_no {
        Some((_, b)) if errors.is_empty() && total_fen > 0 => Some(refunds::insert_batch(
            tx,
            b,
            &file_name,
            parsed.len() as i64,
            total_fen,
            me,
            now,
        )?),
        _ => None,
    };
    let mut ids = Vec::with_capacity(parsed.len());
    for p in &parsed {
        let (Some(reference), Some(amount)) = (&p.reference, p.amount) else {
            continue;
        };
        let found = refunds::txns_by_reference(tx, reference)?;
        let txn_id = match found.as_slice() {
            [] => {
                err(&mut errors, p.row, tr::COL_ORIGINAL, other(tr::R_NOT_FOUND));
                continue;
            }
            [id] => *id,
            _ => {
                err(&mut errors, p.row, tr::COL_ORIGINAL, other(tr::R_AMBIGUOUS));
                continue;
            }
        };
        if uc
            .require_group(transactions::terminal_group_of(tx, txn_id)?)
            .is_err()
        {
            err(
                &mut errors,
                p.row,
                tr::COL_ORIGINAL,
                other(tr::R_OUT_OF_SCOPE),
            );
            continue;
        }
        let input = RefundInput {
            txn_id,
            amount: String::new(),
            remark: p.remark.clone(),
            pay_password: String::new(),
            refund_order_no: p.order_no.clone(),
        };
        match insert_application(uc, &input, amount, batch_id) {
            Ok(id) => ids.push(id),
            Err(ServiceError::Refused(Rule::NotRefundable)) => err(
                &mut errors,
                p.row,
                tr::COL_ORIGINAL,
                other(tr::R_NOT_REFUNDABLE),
            ),
            Err(ServiceError::NotFound) => {
                err(&mut errors, p.row, tr::COL_ORIGINAL, other(tr::R_NOT_FOUND))
            }
            Err(ServiceError::Refused(Rule::ExceedsRefundable(left))) => err(
                &mut errors,
                p.row,
                tr::COL_AMOUNT,
                other_with(tr::R_EXCEEDS_REFUNDABLE, "{left}", &format_fen(left)),
            ),
            Err(ServiceError::Refused(Rule::ExceedsQuota(left))) => err(
                &mut errors,
                p.row,
                tr::COL_AMOUNT,
                other_with(tr::R_EXCEEDS_QUOTA, "{left}", &format_fen(left)),
            ),
            // The database failing is not the file's fault: the whole import stops.
            Err(e @ ServiceError::Store(_)) => return Err(e.into()),
            Err(e) => {
                let msg = format!("{e}");
                err(
                    &mut errors,
                    p.row,
                    tr::COL_ORIGINAL,
                    other_with(tr::R_OTHER, "{e}", &msg),
                )
            }
        }
    }
    if !errors.is_empty() {
        // The kernel rolls back every row written above.
        errors.sort_by_key(|e| e.row);
        return Err(BatchError::Rows(errors));
    }
    let (Some(batch_id), Some((_, batch_no))) = (batch_id, batch_no) else {
        return Err(BatchError::File(ImportError::Empty));
    };
    let (pending_review, _) = refunds::batch_status_counts(tx, batch_id)?;
    let pending_review = pending_review as usize;
    uc.audit(
        "refund.batch_import",
        &format!("batch#{batch_id} {batch_no}"),
        "",
        &format!("rows={} total_fen={total_fen} file={file_name}", ids.len()),
    )?;
    Ok(BatchSummary {
        batch_id,
        batch_no,
        file_name,
        rows: ids.len(),
        total_fen,
        submitted: ids.len() - pending_review,
        pending_review,
        application_ids: ids,
    })
}
