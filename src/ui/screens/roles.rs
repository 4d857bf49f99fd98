//! 角色与功能 (SY1): the role–function matrix. Space ticks a function for the role under the
//! cursor and saves at once; the administrator role stays whole.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;

use crate::domain::function::Function;
use crate::service::admin;
use crate::service::views::RoleRow;
use crate::ui::action::Action;
use crate::ui::keymap;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::text::admin as ta;
use crate::ui::text::{function_name, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::dialog::{Dialog, DialogEvent};
use crate::ui::widgets::form::{Field, Form};
use unicode_width::UnicodeWidthStr;

use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Toggle,
    Add,
    Rename,
    Delete,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Char(' '))],
        action: Act::Toggle,
        help: ta::KEY_TOGGLE_FUNCTION,
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

pub struct Roles {
    roles: Vec<RoleRow>,
    /// Cursor: function row and role column.
    row: usize,
    col: usize,
    dialog: Option<Dialog<Purpose>>,
    /// A role waiting for `y` to be deleted.
    confirm_delete: Option<i64>,
}

impl Roles {
    pub fn open(cx: &mut Cx) -> Outcome {
        match admin::roles(cx.env, cx.session) {
            Ok(roles) => Outcome::nav(Nav::Push(Box::new(Roles {
                roles,
                row: 0,
                col: 0,
                dialog: None,
                confirm_delete: None,
            }))),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn reload(&mut self, cx: &mut Cx) {
        if let Ok(r) = admin::roles(cx.env, cx.session) {
            self.roles = r;
            self.col = self.col.min(self.roles.len().saturating_sub(1));
        }
    }

    fn name(r: &RoleRow, lang: Lang) -> &str {
        if lang == Lang::En && !r.name_en.is_empty() {
            &r.name_en
        } else {
            &r.name
        }
    }

    fn fail(cx: &Cx, e: crate::service::ServiceError) -> Outcome {
        Outcome::error(cx.error_text(&e, |k| k.to_string()))
    }
}

impl Screen for Roles {
    fn title(&self) -> T {
        ta::SCR_ROLES
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let mut v = vec![
            ("←→".to_string(), ta::KEY_ROLE_COLUMN.get(lang).to_string()),
            ("↑↓".to_string(), t::KEY_MOVE.get(lang).to_string()),
        ];
        v.extend(help_lines(KEYS, lang));
        v
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
                            admin::create_role(cx.env, cx.session, &name, &BTreeSet::new())
                                .map(|_| ())
                        }
                        Purpose::Rename(id) => admin::rename_role(cx.env, cx.session, id, &name),
                    };
                    match r {
                        Ok(()) => {
                            self.dialog = None;
                            self.reload(cx);
                            return Outcome::ok(ta::SAVED.get(lang).into());
                        }
                        Err(e) => d.fail(&e, lang),
                    }
                }
            }
            return Outcome::none();
        }
        if let Some(id) = self.confirm_delete.take() {
            if k.code == KeyCode::Char('y') {
                return match admin::delete_role(cx.env, cx.session, id) {
                    Ok(()) => {
                        self.reload(cx);
                        Outcome::ok(ta::DELETED.get(lang).into())
                    }
                    Err(e) => Self::fail(cx, e),
                };
            }
            return Outcome::none();
        }
        let n_fn = Function::ALL.len();
        match k.code {
            _ if keymap::is_up(k) => self.row = self.row.saturating_sub(1),
            _ if keymap::is_down(k) => self.row = (self.row + 1).min(n_fn - 1),
            KeyCode::Left | KeyCode::Char('h') => self.col = self.col.saturating_sub(1),
            KeyCode::Right | KeyCode::Char('l') => {
                self.col = (self.col + 1).min(self.roles.len().saturating_sub(1))
            }
            KeyCode::Home => self.row = 0,
            KeyCode::End => self.row = n_fn - 1,
            _ => {}
        }
        let Some(role) = self.roles.get(self.col).cloned() else {
            return Outcome::none();
        };
        match lookup(KEYS, k) {
            Some(Act::Shared(Action::Back)) => return Outcome::nav(Nav::Pop),
            Some(Act::Toggle) => {
                let f = Function::ALL[self.row];
                let mut set: BTreeSet<Function> = role
                    .functions
                    .iter()
                    .filter_map(|c| Function::from_code(c))
                    .collect();
                if !set.remove(&f) {
                    set.insert(f);
                }
                return match admin::set_role_functions(cx.env, cx.session, role.id, &set) {
                    Ok(()) => {
                        self.reload(cx);
                        Outcome::ok(ta::SAVED.get(lang).into())
                    }
                    Err(e) => Self::fail(cx, e),
                };
            }
            Some(Act::Add) => {
                let form = Form::new(vec![Field::text("name", ta::ROLE_NAME)]);
                self.dialog = Some(Dialog::new(
                    ta::ADD_ROLE.get(lang).into(),
                    form,
                    Purpose::Add,
                    lang,
                ));
            }
            Some(Act::Rename) => {
                let mut form = Form::new(vec![Field::text("name", ta::ROLE_NAME)]);
                form.set_value("name", &role.name);
                self.dialog = Some(Dialog::new(
                    ta::RENAME_ROLE.get(lang).into(),
                    form,
                    Purpose::Rename(role.id),
                    lang,
                ));
            }
            Some(Act::Delete) => {
                self.confirm_delete = Some(role.id);
                return Outcome::error(
                    ta::CONFIRM_DELETE
                        .get(lang)
                        .replace("{name}", Self::name(&role, lang)),
                );
            }
            Some(Act::Shared(_)) | None => {}
        }
        Outcome::none()
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.reload(cx);
        Outcome::none()
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        use crate::excel::{CellValue, ColKind};
        let lang = cx.lang;
        let mut headers = vec![ta::FUNCTION.get(lang).to_string()];
        headers.extend(self.roles.iter().map(|r| Self::name(r, lang).to_string()));
        let cells = Function::ALL
            .iter()
            .map(|f| {
                let mut row = vec![CellValue::text(function_name(*f).get(lang))];
                row.extend(self.roles.iter().map(|r| {
                    CellValue::text(if r.functions.iter().any(|c| c == f.code()) {
                        "✓"
                    } else {
                        ""
                    })
                }));
                row
            })
            .collect();
        let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
        let kinds = vec![ColKind::Text; headers.len()];
        Some(super::downloads::export_list(
            cx,
            Function::RoleManage,
            ta::SCR_ROLES.get(lang),
            &headers,
            &kinds,
            cells,
        ))
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [grid, foot] =
            Layout::vertical([Constraint::Min(5), Constraint::Length(2)]).areas(area);
        // Columns as wide as the longest names in this language, within reason.
        let fn_w = Function::ALL
            .iter()
            .map(|f| function_name(*f).get(lang).width())
            .max()
            .unwrap_or(12)
            .clamp(12, 24) as u16
            + 1;
        let col_w = self
            .roles
            .iter()
            .map(|r| Self::name(r, lang).width())
            .max()
            .unwrap_or(8)
            .clamp(8, 20) as u16;
        // Show as many role columns as fit, keeping the cursor's column in view.
        let fit = ((grid.width.saturating_sub(fn_w + 2)) / (col_w + 1)).max(1) as usize;
        let first = self.col.saturating_sub(fit - 1);
        let shown: Vec<(usize, &RoleRow)> = self
            .roles
            .iter()
            .enumerate()
            .skip(first)
            .take(fit)
            .collect();
        let mut header = vec![Cell::from(ta::FUNCTION.get(lang))];
        for (i, r) in &shown {
            let style = if *i == self.col {
                theme::focused()
            } else {
                theme::header()
            };
            header.push(Cell::from(Span::styled(
                Self::name(r, lang).to_string(),
                style,
            )));
        }
        let rows = Function::ALL.iter().enumerate().map(|(ri, func)| {
            let mut cells = vec![Cell::from(Span::styled(
                function_name(*func).get(lang),
                if ri == self.row {
                    theme::focused()
                } else {
                    theme::label()
                },
            ))];
            for (ci, r) in &shown {
                let on = r.functions.iter().any(|c| c == func.code());
                let mark = if on { "  ✓" } else { "  ·" };
                let style = if ri == self.row && *ci == self.col && self.dialog.is_none() {
                    theme::selected()
                } else if on {
                    theme::ok()
                } else {
                    theme::dim()
                };
                cells.push(Cell::from(Span::styled(mark, style)));
            }
            Row::new(cells)
        });
        let mut widths = vec![Constraint::Length(fn_w)];
        widths.extend(shown.iter().map(|_| Constraint::Length(col_w)));
        f.render_widget(
            Table::new(rows, widths).header(Row::new(header)).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" {} ", ta::SCR_ROLES.get(lang))),
            ),
            grid,
        );
        if let Some(r) = self.roles.get(self.col) {
            let mut spans = vec![
                Span::styled(format!("{}: ", Self::name(r, lang)), theme::header()),
                Span::styled(format!("{}: ", ta::HOLDERS.get(lang)), theme::label()),
                Span::raw(r.holders.join(", ")),
            ];
            if r.builtin {
                spans.push(Span::styled(
                    format!("  ({})", ta::BUILTIN.get(lang)),
                    theme::dim(),
                ));
            }
            f.render_widget(
                Paragraph::new(Line::from(spans)).style(Style::default()),
                foot,
            );
        }
        let cursor_x = grid.x + 1 + fn_w + 1 + ((self.col - first) as u16) * (col_w + 1);
        let pos = Position::new(cursor_x, grid.y + 2 + self.row as u16);
        match &self.dialog {
            Some(d) => d.draw(f, area, lang),
            None => Some(pos),
        }
    }
}
