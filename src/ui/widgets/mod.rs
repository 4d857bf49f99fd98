//! Reusable pieces of screens.

pub mod form;
pub mod frame;
pub mod popup;
