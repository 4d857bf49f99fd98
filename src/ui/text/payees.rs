//! Strings of 联系人 (payee contacts, A5).

use super::T;

// The words: assets/text/payees.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/payees.rs"));
pub const TEMPLATE_NAME: (&str, &str) = ("联系人模板.xlsx", "payee_template.xlsx");
