//! 提现 (A4, K §4.1.1): a withdrawal from a store to one of its approved own accounts, normal
//! (T+1) or fast, with the available balance, the fee and the amount in capitals (大写) shown
//! as the operator types; confirmed with the payment password; a reviewer decides it in
//! 我的待审核.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::domain::money::{format_fen, parse_amount};
use crate::domain::review::{amount_in_capitals, BankAccountStatus, WithdrawMethod};
use crate::service::review::{self, WithdrawInput};
use crate::service::views::{Available, BankAccountView};
use crate::service::ServiceError;
use crate::ui::text::money_out as tm;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::form::{Field, Form, Label};

use super::bank_accounts::store_name;
use super::{Cx, Nav, Outcome, Screen, View};

pub struct Withdraw {
    stores: Vec<(i64, String, String)>,
    accounts: Vec<BankAccountView>,
    available: Option<Available>,
    fee_fen: Option<i64>,
    form: Form,
    store_index: usize,
    /// Sent with the application, so the same form submitted twice is one application.
    form_key: String,
}

fn accounts_field(accounts: &[BankAccountView], lang: Lang) -> Field {
    let options = if accounts.is_empty() {
        vec![Label::T(tm::NO_WITHDRAW_ACCOUNT)]
    } else {
        accounts
            .iter()
            .map(|a| {
                Label::S(format!(
                    "{} {}: {} {}",
                    if lang == Lang::Zh {
                        &a.bank_zh
                    } else {
                        &a.bank_en
                    },
                    tm::ENDING.get(lang),
                    a.masked,
                    a.account_name
                ))
            })
            .collect()
    };
    Field::choice_of("bank_account", tm::WITHDRAW_ACCOUNT, options)
}

/// A key for one filled-in form: the same form sent twice is one application, two forms are two
/// (even within one millisecond of a virtual clock).
fn new_form_key(cx: &Cx) -> String {
    format!(
        "withdraw:{}:{}:{:016x}",
        cx.session.operator_id,
        cx.now_ms(),
        rand::random::<u64>()
    )
}

impl Withdraw {
    pub fn open(cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let stores = match review::stores(cx.env, cx.session) {
            Ok(s) => s,
            Err(e) => return Outcome::error(cx.error_text(&e, |k| k.to_string())),
        };
        let mut form = Form::new(vec![
            Field::choice_of(
                "store",
                tm::STORE,
                stores
                    .iter()
                    .map(|s| Label::S(store_name(s, lang)))
                    .collect(),
            ),
            accounts_field(&[], lang),
            Field::text("amount", tm::WITHDRAW_AMOUNT),
            Field::choice("method", tm::METHOD, vec![tm::NORMAL, tm::FAST]),
            Field::text("remark", tm::REMARK),
            Field::secret("pay_password", tm::PAY_PASSWORD),
        ]);
        // An applicant with a card bound signs the application with it.
        if crate::service::card::card_required(cx.env, cx.session.operator_id).unwrap_or(false) {
            form.fields
                .push(Field::secret("pin", tm::PIN).with_hint(tm::MAKER_CARD.get(lang)));
        }
        form.fit_labels(lang);
        let mut s = Withdraw {
            stores,
            accounts: Vec::new(),
            available: None,
            fee_fen: None,
            form,
            store_index: usize::MAX,
            form_key: new_form_key(cx),
        };
        s.sync(cx);
        Outcome::nav(Nav::Push(Box::new(s)))
    }

    fn merchant(&self) -> Option<i64> {
        self.stores.get(self.form.choice("store")).map(|s| s.0)
    }

    fn method(&self) -> WithdrawMethod {
        if self.form.choice("method") == 1 {
            WithdrawMethod::Fast
        } else {
            WithdrawMethod::Normal
        }
    }

    /// After any key: a new store reloads its accounts and balance; the fee follows the amount.
    fn sync(&mut self, cx: &mut Cx) {
        let lang = cx.lang;
        let store = self.form.choice("store");
        if store != self.store_index {
            self.store_index = store;
            if let Some(m) = self.merchant() {
                self.accounts = review::bank_accounts(cx.env, cx.session, m)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|a| a.status == BankAccountStatus::Active)
                    .collect();
                self.available = review::available(cx.env, cx.session, m).ok();
                if let Some(i) = self
                    .form
                    .fields
                    .iter()
                    .position(|f| f.key == "bank_account")
                {
                    self.form.fields[i] = accounts_field(&self.accounts, lang);
                }
                self.form.fit_labels(lang);
            }
        }
        self.fee_fen = match (self.merchant(), parse_amount(&self.form.value("amount"))) {
            (Some(m), Ok(_)) => review::quote(
                cx.env,
                cx.session,
                m,
                self.method(),
                &self.form.value("amount"),
            )
            .ok()
            .map(|q| q.fee_fen),
            _ => None,
        };
    }

    fn submit(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Some(m) = self.merchant() else {
            return Outcome::none();
        };
        let input = WithdrawInput {
            merchant_id: m,
            bank_account_id: self
                .accounts
                .get(self.form.choice("bank_account"))
                .map(|a| a.id),
            amount: self.form.value("amount"),
            method: self.method(),
            remark: self.form.value("remark"),
            pay_password: self.form.value("pay_password"),
            idempotency_key: Some(self.form_key.clone()),
            pin: Some(self.form.value("pin")).filter(|p| !p.is_empty()),
        };
        self.form.set_value("pay_password", "");
        self.form.set_value("pin", "");
        match review::apply_withdrawal(cx.env, cx.session, &input) {
            Ok(app) => {
                self.form.set_value("amount", "");
                self.form.set_value("remark", "");
                self.form.clear_marks();
                self.form.focus_on("amount");
                self.form_key = new_form_key(cx);
                self.store_index = usize::MAX;
                self.sync(cx);
                Outcome::ok(tm::SUBMITTED.get(lang).replace("{o}", &app.order_no))
            }
            Err(crate::service::card::CardServiceError::Service(e)) => self.fail(cx, e),
            Err(e) => Outcome::error(text::card_error(&e, lang)),
        }
    }

    fn fail(&mut self, cx: &Cx, e: ServiceError) -> Outcome {
        let lang = cx.lang;
        if let ServiceError::Invalid { field, problem } = &e {
            self.form.mark(field, text::field_problem(problem, lang));
        }
        Outcome::error(cx.error_text(&e, |k| self.form.label_of(k, lang)))
    }
}

impl Screen for Withdraw {
    fn title(&self) -> T {
        tm::SCR_WITHDRAW
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        vec![
            ("Tab".into(), t::KEY_FIELDS.get(lang).into()),
            ("←→ Space".into(), t::KEY_OPTION.get(lang).into()),
            ("Ctrl+S".into(), t::KEY_SUBMIT.get(lang).into()),
            ("Esc".into(), t::KEY_BACK.get(lang).into()),
        ]
    }

    fn editing_text(&self) -> bool {
        true
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        if crate::ui::keymap::is_back(k) {
            return Outcome::nav(Nav::Pop);
        }
        // Tab/Down and Shift+Tab/Up move between the fields; Enter too, until the last.
        if crate::ui::keymap::is_next_field(k) || k.code == KeyCode::Enter && !self.form.is_last() {
            self.form.next();
            return Outcome::none();
        }
        if crate::ui::keymap::is_prev_field(k) {
            self.form.prev();
            return Outcome::none();
        }
        let out = match k.code {
            KeyCode::Char('s') if ctrl => return self.submit(cx),
            KeyCode::Enter => return self.submit(cx),
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
        let [info, form_area, hint] = Layout::vertical([
            Constraint::Length(5),
            Constraint::Length(self.form.height() + 2),
            Constraint::Min(1),
        ])
        .areas(area);
        let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
        let amount = parse_amount(&self.form.value("amount")).ok();
        let capitals = amount.map(amount_in_capitals).unwrap_or_default();
        let fee = self.fee_fen.unwrap_or(0);
        let lines = vec![
            Line::from(vec![
                label(tm::AVAILABLE),
                Span::styled(
                    self.available
                        .map(|a| format_fen(a.available_fen))
                        .unwrap_or_default(),
                    theme::ok(),
                ),
                Span::raw("    "),
                label(tm::LEDGER_BALANCE),
                Span::raw(
                    self.available
                        .map(|a| format_fen(a.ledger_fen))
                        .unwrap_or_default(),
                ),
            ]),
            Line::from(vec![label(tm::CAPITALS), Span::raw(capitals)]),
            Line::from(vec![
                label(tm::FEE_LABEL),
                Span::raw(format!("{}    ", format_fen(fee))),
                label(tm::TOTAL),
                Span::raw(amount.map(|a| format_fen(a + fee)).unwrap_or_default()),
            ]),
        ];
        f.render_widget(
            Paragraph::new(lines).block(Block::default().borders(Borders::ALL)),
            info,
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .title(format!(" {} ", tm::SCR_WITHDRAW.get(lang)));
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
        f.render_widget(
            Paragraph::new(Span::styled(tm::WITHDRAW_HINT.get(lang), theme::dim())),
            hint,
        );
        cursor
    }
}
