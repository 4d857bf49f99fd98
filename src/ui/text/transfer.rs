//! Strings of 转账 (transfers, X1–X4).

use super::T;

// The words: assets/text/transfer.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/transfer.rs"));
