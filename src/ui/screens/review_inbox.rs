//! 我的待审核 (RV1, K §3.5.1): every pending item the reviewer may decide, of every kind they hold
//! the checker function of — refunds beside withdrawals and new bank accounts — oldest first,
//! 20 a page. Filters: time (一周内/一个月内/三个月内), kind, store, keyword. Space or `*` marks;
//! `a` approves and `x` rejects the marked ones as one decision, one confirmation with a summary,
//! signed once by the card. The list reloads by itself within a tick when another process adds
//! or decides an item (SQLite's `data_version`).

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::domain::review::ApplicationKind;
use crate::service::background::InBackground;
use crate::service::card::{card_required, CardServiceError};
use crate::service::monitor::Watch;
use crate::service::refunds::Confirmation;
use crate::service::review;
use crate::service::views::{
    AppEvent, ApplicationRow, InboxPage, InboxQuery, InboxRow, ItemRef, RefundEvent, RefundRow,
    Source,
};
use crate::ui::action::Action;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::text::money_out as tm;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::dialog::{Dialog, DialogEvent};
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::table::{self, Column, Selection};

use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Detail,
    Mark,
    MarkPage,
    Approve,
    Reject,
    Time,
    Kind,
    Store,
    Keyword,
    NextPage,
    PrevPage,
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
        keys: &[key(KeyCode::Char(' '))],
        action: Act::Mark,
        help: tm::KEY_MARK,
    },
    Binding {
        keys: &[ch('*')],
        action: Act::MarkPage,
        help: tm::KEY_MARK_PAGE,
    },
    Binding {
        keys: &[ch('a')],
        action: Act::Approve,
        help: tm::KEY_APPROVE,
    },
    Binding {
        keys: &[ch('x')],
        action: Act::Reject,
        help: tm::KEY_REJECT,
    },
    Binding {
        keys: &[ch('t')],
        action: Act::Time,
        help: tm::KEY_TIME,
    },
    Binding {
        keys: &[ch('c')],
        action: Act::Kind,
        help: tm::KEY_KIND,
    },
    Binding {
        keys: &[ch('s')],
        action: Act::Store,
        help: tm::KEY_STORE,
    },
    Binding {
        keys: &[ch('f')],
        action: Act::Keyword,
        help: tm::KEY_KEYWORD,
    },
    Binding {
        keys: &[ch('n')],
        action: Act::NextPage,
        help: t::KEY_NEXT_PAGE,
    },
    Binding {
        keys: &[ch('p')],
        action: Act::PrevPage,
        help: t::KEY_PREV_PAGE,
    },
    Binding {
        keys: crate::ui::keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

/// The quick time ranges, in days back from now (default: a month).
const RANGES: [(T, i64); 3] = [(tm::WEEK, 7), (tm::MONTH, 31), (tm::QUARTER, 92)];

enum Purpose {
    Decide(bool),
    Keyword,
}

/// What Enter shows: an application, or a refund application, each with its history.
enum Detail {
    App(ApplicationRow, Vec<AppEvent>),
    Refund(RefundRow, Vec<RefundEvent>),
}

pub struct ReviewInbox {
    page: InboxPage,
    page_no: usize,
    range: usize,
    /// Index into `kinds` + 1; 0 = all.
    kind: usize,
    /// Index into `stores` + 1; 0 = all.
    store: usize,
    stores: Vec<(i64, String, String)>,
    keyword: String,
    /// Marked items with what the summary needs (kind, amount + fee).
    marked: BTreeSet<ItemRef>,
    marked_info: Vec<(ItemRef, ApplicationKind, i64)>,
    balances: Vec<(String, i64)>,
    sel: Selection,
    dialog: Option<Dialog<Purpose>>,
    detail: Option<Detail>,
    /// The decision running on a worker while the card signs; keys wait for it.
    deciding: Option<InBackground<crate::service::card::CardServiceResult<usize>>>,
    watch: Watch,
    error: Option<String>,
}

impl ReviewInbox {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut s = ReviewInbox {
            page: InboxPage::default(),
            page_no: 0,
            range: 1,
            kind: 0,
            store: 0,
            stores: review::stores(cx.env, cx.session).unwrap_or_default(),
            keyword: String::new(),
            marked: BTreeSet::new(),
            marked_info: Vec::new(),
            balances: Vec::new(),
            sel: Selection::default(),
            dialog: None,
            detail: None,
            deciding: None,
            watch: Watch::default(),
            error: None,
        };
        s.watch.changed(cx.env);
        match s.load(cx) {
            Ok(()) => Outcome::nav(Nav::Push(Box::new(s))),
            Err(e) => Outcome::error(e),
        }
    }

    fn query(&self, cx: &Cx) -> InboxQuery {
        let now = cx.now_ms();
        InboxQuery {
            from_ms: Some(now - RANGES[self.range].1 * 86_400_000),
            to_ms: None,
            kind: self
                .kind
                .checked_sub(1)
                .and_then(|i| self.page.kinds.get(i).copied()),
            keyword: self.keyword.clone(),
            merchant_id: self
                .store
                .checked_sub(1)
                .and_then(|i| self.stores.get(i))
                .map(|s| s.0),
        }
    }

    fn load(&mut self, cx: &mut Cx) -> Result<(), String> {
        let q = self.query(cx);
        match review::inbox(cx.env, cx.session, &q, self.page_no) {
            Ok(p) => {
                self.page_no = p.page;
                self.page = p;
                self.sel.clamp(self.page.rows.len());
                self.error = None;
                self.refresh_marks(cx);
                Ok(())
            }
            Err(e) => Err(cx.error_text(&e, |k| k.to_string())),
        }
    }

    /// Keeps only marks of items still pending on the current page, and the balances of the
    /// stores the marked items and the page involve.
    fn refresh_marks(&mut self, cx: &mut Cx) {
        let rows = &self.page.rows;
        self.marked
            .retain(|m| rows.iter().any(|r| ItemRef::from(r) == *m));
        self.marked_info = rows
            .iter()
            .filter(|r| self.marked.contains(&ItemRef::from(*r)))
            .map(|r| (ItemRef::from(r), r.kind, r.amount_fen + r.fee_fen))
            .collect();
        let mut ids: Vec<i64> = rows.iter().map(|r| r.merchant_id).collect();
        ids.sort();
        ids.dedup();
        let lang = cx.lang;
        self.balances = review::balances(cx.env, cx.session, &ids)
            .unwrap_or_default()
            .into_iter()
            .map(|a| {
                let name = self
                    .stores
                    .iter()
                    .find(|s| s.0 == a.merchant_id)
                    .map(|s| {
                        if lang == Lang::Zh {
                            s.1.clone()
                        } else {
                            s.2.clone()
                        }
                    })
                    .unwrap_or_default();
                (name, a.available_fen)
            })
            .collect();
    }

    fn chosen(&self) -> Vec<ItemRef> {
        if self.marked.is_empty() {
            self.page
                .rows
                .get(self.sel.index)
                .map(|r| vec![ItemRef::from(r)])
                .unwrap_or_default()
        } else {
            self.page
                .rows
                .iter()
                .map(ItemRef::from)
                .filter(|i| self.marked.contains(i))
                .collect()
        }
    }

    fn summary(&self, items: &[ItemRef], lang: Lang) -> String {
        let rows: Vec<&InboxRow> = self
            .page
            .rows
            .iter()
            .filter(|r| items.contains(&ItemRef::from(*r)))
            .collect();
        let mut kinds: Vec<(ApplicationKind, usize)> = Vec::new();
        for r in &rows {
            match kinds.iter_mut().find(|(k, _)| *k == r.kind) {
                Some((_, n)) => *n += 1,
                None => kinds.push((r.kind, 1)),
            }
        }
        let k: Vec<String> = kinds
            .iter()
            .map(|(k, n)| format!("{} {n}", tm::kind(*k).get(lang)))
            .collect();
        let total: i64 = rows.iter().map(|r| r.amount_fen + r.fee_fen).sum();
        tm::SUMMARY
            .get(lang)
            .replace("{n}", &rows.len().to_string())
            .replace("{k}", &k.join(", "))
            .replace("{a}", &format_fen(total))
    }

    fn decide(&mut self, cx: &mut Cx, approve: bool) -> Outcome {
        let lang = cx.lang;
        let items = self.chosen();
        let Some(d) = self.dialog.as_mut() else {
            return Outcome::none();
        };
        let remark = d.form.value("remark");
        let pay = d.form.value("pay_password");
        let pin = d.form.value("pin");
        d.form.set_value("pay_password", "");
        d.form.set_value("pin", "");
        // The decision runs on a worker, so a key that waits for a touch leaves the screen alive.
        let pin = Some(pin).filter(|p| !p.is_empty());
        let session = cx.session.clone();
        d.error = Some(crate::ui::text::card::TOUCH_KEY.get(lang).into());
        self.deciding = Some(InBackground::start(cx.env, move |env| {
            review::decide(
                env,
                &session,
                &items,
                approve,
                &remark,
                Confirmation {
                    pay_password: &pay,
                    pin: pin.as_deref(),
                },
            )
        }));
        self.decided(cx)
    }

    /// Takes the decision's answer once the worker has it.
    fn decided(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Some(result) = self.deciding.as_mut().and_then(|j| j.poll()) else {
            return Outcome::none();
        };
        self.deciding = None;
        match result {
            Ok(n) => {
                self.dialog = None;
                self.marked.clear();
                let _ = self.load(cx);
                Outcome::ok(tm::DECIDED.get(lang).replace("{n}", &n.to_string()))
            }
            Err(e) => {
                if let Some(d) = self.dialog.as_mut() {
                    d.error = None;
                    match &e {
                        CardServiceError::Service(se) => d.fail(se, lang),
                        _ => d.error = Some(text::card_error(&e, lang)),
                    }
                }
                Outcome::none()
            }
        }
    }

    fn open_decision(&mut self, cx: &mut Cx, approve: bool) {
        let lang = cx.lang;
        let items = self.chosen();
        if items.is_empty() {
            return;
        }
        let funds = self
            .page
            .rows
            .iter()
            .any(|r| items.contains(&ItemRef::from(r)) && r.kind != ApplicationKind::Refund);
        let mut fields = vec![
            Field::text("remark", tm::REMARK),
            Field::secret("pay_password", tm::PAY_PASSWORD),
        ];
        if (approve && funds) || card_required(cx.env, cx.session.operator_id).unwrap_or(false) {
            fields.push(Field::secret("pin", tm::PIN).with_hint(tm::CARD_NEEDED.get(lang)));
        }
        let title = format!(
            "{} — {}",
            if approve {
                tm::APPROVE_TITLE
            } else {
                tm::REJECT_TITLE
            }
            .get(lang),
            self.summary(&items, lang)
        );
        let mut d = Dialog::new(title, Form::new(fields), Purpose::Decide(approve), lang);
        d.width = 90;
        self.dialog = Some(d);
    }
}

impl Screen for ReviewInbox {
    fn title(&self) -> T {
        tm::SCR_INBOX
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let mut v = help_lines(KEYS, lang);
        v.push(("↑↓".into(), t::KEY_MOVE.get(lang).into()));
        v
    }

    fn editing_text(&self) -> bool {
        self.dialog.is_some()
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if self.deciding.is_some() {
            // The card is signing: keys wait for its answer.
            return self.decided(cx);
        }
        if let Some(d) = self.dialog.as_mut() {
            return match d.handle(k) {
                DialogEvent::Cancel => {
                    self.dialog = None;
                    Outcome::none()
                }
                DialogEvent::Submit => match d.purpose {
                    Purpose::Decide(approve) => self.decide(cx, approve),
                    Purpose::Keyword => {
                        self.keyword = d.form.value("keyword").trim().to_string();
                        self.dialog = None;
                        self.page_no = 0;
                        self.reload(cx)
                    }
                },
                DialogEvent::None => Outcome::none(),
            };
        }
        if self.detail.is_some() {
            if crate::ui::keymap::is_back(k) || k.code == KeyCode::Enter {
                self.detail = None;
            }
            return Outcome::none();
        }
        if self.sel.handle(k, self.page.rows.len()) {
            return Outcome::none();
        }
        match lookup(KEYS, k) {
            Some(Act::Shared(Action::Back)) => return Outcome::nav(Nav::Pop),
            Some(Act::Detail) => {
                if let Some(r) = self.page.rows.get(self.sel.index) {
                    let d = match r.source {
                        Source::Application => {
                            review::detail(cx.env, cx.session, r.id).map(|(a, e)| Detail::App(a, e))
                        }
                        Source::Refund => crate::service::refunds::detail(cx.env, cx.session, r.id)
                            .map(|(a, e)| Detail::Refund(a, e)),
                    };
                    match d {
                        Ok(d) => self.detail = Some(d),
                        Err(e) => return Outcome::error(cx.error_text(&e, |k| k.to_string())),
                    }
                }
            }
            Some(Act::Mark) => {
                if let Some(r) = self.page.rows.get(self.sel.index) {
                    let i = ItemRef::from(r);
                    if !self.marked.remove(&i) {
                        self.marked.insert(i);
                    }
                    self.sel.index =
                        (self.sel.index + 1).min(self.page.rows.len().saturating_sub(1));
                    self.refresh_marks(cx);
                }
            }
            Some(Act::MarkPage) => {
                let all: BTreeSet<ItemRef> = self.page.rows.iter().map(ItemRef::from).collect();
                if all.is_subset(&self.marked) {
                    self.marked.clear();
                } else {
                    self.marked = all;
                }
                self.refresh_marks(cx);
            }
            Some(Act::Approve) => self.open_decision(cx, true),
            Some(Act::Reject) => self.open_decision(cx, false),
            Some(Act::Time) => {
                self.range = (self.range + 1) % RANGES.len();
                self.page_no = 0;
                return self.reload(cx);
            }
            Some(Act::Kind) => {
                self.kind = (self.kind + 1) % (self.page.kinds.len() + 1);
                self.page_no = 0;
                return self.reload(cx);
            }
            Some(Act::Store) => {
                self.store = (self.store + 1) % (self.stores.len() + 1);
                self.page_no = 0;
                return self.reload(cx);
            }
            Some(Act::Keyword) => {
                let mut form = Form::new(vec![Field::text("keyword", tm::KEYWORD)]);
                form.set_value("keyword", &self.keyword);
                self.dialog = Some(Dialog::new(
                    tm::KEY_KEYWORD.get(cx.lang).into(),
                    form,
                    Purpose::Keyword,
                    cx.lang,
                ));
            }
            Some(Act::NextPage) if self.page_no + 1 < self.page.pages => {
                self.page_no += 1;
                return self.reload(cx);
            }
            Some(Act::PrevPage) if self.page_no > 0 => {
                self.page_no -= 1;
                return self.reload(cx);
            }
            _ => {}
        }
        Outcome::none()
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.reload(cx)
    }

    /// Ctrl+E: every item under the filters, not only the page.
    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        use crate::excel::{CellValue, ColKind};
        let lang = cx.lang;
        let q = self.query(cx);
        let rows = match review::inbox_all(cx.env, cx.session, &q) {
            Ok(r) => r,
            Err(e) => return Some(Outcome::error(cx.error_text(&e, |k| k.to_string()))),
        };
        let cells = rows
            .iter()
            .map(|r| {
                vec![
                    CellValue::text(tm::kind(r.kind).get(lang).to_string()),
                    CellValue::text(r.order_no.clone()),
                    CellValue::DateTime(r.made_ms),
                    CellValue::Money(-r.amount_fen),
                    CellValue::Money(r.fee_fen),
                    CellValue::text(r.maker.clone()),
                    CellValue::text(r.merchant_name.clone()),
                    CellValue::text(crate::domain::review::payee_line(&r.payee_display, lang)),
                ]
            })
            .collect();
        let headers: Vec<&str> = [
            tm::KIND,
            tm::ORDER_NO,
            tm::APPLIED_AT,
            tm::AMOUNT,
            tm::FEE,
            tm::APPLICANT,
            tm::STORE,
            tm::PAYEE,
        ]
        .iter()
        .map(|h| h.get(lang))
        .collect();
        Some(super::downloads::export_list(
            cx,
            crate::domain::function::Function::ReviewInbox,
            tm::SCR_INBOX.get(lang),
            &headers,
            &[
                ColKind::Text,
                ColKind::Text,
                ColKind::DateTime,
                ColKind::Money,
                ColKind::Money,
                ColKind::Text,
                ColKind::Text,
                ColKind::Text,
            ],
            cells,
        ))
    }

    fn tick(&mut self, cx: &mut Cx) -> Outcome {
        if self.deciding.is_some() {
            return self.decided(cx);
        }
        if self.watch.changed(cx.env) {
            if let Err(e) = self.load(cx) {
                self.error = Some(e);
            }
        }
        Outcome::none()
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [cond, list, info, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(4),
            Constraint::Length(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
        let kind = match self
            .kind
            .checked_sub(1)
            .and_then(|i| self.page.kinds.get(i))
        {
            Some(k) => tm::kind(*k).get(lang).to_string(),
            None => tm::ALL.get(lang).to_string(),
        };
        let store = match self.store.checked_sub(1).and_then(|i| self.stores.get(i)) {
            Some(s) => {
                if lang == Lang::Zh {
                    s.1.clone()
                } else {
                    s.2.clone()
                }
            }
            None => tm::ALL.get(lang).to_string(),
        };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                label(tm::TIME_RANGE),
                Span::raw(format!("{}  ", RANGES[self.range].0.get(lang))),
                label(tm::KIND),
                Span::raw(format!("{kind}  ")),
                label(tm::STORE),
                Span::raw(format!("{store}  ")),
                label(tm::KEYWORD),
                Span::raw(if self.keyword.is_empty() {
                    "-".to_string()
                } else {
                    self.keyword.clone()
                }),
            ])),
            cond,
        );
        let rows: Vec<Vec<String>> = self
            .page
            .rows
            .iter()
            .map(|r| {
                let store = self
                    .stores
                    .iter()
                    .find(|s| s.0 == r.merchant_id)
                    .map(|s| {
                        if lang == Lang::Zh {
                            s.1.clone()
                        } else {
                            s.2.clone()
                        }
                    })
                    .unwrap_or_else(|| r.merchant_name.clone());
                vec![
                    if self.marked.contains(&ItemRef::from(r)) {
                        "[x]"
                    } else {
                        "[ ]"
                    }
                    .into(),
                    tm::kind(r.kind).get(lang).into(),
                    r.order_no.clone(),
                    format_ms(r.made_ms)[5..16].to_string(),
                    format_fen(-(r.amount_fen)),
                    format_fen(r.fee_fen),
                    r.maker.clone(),
                    store,
                    crate::domain::review::payee_line(&r.payee_display, lang),
                ]
            })
            .collect();
        let col = |h: T, w: Constraint, right: bool| Column {
            header: h.get(lang),
            width: w,
            right,
        };
        // The kind, the order number, the time, the money and the applicant as wide as their
        // widest cell or header: never cut; the store and the payee take what is left.
        let wide = |i: usize, h: T| -> Constraint {
            let w = |s: &str| unicode_width::UnicodeWidthStr::width(s) as u16;
            Constraint::Length(
                rows.iter()
                    .map(|r| w(&r[i]))
                    .max()
                    .unwrap_or(0)
                    .max(w(h.get(lang))),
            )
        };
        let columns = [
            Column {
                header: "",
                width: Constraint::Length(3),
                right: false,
            },
            col(tm::KIND, wide(1, tm::KIND), false),
            col(tm::ORDER_NO, wide(2, tm::ORDER_NO), false),
            col(tm::APPLIED_AT, wide(3, tm::APPLIED_AT), false),
            col(tm::AMOUNT, wide(4, tm::AMOUNT), true),
            col(tm::FEE, wide(5, tm::FEE), true),
            col(tm::APPLICANT, wide(6, tm::APPLICANT), false),
            col(tm::STORE, Constraint::Min(8), false),
            col(tm::PAYEE, Constraint::Min(8), false),
        ];
        let focus = table::draw(
            f,
            list,
            &table::TableView {
                title: tm::SCR_INBOX.get(lang),
                columns: &columns,
                rows: &rows,
                dim: &[],
                selected: (self.dialog.is_none() && self.detail.is_none())
                    .then_some(self.sel.index),
                empty: tm::NONE_PENDING.get(lang),
            },
        );
        let marked_total: i64 = self.marked_info.iter().map(|m| m.2).sum();
        let mut line = vec![Span::styled(
            format!(
                "{}  {}",
                tm::PAGE_INFO
                    .get(lang)
                    .replace("{p}", &(self.page.page + 1).to_string())
                    .replace("{n}", &self.page.pages.to_string())
                    .replace("{c}", &self.page.total.to_string())
                    .replace("{a}", &format_fen(self.page.total_fen)),
                tm::MARKED
                    .get(lang)
                    .replace("{n}", &self.marked.len().to_string())
                    .replace("{a}", &format_fen(marked_total)),
            ),
            theme::label(),
        )];
        if self.page.own_pending > 0 {
            line.push(Span::styled(
                format!(
                    "  {}",
                    tm::OWN_PENDING
                        .get(lang)
                        .replace("{n}", &self.page.own_pending.to_string())
                ),
                theme::dim(),
            ));
        }
        f.render_widget(Paragraph::new(Line::from(line)), info);
        let foot_text = match &self.error {
            Some(e) => Span::styled(e.clone(), theme::error()),
            None => Span::styled(
                self.balances
                    .iter()
                    .map(|(m, a)| {
                        tm::AVAILABLE_OF
                            .get(lang)
                            .replace("{m}", m)
                            .replace("{a}", &format_fen(*a))
                    })
                    .collect::<Vec<_>>()
                    .join("  "),
                theme::dim(),
            ),
        };
        f.render_widget(Paragraph::new(foot_text), foot);
        match &self.detail {
            Some(Detail::App(a, e)) => super::app_records::draw_detail(f, area, lang, a, e),
            Some(Detail::Refund(r, e)) => super::refund_detail::draw(f, area, lang, r, e),
            None => {}
        }
        match &self.dialog {
            Some(d) => d.draw(f, area, lang),
            None => focus,
        }
    }
}

impl ReviewInbox {
    fn reload(&mut self, cx: &mut Cx) -> Outcome {
        match self.load(cx) {
            Ok(()) => Outcome::none(),
            Err(e) => Outcome::error(e),
        }
    }
}
