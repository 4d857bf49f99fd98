//! Use cases. Each checks the operator's functions where the action is carried out, validates,
//! runs in one SQLite transaction and writes its audit row in that same transaction.

pub mod account;
pub mod admin;
pub mod audit;
pub mod audit_chain;
pub mod auth;
pub mod background;
pub mod batch_refund;
pub mod card;
pub mod check;
pub mod check_fast_refund;
mod check_review;
pub mod dates;
pub mod error;
pub mod exports;
pub mod fast_refund;
pub mod fast_refund_import;
pub mod home;
pub mod kernel;
pub mod monitor;
pub mod outcomes;
pub mod password;
pub mod payees;
pub mod payout_settings;
pub mod refunds;
pub mod review;
pub mod review_lists;
pub mod rollups;
pub mod session;
pub mod settings;
pub mod settlement;
pub mod settlement_query;
pub mod signing;
pub mod slip;
pub mod summaries;
pub mod terminals;
pub mod transfers;
pub mod txn_query;
pub mod views;

pub use error::{Problem, Rule, ServiceError, ServiceResult};
pub use session::{Env, Session};
pub mod check_recon;
pub mod recon;
pub mod recon_ignore;
pub mod statements;
