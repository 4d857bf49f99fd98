//! 批量退货 (R7): write the template, import a filled file with the payment password, and see
//! either every bad row with its reason (nothing stored) or the batch created.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::domain::money::format_fen;
use crate::excel::import::RowError;
use crate::service::batch_refund::{self, BatchError, BatchSummary};
use crate::ui::keymap;
use crate::ui::text::refund as tr;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::table::{self, Column};

use super::{Cx, Nav, Outcome, Screen, View};

enum Result {
    None,
    /// The file was refused as a whole (not a table, wrong password, no permission).
    Refused(Vec<String>),
    /// Every bad row.
    Rows(Vec<RowError>),
    Created(BatchSummary),
}

pub struct BatchRefund {
    form: Form,
    result: Result,
    /// The selected row of the bad rows list.
    selected: usize,
}

impl BatchRefund {
    pub fn new(lang: Lang) -> BatchRefund {
        let mut form = Form::new(vec![
            Field::text("file", tr::FIELD_FILE).with_hint(tr::FILE_HINT.get(lang)),
            Field::secret("pay_password", tr::FIELD_PAY_PASSWORD),
            Field::text("template", tr::FIELD_TEMPLATE),
        ]);
        let default_template = match lang {
            Lang::Zh => "批量退货模板.xlsx",
            Lang::En => "batch_refund_template.xlsx",
        };
        form.set_value("template", default_template);
        form.fit_labels(lang);
        BatchRefund {
            form,
            result: Result::None,
            selected: 0,
        }
    }

    pub fn open(cx: &mut Cx) -> Outcome {
        Outcome::nav(Nav::Push(Box::new(BatchRefund::new(cx.lang))))
    }

    fn import(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let file = self.form.value("file");
        let pw = self.form.value("pay_password");
        self.form.set_value("pay_password", "");
        self.form.clear_marks();
        self.selected = 0;
        if file.trim().is_empty() {
            self.form.mark(
                "file",
                text::field_problem(&crate::service::Problem::Required, lang),
            );
            self.form.focus_on("file");
            return Outcome::none();
        }
        let path = in_download_dir(cx, file.trim());
        match batch_refund::import(cx.env, cx.session, &path, &pw) {
            Ok(s) => {
                let msg = tr::IMPORTED
                    .get(lang)
                    .replace("{batch}", &s.batch_no)
                    .replace("{n}", &s.rows.to_string())
                    .replace("{total}", &format_fen(s.total_fen));
                self.result = Result::Created(s);
                self.form.set_value("file", "");
                self.form.focus_on("file");
                Outcome::ok(msg)
            }
            Err(BatchError::Rows(rows)) => {
                let msg = tr::REFUSED_TITLE
                    .get(lang)
                    .replace("{n}", &rows.len().to_string());
                self.result = Result::Rows(rows);
                Outcome::error(msg)
            }
            Err(e) => {
                if let BatchError::Service(crate::service::ServiceError::Invalid {
                    field: "pay_password",
                    problem,
                }) = &e
                {
                    self.form
                        .mark("pay_password", text::field_problem(problem, lang));
                    self.form.focus_on("pay_password");
                }
                let lines = tr::batch_error_lines(&e, lang);
                let msg = tr::FILE_REFUSED
                    .get(lang)
                    .replace("{e}", lines.first().map(String::as_str).unwrap_or(""));
                self.result = Result::Refused(lines);
                Outcome::error(msg)
            }
        }
    }

    fn template(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let path = self.form.value("template");
        if path.trim().is_empty() {
            self.form.mark(
                "template",
                text::field_problem(&crate::service::Problem::Required, lang),
            );
            self.form.focus_on("template");
            return Outcome::none();
        }
        match batch_refund::write_template(&in_download_dir(cx, path.trim()), lang) {
            Ok(p) => Outcome::ok(
                tr::TEMPLATE_WRITTEN
                    .get(lang)
                    .replace("{path}", &p.display().to_string()),
            ),
            Err(e) => Outcome::error(e.message(lang == Lang::Zh)),
        }
    }

    fn bad_rows(&self) -> &[RowError] {
        match &self.result {
            Result::Rows(r) => r,
            _ => &[],
        }
    }
}

/// A typed path; a relative one is in the download folder (setting `download_dir`), where
/// exports and slips go too, not wherever the application happened to be started.
fn in_download_dir(cx: &Cx, typed: &str) -> PathBuf {
    let p = PathBuf::from(typed);
    if p.is_absolute() {
        p
    } else {
        crate::service::slip::download_dir(cx.env).join(p)
    }
}

fn help(keys: &str, what: T, lang: Lang) -> (String, String) {
    (keys.to_string(), what.get(lang).to_string())
}

impl Screen for BatchRefund {
    fn title(&self) -> T {
        tr::SCR_BATCH_REFUND
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        vec![
            help("Enter", tr::KEY_IMPORT, lang),
            help("F2", tr::KEY_TEMPLATE, lang),
            help("Tab/↑↓", t::KEY_FIELDS, lang),
            help("PgUp/PgDn", tr::KEY_SCROLL, lang),
            help("Esc", t::KEY_BACK, lang),
        ]
    }

    fn editing_text(&self) -> bool {
        true
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let n = self.bad_rows().len();
        match k.code {
            _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
            _ if keymap::is_next_field(k) => {
                self.form.next();
                Outcome::none()
            }
            _ if keymap::is_prev_field(k) => {
                self.form.prev();
                Outcome::none()
            }
            KeyCode::F(2) => self.template(cx),
            KeyCode::PageDown => {
                self.selected = (self.selected + 10).min(n.saturating_sub(1));
                Outcome::none()
            }
            KeyCode::PageUp => {
                self.selected = self.selected.saturating_sub(10);
                Outcome::none()
            }
            KeyCode::Enter => match self.form.focus_key() {
                "file" => {
                    self.form.next();
                    Outcome::none()
                }
                "template" => self.template(cx),
                _ => self.import(cx),
            },
            _ => {
                self.form.input(k);
                Outcome::none()
            }
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let form_h = self.form.height() + 2;
        let [top, bottom] =
            Layout::vertical([Constraint::Length(form_h), Constraint::Min(4)]).areas(area);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", tr::SCR_BATCH_REFUND.get(lang)));
        let inner = block.inner(top);
        f.render_widget(block, top);
        let cursor = self.form.draw(
            f,
            Rect::new(
                inner.x + 1,
                inner.y,
                inner.width.saturating_sub(2),
                inner.height,
            ),
            lang,
            true,
        );
        match &self.result {
            Result::None => {
                f.render_widget(
                    Paragraph::new(Span::styled(tr::NOTHING_YET.get(lang), theme::dim()))
                        .block(Block::default().borders(Borders::ALL)),
                    bottom,
                );
            }
            Result::Refused(lines) => {
                let text: Vec<Line> = lines
                    .iter()
                    .map(|l| Line::from(Span::styled(l.clone(), theme::error())))
                    .collect();
                f.render_widget(
                    Paragraph::new(text).block(
                        Block::default()
                            .borders(Borders::ALL)
                            .title(format!(" {} ", tr::ERRORS_TITLE.get(lang))),
                    ),
                    bottom,
                );
            }
            Result::Rows(rows) => {
                let title = tr::REFUSED_TITLE
                    .get(lang)
                    .replace("{n}", &rows.len().to_string());
                let cells: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.row.to_string(),
                            tr::column_name(&r.column, lang),
                            r.reason.message(lang == Lang::Zh),
                        ]
                    })
                    .collect();
                let columns = [
                    Column {
                        header: tr::COL_ROW.get(lang),
                        width: Constraint::Length(6),
                        right: true,
                    },
                    Column {
                        header: tr::COL_COLUMN.get(lang),
                        width: Constraint::Length(22),
                        right: false,
                    },
                    Column {
                        header: tr::COL_REASON.get(lang),
                        width: Constraint::Min(20),
                        right: false,
                    },
                ];
                table::draw(
                    f,
                    bottom,
                    &table::TableView {
                        title: &title,
                        columns: &columns,
                        rows: &cells,
                        dim: &[],
                        selected: Some(self.selected.min(rows.len().saturating_sub(1))),
                        empty: "",
                    },
                );
            }
            Result::Created(s) => {
                let label = |t: T| Span::styled(format!("{}：", t.get(lang)), theme::label());
                let ids = s
                    .application_ids
                    .iter()
                    .map(|i| format!("#{i}"))
                    .collect::<Vec<_>>()
                    .join(" ");
                let text = vec![
                    Line::from(vec![
                        label(tr::COL_BATCH_NO),
                        Span::raw(format!("{}  ({})", s.batch_no, s.file_name)),
                    ]),
                    Line::from(Span::styled(
                        tr::IMPORTED
                            .get(lang)
                            .replace("{batch}", &s.batch_no)
                            .replace("{n}", &s.rows.to_string())
                            .replace("{total}", &format_fen(s.total_fen)),
                        theme::ok(),
                    )),
                    Line::from(
                        tr::IMPORTED_REVIEW
                            .get(lang)
                            .replace("{n}", &s.pending_review.to_string())
                            .replace("{m}", &s.submitted.to_string()),
                    ),
                    Line::from(vec![label(tr::COL_APPLICATION), Span::raw(ids)]),
                ];
                f.render_widget(
                    Paragraph::new(text)
                        .wrap(ratatui::widgets::Wrap { trim: true })
                        .block(
                            Block::default()
                                .borders(Borders::ALL)
                                .title(format!(" {} ", tr::BATCH_TITLE.get(lang))),
                        ),
                    bottom,
                );
            }
        }
        cursor
    }
}
