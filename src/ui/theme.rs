//! Colours and styles, in one place.

use ratatui::style::{Color, Modifier, Style};

pub fn title() -> Style {
    Style::new()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD)
}
pub fn bar() -> Style {
    Style::new().fg(Color::White).bg(Color::DarkGray)
}
pub fn key() -> Style {
    Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD)
}
pub fn dim() -> Style {
    Style::new().fg(Color::Gray)
}
pub fn label() -> Style {
    Style::new().fg(Color::Cyan)
}
pub fn focused() -> Style {
    Style::new().fg(Color::Black).bg(Color::Yellow)
}
pub fn selected() -> Style {
    Style::new().fg(Color::Black).bg(Color::Cyan)
}
pub fn error() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}
pub fn ok() -> Style {
    Style::new().fg(Color::Green)
}
pub fn header() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}
pub fn money_in() -> Style {
    Style::new().fg(Color::Green)
}
pub fn money_out() -> Style {
    Style::new().fg(Color::Red)
}
