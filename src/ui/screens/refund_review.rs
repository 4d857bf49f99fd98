//! 退货审核 (R3, R4): the reviewer's pending list, oldest first. Space marks applications, Enter
//! shows one with its history; approving or rejecting the marked ones is one decision, confirmed
//! with the payment password and, where the reviewer has a USB key, signed by it.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::text::Span;
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use crate::clock::format_ms;
use crate::domain::money::format_fen;
use crate::service::background::InBackground;
use crate::service::card::card_required;
use crate::service::card::CardServiceResult;
use crate::service::refunds::{self, Confirmation};
use crate::service::views::{RefundEvent, RefundRow};
use crate::ui::action::Action;
use crate::ui::keymap;
use crate::ui::keymap::{ch, help_lines, key, lookup, Binding};
use crate::ui::text::review as tr;
use crate::ui::text::{self, t, Lang, T};
use crate::ui::theme;
use crate::ui::widgets::dialog::{Dialog, DialogEvent};
use crate::ui::widgets::form::{Field, Form};
use crate::ui::widgets::table::{self, Column, Selection};

use super::{refund_detail, Cx, Nav, Outcome, Screen, View};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Mark,
    MarkAll,
    Detail,
    Approve,
    Reject,
    /// One of the shared vocabulary's actions (moving in a list, Back).
    Shared(Action),
}

const KEYS: &[Binding<Act>] = &[
    Binding {
        keys: &[key(KeyCode::Char(' '))],
        action: Act::Mark,
        help: tr::KEY_MARK,
    },
    Binding {
        keys: &[ch('*')],
        action: Act::MarkAll,
        help: tr::KEY_MARK_ALL,
    },
    Binding {
        keys: &[key(KeyCode::Enter)],
        action: Act::Detail,
        help: t::KEY_DETAIL,
    },
    Binding {
        keys: &[ch('a')],
        action: Act::Approve,
        help: tr::KEY_APPROVE,
    },
    Binding {
        keys: &[ch('x')],
        action: Act::Reject,
        help: tr::KEY_REJECT,
    },
    Binding {
        keys: keymap::keys(Action::Back),
        action: Act::Shared(Action::Back),
        help: t::KEY_BACK,
    },
];

pub struct RefundReview {
    rows: Vec<RefundRow>,
    marked: BTreeSet<i64>,
    sel: Selection,
    detail: Option<(RefundRow, Vec<RefundEvent>)>,
    /// The decision being confirmed: approve (true) or reject.
    dialog: Option<Dialog<bool>>,
    /// The decision running on a worker while the card signs; keys wait for it.
    deciding: Option<InBackground<CardServiceResult<usize>>>,
}

impl RefundReview {
    pub fn open(cx: &mut Cx) -> Outcome {
        match refunds::pending(cx.env, cx.session) {
            Ok(rows) => Outcome::nav(Nav::Push(Box::new(RefundReview {
                rows,
                marked: BTreeSet::new(),
                sel: Selection::default(),
                detail: None,
                dialog: None,
                deciding: None,
            }))),
            Err(e) => Outcome::error(cx.error_text(&e, |k| k.to_string())),
        }
    }

    fn reload(&mut self, cx: &mut Cx) {
        if let Ok(rows) = refunds::pending(cx.env, cx.session) {
            self.marked.retain(|id| rows.iter().any(|r| r.id == *id));
            self.rows = rows;
            self.sel.clamp(self.rows.len());
        }
    }

    /// The marked applications: what the key bar's "approve the marked" says, and only that
    /// (with none marked, `a` and `x` act on nothing and say so).
    fn chosen(&self) -> Vec<i64> {
        self.marked.iter().copied().collect()
    }

    fn decide(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let ids = self.chosen();
        let Some(d) = self.dialog.as_mut() else {
            return Outcome::none();
        };
        let approve = d.purpose;
        let remark = d.form.value("remark");
        let pay = d.form.value("pay_password");
        let pin = d.form.value("pin");
        d.form.set_value("pay_password", "");
        d.form.set_value("pin", "");
        // Whether the card is needed is decided by the service; the PIN goes along when typed.
        // The decision runs on a worker, so a key that waits for a touch leaves the screen alive.
        let pin = Some(pin).filter(|p| !p.is_empty());
        let session = cx.session.clone();
        d.error = Some(crate::ui::text::card::TOUCH_KEY.get(lang).into());
        self.deciding = Some(InBackground::start(cx.env, move |env| {
            refunds::review(
                env,
                &session,
                &ids,
                approve,
                &remark,
                Confirmation {
                    pay_password: &pay,
                    pin: pin.as_deref(),
                },
            )
        }));
        self.decided(cx)
    }

    /// Takes the decision's answer once the worker has it.
    fn decided(&mut self, cx: &mut Cx) -> Outcome {
        let lang = cx.lang;
        let Some(result) = self.deciding.as_mut().and_then(|j| j.poll()) else {
            return Outcome::none();
        };
        self.deciding = None;
        match result {
            Ok(n) => {
                self.dialog = None;
                self.marked.clear();
                self.reload(cx);
                Outcome::ok(tr::DECIDED.get(lang).replace("{n}", &n.to_string()))
            }
            Err(e) => {
                let Some(d) = self.dialog.as_mut() else {
                    return Outcome::none();
                };
                d.error = None;
                let msg = text::card_error(&e, lang);
                if let crate::service::card::CardServiceError::Service(se) = &e {
                    d.fail(se, lang);
                } else {
                    d.error = Some(msg);
                }
                Outcome::none()
            }
        }
    }
}

impl Screen for RefundReview {
    fn tick(&mut self, cx: &mut Cx) -> Outcome {
        self.decided(cx)
    }

    fn title(&self) -> T {
        tr::SCR_REVIEW
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
        if self.deciding.is_some() {
            // The card is signing: keys wait for its answer.
            return self.decided(cx);
        }
        if let Some(d) = self.dialog.as_mut() {
            return match d.handle(k) {
                DialogEvent::Cancel => {
                    self.dialog = None;
                    Outcome::none()
                }
                DialogEvent::Submit => self.decide(cx),
                DialogEvent::None => Outcome::none(),
            };
        }
        if self.detail.is_some() {
            if keymap::is_back(k) || k.code == KeyCode::Enter {
                self.detail = None;
            }
            return Outcome::none();
        }
        if self.sel.handle(k, self.rows.len()) {
            return Outcome::none();
        }
        match lookup(KEYS, k) {
            Some(Act::Shared(Action::Back)) => return Outcome::nav(Nav::Pop),
            Some(Act::Mark) => {
                if let Some(r) = self.rows.get(self.sel.index) {
                    if !self.marked.remove(&r.id) {
                        self.marked.insert(r.id);
                    }
                    self.sel.index = (self.sel.index + 1).min(self.rows.len().saturating_sub(1));
                }
            }
            Some(Act::MarkAll) => {
                if self.marked.len() == self.rows.len() {
                    self.marked.clear();
                } else {
                    self.marked = self.rows.iter().map(|r| r.id).collect();
                }
            }
            Some(Act::Detail) => {
                if let Some(r) = self.rows.get(self.sel.index) {
                    match refunds::detail(cx.env, cx.session, r.id) {
                        Ok(d) => self.detail = Some(d),
                        Err(e) => return Outcome::error(cx.error_text(&e, |k| k.to_string())),
                    }
                }
            }
            Some(a @ (Act::Approve | Act::Reject)) => {
                if self.chosen().is_empty() {
                    return Outcome::error(tr::NONE_MARKED.get(lang).into());
                }
                let approve = a == Act::Approve;
                let mut fields = vec![
                    Field::text("remark", tr::REMARK),
                    Field::secret("pay_password", tr::PAY_PASSWORD),
                ];
                if card_required(cx.env, cx.session.operator_id).unwrap_or(false) {
                    fields.push(Field::secret("pin", tr::PIN).with_hint(tr::CARD_NEEDED.get(lang)));
                }
                let ids = self.chosen();
                let total: i64 = self
                    .rows
                    .iter()
                    .filter(|r| ids.contains(&r.id))
                    .map(|r| r.amount_fen)
                    .sum();
                let title = format!(
                    "{} — {}",
                    if approve { tr::APPROVE } else { tr::REJECT }.get(lang),
                    tr::MARKED
                        .get(lang)
                        .replace("{n}", &ids.len().to_string())
                        .replace("{a}", &format_fen(total))
                );
                self.dialog = Some(Dialog::new(title, Form::new(fields), approve, lang));
            }
            Some(Act::Shared(_)) | None => {}
        }
        Outcome::none()
    }

    fn refresh(&mut self, cx: &mut Cx) -> Outcome {
        self.reload(cx);
        Outcome::none()
    }

    fn export(&mut self, cx: &mut Cx) -> Option<Outcome> {
        use crate::excel::{CellValue, ColKind};
        let lang = cx.lang;
        let cells = self
            .rows
            .iter()
            .map(|r| {
                vec![
                    CellValue::Int(r.id),
                    CellValue::DateTime(r.applied_ms),
                    CellValue::text(r.rrn.clone()),
                    CellValue::text(r.terminal_no.clone()),
                    CellValue::Money(r.txn_amount_fen),
                    CellValue::Money(r.amount_fen),
                    CellValue::text(r.applicant.clone()),
                    CellValue::text(r.remark.clone()),
                ]
            })
            .collect();
        let headers = [
            tr::ID,
            tr::APPLIED_AT,
            t::RRN,
            t::TERMINAL,
            t::TXN_AMOUNT,
            tr::AMOUNT,
            tr::APPLICANT,
            tr::REMARK,
        ];
        let headers: Vec<&str> = headers.iter().map(|h| h.get(lang)).collect();
        Some(super::downloads::export_list(
            cx,
            crate::domain::function::Function::RefundReview,
            tr::SCR_REVIEW.get(lang),
            &headers,
            &[
                ColKind::Int,
                ColKind::DateTime,
                ColKind::Text,
                ColKind::Text,
                ColKind::Money,
                ColKind::Money,
                ColKind::Text,
                ColKind::Text,
            ],
            cells,
        ))
    }

    fn draw(&self, f: &mut Frame, area: Rect, v: &View) -> Option<Position> {
        let lang = v.lang;
        let [list, info] =
            Layout::vertical([Constraint::Min(4), Constraint::Length(1)]).areas(area);
        // At 80 columns the original amount gives way, so the reference number stays whole.
        let wide = area.width >= 100;
        let rows: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![
                    if self.marked.contains(&r.id) {
                        "[x]"
                    } else {
                        "[ ]"
                    }
                    .into(),
                    format!("#{}", r.id),
                    format_ms(r.applied_ms)[5..16].to_string(),
                    r.rrn.clone(),
                    r.terminal_no.clone(),
                ];
                if wide {
                    row.push(format_fen(r.txn_amount_fen));
                }
                row.extend([
                    format_fen(r.amount_fen),
                    if r.applicant_id == v.session.operator_id {
                        format!("{} ({})", r.applicant, tr::OWN.get(lang))
                    } else {
                        r.applicant.clone()
                    },
                    r.remark.clone(),
                ]);
                row
            })
            .collect();
        let mut columns = vec![
            Column {
                header: "",
                width: Constraint::Length(3),
                right: false,
            },
            Column {
                header: tr::ID.get(lang),
                width: Constraint::Length(5),
                right: false,
            },
            Column {
                header: tr::APPLIED_AT.get(lang),
                width: Constraint::Length(11),
                right: false,
            },
            Column {
                header: t::RRN.get(lang),
                width: Constraint::Length(12),
                right: false,
            },
            Column {
                header: t::TERMINAL.get(lang),
                width: Constraint::Length(8),
                right: false,
            },
            Column {
                header: tr::AMOUNT.get(lang),
                width: Constraint::Length(11),
                right: true,
            },
            Column {
                header: tr::APPLICANT.get(lang),
                width: Constraint::Length(10),
                right: false,
            },
            Column {
                header: tr::REMARK.get(lang),
                width: Constraint::Min(6),
                right: false,
            },
        ];
        if wide {
            columns.insert(
                5,
                Column {
                    header: t::TXN_AMOUNT.get(lang),
                    width: Constraint::Length(11),
                    right: true,
                },
            );
        }
        let focus = table::draw(
            f,
            list,
            &table::TableView {
                title: tr::SCR_REVIEW.get(lang),
                columns: &columns,
                rows: &rows,
                dim: &[],
                selected: (self.dialog.is_none() && self.detail.is_none())
                    .then_some(self.sel.index),
                empty: tr::NO_PENDING.get(lang),
            },
        );
        let total: i64 = self
            .rows
            .iter()
            .filter(|r| self.marked.contains(&r.id))
            .map(|r| r.amount_fen)
            .sum();
        f.render_widget(
            Paragraph::new(Span::styled(
                tr::MARKED
                    .get(lang)
                    .replace("{n}", &self.marked.len().to_string())
                    .replace("{a}", &format_fen(total)),
                theme::label(),
            )),
            info,
        );
        if let Some((row, events)) = &self.detail {
            refund_detail::draw(f, area, lang, row, events);
        }
        match &self.dialog {
            Some(d) => d.draw(f, area, lang),
            None => focus,
        }
    }
}
