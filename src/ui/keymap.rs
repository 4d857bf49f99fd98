//! Keys as data: each binding names its keys, the action it triggers and the words the help
//! overlay and the key bar show, so the help can never drift from what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::text::{Lang, T};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPat {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

pub const fn key(code: KeyCode) -> KeyPat {
    KeyPat {
        code,
        mods: KeyModifiers::NONE,
    }
}
pub const fn ctrl(c: char) -> KeyPat {
    KeyPat {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}
pub const fn ch(c: char) -> KeyPat {
    key(KeyCode::Char(c))
}

impl KeyPat {
    pub fn matches(&self, k: &KeyEvent) -> bool {
        let mods = k.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        match (self.code, k.code) {
            // Shift+Tab arrives as BackTab, with or without the SHIFT flag.
            (KeyCode::BackTab, KeyCode::BackTab) => true,
            (KeyCode::Char(a), KeyCode::Char(b)) => {
                let want = self.mods & (KeyModifiers::CONTROL | KeyModifiers::ALT);
                if want.is_empty() {
                    a == b && mods.is_empty()
                } else {
                    a.eq_ignore_ascii_case(&b) && mods == want
                }
            }
            (a, b) => a == b && mods == self.mods,
        }
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => {
                if self.mods.contains(KeyModifiers::CONTROL)
                    || self.mods.contains(KeyModifiers::ALT)
                {
                    c.to_ascii_uppercase().to_string()
                } else {
                    c.to_string()
                }
            }
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift+Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            other => format!("{other:?}"),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("Ctrl+{base}")
        } else if self.mods.contains(KeyModifiers::ALT) {
            format!("Alt+{base}")
        } else {
            base
        }
    }
}

/// Keys, the action they trigger, and what the help says of them.
pub struct Binding<A: 'static> {
    pub keys: &'static [KeyPat],
    pub action: A,
    pub help: T,
}

impl<A> Binding<A> {
    pub fn label(&self) -> String {
        self.keys
            .iter()
            .map(super::action::label)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("/")
    }
}

/// The action of the first binding whose keys match.
pub fn lookup<A: Copy>(table: &[Binding<A>], k: &KeyEvent) -> Option<A> {
    table
        .iter()
        .find(|b| b.keys.iter().any(|p| p.matches(k)))
        .map(|b| b.action)
}

/// (keys, words) lines for the help overlay.
pub fn help_lines<A>(table: &[Binding<A>], lang: Lang) -> Vec<(String, String)> {
    table
        .iter()
        .map(|b| (b.label(), b.help.get(lang).to_string()))
        .collect()
}

/// What the keys every screen honours do (SPEC "Keys every screen honours").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Global {
    Palette,
    Help,
    Lock,
    Quit,
    Export,
    Refresh,
}

use KeyCode::*;

/// The global action a key means (after the user's rebinding, `action::translate`).
pub fn global(k: &KeyEvent) -> Option<Global> {
    use super::action::{in_layer, Action, Layer};
    match in_layer(Layer::Global, k)? {
        Action::Palette => Some(Global::Palette),
        Action::Help => Some(Global::Help),
        Action::Refresh => Some(Global::Refresh),
        Action::Export => Some(Global::Export),
        Action::Lock => Some(Global::Lock),
        Action::Quit => Some(Global::Quit),
        _ => None,
    }
}

/// The keys of the list layer and of the form layer, for screens' binding tables: a screen
/// names these instead of spelling Up, Down or Esc itself.
pub const UP: &[KeyPat] = &[key(Up), ch('k')];
pub const DOWN: &[KeyPat] = &[key(Down), ch('j')];
pub const BACK: &[KeyPat] = &[key(Esc)];
pub const PAGE_UP: &[KeyPat] = &[key(PageUp), ch('p')];
pub const PAGE_DOWN: &[KeyPat] = &[key(PageDown), ch('n')];
/// The keys of a shared action, for a screen's binding table: a screen binds `Action::Up`
/// (as `Act::Shared(Action::Up)`), never Up, Down or Esc of its own.
pub const fn keys(a: super::action::Action) -> &'static [KeyPat] {
    use super::action::Action as A;
    match a {
        A::Up => UP,
        A::Down => DOWN,
        A::Back => BACK,
        A::PageUp => PAGE_UP,
        A::PageDown => PAGE_DOWN,
        A::First => FIRST,
        A::Last => LAST,
        A::Open | A::Submit => ENTER,
        A::NextField => TAB,
        A::PrevField => BACKTAB,
        A::Palette => PALETTE,
        A::Help => HELP,
        A::Refresh => REFRESH,
        A::Export => EXPORT,
        A::Lock => LOCK,
        A::Quit => QUIT,
    }
}
const FIRST: &[KeyPat] = &[key(Home)];
const LAST: &[KeyPat] = &[key(End)];
const ENTER: &[KeyPat] = &[key(Enter)];
const TAB: &[KeyPat] = &[key(Tab)];
const BACKTAB: &[KeyPat] = &[key(BackTab)];
const PALETTE: &[KeyPat] = &[ctrl('p')];
const HELP: &[KeyPat] = &[key(F(1)), ch('?')];
const REFRESH: &[KeyPat] = &[key(F(5))];
const EXPORT: &[KeyPat] = &[ctrl('e')];
const LOCK: &[KeyPat] = &[ctrl('l')];
const QUIT: &[KeyPat] = &[ctrl('q')];

/// In a form, Down and Up move between fields as Tab and Shift+Tab do.
pub const NEXT_FIELD: &[KeyPat] = &[key(Tab), key(Down)];
pub const PREV_FIELD: &[KeyPat] = &[key(BackTab), key(Up)];
/// A text to scroll: down a line, or a page.
pub const SCROLL_DOWN: &[KeyPat] = &[key(Down), ch('j'), key(PageDown)];

fn any(keys: &[KeyPat], k: &KeyEvent) -> bool {
    keys.iter().any(|p| p.matches(k))
}
/// Back, close, cancel (Esc, or what keys.toml made it).
pub fn is_back(k: &KeyEvent) -> bool {
    any(BACK, k)
}
pub fn is_up(k: &KeyEvent) -> bool {
    any(UP, k)
}
pub fn is_down(k: &KeyEvent) -> bool {
    any(DOWN, k)
}
/// The arrows alone, where j and k are typed (a search prompt).
pub fn is_arrow_down(k: &KeyEvent) -> bool {
    key(Down).matches(k)
}
pub fn is_arrow_up(k: &KeyEvent) -> bool {
    key(Up).matches(k)
}
pub fn is_next_field(k: &KeyEvent) -> bool {
    any(NEXT_FIELD, k)
}
pub fn is_prev_field(k: &KeyEvent) -> bool {
    any(PREV_FIELD, k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_and_labels() {
        let k = KeyEvent::new(KeyCode::Char('p'), KeyModifiers::CONTROL);
        assert_eq!(global(&k), Some(Global::Palette));
        let q = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(global(&q), Some(Global::Help));
        let plain_p = KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE);
        assert_eq!(global(&plain_p), None);
        assert_eq!(ctrl('q').label(), "Ctrl+Q");
        assert_eq!(key(KeyCode::F(1)).label(), "F1");
    }
}
