//! Strings of 对账 (reconciliation against the acquirer's files, Y7).

use super::{Lang, T};
use crate::domain::recon::{Category, Resolution};

// The words: assets/text/recon.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/recon.rs"));

pub fn category(c: Category) -> T {
    match c {
        Category::Matched => CAT_MATCHED,
        Category::MissingLocal => CAT_MISSING_LOCAL,
        Category::MissingAcquirer => CAT_MISSING_ACQUIRER,
        Category::ExpectedNextDay => CAT_EXPECTED,
        Category::AmountDiff => CAT_AMOUNT,
        Category::FeeDiff => CAT_FEE,
        Category::StatusDiff => CAT_STATUS,
        Category::TypeDiff => CAT_TYPE,
        Category::DateDiff => CAT_DATE,
        Category::CardDiff => CAT_CARD,
        Category::Duplicate => CAT_DUPLICATE,
        Category::Unparseable => CAT_UNPARSEABLE,
    }
}

pub fn resolution(r: Resolution) -> T {
    match r {
        Resolution::Adjusted => RES_ADJUSTED,
        Resolution::AcceptedDifference => RES_ACCEPTED,
        Resolution::Ignored => RES_IGNORED,
        Resolution::MatchedByHand => RES_MANUAL,
        Resolution::ResolvedNextDay => RES_NEXT_DAY,
    }
}

/// A screen's keys written as one word, `key|what · key|what`, as the help's (key, what) lines
/// (each its own entry, so the key bar shows as many whole as fit).
pub fn key_lines(keys: T, lang: Lang) -> Vec<(String, String)> {
    keys.get(lang)
        .split(" · ")
        .filter_map(|part| part.split_once('|'))
        .map(|(k, w)| (k.to_string(), w.to_string()))
        .collect()
}
