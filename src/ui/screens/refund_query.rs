//! 退货申请查询 (R5) and 待清算退货列表 (R6): refund applications by date, status, terminal,
//! applicant and reference number, newest first, each with its history.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::domain::refund::RefundStatus;
use crate::service::views::{RefundEvent, RefundFilter, RefundRow};
use crate::service::{dates, exports, refunds, ServiceError};
use crate::ui::text::review as tr;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::table::{self, Column, Selection};

use super::downloads::list_sheet;
use super::{refund_detail, Cx, Nav, Outcome, Screen, View};

const STATUS_OPTIONS: &[T] = &[
    t::ALL,
    tr::ST_PENDING_REVIEW,
    tr::ST_REJECTED,
    tr::ST_SUBMITTED,
    tr::ST_PENDING_CLEARING,
    tr::ST_COMPLETED,
];

pub struct RefundQuery {
    /// The filter of the rows on screen (what Ctrl+E exports).
    shown: RefundFilter,
    title: T,
    form: Form,
    list_focus: bool,
    rows: Vec<RefundRow>,
    sel: Selection,
    detail: Option<(RefundRow, Vec<RefundEvent>)>,
}

impl RefundQuery {
    fn new(lang: Lang, title: T) -> RefundQuery {
        let mut form = Form::new(vec![
            Field::text("from_date", t::FROM_DATE),
            Field::text("to_date", t::TO_DATE),
            Field::choice("status", tr::STATUS, STATUS_OPTIONS.to_vec()),
            Field::text("terminal_no", t::TERMINAL),
            Field::text("applicant", tr::APPLICANT),
            Field::text("rrn", t::RRN),
        ]);
        form.fit_labels(lang);
        RefundQuery {
            shown: RefundFilter::default(),
            title,
            form,
            list_focus: true,
            rows: Vec::new(),
            sel: Selection::default(),
            detail: None,
        }
    }

    pub fn open(cx: &mut Cx) -> Outcome {
        let mut s = RefundQuery::new(cx.lang, tr::SCR_QUERY);
        let o = s.run(cx);
        if o.message.is_some() {
            return o;
        }
        Outcome::nav(Nav::Push(Box::new(s)))
    }

    /// The pending clearing list: the query preset to 待清算.
    pub fn open_pending_clearing(cx: &mut Cx) -> Outcome {
        let mut s = RefundQuery::new(cx.lang, tr::SCR_PENDING_CLEARING);
        s.form.set_choice("status", 4);
        let o = s.run(cx);
        if o.message.is_some() {
            return o;
        }
        Outcome::nav(Nav::Push(Box::new(s)))
    }

    fn filter(&self) -> Result<RefundFilter, ServiceError> {
        let (from_ms, to_ms) =
            dates::day_range(&self.form.value("from_date"), &self.form.value("to_date"))?;
        let text = |k: &str| {
            let v = self.form.value(k).trim().to_string();
            (!v.is_empty()).then_some(v)
        };
        let st = self.form.choice("status");
        Ok(RefundFilter {
            from_ms,
            to_ms,
            statuses: if st == 0 {
                Vec::new()
            } else {
                vec![RefundStatus::ALL[st - 1]]
            },
            terminal_no: text("terminal_no"),
            applicant: text("applicant"),
            rrn: text("rrn"),
            ..Default::default()
        })
    }

    fn run(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let result = self
            .filter()
            .and_then(|f| refunds::query(cx.env, cx.session, &f).map(|rows| (f, rows)));
        match result {
            Ok((f, rows)) => {
                self.shown = f;
                self.form.clear_marks();
                self.rows = rows;
                self.sel = Selection::default();
                Outcome::none()
            }
            Err(e) => {
                if let ServiceError::Invalid { field, problem } = &e {
                    self.form.mark(field, text::field_problem(problem, lang));
                    self.list_focus = false;
                }
                Outcome::error(text::error(&e, lang, |k| self.form.label_of(k, lang)))
            }
        }
    }
}

impl Screen for RefundQuery {
    fn title(&self) -> T {
        self.title
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        vec![
            ("Enter".into(), t::KEY_DETAIL.get(lang).into()),
            ("Tab".into(), t::KEY_TO_LIST.get(lang).into()),
            ("F5".into(), t::KEY_REFRESH.get(lang).into()),
            ("Esc".into(), t::KEY_BACK.get(lang).into()),
        ]
    }

    fn editing_text(&self) -> bool {
        !self.list_focus && self.detail.is_none() && self.form.editing_text()
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if self.detail.is_some() {
            if matches!(k.code, KeyCode::Esc | KeyCode::Enter) {
                self.detail = None;
            }
            return Outcome::none();
        }
        if !self.list_focus {
            return match k.code {
                KeyCode::Esc => {
                    self.list_focus = true;
                    Outcome::none()
                }
                KeyCode::Enter => {
                    let o = self.run(cx);
                    if o.message.is_none() {
                        self.list_focus = true;
                    }
                    o
                }
                KeyCode::Tab if self.form.is_last() => {
                    self.list_focus = true;
                    Outcome::none()
                }
                KeyCode::Tab | KeyCode::Down => {
                    self.form.next();
                    Outcome::none()
                }
                KeyCode::BackTab | KeyCode::Up => {
                    self.form.prev();
                    Outcome::none()
                }
                _ => {
                    self.form.input(k);
                    Outcome::none()
                }
            };
        }
        if self.sel.handle(k, self.rows.len()) {
            return Outcome::none();
        }
        match k.code {
            KeyCode::Esc => Outcome::nav(Nav::Pop),
            KeyCode::Tab | KeyCode::BackTab => {
                self.list_focus = false;
                Outcome::none()
            }
            KeyCode::Enter => match self.rows.get(self.sel.index) {
                Some(r) => match refunds::detail(cx.env, cx.session, r.id) {
                    Ok(d) => {
                        self.detail = Some(d);
                        Outcome::none()
                    }
                    Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
                },
                None => Outcome::none(),
            },
            _ => Outcome::none(),
        }
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.run(cx)
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let lang = cx.lang;
        let headers = [
            tr::ID,
            tr::APPLIED_AT,
            t::RRN,
            t::MERCHANT_NAME,
            t::TERMINAL,
            t::TXN_AMOUNT,
            tr::AMOUNT,
            tr::STATUS,
            tr::APPLICANT,
            tr::REVIEWER,
            tr::REMARK,
            tr::REFUND_ORDER_NO,
        ];
        let headers: Vec<&str> = headers.iter().map(|h| h.get(lang)).collect();
        let title: String = self.title.get(lang).into();
        let sheet = list_sheet(lang, &title, &headers);
        let result = exports::start_refund_export(cx.env, cx.session, &self.shown, sheet);
        Some(super::downloads::started(cx, result))
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let cols = if area.width >= 110 { 3 } else { 2 };
        let fh = self.form.grid_height(cols);
        let [form_area, list, info] = super::query_layout(area, fh);
        let cursor = self
            .form
            .draw_grid(f, form_area, lang, !self.list_focus, cols);
        // At 80 columns the year and the reviewer give way, so the reference number stays whole.
        let wide = area.width >= 100;
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                let time = format_ms(r.applied_ms);
                let mut row = vec![
                    format!("#{}", r.id),
                    if wide {
                        time[..16].to_string()
                    } else {
                        time[5..16].to_string()
                    },
                    r.rrn.clone(),
                    r.terminal_no.clone(),
                    format_fen(r.amount_fen),
                    tr::refund_status(&r.status).get(lang).into(),
                    r.applicant.clone(),
                ];
                if wide {
                    row.push(r.reviewer.clone().unwrap_or_default());
                }
                row
            })
            .collect();
        let mut columns = vec![
            Column {
                header: tr::ID.get(lang),
                width: Constraint::Length(5),
                right: false,
            },
            Column {
                header: tr::APPLIED_AT.get(lang),
                width: Constraint::Length(if wide { 16 } else { 11 }),
                right: false,
            },
            Column {
                header: t::RRN.get(lang),
                width: Constraint::Length(12),
                right: false,
            },
            Column {
                header: t::TERMINAL.get(lang),
                width: Constraint::Length(8),
                right: false,
            },
            Column {
                header: tr::AMOUNT.get(lang),
                width: Constraint::Length(11),
                right: true,
            },
            Column {
                header: tr::STATUS.get(lang),
                width: Constraint::Length(12),
                right: false,
            },
            Column {
                header: tr::APPLICANT.get(lang),
                width: Constraint::Min(8),
                right: false,
            },
        ];
        if wide {
            columns.push(Column {
                header: tr::REVIEWER.get(lang),
                width: Constraint::Min(8),
                right: false,
            });
        }
        let focus = table::draw(
            f,
            list,
            &table::TableView {
                title: self.title.get(lang),
                columns: &columns,
                rows: &rows,
                dim: &[],
                selected: (self.list_focus && self.detail.is_none()).then_some(self.sel.index),
                empty: tr::NO_REFUNDS.get(lang),
            },
        );
        let total: i64 = self.rows.iter().map(|r| r.amount_fen).sum();
        let line = format!(
            "{} {}  {} {}",
            self.rows.len(),
            if lang == Lang::Zh { "笔" } else { "rows" },
            tr::AMOUNT.get(lang),
            format_fen(total)
        );
        f.render_widget(Paragraph::new(Span::styled(line, theme::label())), info);
        if let Some((row, events)) = &self.detail {
            refund_detail::draw(f, area, lang, row, events);
        }
        if self.list_focus {
            focus
        } else {
            cursor
        }
    }
}
