//! Strings of settlement query, the complete transaction query, the monitor and exports.

#[allow(unused_imports)]
use super::T;
