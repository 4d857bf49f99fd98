//! Change one's own login password (B4) or payment password (B5): old once, new twice.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::domain::password::PasswordPolicy;
use crate::service::auth::{self, Which};
use crate::service::ServiceError;
use crate::ui::keymap;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};

use super::{Cx, Nav, Outcome, Screen, View};

pub struct ChangePassword {
    which: Which,
    form: Form,
    /// Set when the administrator reset the password: the operator cannot leave without a new one.
    forced: bool,
}

impl ChangePassword {
    pub fn new(which: Which, lang: Lang, policy: PasswordPolicy) -> ChangePassword {
        let rule = t::PASSWORD_RULE
            .get(lang)
            .replace("{min}", &policy.min_len.to_string())
            .replace("{max}", &policy.max_len.to_string());
        let old_label = match which {
            Which::Login => t::OLD_PASSWORD,
            Which::Payment => t::OLD_PAY_PASSWORD,
        };
        let mut form = Form::new(vec![
            Field::secret("old", old_label),
            Field::secret("new1", t::NEW_PASSWORD).with_hint(rule),
            Field::secret("new2", t::NEW_PASSWORD_AGAIN),
        ]);
        form.fit_labels(lang);
        ChangePassword {
            which,
            form,
            forced: false,
        }
    }

    pub fn forced(mut self) -> ChangePassword {
        self.forced = true;
        self
    }
}

impl Screen for ChangePassword {
    fn title(&self) -> T {
        match self.which {
            Which::Login => t::SCR_CHANGE_PASSWORD,
            Which::Payment => t::SCR_CHANGE_PAY_PASSWORD,
        }
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        vec![
            ("Enter".into(), t::SAVE.get(lang).into()),
            ("Tab".into(), t::KEY_FIELDS.get(lang).into()),
            ("Esc".into(), t::KEY_BACK.get(lang).into()),
        ]
    }

    fn editing_text(&self) -> bool {
        true
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        match k.code {
            _ if keymap::is_back(k) && self.forced => Outcome::nav(Nav::Logout),
            _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
            _ if keymap::is_next_field(k) => {
                self.form.next();
                Outcome::none()
            }
            _ if keymap::is_prev_field(k) => {
                self.form.prev();
                Outcome::none()
            }
            KeyCode::Enter if !self.form.is_last() => {
                self.form.next();
                Outcome::none()
            }
            KeyCode::Enter => {
                let (old, n1, n2) = (
                    self.form.value("old"),
                    self.form.value("new1"),
                    self.form.value("new2"),
                );
                match auth::change_password(cx.env, cx.session, self.which, &old, &n1, &n2) {
                    Ok(()) => {
                        let msg = match self.which {
                            Which::Login => t::PASSWORD_CHANGED,
                            Which::Payment => t::PAY_PASSWORD_CHANGED,
                        };
                        Outcome::nav(Nav::Pop).with_message(msg.get(cx.lang).into(), true)
                    }
                    Err(e) => {
                        let lang = cx.lang;
                        let msg = cx.error_text(&e, |k| self.form.label_of(k, lang));
                        if let ServiceError::Invalid { field, problem } = &e {
                            self.form.mark(field, text::field_problem(problem, lang));
                            self.form.set_value(field, "");
                            if *field == "new1" || *field == "new2" {
                                self.form.set_value("new2", "");
                            }
                        }
                        Outcome::error(msg)
                    }
                }
            }
            _ => {
                self.form.input(k);
                Outcome::none()
            }
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", self.title().get(v.lang)));
        let inner = block.inner(area);
        f.render_widget(block, area);
        let mut form_area = inner;
        if self.forced && inner.height > 2 {
            f.render_widget(
                Paragraph::new(Span::styled(t::MUST_CHANGE.get(v.lang), theme::error())),
                Rect::new(inner.x + 1, inner.y, inner.width.saturating_sub(2), 1),
            );
            form_area.y += 2;
            form_area.height -= 2;
        }
        let form_area = Rect::new(
            form_area.x + 1,
            form_area.y,
            form_area.width.saturating_sub(2),
            form_area.height,
        );
        self.form.draw(f, form_area, v.lang, true)
    }
}
