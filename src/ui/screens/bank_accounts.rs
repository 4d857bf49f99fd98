//! 银行账户 (A5): a store's own bank accounts, masked (`*****0771`). `a` adds one (the name is
//! the store's, the number typed twice, the payment password); a new account is usable only
//! after another operator approves it in 我的待审核. `v` shows the full number after the payment
//! password (audited), `d` deletes one. ←→ changes the store.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::review::{AccountNature, HolderType};
use crate::service::review::{self, BankAccountInput};
use crate::service::views::BankAccountView;
use crate::service::ServiceError;
use crate::ui::action::Action;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::text::money_out as tm;
use crate::ui::text::{t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::dialog::{Dialog, DialogEvent};
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::table::{self, Column, Selection};

use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Add,
    Reveal,
    Delete,
    PrevStore,
    NextStore,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[ch('a')],
        action: Act::Add,
        help: tm::KEY_ADD,
    },
    Binding {
        keys: &[ch('v')],
        action: Act::Reveal,
        help: tm::KEY_REVEAL,
    },
    Binding {
        keys: &[ch('d')],
        action: Act::Delete,
        help: tm::KEY_DELETE,
    },
    Binding {
        keys: &[key(KeyCode::Left)],
        action: Act::PrevStore,
        help: tm::KEY_STORE_LR,
    },
    Binding {
        keys: &[key(KeyCode::Right)],
        action: Act::NextStore,
        help: tm::KEY_STORE_LR,
    },
    Binding {
        keys: crate::ui::keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

#[derive(Clone, Copy)]
enum Purpose {
    Add,
    Reveal(i64),
    Delete(i64),
}

pub struct BankAccounts {
    stores: Vec<(i64, String, String)>,
    store: usize,
    rows: Vec<BankAccountView>,
    sel: Selection,
    dialog: Option<Dialog<Purpose>>,
}

pub(super) fn store_name(s: &(i64, String, String), lang: Lang) -> String {
    if lang == Lang::Zh {
        s.1.clone()
    } else {
        s.2.clone()
    }
}

impl BankAccounts {
    pub fn open(cx: &mut Cx) -> Outcome {
        let stores = match review::stores(cx.env, cx.session) {
            Ok(s) => s,
            Err(e) => return Outcome::error(cx.error_text(&e, |k| k.to_string())),
        };
        let mut s = BankAccounts {
            stores,
            store: 0,
            rows: Vec::new(),
            sel: Selection::default(),
            dialog: None,
        };
        match s.load(cx) {
            Ok(()) => Outcome::nav(Nav::Push(Box::new(s))),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn merchant(&self) -> Option<i64> {
        self.stores.get(self.store).map(|s| s.0)
    }

    fn load(&mut self, cx: &mut Cx) -> Result<(), ServiceError> {
        if let Some(m) = self.merchant() {
            self.rows = review::bank_accounts(cx.env, cx.session, m)?;
            self.sel.clamp(self.rows.len());
        }
        Ok(())
    }

    fn field_label(&self, key: &str, lang: Lang) -> String {
        match &self.dialog {
            Some(d) => d.form.label_of(key, lang),
            None => key.to_string(),
        }
    }

    fn submit(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Some(d) = self.dialog.as_mut() else {
            return Outcome::none();
        };
        let pw = d.form.value("pay_password");
        d.form.set_value("pay_password", "");
        let purpose = d.purpose;
        let result = match purpose {
            Purpose::Add => {
                let input = BankAccountInput {
                    merchant_id: self.stores.get(self.store).map(|s| s.0).unwrap_or(0),
                    holder_type: Some(if d.form.choice("holder_type") == 0 {
                        HolderType::Company
                    } else {
                        HolderType::Personal
                    }),
                    nature: Some(if d.form.choice("nature") == 0 {
                        AccountNature::Basic
                    } else {
                        AccountNature::General
                    }),
                    bank: d.form.value("bank"),
                    province: d.form.value("province"),
                    city: d.form.value("city"),
                    branch: d.form.value("branch"),
                    account_no: d.form.value("account_no"),
                    account_no_again: d.form.value("account_no_again"),
                    pay_password: pw,
                };
                review::add_bank_account(cx.env, cx.session, &input)
                    .map(|a| tm::ADDED.get(lang).replace("{a}", &a.masked))
            }
            Purpose::Reveal(id) => review::reveal_account_no(cx.env, cx.session, id, &pw)
                .map(|n| tm::REVEALED.get(lang).replace("{n}", &n)),
            Purpose::Delete(id) => {
                let masked = self
                    .rows
                    .iter()
                    .find(|r| r.id == id)
                    .map(|r| r.masked.clone())
                    .unwrap_or_default();
                review::delete_bank_account(cx.env, cx.session, id, &pw)
                    .map(|()| tm::DELETED.get(lang).replace("{a}", &masked))
            }
        };
        match result {
            Ok(msg) => {
                self.dialog = None;
                let _ = self.load(cx);
                Outcome::ok(msg)
            }
            Err(e) => {
                let words = cx.error_text(&e, |k| self.field_label(k, lang));
                if let Some(d) = self.dialog.as_mut() {
                    d.fail(&e, lang);
                    d.error = Some(words);
                }
                Outcome::none()
            }
        }
    }
}

impl Screen for BankAccounts {
    fn title(&self) -> T {
        tm::SCR_BANK_ACCOUNTS
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        let mut v = help_lines(KEYS, lang);
        v.push(("↑↓".into(), t::KEY_MOVE.get(lang).into()));
        v
    }

    fn editing_text(&self) -> bool {
        self.dialog.is_some()
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        if let Some(d) = self.dialog.as_mut() {
            return match d.handle(k) {
                DialogEvent::Cancel => {
                    self.dialog = None;
                    Outcome::none()
                }
                DialogEvent::Submit => self.submit(cx),
                DialogEvent::None => Outcome::none(),
            };
        }
        if self.sel.handle(k, self.rows.len()) {
            return Outcome::none();
        }
        let selected = self.rows.get(self.sel.index).map(|r| r.id);
        match lookup(KEYS, k) {
            Some(Act::Shared(Action::Back)) => return Outcome::nav(Nav::Pop),
            Some(Act::PrevStore | Act::NextStore) if !self.stores.is_empty() => {
                let n = self.stores.len();
                self.store = if lookup(KEYS, k) == Some(Act::NextStore) {
                    (self.store + 1) % n
                } else {
                    (self.store + n - 1) % n
                };
                if let Err(e) = self.load(cx) {
                    return Outcome::error(cx.error_text(&e, |k| k.to_string()));
                }
            }
            Some(Act::Add) => {
                let Some(s) = self.stores.get(self.store) else {
                    return Outcome::none();
                };
                let form = Form::new(vec![
                    Field::choice("holder_type", tm::HOLDER, vec![tm::COMPANY, tm::PERSONAL]),
                    Field::choice("nature", tm::NATURE, vec![tm::BASIC, tm::GENERAL]),
                    Field::text("bank", tm::BANK),
                    Field::text("province", tm::PROVINCE),
                    Field::text("city", tm::CITY),
                    Field::text("branch", tm::BRANCH),
                    Field::text("account_no", tm::ACCOUNT_NO),
                    Field::text("account_no_again", tm::ACCOUNT_NO_AGAIN),
                    Field::secret("pay_password", tm::PAY_PASSWORD),
                ]);
                let title = format!(
                    "{} — {}",
                    tm::ADD_ACCOUNT.get(lang),
                    tm::NAME_IS_MERCHANT.get(lang).replace("{m}", &s.1)
                );
                let mut d = Dialog::new(title, form, Purpose::Add, lang);
                d.width = 90;
                self.dialog = Some(d);
            }
            Some(Act::Reveal) => {
                if let Some(id) = selected {
                    self.dialog = Some(Dialog::new(
                        tm::REVEAL.get(lang).into(),
                        Form::new(vec![Field::secret("pay_password", tm::PAY_PASSWORD)]),
                        Purpose::Reveal(id),
                        lang,
                    ));
                }
            }
            Some(Act::Delete) => {
                if let Some(id) = selected {
                    self.dialog = Some(Dialog::new(
                        tm::DELETE.get(lang).into(),
                        Form::new(vec![Field::secret("pay_password", tm::PAY_PASSWORD)]),
                        Purpose::Delete(id),
                        lang,
                    ));
                }
            }
            _ => {}
        }
        Outcome::none()
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        match self.load(cx) {
            Ok(()) => Outcome::none(),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [head, list] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(4)]).areas(area);
        let store = self
            .stores
            .get(self.store)
            .map(|s| store_name(s, lang))
            .unwrap_or_default();
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(format!("{}: ", tm::STORE.get(lang)), theme::label()),
                Span::raw(format!("◀ {store} ▶")),
            ])),
            head,
        );
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    if lang == Lang::Zh {
                        r.bank_zh.clone()
                    } else {
                        r.bank_en.clone()
                    },
                    r.branch.clone(),
                    r.masked.clone(),
                    r.account_name.clone(),
                    format!(
                        "{}/{}",
                        match r.holder_type {
                            HolderType::Company => tm::COMPANY,
                            HolderType::Personal => tm::PERSONAL,
                        }
                        .get(lang),
                        match r.nature {
                            AccountNature::Basic => tm::BASIC,
                            AccountNature::General => tm::GENERAL,
                        }
                        .get(lang)
                    ),
                    tm::account_status(r.status).get(lang).into(),
                    format_ms(r.added_ms)[..16].to_string(),
                ]
            })
            .collect();
        let col = |h: T, w: Constraint| Column {
            header: h.get(lang),
            width: w,
            right: false,
        };
        let columns = [
            col(
                tm::BANK,
                Constraint::Length(if lang == Lang::Zh { 10 } else { 24 }),
            ),
            col(tm::BRANCH, Constraint::Min(12)),
            col(tm::ACCOUNT_NO, Constraint::Length(10)),
            col(tm::ACCOUNT_NAME, Constraint::Length(20)),
            col(tm::NATURE, Constraint::Length(14)),
            col(tm::STATUS, Constraint::Length(8)),
            col(tm::ADDED_AT, Constraint::Length(16)),
        ];
        let focus = table::draw(
            f,
            list,
            &table::TableView {
                title: tm::SCR_BANK_ACCOUNTS.get(lang),
                columns: &columns,
                rows: &rows,
                dim: &[],
                selected: self.dialog.is_none().then_some(self.sel.index),
                empty: tm::NO_ACCOUNTS.get(lang),
            },
        );
        match &self.dialog {
            Some(d) => d.draw(f, area, lang),
            None => focus,
        }
    }
}
