//! Screens, widgets, keymap, theme and the strings of both languages. No SQL and no business
//! rules here: screens keep state, call services and draw what they hold.

pub mod action;
pub mod app;
pub mod clipboard;
pub mod keymap;
pub mod list;
pub mod query;
pub mod screens;
pub mod terminal;
pub mod text;
pub mod theme;
pub mod widgets;
