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

/// Why the screen is locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockWhy {
    /// Ctrl+L.
    Key,
    /// No key for the idle minutes of the settings.
    Idle,
    /// The bound card left the reader; it lifts when the same card is back, and then the
    /// password is still asked if the screen was locked for it before (`password_after`).
    CardPulled {
        password_after: Option<PasswordLock>,
    },
}

/// A lock that asks for the password, before the card was pulled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordLock {
    Key,
    Idle,
}

/// An operator's working state: the session and everything that lives only as long as it.
struct Work {
    session: Session,
    stack: Vec<Box<dyn Screen>>,
    /// Conditions screens kept for their next visit, in this session.
    kept: std::collections::HashMap<&'static str, crate::ui::screens::Kept>,
    /// The session's operator logged in with a bound card: its presence is watched.
    card_session: bool,
}

/// What the app is doing: one of three, each with only what it needs.
enum Mode {
    /// The login screen; help or the quit question may be over it.
    LoggedOut {
        login: Box<Login>,
        overlay: Option<Overlay>,
    },
    /// Logged in: the screen stack, and an overlay (help, palette, quit) over it.
    Active {
        work: Work,
        overlay: Option<Overlay>,
    },
    /// Locked: the work stays as it was, out of sight, until the password (or the card) is
    /// back. Ctrl+Q asks first (`asking_quit`); nothing happens until the answer.
    Locked {
        work: Work,
        why: LockWhy,
        form: Form,
        asking_quit: bool,
    },
}

pub struct App {
    pub env: Env,
    pub lang: Lang,
    mode: Mode,
    message: Option<(String, bool)>,
    last_input_ms: i64,
    pub quit: bool,
    /// Where the focus was in the last frame (for the tape's `Wait+Line`).
    focus: Cell<Option<Position>>,
    /// How far the help overlay can scroll, as last drawn.
    help_max: Cell<u16>,
    last_card_poll_ms: i64,
    /// The Ctrl+E export a screen started, followed until it ends.
    export: Option<ExportRun>,
    /// Text a screen copied, for the terminal to put on its clipboard (OSC 52).
    clipboard: Option<String>,
}

fn password_form(lang: Lang) -> Form {
    let mut form = Form::new(vec![Field::secret("password", t::FIELD_PASSWORD)]);
    form.fit_labels(lang);
    form
}

impl App {
    pub fn new(env: Env, lang: Lang) -> App {
        let now = env.now_ms();
        let mut app = App {
            env,
            lang,
            mode: Mode::LoggedOut {
                login: Box::new(Login::new(String::new())),
                overlay: None,
            },
            message: None,
            last_input_ms: now,
            quit: false,
            focus: Cell::new(None),
            help_max: Cell::new(0),
            last_card_poll_ms: 0,
            export: None,
            clipboard: None,
        };
        app.mode = Mode::LoggedOut {
            login: Box::new(app.new_login()),
            overlay: None,
        };
        app
    }

    pub fn session(&self) -> Option<&Session> {
        match &self.mode {
            Mode::LoggedOut { .. } => None,
            Mode::Active { work, .. } | Mode::Locked { work, .. } => Some(&work.session),
        }
    }

    pub fn is_locked(&self) -> bool {
        matches!(self.mode, Mode::Locked { .. })
    }

    /// Why the screen is locked, while it is.
    pub fn lock_why(&self) -> Option<LockWhy> {
        match &self.mode {
            Mode::Locked { why, .. } => Some(*why),
            _ => None,
        }
    }

    /// True while the quit question is on screen (over whatever mode).
    pub fn asking_quit(&self) -> bool {
        match &self.mode {
            Mode::Locked { asking_quit, .. } => *asking_quit,
            Mode::LoggedOut { overlay, .. } | Mode::Active { overlay, .. } => {
                matches!(overlay, Some(Overlay::Quit))
            }
        }
    }

    /// Text a screen copied since the last call: the terminal writes it as OSC 52.
    pub fn take_clipboard(&mut self) -> Option<String> {
        self.clipboard.take()
    }

    /// The row the focus is on in the last frame drawn.
    pub fn focus_row(&self) -> Option<u16> {
        self.focus.get().map(|p| p.y)
    }

    fn editing_text(&self) -> bool {
        match &self.mode {
            Mode::Locked { .. } => true,
            Mode::LoggedOut {
                overlay: Some(_), ..
            }
            | Mode::Active {
                overlay: Some(_), ..
            } => true,
            Mode::LoggedOut { login, .. } => login.editing_text(),
            Mode::Active { work, .. } => work.stack.last().is_some_and(|s| s.editing_text()),
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
        match &mut self.mode {
            Mode::Locked { .. } => {
                self.handle_locked(&key);
                return;
            }
            Mode::LoggedOut {
                overlay: Some(_), ..
            }
            | Mode::Active {
                overlay: Some(_), ..
            } => {
                self.handle_overlay(&key);
                return;
            }
            _ => {}
        }
        let global = global(&key).filter(|g| {
            // `?` types a question mark in a text field; F1 always opens the help.
            !(*g == Global::Help && matches!(key.code, KeyCode::Char(_)) && self.editing_text())
        });
        self.message = None;
        if let Some(g) = global {
            self.global(g);
            return;
        }
        let lang = self.lang;
        match &mut self.mode {
            Mode::LoggedOut { login, .. } => {
                if let LoginOutcome::LoggedIn(s) = login.handle_key(&key, &mut self.env, lang) {
                    self.start_session(s);
                }
            }
            Mode::Active { work, .. } => {
                // Role changes take effect at the operator's next action, and a disabled
                // operator's session ends there: the functions are read again before every key.
                match crate::service::session::refresh(&self.env, &work.session) {
                    Ok(fresh) => work.session = fresh,
                    Err(crate::service::ServiceError::SessionEnded) => {
                        self.logout();
                        self.message = Some((t::ERR_SESSION_ENDED.get(lang).into(), false));
                        return;
                    }
                    Err(_) => {}
                }
                let session = work.session.clone();
                let mut cx = Cx {
                    env: &mut self.env,
                    session: &session,
                    lang,
                };
                let outcome = match work.stack.last_mut() {
                    Some(screen) => screen.handle_key(&key, &mut cx),
                    None => Outcome::none(),
                };
                self.apply(outcome);
            }
            Mode::Locked { .. } => {}
        }
    }

    fn start_session(&mut self, s: Session) {
        let card_session = crate::service::card::bound_card(&self.env, s.operator_id)
            .ok()
            .flatten()
            .is_some();
        let forced = s.must_change_password;
        let mut cx = Cx {
            env: &mut self.env,
            session: &s,
            lang: self.lang,
        };
        let mut stack: Vec<Box<dyn Screen>> = vec![Box::new(Home::new(&mut cx))];
        if forced {
            let policy = auth::policy(&self.env);
            stack.push(Box::new(
                ChangePassword::new(auth::Which::Login, self.lang, policy).forced(),
            ));
        }
        self.mode = Mode::Active {
            work: Work {
                session: s,
                stack,
                kept: std::collections::HashMap::new(),
                card_session,
            },
            overlay: None,
        };
    }

    fn new_login(&self) -> Login {
        let mut l = Login::new(self.login_group_name());
        l.demo = demo_line(&self.env, self.lang);
        l
    }

    fn login_group_name(&self) -> String {
        let (zh, en) = crate::service::home::group_names(&self.env);
        match self.lang {
            Lang::Zh => zh,
            // The English name where the data has one.
            Lang::En => Some(en).filter(|s| !s.is_empty()).unwrap_or(zh),
        }
    }

    fn work_mut(&mut self) -> Option<&mut Work> {
        match &mut self.mode {
            Mode::Active { work, .. } | Mode::Locked { work, .. } => Some(work),
            Mode::LoggedOut { .. } => None,
        }
    }

    fn work(&self) -> Option<&Work> {
        match &self.mode {
            Mode::Active { work, .. } | Mode::Locked { work, .. } => Some(work),
            Mode::LoggedOut { .. } => None,
        }
    }

    fn apply(&mut self, outcome: Outcome) {
        if let Some(m) = outcome.message {
            self.message = Some(m);
        }
        if let Some(job) = outcome.export {
            self.export = Some(ExportRun::new(*job));
        }
        if let Some(text) = outcome.clipboard {
            self.clipboard = Some(text);
        }
        if let Nav::Logout = outcome.nav {
            self.logout();
            return;
        }
        let Some(work) = self.work_mut() else {
            return;
        };
        match outcome.nav {
            Nav::Stay | Nav::Logout => {}
            Nav::Push(mut s) => {
                work.offer_kept(&mut s);
                work.stack.push(s);
            }
            Nav::Replace(mut s) => {
                work.keep_above(work.stack.len().saturating_sub(1));
                work.stack.pop();
                work.offer_kept(&mut s);
                work.stack.push(s);
            }
            Nav::Pop => {
                if work.stack.len() > 1 {
                    work.keep_above(work.stack.len() - 1);
                    work.stack.pop();
                    // The screen below may show what the popped one changed.
                    self.refresh_top_quietly();
                }
            }
        }
    }

    fn refresh_top_quietly(&mut self) {
        let lang = self.lang;
        let Mode::Active { work, .. } = &mut self.mode else {
            return;
        };
        if work.stack.len() == 1 {
            let session = work.session.clone();
            let mut cx = Cx {
                env: &mut self.env,
                session: &session,
                lang,
            };
            if let Some(s) = work.stack.last_mut() {
                s.refresh(&mut cx);
            }
        }
    }

    /// Ends the session (audited) and shows the login screen.
    fn logout(&mut self) {
        let login = Box::new(self.new_login());
        let old = std::mem::replace(
            &mut self.mode,
            Mode::LoggedOut {
                login,
                overlay: None,
            },
        );
        if let Mode::Active { work, .. } | Mode::Locked { work, .. } = old {
            let _ = auth::logout(&mut self.env, &work.session);
        }
        self.message = Some((t::LOGGED_OUT.get(self.lang).into(), true));
    }

    /// The session ends without a logout row of its own (the lockout wrote its row).
    fn end_session_locked_out(&mut self) {
        self.mode = Mode::LoggedOut {
            login: Box::new(self.new_login()),
            overlay: None,
        };
    }

    fn set_overlay(&mut self, o: Overlay) {
        match &mut self.mode {
            Mode::LoggedOut { overlay, .. } | Mode::Active { overlay, .. } => *overlay = Some(o),
            Mode::Locked { asking_quit, .. } => *asking_quit = matches!(o, Overlay::Quit),
        }
    }

    fn global(&mut self, g: Global) {
        match g {
            Global::Help => self.set_overlay(Overlay::Help { scroll: 0 }),
            Global::Quit => self.set_overlay(Overlay::Quit),
            Global::Palette => {
                if self.session().is_none() {
                    self.message = Some((t::NOT_LOGGED_IN.get(self.lang).into(), false));
                    return;
                }
                let mut form = Form::new(vec![Field::text("q", t::PALETTE_TITLE)]);
                form.fit_labels(self.lang);
                self.set_overlay(Overlay::Palette { form, selected: 0 });
            }
            Global::Lock => self.lock_now(LockWhy::Key),
            Global::Refresh | Global::Export => {
                if g == Global::Export {
                    if let Some(run) = &self.export {
                        // A second Ctrl+E while one runs cancels it.
                        run.cancel();
                        return;
                    }
                }
                let lang = self.lang;
                let Mode::Active { work, .. } = &mut self.mode else {
                    return;
                };
                let session = work.session.clone();
                let mut cx = Cx {
                    env: &mut self.env,
                    session: &session,
                    lang,
                };
                let Some(screen) = work.stack.last_mut() else {
                    return;
                };
                let outcome = if g == Global::Refresh {
                    screen.refresh(&mut cx)
                } else {
                    screen
                        .export(&mut cx)
                        .unwrap_or_else(|| Outcome::error(t::NOTHING_TO_EXPORT.get(lang).into()))
                };
                self.apply(outcome);
            }
        }
    }

    /// Locks an active session (Ctrl+L, idle, card pulled). A card pulled from a screen already
    /// locked for its password keeps asking for the password once the card is back.
    fn lock_now(&mut self, why: LockWhy) {
        let lang = self.lang;
        let placeholder = Mode::LoggedOut {
            login: Box::new(Login::new(String::new())),
            overlay: None,
        };
        self.mode = match std::mem::replace(&mut self.mode, placeholder) {
            Mode::Active { work, .. } => Mode::Locked {
                work,
                why,
                form: password_form(lang),
                asking_quit: false,
            },
            Mode::Locked {
                work,
                why: old,
                form,
                asking_quit,
            } => {
                let why = match (why, old) {
                    (LockWhy::CardPulled { .. }, LockWhy::Key) => LockWhy::CardPulled {
                        password_after: Some(PasswordLock::Key),
                    },
                    (LockWhy::CardPulled { .. }, LockWhy::Idle) => LockWhy::CardPulled {
                        password_after: Some(PasswordLock::Idle),
                    },
                    // Already locked: the first reason stands.
                    _ => old,
                };
                Mode::Locked {
                    work,
                    why,
                    form,
                    asking_quit,
                }
            }
            other => other,
        };
    }

    /// The card is back: a card lock lifts, to the password lock it hid if there was one.
    fn card_back(&mut self) {
        let lang = self.lang;
        let placeholder = Mode::LoggedOut {
            login: Box::new(Login::new(String::new())),
            overlay: None,
        };
        self.mode = match std::mem::replace(&mut self.mode, placeholder) {
            Mode::Locked {
                work,
                why: LockWhy::CardPulled { password_after },
                asking_quit,
                ..
            } => match password_after {
                None if !asking_quit => Mode::Active {
                    work,
                    overlay: None,
                },
                None => Mode::Active {
                    work,
                    overlay: Some(Overlay::Quit),
                },
                Some(p) => Mode::Locked {
                    work,
                    why: match p {
                        PasswordLock::Key => LockWhy::Key,
                        PasswordLock::Idle => LockWhy::Idle,
                    },
                    form: password_form(lang),
                    asking_quit,
                },
            },
            other => other,
        };
    }

    fn quit_now(&mut self) {
        if let Some(s) = self.session().cloned() {
            let _ = auth::logout(&mut self.env, &s);
        }
        self.end_session_locked_out();
        self.quit = true;
    }

    /// Keys on the lock screen: only the password (or the quit question) is heard.
    fn handle_locked(&mut self, key: &KeyEvent) {
        let lang = self.lang;
        let Mode::Locked {
            work,
            why,
            form,
            asking_quit,
        } = &mut self.mode
        else {
            return;
        };
        if *asking_quit {
            // Ask first, over the lock screen: nothing happens until the answer. Yes logs out
            // and quits; no leaves the screen locked, so nobody sees it unlocked either way.
            match key.code {
                KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('Y') => self.quit_now(),
                KeyCode::Char('n') | KeyCode::Char('N') => *asking_quit = false,
                _ if keymap::is_back(key) => *asking_quit = false,
                _ => {}
            }
            return;
        }
        if global(key) == Some(Global::Quit) {
            *asking_quit = true;
            return;
        }
        if matches!(why, LockWhy::CardPulled { .. }) {
            // Only the card brings the screen back.
            return;
        }
        if key.code != KeyCode::Enter {
            form.input(key);
            return;
        }
        let pw = form.value("password");
        form.set_value("password", "");
        let session = work.session.clone();
        match auth::unlock(&mut self.env, &session, &pw) {
            Ok(()) => {
                let placeholder = Mode::LoggedOut {
                    login: Box::new(Login::new(String::new())),
                    overlay: None,
                };
                if let Mode::Locked { work, .. } = std::mem::replace(&mut self.mode, placeholder) {
                    self.mode = Mode::Active {
                        work,
                        overlay: None,
                    };
                }
                self.message = None;
            }
            Err(e) => {
                let locked_out = matches!(e, crate::service::ServiceError::Locked { .. });
                let msg = text::error(&e, lang, |_| t::FIELD_PASSWORD.get(lang).into());
                if locked_out {
                    // Five wrong passwords: the session ends like any other lockout.
                    self.end_session_locked_out();
                }
                self.message = Some((msg, false));
            }
        }
    }

    fn handle_overlay(&mut self, key: &KeyEvent) {
        let lang = self.lang;
        let help_max = self.help_max.get();
        let (overlay_slot, session) = match &mut self.mode {
            Mode::LoggedOut { overlay, .. } => (overlay, None),
            Mode::Active { overlay, work } => (overlay, Some(work.session.clone())),
            Mode::Locked { .. } => return,
        };
        let Some(overlay) = overlay_slot.as_mut() else {
            return;
        };
        match overlay {
            Overlay::Help { scroll } => match key.code {
                _ if keymap::is_down(key) => *scroll = (*scroll + 1).min(help_max),
                _ if keymap::is_up(key) => *scroll = scroll.saturating_sub(1),
                KeyCode::PageDown => *scroll = (*scroll + 10).min(help_max),
                KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                KeyCode::Home => *scroll = 0,
                KeyCode::End => *scroll = help_max,
                _ if keymap::is_back(key) || global(key) == Some(Global::Help) => {
                    *overlay_slot = None
                }
                KeyCode::Enter => *overlay_slot = None,
                _ => {}
            },
            Overlay::Quit => match key.code {
                KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('Y') => self.quit_now(),
                _ if keymap::is_back(key) => *overlay_slot = None,
                KeyCode::Char('n') | KeyCode::Char('N') => *overlay_slot = None,
                _ => {}
            },
            Overlay::Palette { form, selected } => {
                let Some(session) = session else {
                    *overlay_slot = None;
                    return;
                };
                match key.code {
                    _ if keymap::is_back(key) => *overlay_slot = None,
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
                            *overlay_slot = None;
                            let Some(work) = self.work_mut() else {
                                return;
                            };
                            // The palette goes from anywhere: start from home, then open.
                            work.keep_above(1);
                            work.stack.truncate(1);
                            let mut cx = Cx {
                                env: &mut self.env,
                                session: &session,
                                lang,
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
    fn watch_card(&mut self, now: i64) {
        let Some(work) = self.work() else {
            return;
        };
        if !work.card_session || now - self.last_card_poll_ms < 1_000 {
            return;
        }
        let operator = work.session.operator_id;
        self.last_card_poll_ms = now;
        let present = crate::service::card::bound_card_in_reader(&self.env, operator);
        let pulled = matches!(self.lock_why(), Some(LockWhy::CardPulled { .. }));
        if !present && !pulled {
            self.lock_now(LockWhy::CardPulled {
                password_after: None,
            });
        } else if present && pulled {
            self.card_back();
            self.last_input_ms = now;
        }
    }

    /// Time passed: the idle lock, the card watch, and screens that refresh by themselves.
    pub fn tick(&mut self) {
        let now = self.env.now_ms();
        let lang = self.lang;
        if let Mode::LoggedOut { login, .. } = &mut self.mode {
            if let LoginOutcome::LoggedIn(s) = login.tick(&mut self.env, lang) {
                self.start_session(s);
            }
            return;
        }
        self.watch_card(now);
        if matches!(self.lock_why(), Some(LockWhy::CardPulled { .. })) {
            return;
        }
        if let (Some(run), Some(session)) = (&self.export, self.session().cloned()) {
            let mut cx = Cx {
                env: &mut self.env,
                session: &session,
                lang,
            };
            if let Some(done) = run.poll(&mut cx) {
                self.export = None;
                self.apply(done);
            }
        }
        let Mode::Active { work, .. } = &mut self.mode else {
            return;
        };
        let minutes = auth::idle_lock_minutes(&self.env);
        if minutes > 0 && now - self.last_input_ms >= minutes * 60_000 {
            self.lock_now(LockWhy::Idle);
            return;
        }
        let session = work.session.clone();
        let mut cx = Cx {
            env: &mut self.env,
            session: &session,
            lang,
        };
        if let Some(screen) = work.stack.last_mut() {
            let outcome = screen.tick(&mut cx);
            self.apply(outcome);
        }
    }

    /// The screen on top, when logged in (locked or not).
    fn top(&self) -> Option<&dyn Screen> {
        self.work().and_then(|w| w.stack.last()).map(|b| b.as_ref())
    }

    /// Draws everything; reads state only.
    pub fn draw(&self, f: &mut Frame) {
        let area = f.area();
        let lang = self.lang;
        let now = self.env.now_ms();
        let title = match (&self.mode, self.top()) {
            (Mode::Active { .. }, Some(s)) => {
                format!(" {} · {}", t::APP_NAME.get(lang), s.title().get(lang))
            }
            _ => format!(" {}", t::APP_NAME.get(lang)),
        };
        let right = match self.session() {
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
                more: if self.is_locked() {
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
        let overlay = match &self.mode {
            Mode::LoggedOut { login, overlay } => {
                focus = login.draw(f, body, lang);
                if let Some(p) = focus {
                    f.set_cursor_position(p);
                }
                overlay.as_ref()
            }
            Mode::Active { work, overlay } => {
                focus = None;
                if let Some(screen) = work.stack.last() {
                    let view = View {
                        lang,
                        now_ms: now,
                        session: &work.session,
                    };
                    focus = screen.draw(f, body, &view);
                    if screen.editing_text() {
                        if let Some(p) = focus {
                            f.set_cursor_position(p);
                        }
                    }
                }
                overlay.as_ref()
            }
            Mode::Locked {
                work,
                why,
                form,
                asking_quit,
            } => {
                f.render_widget(Clear, body);
                if let LockWhy::CardPulled { .. } = why {
                    let text = t::CARD_PULLED.get(lang);
                    let rect = popup::centered(body, text.width() as u16 + 6, 3);
                    let inner = popup::boxed(f, rect, t::LOCKED_TITLE.get(lang));
                    f.render_widget(Paragraph::new(text), inner);
                    focus = Some(Position::new(inner.x, inner.y));
                } else {
                    focus = self.draw_lock(f, body, form, &work.session.login);
                }
                asking_quit.then_some(&Overlay::Quit)
            }
        };
        match overlay {
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

    /// The keys of what is in front: the screen's, or the login's.
    fn front_help(&self, lang: Lang) -> Vec<(String, String)> {
        match &self.mode {
            Mode::LoggedOut { login, .. } => login.help(lang),
            _ => self.top().map(|s| s.help(lang)).unwrap_or_default(),
        }
    }

    fn key_bar(&self) -> Vec<(String, String)> {
        let lang = self.lang;
        match self.lock_why() {
            Some(LockWhy::CardPulled { .. }) => {
                return vec![("Ctrl+Q".into(), t::KEY_QUIT.get(lang).into())]
            }
            Some(_) => {
                return vec![
                    ("Enter".into(), t::LOCKED_TITLE.get(lang).into()),
                    ("Ctrl+Q".into(), t::KEY_QUIT.get(lang).into()),
                ]
            }
            None => {}
        }
        let mut keys = self.front_help(lang);
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

    fn draw_lock(&self, f: &mut Frame, area: Rect, form: &Form, login: &str) -> Option<Position> {
        let lang = self.lang;
        let rect = popup::centered(area, 56, 7);
        let inner = popup::boxed(f, rect, t::LOCKED_TITLE.get(lang));
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
        let screen_keys = self.front_help(lang);
        let screen_title = match (&self.mode, self.top()) {
            (Mode::Active { .. }, Some(s)) => s.title().get(lang),
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
        let mut list_keys = action::help_lines(action::Layer::List, lang);
        list_keys.push(("s".into(), text::keys::SORT_WHERE.get(lang).into()));
        section(text::keys::IN_LIST.get(lang).to_string(), list_keys);
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
        let session = &self.work()?.session;
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

impl Work {
    /// Keeps the conditions of the screens from `from` up, before they go.
    fn keep_above(&mut self, from: usize) {
        for s in self.stack.iter().skip(from) {
            if let Some((name, kept)) = s.kept() {
                self.kept.insert(name, kept);
            }
        }
    }

    /// Gives a screen being opened the conditions it kept last time in this session.
    fn offer_kept(&self, s: &mut Box<dyn Screen>) {
        if let Some(k) = s.kept_name().and_then(|n| self.kept.get(n)) {
            s.recall(k);
        }
    }
}

/// "Demo operators (password demo1234): admin Administrator · ..." on a demo database's login.
fn demo_line(env: &Env, lang: Lang) -> String {
    let (zh, en) = crate::service::home::demo_operators(env);
    let list = match lang {
        Lang::Zh => zh,
        Lang::En => Some(en).filter(|s| !s.is_empty()).unwrap_or(zh),
    };
    if list.is_empty() {
        return String::new();
    }
    text::keys::DEMO_OPERATORS
        .get(lang)
        .replace("{p}", crate::demo::DEMO_PASSWORD)
        .replace("{list}", &list)
}
