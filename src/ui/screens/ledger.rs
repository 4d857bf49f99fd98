//! 收支明细 (A1, A2): each merchant's balance and its ledger lines, newest first, with the
//! running balance after each line.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::excel::CellValue;
use crate::service::views::LedgerLine;
use crate::service::views::{Available, MerchantRow};
use crate::service::{account, exports};
use crate::ui::keymap;
use crate::ui::list::{self, Col, Kind, ListSpec, ListView, Show, Width};
use crate::ui::text::money_out as tm;
use crate::ui::text::review as tr;
use crate::ui::text::{t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::table::Selection;
use unicode_width::UnicodeWidthStr;

use super::downloads::list_sheet;
use super::{Cx, Nav, Outcome, Screen, View};

const PAGE: usize = 100;

/// The ledger list, on screen and in the export (A2).
pub static LEDGER_LIST: ListSpec<LedgerLine> = ListSpec { cols: LEDGER_COLS };

const LEDGER_COLS: &[Col<LedgerLine>] = &[
    Col {
        header: tr::LEDGER_TIME,
        kind: Kind::Time,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |l, _| format_ms(l.line_ms),
        value: |l, _| CellValue::DateTime(l.line_ms),
    },
    Col {
        header: tr::LEDGER_KIND,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |l, lang| tr::ledger_kind(&l.kind).get(lang).to_string(),
        value: |l, lang| CellValue::text(tr::ledger_kind(&l.kind).get(lang)),
    },
    Col {
        header: tr::INCOME,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |l, _| {
            if l.amount_fen > 0 {
                format_fen(l.amount_fen)
            } else {
                String::new()
            }
        },
        value: |l, _| {
            if l.amount_fen > 0 {
                CellValue::Money(l.amount_fen)
            } else {
                CellValue::Empty
            }
        },
    },
    Col {
        header: tr::EXPENSE,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |l, _| {
            if l.amount_fen < 0 {
                format_fen(-l.amount_fen)
            } else {
                String::new()
            }
        },
        value: |l, _| {
            if l.amount_fen < 0 {
                CellValue::Money(-l.amount_fen)
            } else {
                CellValue::Empty
            }
        },
    },
    Col {
        header: tr::RUNNING,
        kind: Kind::Balance,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |l, _| format_fen(l.balance_fen),
        value: |l, _| CellValue::Money(l.balance_fen),
    },
    Col {
        header: tr::MEMO,
        kind: Kind::Text,
        width: Width::Shrink { min: 6 },
        show: Show::Both { priority: 2 },
        cell: |l, _| l.memo.clone(),
        value: |l, _| CellValue::text(l.memo.clone()),
    },
];

pub struct Ledger {
    merchants: Vec<(MerchantRow, Available)>,
    current: usize,
    lines: Vec<LedgerLine>,
    page: usize,
    sel: Selection,
}

impl Ledger {
    pub fn open(cx: &mut Cx) -> Outcome {
        match account::available_balances(cx.env, cx.session) {
            Ok(merchants) => {
                let mut s = Ledger {
                    merchants,
                    current: 0,
                    lines: Vec::new(),
                    page: 0,
                    sel: Selection::default(),
                };
                let o = s.load(cx, None, 0);
                if o.message.is_some() {
                    return o;
                }
                Outcome::nav(Nav::Push(Box::new(s)))
            }
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn load(&mut self, cx: &mut Cx, before: Option<i64>, page: usize) -> Outcome {
        let Some((m, _)) = self.merchants.get(self.current) else {
            return Outcome::none();
        };
        match account::ledger(cx.env, cx.session, m.id, before, PAGE) {
            Ok(lines) => {
                self.lines = lines;
                self.page = page;
                self.sel = Selection::default();
                Outcome::none()
            }
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }
}

impl Screen for Ledger {
    fn title(&self) -> T {
        tr::SCR_LEDGER
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        vec![
            ("←→".into(), tr::KEY_MERCHANT.get(lang).into()),
            ("n".into(), tr::KEY_OLDER.get(lang).into()),
            ("g".into(), tr::KEY_NEWEST.get(lang).into()),
            ("Esc".into(), t::KEY_BACK.get(lang).into()),
        ]
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if self.sel.handle(k, self.lines.len()) {
            return Outcome::none();
        }
        let n = self.merchants.len().max(1);
        match k.code {
            _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
            KeyCode::Right | KeyCode::Left => {
                self.current = if k.code == KeyCode::Right {
                    (self.current + 1) % n
                } else {
                    (self.current + n - 1) % n
                };
                self.load(cx, None, 0)
            }
            KeyCode::Char('n') if self.lines.len() == PAGE => {
                let before = self.lines.last().map(|l| l.id);
                let page = self.page + 1;
                self.load(cx, before, page)
            }
            KeyCode::Char('g') => self.load(cx, None, 0),
            _ => Outcome::none(),
        }
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let lang = cx.lang;
        let (m, _) = self.merchants.get(self.current)?;
        let cols = LEDGER_LIST.columns(lang);
        let headers: Vec<&str> = cols.headers.iter().map(String::as_str).collect();
        let title: String = format!("{}_{}", tr::SCR_LEDGER.get(lang), m.merchant_no);
        let sheet = list_sheet(lang, &title, &headers);
        let result = exports::start_ledger_export_with(cx.env, cx.session, m.id, sheet, cols);
        Some(super::downloads::started(cx, result))
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        if let Ok(m) = account::available_balances(cx.env, cx.session) {
            self.merchants = m;
        }
        self.load(cx, None, 0)
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [head, list] =
            Layout::vertical([Constraint::Length(3), Constraint::Min(4)]).areas(area);
        let name_of = |m: &MerchantRow| {
            if lang == Lang::Zh || m.name_en.is_empty() {
                m.name.clone()
            } else {
                m.name_en.clone()
            }
        };
        let all: Vec<String> = self
            .merchants
            .iter()
            .map(|(m, bal)| format!(" {} {} ", name_of(m), format_fen(bal.ledger_fen)))
            .collect();
        let full: usize = all.iter().map(|t| t.width() + 1).sum();
        let mut spans = Vec::new();
        if full <= head.width as usize {
            for (i, text) in all.iter().enumerate() {
                let style = if i == self.current {
                    theme::selected()
                } else {
                    theme::dim()
                };
                spans.push(Span::styled(text.clone(), style));
                spans.push(Span::raw(" "));
            }
        } else if let Some(text) = all.get(self.current) {
            // Too narrow for every store: the current one, with where it stands.
            spans.push(Span::styled(format!("‹{text}›"), theme::selected()));
            spans.push(Span::styled(
                format!(" {}/{}", self.current + 1, all.len()),
                theme::dim(),
            ));
        }
        f.render_widget(
            Paragraph::new(vec![
                Line::from(spans),
                Line::from(Span::styled(
                    format!(
                        "{} · ←→ {}",
                        t::BALANCE.get(lang),
                        tr::KEY_MERCHANT.get(lang)
                    ),
                    theme::dim(),
                )),
                match self.merchants.get(self.current) {
                    Some((_, a)) => Line::from(vec![
                        Span::styled(
                            format!("{}: ", tm::LEDGER_BALANCE.get(lang)),
                            theme::label(),
                        ),
                        Span::raw(format!("{}    ", format_fen(a.ledger_fen))),
                        Span::styled(format!("{}: ", tm::HELD.get(lang)), theme::label()),
                        Span::raw(format!("{}    ", format_fen(a.held_fen))),
                        Span::styled(format!("{}: ", tm::AVAILABLE.get(lang)), theme::label()),
                        Span::styled(format_fen(a.available_fen), theme::title()),
                    ]),
                    None => Line::from(""),
                },
            ]),
            head,
        );
        let title = format!(
            "{} · {}",
            tr::SCR_LEDGER.get(lang),
            self.merchants
                .get(self.current)
                .map(|(m, _)| {
                    if lang == Lang::Zh || m.name_en.is_empty() {
                        m.name.as_str()
                    } else {
                        m.name_en.as_str()
                    }
                })
                .unwrap_or("")
        );
        list::draw(
            f,
            list,
            &ListView {
                spec: &LEDGER_LIST,
                rows: &self.lines,
                totals: None,
                selected: Some(self.sel.index),
                cursor: self.sel.index,
                dim: |_| false,
                lang,
                empty: tr::NO_LINES.get(lang),
                title: Some(&title),
                sort: None,
            },
        )
    }
}
