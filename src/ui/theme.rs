//! Colours and styles, in one place, in three themes: colour (the default), monochrome (chosen
//! by `NO_COLOR`, or `theme = "mono"` in the config file: selection is reverse video, and lists,
//! menus, the palette and tabs mark the selected entry with `›` in every theme) and high
//! contrast (`theme = "high-contrast"`: white on black, bold, no greys).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Colour,
    Mono,
    HighContrast,
}

static CURRENT: AtomicU8 = AtomicU8::new(0);

impl Theme {
    pub fn parse(s: &str) -> Option<Theme> {
        match s.trim().to_ascii_lowercase().as_str() {
            "colour" | "color" | "default" => Some(Theme::Colour),
            "mono" | "monochrome" | "no-color" | "no_color" => Some(Theme::Mono),
            "high-contrast" | "high_contrast" | "contrast" => Some(Theme::HighContrast),
            _ => None,
        }
    }
}

/// Sets the theme every style below follows.
pub fn set(theme: Theme) {
    CURRENT.store(theme as u8, Ordering::Relaxed);
}

pub fn current() -> Theme {
    match CURRENT.load(Ordering::Relaxed) {
        1 => Theme::Mono,
        2 => Theme::HighContrast,
        _ => Theme::Colour,
    }
}

/// The configuration folder: `$MERCHANT_DESK_CONFIG` when set, else the user's config
/// directory for merchant-desk (`~/.config/merchant-desk` on Linux).
pub fn config_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("MERCHANT_DESK_CONFIG") {
        return Some(PathBuf::from(d));
    }
    directories::ProjectDirs::from("", "", "merchant-desk").map(|p| p.config_dir().to_path_buf())
}

/// The `theme = "…"` line of a config file's text, if any.
pub fn theme_in_config(text: &str) -> Option<Theme> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == "theme")
        .and_then(|(_, v)| Theme::parse(v.trim().trim_matches('"')))
}

/// The theme to use: monochrome when `NO_COLOR` is set (and not empty), else the config file's
/// `theme`, else colour.
pub fn choose(no_color: Option<&str>, config: Option<&str>) -> Theme {
    if no_color.is_some_and(|v| !v.is_empty()) {
        return Theme::Mono;
    }
    config.and_then(theme_in_config).unwrap_or(Theme::Colour)
}

/// Reads `NO_COLOR` and `config.toml` in the config folder, and sets the theme.
pub fn init_from_env() -> Theme {
    let no_color = std::env::var("NO_COLOR").ok();
    let config = config_dir().and_then(|d| std::fs::read_to_string(d.join("config.toml")).ok());
    let theme = choose(no_color.as_deref(), config.as_deref());
    set(theme);
    theme
}

/// The selection marker before a list's, menu's, palette's or tab's selected entry.
pub fn marker(selected: bool) -> &'static str {
    if selected {
        "›"
    } else {
        " "
    }
}

fn pick(colour: Style, mono: Style, contrast: Style) -> Style {
    match current() {
        Theme::Colour => colour,
        Theme::Mono => mono,
        Theme::HighContrast => contrast,
    }
}

const B: Modifier = Modifier::BOLD;
const R: Modifier = Modifier::REVERSED;

pub fn title() -> Style {
    pick(
        Style::new()
            .fg(Color::Black)
            .bg(Color::Cyan)
            .add_modifier(B),
        Style::new().add_modifier(R | B),
        Style::new()
            .fg(Color::Black)
            .bg(Color::White)
            .add_modifier(B),
    )
}
pub fn bar() -> Style {
    pick(
        Style::new().fg(Color::White).bg(Color::DarkGray),
        Style::new().add_modifier(R),
        Style::new().fg(Color::Black).bg(Color::White),
    )
}
pub fn key() -> Style {
    pick(
        Style::new().fg(Color::Yellow).add_modifier(B),
        Style::new().add_modifier(B),
        Style::new().fg(Color::Yellow).add_modifier(B),
    )
}
pub fn dim() -> Style {
    pick(
        Style::new().fg(Color::Gray),
        Style::new().add_modifier(Modifier::DIM),
        Style::new().fg(Color::White),
    )
}
pub fn label() -> Style {
    pick(
        Style::new().fg(Color::Cyan),
        Style::new(),
        Style::new().fg(Color::White).add_modifier(B),
    )
}
pub fn focused() -> Style {
    pick(
        Style::new().fg(Color::Black).bg(Color::Yellow),
        Style::new().add_modifier(R | B),
        Style::new()
            .fg(Color::Black)
            .bg(Color::Yellow)
            .add_modifier(B),
    )
}
pub fn selected() -> Style {
    pick(
        Style::new().fg(Color::Black).bg(Color::Cyan),
        Style::new().add_modifier(R),
        Style::new()
            .fg(Color::Black)
            .bg(Color::White)
            .add_modifier(B),
    )
}
pub fn error() -> Style {
    pick(
        Style::new().fg(Color::Red).add_modifier(B),
        Style::new().add_modifier(B | Modifier::UNDERLINED),
        Style::new().fg(Color::LightRed).add_modifier(B),
    )
}
pub fn ok() -> Style {
    pick(
        Style::new().fg(Color::Green),
        Style::new(),
        Style::new().fg(Color::LightGreen).add_modifier(B),
    )
}
pub fn header() -> Style {
    pick(
        Style::new().fg(Color::Cyan).add_modifier(B),
        Style::new().add_modifier(B),
        Style::new()
            .fg(Color::White)
            .add_modifier(B | Modifier::UNDERLINED),
    )
}
pub fn money_in() -> Style {
    pick(
        Style::new().fg(Color::Green),
        Style::new(),
        Style::new().fg(Color::LightGreen),
    )
}
pub fn money_out() -> Style {
    pick(
        Style::new().fg(Color::Red),
        Style::new(),
        Style::new().fg(Color::LightRed),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_color_wins_then_the_config_file() {
        assert_eq!(
            choose(Some("1"), Some("theme = \"high-contrast\"")),
            Theme::Mono
        );
        assert_eq!(choose(Some(""), None), Theme::Colour);
        assert_eq!(
            choose(None, Some("# mine\ntheme = \"high-contrast\" # bright\n")),
            Theme::HighContrast
        );
        assert_eq!(choose(None, Some("theme = mono")), Theme::Mono);
        assert_eq!(choose(None, Some("theme = \"pink\"")), Theme::Colour);
    }

    #[test]
    fn monochrome_selection_is_reverse_video() {
        set(Theme::Mono);
        assert!(selected().add_modifier.contains(Modifier::REVERSED));
        assert_eq!(selected().fg, None);
        set(Theme::Colour);
    }
}
