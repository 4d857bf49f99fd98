//! Scripted runs: the tape language and its runner.

pub mod runner;
pub mod tape;

pub use runner::run_cli;
