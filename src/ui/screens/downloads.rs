//! The downloads list 下载中心 (D1): each export with its state, rows, time and file; and the
//! running-export helper the list screens use for Ctrl+E (progress line, cancel, outcome).

use std::sync::Arc;

use crossterm::event::KeyEvent;
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;

use crate::clock::format_ms;
use crate::excel::{ExportJob, JobState};
use crate::service::exports::{self, Code, Words};
use crate::service::views::{DownloadRow, DownloadState};
use crate::ui::keymap;
use crate::ui::keymap::{help_lines, lookup, Binding};
use crate::ui::text::{self, query as q, t, Lang, T};
use crate::ui::theme;

use super::settlement_query::status_text;
use super::{Cx, Nav, Outcome, Screen, View};

/// Code-to-words for the export sheets, in `lang`.
pub fn words(lang: Lang) -> Words {
    Arc::new(move |code: Code, v: &str| {
        match code {
            Code::TxnType => text::txn_type(v),
            Code::TxnStatus => text::txn_status(v),
            Code::CardOrg => text::card_org(v),
            Code::CardType => text::card_type(v),
            Code::SettlementStatus => status_text(v),
            Code::RefundStatus => text::review::refund_status(v),
            Code::LedgerKind => text::review::ledger_kind(v),
            Code::Counted => text::counted(v),
        }
        .get(lang)
        .to_string()
    })
}

/// The sheet of a list export: its title and headers in the operator's language.
pub fn list_sheet(lang: Lang, title: &str, headers: &[&str]) -> exports::Sheet {
    exports::Sheet {
        title: title.to_string(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        total_label: q::TOTAL.get(lang).into(),
        words: words(lang),
        chinese: lang == Lang::Zh,
    }
}

/// An export the service started, handed to the app; or why it could not start.
pub fn started(cx: &Cx, result: crate::service::ServiceResult<ExportJob>) -> Outcome {
    match result {
        Ok(job) => Outcome::export(job),
        Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
    }
}

/// Starts a list export and hands the job to the app, or says why not.
pub fn export_list(
    cx: &mut Cx,
    needs: crate::domain::function::Function,
    title: &str,
    headers: &[&str],
    kinds: &[crate::excel::ColKind],
    rows: Vec<Vec<crate::excel::CellValue<'static>>>,
) -> Outcome {
    let sheet = list_sheet(cx.lang, title, headers);
    let result = exports::start_list_export(cx.env, cx.session, needs, sheet, kinds, rows);
    started(cx, result)
}

/// Exports a table the screen shows as text (every cell a text cell), with its headers.
pub fn export_text_table(
    cx: &mut Cx,
    needs: crate::domain::function::Function,
    title: T,
    headers: &[T],
    rows: Vec<Vec<String>>,
) -> Outcome {
    let lang = cx.lang;
    let cells = rows
        .into_iter()
        .map(|r| r.into_iter().map(crate::excel::CellValue::text).collect())
        .collect();
    let headers: Vec<&str> = headers.iter().map(|h| h.get(lang)).collect();
    let kinds = vec![crate::excel::ColKind::Text; headers.len()];
    export_list(cx, needs, title.get(lang), &headers, &kinds, cells)
}

/// An export a screen started, until it ends.
pub struct ExportRun {
    job: ExportJob,
}

impl ExportRun {
    pub fn new(job: ExportJob) -> ExportRun {
        ExportRun { job }
    }

    pub fn cancel(&self) {
        self.job.cancel();
    }

    /// How far along, when the number of rows is known.
    pub fn fraction(&self) -> Option<f64> {
        self.job.progress().fraction()
    }

    /// The progress line while running.
    pub fn line(&self, lang: Lang) -> String {
        let p = self.job.progress();
        q::EXPORT_PROGRESS
            .get(lang)
            .replace("{done}", &p.rows_done.to_string())
            .replace(
                "{total}",
                &p.total.map_or("?".to_string(), |t| t.to_string()),
            )
    }

    /// `Some(outcome)` once the job has ended (and its row is recorded).
    pub fn poll(&self, cx: &mut Cx) -> Option<Outcome> {
        if !self.job.is_finished() {
            return None;
        }
        let lang = cx.lang;
        let _ = crate::service::exports::record_unrecorded(cx.env, &self.job, lang == Lang::Zh);
        Some(match self.job.progress().state {
            JobState::Done { rows } => Outcome::ok(
                q::EXPORT_DONE
                    .get(lang)
                    .replace("{n}", &rows.to_string())
                    .replace("{path}", &self.job.path.display().to_string()),
            ),
            JobState::Cancelled => Outcome::ok(q::EXPORT_CANCELLED.get(lang).into()),
            JobState::Failed { message } => {
                Outcome::error(q::EXPORT_FAILED.get(lang).replace("{e}", &message))
            }
            JobState::Running => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Up,
    Down,
    Back,
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: keymap::UP,
        action: Act::Up,
        help: t::KEY_MOVE,
    },
    Binding {
        keys: keymap::DOWN,
        action: Act::Down,
        help: t::KEY_MOVE,
    },
    Binding {
        keys: keymap::BACK,
        action: Act::Back,
        help: t::KEY_BACK,
    },
];

pub struct Downloads {
    rows: Vec<DownloadRow>,
    selected: usize,
}

impl Downloads {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut d = Downloads {
            rows: Vec::new(),
            selected: 0,
        };
        match d.load(cx) {
            Ok(()) => Outcome::nav(Nav::Push(Box::new(d))),
            Err(e) => Outcome::error(e),
        }
    }

    fn load(&mut self, cx: &mut Cx) -> Result<(), String> {
        self.rows = exports::downloads(cx.env, cx.session, 200)
            .map_err(|e| cx.error_text(&e, |k| k.to_string()))?;
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        Ok(())
    }
}

fn state_text(s: DownloadState) -> T {
    match s {
        DownloadState::Running => q::DL_RUNNING,
        DownloadState::Done => q::DL_DONE,
        DownloadState::Failed => q::DL_FAILED,
        DownloadState::Cancelled => q::DL_CANCELLED,
    }
}

impl Screen for Downloads {
    fn title(&self) -> T {
        q::SCR_DOWNLOADS
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let mut v = help_lines(KEYS, lang);
        v.push(("F5".into(), t::KEY_REFRESH.get(lang).into()));
        v
    }

    fn handle_key(&mut self, k: &KeyEvent, _cx: &mut Cx) -> Outcome {
        match lookup(KEYS, k) {
            Some(Act::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Act::Down) => {
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1))
            }
            Some(Act::Back) => return Outcome::nav(Nav::Pop),
            None => {}
        }
        Outcome::none()
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        match self.load(cx) {
            Ok(()) => Outcome::none(),
            Err(e) => Outcome::error(e),
        }
    }

    fn tick(&mut self, cx: &mut Cx) -> Outcome {
        // Running exports move on by themselves: follow them.
        if self.rows.iter().any(|r| r.state == DownloadState::Running) {
            let _ = self.load(cx);
        }
        Outcome::none()
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        if self.rows.is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled(q::DL_EMPTY.get(lang), theme::dim())),
                area,
            );
            return None;
        }
        let visible = area.height.saturating_sub(2) as usize;
        let offset = self.selected.saturating_sub(visible.saturating_sub(1));
        let rows = self.rows.iter().enumerate().skip(offset).map(|(i, r)| {
            let state = Span::styled(
                state_text(r.state).get(lang),
                match r.state {
                    DownloadState::Done => theme::ok(),
                    DownloadState::Failed => theme::error(),
                    _ => Style::default(),
                },
            );
            let file = if r.message.is_empty() {
                r.path.clone()
            } else {
                format!("{}  {}", r.path, r.message)
            };
            let style = if i == self.selected {
                theme::selected()
            } else {
                Style::default()
            };
            Row::new(vec![
                Cell::from(theme::marker(i == self.selected)),
                Cell::from(format_ms(r.started_ms)[5..16].to_string()),
                Cell::from(r.title.clone()),
                Cell::from(state),
                Cell::from(Line::from(r.row_count.to_string()).right_aligned()),
                Cell::from(file),
            ])
            .style(style)
        });
        let header = Row::new(vec![
            Cell::from(""),
            Cell::from(q::COL_STARTED.get(lang)),
            Cell::from(q::COL_FILE.get(lang)),
            Cell::from(q::COL_STATUS.get(lang)),
            Cell::from(Line::from(q::COL_ROWS.get(lang)).right_aligned()),
            Cell::from(q::COL_PATH.get(lang)),
        ])
        .style(theme::header());
        f.render_widget(
            Table::new(
                rows,
                [
                    Constraint::Length(1),
                    Constraint::Length(11),
                    Constraint::Length(12),
                    Constraint::Length(9),
                    Constraint::Length(8),
                    Constraint::Min(10),
                ],
            )
            .header(header)
            .column_spacing(1)
            .block(Block::default().borders(Borders::NONE)),
            area,
        );
        Some(Position::new(
            area.x,
            area.y + 1 + (self.selected - offset) as u16,
        ))
    }
}
