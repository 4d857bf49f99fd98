//! 终端管理 (SY3): terminals with their merchant and group; add, edit, disable and enable, move
//! between groups.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::Frame;

use crate::service::terminals::{self, TerminalInput};
use crate::service::views::{MerchantRow, TerminalRow};
use crate::ui::action::Action;
use crate::ui::keymap;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::text::admin as ta;
use crate::ui::text::{t, Lang, T};
use crate::ui::widgets::dialog::{Dialog, DialogEvent};
use crate::ui::widgets::form::{Field, Form, Label};
use crate::ui::widgets::table::{self, Column, Selection};

use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Add,
    Edit,
    Toggle,
    Move,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[ch('a')],
        action: Act::Add,
        help: ta::KEY_ADD,
    },
    Binding {
        keys: &[key(KeyCode::Enter), ch('e')],
        action: Act::Edit,
        help: ta::KEY_EDIT,
    },
    Binding {
        keys: &[ch('d')],
        action: Act::Toggle,
        help: ta::KEY_TOGGLE_ACTIVE,
    },
    Binding {
        keys: &[ch('m')],
        action: Act::Move,
        help: ta::KEY_MOVE_GROUP,
    },
    Binding {
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

enum Purpose {
    Add,
    Edit(i64),
    Move(i64),
}

pub struct Terminals {
    rows: Vec<TerminalRow>,
    merchants: Vec<MerchantRow>,
    groups: Vec<(i64, String, i64)>,
    sel: Selection,
    dialog: Option<Dialog<Purpose>>,
}

impl Terminals {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut s = Terminals {
            rows: Vec::new(),
            merchants: Vec::new(),
            groups: Vec::new(),
            sel: Selection::default(),
            dialog: None,
        };
        match s.load(cx) {
            Ok(()) => Outcome::nav(Nav::Push(Box::new(s))),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn load(&mut self, cx: &mut Cx) -> crate::service::ServiceResult<()> {
        self.rows = terminals::terminals(cx.env, cx.session)?;
        self.groups = terminals::groups(cx.env, cx.session)?;
        self.merchants = terminals::merchants_list(cx.env, cx.session)?;
        self.sel.clamp(self.rows.len());
        Ok(())
    }

    fn group_options(&self, lang: Lang) -> Vec<Label> {
        let mut v = vec![Label::S(ta::NO_GROUP.get(lang).into())];
        v.extend(self.groups.iter().map(|g| Label::S(g.1.clone())));
        v
    }

    fn group_index(&self, id: Option<i64>) -> usize {
        id.and_then(|g| self.groups.iter().position(|x| x.0 == g))
            .map_or(0, |i| i + 1)
    }

    fn group_at(&self, index: usize) -> Option<i64> {
        index
            .checked_sub(1)
            .and_then(|i| self.groups.get(i))
            .map(|g| g.0)
    }

    fn form(&self, lang: Lang, t: Option<&TerminalRow>) -> Form {
        let mut fields = Vec::new();
        if t.is_none() {
            fields.push(Field::text("terminal_no", ta::TERMINAL_NO));
        }
        let merchants = self
            .merchants
            .iter()
            .map(|m| Label::S(format!("{} {}", m.merchant_no, m.name)))
            .collect();
        fields.push(Field::choice_of("merchant", ta::MERCHANT, merchants));
        fields.push(Field::text("serial_no", ta::SERIAL_NO));
        fields.push(Field::text("name", ta::TERMINAL_NAME));
        fields.push(Field::text("location", ta::LOCATION));
        fields.push(Field::choice_of(
            "group",
            ta::GROUP,
            self.group_options(lang),
        ));
        let mut form = Form::new(fields);
        if let Some(t) = t {
            let mi = self
                .merchants
                .iter()
                .position(|m| m.id == t.merchant_id)
                .unwrap_or(0);
            form.set_choice("merchant", mi);
            form.set_value("serial_no", &t.serial_no);
            form.set_value("name", &t.name);
            form.set_value("location", &t.location);
            form.set_choice("group", self.group_index(t.group_id));
        }
        form
    }

    fn input(&self, form: &Form) -> TerminalInput {
        TerminalInput {
            terminal_no: form.value("terminal_no"),
            merchant_id: self
                .merchants
                .get(form.choice("merchant"))
                .map_or(0, |m| m.id),
            serial_no: form.value("serial_no"),
            name: form.value("name"),
            location: form.value("location"),
            group_id: self.group_at(form.choice("group")),
        }
    }

    /// The list as the table shows it (and the export writes it).
    fn table_rows(&self, lang: Lang) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|t| {
                let merchant = self
                    .merchants
                    .iter()
                    .find(|m| m.id == t.merchant_id)
                    .map(|m| {
                        if lang == Lang::Zh || m.name_en.is_empty() {
                            m.name.clone()
                        } else {
                            m.name_en.clone()
                        }
                    })
                    .unwrap_or_default();
                let group = t
                    .group_id
                    .and_then(|g| self.groups.iter().find(|x| x.0 == g))
                    .map(|g| g.1.clone())
                    .unwrap_or_else(|| ta::NO_GROUP.get(lang).into());
                let status = if t.status == crate::domain::txn::TerminalStatus::Active {
                    ta::ACTIVE
                } else {
                    ta::DISABLED
                };
                vec![
                    t.terminal_no.clone(),
                    merchant,
                    t.name.clone(),
                    t.location.clone(),
                    t.serial_no.clone(),
                    group,
                    status.get(lang).into(),
                ]
            })
            .collect()
    }

    fn submit(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Some(d) = self.dialog.as_ref() else {
            return Outcome::none();
        };
        let input = self.input(&d.form);
        let r = match d.purpose {
            Purpose::Add => terminals::create_terminal(cx.env, cx.session, &input).map(|_| ()),
            Purpose::Edit(id) => terminals::update_terminal(cx.env, cx.session, id, &input),
            Purpose::Move(id) => terminals::move_terminal(
                cx.env,
                cx.session,
                id,
                self.group_at(d.form.choice("group")),
            ),
        };
        match r {
            Ok(()) => {
                self.dialog = None;
                let _ = self.load(cx);
                Outcome::ok(ta::SAVED.get(lang).into())
            }
            Err(e) => {
                if let Some(d) = self.dialog.as_mut() {
                    d.fail(&e, lang);
                }
                Outcome::none()
            }
        }
    }
}

impl Screen for Terminals {
    fn title(&self) -> T {
        ta::SCR_TERMINALS
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
            return match d.handle(k) {
                DialogEvent::Cancel => {
                    self.dialog = None;
                    Outcome::none()
                }
                DialogEvent::Submit => self.submit(cx),
                DialogEvent::None => Outcome::none(),
            };
        }
        if self.sel.handle(k, self.rows.len()) {
            return Outcome::none();
        }
        let sel = self.rows.get(self.sel.index).cloned();
        match (lookup(KEYS, k), sel) {
            (Some(Act::Shared(Action::Back)), _) => return Outcome::nav(Nav::Pop),
            (Some(Act::Add), _) => {
                let form = self.form(lang, None);
                self.dialog = Some(Dialog::new(
                    ta::ADD_TERMINAL.get(lang).into(),
                    form,
                    Purpose::Add,
                    lang,
                ));
            }
            (Some(Act::Edit), Some(t)) => {
                let form = self.form(lang, Some(&t));
                self.dialog = Some(Dialog::new(
                    format!("{} {}", ta::EDIT_TERMINAL.get(lang), t.terminal_no),
                    form,
                    Purpose::Edit(t.id),
                    lang,
                ));
            }
            (Some(Act::Move), Some(t)) => {
                let mut form = Form::new(vec![Field::choice_of(
                    "group",
                    ta::GROUP,
                    self.group_options(lang),
                )]);
                form.set_choice("group", self.group_index(t.group_id));
                self.dialog = Some(Dialog::new(
                    format!("{} {}", ta::MOVE_TERMINAL.get(lang), t.terminal_no),
                    form,
                    Purpose::Move(t.id),
                    lang,
                ));
            }
            (Some(Act::Toggle), Some(t)) => {
                let active = t.status == crate::domain::txn::TerminalStatus::Active;
                return match terminals::set_terminal_active(cx.env, cx.session, t.id, !active) {
                    Ok(()) => {
                        let _ = self.load(cx);
                        let msg = if active {
                            ta::WAS_DISABLED
                        } else {
                            ta::ENABLED
                        };
                        Outcome::ok(msg.get(lang).into())
                    }
                    Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
                };
            }
            _ => {}
        }
        Outcome::none()
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        match self.load(cx) {
            Ok(()) => Outcome::none(),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let rows = self.table_rows(cx.lang);
        let headers = [
            ta::TERMINAL_NO,
            ta::MERCHANT,
            ta::TERMINAL_NAME,
            ta::LOCATION,
            ta::SERIAL_NO,
            ta::GROUP,
            ta::STATUS,
        ];
        Some(super::downloads::export_text_table(
            cx,
            crate::domain::function::Function::TerminalManage,
            ta::SCR_TERMINALS,
            &headers,
            rows,
        ))
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let rows = self.table_rows(lang);
        let dim: Vec<bool> = self
            .rows
            .iter()
            .map(|t| t.status != crate::domain::txn::TerminalStatus::Active)
            .collect();
        let columns = [
            Column {
                header: ta::TERMINAL_NO.get(lang),
                width: Constraint::Length(9),
                right: false,
            },
            Column {
                header: ta::MERCHANT.get(lang),
                width: Constraint::Min(12),
                right: false,
            },
            Column {
                header: ta::TERMINAL_NAME.get(lang),
                width: Constraint::Length(11),
                right: false,
            },
            Column {
                header: ta::LOCATION.get(lang),
                width: Constraint::Length(8),
                right: false,
            },
            Column {
                header: ta::SERIAL_NO.get(lang),
                width: Constraint::Length(14),
                right: false,
            },
            Column {
                header: ta::GROUP.get(lang),
                width: Constraint::Min(10),
                right: false,
            },
            Column {
                header: ta::STATUS.get(lang),
                width: Constraint::Length(6),
                right: false,
            },
        ];
        let focus = table::draw(
            f,
            area,
            &table::TableView {
                title: ta::SCR_TERMINALS.get(lang),
                columns: &columns,
                rows: &rows,
                dim: &dim,
                selected: self.dialog.is_none().then_some(self.sel.index),
                empty: ta::NO_TERMINALS.get(lang),
            },
        );
        match &self.dialog {
            Some(d) => d.draw(f, area, lang),
            None => focus,
        }
    }
}
