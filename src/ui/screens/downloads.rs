//! The downloads list 下载中心 (D1): each export with its state, rows, time and file; and the
//! running-export helper the list screens use for Ctrl+E (progress line, cancel, outcome).

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;

use crate::clock::format_ms;
use crate::excel::{ExportJob, JobState};
use crate::service::exports::{self, Code, Words};
use crate::service::views::{DownloadRow, DownloadState};
use unicode_width::UnicodeWidthStr;

use crate::ui::action::{self, Action, Layer};
use crate::ui::keymap;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::text::{self, query as q, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::popup;

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
    export_list_with(cx, needs, title, headers, kinds, rows, Vec::new())
}

/// `export_list` with the lines above the header that name the query's conditions and time
/// (`list::preamble`).
pub fn export_list_with(
    cx: &mut Cx,
    needs: crate::domain::function::Function,
    title: &str,
    headers: &[&str],
    kinds: &[crate::excel::ColKind],
    rows: Vec<Vec<crate::excel::CellValue<'static>>>,
    preamble: Vec<String>,
) -> Outcome {
    let sheet = list_sheet(cx.lang, title, headers);
    let result =
        exports::start_list_export(cx.env, cx.session, needs, sheet, kinds, rows, preamble);
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

/// The downloads centre's own keys; moving and Esc are the shared vocabulary's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Copy,
    Folder,
    Delete,
    Rerun,
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[ch('c')],
        action: Act::Copy,
        help: q::DL_KEY_COPY,
    },
    Binding {
        keys: &[ch('d'), key(KeyCode::Delete)],
        action: Act::Delete,
        help: q::DL_KEY_DELETE,
    },
    Binding {
        keys: &[ch('r')],
        action: Act::Rerun,
        help: q::DL_KEY_RERUN,
    },
    Binding {
        keys: &[ch('o')],
        action: Act::Folder,
        help: q::DL_KEY_FOLDER,
    },
];

pub struct Downloads {
    rows: Vec<DownloadRow>,
    selected: usize,
    /// The folder exports are written to.
    folder: String,
    /// Which rows' exports can be started again (started in this run of the app).
    rerunnable: Vec<i64>,
    /// The row whose file `d` is about to delete, until Enter/y or Esc/n.
    confirm: Option<usize>,
}

impl Downloads {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut d = Downloads {
            rows: Vec::new(),
            selected: 0,
            folder: exports::folder(cx.env).display().to_string(),
            rerunnable: Vec::new(),
            confirm: None,
        };
        match d.load(cx) {
            Ok(()) => Outcome::nav(Nav::Push(Box::new(d))),
            Err(e) => Outcome::error(e),
        }
    }

    fn load(&mut self, cx: &mut Cx) -> Result<(), String> {
        self.rows = exports::downloads(cx.env, cx.session, 200)
            .map_err(|e| cx.error_text(&e, |k| k.to_string()))?;
        self.rerunnable = self
            .rows
            .iter()
            .filter(|r| exports::can_rerun(cx.env, r.id))
            .map(|r| r.id)
            .collect();
        self.selected = self.selected.min(self.rows.len().saturating_sub(1));
        Ok(())
    }

    fn file_name(r: &DownloadRow) -> String {
        std::path::Path::new(&r.path)
            .file_name()
            .map_or_else(|| r.path.clone(), |n| n.to_string_lossy().into_owned())
    }

    fn delete(&mut self, i: usize, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Some(r) = self.rows.get(i).cloned() else {
            return Outcome::none();
        };
        match exports::delete_download(cx.env, cx.session, r.id, q::DL_DELETED.get(lang)) {
            Ok(()) => {
                let _ = self.load(cx);
                Outcome::ok(
                    q::DL_DELETED_DONE
                        .get(lang)
                        .replace("{file}", &Self::file_name(&r)),
                )
            }
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
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
        if self.confirm.is_some() {
            return vec![
                ("Enter/y".into(), q::DL_KEY_DELETE.get(lang).into()),
                ("Esc/n".into(), t::KEY_BACK.get(lang).into()),
            ];
        }
        let mut v = vec![("↑↓".to_string(), t::KEY_MOVE.get(lang).to_string())];
        v.extend(help_lines(KEYS, lang));
        v.push(("F5".into(), t::KEY_REFRESH.get(lang).into()));
        v.push(("Esc".into(), t::KEY_BACK.get(lang).into()));
        v
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        if let Some(i) = self.confirm {
            // Nothing is deleted until the answer.
            return match k.code {
                KeyCode::Enter | KeyCode::Char('y') | KeyCode::Char('Y') => {
                    self.confirm = None;
                    self.delete(i, cx)
                }
                KeyCode::Char('n') | KeyCode::Char('N') => {
                    self.confirm = None;
                    Outcome::none()
                }
                _ if keymap::is_back(k) => {
                    self.confirm = None;
                    Outcome::none()
                }
                _ => Outcome::none(),
            };
        }
        let last = self.rows.len().saturating_sub(1);
        match action::in_layer(Layer::List, k) {
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Down) => self.selected = (self.selected + 1).min(last),
            Some(Action::PageUp) => self.selected = self.selected.saturating_sub(10),
            Some(Action::PageDown) => self.selected = (self.selected + 10).min(last),
            Some(Action::First) => self.selected = 0,
            Some(Action::Last) => self.selected = last,
            _ if keymap::is_back(k) => return Outcome::nav(Nav::Pop),
            _ => {}
        }
        let Some(act) = lookup(KEYS, k) else {
            return Outcome::none();
        };
        if act == Act::Folder {
            return Outcome::copy(
                self.folder.clone(),
                q::DL_COPIED.get(lang).replace("{path}", &self.folder),
            );
        }
        let Some(r) = self.rows.get(self.selected) else {
            return Outcome::error(q::DL_EMPTY.get(lang).into());
        };
        match act {
            Act::Folder => Outcome::none(),
            Act::Copy => Outcome::copy(
                r.path.clone(),
                q::DL_COPIED.get(lang).replace("{path}", &r.path),
            ),
            Act::Delete if r.state == DownloadState::Running => {
                Outcome::error(q::DL_STILL_RUNNING.get(lang).into())
            }
            Act::Delete => {
                self.confirm = Some(self.selected);
                Outcome::none()
            }
            Act::Rerun => {
                let title = r.title.clone();
                match exports::rerun(cx.env, cx.session, r.id) {
                    None => Outcome::error(q::DL_NO_RERUN.get(lang).into()),
                    Some(Ok(job)) => {
                        let out = Outcome::export(job).with_message(
                            q::DL_RERUN_STARTED.get(lang).replace("{title}", &title),
                            true,
                        );
                        let _ = self.load(cx);
                        self.selected = 0;
                        out
                    }
                    Some(Err(e)) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
                }
            }
        }
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

    fn draw(&self, f: &mut Frame, whole: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [top, area, bottom] = ratatui::layout::Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(2),
            Constraint::Length(1),
        ])
        .areas(whole);
        let folder_label = q::DL_FOLDER.get(lang);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!("{folder_label}: "), theme::label()),
                Span::raw(self.folder.clone()),
            ])),
            top,
        );
        if self.rows.is_empty() {
            f.render_widget(
                Paragraph::new(Span::styled(q::DL_EMPTY.get(lang), theme::dim())),
                area,
            );
            return None;
        }
        // The selected row's whole path (the table may cut it), and whether `r` can redo it.
        if let Some(r) = self.rows.get(self.selected) {
            let mut spans = vec![Span::raw(r.path.clone())];
            if self.rerunnable.contains(&r.id) {
                spans.push(Span::styled(
                    format!("  r {}", q::DL_RERUN_MARK.get(lang)),
                    theme::key(),
                ));
            }
            f.render_widget(Paragraph::new(Line::from(spans)), bottom);
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
        if let Some(r) = self.confirm.and_then(|i| self.rows.get(i)) {
            let text = q::DL_DELETE_CONFIRM
                .get(lang)
                .replace("{file}", &Self::file_name(r));
            let w = (text.width() as u16 + 4).min(whole.width);
            let rect = popup::centered(whole, w, 3);
            let inner = popup::boxed(f, rect, q::DL_DELETE_TITLE.get(lang));
            f.render_widget(Paragraph::new(text), inner);
            return Some(Position::new(inner.x, inner.y));
        }
        Some(Position::new(
            area.x,
            area.y + 1 + (self.selected - offset) as u16,
        ))
    }
}
