//! Strings of refunds: the batch refund file (R7) and its screen.

use super::{Lang, T};

// The words: assets/text/refund.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/refund.rs"));

pub use crate::domain::batch_file::*;

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
