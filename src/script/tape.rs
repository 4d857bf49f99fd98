//! The tape language (a subset of VHS): one command a line, `#` for comments.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use regex::Regex;

#[derive(Debug, Clone)]
pub enum WaitScope {
    Screen,
    Line,
}

#[derive(Debug, Clone)]
pub enum Command {
    SetWidth(u16),
    SetHeight(u16),
    SetWaitTimeout(Duration),
    Type(String),
    Key {
        key: KeyEvent,
        count: u32,
    },
    Sleep(Duration),
    Wait {
        scope: WaitScope,
        pattern: Regex,
        timeout: Option<Duration>,
    },
    Screenshot(String),
    Now(String),
    /// Puts the virtual card made from this seed into the virtual reader.
    CardInsert(String),
    CardRemove,
}

#[derive(Debug, Clone)]
pub struct Line {
    pub number: usize,
    pub command: Command,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// `500ms`, `2s`, `1.5s`, `1m`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (num, unit) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1u64)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1000)
    } else if let Some(n) = s.strip_suffix('m') {
        (n, 60_000)
    } else {
        (s, 1000)
    };
    let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
    let whole: u64 = whole.parse().ok()?;
    let mut ms = whole * unit;
    if !frac.is_empty() {
        if !frac.bytes().all(|b| b.is_ascii_digit()) || frac.len() > 3 {
            return None;
        }
        let scale = 10u64.pow(frac.len() as u32);
        ms += frac.parse::<u64>().ok()? * unit / scale;
    }
    Some(Duration::from_millis(ms))
}

/// A quoted string with `\"` and `\\` escapes (VHS also allows single quotes and backticks).
fn parse_quoted(s: &str) -> Option<String> {
    let s = s.trim();
    let q = s.chars().next()?;
    if !matches!(q, '"' | '\'' | '`') || s.len() < 2 || !s.ends_with(q) {
        return None;
    }
    let inner = &s[1..s.len() - 1];
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

fn named_key(name: &str) -> Option<KeyEvent> {
    let code = match name {
        "Enter" => KeyCode::Enter,
        "Tab" => KeyCode::Tab,
        "Space" => KeyCode::Char(' '),
        "Backspace" => KeyCode::Backspace,
        "Delete" => KeyCode::Delete,
        "Escape" | "Esc" => KeyCode::Esc,
        "Up" => KeyCode::Up,
        "Down" => KeyCode::Down,
        "Left" => KeyCode::Left,
        "Right" => KeyCode::Right,
        "PageUp" => KeyCode::PageUp,
        "PageDown" => KeyCode::PageDown,
        "Home" => KeyCode::Home,
        "End" => KeyCode::End,
        "Insert" => KeyCode::Insert,
        "Shift+Tab" => return Some(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)),
        _ => {
            if let Some(n) = name.strip_prefix('F') {
                let n: u8 = n.parse().ok()?;
                if (1..=12).contains(&n) {
                    KeyCode::F(n)
                } else {
                    return None;
                }
            } else if let Some(rest) = name.strip_prefix("Ctrl+") {
                let inner = named_key(rest);
                return match (rest.chars().count(), inner) {
                    (1, _) => Some(KeyEvent::new(
                        KeyCode::Char(rest.chars().next()?.to_ascii_lowercase()),
                        KeyModifiers::CONTROL,
                    )),
                    (_, Some(k)) => {
                        Some(KeyEvent::new(k.code, k.modifiers | KeyModifiers::CONTROL))
                    }
                    _ => None,
                };
            } else if let Some(rest) = name.strip_prefix("Alt+") {
                let inner = named_key(rest);
                return match (rest.chars().count(), inner) {
                    (1, _) => Some(KeyEvent::new(
                        KeyCode::Char(rest.chars().next()?),
                        KeyModifiers::ALT,
                    )),
                    (_, Some(k)) => Some(KeyEvent::new(k.code, k.modifiers | KeyModifiers::ALT)),
                    _ => None,
                };
            } else {
                return None;
            }
        }
    };
    Some(KeyEvent::new(code, KeyModifiers::NONE))
}

/// `/regex/` → the regex.
fn parse_regex(s: &str) -> Result<Regex, String> {
    let s = s.trim();
    if s.len() < 2 || !s.starts_with('/') || !s.ends_with('/') {
        return Err(format!("expected /regex/, found {s:?}"));
    }
    Regex::new(&s[1..s.len() - 1]).map_err(|e| format!("bad regex: {e}"))
}

/// VHS settings that only style a recording; accepted and ignored.
const COSMETIC_SETTINGS: &[&str] = &[
    "Shell",
    "FontSize",
    "FontFamily",
    "LetterSpacing",
    "LineHeight",
    "Theme",
    "Padding",
    "Margin",
    "MarginFill",
    "BorderRadius",
    "WindowBar",
    "WindowBarSize",
    "Framerate",
    "PlaybackSpeed",
    "TypingSpeed",
    "LoopOffset",
    "CursorBlink",
];

pub fn parse(src: &str) -> Result<Vec<Line>, ParseError> {
    let mut out = Vec::new();
    let mut started = false;
    for (i, raw) in src.lines().enumerate() {
        let number = i + 1;
        let err = |message: String| ParseError {
            line: number,
            message,
        };
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (word, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        let command = match word {
            "Set" => {
                let (name, value) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                let value = value.trim();
                match name {
                    "Width" | "Height" => {
                        if started {
                            return Err(err(format!("Set {name} must come before other commands")));
                        }
                        let n: u16 = value
                            .parse()
                            .ok()
                            .filter(|n| (20..=500).contains(n))
                            .ok_or_else(|| {
                                err(format!("Set {name} takes 20 to 500, not {value:?}"))
                            })?;
                        if name == "Width" {
                            Command::SetWidth(n)
                        } else {
                            Command::SetHeight(n)
                        }
                    }
                    "WaitTimeout" => Command::SetWaitTimeout(
                        parse_duration(value)
                            .ok_or_else(|| err(format!("bad duration {value:?}")))?,
                    ),
                    n if COSMETIC_SETTINGS.contains(&n) => continue,
                    other => return Err(err(format!("unknown setting {other:?}"))),
                }
            }
            "Output" | "Require" | "Hide" | "Show" | "Source" => continue,
            "Type" => Command::Type(
                parse_quoted(rest)
                    .ok_or_else(|| err(format!("Type needs a quoted string, found {rest:?}")))?,
            ),
            "Sleep" => Command::Sleep(
                parse_duration(rest).ok_or_else(|| err(format!("bad duration {rest:?}")))?,
            ),
            "Screenshot" => {
                let name = rest.trim_matches('"');
                if name.is_empty() || name.contains('/') || name.contains("..") {
                    return Err(err("Screenshot needs a plain NAME".into()));
                }
                Command::Screenshot(name.to_string())
            }
            "Card" => {
                let (verb, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                match verb {
                    "insert" => Command::CardInsert(
                        parse_quoted(arg)
                            .ok_or_else(|| err("Card insert needs a quoted card name".into()))?,
                    ),
                    "remove" if arg.trim().is_empty() => Command::CardRemove,
                    _ => {
                        return Err(err(format!(
                            "Card takes insert \"NAME\" or remove, not {rest:?}"
                        )))
                    }
                }
            }
            "Now" => Command::Now(
                parse_quoted(rest).ok_or_else(|| err("Now needs a quoted time".into()))?,
            ),
            w if w == "Wait" || w.starts_with("Wait+") || w.starts_with("Wait@") => {
                let (head, timeout) = match w.split_once('@') {
                    Some((h, t)) => (
                        h,
                        Some(parse_duration(t).ok_or_else(|| err(format!("bad duration {t:?}")))?),
                    ),
                    None => (w, None),
                };
                let scope = match head {
                    "Wait" | "Wait+Screen" => WaitScope::Screen,
                    "Wait+Line" => WaitScope::Line,
                    other => return Err(err(format!("unknown command {other:?}"))),
                };
                let pattern = parse_regex(rest).map_err(err)?;
                Command::Wait {
                    scope,
                    pattern,
                    timeout,
                }
            }
            _ => {
                // A key, optionally with `@speed` (ignored) and a repeat count.
                let name = word.split('@').next().unwrap_or(word);
                let key =
                    named_key(name).ok_or_else(|| err(format!("unknown command {word:?}")))?;
                let count = if rest.is_empty() {
                    1
                } else {
                    rest.parse::<u32>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| err(format!("a key's count is a number, not {rest:?}")))?
                };
                Command::Key { key, count }
            }
        };
        if !matches!(
            command,
            Command::SetWidth(_) | Command::SetHeight(_) | Command::SetWaitTimeout(_)
        ) {
            started = true;
        }
        out.push(Line { number, command });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_spec_commands() {
        let tape = r#"
# a comment
Set Width 80
Set Height 24
Type "clerk"
Enter
Down 3
Ctrl+P
Alt+X
Shift+Tab
F5
Sleep 500ms
Sleep 2s
Wait /交易查询/
Wait+Line /clerk/
Wait+Screen@3s /x/
Screenshot home
Now "2026-11-23 10:00"
Card insert "checker-key"
Card remove
"#;
        let lines = parse(tape).unwrap();
        assert_eq!(lines.len(), 18);
        assert!(matches!(lines[0].command, Command::SetWidth(80)));
        assert!(matches!(&lines[2].command, Command::Type(s) if s == "clerk"));
        assert!(matches!(lines[4].command, Command::Key { count: 3, .. }));
        assert!(
            matches!(lines[5].command, Command::Key { key, .. } if key.modifiers == KeyModifiers::CONTROL && key.code == KeyCode::Char('p'))
        );
        assert!(matches!(lines[9].command, Command::Sleep(d) if d == Duration::from_millis(500)));
        assert!(
            matches!(lines[13].command, Command::Wait { timeout: Some(d), .. } if d == Duration::from_secs(3))
        );
        assert_eq!(lines[15].number, 18);
        assert!(matches!(&lines[16].command, Command::CardInsert(s) if s == "checker-key"));
        assert!(matches!(lines[17].command, Command::CardRemove));
        assert!(parse("Card eject").is_err());
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("Type \"a\"\nFrobnicate\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = parse("Type \"a\"\nSet Width 80\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(parse("Wait nope").unwrap_err().line, 1);
        assert_eq!(parse("Down x").unwrap_err().line, 1);
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("x"), None);
    }
}
