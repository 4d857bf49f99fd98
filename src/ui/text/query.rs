//! Strings of settlement query, the complete transaction query, the monitor and exports.

use super::T;

// The words: assets/text/query.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/query.rs"));
