//! 转账 (X1, K §3.4.2.1): one transfer in the three steps of K — 转账信息 (the paying store
//! chosen with ←/→ and its available balance, the payee kind, the payee typed or chosen from the
//! contacts with F3, the bank account typed twice, amount and remark) → 确认 (what the service's
//! preview says: fee, total, the name checked; the payment password, and the card PIN when the
//! operator has a card bound) → 结果 (the application number, and an offer to save the payee
//! as a contact).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use crate::domain::money::{format_fen, parse_amount};
use crate::domain::payee::PayeeKind as ContactKind;
use crate::domain::review::{amount_in_capitals, mask_account_no, HolderType};
use crate::domain::transfer::{PayeeKind, RowInput};
use crate::excel::import::RowError;
use crate::service::payees::{self, PayeeInput, PayeeView};
use crate::service::review::Available;
use crate::service::transfers::{self, Prepared, Submitted, TransferError, TransferRequest};
use crate::service::ServiceError;
use crate::ui::keymap;
use crate::ui::text::money_out as tm;
use crate::ui::text::transfer as tt;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form, Label};
use crate::ui::widgets::table::{self, Column};

use super::bank_accounts::store_name;
use super::{Cx, Nav, Outcome, Screen, View};

const KINDS: [PayeeKind; 3] = [
    PayeeKind::Platform,
    PayeeKind::BankPersonal,
    PayeeKind::BankCompany,
];

enum Step {
    Info,
    Confirm(Box<Prepared>),
    Done {
        sent: Box<Submitted>,
        /// The payee may still be saved as a contact (typed, not chosen, not saved yet).
        may_save: bool,
    },
}

/// The F3 list of contacts.
struct Picker {
    list: Vec<PayeeView>,
    selected: usize,
}

pub struct Transfer {
    stores: Vec<(i64, String, String)>,
    available: Option<Available>,
    store_index: usize,
    kind: PayeeKind,
    form: Form,
    /// The payment password (+ PIN) of step 2, and of saving the contact in step 3.
    secret: Form,
    with_pin: bool,
    step: Step,
    picker: Option<Picker>,
    /// The contact chosen with F3, and the masked number shown in its place.
    contact: Option<(i64, String)>,
}

/// The fields of step 1 for a payee kind.
fn info_fields(stores: &[(i64, String, String)], kind: PayeeKind, lang: Lang) -> Form {
    let mut fields = vec![
        Field::choice_of(
            "store",
            tt::PAYING_STORE,
            stores
                .iter()
                .map(|s| Label::S(store_name(s, lang)))
                .collect(),
        ),
        Field::choice(
            "kind",
            tt::PAYEE_KIND,
            vec![tt::KIND_PLATFORM, tt::KIND_PERSONAL, tt::KIND_COMPANY],
        ),
    ];
    if kind.is_bank() {
        fields.extend([
            Field::text("account_no", tt::BANK_ACCOUNT),
            Field::secret("account_no_again", tt::BANK_ACCOUNT_AGAIN),
            Field::text("account_name", tt::PAYEE_NAME),
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
        Field::text("mobile", tt::MOBILE),
        Field::text("remark", tt::REMARK),
    ]);
    let mut form = Form::new(fields);
    form.set_choice(
        "kind",
        KINDS.iter().position(|k| *k == kind).unwrap_or_default(),
    );
    form.fit_labels(lang);
    form
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

/// The form field a column of a bad row names.
pub(super) fn field_of_column(column: &str) -> &'static str {
    use transfers::*;
    match column {
        c if c == COL_PLATFORM_ACCOUNT || c == COL_ACCOUNT => "account_no",
        c if c == COL_ACCOUNT_AGAIN => "account_no_again",
        c if c == COL_PLATFORM_NAME || c == COL_NAME => "account_name",
        c if c == COL_BANK => "bank",
        c if c == COL_PROVINCE => "province",
        c if c == COL_CITY => "city",
        c if c == COL_BRANCH => "branch",
        c if c == COL_AMOUNT => "amount",
        c if c == COL_MOBILE => "mobile",
        c if c == COL_REMARK => "remark",
        _ => "amount",
    }
}

impl Transfer {
    pub fn open(cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let stores = match crate::service::review::stores(cx.env, cx.session) {
            Ok(s) => s,
            Err(e) => return Outcome::error(cx.error_text(&e, |k| k.to_string())),
        };
        let with_pin =
            crate::service::card::card_required(cx.env, cx.session.operator_id).unwrap_or(false);
        let mut s = Transfer {
            form: info_fields(&stores, PayeeKind::Platform, lang),
            stores,
            available: None,
            store_index: usize::MAX,
            kind: PayeeKind::Platform,
            secret: secret_form(with_pin, lang),
            with_pin,
            step: Step::Info,
            picker: None,
            contact: None,
        };
        s.sync(cx);
        Outcome::nav(Nav::Push(Box::new(s)))
    }

    fn merchant(&self) -> Option<i64> {
        self.stores.get(self.form.choice("store")).map(|s| s.0)
    }

    /// After any key of step 1: another store reloads its balance; another kind its fields.
    fn sync(&mut self, cx: &mut Cx) {
        let lang = cx.lang;
        let kind = KINDS
            .get(self.form.choice("kind"))
            .copied()
            .unwrap_or(PayeeKind::Platform);
        if kind != self.kind {
            let kept = self.form.snapshot();
            let focus = self.form.focus_key();
            self.kind = kind;
            self.form = info_fields(&self.stores, kind, lang);
            for (key, value, choice) in kept {
                if key == "account_no" || key == "account_no_again" || key == "account_name" {
                    continue;
                }
                self.form.set_value(key, &value);
                if key == "store" {
                    self.form.set_choice(key, choice);
                }
            }
            self.form.focus_on(focus);
            self.contact = None;
        }
        // A number typed over the contact's masked one is a typed payee again.
        if let Some((_, masked)) = &self.contact {
            if self.form.value("account_no") != *masked {
                self.contact = None;
            }
        }
        let store = self.form.choice("store");
        if store != self.store_index {
            self.store_index = store;
            self.available = self
                .merchant()
                .and_then(|m| transfers::available(cx.env, cx.session, m).ok());
        }
    }

    fn request(&self) -> Option<TransferRequest> {
        let m = self.merchant()?;
        let v = |k: &str| self.form.value(k);
        let row = RowInput {
            account_no: v("account_no"),
            account_no_again: self.kind.is_bank().then(|| v("account_no_again")),
            account_name: v("account_name"),
            bank: v("bank"),
            province: v("province"),
            city: v("city"),
            branch: v("branch"),
            amount: v("amount"),
            order_no: String::new(),
            mobile: v("mobile"),
            remark: v("remark"),
            payee_id: self.contact.as_ref().map(|c| c.0),
        };
        let mut req = TransferRequest::single(m, self.kind, row);
        req.remark = v("remark");
        Some(req)
    }

    /// Step 1 → 2: the service checks everything and quotes the fee; nothing is stored.
    fn preview(&mut self, cx: &mut Cx) -> Outcome {
        let Some(req) = self.request() else {
            return Outcome::none();
        };
        self.form.clear_marks();
        match transfers::preview(cx.env, cx.session, &req) {
            Ok(p) => {
                self.secret = secret_form(self.with_pin, cx.lang);
                self.step = Step::Confirm(Box::new(p));
                Outcome::none()
            }
            Err(e) => self.fail(cx, e),
        }
    }

    fn submit(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Some(req) = self.request() else {
            return Outcome::none();
        };
        let pw = self.secret.value("pay_password");
        let pin = self.secret.value("pin");
        self.secret.set_value("pay_password", "");
        self.secret.set_value("pin", "");
        self.secret.clear_marks();
        let pin = Some(pin.as_str()).filter(|p| !p.is_empty());
        match transfers::submit(cx.env, cx.session, &req, &pw, pin) {
            Ok(sent) => {
                let msg = tt::SUBMITTED
                    .get(lang)
                    .replace("{o}", &sent.application.order_no);
                self.step = Step::Done {
                    sent: Box::new(sent),
                    may_save: self.contact.is_none(),
                };
                self.store_index = usize::MAX;
                self.sync(cx);
                Outcome::ok(msg)
            }
            Err(TransferError::Service(e @ ServiceError::Invalid { .. })) if matches!(&e, ServiceError::Invalid { field, .. } if *field == "pay_password" || *field == "pin") =>
            {
                if let ServiceError::Invalid { field, problem } = &e {
                    self.secret.mark(field, text::field_problem(problem, lang));
                    self.secret.focus_on(field);
                }
                Outcome::error(cx.error_text(&e, |k| self.secret.label_of(k, lang)))
            }
            Err(TransferError::Card(e)) => Outcome::error(text::card_error(&e, lang)),
            Err(e) => {
                // The database moved on since the preview (a balance, a number used): back to
                // step 1 with the reason.
                self.step = Step::Info;
                self.fail(cx, e)
            }
        }
    }

    fn fail(&mut self, cx: &Cx, e: TransferError) -> Outcome {
        let lang = cx.lang;
        match e {
            TransferError::Rows(rows) => {
                // One field marked (the first bad one, where the focus goes); the message line
                // names every bad field with its reason.
                let words: Vec<String> = rows
                    .iter()
                    .map(|r: &RowError| {
                        let reason = r.reason.message(lang == Lang::Zh);
                        if r.column.is_empty() {
                            reason
                        } else {
                            let label = self.form.label_of(field_of_column(&r.column), lang);
                            format!("{label}: {reason}")
                        }
                    })
                    .collect();
                let at = |r: &&RowError| {
                    let key = field_of_column(&r.column);
                    self.form.fields.iter().position(|f| f.key == key)
                };
                if let Some(first) = rows
                    .iter()
                    .filter(|r| !r.column.is_empty())
                    .min_by_key(|r| at(r).unwrap_or(usize::MAX))
                {
                    self.form.mark(
                        field_of_column(&first.column),
                        first.reason.message(lang == Lang::Zh),
                    );
                }
                Outcome::error(words.join("; "))
            }
            TransferError::Service(e) => {
                if let ServiceError::Invalid { field, problem } = &e {
                    self.form.mark(field, text::field_problem(problem, lang));
                }
                Outcome::error(cx.error_text(&e, |k| self.form.label_of(k, lang)))
            }
            TransferError::Card(e) => Outcome::error(text::card_error(&e, lang)),
            TransferError::File(e) => Outcome::error(e.message(lang == Lang::Zh)),
        }
    }

    /// F3: the contacts of the chosen kind.
    fn open_picker(&mut self, cx: &mut Cx) -> Outcome {
        let contact_kind = if self.kind.is_bank() {
            ContactKind::Bank
        } else {
            ContactKind::Platform
        };
        match payees::list(cx.env, cx.session, contact_kind, "") {
            Ok(list) => {
                let holder = self.kind.holder();
                let list = list
                    .into_iter()
                    .filter(|p| p.holder_type.is_none() || p.holder_type == holder)
                    .collect();
                self.picker = Some(Picker { list, selected: 0 });
                Outcome::none()
            }
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn pick(&mut self) {
        let Some(picker) = self.picker.take() else {
            return;
        };
        let Some(p) = picker.list.get(picker.selected) else {
            return;
        };
        self.form.clear_marks();
        self.form.set_value("account_no", &p.account);
        self.form.set_value("account_name", &p.account_name);
        if self.kind.is_bank() {
            self.form.set_value("account_no_again", &p.account);
            self.form.set_value("bank", &p.bank_zh);
            self.form.set_value("province", &p.province_zh);
            self.form.set_value("city", &p.city_zh);
            self.form.set_value("branch", &p.branch);
            self.contact = Some((p.id, p.account.clone()));
        } else {
            self.contact = None;
        }
        if !p.mobile.is_empty() {
            self.form.set_value("mobile", &p.mobile);
        }
        self.form.focus_on("amount");
    }

    /// Step 3: the payee typed in step 1 becomes a contact (with the payment password).
    fn save_contact(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let v = |k: &str| self.form.value(k);
        let bank = self.kind.is_bank();
        let input = PayeeInput {
            kind: Some(if bank {
                ContactKind::Bank
            } else {
                ContactKind::Platform
            }),
            account_name: v("account_name"),
            holder_type: match self.kind {
                PayeeKind::BankCompany => Some(HolderType::Company),
                PayeeKind::BankPersonal => Some(HolderType::Personal),
                PayeeKind::Platform => None,
            },
            bank: v("bank"),
            province: v("province"),
            city: v("city"),
            branch: v("branch"),
            account_no: v("account_no"),
            account_no_again: if bank {
                v("account_no_again")
            } else {
                String::new()
            },
            mobile: v("mobile"),
            remark: String::new(),
            pay_password: self.secret.value("pay_password"),
        };
        self.secret.set_value("pay_password", "");
        self.secret.clear_marks();
        match payees::add(cx.env, cx.session, &input) {
            Ok(p) => {
                if let Step::Done { may_save, .. } = &mut self.step {
                    *may_save = false;
                }
                Outcome::ok(
                    tt::CONTACT_SAVED
                        .get(lang)
                        .replace("{name}", &p.account_name),
                )
            }
            Err(e) => {
                if let ServiceError::Invalid {
                    field: "pay_password",
                    problem,
                } = &e
                {
                    self.secret
                        .mark("pay_password", text::field_problem(problem, lang));
                }
                Outcome::error(cx.error_text(&e, |k| self.form.label_of(k, lang)))
            }
        }
    }

    /// F2 in step 3: a new transfer from the same store, the form blank.
    fn restart(&mut self, cx: &mut Cx) {
        let store = self.form.choice("store");
        self.form = info_fields(&self.stores, self.kind, cx.lang);
        self.form.set_choice("store", store);
        self.contact = None;
        self.secret = secret_form(self.with_pin, cx.lang);
        self.step = Step::Info;
        self.store_index = usize::MAX;
        self.sync(cx);
    }

    fn picker_key(&mut self, k: &KeyEvent) -> Outcome {
        let Some(p) = &mut self.picker else {
            return Outcome::none();
        };
        if keymap::is_back(k) {
            self.picker = None;
        } else if keymap::is_up(k) {
            p.selected = p.selected.saturating_sub(1);
        } else if keymap::is_down(k) {
            p.selected = (p.selected + 1).min(p.list.len().saturating_sub(1));
        } else if k.code == KeyCode::Enter {
            self.pick();
        }
        Outcome::none()
    }

    fn draw_picker(&self, f: &mut Frame, area: Rect, lang: Lang, p: &Picker) {
        let h = (p.list.len() as u16 + 4).clamp(6, area.height.saturating_sub(2));
        let w = area.width.saturating_sub(4);
        let r = Rect::new(area.x + 2, area.y + 1, w, h);
        f.render_widget(Clear, r);
        let rows: Vec<Vec<String>> = p
            .list
            .iter()
            .map(|c| {
                vec![
                    c.account_name.clone(),
                    c.account.clone(),
                    if lang == Lang::Zh {
                        c.bank_zh.clone()
                    } else {
                        c.bank_en.clone()
                    },
                ]
            })
            .collect();
        let columns = [
            Column {
                header: tt::PAYEE_NAME.get(lang),
                width: Constraint::Min(12),
                right: false,
            },
            Column {
                header: crate::ui::text::payees::ACCOUNT.get(lang),
                width: Constraint::Length(17),
                right: false,
            },
            Column {
                header: tt::BANK.get(lang),
                width: Constraint::Length(14),
                right: false,
            },
        ];
        table::draw(
            f,
            r,
            &table::TableView {
                title: tt::CONTACTS_TITLE.get(lang),
                columns: &columns,
                rows: &rows,
                dim: &[],
                selected: Some(p.selected),
                empty: tt::NO_CONTACTS.get(lang),
            },
        );
    }

    fn draw_info(&self, f: &mut Frame, area: Rect, lang: Lang) -> Option<Position> {
        let [info, form_area, hint] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(self.form.height() + 2),
            Constraint::Min(1),
        ])
        .areas(area);
        let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
        let amount = parse_amount(&self.form.value("amount")).ok();
        f.render_widget(
            Paragraph::new(Line::from(vec![
                label(tt::AVAILABLE),
                Span::styled(
                    self.available
                        .map(|a| format_fen(a.available_fen))
                        .unwrap_or_default(),
                    theme::ok(),
                ),
                Span::raw("   "),
                label(tt::CAPITALS),
                Span::raw(amount.map(amount_in_capitals).unwrap_or_default()),
            ])),
            info,
        );
        let mut title = format!(
            " {} · {} ",
            tt::SCR_TRANSFER.get(lang),
            tt::STEP_INFO.get(lang)
        );
        if self.contact.is_some() {
            title.push_str(&format!("({}) ", tt::FROM_CONTACT.get(lang)));
        }
        let block = Block::default().borders(Borders::ALL).title(title);
        let inner = block.inner(form_area);
        f.render_widget(block, form_area);
        let cursor = self.form.draw(
            f,
            Rect::new(
                inner.x + 1,
                inner.y,
                inner.width.saturating_sub(2),
                inner.height,
            ),
            lang,
            self.picker.is_none(),
        );
        f.render_widget(
            Paragraph::new(Span::styled(tt::INFO_HINT.get(lang), theme::dim()))
                .wrap(Wrap { trim: true }),
            hint,
        );
        cursor
    }

    fn payee_lines(&self, lang: Lang, p: &Prepared) -> Vec<Line<'static>> {
        let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
        let Some((row, _)) = p.rows.first() else {
            return Vec::new();
        };
        let store = self
            .stores
            .iter()
            .find(|s| s.0 == p.merchant_id)
            .map(|s| store_name(s, lang))
            .unwrap_or_default();
        let mut lines = vec![
            Line::from(vec![label(tt::PAYING_STORE), Span::raw(store)]),
            Line::from(vec![
                label(tt::PAYEE_KIND),
                Span::raw(
                    [tt::KIND_PLATFORM, tt::KIND_PERSONAL, tt::KIND_COMPANY]
                        [KINDS.iter().position(|k| *k == p.kind).unwrap_or_default()]
                    .get(lang)
                    .to_string(),
                ),
            ]),
        ];
        if p.kind.is_bank() {
            lines.push(Line::from(vec![
                label(tt::BANK_ACCOUNT),
                Span::raw(format!(
                    "{}  {}",
                    mask_account_no(&row.account_no),
                    row.account_name
                )),
            ]));
            lines.push(Line::from(vec![
                label(tt::BANK),
                Span::raw(format!(
                    "{} {} {} {}",
                    self.form.value("bank").trim(),
                    self.form.value("province").trim(),
                    self.form.value("city").trim(),
                    row.branch
                )),
            ]));
            lines.push(Line::from(Span::styled(
                format!("✓ {}", tt::BANK_CHECKED.get(lang)),
                theme::ok(),
            )));
        } else {
            lines.push(Line::from(vec![
                label(tt::PLATFORM_ACCOUNT),
                Span::raw(format!("{}  {}", row.account_no, row.account_name)),
            ]));
            lines.push(Line::from(Span::styled(
                format!("✓ {}", tt::NAME_CHECKED.get(lang)),
                theme::ok(),
            )));
            if row.target_merchant_id.is_some() {
                lines.push(Line::from(Span::raw(tt::CREDITED_AT_ONCE.get(lang))));
            }
        }
        lines
    }

    fn draw_confirm(
        &self,
        f: &mut Frame,
        area: Rect,
        lang: Lang,
        p: &Prepared,
    ) -> Option<Position> {
        let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
        let mut lines = self.payee_lines(lang, p);
        lines.push(Line::from(vec![
            label(tt::AMOUNT),
            Span::raw(format!("{}   ", format_fen(p.amount_fen))),
            label(tt::FEE),
            Span::raw(format!("{}   ", format_fen(p.fee_fen))),
            label(tt::TOTAL),
            Span::styled(format_fen(p.total_fen), theme::ok()),
        ]));
        lines.push(Line::from(vec![
            label(tt::AVAILABLE),
            Span::raw(format!("{}   ", format_fen(p.available_fen))),
            label(tt::AFTER),
            Span::raw(format_fen(p.available_fen - p.total_fen)),
        ]));
        let remark = self.form.value("remark");
        if !remark.trim().is_empty() {
            lines.push(Line::from(vec![
                label(tt::REMARK),
                Span::raw(remark.trim().to_string()),
            ]));
        }
        let [top, form_area, hint] = Layout::vertical([
            Constraint::Length(lines.len() as u16 + 2),
            Constraint::Length(self.secret.height() + 2),
            Constraint::Min(1),
        ])
        .areas(area);
        f.render_widget(
            Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(format!(
                " {} · {} — {} ",
                tt::SCR_TRANSFER.get(lang),
                tt::STEP_CONFIRM.get(lang),
                tt::CONFIRM_TITLE.get(lang)
            ))),
            top,
        );
        let cursor = self.draw_secret(f, form_area, lang);
        let mut h = vec![Line::from(Span::styled(
            tt::CONFIRM_HINT.get(lang),
            theme::dim(),
        ))];
        if self.with_pin {
            h.push(Line::from(Span::styled(
                tm::MAKER_CARD.get(lang),
                theme::dim(),
            )));
        }
        f.render_widget(Paragraph::new(h).wrap(Wrap { trim: true }), hint);
        cursor
    }

    fn draw_secret(&self, f: &mut Frame, area: Rect, lang: Lang) -> Option<Position> {
        let block = Block::default().borders(Borders::ALL);
        let inner = block.inner(area);
        f.render_widget(block, area);
        self.secret.draw(
            f,
            Rect::new(
                inner.x + 1,
                inner.y,
                inner.width.saturating_sub(2),
                inner.height,
            ),
            lang,
            true,
        )
    }

    fn draw_done(
        &self,
        f: &mut Frame,
        area: Rect,
        lang: Lang,
        s: &Submitted,
        may_save: bool,
    ) -> Option<Position> {
        let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
        let mut lines = vec![
            Line::from(Span::styled(
                tt::SUBMITTED
                    .get(lang)
                    .replace("{o}", &s.application.order_no),
                theme::ok(),
            )),
            Line::from(vec![
                label(tt::APPLICATION_NO),
                Span::raw(format!(
                    "{}   #{}",
                    s.application.order_no, s.application.id
                )),
            ]),
            Line::from(vec![label(tt::BATCH_NO), Span::raw(s.batch_no.clone())]),
            Line::from(vec![
                label(tt::AMOUNT),
                Span::raw(format!("{}   ", format_fen(s.amount_fen))),
                label(tt::FEE),
                Span::raw(format!("{}   ", format_fen(s.fee_fen))),
                label(tt::TOTAL),
                Span::raw(format_fen(s.amount_fen + s.fee_fen)),
            ]),
            Line::from(vec![
                label(tt::STATUS),
                Span::raw(tm::status(s.application.status).get(lang).to_string()),
            ]),
            Line::from(vec![
                label(tt::AVAILABLE),
                Span::raw(
                    self.available
                        .map(|a| format_fen(a.available_fen))
                        .unwrap_or_default(),
                ),
            ]),
        ];
        let hint = if may_save {
            tt::SAVE_CONTACT_HINT
        } else {
            tt::NEXT_HINT
        };
        lines.push(Line::from(Span::styled(hint.get(lang), theme::dim())));
        let [top, form_area] = Layout::vertical([
            Constraint::Length(lines.len() as u16 + 2),
            Constraint::Length(if may_save { 3 } else { 0 }),
        ])
        .areas(area);
        f.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: true }).block(
                Block::default().borders(Borders::ALL).title(format!(
                    " {} · {} ",
                    tt::SCR_TRANSFER.get(lang),
                    tt::STEP_RESULT.get(lang)
                )),
            ),
            top,
        );
        if may_save {
            self.draw_secret(f, form_area, lang)
        } else {
            None
        }
    }
}

fn help(keys: &str, what: T, lang: Lang) -> (String, String) {
    (keys.to_string(), what.get(lang).to_string())
}

impl Screen for Transfer {
    fn title(&self) -> T {
        tt::SCR_TRANSFER
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        match self.step {
            Step::Info => vec![
                help("Ctrl+S", tt::KEY_NEXT_STEP, lang),
                help("F3", tt::KEY_CONTACTS, lang),
                help("Tab", t::KEY_FIELDS, lang),
                help("←→", t::KEY_OPTION, lang),
                help("Esc", t::KEY_BACK, lang),
            ],
            Step::Confirm(_) => vec![
                help("Enter", t::KEY_SUBMIT, lang),
                help("Esc", t::KEY_BACK, lang),
            ],
            Step::Done { may_save, .. } => {
                let mut v = Vec::new();
                if may_save {
                    v.push(help("Enter", tt::KEY_SAVE_CONTACT, lang));
                }
                v.push(help("F2", tt::KEY_NEW, lang));
                v.push(help("Esc", t::KEY_BACK, lang));
                v
            }
        }
    }

    fn editing_text(&self) -> bool {
        match self.step {
            Step::Info => self.picker.is_none() && self.form.editing_text(),
            Step::Confirm(_) => true,
            Step::Done { may_save, .. } => may_save,
        }
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if self.picker.is_some() {
            return self.picker_key(k);
        }
        match &self.step {
            Step::Info => {
                if keymap::is_back(k) {
                    return Outcome::nav(Nav::Pop);
                }
                if keymap::is_next_field(k) || k.code == KeyCode::Enter && !self.form.is_last() {
                    self.form.next();
                    return Outcome::none();
                }
                if keymap::is_prev_field(k) {
                    self.form.prev();
                    return Outcome::none();
                }
                let out = match k.code {
                    KeyCode::Char('s') if ctrl => return self.preview(cx),
                    KeyCode::Enter => return self.preview(cx),
                    KeyCode::F(3) => return self.open_picker(cx),
                    _ => {
                        self.form.input(k);
                        Outcome::none()
                    }
                };
                self.sync(cx);
                out
            }
            Step::Confirm(_) => {
                if keymap::is_back(k) {
                    self.secret.set_value("pay_password", "");
                    self.secret.set_value("pin", "");
                    self.step = Step::Info;
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
                match k.code {
                    KeyCode::Enter => self.submit(cx),
                    KeyCode::Char('s') if ctrl => self.submit(cx),
                    _ => {
                        self.secret.input(k);
                        Outcome::none()
                    }
                }
            }
            Step::Done { may_save, .. } => {
                let may_save = *may_save;
                if keymap::is_back(k) {
                    return Outcome::nav(Nav::Pop);
                }
                match k.code {
                    KeyCode::F(2) => {
                        self.restart(cx);
                        Outcome::none()
                    }
                    KeyCode::Enter if may_save => self.save_contact(cx),
                    _ if may_save => {
                        self.secret.input(k);
                        Outcome::none()
                    }
                    _ => Outcome::none(),
                }
            }
        }
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.store_index = usize::MAX;
        self.sync(cx);
        Outcome::none()
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let cursor = match &self.step {
            Step::Info => self.draw_info(f, area, lang),
            Step::Confirm(p) => self.draw_confirm(f, area, lang, p),
            Step::Done { sent, may_save } => self.draw_done(f, area, lang, sent, *may_save),
        };
        if let Some(p) = &self.picker {
            self.draw_picker(f, area, lang, p);
            return None;
        }
        cursor
    }
}
