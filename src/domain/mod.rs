//! Types and rules with no I/O.

pub mod audit;
pub mod batch_file;
pub mod function;
pub mod ids;
pub mod lang;
pub mod money;
pub mod password;
pub mod refund;
pub mod txn;
