//! 联系人 (A5, K §3.3.2): the group's payee contacts in two tabs, 平台账户 and 银行账户 (←→).
//! `a` adds one (a platform account by its merchant number: the name is looked up and shown
//! before it is added; a bank account with every field checked and the number typed twice),
//! `i` imports the contact template (every row checked, the bad ones listed, nothing stored),
//! `t` writes the template, `f` searches, `v` shows the full number after the payment password
//! (audited), `d` deletes. Account numbers are masked everywhere else.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::payee::PayeeKind;
use crate::domain::review::HolderType;
use crate::excel::CellValue;
use crate::service::batch_refund::BatchError;
use crate::service::payees::{self, PayeeInput, PayeeView};
use crate::service::ServiceError;
use crate::ui::action::Action;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::list::{self, Col, Kind, ListSpec, ListView, Show, Width};
use crate::ui::text::money_out as tm;
use crate::ui::text::payees as tp;
use crate::ui::text::{t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::dialog::{Dialog, DialogEvent};
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::table::Selection;

use super::{Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Add,
    Import,
    Template,
    Search,
    Reveal,
    Delete,
    Tab,
    /// One of the shared vocabulary's actions (Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[ch('a')],
        action: Act::Add,
        help: tp::KEY_ADD,
    },
    Binding {
        keys: &[ch('i')],
        action: Act::Import,
        help: tp::KEY_IMPORT,
    },
    Binding {
        keys: &[ch('t')],
        action: Act::Template,
        help: tp::KEY_TEMPLATE,
    },
    Binding {
        keys: &[ch('f')],
        action: Act::Search,
        help: tp::KEY_SEARCH,
    },
    Binding {
        keys: &[ch('v')],
        action: Act::Reveal,
        help: tp::KEY_REVEAL,
    },
    Binding {
        keys: &[ch('d')],
        action: Act::Delete,
        help: tp::KEY_DELETE,
    },
    Binding {
        keys: &[key(KeyCode::Left), key(KeyCode::Right)],
        action: Act::Tab,
        help: tp::KEY_TAB,
    },
    Binding {
        keys: crate::ui::keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

fn bank_of(p: &PayeeView, lang: Lang) -> String {
    let bank = if lang == Lang::Zh {
        &p.bank_zh
    } else {
        &p.bank_en
    };
    match (bank.is_empty(), p.branch.is_empty()) {
        (true, _) => String::new(),
        (false, true) => bank.clone(),
        (false, false) => format!("{bank} / {}", p.branch),
    }
}

fn place_of(p: &PayeeView, lang: Lang) -> String {
    let (pr, c) = if lang == Lang::Zh {
        (&p.province_zh, &p.city_zh)
    } else {
        (&p.province_en, &p.city_en)
    };
    if pr.is_empty() {
        String::new()
    } else if pr == c {
        pr.clone()
    } else {
        format!("{pr} {c}")
    }
}

fn holder_of(p: &PayeeView, lang: Lang) -> String {
    match p.holder_type {
        Some(HolderType::Company) => tm::COMPANY.get(lang).into(),
        Some(HolderType::Personal) => tm::PERSONAL.get(lang).into(),
        None => String::new(),
    }
}

fn used_of(p: &PayeeView) -> String {
    p.last_used_ms
        .map(|ms| format_ms(ms)[..16].to_string())
        .unwrap_or_default()
}

/// The contact list (both tabs; the bank columns stay empty for platform accounts).
pub static PAYEE_LIST: ListSpec<PayeeView> = ListSpec { cols: PAYEE_COLS };

const PAYEE_COLS: &[Col<PayeeView>] = &[
    Col {
        header: tp::NAME,
        kind: Kind::Text,
        width: Width::Name { min: 8 },
        show: Show::Both { priority: 0 },
        cell: |p, _| p.account_name.clone(),
        value: |p, _| CellValue::text(p.account_name.clone()),
    },
    Col {
        header: tp::ACCOUNT,
        kind: Kind::Id,
        width: Width::Content,
        show: Show::Both { priority: 0 },
        cell: |p, _| p.account.clone(),
        value: |p, _| CellValue::text(p.account.clone()),
    },
    Col {
        header: tp::BANK_BRANCH,
        kind: Kind::Text,
        width: Width::Shrink { min: 8 },
        show: Show::Both { priority: 1 },
        cell: bank_of,
        value: |p, lang| CellValue::text(bank_of(p, lang)),
    },
    Col {
        header: tp::PLACE,
        kind: Kind::Text,
        width: Width::Shrink { min: 6 },
        show: Show::Both { priority: 3 },
        cell: place_of,
        value: |p, lang| CellValue::text(place_of(p, lang)),
    },
    Col {
        header: tp::HOLDER,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 2 },
        cell: holder_of,
        value: |p, lang| CellValue::text(holder_of(p, lang)),
    },
    Col {
        header: tp::REMARK,
        kind: Kind::Text,
        width: Width::Shrink { min: 4 },
        show: Show::Both { priority: 2 },
        cell: |p, _| p.remark.clone(),
        value: |p, _| CellValue::text(p.remark.clone()),
    },
    Col {
        header: tp::LAST_USED,
        kind: Kind::Text,
        width: Width::Content,
        show: Show::Both { priority: 4 },
        cell: |p, _| used_of(p),
        value: |p, _| CellValue::text(used_of(p)),
    },
    Col {
        header: tp::USES,
        kind: Kind::Count,
        width: Width::Content,
        show: Show::Both { priority: 4 },
        cell: |p, _| p.use_count.to_string(),
        value: |p, _| CellValue::Int(p.use_count),
    },
];

#[derive(Clone)]
enum Purpose {
    AddPlatform,
    /// The name was looked up and shown; saving again adds it.
    ConfirmPlatform(String),
    AddBank,
    Import,
    Search,
    Reveal(i64),
    Delete(i64),
}

pub struct Payees {
    kind: PayeeKind,
    keyword: String,
    rows: Vec<PayeeView>,
    sel: Selection,
    dialog: Option<Dialog<Purpose>>,
    /// The bad rows of the last refused file, until Esc.
    bad_rows: Vec<String>,
}

fn in_download_dir(cx: &Cx, typed: &str) -> PathBuf {
    let p = PathBuf::from(typed);
    if p.is_absolute() {
        p
    } else {
        crate::service::slip::download_dir(cx.env).join(p)
    }
}

fn template_name(lang: Lang) -> &'static str {
    if lang == Lang::Zh {
        tp::TEMPLATE_NAME.0
    } else {
        tp::TEMPLATE_NAME.1
    }
}

impl Payees {
    pub fn open(cx: &mut Cx) -> Outcome {
        let mut s = Payees {
            kind: PayeeKind::Bank,
            keyword: String::new(),
            rows: Vec::new(),
            sel: Selection::default(),
            dialog: None,
            bad_rows: Vec::new(),
        };
        match s.load(cx) {
            Ok(()) => Outcome::nav(Nav::Push(Box::new(s))),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn load(&mut self, cx: &mut Cx) -> Result<(), ServiceError> {
        self.rows = payees::list(cx.env, cx.session, self.kind, &self.keyword)?;
        self.sel.clamp(self.rows.len());
        Ok(())
    }

    fn password_dialog(title: T, purpose: Purpose, lang: Lang) -> Dialog<Purpose> {
        Dialog::new(
            title.get(lang).into(),
            Form::new(vec![Field::secret("pay_password", tp::PAY_PASSWORD)]),
            purpose,
            lang,
        )
    }

    fn submit(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Some(d) = self.dialog.as_mut() else {
            return Outcome::none();
        };
        let pw = d.form.value("pay_password");
        d.form.set_value("pay_password", "");
        d.form.clear_marks();
        let purpose = d.purpose.clone();
        let result: Result<String, ServiceError> = match purpose {
            Purpose::Search => {
                self.keyword = d.form.value("keyword").trim().to_string();
                self.dialog = None;
                return match self.load(cx) {
                    Ok(()) => Outcome::none(),
                    Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
                };
            }
            Purpose::AddPlatform => {
                let no = d.form.value("account_no");
                match payees::platform_name(cx.env, cx.session, &no) {
                    Ok(name) => {
                        d.note = vec![
                            format!("{}: {name}", tp::NAME.get(lang)),
                            tp::CONFIRM_PLATFORM.get(lang).into(),
                        ];
                        d.error = None;
                        d.purpose = Purpose::ConfirmPlatform(no.trim().to_string());
                        d.form.set_value("pay_password", &pw);
                        return Outcome::none();
                    }
                    Err(e) => Err(e),
                }
            }
            Purpose::ConfirmPlatform(no) if d.form.value("account_no").trim() != no => {
                // The number was changed after the look-up: look it up again.
                d.purpose = Purpose::AddPlatform;
                d.note.clear();
                d.form.set_value("pay_password", &pw);
                return self.submit(cx);
            }
            Purpose::ConfirmPlatform(no) => {
                let input = PayeeInput {
                    kind: Some(PayeeKind::Platform),
                    account_no: no,
                    remark: d.form.value("remark"),
                    pay_password: pw,
                    ..Default::default()
                };
                payees::add(cx.env, cx.session, &input).map(|p| {
                    tp::ADDED
                        .get(lang)
                        .replace("{n}", &p.account_name)
                        .replace("{a}", &p.account)
                })
            }
            Purpose::AddBank => {
                let input = PayeeInput {
                    kind: Some(PayeeKind::Bank),
                    account_name: d.form.value("account_name"),
                    holder_type: Some(if d.form.choice("holder_type") == 0 {
                        HolderType::Personal
                    } else {
                        HolderType::Company
                    }),
                    bank: d.form.value("bank"),
                    province: d.form.value("province"),
                    city: d.form.value("city"),
                    branch: d.form.value("branch"),
                    account_no: d.form.value("account_no"),
                    account_no_again: d.form.value("account_no_again"),
                    mobile: d.form.value("mobile"),
                    remark: d.form.value("remark"),
                    pay_password: pw,
                };
                payees::add(cx.env, cx.session, &input).map(|p| {
                    tp::ADDED
                        .get(lang)
                        .replace("{n}", &p.account_name)
                        .replace("{a}", &p.account)
                })
            }
            Purpose::Import => {
                let file = d.form.value("file");
                if file.trim().is_empty() {
                    d.fail(
                        &ServiceError::Invalid {
                            field: "file",
                            problem: crate::service::Problem::Required,
                        },
                        lang,
                    );
                    return Outcome::none();
                }
                let path = in_download_dir(cx, file.trim());
                match payees::import(cx.env, cx.session, &path, &pw) {
                    Ok(s) => {
                        self.bad_rows.clear();
                        Ok(tp::IMPORTED
                            .get(lang)
                            .replace("{n}", &s.rows.to_string())
                            .replace("{f}", &s.file_name))
                    }
                    Err(BatchError::Rows(rows)) => {
                        self.bad_rows = rows.iter().map(|r| payees::row_message(r, lang)).collect();
                        self.dialog = None;
                        return Outcome::error(
                            tp::REFUSED
                                .get(lang)
                                .replace("{n}", &rows.len().to_string()),
                        );
                    }
                    Err(BatchError::File(e)) => {
                        self.bad_rows = vec![e.message(lang == Lang::Zh)];
                        self.dialog = None;
                        return Outcome::error(
                            tp::FILE_REFUSED
                                .get(lang)
                                .replace("{e}", &e.message(lang == Lang::Zh)),
                        );
                    }
                    Err(BatchError::Service(e)) => Err(e),
                }
            }
            Purpose::Reveal(id) => payees::reveal(cx.env, cx.session, id, &pw)
                .map(|n| tp::REVEALED.get(lang).replace("{n}", &n)),
            Purpose::Delete(id) => {
                let name = self
                    .rows
                    .iter()
                    .find(|r| r.id == id)
                    .map(|r| format!("{} {}", r.account_name, r.account))
                    .unwrap_or_default();
                payees::delete(cx.env, cx.session, id, &pw)
                    .map(|()| tp::DELETED.get(lang).replace("{n}", &name))
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
                    if matches!(d.purpose, Purpose::ConfirmPlatform(_)) {
                        // A wrong password keeps the name shown; anything else starts over.
                        if !matches!(
                            &e,
                            ServiceError::Invalid {
                                field: "pay_password",
                                ..
                            }
                        ) {
                            d.purpose = Purpose::AddPlatform;
                            d.note.clear();
                        }
                    }
                }
                Outcome::none()
            }
        }
    }

    fn add_dialog(&self, lang: Lang) -> Dialog<Purpose> {
        match self.kind {
            PayeeKind::Platform => Dialog::new(
                tp::ADD_PLATFORM.get(lang).into(),
                Form::new(vec![
                    Field::text("account_no", tp::PLATFORM_NO),
                    Field::text("remark", tp::REMARK),
                    Field::secret("pay_password", tp::PAY_PASSWORD),
                ]),
                Purpose::AddPlatform,
                lang,
            ),
            PayeeKind::Bank => {
                let mut d = Dialog::new(
                    tp::ADD_BANK.get(lang).into(),
                    Form::new(vec![
                        Field::text("account_name", tp::NAME),
                        Field::choice("holder_type", tm::HOLDER, vec![tm::PERSONAL, tm::COMPANY]),
                        Field::text("bank", tm::BANK),
                        Field::text("province", tm::PROVINCE),
                        Field::text("city", tm::CITY),
                        Field::text("branch", tm::BRANCH),
                        Field::text("account_no", tp::ACCOUNT_NO),
                        Field::text("account_no_again", tp::ACCOUNT_NO_AGAIN),
                        Field::text("mobile", tp::MOBILE),
                        Field::text("remark", tp::REMARK),
                        Field::secret("pay_password", tp::PAY_PASSWORD),
                    ]),
                    Purpose::AddBank,
                    lang,
                );
                d.width = 104;
                d
            }
        }
    }
}

impl Screen for Payees {
    fn title(&self) -> T {
        tp::SCR_PAYEES
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
            Some(Act::Shared(Action::Back)) if !self.bad_rows.is_empty() => self.bad_rows.clear(),
            Some(Act::Shared(Action::Back)) => return Outcome::nav(Nav::Pop),
            Some(Act::Tab) => {
                self.kind = match self.kind {
                    PayeeKind::Bank => PayeeKind::Platform,
                    PayeeKind::Platform => PayeeKind::Bank,
                };
                self.sel = Selection::default();
                if let Err(e) = self.load(cx) {
                    return Outcome::error(cx.error_text(&e, |k| k.to_string()));
                }
            }
            Some(Act::Add) => self.dialog = Some(self.add_dialog(lang)),
            Some(Act::Import) => {
                let mut form = Form::new(vec![
                    Field::text("file", tp::FILE),
                    Field::secret("pay_password", tp::PAY_PASSWORD),
                ]);
                form.set_value("file", template_name(lang));
                let mut d = Dialog::new(tp::IMPORT.get(lang).into(), form, Purpose::Import, lang);
                d.width = 90;
                self.dialog = Some(d);
            }
            Some(Act::Template) => {
                let path = in_download_dir(cx, template_name(lang));
                return match payees::write_template(&path, lang) {
                    Ok(p) => Outcome::ok(
                        tp::TEMPLATE_WRITTEN
                            .get(lang)
                            .replace("{p}", &p.display().to_string()),
                    ),
                    Err(e) => Outcome::error(e.message(lang == Lang::Zh)),
                };
            }
            Some(Act::Search) => {
                let mut form = Form::new(vec![
                    Field::text("keyword", tp::KEYWORD).with_hint(tp::SEARCH_HINT.get(lang))
                ]);
                form.set_value("keyword", &self.keyword);
                self.dialog = Some(Dialog::new(
                    tp::KEY_SEARCH.get(lang).into(),
                    form,
                    Purpose::Search,
                    lang,
                ));
            }
            Some(Act::Reveal) => {
                if let Some(id) = selected.filter(|_| self.kind == PayeeKind::Bank) {
                    self.dialog =
                        Some(Self::password_dialog(tp::REVEAL, Purpose::Reveal(id), lang));
                }
            }
            Some(Act::Delete) => {
                if let Some(id) = selected {
                    self.dialog =
                        Some(Self::password_dialog(tp::DELETE, Purpose::Delete(id), lang));
                }
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
        let bad_h = if self.bad_rows.is_empty() {
            0
        } else {
            (self.bad_rows.len() as u16 + 2).min(area.height / 2)
        };
        let [head, body, bad] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Min(4),
            Constraint::Length(bad_h),
        ])
        .areas(area);
        let tab = |k: PayeeKind, t: T| {
            let style = if self.kind == k {
                theme::selected()
            } else {
                theme::dim()
            };
            Span::styled(format!(" {} ", t.get(lang)), style)
        };
        let mut spans = vec![
            tab(PayeeKind::Platform, tp::TAB_PLATFORM),
            Span::raw(" "),
            tab(PayeeKind::Bank, tp::TAB_BANK),
        ];
        if !self.keyword.is_empty() {
            spans.push(Span::styled(
                format!("   {}: ", tp::KEYWORD.get(lang)),
                theme::label(),
            ));
            spans.push(Span::raw(self.keyword.clone()));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), head);
        let title = format!(
            "{} · {}",
            tp::SCR_PAYEES.get(lang),
            match self.kind {
                PayeeKind::Platform => tp::TAB_PLATFORM,
                PayeeKind::Bank => tp::TAB_BANK,
            }
            .get(lang)
        );
        let focus = list::draw(
            f,
            body,
            &ListView {
                spec: &PAYEE_LIST,
                rows: &self.rows,
                totals: None,
                selected: self.dialog.is_none().then_some(self.sel.index),
                cursor: self.sel.index,
                dim: |_| false,
                lang,
                empty: match self.kind {
                    PayeeKind::Platform => tp::EMPTY_PLATFORM.get(lang),
                    PayeeKind::Bank => tp::EMPTY.get(lang),
                },
                title: Some(&title),
                sort: None,
            },
        );
        if bad_h > 0 {
            let lines: Vec<Line> = self
                .bad_rows
                .iter()
                .map(|l| Line::from(Span::styled(l.clone(), theme::error())))
                .collect();
            f.render_widget(
                Paragraph::new(lines).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .title(tp::BAD_ROWS.get(lang)),
                ),
                bad,
            );
        }
        match &self.dialog {
            Some(d) => d.draw(f, area, lang),
            None => focus,
        }
    }
}
