//! 退货申请查询 (R5) and 待清算退货列表 (R6): refund applications by date, status, terminal,
//! applicant and reference number, newest first, each with its history.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::domain::refund::RefundStatus;
use crate::excel::CellValue;
use crate::service::views::{RefundEvent, RefundFilter, RefundRow};
use crate::service::{dates, exports, refunds, ServiceError};
use crate::ui::keymap;
use crate::ui::list::{self, Col, Kind, ListSpec, ListView, Show, Width};
use crate::ui::query::{FormKey, QueryList};
use crate::ui::text::review as tr;
use crate::ui::text::{t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};

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

/// The refund application list, on screen and in the export (R5).
pub static REFUND_LIST: ListSpec<RefundRow> = ListSpec { cols: REFUND_COLS };

const REFUND_COLS: &[Col<RefundRow>] = &[
    Col {
        header: tr::ID,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format!("#{}", r.id),
        value: |r, _| CellValue::Int(r.id),
    },
    Col {
        header: tr::APPLIED_AT,
        kind: Kind::Time,
        width: Width::Content,
        show: Show::Both { priority: 2 },
        cell: |r, _| format_ms(r.applied_ms)[5..16].to_string(),
        value: |r, _| CellValue::DateTime(r.applied_ms),
    },
    Col {
        header: t::RRN,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| r.rrn.clone(),
        value: |r, _| CellValue::text(r.rrn.clone()),
    },
    Col {
        header: t::MERCHANT_NAME,
        kind: Kind::Text,
        width: Width::Name { min: 6 },
        show: Show::Both { priority: 7 },
        cell: |r, _| r.merchant_name.clone(),
        value: |r, _| CellValue::text(r.merchant_name.clone()),
    },
    Col {
        header: t::TERMINAL,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 3 },
        cell: |r, _| r.terminal_no.clone(),
        value: |r, _| CellValue::text(r.terminal_no.clone()),
    },
    Col {
        header: t::TXN_AMOUNT,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 5 },
        cell: |r, _| format_fen(r.txn_amount_fen),
        value: |r, _| CellValue::Money(r.txn_amount_fen),
    },
    Col {
        header: tr::AMOUNT,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_fen(r.amount_fen),
        value: |r, _| CellValue::Money(r.amount_fen),
    },
    Col {
        header: tr::STATUS,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |r, lang| tr::refund_status(&r.status).get(lang).to_string(),
        value: |r, lang| CellValue::text(tr::refund_status(&r.status).get(lang)),
    },
    Col {
        header: tr::APPLICANT,
        kind: Kind::Text,
        width: Width::Shrink { min: 6 },
        show: Show::Both { priority: 4 },
        cell: |r, _| r.applicant.clone(),
        value: |r, _| CellValue::text(r.applicant.clone()),
    },
    Col {
        header: tr::REVIEWER,
        kind: Kind::Text,
        width: Width::Shrink { min: 6 },
        show: Show::Both { priority: 6 },
        cell: |r, _| r.reviewer.clone().unwrap_or_default(),
        value: |r, _| r.reviewer.clone().map_or(CellValue::Empty, CellValue::text),
    },
    Col {
        header: tr::REMARK,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.remark.clone(),
        value: |r, _| CellValue::text(r.remark.clone()),
    },
    Col {
        header: tr::REFUND_ORDER_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Export,
        cell: |r, _| r.refund_order_no.clone().unwrap_or_default(),
        value: |r, _| {
            r.refund_order_no
                .clone()
                .map_or(CellValue::Empty, CellValue::text)
        },
    },
];

pub struct RefundQuery {
    /// The filter of the rows on screen (what Ctrl+E exports).
    shown: RefundFilter,
    /// The conditions, the rows found, their order and what ran.
    q: QueryList<RefundRow>,
    title: T,
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
            q: QueryList::new(form),
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
        s.q.form.set_choice("status", 4);
        let o = s.run(cx);
        if o.message.is_some() {
            return o;
        }
        Outcome::nav(Nav::Push(Box::new(s)))
    }

    fn filter(&self) -> Result<RefundFilter, ServiceError> {
        let (from_ms, to_ms) = dates::day_range(
            &self.q.form.value("from_date"),
            &self.q.form.value("to_date"),
        )?;
        let text = |k: &str| {
            let v = self.q.form.value(k).trim().to_string();
            (!v.is_empty()).then_some(v)
        };
        let st = self.q.form.choice("status");
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
            .and_then(|f| refunds::query(cx.env, cx.session, &f).map(|rows| (f, rows)))
            .map(|(f, rows)| {
                self.shown = f;
                rows
            });
        let conditions = self.q.form.conditions(lang);
        self.q
            .answer(result, &REFUND_LIST, lang, cx.now_ms(), conditions)
    }
}

impl Screen for RefundQuery {
    fn title(&self) -> T {
        self.title
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let mut v = vec![("Enter".into(), t::KEY_DETAIL.get(lang).into())];
        v.extend(QueryList::<RefundRow>::help(lang));
        v
    }

    fn editing_text(&self) -> bool {
        !self.q.list_focus && self.detail.is_none() && self.q.form.editing_text()
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if self.detail.is_some() {
            if keymap::is_back(k) || k.code == KeyCode::Enter {
                self.detail = None;
            }
            return Outcome::none();
        }
        if !self.q.list_focus {
            return match self.q.form_key(k) {
                FormKey::Run => {
                    let o = self.run(cx);
                    self.q.after_run(o)
                }
                FormKey::Done => Outcome::none(),
            };
        }
        if self.q.list_key(k) {
            return Outcome::none();
        }
        match k.code {
            _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
            KeyCode::Char('s') => {
                // Back to the order the query gives: newest first.
                self.q.next_sort(&REFUND_LIST, cx.lang, |rows| {
                    rows.sort_by_key(|r| std::cmp::Reverse(r.id))
                });
                Outcome::none()
            }
            KeyCode::Enter => match self.q.rows.get(self.q.sel.index) {
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
        let Some((conditions, run_ms)) = &self.q.ran else {
            return Some(Outcome::error(
                crate::ui::text::query::EXPORT_NOTHING.get(lang).into(),
            ));
        };
        // The recipe keeps the conditions, so 下载中心 can run the same export again.
        let (title, filter, conditions) = (self.title, self.shown.clone(), conditions.clone());
        let recipe: exports::Rerun = std::sync::Arc::new(move |env, s, run_ms| {
            let mut cols = REFUND_LIST.columns(lang);
            cols.preamble = list::preamble(title.get(lang), &conditions, run_ms, lang);
            let title: String = title.get(lang).into();
            let headers: Vec<&str> = cols.headers.iter().map(String::as_str).collect();
            let sheet = list_sheet(lang, &title, &headers);
            exports::start_refund_export_with(env, s, &filter, sheet, cols)
        });
        let result = exports::start_remembered(cx.env, cx.session, *run_ms, recipe);
        Some(super::downloads::started(cx, result))
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let cols = if area.width >= 110 { 3 } else { 2 };
        let fh = self.q.form.grid_height(cols);
        let [form_area, list, info] = super::query_layout(area, fh);
        let cursor = self
            .q
            .form
            .draw_grid(f, form_area, lang, !self.q.list_focus, cols);
        let focus = list::draw(
            f,
            list,
            &ListView {
                spec: &REFUND_LIST,
                rows: &self.q.rows,
                totals: None,
                selected: (self.q.list_focus && self.detail.is_none()).then_some(self.q.sel.index),
                cursor: self.q.sel.index,
                dim: |_| false,
                lang,
                empty: tr::NO_REFUNDS.get(lang),
                title: Some(self.title.get(lang)),
                sort: self.q.sort,
            },
        );
        let total: i64 = self.q.rows.iter().map(|r| r.amount_fen).sum();
        let line = format!(
            "{} {}  {} {}",
            self.q.rows.len(),
            if lang == Lang::Zh { "笔" } else { "rows" },
            tr::AMOUNT.get(lang),
            format_fen(total)
        );
        f.render_widget(Paragraph::new(Span::styled(line, theme::label())), info);
        if let Some((row, events)) = &self.detail {
            refund_detail::draw(f, area, lang, row, events);
        }
        if self.q.list_focus {
            focus
        } else {
            cursor
        }
    }
}
