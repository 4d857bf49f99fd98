//! The batch refund file's vocabulary in both languages: the columns the template writes and
//! the import accepts, and why a row is refused (K §4.1.2.2).

use super::lang::{Lang, T};

// The columns of the batch refund file, as the template writes them.
pub const COL_BATCH_NO: T = T("批次号", "Batch no.");
pub const COL_ORIGINAL: T = T("原交易参考号/订单号", "Original reference or order no.");
pub const COL_REFUND_ORDER_NO: T = T("退货订单号", "Refund order no.");
pub const COL_AMOUNT: T = T("退货金额", "Refund amount");
pub const COL_REMARK: T = T("备注", "Remark");
pub const TEMPLATE_SHEET: T = T("批量退货", "Batch refund");

/// Every column of the file: its name in error messages is the Chinese one; the screen shows it
/// in the operator's language.
pub const COLUMNS: &[T] = &[
    COL_BATCH_NO,
    COL_ORIGINAL,
    COL_REFUND_ORDER_NO,
    COL_AMOUNT,
    COL_REMARK,
];

/// A column's name (as the service reports it, in Chinese) in the operator's language.
pub fn column_name(zh: &str, lang: Lang) -> String {
    COLUMNS
        .iter()
        .find(|c| c.0 == zh)
        .map(|c| c.get(lang).to_string())
        .unwrap_or_else(|| zh.to_string())
}

// Why a row of a batch file is refused.
pub const R_ID_FORMAT: T = T("最多 32 位字母或数字", "at most 32 letters or digits");
pub const R_BATCH_NO_DIFFERS: T = T(
    "与第 {row} 行的批次号不同：一个文件只能有一个批次号",
    "differs from row {row}: a file holds one batch number",
);
pub const R_BATCH_NO_USED: T = T("该批次号已导入过", "this batch number was imported before");
pub const R_ORDER_NO_USED: T = T(
    "该退货订单号已使用过",
    "this refund order number was used before",
);
pub const R_NOT_FOUND: T = T(
    "找不到该参考号或订单号的交易",
    "no transaction has this reference or order number",
);
pub const R_AMBIGUOUS: T = T(
    "该订单号对应多笔交易，请填写参考号",
    "several transactions have this order number: give the reference number",
);
pub const R_OUT_OF_SCOPE: T = T(
    "原交易不在您的终端组范围内",
    "the transaction is outside your terminal groups",
);
pub const R_NOT_REFUNDABLE: T = T(
    "只有成功的消费和预授权完成交易可以退货",
    "only successful sales and completions can be refunded",
);
pub const R_EXCEEDS_REFUNDABLE: T = T(
    "超过可退金额 {left}（已计入本文件前面各行）",
    "more than what is left to refund ({left}, counting the rows above)",
);
pub const R_EXCEEDS_QUOTA: T = T(
    "超过今日退货额度，剩余 {left}（已计入本文件前面各行）",
    "more than today's refund quota has left ({left}, counting the rows above)",
);
pub const R_TOO_MANY_ROWS: T = T(
    "超过 {max} 行上限，请分成多个文件",
    "beyond the limit of {max} rows: split the file",
);
pub const R_OTHER: T = T("无法受理：{e}", "refused: {e}");

// The screen.
