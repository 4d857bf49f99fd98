//! Strings of system management (operators, roles, terminals, groups, settings, audit log).

#[allow(unused_imports)]
use super::T;
