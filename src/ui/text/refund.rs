//! Strings of refunds: the batch refund file (R7) and its screen.

use super::{Lang, T};

pub const SCR_BATCH_REFUND: T = T("批量退货", "Batch refund");

pub use crate::domain::batch_file::*;

pub const FIELD_FILE: T = T("导入文件", "File to import");
pub const FIELD_PAY_PASSWORD: T = T("支付密码", "Payment password");
pub const FIELD_TEMPLATE: T = T("模板保存到", "Write the template to");
pub const FILE_HINT: T = T(
    ".xlsx 或 .csv，最多 999 行",
    ".xlsx or .csv, at most 999 rows",
);
pub const KEY_IMPORT: T = T("导入", "import");
pub const KEY_TEMPLATE: T = T("写出模板", "write the template");
pub const KEY_SCROLL: T = T("滚动错误列表", "scroll the list of bad rows");
pub const TEMPLATE_WRITTEN: T = T("模板已写到 {path}", "Template written to {path}");
pub const REFUSED_TITLE: T = T(
    "文件未受理，未保存任何内容：{n} 处错误",
    "File refused, nothing was stored: {n} problems",
);
pub const FILE_REFUSED: T = T("文件未受理：{e}", "File refused: {e}");
pub const IMPORTED: T = T(
    "批次 {batch} 已导入：{n} 笔，合计 {total}",
    "Batch {batch} imported: {n} refunds, {total} in all",
);
pub const IMPORTED_REVIEW: T = T(
    "{n} 笔待审核，{m} 笔已直接提交",
    "{n} wait for review, {m} submitted at once",
);
pub const BATCH_TITLE: T = T("已创建的批次", "The batch created");
pub const ERRORS_TITLE: T = T("错误行", "Bad rows");
pub const NOTHING_YET: T = T(
    "填写文件路径和支付密码，按 Enter 导入；F2 写出模板",
    "Give the file and the payment password, then Enter; F2 writes the template",
);
pub const COL_ROW: T = T("行", "Row");
pub const COL_COLUMN: T = T("列", "Column");
pub const COL_REASON: T = T("原因", "Reason");
pub const COL_APPLICATION: T = T("申请号", "Application");
pub const COL_STATUS: T = T("状态", "Status");
pub const ST_PENDING_REVIEW: T = T("待审核", "Pending review");
pub const ST_SUBMITTED: T = T("已提交", "Submitted");

/// A refused batch in the operator's language, one line per problem.
pub fn batch_error_lines(e: &crate::service::batch_refund::BatchError, lang: Lang) -> Vec<String> {
    use crate::service::batch_refund::BatchError;
    match (e, e.file_lines(lang)) {
        (_, Some(lines)) => lines,
        (BatchError::Service(se), None) => vec![super::error(se, lang, |field| match field {
            "pay_password" => FIELD_PAY_PASSWORD.get(lang).to_string(),
            other => other.to_string(),
        })],
        _ => Vec::new(),
    }
}
