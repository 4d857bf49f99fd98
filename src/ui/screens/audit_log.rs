//! 操作日志: the audit log, newest first, filtered by date, operator and action, with the
//! values before and after of any row.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::clock::format_ms;
use crate::excel::CellValue;
use crate::service::views::{AuditFilter, AuditRow};
use crate::service::{audit, dates, exports, ServiceError};
use crate::ui::action::Action;
use crate::ui::keymap;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::list::{self, Col, Kind, ListSpec, ListView, Show, Width};
use crate::ui::text::admin as ta;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::popup;
use crate::ui::widgets::table::Selection;

use super::downloads::list_sheet;
use super::{Cx, Nav, Outcome, Screen, View};

const PAGE: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Run,
    Older,
    Newest,
    Switch,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const LIST_KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Enter)],
        action: Act::Run,
        help: t::KEY_DETAIL,
    },
    Binding {
        keys: &[ch('n')],
        action: Act::Older,
        help: ta::KEY_NEXT_PAGE,
    },
    Binding {
        keys: &[ch('g')],
        action: Act::Newest,
        help: t::KEY_FIRST_PAGE,
    },
    Binding {
        keys: &[key(KeyCode::Tab), key(KeyCode::BackTab)],
        action: Act::Switch,
        help: t::KEY_TO_LIST,
    },
    Binding {
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

/// The audit log list, on screen and in the export.
pub static AUDIT_LIST: ListSpec<AuditRow> = ListSpec { cols: AUDIT_COLS };

const AUDIT_COLS: &[Col<AuditRow>] = &[
    Col {
        header: ta::AUDIT_TIME,
        kind: Kind::Time,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_ms(r.at_ms)[5..].to_string(),
        value: |r, _| CellValue::DateTime(r.at_ms),
    },
    Col {
        header: ta::AUDIT_OPERATOR,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |r, _| r.operator.clone(),
        value: |r, _| CellValue::text(r.operator.clone()),
    },
    Col {
        header: ta::AUDIT_WORKSTATION,
        kind: Kind::Text,
        width: Width::Shrink { min: 8 },
        show: Show::Both { priority: 4 },
        cell: |r, _| r.workstation.clone(),
        value: |r, _| CellValue::text(r.workstation.clone()),
    },
    Col {
        header: ta::AUDIT_ACTION,
        kind: Kind::Text,
        width: Width::Shrink { min: 12 },
        show: Show::Both { priority: 0 },
        cell: |r, lang| text::audit::action(&r.action, lang),
        value: |r, lang| CellValue::text(text::audit::action(&r.action, lang)),
    },
    Col {
        header: ta::AUDIT_TARGET,
        kind: Kind::Text,
        width: Width::Shrink { min: 8 },
        show: Show::Both { priority: 2 },
        cell: |r, _| r.target.clone(),
        value: |r, _| CellValue::text(r.target.clone()),
    },
    Col {
        header: ta::AUDIT_BEFORE,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Export,
        cell: |r, lang| text::audit::payload(&r.before, lang),
        value: |r, lang| CellValue::text(text::audit::payload(&r.before, lang)),
    },
    Col {
        header: ta::AUDIT_AFTER,
        kind: Kind::Text,
        width: Width::Shrink { min: 10 },
        show: Show::Both { priority: 3 },
        cell: |r, lang| text::audit::payload(&r.after, lang),
        value: |r, lang| CellValue::text(text::audit::payload(&r.after, lang)),
    },
    // The rows as written, for whoever checks the hash chain against the export.
    Col {
        header: ta::AUDIT_ACTION_CODE,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.action.clone(),
        value: |r, _| CellValue::text(r.action.clone()),
    },
    Col {
        header: ta::AUDIT_BEFORE_RAW,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.before.clone(),
        value: |r, _| CellValue::text(r.before.clone()),
    },
    Col {
        header: ta::AUDIT_AFTER_RAW,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.after.clone(),
        value: |r, _| CellValue::text(r.after.clone()),
    },
    Col {
        header: crate::ui::text::t::W_SHA_256,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| hex::encode(&r.hash),
        value: |r, _| CellValue::text(hex::encode(&r.hash)),
    },
];

pub struct AuditLog {
    form: Form,
    list_focus: bool,
    filter: AuditFilter,
    rows: Vec<AuditRow>,
    page: usize,
    sel: Selection,
    detail: bool,
}

impl AuditLog {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut form = Form::new(vec![
            Field::text("from_date", t::FROM_DATE),
            Field::text("to_date", t::TO_DATE),
            Field::text("operator", ta::AUDIT_OPERATOR),
            Field::text("action", ta::AUDIT_ACTION_PREFIX),
        ]);
        form.fit_labels(cx.lang);
        let mut s = AuditLog {
            form,
            list_focus: true,
            filter: AuditFilter::default(),
            rows: Vec::new(),
            page: 0,
            sel: Selection::default(),
            detail: false,
        };
        match audit::query(cx.env, cx.session, &s.filter, PAGE) {
            Ok(rows) => {
                s.rows = rows;
                Outcome::nav(Nav::Push(Box::new(s)))
            }
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn build_filter(&self, lang: Lang) -> Result<AuditFilter, ServiceError> {
        let (from_ms, to_ms) =
            dates::day_range(&self.form.value("from_date"), &self.form.value("to_date"))?;
        let text = |k: &str| {
            let v = self.form.value(k).trim().to_string();
            (!v.is_empty()).then_some(v)
        };
        Ok(AuditFilter {
            from_ms,
            to_ms,
            operator: text("operator"),
            // Typed as the screen shows actions (登录, Refund…) or as a code (refund.).
            action_prefix: text("action")
                .map(|a| crate::ui::text::audit::code_prefix_for(&a, lang).unwrap_or(a)),
            before_id: None,
        })
    }

    fn run(&mut self, cx: &mut Cx, filter: AuditFilter, page: usize) -> Outcome {
        match audit::query(cx.env, cx.session, &filter, PAGE) {
            Ok(rows) => {
                self.filter = filter;
                self.rows = rows;
                self.page = page;
                self.sel = Selection::default();
                self.list_focus = true;
                Outcome::none()
            }
            Err(e) => {
                // A refused query shows no result: the old one would read as the answer.
                self.rows.clear();
                self.sel = Selection::default();
                Outcome::error(cx.error_text(&e, |k| k.to_string()))
            }
        }
    }
}

impl Screen for AuditLog {
    fn title(&self) -> T {
        ta::SCR_AUDIT
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let mut v = help_lines(LIST_KEYS, lang);
        v.push(("Enter".into(), t::KEY_RUN_QUERY.get(lang).into()));
        v
    }

    fn editing_text(&self) -> bool {
        !self.list_focus && !self.detail
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        if self.detail {
            if keymap::is_back(k) || k.code == KeyCode::Enter {
                self.detail = false;
            }
            return Outcome::none();
        }
        if !self.list_focus {
            return match k.code {
                _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
                KeyCode::Enter => match self.build_filter(lang) {
                    Ok(f) => {
                        self.form.clear_marks();
                        self.run(cx, f, 0)
                    }
                    Err(e) => {
                        if let ServiceError::Invalid { field, problem } = &e {
                            self.form.mark(field, text::field_problem(problem, lang));
                        }
                        Outcome::error(text::error(&e, lang, |k| self.form.label_of(k, lang)))
                    }
                },
                _ => {
                    if self.form.field_key(k) {
                        self.list_focus = true;
                    }
                    Outcome::none()
                }
            };
        }
        if self.sel.handle(k, self.rows.len()) {
            return Outcome::none();
        }
        match lookup(LIST_KEYS, k) {
            Some(Act::Shared(Action::Back)) => Outcome::nav(Nav::Pop),
            Some(Act::Run) => {
                self.detail = !self.rows.is_empty();
                Outcome::none()
            }
            Some(Act::Switch) => {
                self.list_focus = false;
                Outcome::none()
            }
            Some(Act::Older) => match self.rows.last() {
                Some(last) if self.rows.len() == PAGE => {
                    let mut f = self.filter.clone();
                    f.before_id = Some(last.id);
                    let page = self.page + 1;
                    self.run(cx, f, page)
                }
                _ => Outcome::none(),
            },
            Some(Act::Newest) => {
                let mut f = self.filter.clone();
                f.before_id = None;
                self.run(cx, f, 0)
            }
            Some(Act::Shared(_)) | None => Outcome::none(),
        }
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        let f = self.filter.clone();
        let p = self.page;
        self.run(cx, f, p)
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let lang = cx.lang;
        // The recipe keeps the conditions, so 下载中心 can run the same export again.
        let filter = self.filter.clone();
        let recipe: exports::Rerun = std::sync::Arc::new(move |env, s, _run_ms| {
            let cols = AUDIT_LIST.columns(lang);
            let headers: Vec<&str> = cols.headers.iter().map(String::as_str).collect();
            let title: String = ta::SCR_AUDIT.get(lang).into();
            let sheet = list_sheet(lang, &title, &headers);
            exports::start_audit_export_with(env, s, &filter, sheet, cols)
        });
        let result = exports::start_remembered(cx.env, cx.session, cx.now_ms(), recipe);
        Some(super::downloads::started(cx, result))
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let cols = if area.width >= 110 { 4 } else { 2 };
        let fh = self.form.grid_height(cols);
        let [form_area, list_area, info] = super::query_layout(area, fh);
        let cursor = self
            .form
            .draw_grid(f, form_area, lang, !self.list_focus, cols);
        let focus = list::draw(
            f,
            list_area,
            &ListView {
                spec: &AUDIT_LIST,
                rows: &self.rows,
                totals: None,
                selected: self.list_focus.then_some(self.sel.index),
                cursor: self.sel.index,
                dim: |_| false,
                lang,
                empty: ta::AUDIT_EMPTY.get(lang),
                title: Some(ta::SCR_AUDIT.get(lang)),
                sort: None,
            },
        );
        let page_line = ta::AUDIT_PAGE
            .get(lang)
            .replace("{p}", &(self.page + 1).to_string())
            .replace("{n}", &PAGE.to_string());
        f.render_widget(
            Paragraph::new(Span::styled(page_line, theme::label())),
            info,
        );
        if self.detail {
            if let Some(r) = self.rows.get(self.sel.index) {
                let rect = popup::centered(area, 90, 14);
                let inner = popup::boxed(
                    f,
                    rect,
                    &format!("#{} {}", r.id, text::audit::action(&r.action, lang)),
                );
                let label = |t: T| Span::styled(format!("{}: ", t.get(lang)), theme::label());
                let lines = vec![
                    Line::from(vec![label(ta::AUDIT_TIME), Span::raw(format_ms(r.at_ms))]),
                    Line::from(vec![
                        label(ta::AUDIT_OPERATOR),
                        Span::raw(r.operator.clone()),
                    ]),
                    Line::from(vec![
                        label(ta::AUDIT_WORKSTATION),
                        Span::raw(r.workstation.clone()),
                    ]),
                    Line::from(vec![label(ta::AUDIT_TARGET), Span::raw(r.target.clone())]),
                    Line::from(vec![
                        label(ta::AUDIT_BEFORE),
                        Span::raw(text::audit::payload(&r.before, lang)),
                    ]),
                    Line::from(vec![
                        label(ta::AUDIT_AFTER),
                        Span::raw(text::audit::payload(&r.after, lang)),
                    ]),
                    Line::from(vec![Span::styled(
                        format!("SHA-256 {}", hex::encode(&r.hash)),
                        theme::dim(),
                    )]),
                ];
                f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
            }
        }
        if self.list_focus {
            focus
        } else {
            cursor
        }
    }
}
