//! 申请记录 (RV2 for applicants, K §3.6.3): the operator's own applications of every kind, newest
//! first, with their review status; with 申请记录 and 我的待审核, everybody's. `k` and `s` filter
//! by kind and review status, `t` by time (一周内/一个月内/三个月内/全部; one month at first, as K's
//! 「默认查询近一个月内的订单」), `f` by keyword (the order number), Enter shows the history, `c` cancels one's own pending application
//! (已撤销; its hold is released).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::domain::review::{ApplicationKind, ApplicationStatus};
use crate::service::review;
use crate::service::views::{AppEvent, ApplicationRow, RecordQuery};
use crate::ui::action::Action;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::text::money_out as tm;
use crate::ui::text::{t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::dialog::{Dialog, DialogEvent};
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::table::{self, Column, Selection};

use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Detail,
    Cancel,
    Kind,
    Status,
    Time,
    Keyword,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Enter)],
        action: Act::Detail,
        help: t::KEY_DETAIL,
    },
    Binding {
        keys: &[ch('c')],
        action: Act::Cancel,
        help: tm::KEY_CANCEL_APP,
    },
    Binding {
        keys: &[ch('l')],
        action: Act::Kind,
        help: tm::KEY_KIND,
    },
    Binding {
        keys: &[ch('s')],
        action: Act::Status,
        help: tm::KEY_STATUS,
    },
    Binding {
        keys: &[ch('t')],
        action: Act::Time,
        help: tm::KEY_TIME,
    },
    Binding {
        keys: &[ch('f')],
        action: Act::Keyword,
        help: tm::KEY_KEYWORD,
    },
    Binding {
        keys: crate::ui::keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

const STATUSES: &[ApplicationStatus] = &[
    ApplicationStatus::PendingReview,
    ApplicationStatus::Approved,
    ApplicationStatus::Rejected,
    ApplicationStatus::Cancelled,
    ApplicationStatus::Expired,
];

/// The kinds that have applications (refunds keep their own records, 退货申请查询).
const KINDS: &[ApplicationKind] = &[ApplicationKind::Withdrawal, ApplicationKind::BankAccount];

/// 一周内 / 一个月内 / 三个月内 (days back), then 全部.
const RANGES: [(T, Option<i64>); 4] = [
    (tm::WEEK, Some(7)),
    (tm::MONTH, Some(31)),
    (tm::QUARTER, Some(92)),
    (tm::ALL_TIME, None),
];

pub struct AppRecords {
    rows: Vec<ApplicationRow>,
    sel: Selection,
    kind: usize,
    status: usize,
    range: usize,
    keyword: String,
    /// The keyword being typed (`f`), until Enter or Esc.
    typing: Option<Dialog<()>>,
    detail: Option<(ApplicationRow, Vec<AppEvent>)>,
}

impl AppRecords {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut s = AppRecords {
            rows: Vec::new(),
            sel: Selection::default(),
            kind: 0,
            status: 0,
            range: 1,
            keyword: String::new(),
            typing: None,
            detail: None,
        };
        match s.load(cx) {
            Ok(()) => Outcome::nav(Nav::Push(Box::new(s))),
            Err(e) => Outcome::error(e),
        }
    }

    fn load(&mut self, cx: &mut Cx) -> Result<(), String> {
        let q = RecordQuery {
            kind: self.kind.checked_sub(1).map(|i| KINDS[i]),
            status: self.status.checked_sub(1).map(|i| STATUSES[i]),
            from_ms: RANGES[self.range]
                .1
                .map(|days| cx.now_ms() - days * 86_400_000),
            to_ms: None,
            keyword: self.keyword.clone(),
        };
        match review::records(cx.env, cx.session, &q) {
            Ok(rows) => {
                self.rows = rows;
                self.sel.clamp(self.rows.len());
                Ok(())
            }
            Err(e) => Err(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn reload(&mut self, cx: &mut Cx) -> Outcome {
        match self.load(cx) {
            Ok(()) => Outcome::none(),
            Err(e) => Outcome::error(e),
        }
    }
}

impl Screen for AppRecords {
    fn title(&self) -> T {
        tm::SCR_RECORDS
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let mut v = help_lines(KEYS, lang);
        v.push(("↑↓".into(), t::KEY_MOVE.get(lang).into()));
        v
    }

    fn editing_text(&self) -> bool {
        self.typing.is_some()
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if let Some(d) = self.typing.as_mut() {
            return match d.handle(k) {
                DialogEvent::Cancel => {
                    self.typing = None;
                    Outcome::none()
                }
                DialogEvent::Submit => {
                    self.keyword = d.form.value("keyword").trim().to_string();
                    self.typing = None;
                    self.reload(cx)
                }
                DialogEvent::None => Outcome::none(),
            };
        }
        if self.detail.is_some() {
            if crate::ui::keymap::is_back(k) || k.code == KeyCode::Enter {
                self.detail = None;
            }
            return Outcome::none();
        }
        if self.sel.handle(k, self.rows.len()) {
            return Outcome::none();
        }
        match lookup(KEYS, k) {
            Some(Act::Shared(Action::Back)) => Outcome::nav(Nav::Pop),
            Some(Act::Kind) => {
                self.kind = (self.kind + 1) % (KINDS.len() + 1);
                self.reload(cx)
            }
            Some(Act::Status) => {
                self.status = (self.status + 1) % (STATUSES.len() + 1);
                self.reload(cx)
            }
            Some(Act::Time) => {
                self.range = (self.range + 1) % RANGES.len();
                self.reload(cx)
            }
            Some(Act::Keyword) => {
                let mut form = Form::new(vec![Field::text("keyword", tm::ORDER_KEYWORD)]);
                form.set_value("keyword", &self.keyword);
                self.typing = Some(Dialog::new(
                    tm::KEYWORD.get(cx.lang).into(),
                    form,
                    (),
                    cx.lang,
                ));
                Outcome::none()
            }
            Some(Act::Detail) => {
                let Some(r) = self.rows.get(self.sel.index) else {
                    return Outcome::none();
                };
                match review::detail(cx.env, cx.session, r.id) {
                    Ok(d) => {
                        self.detail = Some(d);
                        Outcome::none()
                    }
                    Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
                }
            }
            Some(Act::Cancel) => {
                let Some(r) = self.rows.get(self.sel.index) else {
                    return Outcome::none();
                };
                let order = r.order_no.clone();
                match review::cancel(cx.env, cx.session, r.id) {
                    Ok(()) => {
                        let _ = self.load(cx);
                        Outcome::ok(tm::CANCELLED.get(cx.lang).replace("{o}", &order))
                    }
                    Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
                }
            }
            Some(Act::Shared(_)) | None => Outcome::none(),
        }
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.reload(cx)
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [cond, list] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(4)]).areas(area);
        let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
        let kind = match self.kind.checked_sub(1) {
            Some(i) => tm::kind(KINDS[i]).get(lang),
            None => tm::ALL.get(lang),
        };
        let status = match self.status.checked_sub(1) {
            Some(i) => tm::status(STATUSES[i]).get(lang),
            None => tm::ALL.get(lang),
        };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                label(tm::KIND),
                Span::raw(format!("{kind}  ")),
                label(tm::REVIEW_STATUS),
                Span::raw(format!("{status}  ")),
                label(tm::TIME_RANGE),
                Span::raw(format!("{}  ", RANGES[self.range].0.get(lang))),
                label(tm::KEYWORD),
                Span::raw(if self.keyword.is_empty() {
                    tm::ALL.get(lang).to_string()
                } else {
                    self.keyword.clone()
                }),
            ])),
            cond,
        );
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    tm::kind(r.kind).get(lang).into(),
                    r.order_no.clone(),
                    format_ms(r.made_ms)[..16].to_string(),
                    format_fen(-r.amount_fen),
                    format_fen(r.fee_fen),
                    r.maker.clone(),
                    crate::domain::review::payee_line(&r.payee_display, lang),
                    tm::status(r.status).get(lang).into(),
                ]
            })
            .collect();
        let col = |h: T, w: Constraint, right: bool| Column {
            header: h.get(lang),
            width: w,
            right,
        };
        let columns = [
            col(
                tm::KIND,
                Constraint::Length(if lang == Lang::Zh { 8 } else { 12 }),
                false,
            ),
            col(tm::ORDER_NO, Constraint::Length(14), false),
            col(tm::APPLIED_AT, Constraint::Length(16), false),
            col(tm::AMOUNT, Constraint::Length(11), true),
            col(tm::FEE, Constraint::Length(10), true),
            col(tm::APPLICANT, Constraint::Length(9), false),
            col(tm::PAYEE, Constraint::Min(10), false),
            col(tm::REVIEW_STATUS, Constraint::Length(14), false),
        ];
        let focus = table::draw(
            f,
            list,
            &table::TableView {
                title: tm::SCR_RECORDS.get(lang),
                columns: &columns,
                rows: &rows,
                dim: &[],
                selected: self.detail.is_none().then_some(self.sel.index),
                empty: tm::EMPTY_RECORDS.get(lang),
            },
        );
        if let Some((a, events)) = &self.detail {
            draw_detail(f, area, lang, a, events);
            return None;
        }
        if let Some(d) = &self.typing {
            return d.draw(f, area, lang);
        }
        focus
    }
}

/// An application with its history, over the list (申请记录 and 我的待审核 share it).
pub(super) fn draw_detail(
    f: &mut Frame,
    area: Rect,
    lang: Lang,
    a: &ApplicationRow,
    events: &[AppEvent],
) {
    let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
    // As wide as the list under it: a border in the middle of the list would cut its wide
    // (Chinese) characters in half.
    let h = (events.len() as u16 + 8).min(area.height.saturating_sub(2));
    let r = Rect::new(area.x, area.y + 2, area.width, h);
    f.render_widget(Clear, r);
    let mut lines = vec![
        Line::from(vec![
            label(tm::KIND),
            Span::raw(format!("{}    ", tm::kind(a.kind).get(lang))),
            label(tm::ORDER_NO),
            Span::raw(a.order_no.clone()),
        ]),
        Line::from(vec![
            label(tm::AMOUNT),
            Span::raw(format!("{}    ", format_fen(a.amount_fen))),
            label(tm::FEE),
            Span::raw(format_fen(a.fee_fen)),
        ]),
        Line::from(vec![
            label(tm::PAYEE),
            Span::raw(crate::domain::review::payee_line(&a.payee_display, lang)),
        ]),
        Line::from(vec![
            label(tm::REVIEW_STATUS),
            Span::raw(tm::status(a.status).get(lang).to_string()),
            Span::raw(if a.self_approved {
                format!("  ({})", tm::SELF_APPROVED.get(lang))
            } else {
                String::new()
            }),
        ]),
        Line::from(""),
    ];
    for (at, who, ev, remark) in events {
        lines.push(Line::from(format!(
            "{}  {:<10} {}  {}",
            &format_ms(*at)[..16],
            who.clone().unwrap_or_else(|| "system".into()),
            tm::event(ev).get(lang),
            remark
        )));
    }
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", tm::HISTORY.get(lang))),
        ),
        r,
    );
}
