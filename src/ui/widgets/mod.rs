//! Reusable pieces of screens.

pub mod dialog;
pub mod form;
pub mod frame;
pub mod popup;
pub mod table;
