//! 操作员管理 (SY2): the operators with their roles, scope and state; add, edit, disable and
//! enable, reset the login password, set the payment password, unlock.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Position, Rect};
use ratatui::Frame;

use crate::service::admin::{self, OperatorInput, OperatorView};
use crate::service::card;
use crate::ui::action::Action;
use crate::ui::keymap;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::text::admin as ta;
use crate::ui::text::card as tc;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::widgets::dialog::{Dialog, DialogEvent};
use crate::ui::widgets::form::{Field, Form, Label};
use crate::ui::widgets::table::{self, Column, Selection};

use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Add,
    Edit,
    Toggle,
    ResetPassword,
    PayPassword,
    Unlock,
    BindCard,
    UnbindCard,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[ch('a')],
        action: Act::Add,
        help: ta::KEY_ADD,
    },
    Binding {
        keys: &[key(KeyCode::Enter), ch('e')],
        action: Act::Edit,
        help: ta::KEY_EDIT,
    },
    Binding {
        keys: &[ch('d')],
        action: Act::Toggle,
        help: ta::KEY_TOGGLE_ACTIVE,
    },
    Binding {
        keys: &[ch('r')],
        action: Act::ResetPassword,
        help: ta::KEY_RESET_PASSWORD,
    },
    Binding {
        keys: &[ch('p')],
        action: Act::PayPassword,
        help: ta::KEY_PAY_PASSWORD,
    },
    Binding {
        keys: &[ch('u')],
        action: Act::Unlock,
        help: ta::KEY_UNLOCK,
    },
    Binding {
        keys: &[ch('b')],
        action: Act::BindCard,
        help: ta::KEY_BIND_CARD,
    },
    Binding {
        keys: &[ch('n')],
        action: Act::UnbindCard,
        help: ta::KEY_UNBIND_CARD,
    },
    Binding {
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

enum Purpose {
    Add,
    Edit(i64),
    ResetPassword(i64),
    PayPassword(i64),
    UnbindCard(i64),
    /// Disabling asks first, with a summary of the operator.
    Disable(i64),
    BindCard(i64),
    SetupCard(i64),
}

/// Card work running on a worker thread (a key may wait seconds for its touch): the screen
/// keeps drawing and polls on its ticks.
enum CardWork {
    Bind(i64, CardJob<Result<CardIdentity, CardError>>),
    SetupAndBind(i64, CardJob<SetupOutcome>),
}

use crate::service::card::{CardError, CardIdentity, CardJob, SetupOutcome};

pub struct Operators {
    work: Option<CardWork>,
    rows: Vec<OperatorView>,
    roles: Vec<(i64, String, String)>,
    groups: Vec<(i64, String)>,
    sel: Selection,
    dialog: Option<Dialog<Purpose>>,
}

impl Operators {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut s = Operators {
            work: None,
            rows: Vec::new(),
            roles: Vec::new(),
            groups: Vec::new(),
            sel: Selection::default(),
            dialog: None,
        };
        match s.load(cx) {
            Ok(()) => Outcome::nav(Nav::Push(Box::new(s))),
            Err(o) => o,
        }
    }

    fn load(&mut self, cx: &mut Cx) -> Result<(), Outcome> {
        let err = |cx: &Cx, e| Outcome::error(cx.error_text(&e, |k| k.to_string()));
        self.rows = admin::operators(cx.env, cx.session).map_err(|e| err(cx, e))?;
        self.roles = admin::role_choices(cx.env, cx.session).map_err(|e| err(cx, e))?;
        self.groups = admin::group_choices(cx.env, cx.session).map_err(|e| err(cx, e))?;
        self.sel.clamp(self.rows.len());
        Ok(())
    }

    fn role_labels(&self, lang: Lang) -> Vec<Label> {
        self.roles
            .iter()
            .map(|(_, zh, en)| {
                Label::S(if lang == Lang::Zh {
                    zh.clone()
                } else {
                    en.clone()
                })
            })
            .collect()
    }

    fn form(&self, lang: Lang, op: Option<&OperatorView>) -> Form {
        let mut fields = Vec::new();
        if op.is_none() {
            fields.push(Field::text("login", ta::LOGIN));
        }
        fields.push(Field::text("display_name", ta::DISPLAY_NAME));
        if op.is_none() {
            fields.push(Field::secret("password", ta::INITIAL_PASSWORD));
            fields.push(
                Field::secret("pay_password", ta::INITIAL_PAY_PASSWORD)
                    .with_hint(ta::OPTIONAL.get(lang)),
            );
        }
        let role_checks = self
            .roles
            .iter()
            .map(|(id, _, _)| op.is_some_and(|o| o.role_ids.contains(id)))
            .collect();
        fields.push(Field::multi(
            "roles",
            ta::ROLES,
            self.role_labels(lang),
            role_checks,
        ));
        let scope_checks = self
            .groups
            .iter()
            .map(|(id, _)| op.is_some_and(|o| o.scope.as_ref().is_some_and(|s| s.contains(id))))
            .collect();
        fields.push(
            Field::multi(
                "scope",
                ta::SCOPE,
                self.groups
                    .iter()
                    .map(|(_, n)| Label::S(n.clone()))
                    .collect(),
                scope_checks,
            )
            .with_hint(ta::SCOPE_HINT.get(lang)),
        );
        let mut form = Form::new(fields);
        if let Some(o) = op {
            form.set_value("display_name", &o.display_name);
        }
        form
    }
}

/// What the operator form says, with ticked roles and groups turned into their ids.
fn input_from(
    form: &Form,
    all_roles: &[(i64, String, String)],
    groups: &[(i64, String)],
) -> OperatorInput {
    {
        let roles = form.checked("roles");
        let scope = form.checked("scope");
        let scope_ids: Vec<i64> = groups
            .iter()
            .zip(&scope)
            .filter(|(_, c)| **c)
            .map(|((id, _), _)| *id)
            .collect();
        OperatorInput {
            login: form.value("login"),
            display_name: form.value("display_name"),
            password: form.value("password"),
            pay_password: form.value("pay_password"),
            role_ids: all_roles
                .iter()
                .zip(&roles)
                .filter(|(_, c)| **c)
                .map(|((id, _, _), _)| *id)
                .collect(),
            scope: (!scope_ids.is_empty()).then_some(scope_ids),
        }
    }
}

impl Operators {
    fn login_of(&self, id: i64) -> String {
        self.rows
            .iter()
            .find(|o| o.id == id)
            .map(|o| o.login.clone())
            .unwrap_or_default()
    }

    /// Binds the card in the reader with the PIN typed: the proof of possession runs on a
    /// worker thread (`tick` picks up its outcome).
    fn bind(&mut self, cx: &mut Cx, id: i64) -> Outcome {
        let lang = cx.lang;
        let Some(d) = self.dialog.as_mut() else {
            return Outcome::none();
        };
        let pin = d.form.value("pin");
        match card::start_read_and_prove(cx.env, pin) {
            Ok(job) => {
                d.error = Some(tc::TOUCH_KEY.get(lang).into());
                self.work = Some(CardWork::Bind(id, job));
            }
            Err(e) => d.error = Some(text::card_error(&e, lang)),
        }
        Outcome::none()
    }

    /// A card whose slots are empty opens the setup form instead of binding.
    fn bound(&mut self, cx: &mut Cx, id: i64, outcome: Result<CardIdentity, CardError>) -> Outcome {
        let lang = cx.lang;
        let pin = self
            .dialog
            .as_ref()
            .map(|d| d.form.value("pin"))
            .unwrap_or_default();
        match card::bind_proven(cx.env, cx.session, id, outcome) {
            Ok(info) => {
                self.dialog = None;
                let _ = self.load(cx);
                Outcome::ok(
                    ta::CARD_BOUND
                        .get(lang)
                        .replace("{serial}", &info.serial)
                        .replace("{login}", &self.login_of(id)),
                )
            }
            Err(card::CardServiceError::Card(e)) if e.needs_setup() => {
                let form = Form::new(vec![
                    Field::text("mgmt_key", tc::MGMT_KEY).with_hint(tc::MGMT_KEY_HINT.get(lang)),
                    Field::secret("pin", tc::CURRENT_PIN).with_hint(tc::CURRENT_PIN_HINT.get(lang)),
                    Field::secret("new_pin", tc::NEW_PIN).with_hint(tc::NEW_PIN_HINT.get(lang)),
                    Field::text("new_mgmt_key", tc::NEW_MGMT_KEY)
                        .with_hint(tc::NEW_MGMT_KEY_HINT.get(lang)),
                ]);
                let mut dialog = Dialog::new(
                    format!("{} {}", tc::SETUP_TITLE.get(lang), self.login_of(id)),
                    form,
                    Purpose::SetupCard(id),
                    lang,
                );
                dialog.form.set_value("pin", &pin);
                dialog.width = 96;
                dialog.error = Some(tc::SETUP_NEEDED.get(lang).into());
                self.dialog = Some(dialog);
                Outcome::none()
            }
            Err(e) => {
                if let Some(d) = self.dialog.as_mut() {
                    d.error = Some(text::card_error(&e, lang));
                }
                Outcome::none()
            }
        }
    }

    /// Sets the card up (keys generated on the card, certificates, CHUID; PIN and management
    /// key changed when new ones are typed), then proves and binds it with its PIN; the card
    /// work on a worker thread.
    fn setup_and_bind(&mut self, cx: &mut Cx, id: i64) -> Outcome {
        let lang = cx.lang;
        let Some(d) = self.dialog.as_mut() else {
            return Outcome::none();
        };
        let setup = match card::CardSetup::parse(
            &d.form.value("mgmt_key"),
            &d.form.value("pin"),
            &d.form.value("new_pin"),
            &d.form.value("new_mgmt_key"),
        ) {
            Ok(s) => s,
            Err(e) => {
                d.error = Some(e.to_string());
                return Outcome::none();
            }
        };
        match card::start_setup_and_prove(cx.env, setup) {
            Ok(job) => {
                d.error = Some(tc::TOUCH_KEY.get(lang).into());
                self.work = Some(CardWork::SetupAndBind(id, job));
            }
            Err(e) => d.error = Some(text::card_error(&e, lang)),
        }
        Outcome::none()
    }

    fn set_up(&mut self, cx: &mut Cx, id: i64, outcome: SetupOutcome) -> Outcome {
        let lang = cx.lang;
        let (done, proof) = outcome;
        let setup_pin_is_default = self
            .dialog
            .as_ref()
            .is_some_and(|d| matches!(d.form.value("pin").as_str(), "" | "123456"));
        let result = card::setup_recorded(cx.env, cx.session, done).and_then(|done| {
            card::bind_proven(cx.env, cx.session, id, proof).map(|info| (done, info))
        });
        match result {
            Ok((done, info)) => {
                self.dialog = None;
                let _ = self.load(cx);
                let mut msg = tc::SET_UP_AND_BOUND
                    .get(lang)
                    .replace("{serial}", &info.serial)
                    .replace("{login}", &self.login_of(id));
                if !done.pin_changed && setup_pin_is_default {
                    msg.push_str(tc::PIN_STILL_DEFAULT.get(lang));
                }
                if let Some(k) = &done.new_management_key {
                    msg.push_str(
                        &tc::NEW_MGMT_KEY_IS
                            .get(lang)
                            .replace("{key}", &hex::encode_upper(k)),
                    );
                }
                Outcome::ok(msg)
            }
            Err(e) => {
                if let Some(d) = self.dialog.as_mut() {
                    d.error = Some(text::card_error(&e, lang));
                }
                Outcome::none()
            }
        }
    }

    fn submit(&mut self, cx: &mut Cx) -> Outcome {
        let Some(d) = self.dialog.as_mut() else {
            return Outcome::none();
        };
        let lang = cx.lang;
        let result = match d.purpose {
            Purpose::Add => {
                let input = input_from(&d.form, &self.roles, &self.groups);
                admin::create_operator(cx.env, cx.session, &input).map(|_| ta::OPERATOR_CREATED)
            }
            Purpose::Edit(id) => {
                let input = input_from(&d.form, &self.roles, &self.groups);
                admin::update_operator(cx.env, cx.session, id, &input).map(|_| ta::SAVED)
            }
            Purpose::ResetPassword(id) => {
                admin::reset_password(cx.env, cx.session, id, &d.form.value("password"))
                    .map(|_| ta::PASSWORD_RESET)
            }
            Purpose::PayPassword(id) => {
                admin::set_pay_password(cx.env, cx.session, id, &d.form.value("pay_password"))
                    .map(|_| ta::SAVED)
            }
            Purpose::Disable(id) => {
                admin::set_operator_active(cx.env, cx.session, id, false).map(|_| ta::WAS_DISABLED)
            }
            Purpose::BindCard(id) => return self.bind(cx, id),
            Purpose::SetupCard(id) => return self.setup_and_bind(cx, id),
            Purpose::UnbindCard(id) => {
                let pw = d.form.value("pay_password");
                d.form.set_value("pay_password", "");
                match card::unbind_card(cx.env, cx.session, id, &pw) {
                    Ok(()) => Ok(ta::CARD_UNBOUND),
                    Err(card::CardServiceError::Service(e)) => Err(e),
                    Err(e) => {
                        d.error = Some(text::card_error(&e, lang));
                        return Outcome::none();
                    }
                }
            }
        };
        match result {
            Ok(msg) => {
                self.dialog = None;
                let _ = self.load(cx);
                Outcome::ok(msg.get(lang).into())
            }
            Err(e) => {
                if let Some(d) = self.dialog.as_mut() {
                    d.fail(&e, lang);
                }
                Outcome::none()
            }
        }
    }

    /// The list as the table shows it (and the export writes it).
    fn table_rows(&self, lang: Lang) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|o| {
                let mut state = vec![if o.active { ta::ACTIVE } else { ta::DISABLED }.get(lang)];
                if o.locked {
                    state.push(ta::LOCKED.get(lang));
                }
                if o.must_change_password {
                    state.push(ta::MUST_CHANGE.get(lang));
                }
                vec![
                    o.login.clone(),
                    o.display_name.clone(),
                    if lang == Lang::Zh {
                        o.role_names.join("、")
                    } else {
                        o.role_names_en.join(", ")
                    },
                    if o.scope.is_none() {
                        ta::SCOPE_ALL.get(lang).to_string()
                    } else {
                        o.scope_names.join("、")
                    },
                    state.join(" "),
                    o.card_serial.clone().unwrap_or_default(),
                ]
            })
            .collect()
    }

    fn selected(&self) -> Option<&OperatorView> {
        self.rows.get(self.sel.index)
    }

    fn act(&mut self, act: Act, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let title = |t: T, o: Option<&OperatorView>| match o {
            Some(o) => format!("{} {}", t.get(lang), o.login),
            None => t.get(lang).to_string(),
        };
        let sel = self.selected().cloned();
        let done = |r: crate::service::ServiceResult<()>, msg: T, s: &mut Self, cx: &mut Cx| match r
        {
            Ok(()) => {
                let _ = s.load(cx);
                Outcome::ok(msg.get(cx.lang).into())
            }
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        };
        match (act, sel) {
            (Act::Shared(Action::Back), _) => return Outcome::nav(Nav::Pop),
            (Act::Add, _) => {
                let form = self.form(lang, None);
                self.dialog = Some(Dialog::new(
                    title(ta::ADD_OPERATOR, None),
                    form,
                    Purpose::Add,
                    lang,
                ));
            }
            (Act::Edit, Some(o)) => {
                let form = self.form(lang, Some(&o));
                self.dialog = Some(Dialog::new(
                    title(ta::EDIT_OPERATOR, Some(&o)),
                    form,
                    Purpose::Edit(o.id),
                    lang,
                ));
            }
            (Act::ResetPassword, Some(o)) => {
                let form = Form::new(vec![Field::secret("password", ta::NEW_PASSWORD)]);
                self.dialog = Some(Dialog::new(
                    title(ta::RESET_PASSWORD, Some(&o)),
                    form,
                    Purpose::ResetPassword(o.id),
                    lang,
                ));
            }
            (Act::PayPassword, Some(o)) => {
                let form = Form::new(vec![Field::secret("pay_password", ta::NEW_PAY_PASSWORD)]);
                self.dialog = Some(Dialog::new(
                    title(ta::SET_PAY_PASSWORD, Some(&o)),
                    form,
                    Purpose::PayPassword(o.id),
                    lang,
                ));
            }
            (Act::Toggle, Some(o)) if o.active => {
                let roles = if lang == Lang::En {
                    &o.role_names_en
                } else {
                    &o.role_names
                };
                let mut d = Dialog::new(
                    title(ta::CONFIRM_DISABLE, Some(&o)),
                    Form::new(Vec::new()),
                    Purpose::Disable(o.id),
                    lang,
                );
                d.note = vec![
                    format!("{} ({})", o.display_name, o.login),
                    format!("{}: {}", ta::COL_ROLES_WORD.get(lang), roles.join(", ")),
                    ta::DISABLE_EFFECT.get(lang).to_string(),
                    String::new(),
                    ta::DISABLE_KEYS.get(lang).to_string(),
                ];
                self.dialog = Some(d);
            }
            (Act::Toggle, Some(o)) => {
                let r = admin::set_operator_active(cx.env, cx.session, o.id, true);
                return done(r, ta::ENABLED, self, cx);
            }
            (Act::BindCard, Some(o)) => {
                // Binding proves possession: the card's PIN signs a challenge with 9A and 9C.
                let form = Form::new(vec![Field::secret("pin", tc::CARD_PIN)]);
                self.dialog = Some(Dialog::new(
                    title(ta::KEY_BIND_CARD, Some(&o)),
                    form,
                    Purpose::BindCard(o.id),
                    lang,
                ));
            }
            (Act::UnbindCard, Some(o)) => {
                let form = Form::new(vec![Field::secret("pay_password", ta::YOUR_PAY_PASSWORD)]);
                self.dialog = Some(Dialog::new(
                    title(ta::UNBIND_CARD, Some(&o)),
                    form,
                    Purpose::UnbindCard(o.id),
                    lang,
                ));
            }
            (Act::Unlock, Some(o)) if !o.locked => {
                return Outcome::error(ta::NOT_LOCKED.get(lang).replace("{login}", &o.login));
            }
            (Act::Unlock, Some(o)) => {
                let r = admin::unlock(cx.env, cx.session, o.id);
                return done(r, ta::UNLOCKED, self, cx);
            }
            _ => {}
        }
        Outcome::none()
    }
}

impl Screen for Operators {
    fn title(&self) -> T {
        ta::SCR_OPERATORS
    }

    fn help(&self, lang: Lang) -> Vec<(String, String)> {
        help_lines(KEYS, lang)
    }

    fn editing_text(&self) -> bool {
        self.dialog.is_some()
    }

    fn handle_key(&mut self, k: &KeyEvent, cx: &mut Cx) -> Outcome {
        if self.work.is_some() {
            // The card is working (maybe waiting for a touch): keys wait too.
            return Outcome::none();
        }
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
        match lookup(KEYS, k) {
            Some(a) => self.act(a, cx),
            None => Outcome::none(),
        }
    }

    fn tick(&mut self, cx: &mut Cx) -> Outcome {
        match self.work.take() {
            Some(CardWork::Bind(id, mut job)) => match job.poll() {
                Some(outcome) => self.bound(cx, id, outcome),
                None => {
                    self.work = Some(CardWork::Bind(id, job));
                    Outcome::none()
                }
            },
            Some(CardWork::SetupAndBind(id, mut job)) => match job.poll() {
                Some(outcome) => self.set_up(cx, id, outcome),
                None => {
                    self.work = Some(CardWork::SetupAndBind(id, job));
                    Outcome::none()
                }
            },
            None => Outcome::none(),
        }
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        match self.load(cx) {
            Ok(()) => Outcome::none(),
            Err(o) => o,
        }
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        let rows = self.table_rows(cx.lang);
        let headers = [
            ta::LOGIN,
            ta::DISPLAY_NAME,
            ta::ROLES,
            ta::SCOPE,
            ta::STATUS,
            ta::CARD,
        ];
        Some(super::downloads::export_text_table(
            cx,
            crate::domain::function::Function::OperatorManage,
            ta::SCR_OPERATORS,
            &headers,
            rows,
        ))
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let rows = self.table_rows(lang);
        let dim: Vec<bool> = self.rows.iter().map(|o| !o.active).collect();
        let columns = [
            Column {
                header: ta::LOGIN.get(lang),
                width: Constraint::Length(10),
                right: false,
            },
            Column {
                header: ta::DISPLAY_NAME.get(lang),
                width: Constraint::Length(14),
                right: false,
            },
            Column {
                header: ta::ROLES.get(lang),
                width: Constraint::Min(12),
                right: false,
            },
            Column {
                header: ta::SCOPE.get(lang),
                width: Constraint::Min(12),
                right: false,
            },
            Column {
                header: ta::STATUS.get(lang),
                width: Constraint::Length(14),
                right: false,
            },
            Column {
                header: ta::CARD.get(lang),
                width: Constraint::Length(10),
                right: false,
            },
        ];
        let focus = table::draw(
            f,
            area,
            &table::TableView {
                title: ta::SCR_OPERATORS.get(lang),
                columns: &columns,
                rows: &rows,
                dim: &dim,
                selected: if self.dialog.is_none() {
                    Some(self.sel.index)
                } else {
                    None
                },
                empty: ta::NO_OPERATORS.get(lang),
            },
        );
        match &self.dialog {
            Some(d) => d.draw(f, area, lang),
            None => focus,
        }
    }
}
