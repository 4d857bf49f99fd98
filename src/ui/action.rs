//! One key vocabulary for the whole application: every action a key can trigger in more than one
//! place, in layers (global → list → form; screens add their own extras on top), each with its
//! default keys and the words the help shows. A user `keys.toml` in the config folder may rebind
//! actions (`export = "Ctrl+X"`, `back = ["Esc", "Ctrl+G"]`); a key already bound to another
//! action of a layer that is active at the same time is refused with a message naming both.
//!
//! Rebinding works by translation: a key event the user bound to an action is turned into that
//! action's first default key before anything reads it, and an action's default keys the user
//! replaced read as nothing, so every screen follows the user's keys without knowing of them;
//! `label` shows the user's key wherever the help or the key bar names a default one.

use std::sync::RwLock;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::keymap::{ch, ctrl, key, KeyPat};
use super::text::{t, Lang, T};

/// Where a binding applies: global keys work on every screen; list keys where a list has the
/// focus; form keys in a form. Two layers can be active at once except list and form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    Global,
    List,
    Form,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    // Global
    Palette,
    Help,
    Refresh,
    Export,
    Lock,
    Quit,
    Back,
    // List
    Up,
    Down,
    PageUp,
    PageDown,
    First,
    Last,
    Open,
    // Form
    NextField,
    PrevField,
    Submit,
}

/// Every action, its layer, its name in `keys.toml`, its default keys and its words.
pub const ACTIONS: &[(Action, Layer, &str, &[KeyPat], T)] = &[
    (
        Action::Palette,
        Layer::Global,
        "palette",
        &[ctrl('p')],
        t::KEY_PALETTE,
    ),
    (
        Action::Help,
        Layer::Global,
        "help",
        &[key(KeyCode::F(1)), ch('?')],
        t::KEY_HELP,
    ),
    (
        Action::Refresh,
        Layer::Global,
        "refresh",
        &[key(KeyCode::F(5))],
        t::KEY_REFRESH,
    ),
    (
        Action::Export,
        Layer::Global,
        "export",
        &[ctrl('e')],
        t::KEY_EXPORT,
    ),
    (
        Action::Lock,
        Layer::Global,
        "lock",
        &[ctrl('l')],
        t::KEY_LOCK,
    ),
    (
        Action::Quit,
        Layer::Global,
        "quit",
        &[ctrl('q')],
        t::KEY_QUIT,
    ),
    (
        Action::Back,
        Layer::Global,
        "back",
        &[key(KeyCode::Esc)],
        t::KEY_BACK,
    ),
    (
        Action::Up,
        Layer::List,
        "up",
        &[key(KeyCode::Up), ch('k')],
        t::KEY_MOVE,
    ),
    (
        Action::Down,
        Layer::List,
        "down",
        &[key(KeyCode::Down), ch('j')],
        t::KEY_MOVE,
    ),
    (
        Action::PageUp,
        Layer::List,
        "page_up",
        &[key(KeyCode::PageUp), ch('p')],
        t::KEY_PREV_PAGE,
    ),
    (
        Action::PageDown,
        Layer::List,
        "page_down",
        &[key(KeyCode::PageDown), ch('n')],
        t::KEY_NEXT_PAGE,
    ),
    (
        Action::First,
        Layer::List,
        "first",
        &[key(KeyCode::Home)],
        t::KEY_FIRST_PAGE,
    ),
    (
        Action::Last,
        Layer::List,
        "last",
        &[key(KeyCode::End)],
        t::KEY_LAST_PAGE,
    ),
    (
        Action::Open,
        Layer::List,
        "open",
        &[key(KeyCode::Enter)],
        t::KEY_DETAIL,
    ),
    (
        Action::NextField,
        Layer::Form,
        "next_field",
        &[key(KeyCode::Tab)],
        t::KEY_NEXT_FIELD,
    ),
    (
        Action::PrevField,
        Layer::Form,
        "prev_field",
        &[key(KeyCode::BackTab)],
        t::KEY_PREV_FIELD,
    ),
    (
        Action::Submit,
        Layer::Form,
        "submit",
        &[key(KeyCode::Enter)],
        t::KEY_RUN_QUERY,
    ),
];

fn entry(a: Action) -> &'static (Action, Layer, &'static str, &'static [KeyPat], T) {
    ACTIONS
        .iter()
        .find(|e| e.0 == a)
        .expect("every action is listed")
}

impl Action {
    pub fn name(self) -> &'static str {
        entry(self).2
    }
    pub fn layer(self) -> Layer {
        entry(self).1
    }
    pub fn defaults(self) -> &'static [KeyPat] {
        entry(self).3
    }
    pub fn help(self) -> T {
        entry(self).4
    }
    pub fn by_name(name: &str) -> Option<Action> {
        ACTIONS.iter().find(|e| e.2 == name).map(|e| e.0)
    }
}

/// The user's rebindings: action and its keys, in place of the defaults.
static USER: RwLock<Vec<(Action, Vec<KeyPat>)>> = RwLock::new(Vec::new());

/// The keys of an action now: the user's, else the defaults.
pub fn keys_of(a: Action) -> Vec<KeyPat> {
    let user = USER.read().unwrap_or_else(|e| e.into_inner());
    match user.iter().find(|(u, _)| *u == a) {
        Some((_, keys)) => keys.clone(),
        None => a.defaults().to_vec(),
    }
}

/// The action the (translated) key means in `layer`, by the default keys.
pub fn in_layer(layer: Layer, k: &KeyEvent) -> Option<Action> {
    ACTIONS
        .iter()
        .find(|e| e.1 == layer && e.3.iter().any(|p| p.matches(k)))
        .map(|e| e.0)
}

/// Whether the (translated) key is `a`.
pub fn is(k: &KeyEvent, a: Action) -> bool {
    a.defaults().iter().any(|p| p.matches(k))
}

/// Turns a key the user bound to an action into that action's first default key; a default key
/// the user took away from its action reads as nothing (`KeyCode::Null`).
pub fn translate(k: KeyEvent) -> KeyEvent {
    let user = USER.read().unwrap_or_else(|e| e.into_inner());
    if user.is_empty() {
        return k;
    }
    for (a, keys) in user.iter() {
        if keys.iter().any(|p| p.matches(&k)) {
            let d = a.defaults()[0];
            return KeyEvent::new(d.code, d.mods);
        }
    }
    for (a, _) in user.iter() {
        if a.defaults().iter().any(|p| p.matches(&k)) {
            return KeyEvent::new(KeyCode::Null, KeyModifiers::NONE);
        }
    }
    k
}

/// The label of a default key as the user now reaches it.
pub fn label(p: &KeyPat) -> String {
    let user = USER.read().unwrap_or_else(|e| e.into_inner());
    for (a, keys) in user.iter() {
        if a.defaults().first() == Some(p) {
            return keys.iter().map(KeyPat::label).collect::<Vec<_>>().join("/");
        }
        if a.defaults().contains(p) {
            return String::new();
        }
    }
    p.label()
}

/// A key as `keys.toml` writes it: `Ctrl+E`, `F9`, `Esc`, `Enter`, `Tab`, `Shift+Tab`, `Up`,
/// `PgDn`, `Home`, a single character.
pub fn parse_key(s: &str) -> Option<KeyPat> {
    let s = s.trim();
    let (mods, rest) = if let Some(r) = s.strip_prefix("Ctrl+") {
        (KeyModifiers::CONTROL, r)
    } else if let Some(r) = s.strip_prefix("Alt+") {
        (KeyModifiers::ALT, r)
    } else {
        (KeyModifiers::NONE, s)
    };
    let code = match rest {
        "Esc" | "Escape" => KeyCode::Esc,
        "Enter" => KeyCode::Enter,
        "Tab" => KeyCode::Tab,
        "Shift+Tab" | "BackTab" => KeyCode::BackTab,
        "Up" | "↑" => KeyCode::Up,
        "Down" | "↓" => KeyCode::Down,
        "Left" | "←" => KeyCode::Left,
        "Right" | "→" => KeyCode::Right,
        "PgUp" | "PageUp" => KeyCode::PageUp,
        "PgDn" | "PageDown" => KeyCode::PageDown,
        "Home" => KeyCode::Home,
        "End" => KeyCode::End,
        "Space" => KeyCode::Char(' '),
        "Backspace" => KeyCode::Backspace,
        "Del" | "Delete" => KeyCode::Delete,
        f if f.len() >= 2 && f.starts_with('F') && f[1..].parse::<u8>().is_ok() => {
            KeyCode::F(f[1..].parse().ok()?)
        }
        c if c.chars().count() == 1 => {
            let c = c.chars().next()?;
            KeyCode::Char(if mods.is_empty() {
                c
            } else {
                c.to_ascii_lowercase()
            })
        }
        _ => return None,
    };
    Some(KeyPat { code, mods })
}

/// Why a `keys.toml` was refused.
pub fn refusal(lang: Lang, line: usize, what: &str) -> String {
    match lang {
        Lang::Zh => format!("keys.toml 第 {line} 行：{what}；未采用任何改键"),
        Lang::En => format!("keys.toml line {line}: {what}; no key was rebound"),
    }
}

fn layers_meet(a: Layer, b: Layer) -> bool {
    a == b || a == Layer::Global || b == Layer::Global
}

/// Reads a `keys.toml` text: `action = "Key"` or `action = ["Key", "Key"]`, optionally under
/// `[keys]`; `#` starts a comment. All or nothing: the first problem refuses the whole file.
pub fn parse_keys_toml(text: &str, lang: Lang) -> Result<Vec<(Action, Vec<KeyPat>)>, String> {
    let mut out: Vec<(Action, Vec<KeyPat>)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() || line == "[keys]" {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            return Err(refusal(lang, n, &format!("{line:?}?")));
        };
        let name = name.trim();
        let Some(action) = Action::by_name(name) else {
            let names: Vec<&str> = ACTIONS.iter().map(|e| e.2).collect();
            return Err(refusal(
                lang,
                n,
                &match lang {
                    Lang::Zh => format!("没有名为 {name} 的操作（可用：{}）", names.join(", ")),
                    Lang::En => format!("no action {name} (there are: {})", names.join(", ")),
                },
            ));
        };
        let value = value.trim().trim_start_matches('[').trim_end_matches(']');
        let mut keys = Vec::new();
        for part in value.split(',') {
            let part = part.trim().trim_matches('"');
            if part.is_empty() {
                continue;
            }
            let Some(k) = parse_key(part) else {
                return Err(refusal(
                    lang,
                    n,
                    &match lang {
                        Lang::Zh => format!("看不懂键 {part:?}"),
                        Lang::En => format!("{part:?} is not a key"),
                    },
                ));
            };
            keys.push(k);
        }
        if keys.is_empty() {
            return Err(refusal(lang, n, &format!("{name} = ?")));
        }
        out.retain(|(a, _)| *a != action);
        out.push((action, keys));
    }
    // Conflicts: a key of one action that another action of a layer active at the same time
    // has (after the rebinding).
    for (a, keys) in &out {
        for k in keys {
            for e in ACTIONS {
                if e.0 == *a || !layers_meet(a.layer(), e.1) {
                    continue;
                }
                let theirs = out
                    .iter()
                    .find(|(b, _)| *b == e.0)
                    .map_or_else(|| e.3.to_vec(), |(_, ks)| ks.clone());
                // Enter opens in a list and submits in a form: the same key on purpose.
                if theirs.contains(k) {
                    let line = text
                        .lines()
                        .position(|l| l.trim_start().starts_with(a.name()))
                        .map_or(0, |p| p + 1);
                    return Err(refusal(
                        lang,
                        line,
                        &match lang {
                            Lang::Zh => {
                                format!("{} 已是 {} 的键，不能再给 {}", k.label(), e.2, a.name())
                            }
                            Lang::En => format!(
                                "{} is already the key of {}, it cannot be {}'s too",
                                k.label(),
                                e.2,
                                a.name()
                            ),
                        },
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// Sets the user's rebindings (empty: the defaults).
pub fn set_user(bindings: Vec<(Action, Vec<KeyPat>)>) {
    *USER.write().unwrap_or_else(|e| e.into_inner()) = bindings;
}

/// Reads `keys.toml` from the config folder, if there is one, and applies it.
pub fn init_from_config(lang: Lang) -> Result<(), String> {
    let Some(dir) = super::theme::config_dir() else {
        return Ok(());
    };
    let Ok(text) = std::fs::read_to_string(dir.join("keys.toml")) else {
        return Ok(());
    };
    set_user(parse_keys_toml(&text, lang)?);
    Ok(())
}

/// The help's lines of one layer: keys and words, one line per meaning.
pub fn help_lines(layer: Layer, lang: Lang) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    for e in ACTIONS.iter().filter(|e| e.1 == layer) {
        let label =
            e.3.iter()
                .map(label)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("/");
        let words = e.4.get(lang).to_string();
        match v.iter_mut().find(|(_, w)| *w == words) {
            Some((k, _)) => {
                k.push('/');
                k.push_str(&label);
            }
            None => v.push((label, words)),
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(code: KeyCode, mods: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, mods)
    }

    #[test]
    fn keys_toml_rebinds_and_refuses_conflicts() {
        let ok = parse_keys_toml(
            "[keys]\nexport = \"Ctrl+X\"  # mine\nback = [\"Esc\", \"Ctrl+G\"]\n",
            Lang::En,
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        let err = parse_keys_toml("export = \"F5\"", Lang::En).unwrap_err();
        assert!(err.contains("F5 is already the key of refresh"), "{err}");
        let err = parse_keys_toml("up = \"j\"", Lang::Zh).unwrap_err();
        assert!(err.contains("j 已是 down 的键"), "{err}");
        assert!(parse_keys_toml("fly = \"F9\"", Lang::En)
            .unwrap_err()
            .contains("no action fly"));
        assert!(parse_keys_toml("help = \"Hyper+Q\"", Lang::En).is_err());
        // List and form keys never meet: Tab may move in a list when it is a form's key.
        assert!(parse_keys_toml("down = \"Tab\"", Lang::En).is_ok());
    }

    #[test]
    fn a_rebound_key_reads_as_the_action_and_the_old_one_as_nothing() {
        set_user(parse_keys_toml("export = \"Ctrl+X\"", Lang::En).unwrap());
        let x = translate(ev(KeyCode::Char('x'), KeyModifiers::CONTROL));
        assert!(is(&x, Action::Export));
        let e = translate(ev(KeyCode::Char('e'), KeyModifiers::CONTROL));
        assert_eq!(e.code, KeyCode::Null);
        assert_eq!(label(&ctrl('e')), "Ctrl+X");
        set_user(Vec::new());
        assert_eq!(label(&ctrl('e')), "Ctrl+E");
    }
}
