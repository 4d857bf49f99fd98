//! 转账记录 (X4, K §3.4.2.3): the transfer batches of a store, newest first — 申请时间, 商户批次号,
//! 方式, 笔数, 金额, 服务费, 批次状态, 成功, 失败/退票 — with the conditions store, 申请时间,
//! batch status and batch number; Enter opens the batch with every row (status, reason, credited
//! back), `]`/`[` the next/previous batch of the list; Ctrl+E exports the list or all the rows
//! of the batch.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::function::Function;
use crate::domain::money::format_fen;
use crate::domain::review::mask_account_no;
use crate::domain::transfer::BatchStatus;
use crate::excel::CellValue;
use crate::service::transfers::{self, BatchView, RecordQuery, TransferError, TransferRow};
use crate::service::{ServiceError, Session};
use crate::ui::keymap;
use crate::ui::list::{self, Col, Kind, ListSpec, ListView, Show, Width};
use crate::ui::query::{FormKey, QueryList};
use crate::ui::text::money_out as tm;
use crate::ui::text::transfer as tt;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form, Label};
use crate::ui::widgets::table::Selection;

use super::bank_accounts::store_name;
use super::{Cx, Nav, Outcome, Screen, View};

/// 一周内 / 一个月内 / 三个月内 (days back), then 全部.
const RANGES: [(T, Option<i64>); 4] = [
    (tm::WEEK, Some(7)),
    (tm::MONTH, Some(31)),
    (tm::QUARTER, Some(92)),
    (tm::ALL_TIME, None),
];

const STATUSES: [BatchStatus; 4] = [
    BatchStatus::PendingReview,
    BatchStatus::Processing,
    BatchStatus::Done,
    BatchStatus::Rejected,
];

/// The function an export of these lists is made under: the first reader function the
/// operator has (the service decides again).
fn export_function(session: &Session) -> Function {
    [
        Function::TransferApply,
        Function::TransferReview,
        Function::ApplicationRecords,
    ]
    .into_iter()
    .find(|f| session.has(*f))
    .unwrap_or(Function::TransferApply)
}

fn way_of(b: &BatchView, lang: Lang) -> String {
    if b.batch.single {
        tt::SINGLE.get(lang).to_string()
    } else {
        tt::BATCH.get(lang).to_string()
    }
}

fn failed_of(b: &BatchView) -> i64 {
    (b.failed.0 + b.returned.0) as i64
}

/// The batch list, on screen and in the export.
pub static BATCH_LIST: ListSpec<BatchView> = ListSpec { cols: BATCH_COLS };

const BATCH_COLS: &[Col<BatchView>] = &[
    Col {
        header: tt::APPLIED_AT,
        kind: Kind::Time,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |b, _| format_ms(b.batch.created_ms)[5..16].to_string(),
        value: |b, _| CellValue::DateTime(b.batch.created_ms),
    },
    Col {
        header: tt::BATCH_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |b, _| b.batch.batch_no.clone(),
        value: |b, _| CellValue::text(b.batch.batch_no.clone()),
    },
    Col {
        header: tt::BATCH_KIND,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 3 },
        cell: way_of,
        value: |b, lang| CellValue::text(way_of(b, lang)),
    },
    Col {
        header: tt::COUNT,
        kind: Kind::Count,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |b, _| b.batch.row_count.to_string(),
        value: |b, _| CellValue::Int(b.batch.row_count),
    },
    Col {
        header: tt::AMOUNT,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |b, _| format_fen(b.batch.amount_fen),
        value: |b, _| CellValue::Money(b.batch.amount_fen),
    },
    Col {
        header: tt::FEE,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 2 },
        cell: |b, _| format_fen(b.batch.fee_fen),
        value: |b, _| CellValue::Money(b.batch.fee_fen),
    },
    Col {
        header: tt::BATCH_STATUS,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |b, lang| tt::batch_status(b.status).get(lang).to_string(),
        value: |b, lang| CellValue::text(tt::batch_status(b.status).get(lang)),
    },
    Col {
        header: tt::SUCCESS_COUNT,
        kind: Kind::Count,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |b, _| b.success.0.to_string(),
        value: |b, _| CellValue::Int(b.success.0 as i64),
    },
    Col {
        header: tt::FAILED_COUNT,
        kind: Kind::Count,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |b, _| failed_of(b).to_string(),
        value: |b, _| CellValue::Int(failed_of(b)),
    },
    Col {
        header: tt::REMARK,
        kind: Kind::Text,
        width: Width::Shrink { min: 6 },
        show: Show::Both { priority: 4 },
        cell: |b, _| b.batch.remark.clone(),
        value: |b, _| CellValue::text(b.batch.remark.clone()),
    },
];

fn account_of(r: &TransferRow) -> String {
    if r.payee_kind.is_bank() {
        mask_account_no(&r.account_no)
    } else {
        r.account_no.clone()
    }
}

fn reason_of(r: &TransferRow) -> String {
    match &r.reason_code {
        Some(c) if !r.reason_text.is_empty() => format!("{c} {}", r.reason_text),
        Some(c) => c.clone(),
        None => r.reason_text.clone(),
    }
}

fn credited_of(r: &TransferRow, lang: Lang) -> String {
    match r.credited_back_ms {
        Some(ms) => format!("{} {}", tt::YES.get(lang), &format_ms(ms)[5..16]),
        None => String::new(),
    }
}

/// The rows of a batch, on screen and in the export.
pub static ROW_LIST: ListSpec<TransferRow> = ListSpec { cols: ROW_COLS };

const ROW_COLS: &[Col<TransferRow>] = &[
    Col {
        header: tt::COL_ROW,
        kind: Kind::Count,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| r.line_no.to_string(),
        value: |r, _| CellValue::Int(r.line_no),
    },
    Col {
        header: tt::ORDER_NO,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 2 },
        cell: |r, _| r.order_no.clone(),
        value: |r, _| CellValue::text(r.order_no.clone()),
    },
    Col {
        header: tt::PAYEE_NAME,
        kind: Kind::Text,
        width: Width::Shrink { min: 6 },
        show: Show::Both { priority: 1 },
        cell: |r, _| r.account_name.clone(),
        value: |r, _| CellValue::text(r.account_name.clone()),
    },
    Col {
        header: crate::ui::text::payees::ACCOUNT,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 1 },
        cell: |r, _| account_of(r),
        value: |r, _| CellValue::text(account_of(r)),
    },
    Col {
        header: tt::AMOUNT,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_fen(r.amount_fen),
        value: |r, _| CellValue::Money(r.amount_fen),
    },
    Col {
        header: tt::FEE,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 3 },
        cell: |r, _| format_fen(r.fee_fen),
        value: |r, _| CellValue::Money(r.fee_fen),
    },
    Col {
        header: tt::ROW_STATUS,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, lang| tt::status(r.status).get(lang).to_string(),
        value: |r, lang| CellValue::text(tt::status(r.status).get(lang)),
    },
    Col {
        header: tt::CREDITED_BACK,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 2 },
        cell: credited_of,
        value: |r, lang| CellValue::text(credited_of(r, lang)),
    },
    Col {
        header: tt::REISSUED_FROM,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 4 },
        cell: |r, _| r.reissue_of.map(|i| format!("#{i}")).unwrap_or_default(),
        value: |r, _| CellValue::text(r.reissue_of.map(|i| format!("#{i}")).unwrap_or_default()),
    },
    Col {
        header: tt::REASON,
        kind: Kind::Text,
        width: Width::Shrink { min: 6 },
        show: Show::Both { priority: 3 },
        cell: |r, _| reason_of(r),
        value: |r, _| CellValue::text(reason_of(r)),
    },
];

pub struct TransferRecords {
    stores: Vec<(i64, String, String)>,
    /// The conditions, the rows found, their order and what ran.
    q: QueryList<BatchView>,
}

impl TransferRecords {
    pub fn open(cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let stores = match crate::service::review::stores(cx.env, cx.session) {
            Ok(s) => s,
            Err(e) => return Outcome::error(cx.error_text(&e, |k| k.to_string())),
        };
        let mut status_opts: Vec<Label> = vec![tm::ALL.into()];
        status_opts.extend(STATUSES.iter().map(|s| Label::T(tt::batch_status(*s))));
        let mut form = Form::new(vec![
            Field::choice_of(
                "store",
                tt::PAYING_STORE,
                stores
                    .iter()
                    .map(|s| Label::S(store_name(s, lang)))
                    .collect(),
            ),
            Field::choice_of(
                "time",
                tm::TIME_RANGE,
                RANGES.iter().map(|(t, _)| Label::T(*t)).collect(),
            ),
            Field::text("from_date", t::FROM_DATE),
            Field::text("to_date", t::TO_DATE),
            Field::choice_of("status", tt::BATCH_STATUS, status_opts),
            Field::text("batch_no", tt::BATCH_KEYWORD),
        ]);
        form.set_choice("time", 1);
        form.fit_labels(lang);
        let mut s = TransferRecords {
            stores,
            q: QueryList::new(form),
        };
        let o = s.run(cx);
        if o.message.is_some() {
            return o;
        }
        Outcome::nav(Nav::Push(Box::new(s)))
    }

    /// The conditions as the service reads them: typed dates (either may be empty) take the
    /// place of the range chosen; a bad date names its field.
    fn query(&self, now_ms: i64) -> Result<Option<RecordQuery>, ServiceError> {
        let Some(m) = self.stores.get(self.q.form.choice("store")).map(|s| s.0) else {
            return Ok(None);
        };
        let (from_date, to_date) = (self.q.form.value("from_date"), self.q.form.value("to_date"));
        let (from_ms, to_ms) = if from_date.trim().is_empty() && to_date.trim().is_empty() {
            (
                RANGES[self.q.form.choice("time").min(RANGES.len() - 1)]
                    .1
                    .map(|days| now_ms - days * 86_400_000),
                None,
            )
        } else {
            crate::service::dates::day_range(&from_date, &to_date)?
        };
        Ok(Some(RecordQuery {
            merchant_id: m,
            from_ms,
            to_ms,
            status: self
                .q
                .form
                .choice("status")
                .checked_sub(1)
                .and_then(|i| STATUSES.get(i).copied()),
            batch_no: self.q.form.value("batch_no"),
        }))
    }

    fn run(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let q = match self.query(cx.now_ms()) {
            Ok(Some(q)) => Ok(q),
            Ok(None) => return Outcome::none(),
            Err(e) => Err(e),
        };
        let result = q.and_then(|q| transfers::find(cx.env, cx.session, &q));
        let conditions = self.q.form.conditions(lang);
        self.q
            .answer(result, &BATCH_LIST, lang, cx.now_ms(), conditions)
    }
}

impl Screen for TransferRecords {
    fn title(&self) -> T {
        tt::SCR_TRANSFER_RECORDS
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let mut v = vec![("Enter".into(), t::KEY_DETAIL.get(lang).into())];
        v.extend(QueryList::<BatchView>::help(lang));
        v
    }

    fn editing_text(&self) -> bool {
        self.q.editing_text()
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if !self.q.list_focus {
            return match self.q.form_key(k) {
                FormKey::Run => {
                    let o = self.run(cx);
                    self.q.after_run(o)
                }
                FormKey::Done => Outcome::none(),
            };
        }
        if self.q.list_key(k) {
            return Outcome::none();
        }
        match k.code {
            _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
            KeyCode::Enter if !self.q.rows.is_empty() => {
                let ids: Vec<i64> = self.q.rows.iter().map(|b| b.batch.id).collect();
                TransferDetail::open(cx, ids, self.q.sel.index)
            }
            KeyCode::Char('s') => {
                self.q.next_sort(&BATCH_LIST, cx.lang, |rows| {
                    rows.sort_by_key(|b| std::cmp::Reverse((b.batch.created_ms, b.batch.id)))
                });
                Outcome::none()
            }
            _ => Outcome::none(),
        }
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.run(cx)
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let title = tt::SCR_TRANSFER_RECORDS.get(cx.lang);
        let needs = export_function(cx.session);
        Some(self.q.export(cx, &BATCH_LIST, needs, title))
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let cols = 2;
        let fh = self.q.form.grid_height(cols);
        let [form_area, body, info] = super::query_layout(area, fh);
        let cursor = self
            .q
            .form
            .draw_grid(f, form_area, lang, !self.q.list_focus, cols);
        let focus = list::draw(
            f,
            body,
            &ListView {
                spec: &BATCH_LIST,
                rows: &self.q.rows,
                totals: None,
                selected: self.q.list_focus.then_some(self.q.sel.index),
                cursor: self.q.sel.index,
                dim: |_| false,
                lang,
                empty: tt::NO_BATCHES.get(lang),
                title: Some(tt::SCR_TRANSFER_RECORDS.get(lang)),
                sort: self.q.sort,
            },
        );
        let amount: i64 = self.q.rows.iter().map(|b| b.batch.amount_fen).sum();
        let fee: i64 = self.q.rows.iter().map(|b| b.batch.fee_fen).sum();
        let line = tt::RECORDS_TOTAL
            .get(lang)
            .replace("{n}", &self.q.rows.len().to_string())
            .replace("{a}", &format_fen(amount))
            .replace("{f}", &format_fen(fee));
        f.render_widget(Paragraph::new(Span::styled(line, theme::label())), info);
        if self.q.list_focus {
            focus
        } else {
            cursor
        }
    }
}

/// One batch with every row; `]`/`[` step through the batches of the list it was opened from.
pub struct TransferDetail {
    ids: Vec<i64>,
    at: usize,
    view: BatchView,
    sel: Selection,
    /// `r` on a failed or returned row: the payment password (+ PIN) of its re-issue.
    reissue: Option<(i64, Form)>,
}

fn reissue_form(cx: &mut Cx) -> Form {
    let mut fields = vec![Field::secret("pay_password", tm::PAY_PASSWORD)];
    if crate::service::card::card_required(cx.env, cx.session.operator_id).unwrap_or(false) {
        fields.push(Field::secret("pin", tm::PIN));
    }
    let mut form = Form::new(fields);
    form.fit_labels(cx.lang);
    form
}

impl TransferDetail {
    pub fn open(cx: &mut Cx, ids: Vec<i64>, at: usize) -> Outcome {
        let Some(id) = ids.get(at).copied() else {
            return Outcome::none();
        };
        match transfers::batch(cx.env, cx.session, id) {
            Ok(view) => Outcome::nav(Nav::Push(Box::new(TransferDetail {
                ids,
                at,
                view,
                sel: Selection::default(),
                reissue: None,
            }))),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn load(&mut self, cx: &mut Cx, at: usize) -> Outcome {
        let Some(id) = self.ids.get(at).copied() else {
            return Outcome::none();
        };
        match transfers::batch(cx.env, cx.session, id) {
            Ok(view) => {
                self.view = view;
                self.at = at;
                self.sel.clamp(self.view.rows.len());
                Outcome::none()
            }
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }
}

impl TransferDetail {
    /// `r`: a failed or returned row asks for the payment password of its re-issue.
    fn start_reissue(&mut self, cx: &mut Cx) -> Outcome {
        let Some(row) = self.view.rows.get(self.sel.index) else {
            return Outcome::none();
        };
        if !row.status.credited_back() {
            return Outcome::error(tt::REISSUE_NOT.get(cx.lang).into());
        }
        self.reissue = Some((row.id, reissue_form(cx)));
        Outcome::none()
    }

    fn reissue_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Some((id, form)) = &mut self.reissue else {
            return Outcome::none();
        };
        if keymap::is_back(k) {
            self.reissue = None;
            return Outcome::none();
        }
        if keymap::is_next_field(k) || k.code == KeyCode::Enter && !form.is_last() {
            form.next();
            return Outcome::none();
        }
        if keymap::is_prev_field(k) {
            form.prev();
            return Outcome::none();
        }
        if k.code != KeyCode::Enter {
            form.input(k);
            return Outcome::none();
        }
        let id = *id;
        let pw = form.value("pay_password");
        let pin = form.value("pin");
        form.set_value("pay_password", "");
        form.set_value("pin", "");
        let pin = Some(pin.as_str()).filter(|p| !p.is_empty());
        match transfers::reissue(cx.env, cx.session, id, &pw, pin) {
            Ok(sent) => {
                self.reissue = None;
                let _ = self.load(cx, self.at);
                Outcome::ok(
                    tt::REISSUED
                        .get(lang)
                        .replace("{batch}", &sent.batch_no)
                        .replace("{o}", &sent.application.order_no),
                )
            }
            Err(TransferError::Service(e)) => {
                if let ServiceError::Invalid { field, problem } = &e {
                    form.mark(field, text::field_problem(problem, lang));
                    return Outcome::error(cx.error_text(&e, |k| form.label_of(k, lang)));
                }
                self.reissue = None;
                Outcome::error(cx.error_text(&e, |k| k.to_string()))
            }
            Err(TransferError::Card(e)) => Outcome::error(text::card_error(&e, lang)),
            Err(TransferError::Rows(rows)) => {
                self.reissue = None;
                Outcome::error(
                    rows.iter()
                        .map(|r| transfers::row_message(r, lang))
                        .collect::<Vec<_>>()
                        .join("; "),
                )
            }
            Err(TransferError::File(e)) => {
                self.reissue = None;
                Outcome::error(e.message(lang == Lang::Zh))
            }
        }
    }
}

impl Screen for TransferDetail {
    fn title(&self) -> T {
        tt::SCR_TRANSFER_RECORDS
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        vec![
            ("r".into(), tt::KEY_REISSUE.get(lang).into()),
            ("[ ]".into(), tt::KEY_PREV_NEXT.get(lang).into()),
            ("Ctrl+E".into(), t::KEY_EXPORT.get(lang).into()),
            ("F5".into(), t::KEY_REFRESH.get(lang).into()),
            ("Esc".into(), t::KEY_BACK.get(lang).into()),
        ]
    }

    fn editing_text(&self) -> bool {
        self.reissue.is_some()
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if self.reissue.is_some() {
            return self.reissue_key(k, cx);
        }
        if self.sel.handle(k, self.view.rows.len()) {
            return Outcome::none();
        }
        match k.code {
            _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
            KeyCode::Char(']') if self.at + 1 < self.ids.len() => self.load(cx, self.at + 1),
            KeyCode::Char('[') if self.at > 0 => self.load(cx, self.at - 1),
            KeyCode::Char('r') => self.start_reissue(cx),
            _ => Outcome::none(),
        }
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.load(cx, self.at)
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let lang = cx.lang;
        let title = tt::DETAIL_TITLE
            .get(lang)
            .replace("{batch}", &self.view.batch.batch_no);
        let conditions = vec![format!(
            "{}: {}",
            tt::BATCH_NO.get(lang),
            self.view.batch.batch_no
        )];
        let preamble = list::preamble(&title, &conditions, cx.now_ms(), lang);
        let cols = ROW_LIST.export_columns(lang);
        let headers: Vec<&str> = cols.iter().map(|(h, _)| h.as_str()).collect();
        let kinds: Vec<_> = cols.iter().map(|(_, k)| *k).collect();
        let rows = self
            .view
            .rows
            .iter()
            .map(|r| ROW_LIST.export_row(r, lang))
            .collect();
        Some(super::downloads::export_list_with(
            cx,
            export_function(cx.session),
            &title,
            &headers,
            &kinds,
            rows,
            preamble,
        ))
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let b = &self.view;
        let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
        let lines = vec![
            Line::from(vec![
                label(tt::BATCH_NO),
                Span::raw(format!("{}   ", b.batch.batch_no)),
                label(tt::BATCH_STATUS),
                Span::raw(tt::batch_status(b.status).get(lang).to_string()),
            ]),
            // Three short lines rather than two long ones: nothing cut at 80 columns.
            Line::from(vec![
                label(tt::COUNT),
                Span::raw(format!("{}   ", b.batch.row_count)),
                label(tt::AMOUNT),
                Span::raw(format!("{}   ", format_fen(b.batch.amount_fen))),
                label(tt::FEE),
                Span::raw(format_fen(b.batch.fee_fen)),
            ]),
            Line::from(vec![
                label(tt::APPLIED_AT),
                Span::raw(format!("{}   ", &format_ms(b.batch.created_ms)[..16])),
                label(tt::APPLICATION_NO),
                Span::raw(format!("#{}", b.application.id)),
            ]),
            Line::from(Span::raw(
                tt::DETAIL_SUMMARY
                    .get(lang)
                    .replace("{s}", &b.success.0.to_string())
                    .replace("{sa}", &format_fen(b.success.1))
                    .replace("{f}", &b.failed.0.to_string())
                    .replace("{fa}", &format_fen(b.failed.1))
                    .replace("{r}", &b.returned.0.to_string())
                    .replace("{ra}", &format_fen(b.returned.1)),
            )),
        ];
        let prompt_h = self
            .reissue
            .as_ref()
            .map(|(_, form)| form.height() + 2)
            .unwrap_or(0);
        let [head, body, prompt, info] = Layout::vertical([
            Constraint::Length(lines.len() as u16),
            Constraint::Min(4),
            Constraint::Length(prompt_h),
            Constraint::Length(1),
        ])
        .areas(area);
        f.render_widget(Paragraph::new(lines), head);
        let title = tt::DETAIL_TITLE
            .get(lang)
            .replace("{batch}", &b.batch.batch_no);
        let focus = list::draw(
            f,
            body,
            &ListView {
                spec: &ROW_LIST,
                rows: &b.rows,
                totals: None,
                selected: Some(self.sel.index),
                cursor: self.sel.index,
                dim: |_| false,
                lang,
                empty: "",
                title: Some(&title),
                sort: None,
            },
        );
        let mut cursor = None;
        if let Some((id, form)) = &self.reissue {
            let row = b.rows.iter().find(|r| r.id == *id);
            let block = ratatui::widgets::Block::default()
                .borders(ratatui::widgets::Borders::ALL)
                .title(format!(
                    " {} ",
                    tt::REISSUE_TITLE
                        .get(lang)
                        .replace("{line}", &row.map(|r| r.line_no).unwrap_or(0).to_string())
                        .replace(
                            "{amount}",
                            &format_fen(row.map(|r| r.amount_fen).unwrap_or(0))
                        )
                ));
            let inner = block.inner(prompt);
            f.render_widget(block, prompt);
            cursor = form.draw(
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
        }
        f.render_widget(
            Paragraph::new(Span::styled(
                tt::DETAIL_POSITION
                    .get(lang)
                    .replace("{i}", &(self.at + 1).to_string())
                    .replace("{n}", &self.ids.len().to_string()),
                theme::dim(),
            )),
            info,
        );
        cursor.or(focus)
    }
}
