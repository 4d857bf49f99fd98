//! 收支明细 (A1, A2): each merchant's balance and its ledger lines, newest first, with the
//! running balance after each line.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::service::views::LedgerLine;
use crate::service::views::MerchantRow;
use crate::service::{account, exports};
use crate::ui::text::review as tr;
use crate::ui::text::{t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::table::{self, Column, Selection};
use unicode_width::UnicodeWidthStr;

use super::downloads::list_sheet;
use super::{Cx, Nav, Outcome, Screen, View};

const PAGE: usize = 100;

pub struct Ledger {
    merchants: Vec<(MerchantRow, i64)>,
    current: usize,
    lines: Vec<LedgerLine>,
    page: usize,
    sel: Selection,
}

impl Ledger {
    pub fn open(cx: &mut Cx) -> Outcome {
        match account::balances(cx.env, cx.session) {
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
            KeyCode::Esc => Outcome::nav(Nav::Pop),
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
        let headers = [
            tr::LEDGER_TIME,
            tr::LEDGER_KIND,
            tr::INCOME,
            tr::EXPENSE,
            tr::RUNNING,
            tr::MEMO,
        ];
        let headers: Vec<&str> = headers.iter().map(|h| h.get(lang)).collect();
        let title: String = format!("{}_{}", tr::SCR_LEDGER.get(lang), m.merchant_no);
        let sheet = list_sheet(lang, &title, &headers);
        let result = exports::start_ledger_export(cx.env, cx.session, m.id, sheet);
        Some(super::downloads::started(cx, result))
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        if let Ok(m) = account::balances(cx.env, cx.session) {
            self.merchants = m;
        }
        self.load(cx, None, 0)
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [head, list] =
            Layout::vertical([Constraint::Length(2), Constraint::Min(4)]).areas(area);
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
            .map(|(m, bal)| format!(" {} {} ", name_of(m), format_fen(*bal)))
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
            ]),
            head,
        );
        let rows: Vec<Vec<String>> = self
            .lines
            .iter()
            .map(|l| {
                vec![
                    format_ms(l.line_ms),
                    tr::ledger_kind(&l.kind).get(lang).into(),
                    if l.amount_fen > 0 {
                        format_fen(l.amount_fen)
                    } else {
                        String::new()
                    },
                    if l.amount_fen < 0 {
                        format_fen(-l.amount_fen)
                    } else {
                        String::new()
                    },
                    format_fen(l.balance_fen),
                    l.memo.clone(),
                ]
            })
            .collect();
        let columns = [
            Column {
                header: tr::LEDGER_TIME.get(lang),
                width: Constraint::Length(19),
                right: false,
            },
            Column {
                header: tr::LEDGER_KIND.get(lang),
                width: Constraint::Length(10),
                right: false,
            },
            Column {
                header: tr::INCOME.get(lang),
                width: Constraint::Length(14),
                right: true,
            },
            Column {
                header: tr::EXPENSE.get(lang),
                width: Constraint::Length(12),
                right: true,
            },
            Column {
                header: tr::RUNNING.get(lang),
                width: Constraint::Length(14),
                right: true,
            },
            Column {
                header: tr::MEMO.get(lang),
                width: Constraint::Min(8),
                right: false,
            },
        ];
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
        table::draw(
            f,
            list,
            &table::TableView {
                title: &title,
                columns: &columns,
                rows: &rows,
                dim: &[],
                selected: Some(self.sel.index),
                empty: tr::NO_LINES.get(lang),
            },
        )
    }
}
