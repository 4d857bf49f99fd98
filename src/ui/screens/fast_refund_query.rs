//! 快速退货查询 (F5) and 快速退货异常列表 (F4): the fast refunds in scope — every status newest
//! first, or the exceptions oldest first — with Enter for the detail (every field masked, the
//! history with who and when, the approval signature), F5 to run again, Ctrl+E to export every
//! row. 快速退货支持银行 (F1) lists the banks and card types, reference data.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Position, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::domain::fast_refund::{mask_id_number, mask_name, FastRefundStatus};
use crate::domain::money::format_fen;
use crate::excel::CellValue;
use crate::service::fast_refund as fr;
use crate::service::views::{FastRefundFilter, FastRefundRow, SupportedBank};
use crate::service::ServiceError;
use crate::ui::action::Action;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::list::{self, Col, Kind, ListSpec, ListView, Show, Width};
use crate::ui::query::{FormKey, QueryList};
use crate::ui::text::fast_refund as tf;
use crate::ui::text::{t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::table::Selection;

use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Detail,
    /// Between the query (every status) and the exception list.
    Exceptions,
    Banks,
    Resubmit,
    Cancel,
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: crate::ui::keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
    Binding {
        keys: &[key(KeyCode::Enter)],
        action: Act::Detail,
        help: tf::KEY_DETAIL,
    },
    Binding {
        keys: &[ch('x')],
        action: Act::Exceptions,
        help: tf::KEY_EXCEPTIONS,
    },
    Binding {
        keys: &[ch('b')],
        action: Act::Banks,
        help: tf::KEY_BANKS,
    },
    Binding {
        keys: &[ch('r')],
        action: Act::Resubmit,
        help: tf::KEY_RESUBMIT,
    },
    Binding {
        keys: &[ch('c')],
        action: Act::Cancel,
        help: tf::KEY_CANCEL,
    },
];

const BACK_ONLY: &[Binding<Act>] = &[Binding {
    keys: crate::ui::keymap::keys(Action::Back),
    action: Act::Shared(Action::Back),
    help: t::KEY_BACK,
}];

/// The bank's reason, while it stands: once a corrected refund is sent again the old reason is
/// only in the history.
fn reason(r: &FastRefundRow) -> String {
    match &r.reason_code {
        Some(c)
            if matches!(
                r.status,
                FastRefundStatus::Exception | FastRefundStatus::Failed
            ) =>
        {
            format!("{c} {}", r.reason_text)
        }
        _ => String::new(),
    }
}

static LIST: ListSpec<FastRefundRow> = ListSpec { cols: COLS };

const COLS: &[Col<FastRefundRow>] = &[
    Col {
        header: tf::APPLIED_AT,
        kind: Kind::Time,
        width: Width::Content,
        show: Show::Both { priority: 2 },
        cell: |r, _| crate::clock::format_ms(r.applied_ms),
        value: |r, _| CellValue::DateTime(r.applied_ms),
    },
    Col {
        header: tf::ORDER_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| r.order_no.clone(),
        value: |r, _| CellValue::text(r.order_no.clone()),
    },
    Col {
        header: tf::BATCH_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 5 },
        cell: |r, _| r.batch_no.clone().unwrap_or_default(),
        value: |r, _| CellValue::text(r.batch_no.clone().unwrap_or_default()),
    },
    Col {
        header: tf::CARD,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 3 },
        cell: |r, _| r.card_masked.clone(),
        value: |r, _| CellValue::text(r.card_masked.clone()),
    },
    Col {
        header: tf::HOLDER,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 4 },
        cell: |r, _| mask_name(&r.holder_name),
        value: |r, _| CellValue::text(mask_name(&r.holder_name)),
    },
    Col {
        header: tf::AMOUNT,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_fen(r.amount_fen),
        value: |r, _| CellValue::Money(r.amount_fen),
    },
    Col {
        header: tf::STATUS,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, lang| tf::status(r.status).get(lang).to_string(),
        value: |r, lang| CellValue::text(tf::status(r.status).get(lang)),
    },
    Col {
        header: tf::SUBMISSIONS,
        kind: Kind::Count,
        width: Width::Content,
        show: Show::Both { priority: 6 },
        cell: |r, _| r.submissions.to_string(),
        value: |r, _| CellValue::text(r.submissions.to_string()),
    },
    Col {
        header: tf::REASON,
        kind: Kind::Text,
        width: Width::Shrink { min: 8 },
        show: Show::Both { priority: 1 },
        cell: |r, _| reason(r),
        value: |r, _| CellValue::text(reason(r)),
    },
];

/// The status choices of the query form: 全部, then every status in the order of F5.
const STATUS_CHOICES: [FastRefundStatus; 7] = [
    FastRefundStatus::PendingReview,
    FastRefundStatus::Processing,
    FastRefundStatus::Success,
    FastRefundStatus::Failed,
    FastRefundStatus::Exception,
    FastRefundStatus::Rejected,
    FastRefundStatus::Cancelled,
];

fn status_options() -> Vec<T> {
    let mut v = vec![t::ALL];
    v.extend(STATUS_CHOICES.iter().map(|s| tf::status(*s)));
    v
}

pub struct FastRefundQuery {
    exceptions: bool,
    /// The conditions, the rows found, their order and what ran.
    q: QueryList<FastRefundRow>,
    detail: Option<Vec<String>>,
    /// A correction or cancel was opened from here: read the list again once it is back on top.
    stale: bool,
}

impl FastRefundQuery {
    /// The query: every status, newest first.
    pub fn open(cx: &mut Cx) -> Outcome {
        Self::open_as(cx, false)
    }

    fn open_as(cx: &mut Cx, exceptions: bool) -> Outcome {
        let mut form = Form::new(vec![
            Field::text("from_date", t::FROM_DATE),
            Field::text("to_date", t::TO_DATE),
            Field::choice("status", tf::STATUS, status_options()),
            Field::text("rrn", t::RRN),
            Field::text("order_no", tf::ORDER_NO),
            Field::text("terminal_no", t::TERMINAL),
            Field::text("batch_no", tf::BATCH_NO),
            Field::text("applicant", tf::APPLICANT),
        ]);
        form.fit_labels(cx.lang);
        // Both lists are one screen: `x` switches between them.
        let mut s = FastRefundQuery {
            exceptions,
            q: QueryList::new(form),
            detail: None,
            stale: false,
        };
        let o = s.run(cx);
        if o.message.is_some() {
            return o;
        }
        Outcome::nav(Nav::Push(Box::new(s)))
    }

    /// The conditions as the service reads them; the exception list is the query of 异常,
    /// oldest first.
    fn filter(&self) -> Result<FastRefundFilter, ServiceError> {
        let (date_from, date_to) = crate::service::dates::ymd_range(
            &self.q.form.value("from_date"),
            &self.q.form.value("to_date"),
        )?;
        let text = |k: &str| {
            let v = self.q.form.value(k).trim().to_string();
            (!v.is_empty()).then_some(v)
        };
        let chosen = self.q.form.choice("status");
        let status = if self.exceptions {
            Some(FastRefundStatus::Exception)
        } else {
            chosen.checked_sub(1).map(|i| STATUS_CHOICES[i])
        };
        Ok(FastRefundFilter {
            date_from,
            date_to,
            status,
            rrn: text("rrn"),
            order_no: text("order_no"),
            terminal_no: text("terminal_no"),
            batch_no: text("batch_no"),
            applicant_login: text("applicant"),
            oldest_first: self.exceptions,
            ..Default::default()
        })
    }

    /// Runs the query; the exception list is named among the conditions.
    fn run(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let result = self
            .filter()
            .and_then(|f| fr::query(cx.env, cx.session, &f));
        let mut conditions = self.q.form.conditions(lang);
        if self.exceptions {
            conditions.push(tf::SCR_EXCEPTIONS.get(lang).to_string());
        }
        self.q.answer(result, &LIST, lang, cx.now_ms(), conditions)
    }

    fn detail_lines(cx: &mut Cx, id: i64) -> Result<Vec<String>, ServiceError> {
        let lang = cx.lang;
        let d = fr::detail(cx.env, cx.session, id)?;
        let r = &d.row;
        let l = |x: T| x.get(lang);
        let mut v = vec![
            format!(
                "{}: {}    {}: {}",
                l(tf::ORDER_NO),
                r.order_no,
                l(tf::STATUS),
                l(tf::status(r.status))
            ),
            format!(
                "{}: {}    {}: {}",
                l(tf::AMOUNT),
                format_fen(r.amount_fen),
                l(tf::CARD),
                r.card_masked
            ),
            format!(
                "{}: {}    {}: {}",
                l(tf::HOLDER),
                mask_name(&r.holder_name),
                l(tf::ID_NUMBER),
                mask_id_number(&r.id_number)
            ),
            format!(
                "{}: {}    {}: {} {}",
                l(tf::BANK),
                match (&d.bank, lang) {
                    (Some((zh, _)), Lang::Zh) => zh.clone(),
                    (Some((_, en)), Lang::En) if !en.is_empty() => en.clone(),
                    _ => r.bank_code.clone(),
                },
                l(tf::BRANCH),
                d.place
                    .as_ref()
                    .map(|(p, c)| if p == c {
                        c.clone()
                    } else {
                        format!("{p} {c}")
                    })
                    .unwrap_or_default(),
                r.branch
            ),
            format!(
                "{} {}    {} {}    {} {}",
                l(t::RRN),
                d.txn.rrn,
                l(t::TERMINAL),
                d.txn.terminal_no,
                l(t::TXN_AMOUNT),
                format_fen(d.txn.amount_fen)
            ),
            format!(
                "{}: {}",
                l(tf::SIGNED),
                if d.application.checker_approval_id.is_some()
                    || d.application.maker_approval_id.is_some()
                {
                    "✓"
                } else {
                    "–"
                }
            ),
            format!("{}:", l(tf::HISTORY)),
        ];
        for e in &d.events {
            v.push(
                format!(
                    "  {}  {}  {}  {} {}",
                    crate::clock::format_ms(e.at_ms),
                    l(tf::event(&e.event)),
                    e.operator_login.clone().unwrap_or_default(),
                    e.reason_code.clone().unwrap_or_default(),
                    e.detail
                )
                .trim_end()
                .to_string(),
            );
        }
        Ok(v)
    }
}

impl Screen for FastRefundQuery {
    fn title(&self) -> T {
        if self.exceptions {
            tf::SCR_EXCEPTIONS
        } else {
            tf::SCR_QUERY
        }
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let mut v = help_lines(KEYS, lang);
        // Esc is among this screen's own keys already.
        v.extend(
            QueryList::<FastRefundRow>::help(lang)
                .into_iter()
                .filter(|(k, _)| k != "Esc"),
        );
        v.push(("↑↓".into(), t::KEY_MOVE.get(lang).into()));
        v
    }

    fn editing_text(&self) -> bool {
        self.detail.is_none() && self.q.editing_text()
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if self.detail.is_some() {
            if let Some(Act::Shared(Action::Back)) = lookup(BACK_ONLY, k) {
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
        if k.code == KeyCode::Char('s') {
            // Back to the order the query gives: the exceptions oldest first.
            let oldest_first = self.exceptions;
            self.q.next_sort(&LIST, cx.lang, |rows| {
                if oldest_first {
                    rows.sort_by_key(|r| (r.status_ms, r.id))
                } else {
                    rows.sort_by_key(|r| std::cmp::Reverse((r.applied_ms, r.id)))
                }
            });
            return Outcome::none();
        }
        match lookup(KEYS, k) {
            Some(Act::Shared(Action::Back)) => Outcome::nav(Nav::Pop),
            Some(Act::Detail) => {
                let Some(id) = self.q.rows.get(self.q.sel.index).map(|r| r.id) else {
                    return Outcome::none();
                };
                match Self::detail_lines(cx, id) {
                    Ok(v) => {
                        self.detail = Some(v);
                        Outcome::none()
                    }
                    Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
                }
            }
            Some(Act::Exceptions) => {
                self.exceptions = !self.exceptions;
                // The form says what the list holds.
                let exception = 1 + STATUS_CHOICES
                    .iter()
                    .position(|s| *s == FastRefundStatus::Exception)
                    .unwrap_or(0);
                self.q
                    .form
                    .set_choice("status", if self.exceptions { exception } else { 0 });
                self.run(cx)
            }
            Some(Act::Banks) => SupportedBanks::open(cx),
            Some(act @ (Act::Resubmit | Act::Cancel)) => {
                let Some(row) = self.q.rows.get(self.q.sel.index).cloned() else {
                    return Outcome::none();
                };
                self.stale = true;
                if act == Act::Resubmit {
                    super::fast_refund_apply::FastRefundFix::resubmit(cx, &row)
                } else {
                    super::fast_refund_apply::FastRefundFix::cancel(cx, &row)
                }
            }
            Some(Act::Shared(_)) | None => Outcome::none(),
        }
    }

    fn tick(&mut self, cx: &mut Cx) -> Outcome {
        if !std::mem::take(&mut self.stale) {
            return Outcome::none();
        }
        self.refresh(cx)
    }

    /// The same conditions again, the cursor kept where it was (back from a correction).
    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        let at = self.q.sel.index;
        let o = self.run(cx);
        self.q.sel.index = at;
        self.q.sel.clamp(self.q.rows.len());
        o
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let title = self.title().get(cx.lang);
        let needs = crate::domain::function::Function::FastRefund;
        Some(self.q.export(cx, &LIST, needs, title))
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        if let Some(lines) = &self.detail {
            let text: Vec<Line> = lines.iter().map(|s| Line::from(s.as_str())).collect();
            f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
            return None;
        }
        let cols = if area.width >= 110 { 4 } else { 2 };
        let fh = self.q.form.grid_height(cols);
        let [form_area, list_area, info] = super::query_layout(area, fh);
        let cursor = self
            .q
            .form
            .draw_grid(f, form_area, lang, !self.q.list_focus, cols);
        let focus = list::draw(
            f,
            list_area,
            &ListView {
                spec: &LIST,
                rows: &self.q.rows,
                totals: None,
                selected: self.q.list_focus.then_some(self.q.sel.index),
                cursor: self.q.sel.index,
                dim: |r| !r.status.holds_money() || r.status == FastRefundStatus::Success,
                lang,
                empty: if self.exceptions {
                    tf::EMPTY_EXCEPTIONS.get(lang)
                } else {
                    tf::EMPTY.get(lang)
                },
                title: Some(self.title().get(lang)),
                sort: self.q.sort,
            },
        );
        // The money the refunds move: a rejected, cancelled or failed one moves none (its money
        // is back), so it is counted but not added.
        let total: i64 = self
            .q
            .rows
            .iter()
            .filter(|r| r.status.holds_money())
            .map(|r| r.amount_fen)
            .sum();
        let line = tf::COUNT_TOTAL
            .get(lang)
            .replace("{n}", &self.q.rows.len().to_string())
            .replace("{total}", &format_fen(total));
        f.render_widget(
            Paragraph::new(ratatui::text::Span::styled(line, theme::label())),
            info,
        );
        if self.q.list_focus {
            focus
        } else {
            cursor
        }
    }
}

static BANKS: ListSpec<SupportedBank> = ListSpec { cols: BANK_COLS };

fn mark(b: bool) -> &'static str {
    if b {
        "✓"
    } else {
        "✗"
    }
}

const BANK_COLS: &[Col<SupportedBank>] = &[
    Col {
        header: tf::BANK,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, lang| {
            if lang == Lang::Zh {
                r.name_zh.clone()
            } else {
                r.code.clone()
            }
        },
        value: |r, lang| {
            CellValue::text(if lang == Lang::Zh {
                r.name_zh.clone()
            } else {
                r.code.clone()
            })
        },
    },
    Col {
        header: tf::CREDIT,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| mark(r.credit).into(),
        value: |r, _| CellValue::text(mark(r.credit)),
    },
    Col {
        header: tf::DEBIT,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| mark(r.debit).into(),
        value: |r, _| CellValue::text(mark(r.debit)),
    },
];

pub struct SupportedBanks {
    rows: Vec<SupportedBank>,
    sel: Selection,
}

impl SupportedBanks {
    pub fn open(cx: &mut Cx) -> Outcome {
        match fr::supported_banks(cx.env, cx.session) {
            Ok(rows) => Outcome::nav(Nav::Push(Box::new(SupportedBanks {
                rows,
                sel: Selection::default(),
            }))),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }
}

impl Screen for SupportedBanks {
    fn title(&self) -> T {
        tf::SCR_BANKS
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let mut v = help_lines(BACK_ONLY, lang);
        v.push(("↑↓".into(), t::KEY_MOVE.get(lang).into()));
        v
    }

    fn handle_key(&mut self, k: &KeyEvent, _cx: &mut Cx) -> Outcome {
        if self.sel.handle(k, self.rows.len()) {
            return Outcome::none();
        }
        match lookup(BACK_ONLY, k) {
            Some(Act::Shared(Action::Back)) => Outcome::nav(Nav::Pop),
            _ => Outcome::none(),
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        list::draw(
            f,
            area,
            &ListView {
                spec: &BANKS,
                rows: &self.rows,
                totals: None,
                selected: Some(self.sel.index),
                cursor: self.sel.index,
                dim: |_| false,
                lang: v.lang,
                empty: "",
                title: None,
                sort: None,
            },
        )
    }
}
