//! 付款设置 (money-out settings, administrators): per store (←→), whether an operator holding
//! both the apply and the review functions may approve their own application (off by default,
//! shown with K's warning 「我们不建议这么设置」), the payout fee of every kind (rate, fixed part,
//! minimum, cap; data, default zero), the withdrawal limits (single and daily) and the
//! merchant's fast refund agreement. `s` changes the self-approval setting, Enter edits the
//! selected fee, `l` the limits, `f` the fast refund switch (with the payment password); every
//! change is audited with its before and after.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use crate::domain::money::format_fen;
use crate::domain::review::{PayoutFee, PayoutFeeKind};
use crate::excel::CellValue;
use crate::service::payout_settings::{self, FeeInput, PayoutSettings};
use crate::service::review;
use crate::service::ServiceError;
use crate::ui::action::Action;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::list::{self, Col, Kind, ListSpec, ListView, Show, Width};
use crate::ui::text::money_out as tm;
use crate::ui::text::{t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::dialog::{Dialog, DialogEvent};
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::table::Selection;

use super::bank_accounts::store_name;
use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    EditFee,
    SelfApproval,
    Limits,
    FastRefund,
    PrevStore,
    NextStore,
    /// One of the shared vocabulary's actions (Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Enter), ch('e')],
        action: Act::EditFee,
        help: tm::KEY_EDIT_FEE,
    },
    Binding {
        keys: &[ch('s')],
        action: Act::SelfApproval,
        help: tm::KEY_SELF,
    },
    Binding {
        keys: &[ch('l')],
        action: Act::Limits,
        help: tm::KEY_LIMITS,
    },
    Binding {
        keys: &[ch('f')],
        action: Act::FastRefund,
        help: tm::KEY_FAST_REFUND,
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

type FeeRow = (PayoutFeeKind, PayoutFee);

fn rate_of(f: &PayoutFee) -> String {
    // ppm → percent with up to four decimals, exactly.
    let d = rust_decimal::Decimal::new(f.rate_ppm, 4).normalize();
    d.to_string()
}

fn opt_fen(v: Option<i64>) -> String {
    v.map(format_fen).unwrap_or_default()
}

static FEE_LIST: ListSpec<FeeRow> = ListSpec { cols: FEE_COLS };

const FEE_COLS: &[Col<FeeRow>] = &[
    Col {
        header: tm::FEE_KIND,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, lang| tm::fee_kind(r.0).get(lang).to_string(),
        value: |r, lang| CellValue::text(tm::fee_kind(r.0).get(lang)),
    },
    Col {
        header: tm::RATE,
        kind: Kind::Count,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| rate_of(&r.1),
        value: |r, _| CellValue::text(rate_of(&r.1)),
    },
    Col {
        header: tm::FIXED,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| format_fen(r.1.fixed_fen),
        value: |r, _| CellValue::Money(r.1.fixed_fen),
    },
    Col {
        header: tm::MIN_FEE,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| opt_fen(r.1.min_fen),
        value: |r, _| CellValue::text(opt_fen(r.1.min_fen)),
    },
    Col {
        header: tm::CAP_FEE,
        kind: Kind::Money,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |r, _| opt_fen(r.1.cap_fen),
        value: |r, _| CellValue::text(opt_fen(r.1.cap_fen)),
    },
];

#[derive(Clone, Copy)]
enum Purpose {
    Fee(PayoutFeeKind),
    SelfApproval,
    Limits,
    FastRefund,
}

pub struct PayoutSettingsScreen {
    stores: Vec<(i64, String, String)>,
    store: usize,
    settings: Option<PayoutSettings>,
    sel: Selection,
    dialog: Option<Dialog<Purpose>>,
}

impl PayoutSettingsScreen {
    pub fn open(cx: &mut Cx) -> Outcome {
        let stores = match review::stores(cx.env, cx.session) {
            Ok(s) => s,
            Err(e) => return Outcome::error(cx.error_text(&e, |k| k.to_string())),
        };
        let mut s = PayoutSettingsScreen {
            stores,
            store: 0,
            settings: None,
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
            self.settings = Some(payout_settings::get(cx.env, cx.session, m)?);
        }
        Ok(())
    }

    fn fees(&self) -> &[FeeRow] {
        self.settings.as_ref().map(|s| &s.fees[..]).unwrap_or(&[])
    }

    fn submit(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let merchant = self.merchant();
        let (Some(d), Some(m)) = (self.dialog.as_mut(), merchant) else {
            return Outcome::none();
        };
        d.form.clear_marks();
        let result: Result<String, ServiceError> = match d.purpose {
            Purpose::Fee(kind) => payout_settings::set_fee(
                cx.env,
                cx.session,
                m,
                kind,
                &FeeInput {
                    rate_percent: d.form.value("rate"),
                    fixed: d.form.value("fixed"),
                    min: d.form.value("min"),
                    cap: d.form.value("cap"),
                },
            )
            .map(|_| {
                tm::FEE_SAVED
                    .get(lang)
                    .replace("{k}", tm::fee_kind(kind).get(lang))
            }),
            Purpose::SelfApproval => {
                let on = d.form.choice("on") == 1;
                review::set_allow_self_approval(cx.env, cx.session, m, on).map(|()| {
                    tm::SELF_SAVED
                        .get(lang)
                        .replace("{v}", if on { tm::ON } else { tm::OFF }.get(lang))
                })
            }
            Purpose::Limits => payout_settings::set_withdraw_limits(
                cx.env,
                cx.session,
                m,
                &d.form.value("single"),
                &d.form.value("daily"),
            )
            .map(|_| tm::LIMITS_SAVED.get(lang).to_string()),
            Purpose::FastRefund => {
                let on = d.form.choice("on") == 1;
                let pay = d.form.value("pay_password");
                d.form.set_value("pay_password", "");
                crate::service::fast_refund::set_enabled(cx.env, cx.session, m, on, &pay).map(
                    |()| {
                        tm::FAST_REFUND_SAVED.get(lang).replace(
                            "{v}",
                            if on {
                                tm::FAST_REFUND_ON
                            } else {
                                tm::FAST_REFUND_OFF
                            }
                            .get(lang),
                        )
                    },
                )
            }
        };
        match result {
            Ok(msg) => {
                self.dialog = None;
                let _ = self.load(cx);
                Outcome::ok(msg)
            }
            Err(e) => {
                if let Some(d) = self.dialog.as_mut() {
                    d.fail(&e, lang);
                }
                Outcome::none()
            }
        }
    }
}

impl Screen for PayoutSettingsScreen {
    fn title(&self) -> T {
        tm::SCR_PAYOUT_SETTINGS
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
        if self.sel.handle(k, self.fees().len()) {
            return Outcome::none();
        }
        let Some(s) = self.settings.clone() else {
            return match lookup(KEYS, k) {
                Some(Act::Shared(Action::Back)) => Outcome::nav(Nav::Pop),
                _ => Outcome::none(),
            };
        };
        match lookup(KEYS, k) {
            Some(Act::Shared(Action::Back)) => return Outcome::nav(Nav::Pop),
            Some(a @ (Act::PrevStore | Act::NextStore)) => {
                let n = self.stores.len().max(1);
                self.store = if a == Act::NextStore {
                    (self.store + 1) % n
                } else {
                    (self.store + n - 1) % n
                };
                if let Err(e) = self.load(cx) {
                    return Outcome::error(cx.error_text(&e, |k| k.to_string()));
                }
            }
            Some(Act::EditFee) => {
                if let Some((kind, fee)) = s.fees.get(self.sel.index).copied() {
                    let mut form = Form::new(vec![
                        Field::text("rate", tm::RATE),
                        Field::text("fixed", tm::FIXED),
                        Field::text("min", tm::MIN_FEE).with_hint(tm::BLANK_IS_NONE.get(lang)),
                        Field::text("cap", tm::CAP_FEE).with_hint(tm::BLANK_IS_NONE.get(lang)),
                    ]);
                    form.set_value("rate", &rate_of(&fee));
                    form.set_value("fixed", &format_fen(fee.fixed_fen));
                    form.set_value("min", &opt_fen(fee.min_fen));
                    form.set_value("cap", &opt_fen(fee.cap_fen));
                    self.dialog = Some(Dialog::new(
                        tm::EDIT_FEE
                            .get(lang)
                            .replace("{k}", tm::fee_kind(kind).get(lang)),
                        form,
                        Purpose::Fee(kind),
                        lang,
                    ));
                }
            }
            Some(Act::SelfApproval) => {
                let mut form = Form::new(vec![Field::choice(
                    "on",
                    tm::SELF_APPROVAL,
                    vec![tm::OFF, tm::ON],
                )]);
                form.set_choice("on", s.allow_self_approval as usize);
                let mut d = Dialog::new(
                    tm::SELF_APPROVAL.get(lang).into(),
                    form,
                    Purpose::SelfApproval,
                    lang,
                );
                d.width = 100;
                d.note = vec![tm::SELF_APPROVAL_WARNING.get(lang).into()];
                self.dialog = Some(d);
            }
            Some(Act::Limits) => {
                let mut form = Form::new(vec![
                    Field::text("single", tm::SINGLE_LIMIT).with_hint(tm::BLANK_IS_NONE.get(lang)),
                    Field::text("daily", tm::DAILY_LIMIT).with_hint(tm::BLANK_IS_NONE.get(lang)),
                ]);
                form.set_value("single", &opt_fen(s.withdraw_single_fen));
                form.set_value("daily", &opt_fen(s.withdraw_daily_fen));
                self.dialog = Some(Dialog::new(
                    tm::LIMITS.get(lang).into(),
                    form,
                    Purpose::Limits,
                    lang,
                ));
            }
            Some(Act::FastRefund) => {
                let mut form = Form::new(vec![
                    Field::choice(
                        "on",
                        tm::FAST_REFUND,
                        vec![tm::FAST_REFUND_OFF, tm::FAST_REFUND_ON],
                    ),
                    Field::secret("pay_password", crate::ui::text::review::PAY_PASSWORD),
                ]);
                form.set_choice("on", s.fast_refund_enabled as usize);
                let mut d = Dialog::new(
                    tm::FAST_REFUND.get(lang).into(),
                    form,
                    Purpose::FastRefund,
                    lang,
                );
                d.width = 100;
                d.note = vec![tm::FAST_REFUND_NOTE.get(lang).into()];
                self.dialog = Some(d);
            }
            Some(Act::Shared(_)) | None => {}
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
        let [head, body] =
            Layout::vertical([Constraint::Length(7), Constraint::Min(4)]).areas(area);
        let store = self
            .stores
            .get(self.store)
            .map(|s| store_name(s, lang))
            .unwrap_or_default();
        let label = |x: T| Span::styled(format!("{}: ", x.get(lang)), theme::label());
        let limit = |v: Option<i64>| {
            v.map(format_fen)
                .unwrap_or_else(|| tm::NO_LIMIT.get(lang).into())
        };
        let mut lines = vec![Line::from(vec![
            label(tm::STORE),
            Span::raw(format!("◀ {store} ▶")),
        ])];
        if let Some(s) = &self.settings {
            lines.push(Line::from(vec![
                label(tm::SELF_APPROVAL),
                if s.allow_self_approval {
                    Span::styled(tm::ON.get(lang), theme::error())
                } else {
                    Span::raw(tm::OFF.get(lang))
                },
            ]));
            lines.push(Line::from(Span::styled(
                tm::SELF_APPROVAL_WARNING.get(lang),
                theme::dim(),
            )));
            lines.push(Line::from(vec![
                label(tm::SINGLE_LIMIT),
                Span::raw(format!("{}    ", limit(s.withdraw_single_fen))),
                label(tm::DAILY_LIMIT),
                Span::raw(limit(s.withdraw_daily_fen)),
            ]));
            lines.push(Line::from(vec![
                label(tm::FAST_REFUND),
                Span::raw(
                    if s.fast_refund_enabled {
                        tm::FAST_REFUND_ON
                    } else {
                        tm::FAST_REFUND_OFF
                    }
                    .get(lang),
                ),
            ]));
        }
        f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), head);
        let focus = list::draw(
            f,
            body,
            &ListView {
                spec: &FEE_LIST,
                rows: self.fees(),
                totals: None,
                selected: self.dialog.is_none().then_some(self.sel.index),
                cursor: self.sel.index,
                dim: |_| false,
                lang,
                empty: "",
                title: Some(tm::FEES.get(lang)),
                sort: None,
            },
        );
        match &self.dialog {
            Some(d) => d.draw(f, area, lang),
            None => focus,
        }
    }
}
