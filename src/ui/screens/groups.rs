//! 终端组管理 (SY4): terminal groups; add, rename, delete (members go back to no group), and the
//! members of a group, added and removed with Space.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::Frame;

use crate::service::terminals;
use crate::service::views::TerminalRow;
use crate::ui::action::Action;
use crate::ui::keymap;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::text::admin as ta;
use crate::ui::text::{t, Lang, T};
use crate::ui::widgets::dialog::{Dialog, DialogEvent};
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::table::{self, Column, Selection};

use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Add,
    Rename,
    Delete,
    Members,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Enter)],
        action: Act::Members,
        help: ta::KEY_MEMBERS,
    },
    Binding {
        keys: &[ch('a')],
        action: Act::Add,
        help: ta::KEY_ADD,
    },
    Binding {
        keys: &[ch('r')],
        action: Act::Rename,
        help: ta::KEY_RENAME,
    },
    Binding {
        keys: &[key(KeyCode::Delete), ch('x')],
        action: Act::Delete,
        help: ta::KEY_DELETE,
    },
    Binding {
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

enum Purpose {
    Add,
    Rename(i64),
}

pub struct Groups {
    groups: Vec<(i64, String, i64)>,
    terminals: Vec<TerminalRow>,
    sel: Selection,
    dialog: Option<Dialog<Purpose>>,
    confirm_delete: Option<i64>,
    /// The group whose members are shown, and the selection among all terminals.
    members: Option<(i64, Selection)>,
}

impl Groups {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut s = Groups {
            groups: Vec::new(),
            terminals: Vec::new(),
            sel: Selection::default(),
            dialog: None,
            confirm_delete: None,
            members: None,
        };
        match s.load(cx) {
            Ok(()) => Outcome::nav(Nav::Push(Box::new(s))),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn load(&mut self, cx: &mut Cx) -> crate::service::ServiceResult<()> {
        self.groups = terminals::groups(cx.env, cx.session)?;
        self.terminals = terminals::terminals(cx.env, cx.session)?;
        self.sel.clamp(self.groups.len());
        Ok(())
    }

    fn fail(cx: &Cx, e: crate::service::ServiceError) -> Outcome {
        Outcome::error(cx.error_text(&e, |k| k.to_string()))
    }

    fn handle_members(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let Some((gid, mut sel)) = self.members else {
            return Outcome::none();
        };
        if keymap::is_back(k) {
            self.members = None;
            return Outcome::none();
        }
        if sel.handle(k, self.terminals.len()) {
            self.members = Some((gid, sel));
            return Outcome::none();
        }
        if k.code == KeyCode::Char(' ') || k.code == KeyCode::Enter {
            if let Some(t) = self.terminals.get(sel.index).cloned() {
                let target = if t.group_id == Some(gid) {
                    None
                } else {
                    Some(gid)
                };
                return match terminals::move_terminal(cx.env, cx.session, t.id, target) {
                    Ok(()) => {
                        let _ = self.load(cx);
                        Outcome::ok(ta::SAVED.get(cx.lang).into())
                    }
                    Err(e) => Self::fail(cx, e),
                };
            }
        }
        Outcome::none()
    }
}

impl Screen for Groups {
    fn title(&self) -> T {
        ta::SCR_GROUPS
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        if self.members.is_some() {
            return vec![
                ("Space/Enter".into(), ta::KEY_TOGGLE_MEMBER.get(lang).into()),
                ("Esc".into(), t::KEY_BACK.get(lang).into()),
            ];
        }
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
                    let name = d.form.value("name");
                    let r = match d.purpose {
                        Purpose::Add => {
                            terminals::create_group(cx.env, cx.session, &name).map(|_| ())
                        }
                        Purpose::Rename(id) => {
                            terminals::rename_group(cx.env, cx.session, id, &name)
                        }
                    };
                    match r {
                        Ok(()) => {
                            self.dialog = None;
                            let _ = self.load(cx);
                            return Outcome::ok(ta::SAVED.get(lang).into());
                        }
                        Err(e) => d.fail(&e, lang),
                    }
                }
            }
            return Outcome::none();
        }
        if self.members.is_some() {
            return self.handle_members(k, cx);
        }
        if let Some(id) = self.confirm_delete.take() {
            if k.code == KeyCode::Char('y') {
                return match terminals::delete_group(cx.env, cx.session, id) {
                    Ok(()) => {
                        let _ = self.load(cx);
                        Outcome::ok(ta::DELETED.get(lang).into())
                    }
                    Err(e) => Self::fail(cx, e),
                };
            }
            return Outcome::none();
        }
        if self.sel.handle(k, self.groups.len()) {
            return Outcome::none();
        }
        let sel = self.groups.get(self.sel.index).cloned();
        match (lookup(KEYS, k), sel) {
            (Some(Act::Shared(Action::Back)), _) => return Outcome::nav(Nav::Pop),
            (Some(Act::Add), _) => {
                self.dialog = Some(Dialog::new(
                    ta::ADD_GROUP.get(lang).into(),
                    Form::new(vec![Field::text("name", ta::GROUP_NAME)]),
                    Purpose::Add,
                    lang,
                ));
            }
            (Some(Act::Rename), Some(g)) => {
                let mut form = Form::new(vec![Field::text("name", ta::GROUP_NAME)]);
                form.set_value("name", &g.1);
                self.dialog = Some(Dialog::new(
                    ta::RENAME_GROUP.get(lang).into(),
                    form,
                    Purpose::Rename(g.0),
                    lang,
                ));
            }
            (Some(Act::Delete), Some(g)) => {
                self.confirm_delete = Some(g.0);
                return Outcome::error(ta::CONFIRM_DELETE.get(lang).replace("{name}", &g.1));
            }
            (Some(Act::Members), Some(g)) => {
                self.members = Some((g.0, Selection::default()));
            }
            _ => {}
        }
        Outcome::none()
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        match self.load(cx) {
            Ok(()) => Outcome::none(),
            Err(e) => Self::fail(cx, e),
        }
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        use crate::excel::{CellValue, ColKind};
        let lang = cx.lang;
        // One row per terminal with its group, so the sheet shows the members too.
        let cells = self
            .terminals
            .iter()
            .map(|t| {
                let group = t
                    .group_id
                    .and_then(|g| self.groups.iter().find(|x| x.0 == g))
                    .map(|g| g.1.clone())
                    .unwrap_or_else(|| ta::NO_GROUP.get(lang).into());
                vec![
                    CellValue::text(group),
                    CellValue::text(t.terminal_no.clone()),
                    CellValue::text(t.name.clone()),
                ]
            })
            .collect();
        let headers = [
            ta::GROUP_NAME.get(lang),
            ta::TERMINAL_NO.get(lang),
            ta::TERMINAL_NAME.get(lang),
        ];
        Some(super::downloads::export_list(
            cx,
            crate::domain::function::Function::TerminalManage,
            ta::SCR_GROUPS.get(lang),
            &headers,
            &[ColKind::Text; 3],
            cells,
        ))
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        if let Some((gid, sel)) = self.members {
            let name = self
                .groups
                .iter()
                .find(|g| g.0 == gid)
                .map(|g| g.1.clone())
                .unwrap_or_default();
            let rows: Vec<Vec<String>> = self
                .terminals
                .iter()
                .map(|t| {
                    let other = t
                        .group_id
                        .filter(|g| *g != gid)
                        .and_then(|g| self.groups.iter().find(|x| x.0 == g))
                        .map(|g| g.1.clone())
                        .unwrap_or_default();
                    vec![
                        if t.group_id == Some(gid) {
                            "[x]"
                        } else {
                            "[ ]"
                        }
                        .to_string(),
                        t.terminal_no.clone(),
                        t.name.clone(),
                        other,
                    ]
                })
                .collect();
            let columns = [
                Column {
                    header: ta::IN_GROUP.get(lang),
                    width: Constraint::Length(8),
                    right: false,
                },
                Column {
                    header: ta::TERMINAL_NO.get(lang),
                    width: Constraint::Length(9),
                    right: false,
                },
                Column {
                    header: ta::TERMINAL_NAME.get(lang),
                    width: Constraint::Length(12),
                    right: false,
                },
                Column {
                    header: ta::GROUP.get(lang),
                    width: Constraint::Min(10),
                    right: false,
                },
            ];
            return table::draw(
                f,
                area,
                &table::TableView {
                    title: &ta::MEMBERS_OF.get(lang).replace("{name}", &name),
                    columns: &columns,
                    rows: &rows,
                    dim: &[],
                    selected: Some(sel.index),
                    empty: ta::NO_TERMINALS.get(lang),
                },
            );
        }
        let rows: Vec<Vec<String>> = self
            .groups
            .iter()
            .map(|g| vec![g.1.clone(), g.2.to_string()])
            .collect();
        let columns = [
            Column {
                header: ta::GROUP_NAME.get(lang),
                width: Constraint::Min(20),
                right: false,
            },
            Column {
                header: ta::MEMBERS.get(lang),
                width: Constraint::Length(8),
                right: true,
            },
        ];
        let focus = table::draw(
            f,
            area,
            &table::TableView {
                title: ta::SCR_GROUPS.get(lang),
                columns: &columns,
                rows: &rows,
                dim: &[],
                selected: self.dialog.is_none().then_some(self.sel.index),
                empty: ta::NO_GROUPS.get(lang),
            },
        );
        match &self.dialog {
            Some(d) => d.draw(f, area, lang),
            None => focus,
        }
    }
}
