//! 批量快速退货 (F3): write the template (F2), read a filled file and validate it whole — every
//! bad line with its reason, nothing stored — and for a good file a confirmation with the batch
//! number, the count, the total and every line before the payment password (and the USB key's
//! PIN where one is bound). One batch application; the service checks everything again.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::domain::fast_refund::mask_name;
use crate::domain::money::{format_fen, parse_amount};
use crate::service::card::CardServiceError;
use crate::service::fast_refund::{self as fr, BatchCheck, BatchInput};
use crate::service::fast_refund_import::{self as fi, ImportFailure};
use crate::service::{Problem, ServiceError};
use crate::ui::keymap;
use crate::ui::text::fast_refund as tf;
use crate::ui::text::refund as trf;
use crate::ui::text::review as tr;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::table::{self, Column};

use super::{Cx, Nav, Outcome, Screen, View};

/// What the last step found.
enum Stage {
    /// Choosing a file (and the template's name).
    Pick,
    /// The file was refused as a whole, or these lines are bad: nothing was stored.
    Refused(Vec<String>),
    /// Every line is good: the totals and lines, waiting for the payment password.
    Confirm {
        batch: BatchInput,
        check: BatchCheck,
        form: Form,
    },
    /// Stored: the application, the count and the total.
    Done(String),
}

pub struct FastRefundBatch {
    pick: Form,
    stage: Stage,
    with_pin: bool,
    /// The first line of the list on screen (PgUp/PgDn).
    scroll: usize,
}

/// A field of a line, named as the template's column.
fn field_label(key: &str, lang: Lang) -> String {
    let w: T = match key {
        "reference" => tf::REFERENCE,
        "amount" => tr::AMOUNT,
        "holder_name" => tf::HOLDER,
        "id_type" => tf::ID_TYPE,
        "id_number" => tf::ID_NUMBER,
        "bank" => tf::BANK,
        "province" => tf::PROVINCE,
        "city" => tf::CITY,
        "branch" => tf::BRANCH,
        // The file's column is the card number (not "typed again", as on the form).
        "card_number" => tf::CARD,
        "order_no" => tf::ORDER_NO,
        "batch_no" => tf::BATCH_NO,
        "remark" => tr::REMARK,
        other => return other.to_string(),
    };
    w.get(lang).to_string()
}

fn row_line(row: usize, msg: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("第 {row} 行：{msg}"),
        Lang::En => format!("row {row}: {msg}"),
    }
}

/// Every reason a file was not stored, one line each, as the clerk fixes them.
fn failure_lines(e: &ImportFailure, lang: Lang) -> Vec<String> {
    let zh = lang == Lang::Zh;
    match e {
        ImportFailure::File(e) => vec![if zh { e.message_zh() } else { e.to_string() }],
        ImportFailure::Cells(rows) => rows.iter().map(|r| r.message(zh)).collect(),
        ImportFailure::Lines(lines) => lines
            .iter()
            .map(|l| {
                let msg = text::error(&l.error, lang, |f| field_label(f, lang));
                row_line(l.row, &msg, lang)
            })
            .collect(),
        ImportFailure::Service(e) => vec![text::card_error(e, lang)],
    }
}

impl FastRefundBatch {
    fn new(lang: Lang, with_pin: bool) -> FastRefundBatch {
        let mut pick = Form::new(vec![
            Field::text("file", trf::FIELD_FILE).with_hint(trf::FILE_HINT.get(lang)),
            Field::text("template", trf::FIELD_TEMPLATE),
        ]);
        pick.set_value(
            "template",
            match lang {
                Lang::Zh => "批量快速退货模板.xlsx",
                Lang::En => "batch_fast_refund_template.xlsx",
            },
        );
        pick.fit_labels(lang);
        FastRefundBatch {
            pick,
            stage: Stage::Pick,
            with_pin,
            scroll: 0,
        }
    }

    pub fn open(cx: &mut Cx) -> Outcome {
        // Unknown counts as bound: the PIN field is offered, the service decides.
        let with_pin =
            crate::service::card::card_required(cx.env, cx.session.operator_id).unwrap_or(true);
        Outcome::nav(Nav::Push(Box::new(FastRefundBatch::new(cx.lang, with_pin))))
    }

    fn password_form(&self, lang: Lang) -> Form {
        let mut fields = vec![Field::secret("pay_password", tr::PAY_PASSWORD)];
        if self.with_pin {
            fields.push(Field::secret("pin", tf::PIN));
        }
        let mut form = Form::new(fields);
        form.fit_labels(lang);
        form
    }

    /// Reads and validates the file; nothing is stored here.
    fn read(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        self.pick.clear_marks();
        self.scroll = 0;
        let typed = self.pick.value("file");
        if typed.trim().is_empty() {
            self.pick
                .mark("file", text::field_problem(&Problem::Required, lang));
            self.pick.focus_on("file");
            return Outcome::none();
        }
        let path = in_download_dir(cx, typed.trim());
        let checked = fi::read(&path).and_then(|batch| {
            fr::validate_batch(cx.env, cx.session, &batch)
                .map_err(|e| ImportFailure::Service(e.into()))
                .and_then(|check| {
                    if check.bad.is_empty() {
                        Ok((batch, check))
                    } else {
                        Err(ImportFailure::Lines(check.bad))
                    }
                })
        });
        match checked {
            Ok((batch, check)) => {
                let form = self.password_form(lang);
                self.stage = Stage::Confirm { batch, check, form };
                Outcome::none()
            }
            Err(e) => self.refused(e, lang),
        }
    }

    fn refused(&mut self, e: ImportFailure, lang: Lang) -> Outcome {
        let lines = failure_lines(&e, lang);
        let msg = tf::BATCH_REFUSED
            .get(lang)
            .replace("{n}", &lines.len().to_string());
        self.stage = Stage::Refused(lines);
        Outcome::error(msg)
    }

    fn submit(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let with_pin = self.with_pin;
        let Stage::Confirm { batch, form, .. } = &mut self.stage else {
            return Outcome::none();
        };
        let pay = form.value("pay_password");
        let pin = if with_pin {
            form.value("pin")
        } else {
            String::new()
        };
        // Secrets never stay on screen after an attempt.
        form.set_value("pay_password", "");
        if with_pin {
            form.set_value("pin", "");
        }
        form.clear_marks();
        let pin = (!pin.is_empty()).then_some(pin);
        match fr::apply_batch(cx.env, cx.session, batch, &pay, pin.as_deref()) {
            Ok((app, check)) => {
                let msg = tf::BATCH_STORED
                    .get(lang)
                    .replace("{batch}", &batch.batch_no)
                    .replace("{app}", &app.to_string())
                    .replace("{n}", &check.count.to_string())
                    .replace("{total}", &format_fen(check.total_fen));
                self.stage = Stage::Done(msg.clone());
                self.pick.set_value("file", "");
                self.pick.focus_on("file");
                Outcome::ok(msg)
            }
            // A wrong password or PIN: fix it and try again, the lines stay.
            Err(CardServiceError::Service(ServiceError::Invalid { field, problem }))
                if field == "pay_password" || field == "pin" =>
            {
                form.mark(field, text::field_problem(&problem, lang));
                form.focus_on(field);
                Outcome::error(text::error(
                    &ServiceError::Invalid { field, problem },
                    lang,
                    |k| form.label_of(k, lang),
                ))
            }
            Err(CardServiceError::Service(ServiceError::Refused(crate::service::Rule::Items(
                items,
            )))) => {
                // Something changed since the check (another refund, the quota): every line.
                let msg = tf::BATCH_REFUSED
                    .get(lang)
                    .replace("{n}", &items.len().to_string());
                let again = self.read(cx);
                if again.message.is_some() {
                    return again;
                }
                Outcome::error(msg)
            }
            Err(CardServiceError::Service(e)) => {
                Outcome::error(text::error(&e, lang, |k| field_label(k, lang)))
            }
            Err(e) => Outcome::error(text::card_error(&e, lang)),
        }
    }

    fn template(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let typed = self.pick.value("template");
        if typed.trim().is_empty() {
            self.pick
                .mark("template", text::field_problem(&Problem::Required, lang));
            self.pick.focus_on("template");
            return Outcome::none();
        }
        match fi::write_template(&in_download_dir(cx, typed.trim()), lang) {
            Ok(p) => Outcome::ok(
                trf::TEMPLATE_WRITTEN
                    .get(lang)
                    .replace("{path}", &p.display().to_string()),
            ),
            Err(e) => Outcome::error(e.message(lang == Lang::Zh)),
        }
    }

    fn list_len(&self) -> usize {
        match &self.stage {
            Stage::Refused(l) => l.len(),
            Stage::Confirm { batch, .. } => batch.lines.len(),
            _ => 0,
        }
    }
}

/// A typed path; a relative one is in the download folder, where the template is written.
fn in_download_dir(cx: &Cx, typed: &str) -> PathBuf {
    let p = PathBuf::from(typed);
    if p.is_absolute() {
        p
    } else {
        crate::service::slip::download_dir(cx.env).join(p)
    }
}

impl Screen for FastRefundBatch {
    fn title(&self) -> T {
        tf::SCR_BATCH
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let h = |k: &str, w: T| (k.to_string(), w.get(lang).to_string());
        match self.stage {
            Stage::Confirm { .. } => vec![
                h("Enter/Ctrl+S", tf::KEY_BATCH_SUBMIT),
                h("PgUp/PgDn", tf::KEY_BATCH_SCROLL),
                h("Esc", tf::KEY_BATCH_OTHER_FILE),
            ],
            _ => vec![
                h("Enter", tf::KEY_BATCH_CHECK),
                h("F2", trf::KEY_TEMPLATE),
                h("Tab/↑↓", t::KEY_FIELDS),
                h("PgUp/PgDn", trf::KEY_SCROLL),
                h("Esc", t::KEY_BACK),
            ],
        }
    }

    fn editing_text(&self) -> bool {
        true
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let n = self.list_len();
        match k.code {
            KeyCode::PageDown => {
                self.scroll = (self.scroll + 10).min(n.saturating_sub(1));
                return Outcome::none();
            }
            KeyCode::PageUp => {
                self.scroll = self.scroll.saturating_sub(10);
                return Outcome::none();
            }
            _ => {}
        }
        if let Stage::Confirm { form, .. } = &mut self.stage {
            let ctrl_s =
                k.code == KeyCode::Char('s') && k.modifiers.contains(KeyModifiers::CONTROL);
            return match k.code {
                // Back to the file: nothing was stored.
                _ if keymap::is_back(k) => {
                    self.stage = Stage::Pick;
                    self.scroll = 0;
                    Outcome::none()
                }
                _ if ctrl_s => self.submit(cx),
                KeyCode::Enter if form.is_last() => self.submit(cx),
                _ if k.code == KeyCode::Enter || keymap::is_next_field(k) => {
                    form.next();
                    Outcome::none()
                }
                _ if keymap::is_prev_field(k) => {
                    form.prev();
                    Outcome::none()
                }
                _ => {
                    form.input(k);
                    Outcome::none()
                }
            };
        }
        match k.code {
            _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
            _ if keymap::is_next_field(k) => {
                self.pick.next();
                Outcome::none()
            }
            _ if keymap::is_prev_field(k) => {
                self.pick.prev();
                Outcome::none()
            }
            KeyCode::F(2) => self.template(cx),
            KeyCode::Enter => match self.pick.focus_key() {
                "template" => self.template(cx),
                _ => self.read(cx),
            },
            _ => {
                self.pick.input(k);
                Outcome::none()
            }
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        if let Stage::Confirm { batch, check, form } = &self.stage {
            return self.draw_confirm(f, area, lang, batch, check, form);
        }
        let [top, bottom] = Layout::vertical([
            Constraint::Length(self.pick.height() + 2),
            Constraint::Min(4),
        ])
        .areas(area);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", tf::SCR_BATCH.get(lang)));
        let inner = block.inner(top);
        f.render_widget(block, top);
        let cursor = self.pick.draw(
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
        let (title, lines): (String, Vec<Line>) = match &self.stage {
            Stage::Refused(lines) => (
                tf::BATCH_REFUSED
                    .get(lang)
                    .replace("{n}", &lines.len().to_string()),
                lines
                    .iter()
                    .skip(self.scroll)
                    .map(|l| Line::from(Span::styled(l.clone(), theme::error())))
                    .collect(),
            ),
            Stage::Done(msg) => (
                tf::SCR_BATCH.get(lang).to_string(),
                vec![
                    Line::from(Span::styled(msg.clone(), theme::ok())),
                    Line::from(tf::BATCH_WHERE.get(lang)),
                ],
            ),
            _ => (
                tf::SCR_BATCH.get(lang).to_string(),
                vec![Line::from(Span::styled(
                    tf::BATCH_HINT.get(lang),
                    theme::dim(),
                ))],
            ),
        };
        f.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: false }).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" {title} ")),
            ),
            bottom,
        );
        cursor
    }
}

impl FastRefundBatch {
    fn draw_confirm(
        &self,
        f: &mut Frame,
        area: Rect,
        lang: Lang,
        batch: &BatchInput,
        check: &BatchCheck,
        form: &Form,
    ) -> Option<Position> {
        // The summary wraps onto a second line at narrow widths.
        let [top, bottom] =
            Layout::vertical([Constraint::Length(form.height() + 4), Constraint::Min(4)])
                .areas(area);
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", tf::BATCH_CONFIRM.get(lang)));
        let inner = block.inner(top);
        f.render_widget(block, top);
        let summary = tf::BATCH_SUMMARY
            .get(lang)
            .replace("{batch}", &batch.batch_no)
            .replace("{n}", &check.count.to_string())
            .replace("{total}", &format_fen(check.total_fen));
        f.render_widget(
            Paragraph::new(Span::styled(summary, theme::label())).wrap(Wrap { trim: true }),
            Rect::new(inner.x + 1, inner.y, inner.width.saturating_sub(2), 2),
        );
        let cursor = form.draw(
            f,
            Rect::new(
                inner.x + 1,
                inner.y + 2,
                inner.width.saturating_sub(2),
                inner.height.saturating_sub(2),
            ),
            lang,
            true,
        );
        let cells: Vec<Vec<String>> = batch
            .lines
            .iter()
            .skip(self.scroll)
            .map(|(row, reference, l)| {
                vec![
                    row.to_string(),
                    reference.clone(),
                    parse_amount(&l.amount)
                        .map(format_fen)
                        .unwrap_or_else(|_| l.amount.clone()),
                    mask_name(&l.holder.holder_name),
                    l.holder.branch.clone(),
                ]
            })
            .collect();
        // Row, reference, amount and holder as wide as their header or widest cell: never cut.
        let wide = |i: usize, header: &str| -> u16 {
            let w = |s: &str| unicode_width::UnicodeWidthStr::width(s) as u16;
            cells
                .iter()
                .map(|c| w(&c[i]))
                .max()
                .unwrap_or(0)
                .max(w(header))
        };
        let headers = [
            trf::COL_ROW.get(lang),
            tf::REFERENCE.get(lang),
            tf::AMOUNT.get(lang),
            tf::HOLDER.get(lang),
        ];
        let columns = [
            Column {
                header: headers[0],
                width: Constraint::Length(wide(0, headers[0])),
                right: true,
            },
            Column {
                header: headers[1],
                width: Constraint::Length(wide(1, headers[1])),
                right: false,
            },
            Column {
                header: headers[2],
                width: Constraint::Length(wide(2, headers[2])),
                right: true,
            },
            Column {
                header: headers[3],
                width: Constraint::Length(wide(3, headers[3])),
                right: false,
            },
            Column {
                header: tf::BRANCH.get(lang),
                width: Constraint::Min(10),
                right: false,
            },
        ];
        table::draw(
            f,
            bottom,
            &table::TableView {
                title: &summary_title(lang, check),
                columns: &columns,
                rows: &cells,
                dim: &[],
                selected: None,
                empty: "",
            },
        );
        cursor
    }
}

fn summary_title(lang: Lang, check: &BatchCheck) -> String {
    tf::BATCH_LINES
        .get(lang)
        .replace("{n}", &check.count.to_string())
        .replace("{total}", &format_fen(check.total_fen))
}
