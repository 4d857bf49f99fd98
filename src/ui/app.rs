//! The application: the login, the stack of screens, the overlays (help, palette, quit, lock),
//! the global keys and the idle lock. The real terminal and the tape runner both drive this
//! same `App` with keys and ticks, and draw it on their own backend.

use std::cell::Cell;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

use crate::clock::format_ms;
use crate::service::{auth, Env, Session};

use super::action;
use super::keymap::{self, global, Global};
use super::screens::catalog::{self, Entry};
use super::screens::change_password::ChangePassword;
use super::screens::downloads::ExportRun;
use super::screens::home::Home;
use super::screens::login::{Login, LoginOutcome};
use super::screens::{Cx, Nav, Outcome, Screen, View};
use super::text::{self, t, Lang};
use super::theme;
use super::widgets::form::{Field, Form};
use super::widgets::{frame, popup};

enum Overlay {
    Help { scroll: u16 },
    Palette { form: Form, selected: usize },
    Quit,
}

pub struct App {
    pub env: Env,
    pub lang: Lang,
    session: Option<Session>,
    login: Login,
    stack: Vec<Box<dyn Screen>>,
    overlay: Option<Overlay>,
    /// The password form of the lock screen, while locked.
    lock: Option<Form>,
    message: Option<(String, bool)>,
    last_input_ms: i64,
    pub quit: bool,
    /// Where the focus was in the last frame (for the tape's `Wait+Line`).
    focus: Cell<Option<Position>>,
    /// How far the help overlay can scroll, as last drawn.
    help_max: Cell<u16>,
    /// The session's operator logged in with a bound card: its presence is watched.
    card_session: bool,
    /// Locked because the card was pulled; lifts when the bound card is back.
    card_pulled: bool,
    last_card_poll_ms: i64,
    /// The Ctrl+E export a screen started, followed until it ends.
    export: Option<ExportRun>,
}

impl App {
    pub fn new(env: Env, lang: Lang) -> App {
        let (zh, en) = crate::service::home::group_names(&env);
        let group = Some(zh).filter(|s| !s.is_empty());
        let group_en = Some(en).filter(|s| !s.is_empty());
        let group = match lang {
            Lang::En => group_en.or(group),
            Lang::Zh => group,
        }
        .unwrap_or_default();
        let now = env.now_ms();
        App {
            env,
            lang,
            session: None,
            login: Login::new(group),
            stack: Vec::new(),
            overlay: None,
            lock: None,
            message: None,
            last_input_ms: now,
            quit: false,
            focus: Cell::new(None),
            help_max: Cell::new(0),
            card_session: false,
            card_pulled: false,
            last_card_poll_ms: 0,
            export: None,
        }
    }

    pub fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    pub fn is_locked(&self) -> bool {
        self.lock.is_some() || self.card_pulled
    }

    /// The row the focus is on in the last frame drawn.
    pub fn focus_row(&self) -> Option<u16> {
        self.focus.get().map(|p| p.y)
    }

    fn editing_text(&self) -> bool {
        if self.lock.is_some() || self.overlay.is_some() {
            return true;
        }
        match (&self.session, self.stack.last()) {
            (None, _) => self.login.editing_text(),
            (Some(_), Some(s)) => s.editing_text(),
            _ => false,
        }
    }

    /// Handles one key press.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind != KeyEventKind::Press {
            return;
        }
        // The user's keys.toml: a rebound key reads as its action's default key from here on.
        let key = action::translate(key);
        self.last_input_ms = self.env.now_ms();
        if self.card_pulled {
            if global(&key) == Some(Global::Quit) {
                self.overlay = Some(Overlay::Quit);
            } else if self.overlay.is_some() {
                self.handle_overlay(&key);
            }
            return;
        }
        if self.lock.is_some() {
            self.handle_lock(&key);
            return;
        }
        if self.overlay.is_some() {
            self.handle_overlay(&key);
            return;
        }
        let global = global(&key).filter(|g| {
            // `?` types a question mark in a text field; F1 always opens the help.
            !(*g == Global::Help && matches!(key.code, KeyCode::Char(_)) && self.editing_text())
        });
        if let Some(g) = global {
            self.message = None;
            self.global(g);
            return;
        }
        self.message = None;
        // Role changes take effect at the operator's next action, and a disabled operator's
        // session ends there: the functions are read again before every key.
        if let Some(s) = self.session.as_mut() {
            match crate::service::session::refresh(&self.env, s) {
                Ok(fresh) => *s = fresh,
                Err(crate::service::ServiceError::SessionEnded) => {
                    self.logout();
                    self.message = Some((t::ERR_SESSION_ENDED.get(self.lang).into(), false));
                    return;
                }
                Err(_) => {}
            }
        }
        let Some(session) = self.session.clone() else {
            if let LoginOutcome::LoggedIn(s) = self.login.handle_key(&key, &mut self.env, self.lang)
            {
                self.start_session(s);
            }
            return;
        };
        let mut cx = Cx {
            env: &mut self.env,
            session: &session,
            lang: self.lang,
        };
        let outcome = match self.stack.last_mut() {
            Some(screen) => screen.handle_key(&key, &mut cx),
            None => Outcome::none(),
        };
        self.apply(outcome);
    }

    fn start_session(&mut self, s: Session) {
        self.login = Login::new(self.login_group_name());
        self.card_session = crate::service::card::bound_card(&self.env, s.operator_id)
            .ok()
            .flatten()
            .is_some();
        self.card_pulled = false;
        let forced = s.must_change_password;
        self.session = Some(s.clone());
        let mut cx = Cx {
            env: &mut self.env,
            session: &s,
            lang: self.lang,
        };
        self.stack = vec![Box::new(Home::new(&mut cx))];
        if forced {
            let policy = auth::policy(&self.env);
            self.stack.push(Box::new(
                ChangePassword::new(auth::Which::Login, self.lang, policy).forced(),
            ));
        }
    }

    fn login_group_name(&self) -> String {
        let (zh, en) = crate::service::home::group_names(&self.env);
        match self.lang {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    fn apply(&mut self, outcome: Outcome) {
        if let Some(m) = outcome.message {
            self.message = Some(m);
        }
        if let Some(job) = outcome.export {
            self.export = Some(ExportRun::new(*job));
        }
        match outcome.nav {
            Nav::Stay => {}
            Nav::Push(s) => self.stack.push(s),
            Nav::Replace(s) => {
                self.stack.pop();
                self.stack.push(s);
            }
            Nav::Pop => {
                if self.stack.len() > 1 {
                    self.stack.pop();
                    // The screen below may show what the popped one changed.
                    self.refresh_top_quietly();
                }
            }
            Nav::Logout => self.logout(),
        }
    }

    fn refresh_top_quietly(&mut self) {
        let Some(session) = self.session.clone() else {
            return;
        };
        if self.stack.len() == 1 {
            let mut cx = Cx {
                env: &mut self.env,
                session: &session,
                lang: self.lang,
            };
            if let Some(s) = self.stack.last_mut() {
                s.refresh(&mut cx);
            }
        }
    }

    fn logout(&mut self) {
        self.card_session = false;
        self.card_pulled = false;
        if let Some(s) = self.session.take() {
            let _ = auth::logout(&mut self.env, &s);
        }
        self.stack.clear();
        self.overlay = None;
        self.lock = None;
        self.login = Login::new(self.login_group_name());
        self.message = Some((t::LOGGED_OUT.get(self.lang).into(), true));
    }

    fn global(&mut self, g: Global) {
        match g {
            Global::Help => self.overlay = Some(Overlay::Help { scroll: 0 }),
            Global::Quit => self.overlay = Some(Overlay::Quit),
            Global::Palette => {
                if self.session.is_none() {
                    self.message = Some((t::NOT_LOGGED_IN.get(self.lang).into(), false));
                    return;
                }
                let mut form = Form::new(vec![Field::text("q", t::PALETTE_TITLE)]);
                form.fit_labels(self.lang);
                self.overlay = Some(Overlay::Palette { form, selected: 0 });
            }
            Global::Lock => {
                if self.session.is_some() {
                    self.lock_now();
                }
            }
            Global::Refresh | Global::Export => {
                let Some(session) = self.session.clone() else {
                    return;
                };
                let mut cx = Cx {
                    env: &mut self.env,
                    session: &session,
                    lang: self.lang,
                };
                let Some(screen) = self.stack.last_mut() else {
                    return;
                };
                if g == Global::Export {
                    if let Some(run) = &self.export {
                        // A second Ctrl+E while one runs cancels it.
                        run.cancel();
                        return;
                    }
                }
                let outcome = if g == Global::Refresh {
                    screen.refresh(&mut cx)
                } else {
                    screen.export(&mut cx).unwrap_or_else(|| {
                        Outcome::error(t::NOTHING_TO_EXPORT.get(self.lang).into())
                    })
                };
                self.apply(outcome);
            }
        }
    }

    fn lock_now(&mut self) {
        let mut form = Form::new(vec![Field::secret("password", t::FIELD_PASSWORD)]);
        form.fit_labels(self.lang);
        self.lock = Some(form);
        self.overlay = None;
    }

    fn handle_lock(&mut self, key: &KeyEvent) {
        let (Some(form), Some(session)) = (self.lock.as_mut(), self.session.clone()) else {
            self.lock = None;
            return;
        };
        if global(key) == Some(Global::Quit) {
            // Quitting from a locked screen ends the session first: nobody sees it unlocked.
            self.logout();
            self.overlay = Some(Overlay::Quit);
            return;
        }
        if key.code != KeyCode::Enter {
            form.input(key);
            return;
        }
        let pw = form.value("password");
        form.set_value("password", "");
        match auth::unlock(&mut self.env, &session, &pw) {
            Ok(()) => {
                self.lock = None;
                self.message = None;
            }
            Err(e) => {
                let lang = self.lang;
                let locked_out = matches!(e, crate::service::ServiceError::Locked { .. });
                let msg = text::error(&e, lang, |_| t::FIELD_PASSWORD.get(lang).into());
                if locked_out {
                    // Five wrong passwords: the session ends like any other lockout.
                    self.session = None;
                    self.stack.clear();
                    self.lock = None;
                    self.login = Login::new(self.login_group_name());
                }
                self.message = Some((msg, false));
            }
        }
    }

    fn handle_overlay(&mut self, key: &KeyEvent) {
        let Some(overlay) = self.overlay.as_mut() else {
            return;
        };
        match overlay {
            Overlay::Help { scroll } => match key.code {
                _ if keymap::is_down(key) => *scroll = (*scroll + 1).min(self.help_max.get()),
                _ if keymap::is_up(key) => *scroll = scroll.saturating_sub(1),
                KeyCode::PageDown => *scroll = (*scroll + 10).min(self.help_max.get()),
                KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                KeyCode::Home => *scroll = 0,
                KeyCode::End => *scroll = self.help_max.get(),
                _ if keymap::is_back(key) || global(key) == Some(Global::Help) => {
                    self.overlay = None
                }
                KeyCode::Enter => self.overlay = None,
                _ => {}
            },
            Overlay::Quit => match key.code {
                KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('Y') => {
                    if let Some(s) = self.session.take() {
                        let _ = auth::logout(&mut self.env, &s);
                    }
                    self.quit = true;
                    self.overlay = None;
                }
                _ if keymap::is_back(key) => self.overlay = None,
                KeyCode::Char('n') | KeyCode::Char('N') => self.overlay = None,
                _ => {}
            },
            Overlay::Palette { form, selected } => {
                let Some(session) = self.session.clone() else {
                    self.overlay = None;
                    return;
                };
                match key.code {
                    _ if keymap::is_back(key) => self.overlay = None,
                    KeyCode::Down | KeyCode::Tab => {
                        // Never past the last entry: Enter opens what is marked.
                        let n = catalog::matching(&session, &form.value("q")).len();
                        *selected = (*selected + 1).min(n.saturating_sub(1));
                    }
                    KeyCode::Up | KeyCode::BackTab => *selected = selected.saturating_sub(1),
                    KeyCode::Enter => {
                        let found = catalog::matching(&session, &form.value("q"));
                        let pick = found.get((*selected).min(found.len().saturating_sub(1)));
                        if let Some(entry) = pick {
                            let id = entry.id;
                            self.overlay = None;
                            // The palette goes from anywhere: start from home, then open.
                            self.stack.truncate(1);
                            let mut cx = Cx {
                                env: &mut self.env,
                                session: &session,
                                lang: self.lang,
                            };
                            let outcome = catalog::open(id, &mut cx);
                            self.apply(outcome);
                        }
                    }
                    _ => {
                        if form.input(key) {
                            *selected = 0;
                        }
                    }
                }
            }
        }
    }

    /// Watches the bound card of a card session (about once a second): pulled, the screen locks
    /// until the same card is back.
    fn watch_card(&mut self, session: &Session, now: i64) {
        if !self.card_session || now - self.last_card_poll_ms < 1_000 {
            return;
        }
        self.last_card_poll_ms = now;
        let present = crate::service::card::bound_card_in_reader(&self.env, session.operator_id);
        if !present && !self.card_pulled {
            self.card_pulled = true;
            self.overlay = None;
        } else if present && self.card_pulled {
            self.card_pulled = false;
            self.last_input_ms = now;
        }
    }

    /// Time passed: the idle lock, the card watch, and screens that refresh by themselves.
    pub fn tick(&mut self) {
        let now = self.env.now_ms();
        let Some(session) = self.session.clone() else {
            if let LoginOutcome::LoggedIn(s) = self.login.tick(&mut self.env, self.lang) {
                self.start_session(s);
            }
            return;
        };
        self.watch_card(&session, now);
        if self.card_pulled {
            return;
        }
        if let Some(run) = &self.export {
            let mut cx = Cx {
                env: &mut self.env,
                session: &session,
                lang: self.lang,
            };
            if let Some(done) = run.poll(&mut cx) {
                self.export = None;
                self.apply(done);
            }
        }
        if self.lock.is_none() {
            let minutes = auth::idle_lock_minutes(&self.env);
            if minutes > 0 && now - self.last_input_ms >= minutes * 60_000 {
                self.lock_now();
                return;
            }
        }
        let mut cx = Cx {
            env: &mut self.env,
            session: &session,
            lang: self.lang,
        };
        if let Some(screen) = self.stack.last_mut() {
            let outcome = screen.tick(&mut cx);
            self.apply(outcome);
        }
    }

    /// Draws everything; reads state only.
    pub fn draw(&self, f: &mut Frame) {
        let area = f.area();
        let lang = self.lang;
        let now = self.env.now_ms();
        let title = match (&self.session, self.stack.last()) {
            (Some(_), Some(s)) => format!(" {} · {}", t::APP_NAME.get(lang), s.title().get(lang)),
            _ => format!(" {}", t::APP_NAME.get(lang)),
        };
        let right = match &self.session {
            Some(s) => format!("{} │ {} ", s.login, &format_ms(now)[..16]),
            None => format!("{} ", &format_ms(now)[..16]),
        };
        let keys = self.key_bar();
        let progress = self.export.as_ref().map(|run| {
            (
                run.fraction(),
                format!("{}  {}", run.line(lang), t::EXPORT_CANCEL_HINT.get(lang)),
            )
        });
        let message = self.message.as_ref().map(|(m, ok)| (m.as_str(), *ok));
        let body = frame::draw(
            f,
            area,
            &frame::Chrome {
                // Locked, F1 opens nothing: no "F1 more".
                more: if self.lock.is_some() || self.card_pulled {
                    ""
                } else {
                    text::keys::MORE.get(lang)
                },
                left: title,
                right,
                keys: &keys,
                message,
                progress,
            },
        );
        let mut focus;
        if self.card_pulled {
            f.render_widget(Clear, body);
            let text = t::CARD_PULLED.get(lang);
            let rect = popup::centered(body, text.width() as u16 + 6, 3);
            let inner = popup::boxed(f, rect, t::LOCKED_TITLE.get(lang));
            f.render_widget(Paragraph::new(text), inner);
            focus = Some(Position::new(inner.x, inner.y));
        } else if let Some(lock) = &self.lock {
            f.render_widget(Clear, body);
            focus = self.draw_lock(f, body, lock);
        } else {
            match (&self.session, self.stack.last()) {
                (Some(s), Some(screen)) => {
                    let view = View {
                        lang,
                        now_ms: now,
                        session: s,
                    };
                    focus = screen.draw(f, body, &view);
                    if screen.editing_text() {
                        if let Some(p) = focus {
                            f.set_cursor_position(p);
                        }
                    }
                }
                _ => {
                    focus = self.login.draw(f, body, lang);
                    if let Some(p) = focus {
                        f.set_cursor_position(p);
                    }
                }
            }
        }
        match &self.overlay {
            Some(Overlay::Help { scroll }) => self.draw_help(f, area, *scroll),
            Some(Overlay::Quit) => {
                let text = t::QUIT_CONFIRM.get(lang);
                let rect = popup::centered(area, text.width() as u16 + 4, 3);
                let inner = popup::boxed(f, rect, t::KEY_QUIT.get(lang));
                f.render_widget(Paragraph::new(text), inner);
                focus = Some(Position::new(inner.x, inner.y));
            }
            Some(Overlay::Palette { form, selected }) => {
                focus = self.draw_palette(f, area, form, *selected);
                if let Some(p) = focus {
                    f.set_cursor_position(p);
                }
            }
            None => {}
        }
        self.focus.set(focus);
    }

    fn key_bar(&self) -> Vec<(String, String)> {
        let lang = self.lang;
        if self.lock.is_some() {
            return vec![("Enter".into(), t::LOCKED_TITLE.get(lang).into())];
        }
        let mut keys = match (&self.session, self.stack.last()) {
            (Some(_), Some(s)) => s.help(lang),
            _ => self.login.help(lang),
        };
        // One entry per meaning ("↑/k" and "↓/j" both move): the labels joined.
        let mut merged: Vec<(String, String)> = Vec::new();
        for (k, d) in keys.drain(..) {
            match merged.iter_mut().find(|(_, md)| *md == d) {
                Some((mk, _)) => {
                    mk.push('/');
                    mk.push_str(&k);
                }
                None => merged.push((k, d)),
            }
        }
        // The frame shows as many as fit, then "F1 more".
        merged.push(("Ctrl+Q".into(), t::KEY_QUIT.get(lang).into()));
        merged
    }

    fn draw_lock(&self, f: &mut Frame, area: Rect, form: &Form) -> Option<Position> {
        let lang = self.lang;
        let rect = popup::centered(area, 56, 7);
        let inner = popup::boxed(f, rect, t::LOCKED_TITLE.get(lang));
        let login = self.session.as_ref().map_or("", |s| s.login.as_str());
        f.render_widget(
            Paragraph::new(t::LOCKED_HINT.get(lang).replace("{login}", login)),
            Rect::new(inner.x + 1, inner.y, inner.width.saturating_sub(2), 1),
        );
        let p = form.draw(
            f,
            Rect::new(inner.x + 1, inner.y + 2, inner.width.saturating_sub(2), 1),
            lang,
            true,
        );
        if let Some(p) = p {
            f.set_cursor_position(p);
        }
        p
    }

    fn draw_help(&self, f: &mut Frame, area: Rect, scroll: u16) {
        let lang = self.lang;
        let mut lines: Vec<Line> = Vec::new();
        let screen_keys = match (&self.session, self.stack.last()) {
            (Some(_), Some(s)) => s.help(lang),
            _ => self.login.help(lang),
        };
        let screen_title = match (&self.session, self.stack.last()) {
            (Some(_), Some(s)) => s.title().get(lang),
            _ => t::LOGIN_TITLE.get(lang),
        };
        let mut section = |title: String, keys: Vec<(String, String)>| {
            lines.push(Line::from(Span::styled(title, theme::header())));
            for (k, d) in keys {
                let pad = 26usize.saturating_sub(k.width());
                lines.push(Line::from(vec![
                    Span::styled(format!("  {k}{}", " ".repeat(pad)), theme::key()),
                    Span::raw(d),
                ]));
            }
            lines.push(Line::from(""));
        };
        section(
            format!("{} — {}", t::HELP_SCREEN.get(lang), screen_title),
            screen_keys,
        );
        section(
            t::HELP_GLOBAL.get(lang).to_string(),
            action::help_lines(action::Layer::Global, lang),
        );
        section(
            text::keys::IN_LIST.get(lang).to_string(),
            action::help_lines(action::Layer::List, lang),
        );
        section(
            text::keys::IN_FORM.get(lang).to_string(),
            action::help_lines(action::Layer::Form, lang),
        );
        let rect = popup::centered(area, 76, area.height.saturating_sub(2));
        let title = format!("{}  ({})", t::HELP_TITLE.get(lang), t::HELP_CLOSE.get(lang));
        let inner = popup::boxed(f, rect, &title);
        // The last line is the scroll marker when the help is longer than the box.
        let total = lines.len() as u16;
        let fits = total <= inner.height;
        let view_h = if fits {
            inner.height
        } else {
            inner.height.saturating_sub(1)
        };
        let max = total.saturating_sub(view_h);
        self.help_max.set(max);
        let scroll = scroll.min(max);
        f.render_widget(
            Paragraph::new(lines).scroll((scroll, 0)),
            Rect::new(inner.x, inner.y, inner.width, view_h),
        );
        if !fits {
            let below = total - view_h - scroll;
            let mut marker = Vec::new();
            if scroll > 0 {
                marker.push(
                    text::keys::ABOVE
                        .get(lang)
                        .replace("{n}", &scroll.to_string()),
                );
            }
            if below > 0 {
                marker.push(
                    text::keys::BELOW
                        .get(lang)
                        .replace("{n}", &below.to_string()),
                );
            }
            f.render_widget(
                Paragraph::new(Span::styled(marker.join("  "), theme::dim())).right_aligned(),
                Rect::new(inner.x, inner.y + view_h, inner.width, 1),
            );
        }
    }

    fn draw_palette(
        &self,
        f: &mut Frame,
        area: Rect,
        form: &Form,
        selected: usize,
    ) -> Option<Position> {
        let lang = self.lang;
        let Some(session) = &self.session else {
            return None;
        };
        let found: Vec<&Entry> = catalog::matching(session, &form.value("q"));
        // One height while typing: as tall as every entry the operator has, within the screen.
        let all = catalog::matching(session, "").len() as u16;
        let h = (all + 5).max(6).min(area.height.saturating_sub(2));
        let rect = popup::centered(area, 60, h);
        let inner = popup::boxed(f, rect, t::PALETTE_TITLE.get(lang));
        let cursor = form.draw(
            f,
            Rect::new(inner.x + 1, inner.y, inner.width.saturating_sub(2), 1),
            lang,
            true,
        );
        f.render_widget(
            Paragraph::new(Span::styled(t::PALETTE_HINT.get(lang), theme::dim())),
            Rect::new(inner.x + 1, inner.y + 1, inner.width.saturating_sub(2), 1),
        );
        if found.is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled(t::PALETTE_NONE.get(lang), theme::error())),
                Rect::new(inner.x + 1, inner.y + 2, inner.width.saturating_sub(2), 1),
            );
        }
        let sel = selected.min(found.len().saturating_sub(1));
        // Entries scroll so the marked one is always in sight; a marker says how many are not.
        let room = inner.height.saturating_sub(2) as usize;
        let rows = if found.len() > room {
            room.saturating_sub(1).max(1)
        } else {
            room
        };
        let offset = sel.saturating_sub(rows.saturating_sub(1));
        if found.len() > rows {
            let above = offset;
            let below = found.len().saturating_sub(offset + rows);
            let mut marker = Vec::new();
            if above > 0 {
                marker.push(
                    text::keys::ENTRIES_ABOVE
                        .get(lang)
                        .replace("{n}", &above.to_string()),
                );
            }
            if below > 0 {
                marker.push(
                    text::keys::ENTRIES_BELOW
                        .get(lang)
                        .replace("{n}", &below.to_string()),
                );
            }
            f.render_widget(
                Paragraph::new(Span::styled(marker.join("  "), theme::dim())).right_aligned(),
                Rect::new(
                    inner.x + 1,
                    inner.bottom().saturating_sub(1),
                    inner.width.saturating_sub(2),
                    1,
                ),
            );
        }
        for (i, e) in found.iter().enumerate().skip(offset).take(rows) {
            let y = inner.y + 2 + (i - offset) as u16;
            let style = if i == sel {
                theme::selected()
            } else {
                ratatui::style::Style::default()
            };
            let other = match lang {
                Lang::Zh => e.name.get(Lang::En),
                Lang::En => e.name.get(Lang::Zh),
            };
            f.render_widget(
                Paragraph::new(Line::from(vec![
                    Span::styled(
                        format!("{}{} ", theme::marker(i == sel), e.name.get(lang)),
                        style,
                    ),
                    Span::styled(format!("  {other} · {}", e.initials), theme::dim()),
                ])),
                Rect::new(inner.x + 1, y, inner.width.saturating_sub(2), 1),
            );
        }
        cursor
    }
}
