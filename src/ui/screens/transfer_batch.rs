//! 批量转账 (X2, K §3.4.2.2): the paying store chosen with ←/→, a filled template (.xlsx, or
//! .csv in UTF-8 or GBK) checked whole by the service — either every bad row with its reason
//! (scrollable; nothing stored) or a confirmation with the totals and every row — then the
//! payment password (+ the card PIN when the operator has a card bound) sends the batch for
//! review. F2 writes the two templates (bank accounts, platform accounts) to the download folder.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

use crate::domain::money::format_fen;
use crate::domain::review::mask_account_no;
use crate::domain::transfer::{PayeeKind, RowInput};
use crate::excel::import::RowError;
use crate::service::review::Available;
use crate::service::transfers::{self, Prepared, Submitted, TransferError, TransferRequest};
use crate::service::ServiceError;
use crate::ui::keymap;
use crate::ui::text::money_out as tm;
use crate::ui::text::transfer as tt;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form, Label};
use crate::ui::widgets::table::{self, Column, Selection};

use super::bank_accounts::store_name;
use super::{Cx, Nav, Outcome, Screen, View};

enum Step {
    Nothing,
    /// Refused as a whole (not a table, no permission, ...).
    Refused(Vec<String>),
    /// Every bad row.
    Rows(Vec<RowError>),
    /// A good file: its totals and rows before the payment password.
    Confirm(Box<TransferRequest>, Box<Prepared>),
    Done(Box<Submitted>),
}

pub struct TransferBatch {
    stores: Vec<(i64, String, String)>,
    available: Option<Available>,
    store_index: usize,
    form: Form,
    secret: Form,
    with_pin: bool,
    step: Step,
    list: Selection,
    /// The on-screen form of at most 5 rows (F4), instead of a file.
    typed: Option<TypedRows>,
}

/// The on-screen rows: the paying store, the batch number, the payee kind, one row's fields
/// (F6 adds them as a row), and the rows added so far with the problem the last check found.
struct TypedRows {
    form: Form,
    kind: PayeeKind,
    rows: Vec<RowInput>,
    problems: Vec<(u32, String)>,
    sel: Selection,
}

const KINDS: [PayeeKind; 3] = [
    PayeeKind::Platform,
    PayeeKind::BankPersonal,
    PayeeKind::BankCompany,
];

const ROW_KEYS: [&str; 10] = [
    "account_no",
    "account_name",
    "bank",
    "province",
    "city",
    "branch",
    "amount",
    "order_no",
    "mobile",
    "remark",
];

fn typed_form(stores: &[(i64, String, String)], store: usize, kind: PayeeKind, lang: Lang) -> Form {
    let mut fields = vec![
        Field::choice_of(
            "store",
            tt::PAYING_STORE,
            stores
                .iter()
                .map(|s| Label::S(store_name(s, lang)))
                .collect(),
        ),
        Field::text("batch_no", tt::BATCH_NO),
        Field::choice(
            "kind",
            tt::PAYEE_KIND,
            vec![tt::KIND_PLATFORM, tt::KIND_PERSONAL, tt::KIND_COMPANY],
        ),
    ];
    if kind.is_bank() {
        fields.extend([
            Field::text("account_name", tt::PAYEE_NAME),
            Field::text("account_no", tt::BANK_ACCOUNT),
            Field::text("bank", tt::BANK),
            Field::text("province", tt::PROVINCE),
            Field::text("city", tt::CITY),
            Field::text("branch", tt::BRANCH),
        ]);
    } else {
        fields.extend([
            Field::text("account_no", tt::PLATFORM_ACCOUNT),
            Field::text("account_name", tt::PAYEE_NAME),
        ]);
    }
    fields.extend([
        Field::text("amount", tt::AMOUNT),
        Field::text("order_no", tt::ORDER_NO),
        Field::text("mobile", tt::MOBILE),
        Field::text("remark", tt::REMARK),
    ]);
    let mut form = Form::new(fields);
    form.set_choice("store", store);
    form.set_choice(
        "kind",
        KINDS.iter().position(|k| *k == kind).unwrap_or_default(),
    );
    form.fit_labels(lang);
    form.focus_on("batch_no");
    form
}

impl TypedRows {
    fn row(&self) -> RowInput {
        let v = |k: &str| self.form.value(k);
        RowInput {
            account_no: v("account_no"),
            account_no_again: None,
            account_name: v("account_name"),
            bank: v("bank"),
            province: v("province"),
            city: v("city"),
            branch: v("branch"),
            amount: v("amount"),
            order_no: v("order_no"),
            mobile: v("mobile"),
            remark: v("remark"),
            payee_id: None,
        }
    }
}

fn secret_form(with_pin: bool, lang: Lang) -> Form {
    let mut fields = vec![Field::secret("pay_password", tm::PAY_PASSWORD)];
    if with_pin {
        fields.push(Field::secret("pin", tm::PIN));
    }
    let mut form = Form::new(fields);
    form.fit_labels(lang);
    form
}

/// A typed path; a relative one is in the download folder (setting `download_dir`).
fn in_download_dir(cx: &Cx, typed: &str) -> PathBuf {
    let p = PathBuf::from(typed);
    if p.is_absolute() {
        p
    } else {
        crate::service::slip::download_dir(cx.env).join(p)
    }
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn kind_word(kind: PayeeKind) -> T {
    match kind {
        PayeeKind::Platform => tt::KIND_PLATFORM,
        PayeeKind::BankPersonal => tt::KIND_PERSONAL,
        PayeeKind::BankCompany => tt::KIND_COMPANY,
    }
}

impl TransferBatch {
    pub fn open(cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let stores = match crate::service::review::stores(cx.env, cx.session) {
            Ok(s) => s,
            Err(e) => return Outcome::error(cx.error_text(&e, |k| k.to_string())),
        };
        let with_pin =
            crate::service::card::card_required(cx.env, cx.session.operator_id).unwrap_or(false);
        let mut form = Form::new(vec![
            Field::choice_of(
                "store",
                tt::PAYING_STORE,
                stores
                    .iter()
                    .map(|s| Label::S(store_name(s, lang)))
                    .collect(),
            ),
            Field::text("file", tt::FILE).with_hint(tt::FILE_HINT.get(lang)),
        ]);
        form.fit_labels(lang);
        form.focus_on("file");
        let mut s = TransferBatch {
            stores,
            available: None,
            store_index: usize::MAX,
            form,
            secret: secret_form(with_pin, lang),
            with_pin,
            step: Step::Nothing,
            list: Selection::default(),
            typed: None,
        };
        s.sync(cx);
        Outcome::nav(Nav::Push(Box::new(s)))
    }

    fn merchant(&self) -> Option<i64> {
        self.stores.get(self.store_choice()).map(|s| s.0)
    }

    /// The paying store of the form in use.
    fn store_choice(&self) -> usize {
        match &self.typed {
            Some(t) => t.form.choice("store"),
            None => self.form.choice("store"),
        }
    }

    /// F4: the on-screen rows, or back to the file (the paying store kept).
    fn toggle_typed(&mut self, cx: &mut Cx) {
        let lang = cx.lang;
        match self.typed.take() {
            Some(t) => self.form.set_choice("store", t.form.choice("store")),
            None => {
                self.typed = Some(TypedRows {
                    form: typed_form(
                        &self.stores,
                        self.form.choice("store"),
                        PayeeKind::BankPersonal,
                        lang,
                    ),
                    kind: PayeeKind::BankPersonal,
                    rows: Vec::new(),
                    problems: Vec::new(),
                    sel: Selection::default(),
                });
            }
        }
        self.step = Step::Nothing;
    }

    /// After a key of the typed form: another payee kind rebuilds the row's fields.
    fn sync_typed(&mut self, lang: Lang) {
        let Some(t) = &mut self.typed else {
            return;
        };
        let kind = KINDS
            .get(t.form.choice("kind"))
            .copied()
            .unwrap_or(PayeeKind::Platform);
        if kind != t.kind {
            let kept = t.form.snapshot();
            let focus = t.form.focus_key();
            t.form = typed_form(&self.stores, t.form.choice("store"), kind, lang);
            for (key, value, _) in kept {
                if key != "store" && key != "kind" {
                    t.form.set_value(key, &value);
                }
            }
            t.form.focus_on(focus);
            t.kind = kind;
            t.problems.clear();
        }
    }

    /// F6: the row's fields become a row of the list (at most 5).
    fn add_row(&mut self, lang: Lang) -> Outcome {
        let Some(t) = &mut self.typed else {
            return Outcome::none();
        };
        if t.rows.len() >= crate::domain::transfer::MAX_FORM_ROWS {
            return Outcome::error(tt::ROWS_FULL.get(lang).into());
        }
        t.rows.push(t.row());
        for k in ROW_KEYS {
            t.form.set_value(k, "");
        }
        t.form.clear_marks();
        t.problems.clear();
        t.sel.index = t.rows.len() - 1;
        let first = if t.kind.is_bank() {
            "account_name"
        } else {
            "account_no"
        };
        t.form.focus_on(first);
        Outcome::ok(
            tt::ROW_ADDED
                .get(lang)
                .replace("{n}", &t.rows.len().to_string()),
        )
    }

    /// Ctrl+S of the typed form: every row checked whole, like a file.
    fn check_typed(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Some(m) = self.merchant() else {
            return Outcome::none();
        };
        let Some(t) = &mut self.typed else {
            return Outcome::none();
        };
        if t.rows.is_empty() {
            return Outcome::error(tt::NO_ROWS.get(lang).into());
        }
        let req = TransferRequest {
            merchant_id: m,
            kind: t.kind,
            origin: transfers::Origin::Form,
            batch_no: Some(t.form.value("batch_no")),
            rows: t.rows.clone(),
            row_nos: Vec::new(),
            file_name: String::new(),
            remark: String::new(),
            control_count: None,
            control_total_fen: None,
        };
        t.problems.clear();
        match transfers::preview(cx.env, cx.session, &req) {
            Ok(p) => {
                self.secret = secret_form(self.with_pin, lang);
                self.list = Selection::default();
                self.step = Step::Confirm(Box::new(req), Box::new(p));
                Outcome::none()
            }
            Err(TransferError::Rows(rows)) => {
                let mut whole = Vec::new();
                for r in &rows {
                    let words = if r.column.is_empty() {
                        r.reason.message(lang == Lang::Zh)
                    } else {
                        let key = super::transfer::field_of_column(&r.column);
                        format!(
                            "{}: {}",
                            t.form.label_of(key, lang),
                            r.reason.message(lang == Lang::Zh)
                        )
                    };
                    if r.row == 0 {
                        whole.push(words);
                    } else {
                        t.problems.push((r.row, words));
                    }
                }
                let mut msg = tt::BAD_TYPED
                    .get(lang)
                    .replace("{n}", &rows.len().to_string());
                for w in whole {
                    msg.push_str("; ");
                    msg.push_str(&w);
                }
                Outcome::error(msg)
            }
            Err(e) => self.refused(cx, e),
        }
    }

    fn typed_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::F(4) => {
                self.toggle_typed(cx);
                return Outcome::none();
            }
            KeyCode::F(6) => return self.add_row(lang),
            KeyCode::Char('s') if ctrl => return self.check_typed(cx),
            _ => {}
        }
        let Some(t) = &mut self.typed else {
            return Outcome::none();
        };
        match k.code {
            _ if keymap::is_back(k) => return Outcome::nav(Nav::Pop),
            KeyCode::F(7) => {
                // The selected row back into the fields, to be corrected and added again.
                if t.sel.index < t.rows.len() {
                    let r = t.rows.remove(t.sel.index);
                    for (k, v) in [
                        ("account_no", &r.account_no),
                        ("account_name", &r.account_name),
                        ("bank", &r.bank),
                        ("province", &r.province),
                        ("city", &r.city),
                        ("branch", &r.branch),
                        ("amount", &r.amount),
                        ("order_no", &r.order_no),
                        ("mobile", &r.mobile),
                        ("remark", &r.remark),
                    ] {
                        t.form.set_value(k, v);
                    }
                    t.problems.clear();
                    t.sel.clamp(t.rows.len());
                    t.form.focus_on("amount");
                }
            }
            KeyCode::F(8) => {
                if t.sel.index < t.rows.len() {
                    t.rows.remove(t.sel.index);
                    t.problems.clear();
                    t.sel.clamp(t.rows.len());
                }
            }
            KeyCode::PageUp | KeyCode::PageDown => {
                t.sel.handle(k, t.rows.len());
            }
            _ if keymap::is_next_field(k) || k.code == KeyCode::Enter => t.form.next(),
            _ if keymap::is_prev_field(k) => t.form.prev(),
            _ => {
                t.form.input(k);
            }
        }
        self.sync_typed(lang);
        self.sync(cx);
        Outcome::none()
    }

    fn draw_typed(&self, f: &mut Frame, area: Rect, lang: Lang, t: &TypedRows) -> Option<Position> {
        let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
        let cols = 2;
        let [info, top, bottom] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(t.form.grid_height(cols) + 2),
            Constraint::Min(4),
        ])
        .areas(area);
        f.render_widget(
            Paragraph::new(Line::from(vec![
                label(tt::AVAILABLE),
                Span::styled(
                    self.available
                        .map(|a| format_fen(a.available_fen))
                        .unwrap_or_default(),
                    theme::ok(),
                ),
            ])),
            info,
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", tt::ROWS_MODE_TITLE.get(lang)));
        let inner = block.inner(top);
        f.render_widget(block, top);
        let cursor = t.form.draw_grid(f, inner, lang, true, cols);
        let cells: Vec<Vec<String>> = t
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let no = i as u32 + 1;
                vec![
                    no.to_string(),
                    r.account_name.clone(),
                    if t.kind.is_bank() && r.account_no.chars().count() > 4 {
                        mask_account_no(r.account_no.trim())
                    } else {
                        r.account_no.clone()
                    },
                    r.amount.clone(),
                    r.order_no.clone(),
                    {
                        // The first problem of the row, and how many more (the message line
                        // and a new check after F8 tell the rest).
                        let mine: Vec<&str> = t
                            .problems
                            .iter()
                            .filter(|(row, _)| *row == no)
                            .map(|(_, w)| w.as_str())
                            .collect();
                        match mine.len() {
                            0 => String::new(),
                            1 => mine[0].to_string(),
                            n => format!("(+{}) {}", n - 1, mine[0]),
                        }
                    },
                ]
            })
            .collect();
        let columns = [
            Column {
                header: tt::COL_ROW.get(lang),
                width: Constraint::Length(4),
                right: true,
            },
            Column {
                header: tt::PAYEE_NAME.get(lang),
                width: Constraint::Length(8),
                right: false,
            },
            Column {
                header: crate::ui::text::payees::ACCOUNT.get(lang),
                width: Constraint::Length(10),
                right: false,
            },
            Column {
                header: tt::AMOUNT.get(lang),
                width: Constraint::Length(10),
                right: true,
            },
            Column {
                header: tt::ORDER_NO.get(lang),
                width: Constraint::Length(12),
                right: false,
            },
            Column {
                header: tt::PROBLEM.get(lang),
                width: Constraint::Min(10),
                right: false,
            },
        ];
        table::draw(
            f,
            bottom,
            &table::TableView {
                title: tt::ROWS_TITLE.get(lang),
                columns: &columns,
                rows: &cells,
                dim: &[],
                selected: (!cells.is_empty()).then_some(t.sel.index),
                empty: tt::NO_ROWS.get(lang),
            },
        );
        cursor
    }

    fn sync(&mut self, cx: &mut Cx) {
        let store = self.store_choice();
        if store != self.store_index {
            self.store_index = store;
            self.available = self
                .merchant()
                .and_then(|m| transfers::available(cx.env, cx.session, m).ok());
        }
    }

    /// Reads the file and has the service check it whole; nothing is stored.
    fn check(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Some(m) = self.merchant() else {
            return Outcome::none();
        };
        let file = self.form.value("file");
        self.form.clear_marks();
        self.list = Selection::default();
        if file.trim().is_empty() {
            self.form.mark(
                "file",
                text::field_problem(&crate::service::Problem::Required, lang),
            );
            return Outcome::none();
        }
        let path = in_download_dir(cx, file.trim());
        let checked = transfers::read_file(&path, m)
            .and_then(|req| transfers::preview(cx.env, cx.session, &req).map(|p| (req, p)));
        match checked {
            Ok((req, p)) => {
                self.secret = secret_form(self.with_pin, lang);
                self.step = Step::Confirm(Box::new(req), Box::new(p));
                Outcome::none()
            }
            Err(e) => self.refused(cx, e),
        }
    }

    fn refused(&mut self, cx: &Cx, e: TransferError) -> Outcome {
        let lang = cx.lang;
        match e {
            TransferError::Rows(rows) => {
                let msg = tt::BAD_ROWS
                    .get(lang)
                    .replace("{n}", &rows.len().to_string());
                self.step = Step::Rows(rows);
                Outcome::error(msg)
            }
            e => {
                let line = match &e {
                    TransferError::File(f) => f.message(lang == Lang::Zh),
                    TransferError::Service(s) => cx.error_text(s, |k| k.to_string()),
                    TransferError::Card(c) => text::card_error(c, lang),
                    TransferError::Rows(_) => String::new(),
                };
                let msg = tt::FILE_REFUSED.get(lang).replace("{e}", &line);
                self.step = Step::Refused(vec![line]);
                Outcome::error(msg)
            }
        }
    }

    fn submit(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Step::Confirm(req, _) = &self.step else {
            return Outcome::none();
        };
        let req = req.clone();
        let pw = self.secret.value("pay_password");
        let pin = self.secret.value("pin");
        self.secret.set_value("pay_password", "");
        self.secret.set_value("pin", "");
        self.secret.clear_marks();
        let pin = Some(pin.as_str()).filter(|p| !p.is_empty());
        match transfers::submit(cx.env, cx.session, &req, &pw, pin) {
            Ok(s) => {
                let msg = tt::BATCH_SUBMITTED
                    .get(lang)
                    .replace("{batch}", &s.batch_no)
                    .replace("{n}", &s.rows.to_string())
                    .replace("{total}", &format_fen(s.amount_fen + s.fee_fen))
                    .replace("{o}", &s.application.order_no);
                // Sent: the typed rows are done with; back to the upload with the same store.
                if let Some(t) = self.typed.take() {
                    self.form.set_choice("store", t.form.choice("store"));
                }
                self.step = Step::Done(Box::new(s));
                self.form.set_value("file", "");
                self.form.focus_on("file");
                self.store_index = usize::MAX;
                self.sync(cx);
                Outcome::ok(msg)
            }
            Err(TransferError::Service(e)) => {
                if let ServiceError::Invalid { field, problem } = &e {
                    if *field == "pay_password" || *field == "pin" {
                        self.secret.mark(field, text::field_problem(problem, lang));
                        return Outcome::error(
                            cx.error_text(&e, |k| self.secret.label_of(k, lang)),
                        );
                    }
                }
                self.refused(cx, TransferError::Service(e))
            }
            Err(TransferError::Card(e)) => Outcome::error(text::card_error(&e, lang)),
            Err(e) => self.refused(cx, e),
        }
    }

    /// F2: both templates, in the operator's language, into the download folder.
    fn templates(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let dir = crate::service::slip::download_dir(cx.env);
        let bank = transfers::write_template(&dir.join(tt::TEMPLATE_BANK.get(lang)), true, lang);
        let platform =
            transfers::write_template(&dir.join(tt::TEMPLATE_PLATFORM.get(lang)), false, lang);
        match (bank, platform) {
            (Ok(a), Ok(b)) => Outcome::ok(
                tt::TEMPLATES_WRITTEN
                    .get(lang)
                    .replace("{a}", &file_name(&a))
                    .replace("{b}", &file_name(&b)),
            ),
            (Err(e), _) | (_, Err(e)) => Outcome::error(e.message(lang == Lang::Zh)),
        }
    }

    fn list_len(&self) -> usize {
        match &self.step {
            Step::Rows(r) => r.len(),
            Step::Confirm(_, p) => p.rows.len(),
            _ => 0,
        }
    }

    fn draw_rows(&self, f: &mut Frame, area: Rect, lang: Lang, rows: &[RowError]) {
        let title = tt::BAD_ROWS
            .get(lang)
            .replace("{n}", &rows.len().to_string());
        let cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    if r.row == 0 {
                        String::new()
                    } else {
                        r.row.to_string()
                    },
                    transfers::column_name(&r.column, lang),
                    r.reason.message(lang == Lang::Zh),
                ]
            })
            .collect();
        let columns = [
            Column {
                header: tt::COL_ROW.get(lang),
                width: Constraint::Length(5),
                right: true,
            },
            Column {
                header: tt::COL_COLUMN.get(lang),
                width: Constraint::Length(18),
                right: false,
            },
            Column {
                header: tt::COL_REASON.get(lang),
                width: Constraint::Min(20),
                right: false,
            },
        ];
        table::draw(
            f,
            area,
            &table::TableView {
                title: &title,
                columns: &columns,
                rows: &cells,
                dim: &[],
                selected: Some(self.list.index.min(rows.len().saturating_sub(1))),
                empty: "",
            },
        );
    }

    fn draw_confirm(
        &self,
        f: &mut Frame,
        area: Rect,
        lang: Lang,
        p: &Prepared,
    ) -> Option<Position> {
        let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
        let mut lines = vec![
            Line::from(vec![
                label(tt::BATCH_NO),
                Span::raw(format!("{}   ", p.batch_no)),
                label(tt::PAYEE_KIND),
                Span::raw(kind_word(p.kind).get(lang).to_string()),
            ]),
            Line::from(vec![
                label(tt::COUNT),
                Span::raw(format!("{}   ", p.rows.len())),
                label(tt::AMOUNT),
                Span::raw(format!("{}   ", format_fen(p.amount_fen))),
                label(tt::FEE),
                Span::raw(format!("{}   ", format_fen(p.fee_fen))),
                label(tt::TOTAL),
                Span::styled(format_fen(p.total_fen), theme::ok()),
            ]),
            Line::from(vec![
                label(tt::AVAILABLE),
                Span::raw(format!("{}   ", format_fen(p.available_fen))),
                label(tt::AFTER),
                Span::raw(format_fen(p.available_fen - p.total_fen)),
            ]),
        ];
        if !p.duplicate_payees.is_empty() {
            let rows = p
                .duplicate_payees
                .iter()
                .map(|(a, b)| format!("{a}/{b}"))
                .collect::<Vec<_>>()
                .join(", ");
            lines.push(Line::from(Span::styled(
                tt::DUPLICATE_PAYEES.get(lang).replace("{rows}", &rows),
                theme::error(),
            )));
        }
        let [top, secret, rows_area, hint] = Layout::vertical([
            Constraint::Length(lines.len() as u16 + 2),
            Constraint::Length(self.secret.height() + 2),
            Constraint::Min(4),
            Constraint::Length(1),
        ])
        .areas(area);
        f.render_widget(
            Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(format!(
                " {} · {} ",
                tt::SCR_TRANSFER_BATCH.get(lang),
                tt::STEP_CONFIRM.get(lang)
            ))),
            top,
        );
        let block = Block::default().borders(Borders::ALL);
        let inner = block.inner(secret);
        f.render_widget(block, secret);
        let cursor = self.secret.draw(
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
        let cells: Vec<Vec<String>> = p
            .rows
            .iter()
            .enumerate()
            .map(|(i, (r, fee))| {
                vec![
                    (i + 1).to_string(),
                    r.account_name.clone(),
                    if r.kind.is_bank() {
                        mask_account_no(&r.account_no)
                    } else {
                        r.account_no.clone()
                    },
                    format_fen(r.amount_fen),
                    format_fen(*fee),
                    r.order_no.clone(),
                ]
            })
            .collect();
        let columns = [
            Column {
                header: tt::COL_ROW.get(lang),
                width: Constraint::Length(4),
                right: true,
            },
            Column {
                header: tt::PAYEE_NAME.get(lang),
                width: Constraint::Min(8),
                right: false,
            },
            Column {
                header: crate::ui::text::payees::ACCOUNT.get(lang),
                width: Constraint::Length(15),
                right: false,
            },
            Column {
                header: tt::AMOUNT.get(lang),
                width: Constraint::Length(13),
                right: true,
            },
            Column {
                header: tt::FEE.get(lang),
                width: Constraint::Length(8),
                right: true,
            },
            Column {
                header: tt::ORDER_NO.get(lang),
                width: Constraint::Length(18),
                right: false,
            },
        ];
        table::draw(
            f,
            rows_area,
            &table::TableView {
                title: tt::ROWS_TITLE.get(lang),
                columns: &columns,
                rows: &cells,
                dim: &[],
                selected: Some(self.list.index.min(cells.len().saturating_sub(1))),
                empty: "",
            },
        );
        f.render_widget(
            Paragraph::new(Span::styled(tt::BATCH_CONFIRM_HINT.get(lang), theme::dim())),
            hint,
        );
        cursor
    }
}

fn help(keys: &str, what: T, lang: Lang) -> (String, String) {
    (keys.to_string(), what.get(lang).to_string())
}

impl Screen for TransferBatch {
    fn title(&self) -> T {
        tt::SCR_TRANSFER_BATCH
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        match self.step {
            Step::Confirm(..) => vec![
                help("Enter", t::KEY_SUBMIT, lang),
                help("PgUp/PgDn", tt::KEY_SCROLL, lang),
                help("Esc", t::KEY_BACK, lang),
            ],
            _ if self.typed.is_some() => vec![
                help("F6", tt::KEY_ADD_ROW, lang),
                help("Ctrl+S", tt::KEY_CHECK_ALL, lang),
                help("F7", tt::KEY_EDIT_ROW, lang),
                help("F8", tt::KEY_DELETE_ROW, lang),
                help("F4", tt::KEY_ROWS_MODE, lang),
                help("Esc", t::KEY_BACK, lang),
            ],
            _ => vec![
                help("Enter", tt::KEY_CHECK, lang),
                help("F2", tt::KEY_TEMPLATES, lang),
                help("F4", tt::KEY_ROWS_MODE, lang),
                help("←→", t::KEY_OPTION, lang),
                help("PgUp/PgDn", tt::KEY_SCROLL, lang),
                help("Esc", t::KEY_BACK, lang),
            ],
        }
    }

    fn editing_text(&self) -> bool {
        true
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let n = self.list_len();
        let confirming = matches!(self.step, Step::Confirm(..));
        if self.typed.is_some() && !confirming {
            return self.typed_key(k, cx);
        }
        if matches!(k.code, KeyCode::PageUp | KeyCode::PageDown) {
            self.list.handle(k, n);
            return Outcome::none();
        }
        if let Step::Confirm(..) = self.step {
            if keymap::is_back(k) {
                self.secret.set_value("pay_password", "");
                self.secret.set_value("pin", "");
                self.step = Step::Nothing;
                return Outcome::none();
            }
            if keymap::is_next_field(k) || k.code == KeyCode::Enter && !self.secret.is_last() {
                self.secret.next();
                return Outcome::none();
            }
            if keymap::is_prev_field(k) {
                self.secret.prev();
                return Outcome::none();
            }
            return match k.code {
                KeyCode::Enter => self.submit(cx),
                KeyCode::Char('s') if ctrl => self.submit(cx),
                _ => {
                    self.secret.input(k);
                    Outcome::none()
                }
            };
        }
        if keymap::is_back(k) {
            return Outcome::nav(Nav::Pop);
        }
        if keymap::is_next_field(k) {
            self.form.next();
            return Outcome::none();
        }
        if keymap::is_prev_field(k) {
            self.form.prev();
            return Outcome::none();
        }
        let out = match k.code {
            KeyCode::F(4) => {
                self.toggle_typed(cx);
                return Outcome::none();
            }
            KeyCode::F(2) => return self.templates(cx),
            KeyCode::Enter => return self.check(cx),
            _ => {
                self.form.input(k);
                Outcome::none()
            }
        };
        self.sync(cx);
        out
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.store_index = usize::MAX;
        self.sync(cx);
        Outcome::none()
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        if let Step::Confirm(_, p) = &self.step {
            return self.draw_confirm(f, area, lang, p);
        }
        if let Some(t) = &self.typed {
            return self.draw_typed(f, area, lang, t);
        }
        let [info, top, bottom] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(self.form.height() + 2),
            Constraint::Min(4),
        ])
        .areas(area);
        let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
        f.render_widget(
            Paragraph::new(Line::from(vec![
                label(tt::AVAILABLE),
                Span::styled(
                    self.available
                        .map(|a| format_fen(a.available_fen))
                        .unwrap_or_default(),
                    theme::ok(),
                ),
            ])),
            info,
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", tt::SCR_TRANSFER_BATCH.get(lang)));
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
        match &self.step {
            Step::Nothing => f.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled(tt::NOTHING_YET.get(lang), theme::dim())),
                    Line::from(Span::styled(tt::UPLOAD_HINT.get(lang), theme::dim())),
                    Line::from(Span::styled(tt::FILE_MODE_HINT.get(lang), theme::dim())),
                ])
                .wrap(Wrap { trim: true })
                .block(Block::default().borders(Borders::ALL)),
                bottom,
            ),
            Step::Refused(lines) => f.render_widget(
                Paragraph::new(
                    lines
                        .iter()
                        .map(|l| Line::from(Span::styled(l.clone(), theme::error())))
                        .collect::<Vec<_>>(),
                )
                .wrap(Wrap { trim: true })
                .block(Block::default().borders(Borders::ALL)),
                bottom,
            ),
            Step::Rows(rows) => self.draw_rows(f, bottom, lang, rows),
            Step::Done(s) => {
                let text = vec![
                    Line::from(Span::styled(
                        tt::BATCH_SUBMITTED
                            .get(lang)
                            .replace("{batch}", &s.batch_no)
                            .replace("{n}", &s.rows.to_string())
                            .replace("{total}", &format_fen(s.amount_fen + s.fee_fen))
                            .replace("{o}", &s.application.order_no),
                        theme::ok(),
                    )),
                    Line::from(vec![
                        label(tt::AMOUNT),
                        Span::raw(format!("{}   ", format_fen(s.amount_fen))),
                        label(tt::FEE),
                        Span::raw(format_fen(s.fee_fen)),
                    ]),
                    Line::from(vec![
                        label(tt::STATUS),
                        Span::raw(tm::status(s.application.status).get(lang).to_string()),
                    ]),
                ];
                f.render_widget(
                    Paragraph::new(text).wrap(Wrap { trim: true }).block(
                        Block::default()
                            .borders(Borders::ALL)
                            .title(format!(" {} ", tt::STEP_RESULT.get(lang))),
                    ),
                    bottom,
                );
            }
            Step::Confirm(..) => {}
        }
        cursor
    }
}
