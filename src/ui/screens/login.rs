//! The login screen (B1, B2): operator and password. It runs before there is a session, so it
//! is not a `Screen`; the app hands it the environment directly.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::service::auth::{self, CardStep, LoginStep, PendingLogin};
use crate::service::{Env, ServiceError, Session};
use crate::ui::keymap;
use crate::ui::text::{self, t, Lang};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::popup;

pub struct Login {
    form: Form,
    message: Option<String>,
    group_name: String,
    /// The password was right and the operator must prove the card: the PIN is asked for, and
    /// the session opens only once the card signed a fresh challenge.
    awaiting_card: Option<PendingLogin>,
    /// The card is at work (PIN, challenge) on a worker thread; keys wait until it answers.
    card_step: Option<CardStep>,
}

pub enum LoginOutcome {
    Stay,
    LoggedIn(Session),
}

impl Login {
    pub fn new(group_name: String) -> Login {
        let mut form = Form::new(vec![
            Field::text("login", t::FIELD_LOGIN),
            Field::secret("password", t::FIELD_PASSWORD),
        ]);
        form.label_width = 10;
        Login {
            form,
            message: None,
            group_name,
            awaiting_card: None,
            card_step: None,
        }
    }

    fn ask_pin(&mut self, pending: PendingLogin, lang: Lang) {
        let mut form = Form::new(vec![Field::secret("pin", t::CARD_PIN)]);
        form.label_width = self.form.label_width.max(form.label_width.min(12));
        form.fit_labels(lang);
        self.form = form;
        self.awaiting_card = Some(pending);
        self.message = Some(t::CARD_LOGIN_HINT.get(lang).into());
    }

    fn submit_pin(&mut self, env: &mut Env, lang: Lang) -> LoginOutcome {
        let Some(pending) = self.awaiting_card.clone() else {
            return LoginOutcome::Stay;
        };
        let pin = self.form.value("pin");
        self.form.set_value("pin", "");
        match auth::start_card_step(env, &pending, pin) {
            Ok(step) => {
                self.card_step = Some(step);
                self.message = Some(crate::ui::text::card::TOUCH_KEY.get(lang).into());
                // A quick card answers at once; a slow one is picked up by `tick`.
                self.tick(env, lang)
            }
            Err(e) => {
                self.message = Some(text::card_error(&e, lang));
                LoginOutcome::Stay
            }
        }
    }

    /// Picks up the card's answer once it is there.
    pub fn tick(&mut self, env: &mut Env, lang: Lang) -> LoginOutcome {
        let Some(step) = self.card_step.as_mut() else {
            return LoginOutcome::Stay;
        };
        // A card that answers within a blink is picked up in this frame; a slower one (a touch,
        // a slow chip) in a later tick, while the screen says "touch your key".
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(50);
        loop {
            if let Some(result) = step.poll(env) {
                self.card_step = None;
                return match result {
                    Ok(session) => {
                        self.awaiting_card = None;
                        LoginOutcome::LoggedIn(session)
                    }
                    Err(e) => {
                        self.message = Some(text::card_error(&e, lang));
                        LoginOutcome::Stay
                    }
                };
            }
            if std::time::Instant::now() >= deadline {
                return LoginOutcome::Stay;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }

    pub fn editing_text(&self) -> bool {
        true
    }

    pub fn help(&self, lang: Lang) -> Vec<(String, String)> {
        vec![
            ("Enter".into(), t::LOGIN_SUBMIT.get(lang).into()),
            ("Tab".into(), t::KEY_FIELDS.get(lang).into()),
        ]
    }

    pub fn handle_key(&mut self, key: &KeyEvent, env: &mut Env, lang: Lang) -> LoginOutcome {
        if self.card_step.is_some() {
            // The card is answering: keys wait.
            return self.tick(env, lang);
        }
        if self.awaiting_card.is_some() {
            match key.code {
                _ if keymap::is_back(key) => {
                    let group = std::mem::take(&mut self.group_name);
                    *self = Login::new(group);
                }
                KeyCode::Enter => return self.submit_pin(env, lang),
                _ => {
                    self.form.input(key);
                }
            }
            return LoginOutcome::Stay;
        }
        match key.code {
            _ if keymap::is_next_field(key) => self.form.next(),
            _ if keymap::is_prev_field(key) => self.form.prev(),
            _ if keymap::is_back(key) => {
                self.form.clear();
                self.form.focus_on("login");
                self.message = None;
            }
            KeyCode::Enter if self.form.focus_key() == "login" => self.form.next(),
            KeyCode::Enter => return self.submit(env, lang),
            _ => {
                self.form.input(key);
            }
        }
        LoginOutcome::Stay
    }

    fn submit(&mut self, env: &mut Env, lang: Lang) -> LoginOutcome {
        let login = self.form.value("login");
        let password = self.form.value("password");
        match auth::login(env, &login, &password) {
            Ok(LoginStep::NeedsCard(pending)) => {
                self.ask_pin(pending, lang);
                LoginOutcome::Stay
            }
            Ok(LoginStep::Done(session)) => LoginOutcome::LoggedIn(session),
            Err(e) => {
                let msg = text::error(&e, lang, |k| self.form.label_of(k, lang));
                self.form.set_value("password", "");
                match &e {
                    ServiceError::Invalid { field, problem } => {
                        self.form.mark(field, text::field_problem(problem, lang));
                    }
                    _ => self.form.focus_on("password"),
                }
                self.message = Some(msg);
                LoginOutcome::Stay
            }
        }
    }

    pub fn draw(&self, f: &mut Frame, area: Rect, lang: Lang) -> Option<Position> {
        let rect = popup::centered(area, 60, 12);
        let title = format!("{} · {}", t::APP_NAME.get(lang), t::LOGIN_TITLE.get(lang));
        let inner = popup::boxed(f, rect, &title);
        if inner.height < 4 {
            return None;
        }
        f.render_widget(
            Paragraph::new(Span::styled(self.group_name.clone(), theme::header())),
            Rect::new(inner.x + 1, inner.y, inner.width.saturating_sub(2), 1),
        );
        let form_area = Rect::new(
            inner.x + 1,
            inner.y + 2,
            inner.width.saturating_sub(2),
            inner.height.saturating_sub(2),
        );
        let cursor = self.form.draw(f, form_area, lang, true);
        let y = inner.y + 2 + self.form.height() + 1;
        if y < inner.bottom() {
            let line = match &self.message {
                Some(m) if self.awaiting_card.is_some() => {
                    Line::from(Span::styled(m.clone(), theme::key()))
                }
                Some(m) => Line::from(Span::styled(m.clone(), theme::error())),
                None => Line::from(Span::styled(t::LOGIN_HINT.get(lang), theme::dim())),
            };
            f.render_widget(
                Paragraph::new(line).wrap(ratatui::widgets::Wrap { trim: true }),
                Rect::new(
                    inner.x + 1,
                    y,
                    inner.width.saturating_sub(2),
                    inner.bottom() - y,
                ),
            );
        }
        cursor
    }
}
