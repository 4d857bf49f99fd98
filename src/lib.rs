//! merchant-desk: a keyboard-only back office for merchants that take card payments.
//!
//! Data flows one way: a key becomes an action (`ui::keymap`), the screen's `update` changes its
//! state or calls a `service` use case, the service checks permission and validates, then calls
//! the `store` inside one SQLite transaction; drawing only reads state.

pub mod card;
pub mod clock;
pub mod demo;
pub mod domain;
pub mod excel;
pub mod script;
pub mod service;
pub mod store;
pub mod ui;
