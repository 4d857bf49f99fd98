//! 商户设置 (SY5): each merchant's refund mode and daily refund quota, the password policy and
//! the idle lock. Administrators only (the service refuses everyone else).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::domain::money::format_fen;
use crate::service::card;
use crate::service::settings::{self, Settings};
use crate::ui::action::Action;
use crate::ui::keymap;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::text::admin as ta;
use crate::ui::text::{t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::dialog::{Dialog, DialogEvent};
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::table::{self, Column, Selection};

use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Edit,
    Policy,
    Card,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Enter), ch('e')],
        action: Act::Edit,
        help: ta::MERCHANT_REFUND,
    },
    Binding {
        keys: &[ch('p')],
        action: Act::Policy,
        help: ta::KEY_POLICY,
    },
    Binding {
        keys: &[ch('c')],
        action: Act::Card,
        help: ta::KEY_CARD_SETTINGS,
    },
    Binding {
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

enum Purpose {
    Refund(i64),
    Policy,
    Card,
}

pub struct SettingsScreen {
    settings: Settings,
    sel: Selection,
    dialog: Option<Dialog<Purpose>>,
}

impl SettingsScreen {
    pub fn open(cx: &mut Cx) -> Outcome {
        match settings::get(cx.env, cx.session) {
            Ok(s) => Outcome::nav(Nav::Push(Box::new(SettingsScreen {
                settings: s,
                sel: Selection::default(),
                dialog: None,
            }))),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn mode_name(mode: &str) -> T {
        if mode == "review" {
            ta::MODE_REVIEW
        } else {
            ta::MODE_DIRECT
        }
    }
}

impl Screen for SettingsScreen {
    fn title(&self) -> T {
        ta::SCR_SETTINGS
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        help_lines(KEYS, lang)
    }

    fn editing_text(&self) -> bool {
        self.dialog.is_some()
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        if let Some(d) = self.dialog.as_mut() {
            match d.handle(k) {
                DialogEvent::Cancel => self.dialog = None,
                DialogEvent::None => {}
                DialogEvent::Submit => {
                    let f = &d.form;
                    let r = match d.purpose {
                        Purpose::Refund(id) => settings::set_refund_typed(
                            cx.env,
                            cx.session,
                            id,
                            f.choice("mode") == 1,
                            &f.value("quota"),
                        ),
                        Purpose::Policy => settings::set_policy_typed(
                            cx.env,
                            cx.session,
                            &f.value("min_len"),
                            &f.value("max_len"),
                            &f.value("idle"),
                        ),
                        Purpose::Card => {
                            card::set_configured_reader(cx.env, cx.session, &f.value("reader"))
                                .and_then(|_| {
                                    card::set_login_policy(
                                        cx.env,
                                        cx.session,
                                        f.choice("policy") == 1,
                                    )
                                })
                                .map_err(|e| match e {
                                    card::CardServiceError::Service(s) => s,
                                    other => crate::service::ServiceError::File(other.to_string()),
                                })
                        }
                    };
                    match r {
                        Ok(()) => {
                            self.dialog = None;
                            if let Ok(s) = settings::get(cx.env, cx.session) {
                                self.settings = s;
                            }
                            return Outcome::ok(ta::SAVED.get(lang).into());
                        }
                        Err(e) => d.fail(&e, lang),
                    }
                }
            }
            return Outcome::none();
        }
        if self.sel.handle(k, self.settings.merchants.len()) {
            return Outcome::none();
        }
        match lookup(KEYS, k) {
            Some(Act::Shared(Action::Back)) => return Outcome::nav(Nav::Pop),
            Some(Act::Edit) => {
                if let Some(m) = self.settings.merchants.get(self.sel.index) {
                    let mut form = Form::new(vec![
                        Field::choice(
                            "mode",
                            ta::REFUND_MODE,
                            vec![ta::MODE_DIRECT, ta::MODE_REVIEW],
                        ),
                        Field::text("quota", ta::QUOTA).with_hint(ta::QUOTA_NONE.get(lang)),
                    ]);
                    form.set_choice("mode", usize::from(m.refund_mode == "review"));
                    let quota = if m.daily_refund_quota_fen == 0 {
                        "0".to_string()
                    } else {
                        crate::domain::money::from_fen(m.daily_refund_quota_fen).to_string()
                    };
                    form.set_value("quota", &quota);
                    self.dialog = Some(Dialog::new(
                        format!("{} {}", ta::MERCHANT_REFUND.get(lang), m.name),
                        form,
                        Purpose::Refund(m.id),
                        lang,
                    ));
                }
            }
            Some(Act::Policy) => {
                let mut form = Form::new(vec![
                    Field::text("min_len", ta::MIN_LEN),
                    Field::text("max_len", ta::MAX_LEN),
                    Field::text("idle", ta::IDLE_MINUTES).with_hint(ta::IDLE_HINT.get(lang)),
                ]);
                form.set_value("min_len", &self.settings.password_min_len.to_string());
                form.set_value("max_len", &self.settings.password_max_len.to_string());
                form.set_value("idle", &self.settings.idle_lock_minutes.to_string());
                self.dialog = Some(Dialog::new(
                    ta::POLICY.get(lang).into(),
                    form,
                    Purpose::Policy,
                    lang,
                ));
            }
            Some(Act::Card) => {
                let readers = crate::service::card::readers()
                    .map(|v| v.join(", "))
                    .unwrap_or_else(|e| crate::ui::text::card::transport_error(&e, lang));
                let mut form = Form::new(vec![
                    Field::text("reader", ta::READER)
                        .with_hint(ta::READERS_NOW.get(lang).replace("{list}", &readers)),
                    Field::choice(
                        "policy",
                        ta::LOGIN_POLICY,
                        vec![ta::POLICY_BOUND, ta::POLICY_ALL],
                    ),
                ]);
                form.set_value(
                    "reader",
                    &card::configured_reader(cx.env).unwrap_or_default(),
                );
                form.set_choice("policy", usize::from(card::login_policy_required(cx.env)));
                self.dialog = Some(Dialog::new(
                    ta::CARD_SETTINGS.get(lang).into(),
                    form,
                    Purpose::Card,
                    lang,
                ));
            }
            Some(Act::Shared(_)) | None => {}
        }
        Outcome::none()
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        match settings::get(cx.env, cx.session) {
            Ok(s) => {
                self.settings = s;
                Outcome::none()
            }
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [top, bottom] =
            Layout::vertical([Constraint::Min(6), Constraint::Length(3)]).areas(area);
        let rows: Vec<Vec<String>> = self
            .settings
            .merchants
            .iter()
            .map(|m| {
                vec![
                    m.merchant_no.clone(),
                    if lang == Lang::Zh || m.name_en.is_empty() {
                        m.name.clone()
                    } else {
                        m.name_en.clone()
                    },
                    Self::mode_name(&m.refund_mode).get(lang).into(),
                    if m.daily_refund_quota_fen == 0 {
                        ta::QUOTA_UNLIMITED.get(lang).into()
                    } else {
                        format_fen(m.daily_refund_quota_fen)
                    },
                ]
            })
            .collect();
        let columns = [
            Column {
                header: t::MERCHANT_NO.get(lang),
                width: Constraint::Length(16),
                right: false,
            },
            Column {
                header: t::MERCHANT_NAME.get(lang),
                width: Constraint::Min(14),
                right: false,
            },
            Column {
                header: ta::REFUND_MODE.get(lang),
                width: Constraint::Length(12),
                right: false,
            },
            Column {
                header: ta::QUOTA.get(lang),
                width: Constraint::Length(26),
                right: true,
            },
        ];
        let focus = table::draw(
            f,
            top,
            &table::TableView {
                title: ta::MERCHANT_REFUND.get(lang),
                columns: &columns,
                rows: &rows,
                dim: &[],
                selected: self.dialog.is_none().then_some(self.sel.index),
                empty: "",
            },
        );
        let line = ta::POLICY_LINE
            .get(lang)
            .replace("{min}", &self.settings.password_min_len.to_string())
            .replace("{max}", &self.settings.password_max_len.to_string())
            .replace("{idle}", &self.settings.idle_lock_minutes.to_string());
        f.render_widget(
            Paragraph::new(Line::from(vec![Span::styled(line, theme::label())])).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" {} (p) ", ta::POLICY.get(lang))),
            ),
            bottom,
        );
        match &self.dialog {
            Some(d) => d.draw(f, area, lang),
            None => focus,
        }
    }
}
