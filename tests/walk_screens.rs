//! Walks every screen of the home menu at 80×24 and 120×36, in Chinese and English, in the
//! colour and the monochrome (NO_COLOR) theme, and checks what a person reads: no amount, id or
//! number cut (no `…` against a digit, every amount well formed), the key bar ending whole with
//! "F1 more", a selection marker in monochrome, and Home's balances and recent amounts equal to
//! the service's values.

mod common;

use common::TestDb;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use merchant_desk::domain::money::format_fen;
use merchant_desk::service::home;
use merchant_desk::ui::app::App;
use merchant_desk::ui::screens::{catalog, home::CODES};
use merchant_desk::ui::text::Lang;
use merchant_desk::ui::theme::{self, Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}

fn screen(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| app.draw(f)).unwrap();
    merchant_desk::script::runner::screen_text(t.backend().buffer())
}

/// What a person would call cut: a number or an id against an ellipsis, an amount whose
/// grouping is broken (`0,969,143.16`, `,969.00`).
fn cut_numbers(s: &str) -> Vec<String> {
    let ellipsis = regex::Regex::new(r"\d…|…\d").unwrap();
    let money = regex::Regex::new(r"[\d,]*\d\.\d{2}\b").unwrap();
    let good = regex::Regex::new(r"^(0|[1-9]\d{0,2}(,\d{3})*)\.\d{2}$").unwrap();
    let mut bad: Vec<String> = ellipsis
        .find_iter(s)
        .map(|m| m.as_str().to_string())
        .collect();
    for m in money.find_iter(s) {
        // Part of a longer dotted or timed number (a version, a time) is no amount.
        let before = s[..m.start()].chars().next_back();
        if before.is_some_and(|c| c == '.' || c == ':') {
            continue;
        }
        if !good.is_match(m.as_str()) {
            bad.push(m.as_str().to_string());
        }
    }
    bad
}

#[test]
fn every_screen_at_both_sizes_in_both_languages_and_themes() {
    let db = TestDb::demo(3, 40);
    let mut env = db.env();
    let admin = db.login(&mut env, "admin");
    let entries = catalog::allowed(&admin);
    let facts = home::facts(&env, &admin, 8).unwrap();
    let mut problems = Vec::new();
    let mut filled = 0;
    for theme_now in [Theme::Colour, Theme::Mono] {
        theme::set(theme_now);
        for lang in [Lang::Zh, Lang::En] {
            for (w, h) in [(80u16, 24u16), (120, 36)] {
                let mut app = App::new(db.env(), lang);
                typed(&mut app, "admin\ndemo1234\n");
                let home_text = screen(&app, w, h);
                if !home_text.contains('›') {
                    problems.push(format!(
                        "{w}x{h} {lang:?} {theme_now:?}: no › on Home's menu"
                    ));
                }
                // Home's money against the service's.
                for (m, balance) in &facts.merchants {
                    if let Some(fen) = balance {
                        if !home_text.contains(&format_fen(*fen)) {
                            problems.push(format!(
                                "{w}x{h} {lang:?}: balance {} of {} not on Home",
                                format_fen(*fen),
                                m.merchant_no
                            ));
                        }
                    }
                }
                let shown_recent = (h as usize).saturating_sub(14).min(facts.recent.len());
                for t in facts.recent.iter().take(shown_recent.min(3)) {
                    if !home_text.contains(&format_fen(t.amount_fen)) {
                        problems.push(format!(
                            "{w}x{h} {lang:?}: recent {} not on Home",
                            format_fen(t.amount_fen)
                        ));
                    }
                }
                for (i, e) in entries.iter().enumerate() {
                    if e.id == catalog::EntryId::Logout {
                        continue;
                    }
                    let code = CODES.chars().nth(i).unwrap();
                    // Back to Home, then the entry's key.
                    for _ in 0..4 {
                        app.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
                    }
                    typed(&mut app, &code.to_string());
                    // The query screens' yesterday shortcut fills their lists (F3 is that
                    // shortcut wherever it exists, and nothing elsewhere).
                    app.handle_key(KeyEvent::new(KeyCode::F(3), KeyModifiers::NONE));
                    let s = screen(&app, w, h);
                    if s.contains("第 1/") || s.contains("Page 1/") {
                        filled += 1;
                    }
                    let name = e.name.get(lang);
                    let at = format!("{w}x{h} {lang:?} {theme_now:?} {name}");
                    for c in cut_numbers(&s) {
                        problems.push(format!("{at}: cut {c:?}\n{s}"));
                    }
                    let bar = s.lines().last().unwrap_or("").trim_end();
                    let more = if lang == Lang::Zh {
                        "F1 更多"
                    } else {
                        "F1 more"
                    };
                    if !bar.ends_with(more) {
                        problems.push(format!("{at}: key bar not whole: {bar:?}"));
                    }
                }
            }
        }
    }
    theme::set(Theme::Colour);
    // Yesterday's transactions and settlements were on screen in each of the 8 walks.
    assert!(filled >= 16, "{filled} lists filled");
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
