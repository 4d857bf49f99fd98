//! 快速退货 (F2): find the original by its reference or order number, see what is left and
//! whether (and why not) it may be refunded fast, then the cardholder's details, the card number
//! typed again (checked against the original's mask, never stored), the payment password and,
//! where a USB key is bound, its PIN. The store's refund mode decides whether it waits for
//! review; the service holds the money and checks everything again.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::domain::fast_refund::{FastRefundStatus, IdType};
use crate::domain::money::{format_fen, from_fen};
use crate::service::card::CardServiceError;
use crate::service::fast_refund::{self, FastRefundInput, HolderInput, Original};
use crate::service::ServiceError;
use crate::ui::keymap;
use crate::ui::text::fast_refund as tf;
use crate::ui::text::review as tr;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};

use super::{Cx, Nav, Outcome, Screen, View};

pub struct FastRefundApply {
    form: Form,
    found: Option<Original>,
    with_pin: bool,
}

const ID_TYPES: [IdType; 5] = [
    IdType::ResidentId,
    IdType::Passport,
    IdType::HkMacau,
    IdType::Taiwan,
    IdType::Other,
];

fn id_type_word(i: IdType) -> T {
    crate::ui::text::words::word(crate::ui::text::words::ID_TYPE, i.code())
}

impl FastRefundApply {
    /// The form; the PIN is asked only of an operator with a USB key bound (so the form fits
    /// 80×24 under the original's five lines).
    fn blank(lang: Lang, with_pin: bool) -> FastRefundApply {
        let mut fields = vec![
            Field::text("reference", tf::REFERENCE),
            Field::text("amount", tr::AMOUNT),
            Field::text("holder_name", tf::HOLDER),
            Field::choice("id_type", tf::ID_TYPE, ID_TYPES.map(id_type_word).to_vec()),
            Field::text("id_number", tf::ID_NUMBER),
            Field::text("bank", tf::BANK),
            Field::text("province", tf::PROVINCE),
            Field::text("city", tf::CITY),
            Field::text("branch", tf::BRANCH),
            Field::secret("card_number", tf::CARD_AGAIN),
            Field::text("remark", tr::REMARK),
            Field::secret("pay_password", tr::PAY_PASSWORD),
        ];
        if with_pin {
            fields.push(Field::secret("pin", tf::PIN));
        }
        let mut form = Form::new(fields);
        form.fit_labels(lang);
        FastRefundApply {
            form,
            found: None,
            with_pin,
        }
    }

    fn card_bound(cx: &Cx) -> bool {
        // Unknown counts as bound: the PIN field is offered, the service decides.
        crate::service::card::card_required(cx.env, cx.session.operator_id).unwrap_or(true)
    }

    pub fn open(cx: &mut Cx) -> Outcome {
        let with_pin = Self::card_bound(cx);
        Outcome::nav(Nav::Push(Box::new(FastRefundApply::blank(
            cx.lang, with_pin,
        ))))
    }

    fn fail(&mut self, cx: &Cx, e: ServiceError) -> Outcome {
        let lang = cx.lang;
        if let ServiceError::Invalid { field, problem } = &e {
            self.form.mark(field, text::field_problem(problem, lang));
            self.form.focus_on(field);
        }
        Outcome::error(cx.error_text(&e, |k| self.form.label_of(k, lang)))
    }

    /// The original, and why it may not be refunded fast (then nothing more is asked).
    fn find(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        match fast_refund::original_by_reference(cx.env, cx.session, &self.form.value("reference"))
        {
            Ok(o) => {
                self.form.clear_marks();
                let why = if !o.fast_refund_enabled {
                    Some(tf::STORE_OFF.get(lang).to_string())
                } else {
                    o.ineligible.map(|i| {
                        match lang {
                            Lang::Zh => i.zh(),
                            Lang::En => i.en(),
                        }
                        .to_string()
                    })
                };
                if let Some(why) = why {
                    self.found = None;
                    self.form.mark("reference", why.clone());
                    return Outcome::error(why);
                }
                self.form
                    .set_value("amount", &from_fen(o.refundable.left_fen).to_string());
                self.found = Some(o);
                self.form.focus_on("amount");
                Outcome::none()
            }
            Err(e) => {
                self.found = None;
                self.fail(cx, e)
            }
        }
    }

    fn apply(&mut self, cx: &mut Cx) -> Outcome {
        let Some(found) = &self.found else {
            return self.find(cx);
        };
        let id_type = ID_TYPES[self.form.choice("id_type").min(ID_TYPES.len() - 1)];
        let input = FastRefundInput {
            txn_id: found.refundable.txn.id,
            amount: self.form.value("amount"),
            bank: self.form.value("bank"),
            card_number: self.form.value("card_number"),
            holder: HolderInput {
                holder_name: self.form.value("holder_name"),
                id_type: id_type.code().to_string(),
                id_number: self.form.value("id_number"),
                province: self.form.value("province"),
                city: self.form.value("city"),
                branch: self.form.value("branch"),
                remark: self.form.value("remark"),
            },
            order_no: String::new(),
        };
        let pay = self.form.value("pay_password");
        let pin = if self.with_pin {
            self.form.value("pin")
        } else {
            String::new()
        };
        // Secrets never stay on screen after an attempt.
        self.form.set_value("pay_password", "");
        if self.with_pin {
            self.form.set_value("pin", "");
        }
        self.form.set_value("card_number", "");
        let pin = (!pin.is_empty()).then_some(pin);
        match fast_refund::apply(cx.env, cx.session, &input, &pay, pin.as_deref()) {
            Ok(row) => {
                let msg = if row.status == FastRefundStatus::PendingReview {
                    tf::APPLIED_REVIEW
                } else {
                    tf::APPLIED_PROCESSING
                };
                let text = msg
                    .get(cx.lang)
                    .replace("{order}", &row.order_no)
                    .replace("{amount}", &format_fen(row.amount_fen));
                let lang = cx.lang;
                *self = FastRefundApply::blank(lang, self.with_pin);
                Outcome::ok(text)
            }
            Err(CardServiceError::Service(e)) => self.fail(cx, e),
            Err(e) => Outcome::error(text::card_error(&e, cx.lang)),
        }
    }
}

impl Screen for FastRefundApply {
    fn title(&self) -> T {
        tf::SCR_APPLY
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        vec![
            ("Enter".into(), tr::KEY_FIND.get(lang).into()),
            ("Tab".into(), t::KEY_FIELDS.get(lang).into()),
            ("Ctrl+S".into(), tf::KEY_APPLY.get(lang).into()),
            (tf::BANK.get(lang).into(), tf::BANK_HINT.get(lang).into()),
            ("Esc".into(), t::KEY_BACK.get(lang).into()),
        ]
    }

    fn editing_text(&self) -> bool {
        true
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let ctrl = k
            .modifiers
            .contains(crossterm::event::KeyModifiers::CONTROL);
        match k.code {
            _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
            KeyCode::Char('s') if ctrl => self.apply(cx),
            KeyCode::Enter if self.form.focus_key() == "reference" => self.find(cx),
            KeyCode::Enter if self.form.is_last() => self.apply(cx),
            _ if k.code == KeyCode::Enter || keymap::is_next_field(k) => {
                self.form.next();
                Outcome::none()
            }
            _ if keymap::is_prev_field(k) => {
                self.form.prev();
                Outcome::none()
            }
            _ => {
                if self.form.input(k) && self.form.focus_key() == "reference" {
                    self.found = None;
                }
                Outcome::none()
            }
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [info, form_area] = Layout::vertical([
            Constraint::Length(7),
            Constraint::Min(self.form.height() + 2),
        ])
        .areas(area);
        let lines = match &self.found {
            Some(o) => super::refund_apply::original_lines(&o.refundable, lang),
            None => vec![Line::from(Span::styled(
                tf::FIND_HINT.get(lang),
                theme::dim(),
            ))],
        };
        f.render_widget(
            Paragraph::new(lines).block(
                Block::default()
                    .borders(Borders::ALL)
                    .title(format!(" {} ", tr::ORIGINAL.get(lang))),
            ),
            info,
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", tf::SCR_APPLY.get(lang)));
        let inner = block.inner(form_area);
        f.render_widget(block, form_area);
        self.form.draw(
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
}

/// An exception (异常) put right (F4): the cardholder's details corrected and the card number
/// typed again, then sent again (at most three times); or the fast refund cancelled, which
/// credits the money back and frees the refundable amount and the quota. Both with the payment
/// password; the service checks everything again.
pub struct FastRefundFix {
    id: i64,
    order_no: String,
    reason: String,
    cancel: bool,
    form: Form,
}

impl FastRefundFix {
    /// Resubmission of `row`: its details as they were, the card number and the place typed again.
    pub fn resubmit(cx: &mut Cx, row: &crate::service::views::FastRefundRow) -> Outcome {
        let mut form = Form::new(vec![
            Field::text("holder_name", tf::HOLDER),
            Field::choice("id_type", tf::ID_TYPE, ID_TYPES.map(id_type_word).to_vec()),
            Field::text("id_number", tf::ID_NUMBER),
            Field::text("province", tf::PROVINCE),
            Field::text("city", tf::CITY),
            Field::text("branch", tf::BRANCH),
            Field::secret("card_number", tf::CARD_AGAIN),
            Field::text("remark", tr::REMARK),
            Field::secret("pay_password", tr::PAY_PASSWORD),
        ]);
        form.fit_labels(cx.lang);
        form.set_value("holder_name", &row.holder_name);
        form.set_choice(
            "id_type",
            ID_TYPES.iter().position(|t| *t == row.id_type).unwrap_or(0),
        );
        form.set_value("id_number", &row.id_number);
        form.set_value("branch", &row.branch);
        form.set_value("remark", &row.remark);
        // The place as stored, to correct rather than type again.
        if let Ok(d) = fast_refund::detail(cx.env, cx.session, row.id) {
            if let Some((province, city)) = d.place {
                form.set_value("province", &province);
                form.set_value("city", &city);
            }
        }
        form.focus_on("province");
        Outcome::nav(Nav::Push(Box::new(FastRefundFix {
            id: row.id,
            order_no: row.order_no.clone(),
            reason: reason_of(row),
            cancel: false,
            form,
        })))
    }

    /// Cancelling `row`: the payment password only.
    pub fn cancel(cx: &mut Cx, row: &crate::service::views::FastRefundRow) -> Outcome {
        let mut form = Form::new(vec![Field::secret("pay_password", tr::PAY_PASSWORD)]);
        form.fit_labels(cx.lang);
        Outcome::nav(Nav::Push(Box::new(FastRefundFix {
            id: row.id,
            order_no: row.order_no.clone(),
            reason: reason_of(row),
            cancel: true,
            form,
        })))
    }

    fn save(&mut self, cx: &mut Cx) -> Outcome {
        let pay = self.form.value("pay_password");
        self.form.set_value("pay_password", "");
        let result = if self.cancel {
            fast_refund::cancel(cx.env, cx.session, self.id, &pay)
        } else {
            let card = self.form.value("card_number");
            self.form.set_value("card_number", "");
            let id_type = ID_TYPES[self.form.choice("id_type").min(ID_TYPES.len() - 1)];
            let holder = HolderInput {
                holder_name: self.form.value("holder_name"),
                id_type: id_type.code().to_string(),
                id_number: self.form.value("id_number"),
                province: self.form.value("province"),
                city: self.form.value("city"),
                branch: self.form.value("branch"),
                remark: self.form.value("remark"),
            };
            fast_refund::resubmit(cx.env, cx.session, self.id, &holder, &card, &pay)
        };
        let lang = cx.lang;
        match result {
            Ok(row) => {
                let words = if self.cancel {
                    tf::CANCELLED
                } else {
                    tf::RESUBMITTED
                };
                Outcome::nav(Nav::Pop).with_message(
                    words
                        .get(lang)
                        .replace("{order}", &row.order_no)
                        .replace("{n}", &row.submissions.to_string()),
                    true,
                )
            }
            Err(e) => {
                if let ServiceError::Invalid { field, problem } = &e {
                    self.form.mark(field, text::field_problem(problem, lang));
                    self.form.focus_on(field);
                }
                Outcome::error(cx.error_text(&e, |k| self.form.label_of(k, lang)))
            }
        }
    }
}

fn reason_of(row: &crate::service::views::FastRefundRow) -> String {
    match &row.reason_code {
        Some(c) => format!("{c} {}", row.reason_text),
        None => String::new(),
    }
}

impl Screen for FastRefundFix {
    fn title(&self) -> T {
        if self.cancel {
            tf::SCR_CANCEL
        } else {
            tf::SCR_RESUBMIT
        }
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        vec![
            ("Tab".into(), t::KEY_FIELDS.get(lang).into()),
            ("Ctrl+S".into(), self.title().get(lang).into()),
            ("Esc".into(), t::KEY_BACK.get(lang).into()),
        ]
    }

    fn editing_text(&self) -> bool {
        true
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let ctrl = k
            .modifiers
            .contains(crossterm::event::KeyModifiers::CONTROL);
        match k.code {
            _ if keymap::is_back(k) => Outcome::nav(Nav::Pop),
            KeyCode::Char('s') if ctrl => self.save(cx),
            KeyCode::Enter if self.form.is_last() => self.save(cx),
            _ if k.code == KeyCode::Enter || keymap::is_next_field(k) => {
                self.form.next();
                Outcome::none()
            }
            _ if keymap::is_prev_field(k) => {
                self.form.prev();
                Outcome::none()
            }
            _ => {
                self.form.input(k);
                Outcome::none()
            }
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [info, form_area] = Layout::vertical([
            Constraint::Length(4),
            Constraint::Min(self.form.height() + 2),
        ])
        .areas(area);
        let label = |t: T| Span::styled(format!("{}: ", t.get(lang)), theme::label());
        f.render_widget(
            Paragraph::new(vec![
                Line::from(vec![label(tf::ORDER_NO), Span::raw(self.order_no.clone())]),
                Line::from(vec![
                    label(tf::REASON),
                    Span::styled(self.reason.clone(), theme::error()),
                ]),
            ])
            .block(Block::default().borders(Borders::ALL)),
            info,
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", self.title().get(lang)));
        let inner = block.inner(form_area);
        f.render_widget(block, form_area);
        self.form.draw(
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
}
