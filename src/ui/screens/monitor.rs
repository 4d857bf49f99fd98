//! Real-time monitor 实时交易监控 (M1): the latest 20 transactions in the operator's scope,
//! newest first, reloaded within a tick of another process committing new ones (SQLite's
//! `data_version`, read every tick: no busy loop, no re-query while nothing changed), a
//! sparkline of the transactions per minute, and the detail of any row.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Sparkline, Table};
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::service::monitor::{self, Snapshot, Watch};
use crate::ui::action::Action;
use crate::ui::keymap;
use crate::ui::keymap::{help_lines, key, lookup, Binding};
use crate::ui::text::{self, query as q, t, Lang, T};
use crate::ui::theme;

use super::txn_detail::TxnDetail;
use super::{Cx, Nav, Outcome, Screen, View};

/// Minutes the sparkline covers.
const MINUTES: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Open,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Enter)],
        action: Act::Open,
        help: t::KEY_DETAIL,
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
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

pub struct Monitor {
    watch: Watch,
    snap: Snapshot,
    /// The id selected, so the selection stays on its row as new rows arrive.
    selected_id: Option<i64>,
    selected: usize,
    updated_ms: i64,
    /// The minute of the last load, so the sparkline moves on even when nothing arrives.
    minute: i64,
    /// How many rows the last reload brought.
    new_rows: usize,
    error: Option<String>,
}

impl Monitor {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut m = Monitor {
            watch: Watch::default(),
            snap: Snapshot::default(),
            selected_id: None,
            selected: 0,
            updated_ms: 0,
            minute: 0,
            new_rows: 0,
            error: None,
        };
        m.watch.changed(cx.env);
        match m.load(cx) {
            Ok(()) => Outcome::nav(Nav::Push(Box::new(m))),
            Err(e) => Outcome::error(e),
        }
    }

    fn load(&mut self, cx: &mut Cx) -> Result<(), String> {
        let snap = monitor::snapshot(cx.env, cx.session, MINUTES)
            .map_err(|e| cx.error_text(&e, |k| k.to_string()))?;
        let old_top = self.snap.latest.first().map(|r| r.id);
        self.new_rows = match old_top {
            Some(top) => snap.latest.iter().take_while(|r| r.id != top).count(),
            None => 0,
        };
        self.snap = snap;
        self.selected = match self.selected_id {
            Some(id) => self
                .snap
                .latest
                .iter()
                .position(|r| r.id == id)
                .unwrap_or(0),
            None => 0,
        };
        self.updated_ms = cx.now_ms();
        self.minute = cx.now_ms() / 60_000;
        self.error = None;
        Ok(())
    }

    fn reload(&mut self, cx: &mut Cx) -> Outcome {
        match self.load(cx) {
            Ok(()) => Outcome::none(),
            Err(e) => {
                self.error = Some(e.clone());
                Outcome::error(e)
            }
        }
    }
}

impl Screen for Monitor {
    fn title(&self) -> T {
        q::SCR_MONITOR
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        help_lines(KEYS, lang)
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let n = self.snap.latest.len();
        match lookup(KEYS, k) {
            Some(Act::Open) => {
                if let Some(row) = self.snap.latest.get(self.selected) {
                    return match TxnDetail::open(cx, row.id) {
                        Ok(d) => Outcome::nav(Nav::Push(Box::new(d))),
                        Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
                    };
                }
            }
            Some(Act::Shared(Action::Up)) => self.selected = self.selected.saturating_sub(1),
            Some(Act::Shared(Action::Down)) => {
                self.selected = (self.selected + 1).min(n.saturating_sub(1))
            }
            Some(Act::Shared(Action::Back)) => return Outcome::nav(Nav::Pop),
            Some(Act::Shared(_)) | None => {}
        }
        // The top row follows the newest; any other selection stays on its transaction.
        self.selected_id = match self.selected {
            0 => None,
            i => self.snap.latest.get(i).map(|r| r.id),
        };
        Outcome::none()
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.reload(cx)
    }

    fn tick(&mut self, cx: &mut Cx) -> Outcome {
        let minute_passed = cx.now_ms() / 60_000 != self.minute;
        if self.watch.changed(cx.env) || minute_passed {
            let _ = self.load(cx).map_err(|e| self.error = Some(e));
        }
        Outcome::none()
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [info_area, list_area, spark_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(4),
            Constraint::Length(4),
        ])
        .areas(area);
        let mut info = vec![
            Span::styled("● ", theme::ok()),
            Span::styled(q::MON_LIVE.get(lang), theme::label()),
            Span::raw("  "),
            Span::styled(
                q::MON_UPDATED
                    .get(lang)
                    .replace("{t}", &format_ms(self.updated_ms)[11..]),
                theme::dim(),
            ),
        ];
        if self.new_rows > 0 {
            info.push(Span::raw("  "));
            info.push(Span::styled(
                q::MON_NEW
                    .get(lang)
                    .replace("{n}", &self.new_rows.to_string()),
                theme::ok(),
            ));
        }
        if let Some(e) = &self.error {
            info.push(Span::raw("  "));
            info.push(Span::styled(e.clone(), theme::error()));
        }
        f.render_widget(Paragraph::new(Line::from(info)), info_area);

        let wide = area.width >= 110;
        let block = Block::default().borders(Borders::TOP);
        let focus = if self.snap.latest.is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled(q::MON_EMPTY.get(lang), theme::dim())).block(block),
                list_area,
            );
            None
        } else {
            let visible = list_area.height.saturating_sub(2) as usize;
            let offset = self.selected.saturating_sub(visible.saturating_sub(1));
            let rows = self
                .snap
                .latest
                .iter()
                .enumerate()
                .skip(offset)
                .map(|(i, r)| {
                    let mut cells = vec![
                        Cell::from(theme::marker(i == self.selected)),
                        Cell::from(format_ms(r.txn_ms)[5..].to_string()),
                        Cell::from(r.terminal_no.clone()),
                    ];
                    if wide {
                        let name = if lang == Lang::Zh || r.merchant_name_en.is_empty() {
                            &r.merchant_name
                        } else {
                            &r.merchant_name_en
                        };
                        // Cut in the middle: the end tells the stores of a chain apart.
                        cells.push(Cell::from(crate::ui::list::ellipsis_middle(
                            name,
                            MERCHANT_WIDTH,
                        )));
                    }
                    cells.extend([
                        Cell::from(text::txn_type(&r.txn_type).get(lang)),
                        Cell::from(Line::from(format_fen(r.amount_fen)).right_aligned()),
                        Cell::from(r.card_masked.clone()),
                    ]);
                    // At 80 columns the status matters more than the card organisation.
                    if wide {
                        cells.push(Cell::from(text::card_org(&r.card_org).get(lang)));
                    }
                    cells.push(Cell::from(text::txn_status(&r.status).get(lang)));
                    let style = if i == self.selected {
                        theme::selected()
                    } else if i < self.new_rows {
                        theme::ok()
                    } else if r.status != crate::domain::txn::TxnStatus::Success {
                        theme::dim()
                    } else {
                        Style::default()
                    };
                    Row::new(cells).style(style)
                });
            let mut header = vec![t::COL_TIME, t::TERMINAL];
            let mut widths = vec![
                Constraint::Length(1),
                Constraint::Length(14),
                Constraint::Length(8),
            ];
            if wide {
                header.push(t::COL_MERCHANT);
                widths.push(Constraint::Length(MERCHANT_WIDTH));
            }
            header.extend([t::TXN_TYPE, t::COL_AMOUNT, t::COL_CARD]);
            widths.extend([
                Constraint::Length(10),
                Constraint::Length(11),
                Constraint::Length(19),
            ]);
            if wide {
                header.push(t::COL_ORG);
                widths.push(Constraint::Length(16));
            }
            header.push(q::COL_STATUS);
            widths.push(Constraint::Min(6));
            let amount_col = if wide { 4 } else { 3 };
            let header = Row::new(
                std::iter::once(Cell::from(""))
                    .chain(header.into_iter().enumerate().map(|(i, h)| {
                        if i == amount_col {
                            Cell::from(Line::from(h.get(lang)).right_aligned())
                        } else {
                            Cell::from(h.get(lang))
                        }
                    }))
                    .collect::<Vec<_>>(),
            )
            .style(theme::header());
            f.render_widget(
                Table::new(rows, widths)
                    .header(header)
                    .column_spacing(1)
                    .block(block),
                list_area,
            );
            Some(Position::new(
                list_area.x,
                list_area.y + 2 + (self.selected - offset) as u16,
            ))
        };

        let max = self.snap.per_minute.iter().copied().max().unwrap_or(0);
        let title = q::MON_PER_MINUTE
            .get(lang)
            .replace("{n}", &MINUTES.to_string())
            .replace("{max}", &max.to_string());
        // One column a minute, right-aligned so the current minute is at the right edge.
        let [label_area, chart_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(spark_area);
        f.render_widget(
            Paragraph::new(Span::styled(title, theme::label())),
            label_area,
        );
        let data: Vec<u64> = self.snap.per_minute.clone();
        let w = (data.len() as u16).min(chart_area.width);
        let chart = Rect::new(chart_area.x, chart_area.y, w, chart_area.height);
        f.render_widget(
            Sparkline::default()
                .data(&data[data.len() - w as usize..])
                .max(max.max(1))
                .style(theme::label()),
            chart,
        );
        focus
    }
}

/// The merchant column of the monitor, in cells.
const MERCHANT_WIDTH: u16 = 20;
