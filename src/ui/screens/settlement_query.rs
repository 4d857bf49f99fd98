//! Settlement query 结算查询 (S1, S3, S4): settlement date range, merchant and status; a list of
//! 20 settlements a page with a totals row; Enter lists a settlement's transactions, each with
//! its detail; F3 (and the menu entry 昨日结算明细) shows yesterday's settlements.

use crossterm::event::{KeyCode, KeyEvent};
use jiff::civil::Date;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::clock::{date_of_ms, format_ymd};
use crate::domain::money::format_fen;
use crate::excel::CellValue;
use crate::service::settlement_query::{self, SettlementQueryInput, PAGE_SIZE, STATUSES};
use crate::service::views::{SettlementFilter, SettlementRow, SettlementTotals};
use crate::service::{session, Problem, ServiceError};
use crate::ui::action::Action;
use crate::ui::keymap;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding, KeyPat};
use crate::ui::list::{self, Col, Kind, ListSpec, ListView, Show, Width};
use crate::ui::text::{self, query as q, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};

use super::downloads::words;
use super::txn_query::TxnQuery;
use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Run,
    Yesterday,
    Clear,
    NextField,
    PrevField,
    NextPage,
    PrevPage,
    FirstPage,
    LastPage,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEY_YESTERDAY: KeyPat = key(KeyCode::F(3));
const KEY_CLEAR: KeyPat = key(KeyCode::F(4));

const FORM_KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Enter)],
        action: Act::Run,
        help: t::KEY_RUN_QUERY,
    },
    Binding {
        keys: keymap::NEXT_FIELD,
        action: Act::NextField,
        help: t::KEY_NEXT_FIELD,
    },
    Binding {
        keys: keymap::PREV_FIELD,
        action: Act::PrevField,
        help: t::KEY_PREV_FIELD,
    },
    Binding {
        keys: &[KEY_YESTERDAY],
        action: Act::Yesterday,
        help: q::KEY_YESTERDAY_SETTLE,
    },
    Binding {
        keys: &[KEY_CLEAR],
        action: Act::Clear,
        help: t::KEY_CLEAR,
    },
    Binding {
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

const LIST_KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Enter)],
        action: Act::Run,
        help: q::KEY_TXN_LIST,
    },
    Binding {
        keys: keymap::keys(Action::Up),
        action: Act::Shared(Action::Up),
        help: t::KEY_MOVE,
    },
    Binding {
        keys: keymap::keys(Action::Down),
        action: Act::Shared(Action::Down),
        help: t::KEY_MOVE,
    },
    Binding {
        keys: &[key(KeyCode::PageDown), ch('n')],
        action: Act::NextPage,
        help: t::KEY_NEXT_PAGE,
    },
    Binding {
        keys: &[key(KeyCode::PageUp), ch('p')],
        action: Act::PrevPage,
        help: t::KEY_PREV_PAGE,
    },
    Binding {
        keys: &[key(KeyCode::Home)],
        action: Act::FirstPage,
        help: t::KEY_FIRST_PAGE,
    },
    Binding {
        keys: &[key(KeyCode::End)],
        action: Act::LastPage,
        help: t::KEY_LAST_PAGE,
    },
    Binding {
        keys: &[key(KeyCode::Tab), key(KeyCode::BackTab)],
        action: Act::NextField,
        help: t::KEY_TO_LIST,
    },
    Binding {
        keys: &[KEY_YESTERDAY],
        action: Act::Yesterday,
        help: q::KEY_YESTERDAY_SETTLE,
    },
    Binding {
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

const STATUS_OPTIONS: &[T] = &[t::ALL, q::ST_SETTLED, q::ST_PAID];

pub fn status_text(code: &(impl text::AsCode + ?Sized)) -> T {
    match code.as_code() {
        "paid" => q::ST_PAID,
        _ => q::ST_SETTLED,
    }
}

struct Results {
    filter: SettlementFilter,
    /// The conditions as they read when the query ran, and when: the export's first rows.
    conditions: Vec<String>,
    run_ms: i64,
    totals: SettlementTotals,
    rows: Vec<SettlementRow>,
    page: usize,
    selected: usize,
    scoped: bool,
}

impl Results {
    fn pages(&self) -> usize {
        (self.totals.settlements as usize)
            .div_ceil(PAGE_SIZE)
            .max(1)
    }
}

pub struct SettlementQuery {
    form: Form,
    list_focus: bool,
    results: Option<Results>,
    title: T,
}

/// The settlement list, on screen and in the export (S1, S2).
pub static SETTLEMENT_LIST: ListSpec<SettlementRow> = ListSpec {
    cols: SETTLEMENT_COLS,
};

fn merchant_name(r: &SettlementRow, lang: Lang) -> String {
    if lang == Lang::En && !r.merchant_name_en.is_empty() {
        r.merchant_name_en.clone()
    } else {
        r.merchant_name.clone()
    }
}

const SETTLEMENT_COLS: &[Col<SettlementRow>] = &[
    Col {
        header: q::COL_SETTLE_DATE,
        kind: Kind::Date,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_ymd(r.settle_date),
        value: |r, _| CellValue::Date(r.settle_date),
    },
    Col {
        header: q::COL_MERCHANT_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 3 },
        cell: |r, _| r.merchant_no.clone(),
        value: |r, _| CellValue::text(r.merchant_no.clone()),
    },
    Col {
        header: q::COL_MERCHANT,
        kind: Kind::Text,
        width: Width::Name { min: 8 },
        show: Show::Both { priority: 0 },
        cell: merchant_name,
        value: |r, lang| CellValue::text(merchant_name(r, lang)),
    },
    Col {
        header: q::COL_SETTLE_COUNT,
        kind: Kind::Count,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |r, _| r.txn_count.to_string(),
        value: |r, _| CellValue::Int(r.txn_count),
    },
    Col {
        header: q::COL_TRADE,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |r, _| format_fen(r.trade_fen),
        value: |r, _| CellValue::Money(r.trade_fen),
    },
    Col {
        header: q::COL_FEE,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 2 },
        cell: |r, _| format_fen(r.fee_fen),
        value: |r, _| CellValue::Money(r.fee_fen),
    },
    Col {
        header: q::COL_REFUND,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 2 },
        cell: |r, _| format_fen(r.refund_fen),
        value: |r, _| CellValue::Money(r.refund_fen),
    },
    Col {
        header: q::COL_NET,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_fen(r.net_fen),
        value: |r, _| CellValue::Money(r.net_fen),
    },
    Col {
        header: q::COL_STATUS,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |r, lang| status_text(&r.status).get(lang).to_string(),
        value: |r, lang| CellValue::text(status_text(&r.status).get(lang)),
    },
];

/// The totals row under the list, a cell per column of `SETTLEMENT_COLS`.
fn totals_row(t: &SettlementTotals, lang: Lang) -> Vec<String> {
    vec![
        q::TOTAL.get(lang).to_string(),
        String::new(),
        String::new(),
        t.txn_count.to_string(),
        format_fen(t.trade_fen),
        format_fen(t.fee_fen),
        format_fen(t.refund_fen),
        format_fen(t.net_fen),
        String::new(),
    ]
}

impl SettlementQuery {
    pub fn new(lang: Lang) -> SettlementQuery {
        let mut form = Form::new(vec![
            Field::text("from_date", q::SETTLE_FROM),
            Field::text("to_date", q::SETTLE_TO),
            Field::text("merchant", q::MERCHANT),
            Field::choice("status", q::SETTLE_STATUS, STATUS_OPTIONS.to_vec()),
        ]);
        form.fit_labels(lang);
        form.label_width = form.label_width.max(10);
        SettlementQuery {
            form,
            list_focus: false,
            results: None,
            title: q::SCR_SETTLEMENT_QUERY,
        }
    }

    pub fn open(cx: &mut Cx) -> Outcome {
        Outcome::nav(Nav::Push(Box::new(SettlementQuery::new(cx.lang))))
    }

    /// 昨日结算明细 (S4): the settlements dated yesterday, already listed.
    pub fn yesterday(cx: &mut Cx) -> Outcome {
        let mut s = SettlementQuery::new(cx.lang);
        s.title = q::SCR_SETTLEMENT_YESTERDAY;
        let out = s.set_yesterday_and_run(cx);
        Outcome {
            nav: Nav::Push(Box::new(s)),
            message: out.message,
            ..Default::default()
        }
    }

    fn set_yesterday_and_run(&mut self, cx: &mut Cx) -> Outcome {
        let today: Date = date_of_ms(cx.now_ms());
        let d = today
            .yesterday()
            .unwrap_or(today)
            .strftime("%Y-%m-%d")
            .to_string();
        self.form.set_value("from_date", &d);
        self.form.set_value("to_date", &d);
        self.run(cx)
    }

    fn input(&self) -> SettlementQueryInput {
        let st = self.form.choice("status");
        SettlementQueryInput {
            from_date: self.form.value("from_date"),
            to_date: self.form.value("to_date"),
            merchant: self.form.value("merchant"),
            status: (st > 0).then(|| STATUSES[st - 1]),
        }
    }

    fn fail(&mut self, cx: &Cx, e: ServiceError) -> Outcome {
        let lang = cx.lang;
        if let ServiceError::Invalid { field, problem } = &e {
            let words = match (*field, problem) {
                ("merchant", Problem::Unknown) => q::P_NO_MERCHANT.get(lang).to_string(),
                _ => text::field_problem(problem, lang),
            };
            self.form.mark(field, words.clone());
            self.list_focus = false;
            // A refused query shows no result: the old one would read as the answer.
            self.results = None;
            return Outcome::error(format!("{}: {words}", self.form.label_of(field, lang)));
        }
        self.results = None;
        self.list_focus = false;
        Outcome::error(cx.error_text(&e, |k| self.form.label_of(k, lang)))
    }

    fn run(&mut self, cx: &mut Cx) -> Outcome {
        let filter = match settlement_query::build_filter(cx.env, &self.input()) {
            Ok(f) => f,
            Err(e) => return self.fail(cx, e),
        };
        self.form.clear_marks();
        let result = settlement_query::totals(cx.env, cx.session, &filter).and_then(|totals| {
            settlement_query::page(cx.env, cx.session, &filter, 0).map(|rows| (totals, rows))
        });
        let scoped = session::is_scoped(cx.env, cx.session).unwrap_or(true);
        match result {
            Ok((totals, rows)) => {
                self.list_focus = !rows.is_empty();
                self.results = Some(Results {
                    filter,
                    conditions: self.form.conditions(cx.lang),
                    run_ms: cx.now_ms(),
                    totals,
                    rows,
                    page: 0,
                    selected: 0,
                    scoped,
                });
                Outcome::none()
            }
            Err(e) => self.fail(cx, e),
        }
    }

    fn go(&mut self, cx: &mut Cx, page: usize, select_last: bool) -> Outcome {
        let Some(r) = self.results.as_mut() else {
            return Outcome::none();
        };
        let page = page.min(r.pages() - 1);
        match settlement_query::page(cx.env, cx.session, &r.filter, page) {
            Ok(rows) => {
                r.selected = if select_last {
                    rows.len().saturating_sub(1)
                } else {
                    0
                };
                r.rows = rows;
                r.page = page;
                Outcome::none()
            }
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn open_selected(&mut self, cx: &mut Cx) -> Outcome {
        let Some(row) = self.results.as_ref().and_then(|r| r.rows.get(r.selected)) else {
            return Outcome::none();
        };
        let lang = cx.lang;
        let name = if lang == Lang::En && !row.merchant_name_en.is_empty() {
            &row.merchant_name_en
        } else {
            &row.merchant_name
        };
        let heading = q::SETTLEMENT_OF
            .get(lang)
            .replace("{d}", &format_ymd(row.settle_date))
            .replace("{m}", name)
            .replace("{k}", &row.txn_count.to_string())
            .replace("{a}", &format_fen(row.net_fen));
        let row = row.clone();
        let screen = TxnQuery::for_settlement(cx, &row, heading);
        Outcome::nav(Nav::Push(Box::new(screen)))
    }

    fn handle_list(&mut self, act: Act, cx: &mut Cx) -> Outcome {
        let Some(r) = self.results.as_mut() else {
            return Outcome::none();
        };
        match act {
            Act::Run => return self.open_selected(cx),
            Act::Shared(Action::Up) => {
                if r.selected > 0 {
                    r.selected -= 1;
                } else if r.page > 0 {
                    let p = r.page - 1;
                    return self.go(cx, p, true);
                }
            }
            Act::Shared(Action::Down) => {
                if r.selected + 1 < r.rows.len() {
                    r.selected += 1;
                } else if r.page + 1 < r.pages() {
                    let p = r.page + 1;
                    return self.go(cx, p, false);
                }
            }
            Act::NextPage if r.page + 1 < r.pages() => {
                let p = r.page + 1;
                return self.go(cx, p, false);
            }
            Act::PrevPage if r.page > 0 => {
                let p = r.page - 1;
                return self.go(cx, p, false);
            }
            Act::FirstPage => return self.go(cx, 0, false),
            Act::LastPage => {
                let p = r.pages() - 1;
                return self.go(cx, p, false);
            }
            Act::Yesterday => return self.set_yesterday_and_run(cx),
            Act::NextField | Act::PrevField | Act::Shared(Action::Back) => self.list_focus = false,
            _ => {}
        }
        Outcome::none()
    }
}

impl Screen for SettlementQuery {
    fn title(&self) -> T {
        self.title
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let (first, second) = if self.list_focus {
            (LIST_KEYS, FORM_KEYS)
        } else {
            (FORM_KEYS, LIST_KEYS)
        };
        let mut v = help_lines(first, lang);
        v.extend(help_lines(second, lang));
        v.push(("Space/←→".into(), t::KEY_OPTION.get(lang).into()));
        let mut seen = std::collections::HashSet::new();
        v.retain(|(k, d)| seen.insert(format!("{k}{d}")));
        v
    }

    fn editing_text(&self) -> bool {
        !self.list_focus && self.form.editing_text()
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if self.list_focus {
            return match lookup(LIST_KEYS, k) {
                Some(act) => self.handle_list(act, cx),
                None => Outcome::none(),
            };
        }
        match lookup(FORM_KEYS, k) {
            Some(Act::Run) => self.run(cx),
            Some(Act::NextField) => {
                let has_rows = self.results.as_ref().is_some_and(|r| !r.rows.is_empty());
                if self.form.is_last() && has_rows && k.code == KeyCode::Tab {
                    self.list_focus = true;
                } else {
                    self.form.next();
                }
                Outcome::none()
            }
            Some(Act::PrevField) => {
                self.form.prev();
                Outcome::none()
            }
            Some(Act::Yesterday) => self.set_yesterday_and_run(cx),
            Some(Act::Clear) => {
                self.form.clear();
                self.results = None;
                Outcome::none()
            }
            Some(Act::Shared(Action::Back)) => Outcome::nav(Nav::Pop),
            _ => {
                self.form.input(k);
                Outcome::none()
            }
        }
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.run(cx)
    }

    fn kept_name(&self) -> Option<&'static str> {
        Some("settlement_query")
    }

    fn kept(&self) -> Option<(&'static str, super::Kept)> {
        Some(("settlement_query", self.form.snapshot()))
    }

    fn recall(&mut self, kept: &super::Kept) {
        if self.results.is_none() {
            self.form.restore(kept);
        }
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let lang = cx.lang;
        let Some(r) = &self.results else {
            return Some(Outcome::error(q::EXPORT_NOTHING.get(lang).into()));
        };
        // The recipe keeps the conditions, so 下载中心 can run the same export again.
        let (title, filter, conditions) = (self.title, r.filter.clone(), r.conditions.clone());
        let recipe: crate::service::exports::Rerun = std::sync::Arc::new(move |env, s, run_ms| {
            let mut cols = SETTLEMENT_LIST.columns(lang);
            cols.preamble = list::preamble(title.get(lang), &conditions, run_ms, lang);
            let sheet = crate::service::exports::Sheet {
                title: q::EXPORT_SETTLEMENTS.get(lang).to_string(),
                headers: cols.headers.clone(),
                total_label: q::TOTAL.get(lang).into(),
                words: words(lang),
                chinese: lang == Lang::Zh,
            };
            crate::service::exports::start_settlement_export_with(env, s, &filter, sheet, cols)
        });
        let n = r.totals.settlements;
        Some(
            match crate::service::exports::start_remembered(cx.env, cx.session, r.run_ms, recipe) {
                Ok(job) => Outcome::export(job).with_message(
                    q::EXPORT_STARTED.get(lang).replace("{n}", &n.to_string()),
                    true,
                ),
                Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
            },
        )
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let form_h = self.form.grid_height(2);
        let [form_area, list_area, info_area] = Layout::vertical([
            Constraint::Length(form_h + 1),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .areas(area);
        let cursor = self.form.draw_grid(
            f,
            Rect::new(form_area.x, form_area.y, form_area.width, form_h),
            lang,
            !self.list_focus,
            2,
        );
        let Some(r) = &self.results else {
            f.render_widget(
                Paragraph::new(Span::styled(t::NO_QUERY_YET.get(lang), theme::dim()))
                    .block(Block::default().borders(Borders::TOP)),
                list_area,
            );
            return cursor;
        };
        let totals = totals_row(&r.totals, lang);
        let row_at = list::draw(
            f,
            list_area,
            &ListView {
                spec: &SETTLEMENT_LIST,
                rows: &r.rows,
                totals: Some(&totals),
                selected: self.list_focus.then_some(r.selected),
                cursor: r.selected,
                dim: |_| false,
                lang,
                empty: q::SETTLE_EMPTY.get(lang),
                title: None,
                sort: None,
            },
        );
        let mut info = q::SETTLE_PAGE_INFO
            .get(lang)
            .replace("{p}", &(r.page + 1).to_string())
            .replace("{n}", &r.pages().to_string())
            .replace("{c}", &r.totals.settlements.to_string());
        if r.scoped {
            info.push_str(q::SETTLE_SCOPE_NOTE.get(lang));
        }
        f.render_widget(
            Paragraph::new(Line::from(Span::styled(info, theme::label()))),
            info_area,
        );
        if self.list_focus {
            row_at
        } else {
            cursor
        }
    }
}
