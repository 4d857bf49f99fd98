//! 退货申请 (R2): find the original transaction by its reference number (or come from its
//! detail), see what is left to refund, and apply for a full or partial refund with a remark,
//! confirmed with the payment password.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::{format_fen, from_fen};
use crate::service::refunds::{self, RefundInput, Refundable};
use crate::service::ServiceError;
use crate::ui::keymap;
use crate::ui::text::review as tr;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form};

use super::{Cx, Nav, Outcome, Screen, View};

pub struct RefundApply {
    form: Form,
    found: Option<Refundable>,
}

impl RefundApply {
    fn blank(lang: Lang) -> RefundApply {
        let mut form = Form::new(vec![
            Field::text("rrn", t::RRN),
            Field::text("amount", tr::AMOUNT),
            Field::text("remark", tr::REMARK),
            Field::secret("pay_password", tr::PAY_PASSWORD),
        ]);
        form.fit_labels(lang);
        RefundApply { form, found: None }
    }

    pub fn open(cx: &mut Cx) -> Outcome {
        Outcome::nav(Nav::Push(Box::new(RefundApply::blank(cx.lang))))
    }

    /// From a transaction's detail: the original is already known.
    pub fn open_for_txn(cx: &mut Cx, txn_id: i64) -> Outcome {
        let mut s = RefundApply::blank(cx.lang);
        match refunds::refundable(cx.env, cx.session, txn_id) {
            Ok(r) if r.refusal().is_some() => Outcome::error(why_not(&r, cx.lang)),
            Ok(r) => {
                s.form.set_value("rrn", &r.txn.rrn);
                s.show(r);
                Outcome::nav(Nav::Push(Box::new(s)))
            }
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn show(&mut self, r: Refundable) {
        self.form
            .set_value("amount", &from_fen(r.left_fen).to_string());
        self.found = Some(r);
        self.form.focus_on("amount");
    }

    fn fail(&mut self, cx: &Cx, e: ServiceError) -> Outcome {
        let lang = cx.lang;
        if let ServiceError::Invalid { field, problem } = &e {
            self.form.mark(field, text::field_problem(problem, lang));
        }
        Outcome::error(cx.error_text(&e, |k| self.form.label_of(k, lang)))
    }

    fn find(&mut self, cx: &mut Cx) -> Outcome {
        match refunds::refundable_by_rrn(cx.env, cx.session, &self.form.value("rrn")) {
            Ok(r) if r.refusal().is_some() => {
                let why = why_not(&r, cx.lang);
                self.found = None;
                self.form.mark("rrn", why.clone());
                Outcome::error(why)
            }
            Ok(r) => {
                self.form.clear_marks();
                self.show(r);
                Outcome::none()
            }
            Err(e) => {
                self.found = None;
                self.fail(cx, e)
            }
        }
    }

    /// The amount against what is left and the quota, before the password: a refusal marks the
    /// amount and keeps the focus there.
    fn check_amount(&mut self, cx: &Cx) -> Option<Outcome> {
        let found = self.found.as_ref()?;
        match found.check_amount(&self.form.value("amount")) {
            Ok(_) => {
                self.form.clear_marks();
                None
            }
            Err(e) => {
                let lang = cx.lang;
                let words = match &e {
                    ServiceError::Invalid { problem, .. } => text::field_problem(problem, lang),
                    _ => cx.error_text(&e, |k| k.to_string()),
                };
                self.form.mark("amount", words);
                self.form.focus_on("amount");
                Some(Outcome::error(
                    cx.error_text(&e, |k| self.form.label_of(k, lang)),
                ))
            }
        }
    }

    fn apply(&mut self, cx: &mut Cx) -> Outcome {
        if self.found.is_none() {
            return self.find(cx);
        }
        if let Some(refused) = self.check_amount(cx) {
            return refused;
        }
        let Some(found) = &self.found else {
            return Outcome::none();
        };
        let input = RefundInput {
            txn_id: found.txn.id,
            amount: self.form.value("amount"),
            remark: self.form.value("remark"),
            pay_password: self.form.value("pay_password"),
            refund_order_no: None,
        };
        self.form.set_value("pay_password", "");
        match refunds::apply(cx.env, cx.session, &input) {
            Ok(row) => {
                let msg = if row.status == crate::domain::refund::RefundStatus::PendingReview {
                    tr::APPLIED_REVIEW
                } else {
                    tr::APPLIED_DIRECT
                };
                let text = msg.get(cx.lang).replace("{id}", &row.id.to_string());
                let lang = cx.lang;
                *self = RefundApply::blank(lang);
                Outcome::ok(text)
            }
            Err(e) => self.fail(cx, e),
        }
    }
}

impl Screen for RefundApply {
    fn title(&self) -> T {
        tr::SCR_APPLY
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        vec![
            ("Enter".into(), tr::KEY_FIND.get(lang).into()),
            ("Tab".into(), t::KEY_FIELDS.get(lang).into()),
            ("Ctrl+S".into(), tr::KEY_APPLY.get(lang).into()),
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
            KeyCode::Enter if self.form.focus_key() == "rrn" => self.find(cx),
            KeyCode::Enter if self.form.is_last() => self.apply(cx),
            // Leaving the amount: checked at once, so the password is asked only for an amount
            // that can go through.
            _ if self.form.focus_key() == "amount"
                && self.found.is_some()
                && (k.code == KeyCode::Enter || keymap::is_next_field(k)) =>
            {
                match self.check_amount(cx) {
                    Some(refused) => refused,
                    None => {
                        self.form.next();
                        Outcome::none()
                    }
                }
            }
            _ if k.code == KeyCode::Enter || keymap::is_next_field(k) => {
                self.form.next();
                Outcome::none()
            }
            _ if keymap::is_prev_field(k) => {
                self.form.prev();
                Outcome::none()
            }
            _ => {
                if self.form.input(k) && self.form.focus_key() == "rrn" {
                    self.found = None;
                }
                Outcome::none()
            }
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [info, form_area, hint] = Layout::vertical([
            Constraint::Length(7),
            Constraint::Length(self.form.height() + 2),
            Constraint::Min(1),
        ])
        .areas(area);
        let lines = match &self.found {
            Some(r) => original_lines(r, lang),
            None => vec![Line::from(Span::styled(
                tr::FIND_HINT.get(lang),
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
            .title(format!(" {} ", tr::SCR_APPLY.get(lang)));
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
            true,
        );
        let _ = hint;
        cursor
    }
}

/// Why the transaction cannot be refunded, in words: what it is, and the rule.
fn why_not(r: &Refundable, lang: Lang) -> String {
    match r.refusal() {
        Some(crate::service::Rule::NotRefundable) => tr::NOT_REFUNDABLE_WHY
            .get(lang)
            .replace("{type}", text::txn_type(&r.txn.txn_type).get(lang))
            .replace("{status}", text::txn_status(&r.txn.status).get(lang)),
        _ => tr::NOTHING_LEFT
            .get(lang)
            .replace("{r}", &crate::domain::money::format_fen(r.txn.refunded_fen))
            .replace("{o}", &crate::domain::money::format_fen(r.open_fen)),
    }
}

/// The original transaction as both refund forms show it (ordinary and fast): reference, time,
/// store, terminal, type, status, card, amount, refunded, under way, what is left, the refund
/// mode and the quota left.
pub(super) fn original_lines(r: &Refundable, lang: Lang) -> Vec<Line<'static>> {
    let label = |t: T| Span::styled(format!("{}: ", t.get(lang)), theme::label());
    let x = &r.txn;
    vec![
        Line::from(vec![
            label(t::RRN),
            Span::raw(format!("{}    ", x.rrn)),
            label(t::COL_TIME),
            Span::raw(format_ms(x.txn_ms)),
        ]),
        Line::from(vec![
            label(t::MERCHANT_NAME),
            Span::raw(format!("{}    ", x.merchant_name)),
            label(t::TERMINAL),
            Span::raw(x.terminal_no.clone()),
        ]),
        Line::from(vec![
            label(t::TXN_TYPE),
            Span::raw(format!("{}    ", text::txn_type(&x.txn_type).get(lang))),
            label(t::TXN_STATUS),
            Span::raw(format!("{}    ", text::txn_status(&x.status).get(lang))),
            label(t::COL_CARD),
            Span::raw(x.card_masked.clone()),
        ]),
        Line::from(vec![
            label(t::TXN_AMOUNT),
            Span::raw(format!("{}    ", format_fen(x.amount_fen))),
            label(tr::REFUNDED),
            Span::raw(format!("{}    ", format_fen(x.refunded_fen))),
            label(tr::OPEN),
            Span::raw(format_fen(r.open_fen)),
        ]),
        Line::from(vec![
            label(tr::LEFT),
            Span::styled(format!("{}    ", format_fen(r.left_fen)), theme::ok()),
            label(tr::MODE),
            Span::raw(format!(
                "{}    ",
                if r.review_mode {
                    tr::MODE_REVIEW
                } else {
                    tr::MODE_DIRECT
                }
                .get(lang)
            )),
            label(tr::QUOTA_LEFT),
            Span::raw(
                r.quota_left_fen
                    .map(format_fen)
                    .unwrap_or_else(|| tr::NO_QUOTA.get(lang).into()),
            ),
        ]),
    ]
}
