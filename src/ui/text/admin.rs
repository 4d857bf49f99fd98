//! Strings of system management (operators, roles, terminals, groups, settings, audit log).

use super::T;

// The words: assets/text/admin.toml (build.rs).
include!(concat!(env!("OUT_DIR"), "/text/admin.rs"));
