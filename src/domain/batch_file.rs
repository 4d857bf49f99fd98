//! The batch refund file's vocabulary in both languages: the columns the template writes and
//! the import accepts, and why a row is refused (K §4.1.2.2).

use super::lang::{Lang, T};

// The columns of the batch refund file as the template writes them, and why a row is
// refused. The words: assets/text/refund_file.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/refund_file.rs"));

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

// The screen.
